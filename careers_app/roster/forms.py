"""Forms for the MIS import."""
from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField
from wtforms.validators import Optional

from ..domain.mis_import import FIELD_LABELS
from ..domain.mis_values import VALUE_FIELDS
from ..forms import DayField, Form, options

VALUE_FIELD_LABELS = {"send_status": "SEN status", "disadvantaged": "Pupil Premium",
                      "looked_after": "Looked after"}


class UploadForm(Form):
    file = FileField("MIS export (CSV file)", validators=[FileRequired("Choose the CSV file.")],
                     description="From SIMS, Arbor or Bromcom: UPN, names, year, tutor group, "
                                 "flags, admission and leaving dates. Comma, semicolon or tab "
                                 "separated.",
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


def unknown_pairs(unknown: dict[str, dict[str, str]]) -> list[tuple[str, str, str]]:
    """(field, normalised value, value as written) in a stable order: the value form's rows."""
    return [(field_name, key, unknown[field_name][key])
            for field_name in VALUE_FIELDS if field_name in unknown
            for key in sorted(unknown[field_name])]


def values_form(pairs: list[tuple[str, str, str]], formdata=None) -> Form:
    """One required select per unknown value: what it means."""

    class ValuesForm(Form):
        pass

    for index, (field_name, _key, shown) in enumerate(pairs):
        setattr(ValuesForm, f"val_{index}", SelectField(
            f"{VALUE_FIELD_LABELS[field_name]} “{shown or '(blank)'}” means",
            choices=options([("", "Choose")] + list(VALUE_FIELDS[field_name].items())),
            default=""))
    return ValuesForm(formdata=formdata) if formdata is not None else ValuesForm()


def values_from_form(form: Form, pairs) -> tuple[dict[str, dict[str, str]], list[str]]:
    chosen: dict[str, dict[str, str]] = {}
    problems = []
    for index, (field_name, key, shown) in enumerate(pairs):
        code = form[f"val_{index}"].data
        if code not in VALUE_FIELDS[field_name]:
            problems.append(f"Say what {VALUE_FIELD_LABELS[field_name]} “{shown}” means.")
            continue
        chosen.setdefault(field_name, {})[key] = code
    return chosen, problems


class ConfirmForm(Form):
    mark_leavers = BooleanField("Also mark the pupils missing from the file as leavers")
    leaving_date = DayField("Their last day on roll", validators=[Optional()],
                            description="The leaving date, as the MIS would record it. A pupil "
                                        "whose last day was 31 August is not in the new year.")
    confirm_large = BooleanField("Yes, mark them all as leavers")
    on_roll_from = DayField("Pupils without an admission date were on roll from",
                            validators=[Optional()],
                            description="The first import of the school: encounters from this "
                                        "date count for every pupil in the file.")


class UndoForm(Form):
    """Nothing to fill in: the CSRF token and the button."""
