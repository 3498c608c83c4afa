"""Roster: the MIS import, on the web and as `flask import-pupils` (issue 3)."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..domain.academic import academic_year_of
from ..domain.dates import today_london
from ..domain.mis_import import FIELD_LABELS, ImportFileError, describe_change, mapping_problems
from ..extensions import db
from ..models import School
from ..security import admin_required, require_staff
from ..templating import redirect_after_write, render
from . import services
from .forms import ConfirmForm, UploadForm, mapping_form, mapping_from_form

# cli_group=None: this blueprint's commands are top level (`flask --app wsgi import-pupils`).
bp = Blueprint("roster", __name__, cli_group=None)
bp.before_request(require_staff)


# Import ---------------------------------------------------------------------------------

def _upload_page(form: UploadForm, file_error: str | None = None, status: int = 200):
    return render("roster/upload.html", fragment="upload_form", status=status, form=form,
                  file_error=file_error)


@bp.get("/pupils/import")
@admin_required
def import_upload():
    """Step 1: upload the MIS export. Nothing about pupils changes yet."""
    return _upload_page(UploadForm())


@bp.post("/pupils/import")
@admin_required
def start_import():
    form = UploadForm()
    if not form.validate():
        return _upload_page(form, status=422)
    upload = form.file.data
    try:
        batch = services.start_import(current_user.school_id, current_user.id,
                                      upload.filename or "", upload.read())
    except ImportFileError as error:
        return _upload_page(form, str(error), status=422)
    if mapping_problems(services.batch_mapping(batch), len(batch.headers)):
        flash("Some columns were not recognised. Say what they hold.", "info")
        return redirect_after_write(url_for("roster.import_mapping", token=batch.token))
    return redirect_after_write(url_for("roster.import_preview", token=batch.token))


def _batch_or_404(token: str):
    batch = services.get_batch(current_user.school_id, token)
    if batch is None:
        abort(404)
    return batch


def _samples(batch, index: int) -> list[str]:
    values = []
    for _line, cells in batch.rows[:50]:
        if index < len(cells) and cells[index] and cells[index] not in values:
            values.append(cells[index])
        if len(values) == 3:
            break
    return values


def _mapping_page(batch, form, problems: list[str], status: int = 200):
    return render("roster/mapping.html", fragment="mapping_form", status=status, form=form,
                  batch=batch, problems=problems,
                  samples=[_samples(batch, i) for i in range(len(batch.headers))])


@bp.get("/pupils/import/<token>/columns")
@admin_required
def import_mapping(token: str):
    """Step 2 (when needed): say which column holds what. Remembered for the next file."""
    batch = _batch_or_404(token)
    if batch.applied_at:
        return redirect_after_write(url_for("roster.import_done", token=token))
    mapping = services.batch_mapping(batch)
    return _mapping_page(batch, mapping_form(list(batch.headers), mapping),
                         mapping_problems(mapping, len(batch.headers)))


@bp.post("/pupils/import/<token>/columns")
@admin_required
def save_import_mapping(token: str):
    batch = _batch_or_404(token)
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
            return redirect_after_write(url_for("roster.import_preview", token=token))
    return _mapping_page(batch, form, problems or ["Choose from the lists."], status=422)


def _preview_page(batch, form: ConfirmForm, status: int = 200, preview=None):
    preview = preview or services.build_preview(batch.school_id, services.batch_table(batch),
                                                services.batch_mapping(batch))
    mapping = services.batch_mapping(batch)
    columns = {index: FIELD_LABELS[name] for name, index in mapping.items()}
    return render("roster/preview.html", fragment="preview", status=status, batch=batch,
                  preview=preview, form=form, columns=columns,
                  describe_change=describe_change, academic_year=academic_year_of(today_london()))


@bp.get("/pupils/import/<token>")
@admin_required
def import_preview(token: str):
    """Step 3: what would change, and every row error, before anything is written."""
    batch = _batch_or_404(token)
    if batch.applied_at:
        return redirect_after_write(url_for("roster.import_done", token=token))
    return _preview_page(batch, ConfirmForm())


@bp.post("/pupils/import/<token>/confirm")
@admin_required
def import_confirm(token: str):
    """Step 4: write the whole file in one transaction, or nothing."""
    batch = _batch_or_404(token)
    form = ConfirmForm()
    if not form.validate():
        return _preview_page(batch, form, status=422)
    try:
        result = services.apply_batch(batch.id, current_user.school_id,
                                      mark_leavers=form.mark_leavers.data)
    except services.ImportRefused as refused:
        return _preview_page(batch, form, status=422, preview=refused.preview)
    if result.already_applied:
        flash("This file had already been imported; nothing more was changed.", "info")
    else:
        flash("Import complete.", "success")
    return redirect_after_write(url_for("roster.import_done", token=token))


@bp.get("/pupils/import/<token>/done")
@admin_required
def import_done(token: str):
    batch = _batch_or_404(token)
    if not batch.applied_at:
        return redirect_after_write(url_for("roster.import_preview", token=token))
    return render("roster/done.html", fragment="result", batch=batch, result=batch.result or {})


def _print_preview(preview: services.Preview, echo=click.echo) -> None:
    for problem in preview.mapping_problems:
        echo(f"Columns: {problem}", err=True)
    s = preview.summary()
    echo(f"{s['rows']:,} rows: {s['new']:,} new, {s['updated']:,} updated, "
         f"{s['unchanged']:,} unchanged; {s['missing']:,} in the database but missing from the "
         f"file (probable leavers); {s['errors']:,} errors in {s['error_rows']:,} rows.")
    for error in preview.errors:
        echo(f"Line {error.line}: {error.message}", err=True)


@bp.cli.command("import-pupils")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--school", "school_slug", default="demo", show_default=True, help="School slug.")
@click.option("--mark-leavers", is_flag=True,
              help="Mark pupils missing from the file as leavers (today).")
@click.option("--dry-run", is_flag=True, help="Show the summary and errors; write nothing.")
def import_pupils_command(csv_file: Path, school_slug: str, mark_leavers: bool,
                          dry_run: bool) -> None:
    """Import pupils from an MIS CSV export: all rows or none. Exits 1 on any error."""
    from ..domain.mis_import import guess_mapping, read_table

    school = db.session.scalar(select(School).where(School.slug == school_slug))
    if school is None:
        raise click.UsageError(f"No school with slug {school_slug!r}.")
    try:
        table = read_table(csv_file.read_bytes())
    except ImportFileError as error:
        click.echo(f"{csv_file}: {error}", err=True)
        sys.exit(1)
    mapping = guess_mapping(table.headers, services.remembered_mapping(school.id))
    preview = services.build_preview(school.id, table, mapping)
    _print_preview(preview)
    if not preview.can_commit:
        if preview.mapping_problems:
            click.echo("Use the mapping screen at /pupils/import once; the CLI then remembers "
                       "the columns.", err=True)
        click.echo("Nothing was imported. Fix the file and run again.", err=True)
        sys.exit(1)
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    try:
        result = services.import_table(school.id, table, mapping, mark_leavers=mark_leavers)
    except services.ImportRefused as refused:  # the database changed meanwhile
        _print_preview(refused.preview)
        click.echo("Nothing was imported.", err=True)
        sys.exit(1)
    click.echo(f"Imported: {result.new:,} new, {result.updated:,} updated, "
               f"{result.unchanged:,} unchanged, {result.leavers:,} marked as leavers.")
    if preview.plan.missing and not mark_leavers:
        click.echo(f"{len(preview.plan.missing):,} pupils missing from the file were left on roll;"
                   " run again with --mark-leavers to mark them as leavers.")
