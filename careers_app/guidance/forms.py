"""The guidance interview's form."""
from __future__ import annotations

from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..domain.dates import today_london
from ..forms import DayField, Form, not_future


class GuidanceForm(Form):
    date = DayField("Date of the interview", validators=[
        DataRequired("Enter the date of the interview."), not_future], default=today_london)
    adviser_name = StringField("Adviser", validators=[
        DataRequired("Enter the adviser's name."), Length(max=120)])
    adviser_level6 = BooleanField("The adviser is qualified to level 6 (or higher) in careers "
                                  "guidance")
    agreed_actions = TextAreaField(
        "Agreed actions", validators=[Optional(), Length(max=5000)],
        description="The pupil sees these on their record.")
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=10000)])
    notes_staff_only = BooleanField("Staff only: never show these notes to the pupil",
                                    description="Use for safeguarding-sensitive content.")
    meaningful = BooleanField("Meaningful (counts towards the benchmarks)", default=True)
