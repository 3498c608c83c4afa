"""Keep calendar tokens out of every log: access logs, error logs, anything that names a path."""
from __future__ import annotations

import logging
import re

# A feed path in any spelling a client or a scanner may send: any case, repeated, encoded
# or dot slashes, an encoded dot before "ics", or no suffix at all. Only the link ids of the
# staff pages (/calendar/12/revoke) are left alone.
_SLASH = r"(?:/|%2f)"
_END = r"(?=[/\s\"'?#;&]|$)"
TOKEN_PATH = re.compile(
    rf"(/calendar{_SLASH}(?:{_SLASH}|(?:\.|%2e){_SLASH})*)"  # the prefix, kept as it was
    rf"(?!\d+{_END})"                                      # a link id is no token
    rf"[^/\s\"'?#;&]+?"                                     # the token
    rf"((?:\.|%2e)ics)?{_END}",                            # the suffix, kept as it was
    re.IGNORECASE)


def redact(text: str) -> str:
    """'/calendar/abc123.ics' -> '/calendar/[token].ics', and so for every other spelling."""
    return TOKEN_PATH.sub(lambda m: f"{m.group(1)}[token]{m.group(2) or ''}", text)


class TokenRedactingFilter(logging.Filter):
    """Masks /calendar/<token>.ics (in any spelling) wherever it appears in a record's
    formatted message.

    The message is formatted once here (so a token passed as an argument is caught too),
    then stored already formatted."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler's own error path
            return True
        if "calendar" in message.lower():
            record.msg = redact(message)
            record.args = None
        return True


_FILTER = TokenRedactingFilter()
# werkzeug: the development server's access log; gunicorn.access: production's.
LOGGER_NAMES = ("werkzeug", "gunicorn.access", "gunicorn.error")


def install(app) -> None:
    """Attach the filter to the access loggers and the app's own logger (idempotent)."""
    for logger in [logging.getLogger(name) for name in LOGGER_NAMES] + [app.logger]:
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
