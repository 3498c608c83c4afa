"""The planned event's form."""
from __future__ import annotations

from wtforms import SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from ..domain.benchmarks import EncounterKind
from ..encounters.forms import KIND_CHOICES
from ..forms import DayField, Form, MultiCheckboxField


class EventForm(Form):
    """A planned event: what, when, where, and which groups are invited."""

    title = StringField("Title", validators=[DataRequired("Give the event a title."),
                                             Length(max=200)],
                        description='For example "Careers fair".')
    kind = SelectField("Type", choices=KIND_CHOICES, default=EncounterKind.CAREERS_FAIR.value)
    date = DayField("Date", validators=[DataRequired("Enter the date of the event.")])
    start_time = TimeField("Start time", validators=[DataRequired("Enter the start time.")])
    end_time = TimeField("End time", validators=[DataRequired("Enter the end time.")])
    location = StringField("Where", validators=[Optional(), Length(max=200)],
                           description='For example "Sports hall".')
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    invited_groups = MultiCheckboxField("Invited groups", validate_choice=False)
