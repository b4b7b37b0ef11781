"""Fixtures for the app's tests: a small seeded database and an app on a fixed clock."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

import pytest
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from textual.pilot import Pilot
from textual.widgets import Input, Static
from textual.worker import WorkerCancelled, WorkerFailed, WorkerState

from tests.conftest import Clock
from tracker.db import make_engine, upgrade
from tracker.definitions import ClaimDefinition, SourceInfo
from tracker.horizons import parse_deadline
from tracker.ledger import Ledger
from tracker.tui.app import TrackerApp, make_app
from tracker.tui.widgets.claim_detail import ClaimDetailView

SIZE = (120, 40)
BUSY = (WorkerState.PENDING, WorkerState.RUNNING)


def definition(slug: str, title: str, *, deadline: str = "2030", parent: str | None = None,
               tags: tuple[str, ...] = (), cadence: str = "", kind: str = "prediction",
               source: str | None = "iea-2023") -> ClaimDefinition:
    return ClaimDefinition(
        slug=slug, title=title, statement=f"It is claimed that {title.lower()}.",
        criteria="Resolves yes if the official figures say so.", made_on=date(2023, 6, 1),
        tags=tags, parent=parent, source=source, review_cadence=cadence, kind=kind,
        quote=f"{title}, we expect.", quote_lang="en",
    ).with_deadline(parse_deadline(deadline, date(2023, 6, 1)))


def add_claim(ledger: Ledger, slug: str, title: str, reviewer: str = "alice",
              **fields: Any) -> None:
    ledger.create_claim(definition(slug, title, **fields), reviewer)


def write_keymap(tmp_path: Path, text: str) -> Path:
    """A keymap file holding `text`, for `tui(keymap_file=...)`."""
    path = tmp_path / "keymap.toml"
    path.write_text(text, encoding="utf-8")
    return path


def keep_source_copy(ledger: Ledger, text: str) -> None:
    """Store `text` as the seeded source's copy, which the ledger checks quotes against."""
    ledger.upsert_source(SourceInfo(key="iea-2023", title="World Energy Outlook",
                                    copy_path="weo.txt",
                                    copy_sha256=hashlib.sha256(text.encode()).hexdigest()),
                         copy_text=text)


def seed(ledger: Ledger) -> None:
    """Six claims: a parent with two derived questions, one stalled, one resolved, one overdue."""
    ledger.upsert_source(SourceInfo(key="iea-2023", title="World Energy Outlook",
                                    publisher="IEA", url="https://iea.org/weo"))
    add_claim(ledger, "ev-share", "EVs reach half of new car sales", tags=("energy",))
    add_claim(ledger, "ev-share-eu", "EU EV share over half", parent="ev-share",
              tags=("energy", "eu"))
    add_claim(ledger, "ev-share-cn", "China EV share over half", parent="ev-share",
              tags=("china", "energy"))
    add_claim(ledger, "fusion-grid", "Fusion power reaches the grid", deadline="2035",
              tags=("energy",))
    add_claim(ledger, "gdp-growth", "World GDP grows over 3%", deadline="2023-12-31",
              tags=("economy",), kind="fact")
    add_claim(ledger, "rates-cut", "Central banks cut rates", deadline="2023-11-30",
              tags=("economy",))
    ledger.forecast("ev-share", 0.6, reviewer="alice", rationale="trend")
    ledger.forecast("ev-share", 0.2, reviewer="bob")
    ledger.add_evidence("ev-share", title="Sales up 30%", stance="supports", reviewer="bob",
                        url="https://iea.org/sales", observed_on=date(2023, 9, 1))
    ledger.change_status("fusion-grid", "stalled", reviewer="bob", note="no funding")
    ledger.resolve("gdp-growth", "yes", reviewer="bob", note="IMF figures")


