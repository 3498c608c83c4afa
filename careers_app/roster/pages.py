"""Page builders for the roster views: each turns a service's answer into a page, so the
views stay a few lines (parse, call, render)."""
from __future__ import annotations

from flask import Response, url_for

from ..domain.academic import academic_year_of
from ..domain.dates import today_london
from ..domain.mis_import import FIELD_LABELS
from ..domain.mis_plan import describe_change
from ..templating import render
from . import services, undo, writing
from .forms import VALUE_FIELD_LABELS, ConfirmForm, unknown_pairs

SAMPLE_ROWS = 50


def upload_page(form, file_error: str | None = None, status: int = 200) -> Response:
    return render("roster/upload.html", fragment="upload_form", status=status, form=form,
                  file_error=file_error)


def _samples(batch, index: int) -> list[str]:
    values = []
    for _line, cells in batch.rows[:SAMPLE_ROWS]:
        if index < len(cells) and cells[index] and cells[index] not in values:
            values.append(cells[index])
        if len(values) == 3:
            break
    return values


def mapping_page(batch, form, problems: list[str], status: int = 200) -> Response:
    return render("roster/mapping.html", fragment="mapping_form", status=status, form=form,
                  batch=batch, problems=problems,
                  samples=[_samples(batch, i) for i in range(len(batch.headers))])


def preview_of(batch, on_roll_from=None) -> services.Preview:
    return services.build_preview(batch.school_id, services.batch_table(batch),
                                  services.batch_mapping(batch), on_roll_from=on_roll_from)


def unknown_of(batch) -> list[tuple[str, str, str]]:
    """The upload's SEN and flag values still to be matched, as the value form's rows."""
    if batch.applied_at:
        return []
    return unknown_pairs(preview_of(batch).unknown_values)


def next_step(batch) -> str:
    """Where an upload goes next: its result, the columns, the values, or the preview."""
    token = batch.token
    if batch.applied_at:
        return url_for("roster.import_done", token=token)
    preview = preview_of(batch)
    if preview.mapping_problems:
        return url_for("roster.import_mapping", token=token)
    if preview.unknown_values:
        return url_for("roster.import_values", token=token)
    return url_for("roster.import_preview", token=token)


def values_page(batch, form, pairs, problems: list[str] | None = None,
                status: int = 200) -> Response:
    return render("roster/values.html", fragment="values_form", status=status, batch=batch,
                  form=form, pairs=pairs, problems=problems or [],
                  field_labels=VALUE_FIELD_LABELS)


def confirm_form(preview: services.Preview) -> ConfirmForm:
    """The confirmation, filled with the suggested dates."""
    form = ConfirmForm(formdata=None)
    form.leaving_date.data = preview.suggested_leaving_date
    if preview.plan.first_import:
        form.on_roll_from.data = preview.plan.joined_from
    return form


def choices_of(form: ConfirmForm) -> writing.ImportChoices:
    return writing.ImportChoices(mark_leavers=bool(form.mark_leavers.data),
                                 leaving_date=form.leaving_date.data,
                                 on_roll_from=form.on_roll_from.data,
                                 confirm_large=bool(form.confirm_large.data))


def preview_page(batch, form: ConfirmForm, status: int = 200, preview=None,
                 message: str | None = None) -> Response:
    preview = preview or preview_of(batch, form.on_roll_from.data)
    mapping = services.batch_mapping(batch)
    columns = {index: FIELD_LABELS[name] for name, index in mapping.items()}
    return render("roster/preview.html", fragment="preview", status=status, batch=batch,
                  preview=preview, form=form, columns=columns, message=message,
                  describe_change=describe_change, academic_year=academic_year_of(today_london()))


def refused_page(batch, form: ConfirmForm, refused: writing.ImportRefused) -> Response:
    """The preview again, 422, with the reason nothing was written on the field it concerns."""
    if refused.field_name:
        form[refused.field_name].errors = [refused.message]
    return preview_page(batch, form, status=422, preview=refused.preview,
                        message=refused.message if refused.field_name else None)


def done_page(batch) -> Response:
    return render("roster/done.html", fragment="result", batch=batch, result=batch.result or {},
                  can_undo=undo.undo_problem(batch) is None)


def history_page(school_id: int) -> Response:
    batches = undo.history(school_id)
    undoable = {b.id for b in batches[:1] if undo.undo_problem(b) is None}
    return render("roster/history.html", fragment="history", batches=batches, undoable=undoable)


def undo_page(batch, form, message: str | None = None, status: int = 200) -> Response:
    return render("roster/undo.html", fragment="undo", status=status, batch=batch, form=form,
                  problem=message or undo.undo_problem(batch), refused=bool(message),
                  result=batch.result or {})
