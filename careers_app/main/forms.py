"""The pupil's own forms on /me."""
from __future__ import annotations

from ..forms import Form
from wtforms import TextAreaField
from wtforms.validators import Length


class ReflectionForm(Form):
    """A pupil's reflection on one encounter they took part in."""

    reflection = TextAreaField(
        "What did you learn, and what might you do next?",
        validators=[Length(max=2000, message="Keep it under 2,000 characters.")],
        render_kw={"rows": 4})
