"""Shared fixtures: every database test runs on SQLite, and on PostgreSQL too when
TRACKER_TEST_DATABASE_URL is set (each test in its own schema, dropped afterwards)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tracker.db import make_engine, upgrade
from tracker.ledger import Ledger
from tracker.queries import Queries

POSTGRES_URL = os.environ.get("TRACKER_TEST_DATABASE_URL", "")

# Property tests check results, not speed: on a shared, busy machine Hypothesis's default
# 200 ms deadline per example fails tests whose answers are right.
settings.register_profile("tracker", deadline=None)
settings.load_profile("tracker")


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the user's real database or identity."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.setenv("TRACKER_REVIEWER", "tester")


def _postgres_schema_url(schema: str) -> str:
    url = make_url(POSTGRES_URL)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL on each backend (no schema yet)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("TRACKER_TEST_DATABASE_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(_postgres_schema_url("public"))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_schema_url(schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated database on each backend."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


class Clock:
    """A controllable clock so tests can record entries "in the past" or "in the future"."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2024, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(engine: Engine, clock: Clock) -> Ledger:
    return Ledger(engine, clock=clock)


@pytest.fixture
def queries(engine: Engine) -> Queries:
    return Queries(engine)


@dataclass(frozen=True)
class CliOutcome:
    exit_code: int
    stdout: str
    stderr: str


def invoke_main(args: list[str], input: str | None = None) -> CliOutcome:
    """Run `tracker.cli.main.main` in-process exactly as the console script would."""
    from tracker.cli.main import main

    runner = CliRunner()
    with runner.isolation(input=input) as (stdout, stderr, _output):
        try:
            main(args)
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        return CliOutcome(code, stdout.getvalue().decode(), stderr.getvalue().decode())


@pytest.fixture
def run_cli(database_url: str, engine: Engine) -> Callable[..., CliOutcome]:
    """`tracker --db URL ARGS...` against the test database (already migrated)."""

    def run(*args: str, input: str | None = None) -> CliOutcome:
        return invoke_main(["--db", database_url, *args], input=input)

    return run
