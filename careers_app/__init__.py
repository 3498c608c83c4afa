"""Careers Tracker: careers encounters, Gatsby Benchmarks and action plans for schools."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from .config import load_config, production_problems
from .extensions import csrf, db, htmx, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class CareersApp(Flask):
    """Flask, with OPTIONS put through the same checks as GET (see security.options_response)."""

    def make_default_options_response(self):
        from .security import options_response

        return options_response()


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Application factory. Reads configuration; touches no database and no files."""
    app = CareersApp(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.from_mapping(load_config(app.instance_path, overrides))
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Only the addresses the trusted proxies themselves appended are believed.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    if app.config["CAREERS_ENV"] == "production":
        problems = production_problems(app.config, app.debug)
        if problems:
            raise RuntimeError("Refusing to start in production: " + "; ".join(problems))

    from . import models  # noqa: F401 - register the models with the metadata
    from .database import init_engine_events

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    init_engine_events(app)

    from . import audit_trail, input_guard, logfilter, security, templating

    input_guard.init_app(app)
    logfilter.install(app)
    audit_trail.install()
    audit_trail.init_app(app)
    security.init_app(app)
    templating.init_app(app)

    _register_blueprints(app)

    from . import cli

    cli.init_app(app)
    return app


def _register_blueprints(app: Flask) -> None:
    """One blueprint per feature."""
    from .admin.views import bp as admin_bp
    from .auth.views import bp as auth_bp
    from .benchmark_audit.views import bp as benchmark_audit_bp
    from .calendar.views import bp as calendar_bp
    from .encounters.views import bp as encounters_bp
    from .events.views import bp as events_bp
    from .guidance.views import bp as guidance_bp
    from .main.views import bp as main_bp
    from .plans.views import bp as plans_bp
    from .privacy.views import bp as privacy_bp
    from .pupils.views import bp as pupils_bp
    from .reports.views import bp as reports_bp
    from .roster.views import bp as roster_bp

    for blueprint in (main_bp, auth_bp, encounters_bp, pupils_bp, roster_bp, reports_bp, plans_bp,
                      events_bp, guidance_bp, calendar_bp, admin_bp, privacy_bp,
                      benchmark_audit_bp):
        app.register_blueprint(blueprint)

    from .placements.views import bp as placements_bp  # work experience (issue 16)

    app.register_blueprint(placements_bp)

    # Trusts and partnerships share events, a check-in and the organisation directory (issue 15).
    from .checkin.views import bp as checkin_bp
    from .organisations.views import bp as organisations_bp
    from .shared_events.views import bp as shared_events_bp

    for blueprint in (shared_events_bp, checkin_bp, organisations_bp):
        app.register_blueprint(blueprint)
    from .groups.views import bp as groups_bp  # trusts and partnerships (issue 15)
    app.register_blueprint(groups_bp)
