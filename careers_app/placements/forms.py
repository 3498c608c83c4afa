"""Forms for work experience: planning a week, assigning, details, status, the pupil's
evaluation, the employer's feedback, the import, holidays and the list filters."""
from __future__ import annotations

import re
from datetime import date

from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import (AnyOf, DataRequired, InputRequired, Length, Optional, Regexp,
                                ValidationError)

from ..domain.dates import format_date
from ..domain.placements import MAX_REASON, MODE_LABELS, STATUS_LABELS, Mode
from ..domain.plan_dates import DateCellError
from ..forms import DayField, FilterForm, Form, MultiCheckboxField, options, search_field
from . import feedback

STATUS_CHOICES = options((status.value, label) for status, label in STATUS_LABELS.items())
STATUS_FILTER_CHOICES = (options([("", "Any status"), ("none", "No employer yet")])
                         + STATUS_CHOICES)
MODE_CHOICES = options((mode.value, label) for mode, label in MODE_LABELS.items())
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
EMAIL = r"^[^\s@]+@[^\s@]+\.[^\s@]{2,}$"


def _sane_year(form, field):
    if field.data and not EARLIEST <= field.data <= LATEST:
        raise ValidationError("Check the year.")


class WeekForm(Form):
    """Plan a placement week for a year group or a tutor group."""

    title = StringField("Title", validators=[DataRequired("Give the week a title."),
                                             Length(max=200)],
                        description="For example “Year 10 work experience, 6-10 July”.")
    start_on = DayField("First day", validators=[InputRequired("Enter the first day."),
                                                 _sane_year])
    end_on = DayField("Last day", validators=[InputRequired("Enter the last day."), _sane_year])
    group = SelectField("Pupils", validate_choice=False,
                        validators=[DataRequired("Choose a year group or tutor group.")],
                        description="Everyone in it gets a placement to find, in “Seeking an "
                                    "employer”.")


class AssignForm(Form):
    """One row of the assign table (the input is named for the organisation type-ahead).

    Each row posts on its own; CSRF is checked by the app-wide CSRFProtect (the row's form
    carries the token), so the hundreds of rows on a page do not each build a token field."""

    class Meta:
        csrf = False

    organisation = StringField("Employer", validators=[Optional(), Length(max=200)])


class PlacementForm(Form):
    """A placement's details: employer, dates, contact, task, safety checks and notes."""

    organisation = StringField("Employer", validators=[Optional(), Length(max=200)],
                               description="Start typing to pick one, or type a new name.")
    start_on = DayField("First day", validators=[InputRequired("Enter the first day."),
                                                 _sane_year])
    end_on = DayField("Last day", validators=[InputRequired("Enter the last day."), _sane_year])
    mode = SelectField("Held", choices=MODE_CHOICES, default=Mode.IN_PERSON.value)
    contact_name = StringField("Employer contact", validators=[Optional(), Length(max=120)])
    contact_email = StringField("Contact email", validators=[
        Optional(), Length(max=254), Regexp(EMAIL, message="Enter an email address like "
                                                           "name@example.co.uk.")])
    contact_phone = StringField("Contact phone", validators=[
        Optional(), Length(max=40),
        Regexp(r"^[0-9+() -]*$", message="Use digits, spaces and + ( ) - only.")])
    employer_task = TextAreaField("Task set by the employer",
                                  validators=[Optional(), Length(max=5000)],
                                  description="What the employer asked the pupil to do.")
    insurance_seen_on = DayField("Employer's liability insurance seen on",
                                 validators=[Optional(), _sane_year])
    risk_assessment_on = DayField("Risk assessment received on",
                                  validators=[Optional(), _sane_year])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])


class StatusForm(Form):
    status = SelectField("Status", choices=STATUS_CHOICES)
    cancel_reason = TextAreaField("Reason for cancelling",
                                  validators=[Optional(), Length(max=MAX_REASON)],
                                  description="Only when cancelling.")


class FeedbackLinkForm(Form):
    """Make the employer's one-time feedback link (just the button and its CSRF token)."""


