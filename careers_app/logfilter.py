"""Keep secret links out of every log: access logs, error logs, anything that names a path.

Two kinds of address carry a token: calendar feeds (/calendar/<token>.ics, in any spelling a
client or a scanner may send) and employers' feedback forms (/feedback/<token>). The audit
trail masks feed tokens with `redact`; the loggers mask both with the filters below.
"""
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
FEEDBACK_TOKEN_PATH = re.compile(r"(/feedback/)[^/\s\"'?]+")


def redact(text: str) -> str:
    """'/calendar/abc123.ics' -> '/calendar/[token].ics', and so for every other spelling."""
    return TOKEN_PATH.sub(lambda m: f"{m.group(1)}[token]{m.group(2) or ''}", text)


def redact_feedback(text: str) -> str:
    """'/feedback/abc123' -> '/feedback/[token]'."""
    return FEEDBACK_TOKEN_PATH.sub(r"\1[token]", text)


class _RedactingFilter(logging.Filter):
    """Masks tokens wherever they appear in a record's formatted message.

    The message is formatted once here (so a token passed as an argument is caught too),
    then stored already formatted."""

    @staticmethod
    def mentions(message: str) -> bool:
        raise NotImplementedError

    @staticmethod
    def redact(message: str) -> str:
        raise NotImplementedError

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler's own error path
            return True
        if self.mentions(message):
            record.msg = self.redact(message)
            record.args = None
        return True


class TokenRedactingFilter(_RedactingFilter):
    """Masks /calendar/<token>.ics (in any spelling)."""

    @staticmethod
    def mentions(message: str) -> bool:
        return "calendar" in message.lower()

    redact = staticmethod(redact)


class FeedbackTokenFilter(_RedactingFilter):
    """Masks /feedback/<token>."""

    @staticmethod
    def mentions(message: str) -> bool:
        return "/feedback/" in message

    redact = staticmethod(redact_feedback)


_FILTERS = (TokenRedactingFilter(), FeedbackTokenFilter())
# werkzeug: the development server's access log; gunicorn.access: production's.
LOGGER_NAMES = ("werkzeug", "gunicorn.access", "gunicorn.error")


def install(app) -> None:
    """Attach the filters to the access loggers and the app's own logger (idempotent)."""
    for logger in [logging.getLogger(name) for name in LOGGER_NAMES] + [app.logger]:
        for log_filter in _FILTERS:
            if log_filter not in logger.filters:
                logger.addFilter(log_filter)
