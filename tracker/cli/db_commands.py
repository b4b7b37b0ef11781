"""`tracker db ...`: where the database is and which schema version it has."""

from __future__ import annotations

import click

from tracker.cli.context import AppContext, pass_app
from tracker.db import (
    connect,
    current_revision,
    default_database_path,
    head_revision,
    history_lines,
    refuse_newer_schema,
    upgrade,
)
from tracker.errors import NotFound


@click.group()
def db() -> None:
    """Inspect and upgrade the database schema."""


@db.command()
@pass_app
def path(app: AppContext) -> None:
    """Print where the database is (the default SQLite file unless a URL was chosen)."""
    choice = app.choice
    if choice.is_default:
        click.echo(str(default_database_path()))
    else:
        from sqlalchemy.engine import make_url

        click.echo(make_url(choice.url).render_as_string(hide_password=True))


@db.command(name="upgrade")
@pass_app
def upgrade_command(app: AppContext) -> None:
    """Migrate the database schema to the version this tracker needs."""
    engine = connect(app.choice)
    try:
        refuse_newer_schema(engine, current_revision(engine))
        # Read under the migration's lock: another process may have upgraded meanwhile.
        before = upgrade(engine)
        after = current_revision(engine)
    finally:
        engine.dispose()
    if before == after:
        click.echo(f"already at {after}")
    else:
        click.echo(f"upgraded from {before or 'an empty database'} to {after}")


@db.command()
@pass_app
def current(app: AppContext) -> None:
    """Print the schema revision of the database and whether it is current."""
    if (missing := app.choice.missing_file) is not None:  # not made just to say it is empty
        raise NotFound(f"there is no database at {missing} yet: any tracker command on it "
                       "makes it")
    engine = connect(app.choice)
    try:
        revision = current_revision(engine)
        refuse_newer_schema(engine, revision)
    finally:
        engine.dispose()
    head = head_revision()
    state = "current" if revision == head else f"out of date; head is {head}"
    click.echo(f"{revision or 'empty (no schema)'} ({state})")


@db.command(name="history")
def history_command() -> None:
    """List the schema migrations this tracker ships."""
    for line in history_lines():
        click.echo(line)


COMMANDS = [db]
