"""iCalendar subscriptions: /calendar (my feeds) and the token feeds (issue 5)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, request, url_for
from flask_login import current_user
from werkzeug.http import http_date, is_resource_modified

from ..forms import options
from ..security import public, require_staff
from ..templating import redirect_after_write, render
from . import services
from .forms import NewLinkForm

bp = Blueprint("calendar", __name__, url_prefix="/calendar")

FEED_ENDPOINT = "calendar.feed"


@bp.before_request
def _staff_pages_only():
    """Every page here is for staff, except the feed, which authenticates by its token."""
    if request.endpoint == FEED_ENDPOINT:
        return None
    return require_staff()


def feed_url(token: str) -> str:
    return url_for(FEED_ENDPOINT, token=token, _external=True)


def webcal_url(url: str) -> str:
    return "webcal://" + url.split("://", 1)[1]


def _page(form: NewLinkForm | None = None, *, new_link=None, status: int = 200):
    form = form or NewLinkForm()
    plans = services.plans_for_school(current_user.school_id)
    form.plan_id.choices = options([(0, "Choose a plan")] + [
        (p.id, f"{p.title} {p.period}".strip()) for p in plans])
    return render("calendar/index.html", fragment="calendar_links", status=status, form=form,
                  links=services.tokens_of(current_user), new_link=new_link, has_plans=bool(plans))


def _new_link(row, token: str) -> dict:
    url = feed_url(token)
    return {"id": row.id, "url": url, "webcal": webcal_url(url), "label": row.scope_label}


@bp.get("")
def index():
    """My subscription links, and a form to make another."""
    return _page()


@bp.post("")
def create():
    form = NewLinkForm()
    form.plan_id.choices = []
    if not form.validate():
        return _page(form, status=422)
    try:
        row, token = services.create_token(current_user, form.scope.data, form.plan_id.data,
                                           with_events=form.with_events.data)
    except services.TokenInputError as error:
        getattr(form, error.field_name).errors = [error.message]
        return _page(form, status=422)
    # The token is shown now and never again: only its hash is stored.
    return _page(new_link=_new_link(row, token), status=201)


def _own(token_id: int):
    row = services.get_own_token(current_user, token_id)
    if row is None:
        abort(404)
    return row


@bp.post("/<int:token_id>/regenerate")
def regenerate(token_id: int):
    row = _own(token_id)
    token = services.regenerate_token(row)
    return _page(new_link=_new_link(row, token), status=201)


@bp.post("/<int:token_id>/revoke")
def revoke(token_id: int):
    row = _own(token_id)
    label = row.scope_label
    services.revoke_token(row)
    flash(f"Revoked the “{label}” link. Calendars using it stop updating.", "success")
    return redirect_after_write(url_for("calendar.index"))


def _feed_headers(response: Response, feed: services.Feed) -> Response:
    response.headers["ETag"] = f'"{feed.etag}"'
    response.headers["Last-Modified"] = http_date(feed.last_modified)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/<token>.ics")
@public
def feed(token: str):
    """The iCalendar feed. A bad, revoked or disabled owner's token is a plain 404."""
    found = services.find_feed(token)
    if found is None:
        abort(404)
    services.note_use(found)
    if not is_resource_modified(request.environ, etag=found.etag,
                                last_modified=found.last_modified):
        return _feed_headers(Response(status=304), found)
    body = services.render_feed(found)
    response = Response(body, status=200, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = 'inline; filename="careers.ics"'
    return _feed_headers(response, found)
