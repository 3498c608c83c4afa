from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (BooleanField, HiddenField, RadioField, SelectField, StringField,
                     TextAreaField, TimeField)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..domain.benchmarks import BENCHMARKS
from ..domain.dates import today_london
from ..domain.plan_dates import MoneyError, parse_pounds
from ..forms import DayField, Form, choice_id, options
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
    aim = TextAreaField("Aim", validators=[Optional(), Length(max=5000)],
                        description="What this part of the plan is for.")
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
    title = StringField("Plan title", validators=[DataRequired("Give the plan a title."),
                                                  Length(max=200)])
    period = StringField("Period", validators=[Optional(), Length(max=40)],
                         description='For example "2025-2027".')
    file = FileField("CSV file", description="Columns: Aim/Benchmark, Lead, Actions, Resources, "
                     "Milestone date, Milestone, Success criteria (Cost is optional).")
    csv_text = HiddenField()
    confirm = BooleanField("Import this plan")
