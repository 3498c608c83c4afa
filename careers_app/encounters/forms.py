from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..domain.benchmarks import (BENCHMARKS, ENCOUNTER_KINDS, ORGANISATION_KIND_LABELS,
                                 EncounterKind)
from ..domain.dates import today_london
from ..domain.meaningful import MEANING_2025
from ..forms import YEAR_GROUP_CHOICES, DayField, FilterForm, Form, MultiCheckboxField, choice_id, options, search_field

KIND_CHOICES = options((kind.value, info.label) for kind, info in ENCOUNTER_KINDS.items())
ORG_KIND_CHOICES = options([("", "Same as the encounter type")] + [
    (kind.value, label) for kind, label in ORGANISATION_KIND_LABELS.items()])
BENCHMARK_CHOICES = options((b.number, f"BM{b.number} {b.name}") for b in BENCHMARKS)
EARLIEST_YEAR = 2000


class EncounterForm(Form):
    """Quick log and edit. Pupils are validated by the service against the school's roll."""

    kind = SelectField("Type", choices=KIND_CHOICES, default=EncounterKind.EMPLOYER_TALK.value)
    title = StringField("Title", validators=[DataRequired("Give the encounter a title."),
                                             Length(max=200)],
                        description='For example "NHS careers talk".')
    date = DayField("Date", validators=[InputRequired("Enter the date it happened.")],
                     default=today_london)
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)],
                               description="Start typing to pick one, or type a new name.")
    organisation_kind = SelectField("Type of a new organisation", choices=ORG_KIND_CHOICES,
                                    default="")
    group = SelectField("Pupils from", validate_choice=False)
    offered = BooleanField(
        "Offered to the whole year group",
        description="Tick when every pupil in the year group was offered it, including those "
                    "who did not come (Provider Access: Years 12 and 13 must be offered "
                    "provider encounters). Leave it unticked for a session for chosen pupils.")
    # The starting value comes from the school's per-kind setting (encounters.settings).
    meaningful = BooleanField("Meaningful encounter", default=False, description=MEANING_2025)
    benchmarks = MultiCheckboxField("Benchmarks", choices=BENCHMARK_CHOICES, coerce=choice_id,
                                    validate_choice=True)
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])
    submission_key = HiddenField()

    def validate_date(self, field):
        """The quick log records what has happened: a future date is a planned event."""
        if field.data is not None and field.data > today_london():
            raise ValidationError(FUTURE_DATE)


FUTURE_DATE = ("That date is after today. The quick log is for what has already happened: "
               "plan a future event instead, and take its register on the day.")


class EncounterFilterForm(FilterForm):
    """GET filters for the encounter list (no CSRF: it changes nothing)."""

    q = search_field("Title or organisation")
    year_group = SelectField("Year group", choices=YEAR_GROUP_CHOICES, default="")
    kind = SelectField("Type", choices=options([("", "All")]) + KIND_CHOICES, default="")
    date_from = DayField("From", validators=[Optional()])
    date_to = DayField("To", validators=[Optional()])


class MeaningfulDefaultsForm(Form):
    """The careers leader's choice of which kinds start with "meaningful" ticked."""

    kinds = MultiCheckboxField("Start with “Meaningful encounter” ticked for", choices=KIND_CHOICES,
                               validate_choice=True)
