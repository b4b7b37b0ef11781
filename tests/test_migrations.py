"""Alembic owns the schema: one head, and the migrated database matches the models exactly."""

from __future__ import annotations

import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event, inspect, make_url, text
from sqlalchemy.pool import NullPool, QueuePool

from tracker.db import (
    MIGRATION_LOCK_KEY,
    SCHEMA_HEAD,
    DatabaseChoice,
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
    migrations_dir,
    open_database,
    upgrade,
)
from tracker.errors import SchemaOutOfDate
from tracker.models import Base

ROOT = Path(__file__).resolve().parent.parent


def test_single_head_and_the_code_knows_it() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert script.get_current_head() == SCHEMA_HEAD


def test_upgrade_to_head_matches_models(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_base_and_up_again(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        from alembic import command

        command.downgrade(alembic_config(engine), "base")
        assert "claims" not in inspect(engine).get_table_names()
        upgrade(engine)
        assert "claims" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_migrations_that_rebuild_tables_keep_the_data(database_url: str) -> None:
    """On SQLite a batch migration rebuilds a table; with foreign keys on, dropping a table
    other rows point at failed (alembic downgrade 0001 on any database with claims)."""
    from alembic import command

    from tests.helpers import definition
    from tracker.definitions import SourceInfo
    from tracker.ledger import Ledger

    engine = make_engine(database_url)
    try:
        upgrade(engine)
        ledger = Ledger(engine)
        ledger.upsert_source(SourceInfo(key="src", title="A source"))
        ledger.create_claim(definition("parent", source="src"), "ann")
        ledger.create_claim(definition("child", parent="parent"), "ann")
        entry = ledger.add_evidence("child", title="A page", stance="context", reviewer="ann")
        ledger.retract_evidence(entry, reason="misread", reviewer="bob")
        ledger.forecast("child", 0.7, reviewer="ann")
        command.downgrade(alembic_config(engine), "0001")
        upgrade(engine)
        with engine.connect() as connection:
            counts = [connection.scalar(text(f"SELECT count(*) FROM {table}")) for table in
                      ("claims", "sources", "evidence", "evidence_retractions", "forecasts")]
            assert counts == [2, 1, 1, 1, 1]
            if connection.dialect.name == "sqlite":
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_pooled_sqlite_connections_all_keep_wal_foreign_keys_and_busy_timeout(
    tmp_path: Path,
) -> None:
    """A file database pools its connections; each one, in any thread, is set up alike."""
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    assert isinstance(engine.pool, QueuePool)

    def settings() -> tuple[object, ...]:
        with engine.connect() as connection:
            return tuple(connection.execute(text(f"PRAGMA {name}")).scalar()
                         for name in ("journal_mode", "foreign_keys", "busy_timeout"))

    try:
        held = [engine.connect() for _ in range(3)]  # the pool now holds several connections
        for connection in held:
            connection.close()
        with ThreadPoolExecutor(4) as threads:
            seen = list(threads.map(lambda _: settings(), range(8)))
        assert set(seen) == {("wal", 1, 10000)}
    finally:
        engine.dispose()


def test_in_memory_sqlite_stays_unpooled() -> None:
    engine = make_engine("sqlite://")
    assert isinstance(engine.pool, NullPool)
    engine.dispose()


def test_upgrade_to_0003_swaps_the_parent_index_for_the_tree_index(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0002")
        assert "ix_claims_parent_id" in _claim_indexes(engine)
        upgrade(engine)
        names = _claim_indexes(engine)
        assert "ix_claims_parent_slug" in names and "ix_claims_parent_id" not in names
        from alembic import command

        command.downgrade(alembic_config(engine), "0002")
        names = _claim_indexes(engine)
        assert "ix_claims_parent_id" in names and "ix_claims_parent_slug" not in names
    finally:
        engine.dispose()


def _claim_indexes(engine: Engine) -> set[str]:
    return {str(index["name"]) for index in inspect(engine).get_indexes("claims")}


def test_out_of_date_sqlite_is_upgraded_on_open(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = open_database(DatabaseChoice(url, "default"))
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_processes_opening_an_old_sqlite_file_at_once_all_get_it_upgraded(
        tmp_path: Path) -> None:
    """Two to four of six `tracker list` run at once on a database at 0002 failed with
    "database is locked": each upgrade began a plain transaction, and SQLite refuses, rather
    than waits, when two such readers both want to write."""
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = make_engine(url)
    command.upgrade(alembic_config(old), "0002")
    old.dispose()

    # Processes, not threads: Alembic's migration context is one per process.
    script = ("import sys; from tracker.db import DatabaseChoice, current_revision, "
              "open_database; engine = open_database(DatabaseChoice(sys.argv[1], 'option')); "
              "print(current_revision(engine))")
    runs = [subprocess.Popen([sys.executable, "-c", script, url], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(10)]
    outcomes = [run.communicate(timeout=120) for run in runs]
    assert [(out.strip(), err.splitlines()[-1:]) for out, err in outcomes] == [
        (SCHEMA_HEAD, [])] * 10


def _repeatable_read_by_default(postgres_url: str) -> str:
    """`postgres_url` with sessions defaulting to repeatable read."""
    url = make_url(postgres_url)
    options = f"{url.query['options']} -cdefault_transaction_isolation=repeatable\\ read"
    return url.update_query_dict({"options": options}).render_as_string(hide_password=False)


def test_tracker_connections_read_committed_whatever_the_database_default(
        database_url: str) -> None:
    """Every lock the tracker takes is its transaction's first statement: under repeatable
    read the rows read after waiting for it would be the ones from before the wait."""
    if not database_url.startswith("postgresql"):
        pytest.skip("server databases only")
    engine = make_engine(_repeatable_read_by_default(database_url))
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("SHOW transaction_isolation")) == "read committed"
            assert connection.scalar(text("SHOW default_transaction_isolation")) == (
                "repeatable read")  # the database's default, which the engine overrides
    finally:
        engine.dispose()


def test_of_processes_upgrading_an_old_database_at_once_one_says_it_upgraded(
        database_url: str) -> None:
    """Each read the revision before waiting for the first one's lock, and every one said
    "upgraded from 0002"; on PostgreSQL there was no lock, and the others failed half-way
    ("index ... does not exist"), also with a lock under repeatable read (the snapshot was
    taken before the wait). One upgrades; the others wait and find nothing to do. The test
    holds the lock while they start, so that they all wait for it."""
    from alembic import command

    postgres = database_url.startswith("postgresql")
    if postgres:  # as a team may set it for its database: the migration must not mind
        database_url = _repeatable_read_by_default(database_url)
    old = make_engine(database_url)
    command.upgrade(alembic_config(old), "0002")
    holder = old.connect().execution_options(tracker_write=True)  # SQLite: BEGIN IMMEDIATE
    holder.execute(text("SELECT pg_advisory_xact_lock(:key, hashtext(current_schema()))"
                        if postgres else "SELECT 1"), {"key": MIGRATION_LOCK_KEY})
    script = "import sys; from tracker.cli.main import main; main(sys.argv[1:])"
    runs = [subprocess.Popen([sys.executable, "-c", script, "--db", database_url, "db", "upgrade"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(4)]
    time.sleep(2)  # each has read the revision and waits for the lock
    holder.rollback()
    holder.close()
    old.dispose()
    outcomes = sorted(run.communicate(timeout=120) for run in runs)
    assert outcomes == [(f"already at {SCHEMA_HEAD}\n", "")] * 3 + [
        (f"upgraded from 0002 to {SCHEMA_HEAD}\n", "")]


def test_an_upgrade_over_several_steps_is_one_transaction(database_url: str) -> None:
    """Alembic commits after each step where it takes DDL as not transactional (SQLite): a
    process waiting to upgrade the same file then got in between two steps, read the version
    half-way and ran a step again ("duplicate column name", 1 in 4 runs of the test above)."""
    from alembic import command

    engine = make_engine(database_url)
    try:
        command.upgrade(alembic_config(engine), "0002")
        commits: list[str] = []
        event.listen(engine, "commit", lambda connection: commits.append("commit"))
        upgrade(engine)
        assert commits == ["commit"]
        assert current_revision(engine) == SCHEMA_HEAD
    finally:
        engine.dispose()


def test_server_database_is_never_migrated_implicitly(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("server databases only")
    with pytest.raises(SchemaOutOfDate) as refused:
        open_database(DatabaseChoice(database_url, "environment"))
    assert "Run: tracker db upgrade" in str(refused.value)
    with pytest.raises(SchemaOutOfDate) as refused:
        open_database(DatabaseChoice(database_url, "option"))
    assert "tracker --db" in str(refused.value) and "db upgrade" in str(refused.value)
    engine = make_engine(database_url)
    assert current_revision(engine) is None, "nothing was migrated"
    engine.dispose()


def test_a_database_from_a_newer_tracker_is_refused_by_name(database_url: str) -> None:
    """It was "out of date" with `tracker db upgrade` as the fix, which then failed with
    alembic's "Can't locate revision" reported as a bug (on SQLite at once)."""
    from tests.conftest import invoke_main

    engine = make_engine(database_url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    expected = (f"has schema 0099, which this tracker does not know (it knows up to "
                f"{SCHEMA_HEAD}): a newer tracker made it")
    for args in (["list"], ["db", "current"], ["db", "upgrade"]):
        result = invoke_main(["--db", database_url, *args])
        assert (result.exit_code, expected in result.stderr) == (1, True), (args, result)
        assert "Traceback" not in result.stderr and "bug" not in result.stderr


def test_checkout_finds_migrations_through_the_package() -> None:
    assert migrations_dir() == ROOT / "migrations"


@pytest.mark.slow
def test_wheel_ships_migrations_and_claims(tmp_path: Path) -> None:
    """A non-editable install must find its migrations inside the package."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True,
    )
    [wheel] = tmp_path.glob("tracker-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "tracker/_migrations/env.py" in names
    assert any(n.startswith("tracker/_migrations/versions/0001") for n in names)
    assert any(n.startswith("tracker/_claims/") and n.endswith(".toml") for n in names)
    # Unpacked elsewhere, the package resolves its own copy, not the checkout's.
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    found = subprocess.run(
        [sys.executable, "-c", "import tracker.db as d; print(d.migrations_dir())"],
        check=True, capture_output=True, text=True, cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
    ).stdout.strip()
    assert found == str(target / "tracker" / "_migrations")


def test_claims_recorded_before_0002_get_an_empty_url(database_url: str) -> None:
    """Data migration check: downgrade, insert a raw row, upgrade, read it back."""
    from alembic import command

    engine = make_engine(database_url)
    try:
        upgrade(engine, "0001")
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO reviewers (id, name, created_at) VALUES (1, 'ann', :now)"),
                {"now": "2024-01-01 00:00:00"})
            connection.execute(text(
                "INSERT INTO claims (id, uuid, slug, title, statement, quote, quote_lang, "
                "claimant, kind, horizon, deadline_rule, criteria, review_cadence, "
                "confidence_words, notes, status, version, created_at, changed_at, "
                "changed_by_id, synced_hash) VALUES (1, 'u1', 'old', 'Old', 'S', '', '', '', "
                "'prediction', '', '', '', '', '', '', 'open', 1, :now, :now, 1, '')"),
                {"now": "2024-01-01 00:00:00"})
        command.upgrade(alembic_config(engine), "head")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT url FROM claims WHERE slug = 'old'")
                                      ).scalar() == ""
    finally:
        engine.dispose()


def test_entries_recorded_before_0007_entered_when_they_were_recorded(
        database_url: str) -> None:
    """Their import moment was not kept: the one clock they have stands for both."""
    from alembic import command

    from tests.helpers import definition
    from tracker.ledger import EntryStamp, Ledger

    engine = make_engine(database_url)
    try:
        upgrade(engine)
        ledger = Ledger(engine)
        ledger.create_claim(definition("claim"), "ann")
        ledger.add_evidence("claim", title="A page", stance="context", reviewer="bob",
                            stamp=EntryStamp(recorded_at=datetime(2024, 1, 2, tzinfo=UTC)))
        command.downgrade(alembic_config(engine), "0006")
        upgrade(engine)
        with engine.connect() as connection:
            for table in ("claim_revisions", "evidence"):
                rows = connection.execute(text(f"SELECT recorded_at, entered_at FROM {table}"))
                assert [entered == recorded for recorded, entered in rows] == [True]
    finally:
        engine.dispose()


def test_the_upgrade_command_says_where_a_hidden_password_goes() -> None:
    """The password is not printed, so the command printed could not be run as it was."""
    with_password = DatabaseChoice("postgresql://ann:s3cret@db.example/team", "option")
    assert with_password.upgrade_command() == (
        "tracker --db 'postgresql://ann:***@db.example/team' db upgrade "
        "(with the password in place of ***)")
    without = DatabaseChoice("postgresql://ann@db.example/team", "option")
    assert without.upgrade_command() == "tracker --db postgresql://ann@db.example/team db upgrade"
