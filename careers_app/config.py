"""Configuration: defaults, then the environment, then explicit overrides."""
from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

DEV_SECRET_KEY = "dev-only-insecure-key"


def _sqlalchemy_url(url: str) -> str:
    """Accept the common `postgres://` and `postgresql://` spellings; use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the app config. Reads the environment but changes nothing."""
    # A relative SQLite path lives in the instance folder (Flask-SQLAlchemy resolves it).
    default_db = "sqlite:///careers.db"
    environment = os.environ.get("CAREERS_ENV", "development")
    production = environment == "production"
    config: dict[str, Any] = {
        "CAREERS_ENV": environment,
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(os.environ.get("DATABASE_URL", default_db)),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE",
                                                "1" if production else "0") == "1",
        "SESSION_COOKIE_NAME": "careers_session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        # Absolute session lifetime, and the idle time after which a session ends
        # (shared school computers).
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=10),
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "60"))),
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
        # How long the "Undo" button stays on a freshly logged encounter.
        "UNDO_WINDOW": timedelta(minutes=10),
        # Leavers are anonymised this many years after leaving (at least 3: Benchmark 3).
        "RETENTION_YEARS": int(os.environ.get("RETENTION_YEARS", "6")),
        # Europe/London is where every date and time is shown.
        "TIMEZONE": "Europe/London",
        # How many reverse proxies in front of the app add X-Forwarded-For and
        # X-Forwarded-Proto (nginx, Caddy: usually 1). 0, the default, ignores those headers,
        # which any client could forge. Set it, and the login throttle and the audit log see
        # each client's own address instead of the proxy's.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
    }
    if overrides:
        config.update(overrides)
    config["SQLALCHEMY_DATABASE_URI"] = _sqlalchemy_url(config["SQLALCHEMY_DATABASE_URI"])
    return config


def production_problems(config: dict[str, Any], debug: bool) -> list[str]:
    """Reasons a production app must refuse to start."""
    problems = []
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < 32:
        problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
    if debug:
        problems.append("debug mode must be off")
    return problems
