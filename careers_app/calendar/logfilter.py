"""Keep calendar tokens out of every log: access logs, error logs, anything that names a path."""
from __future__ import annotations

import logging
import re

TOKEN_PATH = re.compile(r"(/calendar/)[^/\s\"'?]+(\.ics)")
REDACTED = r"\1[token]\2"


def redact(text: str) -> str:
    """'/calendar/abc123.ics' -> '/calendar/[token].ics'."""
    return TOKEN_PATH.sub(REDACTED, text)


class TokenRedactingFilter(logging.Filter):
    """Masks /calendar/<token>.ics wherever it appears in a record's formatted message.

    The message is formatted once here (so a token passed as an argument is caught too),
    then stored already formatted."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler's own error path
            return True
        if "/calendar/" in message:
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
