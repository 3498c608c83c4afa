"""Template filters, globals, the full-page-or-fragment render helper and error pages."""
from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, make_response, redirect, render_template, request
from flask_wtf.csrf import CSRFError

from .domain.academic import academic_year_label
from .domain.benchmarks import BY_NUMBER, ORGANISATION_KIND_LABELS, kind_label
from .domain.dates import format_date, format_datetime
from .domain.errors import InputError
from .domain.pupil_flags import send_label
from .domain.pupil_words import PAGE_WORDS, activities, counts_for, kind_words


def is_fragment_request() -> bool:
    """An htmx request that wants part of a page (boosted requests want the whole page)."""
    return bool(request.htmx) and not request.htmx.boosted


def render_block(template_name: str, block: str, **context: Any) -> str:
    """Render one {% block %} of a template with the normal Flask context."""
    app = current_app._get_current_object()
    template = app.jinja_env.get_or_select_template(template_name)
    app.update_template_context(context)
    return "".join(template.blocks[block](template.new_context(context)))


def render(template: str, fragment: str | None = None, status: int = 200, **context: Any) -> Response:
    """The one place that decides between a full page and a fragment.

    A plain request gets the full page. An htmx request (not boosted) gets only the named
    block, so the same template serves both and they cannot drift apart.
    """
    if fragment and is_fragment_request():
        html = render_block(template, fragment, **context)
    else:
        html = render_template(template, **context)
    response = make_response(html, status)
    response.vary.add("HX-Request")
    return response


def redirect_after_write(target: str, fragment: Response | None = None) -> Response:
    """The one answer to a successful write (or to a step that sends the user on).

    htmx: `fragment` when the caller has one (an inline edit swaps the updated block in
    place), else an empty 204 with HX-Redirect (a real page load). Otherwise a 303, so the
    browser follows with a GET. Always `Vary: HX-Request`: the answer depends on it.
    """
    if is_fragment_request():
        if fragment is not None:
            response = fragment
        else:
            response = make_response("", 204)
            response.headers["HX-Redirect"] = target
    else:
        response = redirect(target, 303)
    response.vary.add("HX-Request")
    return response


def _organisation_kind_label(kind) -> str:
    return ORGANISATION_KIND_LABELS.get(kind, str(kind))


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count:,} {singular if count == 1 else (plural or singular + 's')}"


def _error(status: int, title: str, message: str):
    """An error page; for htmx, a message in the page's alert box, leaving the form intact."""
    if is_fragment_request():
        html = render_block("errors/error.html", "htmx_message", title=title, message=message)
        response = make_response(html, status)
        response.headers["HX-Retarget"] = "#htmx-error"
        response.headers["HX-Reswap"] = "innerHTML"
        response.vary.add("HX-Request")
        return response
    return render("errors/error.html", status=status, title=title, message=message)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        date=format_date,
        datetime=format_datetime,
        academic_year=academic_year_label,
        kind_label=kind_label,
        org_kind_label=_organisation_kind_label,
        send_label=send_label,
        pupil_kind=kind_words,
        pupil_counts_for=counts_for,
    )
    app.jinja_env.globals.update(benchmarks_by_number=BY_NUMBER, plural=_plural,
                                 pupil_words=PAGE_WORDS, pupil_activities=activities)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _error(400, "This form has expired",
                      "For your security the form timed out and nothing was saved. It has now "
                      "been renewed: press the button again. (Without JavaScript: go back, "
                      "reload the page and submit again.)")

    @app.errorhandler(InputError)
    def bad_input(error):
        # A parser's refusal that no form was there to show: the message says what was wrong.
        return _error(400, "Bad request", error.message)

    @app.errorhandler(400)
    def bad_request(error):
        return _error(400, "Bad request", "The request could not be understood.")

    @app.errorhandler(403)
    def forbidden(error):
        return _error(403, "Not allowed", "Your account cannot open this page.")

    @app.errorhandler(404)
    def not_found(error):
        return _error(404, "Page not found", "There is nothing here. Check the address.")

    @app.errorhandler(413)
    def too_large(error):
        return _error(413, "Too large", "That upload or form is too large.")

    @app.errorhandler(500)
    def server_error(error):
        return _error(500, "Something went wrong",
                      "The error has been logged. Nothing you entered was half-saved.")
