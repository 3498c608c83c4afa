"""Forms for the MIS import."""
from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField

from ..domain.mis_import import FIELD_LABELS
from ..forms import Form, options


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