@dataclass(frozen=True)
class Template:
    """A database file to start SQLite tests from, and the test clock's time after it."""

    path: Path
    clock_now: datetime


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Template]:
    """Migrated and seeded SQLite files, made once: migrating and seeding for every test
    would be a tenth of the app tests' run time."""
    folder = tmp_path_factory.mktemp("templates")
    made = {}
    for name in ("migrated", "seeded"):
        path = folder / f"{name}.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        clock = Clock()
        if name == "seeded":
            seed(Ledger(engine, clock=clock))
        engine.dispose()  # closes every connection, so the file holds everything
        made[name] = Template(path, clock.now)
    return made


def _start_from(template: Template, database_url: str, clock: Clock) -> None:
    database = make_url(database_url).database
    assert database is not None
    shutil.copyfile(template.path, database)
    clock.now = template.clock_now


@pytest.fixture
def engine(database_url: str, templates: dict[str, Template], clock: Clock) -> Iterator[Engine]:
    """As the shared fixture, but SQLite starts from a copy of the migrated template."""
    if database_url.startswith("sqlite"):
        _start_from(templates["migrated"], database_url, clock)
    engine = make_engine(database_url)
    if not database_url.startswith("sqlite"):
        upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def seeded(ledger: Ledger, database_url: str, templates: dict[str, Template],
           clock: Clock) -> Ledger:
    """The seeded claims: on SQLite a copy of the seeded template (same data, same clock)."""
    if database_url.startswith("sqlite"):
        _start_from(templates["seeded"], database_url, clock)
    else:
        seed(ledger)
    return ledger


@pytest.fixture
def tui(engine: Engine, clock: Clock, tmp_path: Path) -> Callable[..., TrackerApp]:
    """Build the app for a reviewer on the test clock, cursors still, no user keymap or
    remembered theme."""

    def build(reviewer: str = "alice", **options: object) -> TrackerApp:
        options.setdefault("keymap_file", tmp_path / "no-keymap.toml")
        options.setdefault("settings_file", tmp_path / "no-settings" / "app.toml")
        return make_app(engine, reviewer, now=clock, cursor_blink=False,
                        **options)  # type: ignore[arg-type]

    return build


async def settle(pilot: Pilot[None]) -> None:
    """Wait until the workers started by the last key, and those their results start, end.
    Idle twice in a row: some workers start after the next refresh (the detail of a claim
    the cursor moved to), and a loaded machine may not have refreshed at the first look.
    A worker cancelled (replaced by a newer one in its exclusive group) or failing while
    waited for ends the wait, not the test: the loop looks again, and a failure is the
    app's to show (tests assert on what it shows)."""
    idle = 0
    for _ in range(20):
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        idle = idle + 1 if _quiet(pilot.app) else 0
        if idle == 2:
            return


def _quiet(app: TrackerApp) -> bool:
    """No worker running and no message waiting. A worker that ended between two looks has
    posted its result already, but the message may not be handled yet (a notice to come)."""
    nodes = [app, *(node for screen in app.screen_stack
                    for node in screen.walk_children(with_self=True))]
    return (not any(worker.state in BUSY for worker in app.workers)
            and not any(node.message_queue_size for node in nodes))


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Enter `text` into the focused input at once: pressing it key by key costs ~0.1 s a key
    in a headless run, and what a key does to an Input is Textual's to test, not ours."""
    focused = pilot.app.focused
    assert isinstance(focused, Input), focused
    focused.insert_text_at_cursor(text)
    await pilot.pause()


async def fill(pilot: Pilot[None], field: str, text: str) -> None:
    """Replace what the form field with id `field` holds by `text`, as if typed there."""
    widget = pilot.app.screen.query_one(f"#{field}", Input)
    widget.value = ""
    widget.focus()
    await pilot.pause()
    await type_text(pilot, text)


def went_away(*_args: object, **_kwargs: object) -> NoReturn:
    """Put in place of a query: the database failing under the app."""
    raise RuntimeError("database went away")


def told_it_went_away(app: TrackerApp) -> bool:
    """Whether the app showed the failure `went_away` raised."""
    return any("database went away" in notice.message for notice in app._notifications)


def pane_text(view: ClaimDetailView) -> str:
    """What a detail pane shows, as plain text."""
    console = Console(width=200, record=True)
    console.print(view.query_one("#detail-body", Static).content)
    return console.export_text()
