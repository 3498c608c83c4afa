"""Roster: the MIS import (upload, columns, values, preview, confirm), its history and undo;
and `flask import-pupils` (issues 3 and 12)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user

from .. import audit_trail
from ..domain.mis_import import FIELD_LABELS, ImportFileError, mapping_problems
from ..security import admin_required, require_staff
from ..templating import redirect_after_write
from . import pages, services, undo, writing
from .cli import import_pupils_command
from .forms import (ConfirmForm, UndoForm, UploadForm, mapping_form, mapping_from_form,
                    unknown_pairs, values_form, values_from_form)

# cli_group=None: this blueprint's commands are top level (`flask --app wsgi import-pupils`).
bp = Blueprint("roster", __name__, cli_group=None)
bp.before_request(require_staff)
bp.cli.add_command(import_pupils_command)


@bp.get("/pupils/import")
@admin_required
def import_upload():
    """Step 1: upload the MIS export. Nothing about pupils changes yet."""
    return pages.upload_page(UploadForm())


@bp.post("/pupils/import")
@admin_required
def start_import():
    form = UploadForm()
    if not form.validate():
        return pages.upload_page(form, status=422)
    upload = form.file.data
    try:
        batch = services.start_import(current_user.school_id, current_user.id,
                                      upload.filename or "", upload.read())
    except ImportFileError as error:
        return pages.upload_page(form, str(error), status=422)
    if mapping_problems(services.batch_mapping(batch), len(batch.headers)):
        flash("Some columns were not recognised. Say what they hold.", "info")
        return redirect_after_write(url_for("roster.import_mapping", token=batch.token))
    return redirect_after_write(pages.next_step(batch))


def _open_batch_or_404(token: str):
    """An upload of this school not yet imported (an imported one answers with its result)."""
    batch = services.get_batch(current_user.school_id, token)
    if batch is None:
        abort(404)
    return batch


@bp.get("/pupils/import/<token>/columns")
@admin_required
@audit_trail.shows_special_data  # sample cells of every column, SEN and flags included
def import_mapping(token: str):
    """Step 2 (when needed): say which column holds what. Remembered for the next file."""
    batch = _open_batch_or_404(token)
    if batch.applied_at:
        return redirect_after_write(url_for("roster.import_done", token=token))
    mapping = services.batch_mapping(batch)
    return pages.mapping_page(batch, mapping_form(list(batch.headers), mapping),
                              mapping_problems(mapping, len(batch.headers)))


@bp.post("/pupils/import/<token>/columns")
@admin_required
def save_import_mapping(token: str):
    batch = _open_batch_or_404(token)
    if batch.applied_at:
        return redirect_after_write(url_for("roster.import_done", token=token))
    headers = list(batch.headers)
    form = mapping_form(headers, {}, formdata=request.form)
    problems = []
    if form.validate():
        mapping = mapping_from_form(form, len(headers))
        problems = [f"Two columns are marked as {FIELD_LABELS[name]}: choose one."
                    for name in form.duplicates] + mapping_problems(mapping, len(headers))
        if not problems:
            services.save_mapping(batch, mapping)
            return redirect_after_write(pages.next_step(batch))
    return pages.mapping_page(batch, form, problems or ["Choose from the lists."], status=422)


@bp.get("/pupils/import/<token>/values")
@admin_required
def import_values(token: str):
    """Step 3 (when needed): say what each SEN or flag value the app does not know means."""
    batch = _open_batch_or_404(token)
    pairs = pages.unknown_of(batch)
    if batch.applied_at or not pairs:
        return redirect_after_write(pages.next_step(batch))
    return pages.values_page(batch, values_form(pairs), pairs)


@bp.post("/pupils/import/<token>/values")
@admin_required
def save_import_values(token: str):
    batch = _open_batch_or_404(token)
    pairs = pages.unknown_of(batch)
    if batch.applied_at or not pairs:
        return redirect_after_write(pages.next_step(batch))
    form = values_form(pairs, formdata=request.form)
    chosen, problems = values_from_form(form, pairs) if form.validate() else ({}, [
        "Choose from the lists."])
    if problems:
        return pages.values_page(batch, form, pairs, problems, status=422)
    services.save_values(batch.school_id, chosen)
    return redirect_after_write(pages.next_step(batch))


@bp.get("/pupils/import/<token>")
@admin_required
@audit_trail.shows_special_data  # each pupil's SEND and flag changes, by name
def import_preview(token: str):
    """Step 4: what would change, and every row error, before anything is written."""
    batch = _open_batch_or_404(token)
    preview = None if batch.applied_at else pages.preview_of(batch)
    if preview is None or unknown_pairs(preview.unknown_values):
        return redirect_after_write(pages.next_step(batch))
    return pages.preview_page(batch, pages.confirm_form(preview), preview=preview)


@bp.post("/pupils/import/<token>/confirm")
@admin_required
def import_confirm(token: str):
    """Step 5: write the whole file in one transaction, or nothing."""
    batch = _open_batch_or_404(token)
    form = ConfirmForm()
    if not form.validate():
        return pages.preview_page(batch, form, status=422)
    try:
        result = writing.apply_batch(batch.id, current_user.school_id, pages.choices_of(form))
    except writing.ImportRefused as refused:
        return pages.refused_page(batch, form, refused)
    flash("This file had already been imported; nothing more was changed."
          if result.already_applied else "Import complete.",
          "info" if result.already_applied else "success")
    return redirect_after_write(url_for("roster.import_done", token=token))


@bp.get("/pupils/import/<token>/done")
@admin_required
def import_done(token: str):
    batch = _open_batch_or_404(token)
    if not batch.applied_at:
        return redirect_after_write(url_for("roster.import_preview", token=token))
    return pages.done_page(batch)


@bp.get("/pupils/import/history")
@admin_required
def import_history():
    """Every import, newest first; the last one can be undone for a week."""
    return pages.history_page(current_user.school_id)


@bp.get("/pupils/import/<token>/undo")
@admin_required
def import_undo(token: str):
    """Confirm undoing an import (or say why it cannot be undone)."""
    batch = _open_batch_or_404(token)
    if not batch.applied_at:
        return redirect_after_write(url_for("roster.import_preview", token=token))
    return pages.undo_page(batch, UndoForm())


@bp.post("/pupils/import/<token>/undo")
@admin_required
def undo_import(token: str):
    batch = _open_batch_or_404(token)
    form = UndoForm()
    if not form.validate():
        return pages.undo_page(batch, form, status=422)
    try:
        result = undo.undo_batch(batch.id, current_user.school_id)
    except undo.UndoRefused as refused:
        return pages.undo_page(batch, form, refused.message, status=422)
    flash(f"Import undone: {result.removed:,} new pupils removed, {result.restored:,} restored, "
          f"{result.leavers:,} leavers back on roll.", "success")
    return redirect_after_write(url_for("roster.import_history"))
