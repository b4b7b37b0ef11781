"""Alembic environment: the engine comes from tracker.db (config.attributes["engine"]) or,
for the plain `alembic` command line, from TRACKER_DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection, text

from tracker.db import MIGRATION_LOCK_KEY, make_engine
from tracker.models import Base

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Render our UTC type as the plain column type so migrations stay self-contained."""
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations() -> None:
    engine = config.attributes.get("engine")
    owns_engine = engine is None
    if engine is None:
        engine = make_engine(os.environ["TRACKER_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=sqlite,
                render_item=_render_item,
                compare_type=True,
                # One transaction for the whole upgrade, on SQLite too (Alembic assumes its
                # DDL cannot be rolled back and commits after each step): a second process
                # waiting to upgrade the same file got in between two steps, found the
                # version half-way and ran a step again ("duplicate column name").
                transactional_ddl=True,
            )
            if sqlite:
                _run_with_foreign_keys_deferred(connection)
            else:
                # A second process upgrading the same schema waits here for the first, then
                # finds nothing left to do instead of failing half-way through (the engine
                # runs read committed: the revision read after the wait is the latest).
                with context.begin_transaction():
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key, hashtext(current_schema()))"),
                        {"key": MIGRATION_LOCK_KEY})
                    _note_starting_revision()
                    context.run_migrations()
                connection.commit()
    finally:
        if owns_engine:
            engine.dispose()


def _note_starting_revision() -> None:
    """The revision found once this upgrade holds the database (a second process waiting for
    the first finds it already done): what `tracker db upgrade` says it upgraded from."""
    config.attributes["starting_revision"] = context.get_context().get_current_revision()


def _run_with_foreign_keys_deferred(connection: Connection) -> None:
    """SQLite's batch mode rebuilds a table (copy, drop, rename): with foreign keys on, a
    table other rows point at cannot be dropped, so on a database with data such a migration
    failed. The check is switched off for the migration (only outside a transaction can it
    be) and every reference checked before the commit."""
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")
    # BEGIN IMMEDIATE: a second process upgrading the same file waits for this one (then
    # finds nothing left to do) instead of failing with "database is locked".
    connection.execution_options(tracker_write=True)
    try:
        with context.begin_transaction():
            _note_starting_revision()
            context.run_migrations()
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left {len(broken)} rows pointing at "
                                   f"nothing (first: {tuple(broken[0])}); nothing was changed")
        connection.commit()
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


run_migrations()
