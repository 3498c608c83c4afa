"""The check-in form: one box for the code."""
from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..forms import Form


class CheckinForm(Form):
    code = StringField("Code", validators=[DataRequired("Type the code from the screen."),
                                           Length(max=20, message="The code is 6 letters and numbers.")],
                       description="6 letters and numbers, on the screen at the event.")
