"""The audit trail: every write, every login, every refused access, every view of special data.

Writes are captured once, for every feature, by a session hook: whatever a service adds,
changes or deletes is recorded in the same transaction, so the trail cannot miss a write or
record one that was rolled back. Views of special-category data are captured once too, by a
request hook (`shows_special_data`). Other events are recorded explicitly with `record()`.

Entries hold ids, never names: an account is its user_id, a pupil their pupil id.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from flask import Flask, Response, current_app, g, has_request_context, request
from flask_sqlalchemy.session import Session
from sqlalchemy import event, inspect

from .extensions import db
from .logfilter import redact
from .models.security import AuditLog

# Tables whose rows are not worth an audit row of their own.
UNAUDITED = frozenset({"audit_log", "login_attempt"})
MAX_IDS = 50
# Query-string filters that pick pupils by a special-category flag (pupil list and reports).
FLAG_FILTERS = ("send", "disadvantaged", "looked_after")
# Filters safe to copy into an entry: they name groups and years, never a person.
LOGGED_FILTERS = ("year", "year_group", "tutor_group", *FLAG_FILTERS, "status", "show")


def remember_actor(user) -> None:
    """Note who is acting in this request, once, while the user row is freshly loaded.

    Later commits expire the ORM object, and a flush must never trigger a load, so the audit
    hook reads these plain values instead.
    """
    g.audit_actor = {"user_id": user.id, "school_id": user.school_id}


def _actor() -> dict:
    if not has_request_context():
        return {"actor_label": "(command line)", "ip": "", "path": ""}
    info = {"ip": (request.remote_addr or "")[:64], "path": redact(request.path)[:300]}
    info.update(getattr(g, "audit_actor", {}))
    return info


def _entry(action: str, **fields) -> AuditLog:
    """One entry. An account is named by its id alone; a username is kept only when the
    actor is no account (a login attempt for a username that does not exist)."""
    actor = _actor()
    user_id = fields.get("user_id", actor.get("user_id"))
    label = "" if user_id is not None else (fields.get("username") or actor.get("actor_label")
                                            or "")
    return AuditLog(
        school_id=fields.get("school_id", actor.get("school_id")),
        user_id=user_id, actor_label=label[:80],
        action=action[:40], entity=fields.get("entity", "")[:60],
        entity_id=str(fields.get("entity_id", ""))[:40],
        detail=redact(fields.get("detail", "")), ip=actor["ip"], path=actor["path"])


def record(action: str, **fields) -> None:
    """Add an audit entry to the current transaction (the caller commits)."""
    db.session.add(_entry(action, **fields))


def record_now(action: str, **fields) -> None:
    """Record an event in a transaction of its own (logins, refusals: nothing else to commit)."""
    from .database import write_transaction

    entry = _entry(action, **fields)
    with write_transaction():
        db.session.add(entry)


def _after_flush(session, _context) -> None:
    """Add one audit entry per (action, table, school) for what this flush wrote.

    In after_flush the session still lists what was new, changed and deleted, and new rows
    already have their primary keys.
    """
    grouped: dict[tuple[str, str, int | None], list[str]] = defaultdict(list)
    for action, objects in (("create", session.new), ("update", session.dirty),
                            ("delete", session.deleted)):
        for obj in objects:
            table = getattr(obj, "__tablename__", None)
            if table is None or table in UNAUDITED:
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            state = inspect(obj)
            key = state.mapper.primary_key_from_instance(obj)
            grouped[(action, table, state.dict.get("school_id"))].append(
                ",".join(str(part) for part in key))
    for (action, table, school_id), ids in grouped.items():
        session.add(_rows_entry(action, table, ids, school_id))


def _rows_entry(action: str, table: str, ids: list[str], school_id: int | None) -> AuditLog:
    fields = {"entity": table,
              "entity_id": ids[0] if len(ids) == 1 else "",
              "detail": "" if len(ids) == 1 else f"{len(ids)} rows: " + " ".join(ids[:MAX_IDS])
              + (" ..." if len(ids) > MAX_IDS else "")}
    if school_id is not None:
        fields["school_id"] = school_id
    return _entry(action, **fields)


def record_rows(action: str, table: str, ids, school_id: int | None = None) -> None:
    """The entry the write hook would make, for rows written by a bulk statement (which the
    hook cannot see): one entry for all of them, in the current transaction."""
    db.session.add(_rows_entry(action, table, [str(i) for i in ids], school_id))


def shows_special_data(view: Callable) -> Callable:
    """Mark a view that shows pupils' SEND, Pupil Premium or looked-after data.

    Whatever it answers with (page, htmx fragment, CSV, HEAD) is recorded as a
    `view_sensitive` entry by `_audit_special_data_views`, the one place that does it. A
    view that lists pupils may say how many it showed with `shown_pupils()`.
    """
    view.shows_special_data = True  # type: ignore[attr-defined]
    return view


def shown_pupils(count: int) -> None:
    """Tell the audit hook how many pupils this answer showed (none: nothing to record)."""
    g.audit_shown_pupils = count


def _is_special_data_view() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None:
        return False
    if getattr(view, "shows_special_data", False):
        return True
    # A list chosen by a flag discloses the flag, even where the page shows no flag column.
    return any(request.args.get(name) for name in FLAG_FILTERS)


def _audit_special_data_views(response: Response) -> Response:
    if not 200 <= response.status_code < 300 or not _is_special_data_view():
        return response
    count = getattr(g, "audit_shown_pupils", None)
    if count == 0:
        return response
    filters = " ".join(f"{name}={request.args[name]}" for name in LOGGED_FILTERS
                       if request.args.get(name))
    detail = " ".join(part for part in (
        request.endpoint, f"{count} pupils" if count is not None else "", filters) if part)
    view_args = request.view_args or {}
    record_now("view_sensitive", entity="pupil", entity_id=view_args.get("pupil_id", ""),
               detail=detail[:300])
    return response


_installed = False


def install() -> None:
    """Attach the write hooks once per process."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _after_flush)
    _installed = True


def init_app(app: Flask) -> None:
    """The request hook that records views of special-category data."""
    app.after_request(_audit_special_data_views)
