"""Where the database lives, how to connect, and how its schema is kept up to date.

SQLite (the embedded default) gets WAL mode, foreign keys and a busy timeout on every
connection, and is upgraded automatically when opened. A server database (PostgreSQL for a
team) is never migrated implicitly: opening an out-of-date one is refused with the exact
command to run.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformdirs import user_data_path
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.pool import NullPool

from tracker.errors import CannotWrite, DatabaseUnavailable, InvalidInput, SchemaOutOfDate

if TYPE_CHECKING:
    from alembic.config import Config

# The newest migration. Opening a database compares against this constant instead of loading
# Alembic (which costs a third of a second at every start); a test checks it is Alembic's head.
SCHEMA_HEAD = "0008"

DATABASE_URL_ENV = "TRACKER_DATABASE_URL"
MIGRATION_LOCK_KEY = 0x74726D67  # "trmg"
"""With the schema's hashtext: the PostgreSQL advisory lock an upgrade of that schema holds."""
PACKAGE_DIR = Path(__file__).resolve().parent


def _packaged(name: str, checkout_name: str) -> Path:
    """Data shipped inside the wheel (`tracker/_name`), or beside the package in a checkout."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / checkout_name


def migrations_dir() -> Path:
    return _packaged("_migrations", "migrations")


def shipped_claims_dir() -> Path:
    return _packaged("_claims", "claims")


def default_database_path() -> Path:
    return user_data_path("tracker", appauthor=False) / "tracker.db"


def default_database_url() -> str:
    return f"sqlite:///{default_database_path()}"


@dataclass(frozen=True)
class DatabaseChoice:
    """Which database to open and how the user chose it (for error messages)."""

    url: str
    origin: str  # "option", "environment" or "default"

    @property
    def is_default(self) -> bool:
        return self.origin == "default"

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.url).get_backend_name() == "sqlite"

    @property
    def missing_file(self) -> Path | None:
        """The SQLite file chosen, if it does not exist yet (connecting would create it)."""
        path = sqlite_file(database_url(self.url))
        return None if path is None or path.exists() else path

    def upgrade_command(self) -> str:
        if self.origin == "option":
            url = make_url(self.url)
            shown = url.render_as_string(hide_password=True)
            masked = " (with the password in place of ***)" if url.password else ""
            return f"tracker --db {shlex.quote(shown)} db upgrade{masked}"
        return "tracker db upgrade"


def choose_database(option_url: str | None) -> DatabaseChoice:
    if option_url:
        return DatabaseChoice(option_url, "option")
    if env_url := os.environ.get(DATABASE_URL_ENV):
        return DatabaseChoice(env_url, "environment")
    return DatabaseChoice(default_database_url(), "default")


URL_EXAMPLES = "sqlite:///path/to/tracker.db or postgresql+psycopg://user@host/dbname"
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
"""The databases the migrations and the tests run on; SQLAlchemy knows more (mysql, mssql...)."""


def database_url(url: str) -> URL:
    """`url` parsed and checked: readable, naming a backend SQLAlchemy has, whose driver is
    installed. A bare postgresql:// means psycopg 3 (the `postgres` extra installs it)."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise InvalidInput(
            f"cannot read database URL '{url}': give an SQLAlchemy URL such as {URL_EXAMPLES}"
        ) from error
    except ValueError as error:  # a port that is not a number; the URL may hold a password
        raise InvalidInput(
            f"cannot read the database URL: {error} (a port must be a number): give an "
            f"SQLAlchemy URL such as {URL_EXAMPLES}") from error
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise InvalidInput(f"tracker does not support the database backend "
                           f"'{parsed.get_backend_name()}' in '{shown}': use {URL_EXAMPLES}")
    try:
        dialect = parsed.get_dialect()
    except NoSuchModuleError as error:
        raise InvalidInput(
            f"unknown database backend '{parsed.drivername}' in '{shown}': use {URL_EXAMPLES}"
        ) from error
    try:
        dialect.import_dbapi()
    except ImportError as error:
        hint = (" (in the tracker checkout: pip install -e '.[postgres]')"
                if parsed.drivername == "postgresql+psycopg" else "")
        raise InvalidInput(
            f"the driver for '{parsed.drivername}' in '{shown}' is not installed{hint}"
        ) from error
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database.startswith("~"):
        parsed = parsed.set(database=str(Path(database).expanduser()))  # SQLite would not
    return parsed


SQLITE_BUSY_TIMEOUT_MS = 10_000
"""How long a SQLite connection waits for another process's write to end."""
UNICODE_LOWER = "tracker_lower"
"""The SQL function every SQLite connection gets: lower() of any letter, as PostgreSQL's."""


def database_problem(error: BaseException) -> str:
    """What the database said, in one line: without the SQL statement and its parameters,
    which SQLAlchemy appends (and which can hold a whole page of the reviewer's text).
    SQLite's "database is locked" comes after waiting `SQLITE_BUSY_TIMEOUT_MS` for another
    writer: said alone it reads like a broken file, so it says what to do."""
    reason = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    said = (str(reason).strip().splitlines() or [type(reason).__name__])[0]
    if said == "database is locked":
        return (f"{said}: another process kept it busy writing for more than "
                f"{SQLITE_BUSY_TIMEOUT_MS // 1000} seconds (an import, perhaps): try again "
                "when it has finished")
    return said


