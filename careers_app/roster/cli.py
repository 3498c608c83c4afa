"""`flask --app wsgi import-pupils FILE.csv`: the same checks, preview and write as the web.

Safe by default: pupils missing from the file stay on roll unless --mark-leavers is given,
and marking more than 10% of the roll as leavers also needs --confirm-large.
"""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..domain.dates import today_london
from ..domain.errors import InputError
from ..domain.mis_import import ImportFileError, guess_mapping, read_table
from ..domain.parsing import parse_date
from ..extensions import db
from ..models import School
from . import services, writing


def _print_preview(preview: services.Preview, echo=click.echo) -> None:
    for problem in preview.mapping_problems:
        echo(f"Columns: {problem}", err=True)
    s = preview.summary()
    echo(f"{s['rows']:,} rows: {s['new']:,} new, {s['updated']:,} updated, "
         f"{s['unchanged']:,} unchanged; {s['missing']:,} in the database but missing from the "
         f"file (probable leavers, {preview.leaver_percent}% of the roll of {s['roll']:,}); "
         f"{s['errors']:,} errors in {s['error_rows']:,} rows.")
    for error in preview.errors:
        echo(f"Line {error.line}: {error.message}", err=True)
    for field_name, values in preview.unknown_values.items():
        shown = ", ".join(f"“{v}”" for v in values.values())
        echo(f"Values not known for {field_name}: {shown}. Match them once at /pupils/import; "
             "the CLI then remembers them.", err=True)


def _day(_ctx, _param, value: str | None) -> date | None:
    try:
        return parse_date(value) if value else None
    except InputError as error:
        raise click.BadParameter(error.message) from None


@click.command("import-pupils")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--school", "school_slug", default="demo", show_default=True, help="School slug.")
@click.option("--mark-leavers", is_flag=True, help="Mark pupils missing from the file as leavers.")
@click.option("--leaving-date", callback=_day, metavar="YYYY-MM-DD",
              help="Their last day on roll (default: 31 August in September, else yesterday).")
@click.option("--confirm-large", is_flag=True,
              help="Allow marking more than 10% of the roll as leavers.")
@click.option("--on-roll-from", callback=_day, metavar="YYYY-MM-DD",
              help="First import only: pupils without an admission date were on roll from "
                   "(default: the start of the academic year).")
@click.option("--dry-run", is_flag=True, help="Show the summary and errors; write nothing.")
@with_appcontext
def import_pupils_command(csv_file: Path, school_slug: str, mark_leavers: bool,
                          leaving_date: date | None, confirm_large: bool,
                          on_roll_from: date | None, dry_run: bool) -> None:
    """Import pupils from an MIS CSV export: all rows or none. Exits 1 on any error."""
    school = db.session.scalar(select(School).where(School.slug == school_slug))
    if school is None:
        raise click.UsageError(f"No school with slug {school_slug!r}.")
    try:
        table = read_table(csv_file.read_bytes())
    except ImportFileError as error:
        click.echo(f"{csv_file}: {error}", err=True)
        sys.exit(1)
    mapping = guess_mapping(table.headers, services.remembered_mapping(school.id))
    today = today_london()
    preview = services.build_preview(school.id, table, mapping, today, on_roll_from)
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
    choices = writing.ImportChoices(
        mark_leavers=mark_leavers, confirm_large=confirm_large, on_roll_from=on_roll_from,
        leaving_date=leaving_date or preview.suggested_leaving_date)
    try:
        result = writing.import_table(school.id, table, mapping, choices, today=today,
                                      filename=csv_file.name)
    except writing.ImportRefused as refused:
        if refused.field_name == "confirm_large":
            click.echo(refused.message.replace("tick the box", "run again with --confirm-large"),
                       err=True)
        else:
            _print_preview(refused.preview)
            click.echo(f"{refused.message} Nothing was imported.", err=True)
        sys.exit(1)
    click.echo(f"Imported: {result.new:,} new, {result.updated:,} updated, "
               f"{result.unchanged:,} unchanged, {result.leavers:,} marked as leavers"
               + (f" (last day on roll {choices.leaving_date.isoformat()})." if result.leavers
                  else "."))
    if preview.plan.missing and not mark_leavers:
        click.echo(f"{len(preview.plan.missing):,} pupils missing from the file were left on roll;"
                   " run again with --mark-leavers to mark them as leavers.")
