"""Report filters (GET, no CSRF) and the careers leader's rule settings (POST)."""
from __future__ import annotations

from wtforms import BooleanField, SelectField
from wtforms.validators import Optional

from ..domain.academic import academic_year_label
from ..domain.pupil_flags import send_label
from ..forms import DayField, FilterForm, Form, options, whole_number_field
from .services import Filters

SEND_CHOICES = options([("", "Everyone"), ("any", "SEND (K or E)"), ("K", send_label("K")),
                        ("E", send_label("E")), ("none", "No SEND")])
YES_NO_CHOICES = options([("", "Everyone"), ("yes", "Yes"), ("no", "No")])
YEARS_BACK = 6


class ReportFilterForm(FilterForm):
    """Academic year and the groups a careers leader compares (SEND, PP, CiC)."""

    year = SelectField("Academic year")
    tutor_group = SelectField("Tutor group", validate_choice=False, default="")
    send = SelectField("SEND", choices=SEND_CHOICES, default="")
    disadvantaged = SelectField("Disadvantaged (Pupil Premium)", choices=YES_NO_CHOICES, default="")
    looked_after = SelectField("Looked after", choices=YES_NO_CHOICES, default="")
    as_at = DayField("As at", validators=[Optional()],
                     description="Leave blank for today. The figures as they stood at the end "
                                 "of that day.")

    def set_choices(self, current_year: int, tutor_groups: list[str]) -> None:
        self.year.choices = options((str(y), academic_year_label(y))
                                    for y in range(current_year, current_year - YEARS_BACK - 1, -1))
        if not self.year.data:
            self.year.data = str(current_year)
        self.tutor_group.choices = options([("", "All")] + [(g, g) for g in tutor_groups])

    def academic_year(self) -> int:
        """The chosen year (set_choices defaults it to this year; validation refuses others)."""
        return int(self.year.data)

    def filters(self) -> Filters:
        """The filters as chosen; call after validation, which refuses any unknown value."""
        return Filters(tutor_group=(self.tutor_group.data or "").strip()[:20],
                       send=self.send.data or "", disadvantaged=self.disadvantaged.data or "",
                       looked_after=self.looked_after.data or "")


class RuleSettingsForm(Form):
    """Thresholds a school may tune, kept in School.settings."""

    bm6_pre16 = whole_number_field(
        "Workplace experiences needed by the end of Year 11 (Benchmark 6)", 1, 10,
        "The Gatsby Benchmarks ask for at least 2.")
    bm6_post16 = whole_number_field(
        "Further workplace experiences needed in Years 12-13 (Benchmark 6)", 1, 10,
        "The Gatsby Benchmarks ask for at least 1 more.")
    guidance_needs_level6 = BooleanField(
        "Count only guidance interviews with an adviser qualified to level 6 (Benchmark 8)",
        description="The 2025 statutory guidance asks for this, so it is on unless you switch "
                    "it off. With it off, the dashboard says so beside the Benchmark 8 figures.")
