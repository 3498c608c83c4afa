"""Request-level guards for input no view should ever see.

- Any NUL byte in the path, the query string, a form field or an uploaded file's name is a
  400 before a view runs. PostgreSQL cannot store NUL in text, so a view that forgot to check
  would fail with a 500; here no view can forget.
- `<int:...>` in a route accepts only ASCII digits within the database's integer range.
  Werkzeug's own converter reads "٣" as 3 and passes 10**30 to the database (a 500 on SQLite);
  out of range is simply not found.
- An InputError that a view does not catch is a 400 with its message, never a 500.
"""
from __future__ import annotations

from flask import Flask, request
from werkzeug.routing import IntegerConverter, ValidationError

from .domain.errors import InputError
from .domain.parsing import MAX_ID

NUL_MESSAGE = ("The request contains a NUL character, which no form here can send and which "
               "cannot be stored. Nothing was saved.")


class IdConverter(IntegerConverter):
    """`<int:...>` for ids: 0-9 only, at most MAX_ID."""

    regex = r"[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise ValidationError()
        return number


def _request_has_nul() -> bool:
    if "\x00" in request.path:
        return True
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                return True
    return any("\x00" in (upload.filename or "") or "\x00" in key
               for key, upload in request.files.items(multi=True))


def refuse_nul() -> None:
    """before_request: a 400 for a NUL anywhere a view could read it."""
    if _request_has_nul():
        raise InputError("", NUL_MESSAGE)


def init_app(app: Flask) -> None:
    """Install the converter (before any blueprint adds its routes) and the NUL guard."""
    app.url_map.converters["int"] = IdConverter
    # First of the before_request functions: nothing, not even the login check, reads a NUL.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul)
