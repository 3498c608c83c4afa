"""The planned event's form."""
from __future__ import annotations

from wtforms import SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from ..domain.benchmarks import EncounterKind
from ..encounters.forms import KIND_CHOICES
from ..domain.errors import InputError
from ..domain.parsing import clean_text, parse_date
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


PREFILLED = ("title", "kind", "date", "organisation", "location")


def prefill(args) -> dict:
    """Starting values for a new event from the query string: the quick log sends a future
    date here with what was typed. Anything unreadable is left out (the form starts blank)."""
    data: dict = {}
    for name in PREFILLED:
        try:
            value = clean_text(args.get(name, ""), field_name=name).strip()[:200]
        except InputError:
            continue
        if value:
            data[name] = value
    if data.get("kind") not in {value for value, _label in _kind_values()}:
        data.pop("kind", None)
    if "date" in data:
        try:
            data["date"] = parse_date(data["date"], field_name="date")
        except InputError:
            data.pop("date")
    groups = [g for g in args.getlist("invited_groups")[:50] if isinstance(g, str)]
    if groups:
        data["invited_groups"] = groups
    return data


def _kind_values():
    return [(choice.value, choice.label) for choice in KIND_CHOICES]
