from __future__ import annotations

import re

from flask_wtf.file import FileField
from wtforms import (HiddenField, RadioField, SelectField, StringField,
                     TextAreaField, TimeField)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..domain.benchmarks import BENCHMARKS
from ..domain.dates import today_london
from ..domain.plan_dates import MoneyError, parse_pounds
from ..domain.plan_columns import FIELDS as PLAN_FIELDS
from ..forms import DayField, Form, MultiCheckboxField, choice_id, options
from ..models.plans import RAG_LABELS

BENCHMARK_CHOICES = options([("", "None: an aim of its own")]
                            + [(str(b.number), f"BM{b.number} {b.name}") for b in BENCHMARKS])
RAG_CHOICES = options((rag.value, label) for rag, label in RAG_LABELS.items())


class PlanForm(Form):
    title = StringField("Title", validators=[DataRequired("Give the plan a title."),
                                             Length(max=200)],
                        description='For example "Careers action plan".')
    period = StringField("Period", validators=[Optional(), Length(max=40)],
                         description='For example "2025-2027".')
    owner_id = SelectField("Owner", coerce=choice_id, validate_choice=False)


class ItemForm(Form):
    benchmark = SelectField("Gatsby Benchmark", choices=BENCHMARK_CHOICES, default="")
    section = StringField("Section", validators=[Optional(), Length(max=200)],
                          description='The heading it sits under in your plan, for example '
                                      '"Community outreach". Optional.')
    aim = TextAreaField("Aim", validators=[Optional(), Length(max=5000)],
                        description="What this part of the plan is for.")
    current_provision = TextAreaField("Current provision",
                                      validators=[Optional(), Length(max=5000)],
                                      description="Where the school is now. Optional.")
    actions = TextAreaField("Actions", validators=[Optional(), Length(max=10000)],
                            description="One action a line.")
    lead_user_id = SelectField("Lead (member of staff)", coerce=choice_id, validate_choice=False)
    lead_name = StringField("Or a lead without an account", validators=[Optional(), Length(max=120)],
                            description='For example "Enterprise Adviser".')
    resources = TextAreaField("Resources", validators=[Optional(), Length(max=5000)])
    cost = StringField("Cost in £", validators=[Optional(), Length(max=20)],
                       description="Optional, for example 250 or 1,250.50.")
    success_criteria = TextAreaField("Success criteria", validators=[Optional(), Length(max=5000)])
    outcomes = TextAreaField("Outcomes and impact", validators=[Optional(), Length(max=5000)])

    def validate_cost(self, field):
        try:
            self.cost_pence = parse_pounds(field.data)
        except MoneyError as error:
            raise ValidationError(str(error)) from None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.aim.data or "").strip() and not self.benchmark.data:
            self.aim.errors = [*self.aim.errors, "Choose a benchmark or write the aim."]
            valid = False
        return valid


class StatusForm(Form):
    rag = RadioField("RAG status", choices=RAG_CHOICES, default="")
    status_note = TextAreaField("Status note", validators=[Optional(), Length(max=2000)])
    status_date = DayField("Status date", validators=[DataRequired("Enter the date of this status.")],
                           default=today_london)


class MilestoneForm(Form):
    title = StringField("Milestone", validators=[DataRequired("Say what the milestone is."),
                                                 Length(max=200)])
    date = DayField("Date", validators=[DataRequired("Enter the milestone's date.")])
    start_time = TimeField("Start time", validators=[Optional()],
                           description="Leave both times blank for an all-day milestone.")
    end_time = TimeField("End time", validators=[Optional()])
    context = HiddenField()


class ImportForm(Form):
    title = StringField("Plan title", validators=[Optional(), Length(max=200)],
                        description="Leave blank to take the title from the document.")
    period = StringField("Period", validators=[Optional(), Length(max=40)],
                         description='For example "2025-2027".')
    file = FileField("Word or CSV file", description="A Word document (.docx) with the plan "
                     "as a table, or the table saved as CSV.")
    pasted = TextAreaField("Or paste the table", validators=[Optional()],
                           description="Copy the whole table in Word or Excel, headings "
                                       "included, and paste it here.")
    csv_text = HiddenField()


def column_form(headers: list[str], mapping: dict[str, int], formdata=None) -> Form:
    """One select per column of the table: which part of the plan it holds, or "Ignore".
    Part of the import form (whose CSRF token covers it)."""
    choices = options([("", "Ignore this column")] + list(PLAN_FIELDS.items()))
    by_index = {index: name for name, index in mapping.items()}

    class ColumnForm(Form):
        class Meta:
            csrf = False

    for index, header in enumerate(headers):
        heading = " ".join(re.sub(r"<[^>]*>", " ", header).split()) or "(no heading)"
        if len(heading) > 80:
            heading = heading[:79].rstrip() + "…"
        setattr(ColumnForm, f"col_{index}", SelectField(
            f"Column {index + 1}: “{heading}”", choices=choices,
            default=by_index.get(index, "")))
    return ColumnForm(formdata=formdata) if formdata is not None else ColumnForm(formdata=None)
