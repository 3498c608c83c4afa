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
    """Create the demo school with its accounts (idempotent). DEMO_PASSWORD sets the password."""
    from .demo import DEFAULT_PASSWORD, seed_demo

    password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
    started = time.perf_counter()
    result = seed_demo(pupils=pupils, years=years, schools=schools, password=password)
    elapsed = time.perf_counter() - started
    if result.created_schools:
        click.echo(f"Seeded {result.created_schools} school(s): {result.pupils:,} pupils, "
                   f"{result.encounters:,} encounters, {result.participations:,} participations "
                   f"in {elapsed:.1f} s.")
    else:
        click.echo("The demo school is already there; nothing added.")
    click.echo("Demo accounts: lead (careers leader), tutor (tutor of 10A), pupil (in 10A)")
    click.echo(f"Password: {password}")


@click.command("create-user")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--school", "school_slug", default="demo", show_default=True,
              help="School slug; created if it does not exist yet.")
@click.option("--school-name", default=None, help="Name for a new school.")
@click.option("--name", "display_name", default=None, help="Name shown in the app.")
@click.option("--tutor-group", default=None, help="Tutor group a staff user looks after.")
@click.option("--upn", default=None, help="For a pupil account: the pupil's UPN.")
@click.password_option(help="Prompted for when not given.")
@with_appcontext
def create_user_command(username, role, school_slug, school_name, display_name, tutor_group, upn,
                        password) -> None:
    """Add a login account."""
    from .auth.services import create_user, find_user
    from .domain.passwords import password_problem

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
        create_user(school_id=school.id, username=username, display_name=display_name or username,
                    role=Role(role), password=password, tutor_group=tutor_group, pupil_id=pupil_id)
    click.echo(f"Created {role} {username} at {school.name}.")


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


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(backup_command)
