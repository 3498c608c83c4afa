"""The one InputError: what a service refuses, tied to the form field it is about."""
from __future__ import annotations


class InputError(Exception):
    """A problem with submitted input. `field_name` names the form field it belongs to ("" for
    the whole form); the view shows `message` there and answers 422."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field_name = field_name
        self.message = message
