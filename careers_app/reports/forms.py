"""Report filters (GET, no CSRF) and the careers leader's rule settings (POST)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from ..domain.academic import academic_year_label
from ..forms import options
from .services import Filters

SEND_CHOICES = options([("", "Everyone"), ("any", "SEND (K or E)"), ("K", "SEN support (K)"),
                        ("E", "EHC plan (E)"), ("none", "No SEND")])
YES_NO_CHOICES = options([("", "Everyone"), ("yes", "Yes"), ("no", "No")])
YEARS_BACK = 6


class ReportFilterForm(FlaskForm):
    """Academic year and the groups a careers leader compares (SEND, PP, CiC)."""

    class Meta:
        csrf = False

    year = SelectField("Academic year")
    tutor_group = SelectField("Tutor group", validate_choice=False, default="")
    send = SelectField("SEND", choices=SEND_CHOICES, default="")
    disadvantaged = SelectField("Disadvantaged (Pupil Premium)", choices=YES_NO_CHOICES, default="")
    looked_after = SelectField("Looked after", choices=YES_NO_CHOICES, default="")

    def set_choices(self, current_year: int, tutor_groups: list[str]) -> None:
        self.year.choices = options((str(y), academic_year_label(y))
                                    for y in range(current_year, current_year - YEARS_BACK - 1, -1))
        if not self.year.data:
            self.year.data = str(current_year)
        self.tutor_group.choices = options([("", "All")] + [(g, g) for g in tutor_groups])

    def academic_year(self, current_year: int) -> int:
        """The chosen year, or the current one when the choice is missing or not offered."""
        value = self.year.data or ""
        if value.isdigit() and current_year - YEARS_BACK <= int(value) <= current_year:
            return int(value)
        return current_year

    def filters(self) -> Filters:
        def valid(fld, allowed) -> str:
            return fld.data if fld.data in allowed else ""
        tutor_group = (self.tutor_group.data or "").strip()[:20]
        return Filters(
            tutor_group=tutor_group,
            send=valid(self.send, {"any", "none", "K", "E"}),
            disadvantaged=valid(self.disadvantaged, {"yes", "no"}),
            looked_after=valid(self.looked_after, {"yes", "no"}))


class RuleSettingsForm(FlaskForm):
    """Thresholds a school may tune, kept in School.settings."""

    bm6_pre16 = IntegerField(
        "Workplace experiences needed by the end of Year 11 (Benchmark 6)",
        validators=[InputRequired("Enter a number."),
                    NumberRange(1, 10, "Enter a whole number from 1 to 10.")],
        description="The Gatsby Benchmarks ask for at least 2.")
    bm6_post16 = IntegerField(
        "Further workplace experiences needed in Years 12-13 (Benchmark 6)",
        validators=[InputRequired("Enter a number."),
                    NumberRange(1, 10, "Enter a whole number from 1 to 10.")],
        description="The Gatsby Benchmarks ask for at least 1 more.")
    guidance_needs_level6 = BooleanField(
        "Count only guidance interviews with an adviser qualified to level 6 (Benchmark 8)")
