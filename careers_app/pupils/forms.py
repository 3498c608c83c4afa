"""Pupil list filters, the admin's pupil form, destinations and pupil logins."""
from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..domain.academic import cohort_for
from ..domain.dates import today_london
from ..domain.destinations import STATUSES, YEARS_AFTER, year_after_label
from ..domain.pupil_flags import SEND_NAMES, send_label
from ..domain.upn import upn_problem
from ..forms import YEAR_GROUP_CHOICES, DayField, FilterForm, Form, not_future, options, search_field

SEND_LABELS = {code: send_label(code) for code in SEND_NAMES}
ANY_YES_NO = options([("", "Any"), ("y", "Yes"), ("n", "No")])


class PupilFilterForm(FilterForm):
    """GET filters for the pupil list (no CSRF: it changes nothing)."""

    q = search_field("Name or UPN")
    year_group = SelectField("Year group", choices=YEAR_GROUP_CHOICES, default="")
    tutor_group = SelectField("Tutor group", validate_choice=False, default="")
    send = SelectField("SEND", default="", choices=options(
        [("", "Any"), ("KE", "Any SEND (K or E)")] + list(SEND_LABELS.items())))
    disadvantaged = SelectField("Disadvantaged", choices=ANY_YES_NO, default="")
    looked_after = SelectField("Looked after", choices=ANY_YES_NO, default="")
    status = SelectField("Show", default="roll", choices=options(
        [("roll", "Pupils on roll"), ("leavers", "Leavers"), ("all", "Everyone")]))


def yes_no(value: str | None) -> bool | None:
    return {"y": True, "n": False}.get(value or "")


class PupilForm(Form):
    """An admin's edit of one pupil. The year group is turned into a cohort by the view."""

    legal_forename = StringField("Legal forename", validators=[
        DataRequired("Enter the legal forename."), Length(max=100)])
    preferred_forename = StringField("Preferred forename", validators=[Optional(), Length(max=100)],
                                     description="Leave blank if the same as the legal forename.")
    surname = StringField("Surname", validators=[DataRequired("Enter the surname."),
                                                 Length(max=100)])
    upn = StringField("UPN", validators=[DataRequired("Enter the UPN."), Length(max=20)],
                      description="13 characters, starting with the check letter.")
    year_group = SelectField("Year group", validate_choice=True)
    tutor_group = StringField("Tutor group", validators=[Optional(), Length(max=20)])
    send_status = SelectField("SEND", choices=options(SEND_LABELS.items()))
    disadvantaged = BooleanField("Disadvantaged (Pupil Premium)")
    looked_after = BooleanField("Looked after (in care)")
    considering_he = BooleanField("Considering higher education")
    left_on = DayField("Last day on roll", validators=[Optional()],
                        description="Only for a pupil who has left, or is about to leave: "
                                    "the last day they were on the school's roll.")

    def validate_upn(self, field):
        if field.data and (problem := upn_problem(field.data)):
            raise ValidationError(problem)

    def pupil_values(self, academic_year: int) -> dict:
        """The pupil's columns from the submitted form (year group becomes a cohort)."""
        def tidy(text):
            return " ".join((text or "").split())
        return dict(
            legal_forename=tidy(self.legal_forename.data),
            preferred_forename=tidy(self.preferred_forename.data) or None,
            surname=tidy(self.surname.data),
            upn=self.upn.data.strip().upper(),
            cohort=cohort_for(int(self.year_group.data), academic_year),
            tutor_group=(self.tutor_group.data or "").strip() or None,
            send_status=self.send_status.data,
            disadvantaged=self.disadvantaged.data,
            looked_after=self.looked_after.data,
            considering_he=self.considering_he.data,
            left_on=self.left_on.data,
        )


class DestinationForm(Form):
    year_after = SelectField("Year", default="1",
                             choices=options((str(n), year_after_label(n)) for n in YEARS_AFTER))
    status = SelectField("Destination", choices=options(STATUSES.items()), default="not_known")
    provider = StringField("Provider or employer", validators=[Optional(), Length(max=200)],
                           description="The college, university, training provider or employer.")
    checked_on = DayField("Date checked", validators=[Optional(), not_future],
                           default=today_london)


class LoginsForm(Form):
    group = SelectField("Pupils in", validate_choice=False)
    reset_existing = BooleanField(
        "Also give pupils who already have a login a new one-time password",
        description="They are logged out and must choose a new password.")
