"""Flask CLI commands: `flask --app wsgi <command>`."""
from __future__ import annotations

import os
import time

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from .database import write_transaction
from .extensions import db
from .models import Pupil, Role, School


@click.command("seed-demo")
@click.option("--pupils", default=200, show_default=True, type=click.IntRange(7, 100_000),
              help="Pupils on roll per school.")
@click.option("--years", default=1, show_default=True, type=click.IntRange(1, 10),
              help="Academic years of encounter history.")
@click.option("--schools", default=1, show_default=True, type=click.IntRange(1, 50),
              help="Number of schools (a trust).")
@with_appcontext
def seed_demo_command(pupils: int, years: int, schools: int) -> None:
    """Create the demo school with its accounts (idempotent). DEMO_PASSWORD sets the password;
    without it a second run leaves the accounts' passwords as they are."""
    from .demo import seed_demo

    started = time.perf_counter()
    result = seed_demo(pupils=pupils, years=years, schools=schools,
                       password=os.environ.get("DEMO_PASSWORD") or None)
    elapsed = time.perf_counter() - started
    if result.created_schools:
        click.echo(f"Seeded {result.created_schools} school(s): {result.pupils:,} pupils, "
                   f"{result.encounters:,} encounters, {result.participations:,} participations "
                   f"in {elapsed:.1f} s.")
    else:
        click.echo("The demo school is already there; nothing added.")
    for note in dict.fromkeys(result.notes):
        click.echo(note)
    click.echo("Demo accounts: lead (careers leader), tutor (tutor of 10A), pupil (in 10A)"
               + (", trust (lead of the demo trust)" if schools >= 2 else ""))
    if result.created_schools or result.passwords_reset:
        click.echo(f"Password: {result.password}")
    else:
        click.echo("Passwords unchanged (set DEMO_PASSWORD to reset them).")


# "group-lead" is how people type it; "group_lead" is the stored value.
ROLE_CHOICES = [r.value for r in Role] + ["group-lead"]


@click.command("create-user")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(ROLE_CHOICES),
              help="admin (careers leader), staff, pupil or group-lead (a trust or partnership).")
@click.option("--group", "group_name", default=None,
              help="A group (trust or partnership) this user leads: needed for a group lead; "
                   "a careers leader may lead one too.")
@click.option("--school", "school_slug", default="demo", show_default=True,
              help="School slug; created if it does not exist yet.")
@click.option("--school-name", default=None, help="Name for a new school.")
@click.option("--name", "display_name", default=None, help="Name shown in the app.")
@click.option("--tutor-group", default=None, help="Tutor group a staff user looks after.")
@click.option("--upn", default=None, help="For a pupil account: the pupil's UPN.")
@click.password_option(help="Prompted for when not given.")
@with_appcontext
def create_user_command(username, role, group_name, school_slug, school_name, display_name,
                        tutor_group, upn, password) -> None:
    """Add a login account."""
    from .auth.services import create_user, find_user
    from .domain.passwords import password_problem
    from .groups import services as groups

    role = role.replace("-", "_")
    group = _lead_group(role, group_name)
    problem = password_problem(password, username)
    if problem:
        raise click.UsageError(problem)
    if find_user(username):
        raise click.UsageError(f"There is already a user called {username!r}.")
    with write_transaction():
        school = db.session.scalar(select(School).where(School.slug == school_slug))
        if school is None:
            school = School(slug=school_slug, name=school_name or school_slug)
            db.session.add(school)
            db.session.flush()
        pupil_id = None
        if role == Role.PUPIL.value:
            if not upn:
                raise click.UsageError("A pupil account needs --upn.")
            pupil_id = db.session.scalar(select(Pupil.id).where(
                Pupil.school_id == school.id, Pupil.upn == upn.strip().upper()))
            if pupil_id is None:
                raise click.UsageError(f"No pupil with UPN {upn} at {school.name}.")
        user = create_user(school_id=school.id, username=username,
                           display_name=display_name or username, role=Role(role),
                           password=password, tutor_group=tutor_group, pupil_id=pupil_id)
        if group is not None:
            db.session.flush()
            groups.add_lead(group.id, user.id)
    click.echo(f"Created {role} {username} at {school.name}."
               + (f" Leads {group.name}." if group is not None else ""))


