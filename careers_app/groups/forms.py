"""The trust dashboard's filters (GET, no CSRF) and the group plan form."""
from __future__ import annotations

from datetime import date

from wtforms import SelectField
from wtforms.validators import Optional, ValidationError

from ..domain.academic import academic_year_bounds, academic_year_label
from ..domain.progress import Filters
from ..forms import DayField, FilterForm, choice_id, options
from ..reports.forms import SEND_CHOICES, YEARS_BACK, YES_NO_CHOICES


class TrustFilterForm(FilterForm):
    """Which group (for a lead of several), the academic year, the as-at date and the
    SEND / disadvantaged / looked-after filters."""

    group = SelectField("Group", coerce=choice_id, validate_choice=True)
    year = SelectField("Academic year")
    as_of = DayField("As at", validators=[Optional()],
                     description="Figures as they stood at the end of this day. Leave blank "
                                 "for today (or the last day of a past year).")
    send = SelectField("SEND", choices=SEND_CHOICES, default="")
    disadvantaged = SelectField("Disadvantaged (Pupil Premium)", choices=YES_NO_CHOICES,
                                default="")
    looked_after = SelectField("Looked after", choices=YES_NO_CHOICES, default="")

    def set_choices(self, current_year: int, groups) -> None:
        self.group.choices = options((g.id, f"{g.name} ({g.kind_label.lower()})") for g in groups)
        if not self.group.data and groups:
            self.group.data = groups[0].id
        self.year.choices = options((str(y), academic_year_label(y))
                                    for y in range(current_year, current_year - YEARS_BACK - 1, -1))
        if not self.year.data:
            self.year.data = str(current_year)

    def validate_as_of(self, field) -> None:
        if field.data is None or not self.year.data or not self.year.data.isdigit():
            return
        start, end = academic_year_bounds(int(self.year.data))
        if not start <= field.data <= end:
            raise ValidationError(f"Choose a day in {academic_year_label(int(self.year.data))} "
                                  f"(1 September to 31 August).")

    def academic_year(self) -> int:
        return int(self.year.data)

    def day(self, today: date) -> date:
        """The as-at day: the one chosen, else today or the year's last day if that is sooner."""
        if self.as_of.data is not None:
            return self.as_of.data
        return min(today, academic_year_bounds(self.academic_year())[1])

    def filters(self) -> Filters:
        return Filters(send=self.send.data or "", disadvantaged=self.disadvantaged.data or "",
                       looked_after=self.looked_after.data or "")
