"""The one exception for bad input, raised by the parsers and by services alike."""
from __future__ import annotations


class InputError(ValueError):
    """Input that cannot be accepted, with the form field it belongs to and a message for the
    person who typed it. Views turn it into a 422 on the form; uncaught, it is a 400.

    A ValueError, so a WTForms filter or `process_formdata` that raises it becomes a field
    error without any glue.
    """

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field_name = field_name
        self.message = message