def _unicode_lower(text: str | None) -> str | None:
    return None if text is None else text.lower()


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's lower() and LIKE fold ASCII letters only; PostgreSQL's fold every letter.
    dbapi_connection.create_function(UNICODE_LOWER, 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def sqlite_file(url: URL) -> Path | None:
    """The file a SQLite URL names; None for other backends, memory or a `file:` URI."""
    database = url.database or ""
    if (url.get_backend_name() != "sqlite" or not database or database == ":memory:"
            or database.startswith("file:")):
        return None
    return Path(database)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite connections get WAL, foreign keys and a busy timeout;
    PostgreSQL ones run read committed.
    A database file may be new, its folder may not: a mistyped path is an error, not a new
    tree of folders (the default location is made by `connect`)."""
    parsed = database_url(url)
    if parsed.get_backend_name() == "sqlite":
        if (path := sqlite_file(parsed)) is not None:
            if not path.parent.is_dir():
                raise InvalidInput(
                    f"no folder '{path.parent}' for the SQLite database '{path}': check the "
                    "path, or create the folder first")
            # A file keeps SQLAlchemy's default pool (QueuePool, connections usable from any
            # thread): reconnecting and re-running the PRAGMAs cost ~15% of a page query.
        else:  # in memory or a `file:` URI: unpooled, as it always was
            kwargs.setdefault("poolclass", NullPool)
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _on_sqlite_connect)
        # pysqlite's own transaction handling defers BEGIN; take it over so that every
        # transaction starts when we say and writes are serialised (BEGIN IMMEDIATE on writes).
        event.listen(engine, "connect", _disable_pysqlite_begin)
        event.listen(engine, "begin", _emit_begin)
        return engine
    # Every lock the tracker takes (imports, review marks, upgrades) is taken as its
    # transaction's first statement and must see what was committed while it waited: read
    # committed, PostgreSQL's own default, whatever default a team set for its database.
    kwargs.setdefault("isolation_level", "READ COMMITTED")
    return create_engine(parsed, **kwargs)


def _disable_pysqlite_begin(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _emit_begin(connection: Any) -> None:
    writing = connection.get_execution_options().get("tracker_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config  # Alembic loads only when migrating or listing.

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The schema revision recorded in the database (None for an empty database)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Migrate to `revision`; returns the revision the migration started from, read under
    its lock (None for an empty database)."""
    from alembic import command

    config = alembic_config(engine)
    command.upgrade(config, revision)
    starting: str | None = config.attributes.get("starting_revision")
    return starting


def history_lines() -> list[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return [
        f"{rev.revision}  {rev.doc}" + ("  (head)" if rev.is_head else "")
        for rev in script.walk_revisions()
    ]


def connect(choice: DatabaseChoice) -> Engine:
    """An engine for `choice`; the default database's folder is made on first use."""
    if choice.is_default:
        folder = default_database_path().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CannotWrite(
                f"cannot make the data folder {folder} ({error.strerror or error}): make it "
                f"writable, or use a database elsewhere with --db URL or {DATABASE_URL_ENV}"
            ) from None
    try:
        return make_engine(choice.url)
    except InvalidInput as error:
        if choice.origin == "environment":  # say where the URL came from
            raise InvalidInput(f"{DATABASE_URL_ENV}: {error}") from None
        raise


def refuse_newer_schema(engine: Engine, revision: str | None) -> None:
    """A database a later tracker has migrated cannot be used (or migrated) by this one."""
    if revision is not None and not (revision.isdigit() and int(revision) <= int(SCHEMA_HEAD)):
        shown = engine.url.render_as_string(hide_password=True)
        engine.dispose()
        raise SchemaOutOfDate(
            f"the database {shown} has schema {revision}, which this tracker does not know "
            f"(it knows up to {SCHEMA_HEAD}): a newer tracker made it; install that version "
            "(git pull, then pip install -e .)")


def open_database(choice: DatabaseChoice) -> Engine:
    """Connect and make sure the schema is current (SQLite) or refuse (server databases)."""
    engine = connect(choice)
    try:
        current = current_revision(engine)
    except OperationalError as error:  # the first connection: name the database
        shown = engine.url.render_as_string(hide_password=True)
        engine.dispose()
        hint = (": check that the file and its folder can be read and written (SQLite keeps "
                "its -wal and -shm files beside it)" if choice.is_sqlite else "")
        raise DatabaseUnavailable(
            f"cannot open the database {shown} ({database_problem(error)}){hint}") from None
    head = SCHEMA_HEAD
    refuse_newer_schema(engine, current)
    if current != head:
        if choice.is_sqlite:
            upgrade(engine)
        else:
            engine.dispose()
            state = "has no tracker schema yet" if current is None else "is out of date"
            raise SchemaOutOfDate(
                f"the shared database {choice.url and _redacted(choice.url)} {state} "
                f"(at {current or 'nothing'}, the code needs {head}); it is never migrated "
                f"implicitly. Run: {choice.upgrade_command()}"
            )
    return engine


def _redacted(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)