def _lead_group(role: str, group_name: str | None):
    """The group a new user is to lead, checked before anything is written."""
    from .groups import services as groups

    if group_name is None:
        if role == Role.GROUP_LEAD.value:
            raise click.UsageError("A group lead needs --group NAME (create it with create-group).")
        return None
    if role not in (Role.GROUP_LEAD.value, Role.ADMIN.value):
        raise click.UsageError("Only a group lead or a careers leader (admin) can lead a group.")
    group = groups.group_by_name(group_name)
    if group is None:
        raise click.ClickException(f"There is no group called {group_name!r}: "
                                   "create it first with create-group.")
    return group


@click.command("create-group")
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice(["trust", "partnership"]))
@click.option("--schools", "slugs", required=True,
              help="Member schools' slugs, comma-separated (a,b,c). Run again to add more.")
@with_appcontext
def create_group_command(name: str, kind: str, slugs: str) -> None:
    """Create a trust or partnership of schools, or add schools to one."""
    from .groups import services as groups

    try:
        group, added = groups.add_group(name, kind, slugs.split(","))
    except groups.GroupError as error:
        raise click.ClickException(str(error)) from None
    members = groups.member_schools(group.id)
    click.echo(f"{group.name} ({group.kind.value}): added {len(added)} school(s); "
               f"{len(members)} in all: {', '.join(n for _id, n in members)}.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(path: str) -> None:
    """Online backup of the SQLite database to PATH (writes may continue meanwhile).

    For PostgreSQL use pg_dump (see the README).
    """
    from .database import backup_sqlite

    if db.engine.dialect.name != "sqlite":
        raise click.UsageError("This database is PostgreSQL: back it up with pg_dump "
                               "(see the README).")
    started = time.perf_counter()
    pages, integrity = backup_sqlite(path)
    click.echo(f"Backed up {pages:,} pages to {path} in {time.perf_counter() - started:.2f} s; "
               f"integrity check: {integrity}")
    if integrity != "ok":
        raise SystemExit(1)


def _school(slug: str) -> School:
    school = db.session.scalar(select(School).where(School.slug == slug))
    if school is None:
        raise click.UsageError(f"There is no school {slug!r}.")
    return school


@click.command("export-pupil")
@click.argument("upn")
@click.option("--school", "school_slug", default="demo", show_default=True)
@with_appcontext
def export_pupil_command(upn: str, school_slug: str) -> None:
    """Subject-access export: everything about one pupil, as JSON on standard output."""
    import json

    from . import audit_trail
    from .privacy.services import subject_access_export

    school = _school(school_slug)
    pupil = db.session.scalar(select(Pupil).where(Pupil.school_id == school.id,
                                                  Pupil.upn == upn.strip().upper()))
    if pupil is None:
        raise click.UsageError(f"No pupil with UPN {upn} at {school.name}.")
    data = subject_access_export(pupil)
    with write_transaction():
        audit_trail.record("export", entity="pupil", entity_id=pupil.id, school_id=school.id)
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@click.command("retention")
@click.option("--school", "school_slug", default="demo", show_default=True)
@click.option("--years", type=int, default=None, help="Default: RETENTION_YEARS (6).")
@click.option("--apply", "apply_it", is_flag=True, help="Anonymise (without it: a dry run).")
@with_appcontext
def retention_command(school_slug: str, years: int | None, apply_it: bool) -> None:
    """Anonymise leavers past the retention period. A dry run unless --apply is given."""
    from flask import current_app

    from .privacy.services import anonymise, retention_plan

    school = _school(school_slug)
    try:
        plan = retention_plan(school.id, years or current_app.config["RETENTION_YEARS"])
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    click.echo(f"{len(plan.pupils)} former pupils left before {plan.cutoff.isoformat()}; "
               f"{plan.audit_entries} audit-log entries are older than that; "
               f"{plan.expired_imports} MIS imports hold pupil data past the undo window.")
    if not apply_it:
        click.echo("Dry run: nothing changed. Add --apply to anonymise them.")
        return
    click.echo(f"Anonymised {anonymise(plan)} former pupils; deleted the older audit-log "
               "entries; cleared the old imports' pupil data.")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(create_group_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(export_pupil_command)
    app.cli.add_command(retention_command)
