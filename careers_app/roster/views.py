"""Roster: MIS import, leavers and destinations, pupil logins, personal guidance (issue 3)."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..domain.academic import academic_year_of
from ..domain.dates import today_london
from ..domain.destinations import STATUSES, YEARS_AFTER, status_label, year_after_label
from ..domain.mis_import import FIELD_LABELS, ImportFileError, describe_change, mapping_problems
from ..extensions import db
from ..forms import options
from ..models import School
from ..pupils.services import get_pupil, group_options, parse_group, pupils_in_group
from ..security import admin_required, require_staff
from ..templating import redirect_after_write, render
from . import services
from .forms import (ConfirmForm, DestinationForm, GuidanceForm, LoginsForm, UploadForm,
                    mapping_form, mapping_from_form)

# cli_group=None: this blueprint's commands are top level (`flask --app wsgi import-pupils`).
bp = Blueprint("roster", __name__, cli_group=None)
bp.before_request(require_staff)


@bp.app_template_filter("destination_status")
def destination_status_filter(status: str | None) -> str:
    return status_label(status or "not_known")


@bp.app_template_global("destination_year_label")
def destination_year_label(year_after: int, left_on: date | None = None) -> str:
    return year_after_label(year_after, academic_year_of(left_on) if left_on else None)


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


# Personal guidance ----------------------------------------------------------------------

def _pupil_or_404(pupil_id: int):
    pupil = get_pupil(current_user.school_id, pupil_id)
    if pupil is None:
        abort(404)
    return pupil


def _guidance_page(form: GuidanceForm, pupil, status: int = 200):
    return render("roster/guidance.html", fragment="guidance_form", status=status, form=form,
                  pupil=pupil, academic_year=academic_year_of(today_london()))


@bp.get("/pupils/<int:pupil_id>/guidance/new")
def guidance_new(pupil_id: int):
    """Record a guidance interview with one pupil: adviser, notes, agreed actions."""
    return _guidance_page(GuidanceForm(), _pupil_or_404(pupil_id))


@bp.post("/pupils/<int:pupil_id>/guidance/new")
def record_guidance(pupil_id: int):
    pupil = _pupil_or_404(pupil_id)
    form = GuidanceForm()
    if not form.validate():
        return _guidance_page(form, pupil, status=422)
    services.record_guidance(pupil, current_user, services.GuidanceDetails(
        date=form.date.data, adviser_name=form.adviser_name.data,
        adviser_level6=form.adviser_level6.data, notes=form.notes.data or "",
        notes_staff_only=form.notes_staff_only.data,
        agreed_actions=form.agreed_actions.data or "", meaningful=form.meaningful.data))
    flash(f"Guidance interview recorded for {pupil.display_name}.", "success")
    return redirect_after_write(url_for("pupils.show", pupil_id=pupil.id))


# Destinations ---------------------------------------------------------------------------

def _leaver_or_404(pupil_id: int):
    pupil = _pupil_or_404(pupil_id)
    if pupil.left_on is None:
        abort(404)
    return pupil


def _destination_form(pupil) -> DestinationForm:
    form = DestinationForm()
    leaving_year = academic_year_of(pupil.left_on)
    form.year_after.choices = options((str(n), year_after_label(n, leaving_year))
                                      for n in YEARS_AFTER)
    return form


def _destination_page(form: DestinationForm, pupil, status: int = 200):
    return render("roster/destination.html", fragment="destination_form", status=status,
                  form=form, pupil=pupil)


@bp.get("/pupils/<int:pupil_id>/destination")
def destination_edit(pupil_id: int):
    """Record where a leaver is in one of the three years after leaving."""
    pupil = _leaver_or_404(pupil_id)
    form = _destination_form(pupil)
    wanted = request.args.get("year_after", type=int)
    wanted = wanted if wanted in YEARS_AFTER else 1
    form.year_after.data = str(wanted)
    if (current := services.destinations_of(pupil).get(wanted)) is not None:
        form.status.data = current.status
        form.provider.data = current.provider
        form.checked_on.data = current.checked_on
    return _destination_page(form, pupil)


@bp.post("/pupils/<int:pupil_id>/destination")
def record_destination(pupil_id: int):
    pupil = _leaver_or_404(pupil_id)
    form = _destination_form(pupil)
    if not form.validate():
        return _destination_page(form, pupil, status=422)
    services.record_destination(pupil, int(form.year_after.data), form.status.data,
                                form.provider.data or "", form.checked_on.data)
    flash(f"Destination recorded for {pupil.display_name}.", "success")
    return redirect_after_write(url_for("pupils.show", pupil_id=pupil.id))


@bp.get("/destinations")
def destinations():
    """Destinations by leaving cohort: percentages, and who is still "not known"."""
    school_id = current_user.school_id
    years = services.leaving_years(school_id)
    leaving_year = request.args.get("leaving_year", type=int)
    if leaving_year not in years:
        leaving_year = years[0] if years else None
    year_after = request.args.get("year_after", type=int)
    if year_after not in YEARS_AFTER:
        year_after = 1
    report = (services.destination_report(school_id, leaving_year, year_after)
              if leaving_year is not None else None)
    return render("roster/destinations.html", fragment="report", years=years,
                  leaving_year=leaving_year, year_after=year_after, report=report,
                  years_after=YEARS_AFTER, statuses=STATUSES)


# Pupil logins ---------------------------------------------------------------------------

def _logins_form() -> LoginsForm:
    form = LoginsForm()
    groups = group_options(current_user.school_id)
    form.group.choices = (
        options([("", "Choose a group")])
        + options(((g.key, g.label) for g in groups if g.kind == "tutor"), "Tutor groups")
        + options(((g.key, g.label) for g in groups if g.kind == "year"), "Year groups"))
    return form


def _logins_page(form: LoginsForm, group_error: str | None = None, status: int = 200):
    return render("roster/logins.html", fragment="logins_form", status=status, form=form,
                  group_error=group_error)


@bp.get("/pupils/logins")
@admin_required
def logins():
    """Create login accounts for a whole tutor or year group, with a printable password sheet."""
    return _logins_page(_logins_form())


@bp.post("/pupils/logins")
@admin_required
def create_logins():
    form = _logins_form()
    if not form.validate():
        return _logins_page(form, status=422)
    group = parse_group(form.group.data)
    if group is None:
        return _logins_page(form, "Choose a tutor group or year group.", status=422)
    pupils = pupils_in_group(current_user.school_id, group)
    slips, skipped = services.create_pupil_logins(
        current_user.school_id, pupils, reset_existing=form.reset_existing.data)
    # Shown once, straight from the POST: the passwords are never stored in clear.
    return render("roster/login_sheet.html", slips=slips, skipped=skipped, group=group)