class EvaluationForm(Form):
    """The pupil's own evaluation of their placement."""

    did = TextAreaField("What did you do?", validators=[
        DataRequired("Say what you did."), Length(max=2000, message="Keep it under 2,000 "
                                                                    "characters.")])
    learnt = TextAreaField("What did you learn?", validators=[
        DataRequired("Say what you learnt."), Length(max=2000, message="Keep it under 2,000 "
                                                                       "characters.")])
    advice = TextAreaField("What would you tell a friend about this placement?", validators=[
        DataRequired("Say what you would tell a friend."),
        Length(max=2000, message="Keep it under 2,000 characters.")])


def _choice(pairs, message):
    return [InputRequired(message), AnyOf([value for value, _label in pairs], message)]


class FeedbackForm(Form):
    """The employer's short form, with no login."""

    attendance = RadioField("Attendance", choices=options(feedback.ATTENDANCE),
                            validate_choice=False,
                            validators=_choice(feedback.ATTENDANCE, "Choose one."))
    punctuality = RadioField("Punctuality", choices=options(feedback.PUNCTUALITY),
                             validate_choice=False,
                             validators=_choice(feedback.PUNCTUALITY, "Choose one."))
    task = TextAreaField("The task you set", validators=[
        DataRequired("Describe the task you set."), Length(max=2000)],
        render_kw={"rows": 3, "maxlength": 2000})
    task_outcome = RadioField("How the task went", choices=options(feedback.TASK_OUTCOMES),
                              validate_choice=False,
                              validators=_choice(feedback.TASK_OUTCOMES, "Choose one."))
    skills = MultiCheckboxField("Skills shown", choices=options(feedback.SKILLS),
                                validate_choice=True)
    comment = TextAreaField("One comment for the pupil", validators=[Optional(), Length(max=1000)],
                            render_kw={"rows": 3, "maxlength": 1000})


class ImportForm(Form):
    file = FileField("Spreadsheet (CSV or Excel .xlsx)")
    week = SelectField("Placement week", validate_choice=False,
                       description="Optional. Rows for pupils of that week update their "
                                   "placement; rows with no dates take the week's dates.")
    csv_text = HiddenField()
    confirm = HiddenField()


HOLIDAY_LINE = re.compile(r"\s*(?:to|until|-|–|—)\s*", re.I)


def parse_holiday_lines(text: str) -> list[tuple[date, date]]:
    """One holiday a line: "21 Dec 2026 - 1 Jan 2027", or one day. Raises ValueError."""
    from ..domain.placement_import import parse_dates

    ranges = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            first, last = parse_dates(line)
        except DateCellError as error:
            raise ValueError(f"Line {number}: {error}") from None
        if last < first:
            raise ValueError(f"Line {number}: the last day is before the first.")
        if (last - first).days > 366:
            raise ValueError(f"Line {number}: a holiday of more than a year? Check the dates.")
        ranges.append((first, last))
    if len(ranges) > 100:
        raise ValueError("Give 100 holidays at most.")
    return ranges


def holiday_lines(ranges) -> str:
    """The text of the holidays box: one holiday a line, as `parse_holiday_lines` reads it."""
    return "\n".join(format_date(a) if a == b else f"{format_date(a)} - {format_date(b)}"
                     for a, b in ranges)


class HolidaysForm(Form):
    holidays = TextAreaField("School holidays", validators=[Length(max=10_000)],
                             render_kw={"rows": 10},
                             description="One a line, for example “21 Dec 2026 - 1 Jan 2027” "
                                         "or “2 Nov 2026” for a single day. Placement days "
                                         "leave them out.")

    def validate_holidays(self, field):
        try:
            self.ranges = parse_holiday_lines(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from None


class ListFilterForm(FilterForm):
    """GET filters for the placement list (no CSRF: it changes nothing)."""

    q = search_field("Pupil, UPN or employer")
    status = SelectField("Status", choices=STATUS_FILTER_CHOICES, default="")
    week = SelectField("Week", default="")  # choices: the school's weeks, set by the view


class RowFilterForm(FilterForm):
    """GET filters for a week's assign table."""

    status = SelectField("Show", choices=STATUS_FILTER_CHOICES, default="")


class ReportForm(FilterForm):
    """The academic year of the work experience report."""

    year = SelectField("Academic year", validate_choice=True, default="")

