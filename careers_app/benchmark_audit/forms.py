"""Forms of the benchmark audit: start, answer one criterion, settings, plan item target."""
from __future__ import annotations

from urllib.parse import urlsplit

from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from ..domain.audit_criteria import RATING_LABELS, Rating
from ..domain.dates import today_london
from ..forms import DayField, FilterForm, Form, options, whole_number_field

RATING_MESSAGE = "Choose Not achieved, Partially achieved or Achieved."
RATING_CHOICES = options((rating.value, label) for rating, label in RATING_LABELS.items())


class StartAuditForm(Form):
    title = StringField("Title", validators=[DataRequired("Give the audit a title."),
                                             Length(max=200)],
                        description='For example "Spring term 2026".')
    copy_previous = BooleanField("Start from the previous audit's ratings and evidence")


class AnswerForm(Form):
    """One criterion. Built with prefix=criterion key, so a page of them has unique ids."""

    rating = RadioField("Rating", choices=RATING_CHOICES, validate_choice=False,
                        validators=[InputRequired(RATING_MESSAGE),
                                    AnyOf([r.value for r in Rating], RATING_MESSAGE)])
    evidence = TextAreaField("Evidence to support the judgement",
                             validators=[Optional(), Length(max=10000)])


def _web_address(form, field):
    value = (field.data or "").strip()
    if not value:
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise ValidationError("Enter a full web address starting with https://")


def _not_in_future(form, field):
    if field.data and field.data > today_london():
        raise ValidationError("The last review cannot be in the future.")


class AuditSettingsForm(Form):
    """Benchmark 1 facts the audit reads, and the thresholds for suggested ratings."""

    careers_leader = StringField("Named Careers Leader", validators=[Optional(), Length(max=120)],
                                 description="Name and role, for example “Ms A Khan, Assistant Head”.")
    governor_link = StringField("Governor or trustee link for careers",
                                validators=[Optional(), Length(max=120)])
    programme_url = StringField("Web address of the published careers programme",
                                validators=[Optional(), Length(max=300), _web_address],
                                description="The page on the school website.")
    last_review = DayField("Date of the last review of the careers programme",
                           validators=[Optional(), _not_in_future])
    achieved = whole_number_field("Suggest “Achieved” from this percentage of pupils", 1, 100,
                                  "100 means every pupil measured.")
    partial_above = whole_number_field("Suggest “Partially achieved” above this percentage",
                                       0, 99, "0 means any pupil at all.")

    def validate_partial_above(self, field):
        if (field.data is not None and self.achieved.data is not None
                and field.data >= self.achieved.data):
            raise ValidationError("This must be lower than the percentage for “Achieved”.")


class PlanChoiceForm(FilterForm):
    """Which action plan new items go into (a GET chooser on the results page)."""

    plan = SelectField("Action plan for new items", validate_choice=False)

    def set_choices(self, plans, new_title: str) -> None:
        self.plan.choices = options([(str(p.id), p.title) for p in plans]
                                    + [("new", f"A new plan: {new_title}")])
