"""The shared event's form."""
from __future__ import annotations

from wtforms import SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from ..domain.academic import YEAR_GROUPS
from ..domain.benchmarks import EncounterKind
from ..encounters.forms import KIND_CHOICES
from ..forms import DayField, Form, MultiCheckboxField, choice_id, options

YEAR_CHOICES = options((str(y), f"Year {y}") for y in YEAR_GROUPS)


class SharedEventForm(Form):
    """What, when, where; which group, which host, which schools and year groups."""

    title = StringField("Title", validators=[DataRequired("Give the event a title."),
                                             Length(max=200)],
                        description='For example "Partnership careers fair".')
    kind = SelectField("Type", choices=KIND_CHOICES, default=EncounterKind.CAREERS_FAIR.value)
    date = DayField("Date", validators=[DataRequired("Enter the date of the event.")])
    start_time = TimeField("Start time", validators=[DataRequired("Enter the start time.")])
    end_time = TimeField("End time", validators=[DataRequired("Enter the end time.")])
    location = StringField("Where", validators=[Optional(), Length(max=200)],
                           description='For example "Sports hall, Castle School".')
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    group_id = SelectField("Trust or partnership", coerce=choice_id)
    host_school_id = SelectField("Host school", coerce=choice_id)
    school_ids = MultiCheckboxField("Invited schools", coerce=choice_id,
                                    description="The host school is always invited.")
    year_groups = MultiCheckboxField("Invited year groups", choices=YEAR_CHOICES)
