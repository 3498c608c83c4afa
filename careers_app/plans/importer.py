"""Import an action plan: a Word document, a CSV file or a pasted table; match the columns on
the preview (every date shown as it was read); confirm.

The preview posts the plan text itself back, so nothing is kept on the server between the
steps; the confirmed import is read again and written in one transaction, or not at all.
The three steps are routes of the plans blueprint (plans/views.py registers them).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, request, url_for
from flask_login import current_user

from ..domain.plan_columns import (column_samples, guess_mapping, is_header_row,
                                   mapping_from_choices)
from ..domain.plan_import import ImportResult, parse_plan_text, period_in
from ..domain.plan_table import PlanFileError, read_plan_text
from ..templating import redirect_after_write, render
from . import import_services, services
from .forms import ImportForm, column_form

NO_SOURCE = "Choose a CSV or Word file, or paste the table."


def _may_import() -> None:
    if not services.can_create_plans(current_user):
        abort(403)


@dataclass
class _Source:
    text: str = ""
    fresh: bool = False  # a new file or paste: its columns are guessed again
    problem: str = ""


def _source(form: ImportForm) -> _Source:
    """The plan text: a new upload, else a new paste, else the copy the preview posted back."""
    upload = request.files.get("file")
    try:
        if upload is not None and upload.filename:
            data = upload.read(import_services.MAX_UPLOAD_BYTES + 1)
            return _Source(import_services.upload_text(upload.filename, data), fresh=True)
        if (form.pasted.data or "").strip():
            return _Source(import_services.checked_text(form.pasted.data), fresh=True)
    except import_services.SourceError as error:
        return _Source(problem=str(error))
    return _posted_back(form)


def _posted_back(form: ImportForm) -> _Source:
    """The plan text the preview posted back."""
    try:
        text = import_services.checked_text(form.csv_text.data or "")
    except import_services.SourceError as error:
        return _Source(problem=str(error))
    return _Source(text) if text.strip() else _Source(problem=NO_SOURCE)


def _read(form: ImportForm, source: _Source):
    """The parsed plan and the column form, with the title taken from the document if blank."""
    try:
        headers = read_plan_text(source.text, is_header_row).headers
    except PlanFileError:
        headers = []
    columns = column_form(headers, guess_mapping(headers),
                          formdata=None if source.fresh else request.form)
    mapping, problems = None, []
    if headers and not source.fresh and f"col_{len(headers) - 1}" in request.form:
        mapping, problems = mapping_from_choices(
            [columns[f"col_{i}"].data or "" for i in range(len(headers))])
    result = parse_plan_text(source.text, import_services.staff_leads(current_user.school_id),
                             mapping)
    if problems:
        result.errors[:0] = [(0, problem) for problem in problems]
    form.csv_text.data, form.pasted.data = source.text, ""
    form.title.data = (form.title.data or "").strip() or result.title[:200]
    form.period.data = (form.period.data or "").strip() or period_in(form.title.data)
    if not form.title.data:
        form.title.errors = [*form.title.errors, "Give the plan a title: the document has none."]
    return result, columns


def _upload_page(form: ImportForm, status: int = 200):
    return render("plans/import.html", fragment="import_form", status=status, form=form,
                  result=None, preview=False)


def _preview_page(form: ImportForm, result: ImportResult, columns):
    failed = bool(result.errors or form.errors)
    samples = column_samples(result.table) if result.table else []
    return render("plans/import.html", fragment="import_form", status=422 if failed else 200,
                  form=form, result=result, columns=columns, samples=samples,
                  preview=result.table is not None, can_import=not failed)


def _refusal(form: ImportForm, source: _Source | None):
    """The upload page (422) for an invalid form (no source read) or an unusable source."""
    if source is None:
        return _upload_page(form, 422)
    if source.problem:
        form.file.errors = [source.problem]
        return _upload_page(form, 422)
    return None


def import_plan():
    """Step 1: choose the file or paste the table."""
    _may_import()
    return _upload_page(ImportForm())


def import_preview():
    """Step 2: what would be imported, with the columns matched; nothing is written."""
    _may_import()
    form = ImportForm()
    source = _source(form) if form.validate() else None
    if (refused := _refusal(form, source)) is not None:
        return refused
    result, columns = _read(form, source)
    if result.table is None:
        form.file.errors = [message for _row, message in result.errors]
        return _upload_page(form, 422)
    return _preview_page(form, result, columns)


def import_confirm():
    """Step 3: read the posted-back text again and write it all, or nothing."""
    _may_import()
    form = ImportForm()
    source = _posted_back(form) if form.validate() else None
    if (refused := _refusal(form, source)) is not None:
        return refused
    result, columns = _read(form, source)
    if result.errors or form.errors:
        return _preview_page(form, result, columns)
    plan = import_services.import_plan(current_user.school_id, current_user.id,
                                       form.title.data, form.period.data or "", result)
    flash(f"Imported “{plan.title}”: {len(result.items)} aims, {result.action_count} actions "
          f"and {result.milestone_count} milestones.", "success")
    return redirect_after_write(url_for("plans.show", plan_id=plan.id))
