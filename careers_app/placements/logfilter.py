"""Keep employers' feedback links out of every log, as calendar links are."""
from __future__ import annotations

import logging
import re

TOKEN_PATH = re.compile(r"(/feedback/)[^/\s\"'?]+")
REDACTED = r"\1[token]"


def redact(text: str) -> str:
    """'/feedback/abc123' -> '/feedback/[token]'."""
    return TOKEN_PATH.sub(REDACTED, text)


class FeedbackTokenFilter(logging.Filter):
    """Masks /feedback/<token> wherever it appears in a record's formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler's own error path
            return True
        if "/feedback/" in message:
            record.msg = redact(message)
            record.args = None
        return True


_FILTER = FeedbackTokenFilter()
LOGGER_NAMES = ("werkzeug", "gunicorn.access", "gunicorn.error")


def install(app) -> None:
    """Attach the filter to the access loggers and the app's own logger (idempotent)."""
    for logger in [logging.getLogger(name) for name in LOGGER_NAMES] + [app.logger]:
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
