"""Forms for the import, guidance interviews, destinations and pupil logins."""
from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..domain.dates import today_london
from ..domain.destinations import STATUSES, YEARS_AFTER, year_after_label
from ..domain.mis_import import FIELD_LABELS
from ..forms import DayField, Form, options


class UploadForm(Form):
    file = FileField("MIS export (CSV file)", validators=[FileRequired("Choose the CSV file.")],
                     description="From SIMS, Arbor or Bromcom: UPN, names, year, tutor group and "
                                 "flags. Comma, semicolon or tab separated.",
                     render_kw={"accept": ".csv,.txt,text/csv"})


def mapping_form(headers: list[str], mapping: dict[str, int], formdata=None) -> Form:
    """One select per column of the file: which pupil field it holds, or "Ignore"."""
    choices = options([("", "Ignore this column")] + list(FIELD_LABELS.items()))

    class MappingForm(Form):
        pass

    by_index = {index: name for name, index in mapping.items()}
    for index, header in enumerate(headers):
        setattr(MappingForm, f"col_{index}", SelectField(
            f"Column {index + 1}: “{header or '(no heading)'}”", choices=choices,
            default=by_index.get(index, "")))
    return MappingForm(formdata=formdata) if formdata is not None else MappingForm()


def mapping_from_form(form: Form, column_count: int) -> dict[str, int]:
    """Field -> column index from the mapping form (the first column chosen for a field wins;
    mapping_problems() reports the others)."""
    mapping: dict[str, int] = {}
    duplicates: dict[str, int] = {}
    for index in range(column_count):
        value = form[f"col_{index}"].data
        if not value:
            continue
        if value in mapping:
            duplicates[value] = index
        else:
            mapping[value] = index
    form.duplicates = duplicates  # type: ignore[attr-defined]
    return mapping


class ConfirmForm(Form):
    mark_leavers = BooleanField("Also mark the pupils missing from the file as leavers")


def _not_future(form, field):
    if field.data and field.data > today_london():
        raise ValidationError("That date is in the future.")


class GuidanceForm(Form):
    date = DayField("Date of the interview", validators=[
        DataRequired("Enter the date of the interview."), _not_future], default=today_london)
    adviser_name = StringField("Adviser", validators=[
        DataRequired("Enter the adviser's name."), Length(max=120)])
    adviser_level6 = BooleanField("The adviser is qualified to level 6 (or higher) in careers "
                                  "guidance")
    agreed_actions = TextAreaField(
        "Agreed actions", validators=[Optional(), Length(max=5000)],
        description="The pupil sees these on their record.")
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=10000)])
    notes_staff_only = BooleanField("Staff only: never show these notes to the pupil",
                                    description="Use for safeguarding-sensitive content.")
    meaningful = BooleanField("Meaningful (counts towards the benchmarks)", default=True)


class DestinationForm(Form):
    year_after = SelectField("Year", default="1",
                             choices=options((str(n), year_after_label(n)) for n in YEARS_AFTER))
    status = SelectField("Destination", choices=options(STATUSES.items()), default="not_known")
    provider = StringField("Provider or employer", validators=[Optional(), Length(max=200)],
                           description="The college, university, training provider or employer.")
    checked_on = DayField("Date checked", validators=[Optional(), _not_future],
                           default=today_london)


class LoginsForm(Form):
    group = SelectField("Pupils in", validate_choice=False)
    reset_existing = BooleanField(
        "Also give pupils who already have a login a new one-time password",
        description="They are logged out and must choose a new password.")

