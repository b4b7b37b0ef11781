"""How fast the claims screen is, headless, at 1k and 100k claims.

Measures, with `App.run_test()`, each time up to the frame that shows the result (the first
frame painted once it is there, see `Frames`):
- the floor: start-up of a bare Textual app with a Header, an empty DataTable and a Footer,
  to its first frame;
- time to the first usable claims screen: to the first frame with the first page of rows;
- for reference, the claims screen's widgets alone: Textual's own widgets in the same places
  (header, filter input, facets line, a page of pre-formatted rows as text, status line,
  detail pane, footer with the same keys), with no database, no app CSS and no table code of
  ours: what the screen costs before it does any work;
- filter latency: from one keystroke in the filter to the frame showing the rows for it
  (median and 95th percentile over many keystrokes).
Targets: first screen within 1.5x of the floor; filter median under 50 ms at 100k.
For the analysis, it also prints how much of the floor and of the first screen was the
interpreter's garbage collector (collections started before the frame), and with `--phases`
when each step of a start-up begins (CSS parsed, screen composed and mounted, first page read
and shown, first frame), for the floor and the first screen side by side.
The floor and the first screen are started in turn, from a collected heap, and their medians
compared.

The synthetic database is written with bulk Core inserts into a temporary SQLite file.

    .venv/bin/python benchmarks/tui_bench.py [--sizes 1000 100000] [--runs 5] [--phases]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import inspect
import random
import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial, wraps
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import Engine, insert
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.css.stylesheet import Stylesheet
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.worker import WorkerCancelled

from tracker.db import make_engine, upgrade
from tracker.definitions import ClaimDefinition
from tracker.models import Claim, ClaimRevision, ClaimTag, Evidence, Forecast, Reviewer, Source
from tracker.tui.app import TrackerApp, make_app
from tracker.tui.listing import Listing
from tracker.tui.screens.claims import ClaimsScreen

SIZE = (120, 40)
WORDS = (
    "solar", "wind", "grid", "battery", "fusion", "coal", "gas", "rates", "inflation", "growth",
    "election", "vaccine", "malaria", "rice", "wheat", "drought", "flood", "chip", "model",
    "robot", "rocket", "orbit", "lunar", "tariff", "trade", "housing", "rent", "wage",
    "pension", "census", "migration",
)
STATUSES = ("open", "open", "open", "developing", "stalled", "confirmed", "refuted", "partly")
QUERIES = ("solar", "grid 1", "rates", "lunar orbit", "claim-0042", "zzz")
TYPING_GAP = 0.1
"""Seconds between keystrokes: a fast typist's pace (about 120 words a minute)."""
CHUNK = 5000
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def build_database(path: Path, claims: int, seed: int = 7) -> Engine:
    """`claims` claims (a tenth of them derived questions), with tags, revisions, about one
    forecast and half an evidence entry per claim, written with executemany inserts."""
    rng = random.Random(seed)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    created = NOW - timedelta(days=400)

    def claim_rows() -> Iterator[dict[str, Any]]:
        for number in range(1, claims + 1):
            words = rng.sample(WORDS, 3)
            title = f"{words[0].title()} {words[1]} {words[2]} {number}"
            yield {
                "id": number, "uuid": f"00000000-0000-4000-8000-{number:012d}",
                "slug": f"claim-{number:06d}", "title": title, "statement": title + ".",
                "kind": "prediction", "made_on": date(2023, 1, 1),
                "deadline_end": NOW + timedelta(days=rng.randint(-300, 2000)),
                "status": rng.choice(STATUSES), "version": 1, "created_at": created,
                "changed_at": created, "changed_by_id": 1, "source_id": number % 20 + 1,
                "parent_id": number - 1 if number % 10 == 0 else None,
                "review_cadence": "FREQ=MONTHLY" if number % 7 == 0 else "",
            }

    def revision_rows() -> Iterator[dict[str, Any]]:
        for number in range(1, claims + 1):
            definition = ClaimDefinition(slug=f"claim-{number:06d}", title=f"claim {number}",
                                         statement="A statement.")
            yield {"uuid": f"10000000-0000-4000-8000-{number:012d}", "claim_id": number,
                   "version": 1, "definition": definition.to_json(), "note": "",
                   "reviewer_id": 1, "recorded_at": created, "entered_at": created}

    def tag_rows() -> Iterator[dict[str, Any]]:
        for number in range(1, claims + 1):
            for tag in {rng.choice(WORDS[:12]), rng.choice(WORDS[12:])}:
                yield {"claim_id": number, "tag": tag}

    def forecast_rows() -> Iterator[dict[str, Any]]:
        for number in range(claims):
            claim_id = rng.randint(1, claims)
            moment = created + timedelta(days=rng.randint(1, 390))
            yield {"uuid": f"20000000-0000-4000-8000-{number:012d}", "claim_id": claim_id,
                   "probability": round(rng.random(), 2), "rationale": "", "made_at": moment,
                   "reviewer_id": rng.randint(1, 3), "recorded_at": moment, "entered_at": moment}

    def evidence_rows() -> Iterator[dict[str, Any]]:
        for number in range(claims // 2):
            moment = created + timedelta(days=rng.randint(1, 390))
            yield {"uuid": f"30000000-0000-4000-8000-{number:012d}",
                   "claim_id": rng.randint(1, claims), "url": "", "title": "A report",
                   "summary": "", "stance": rng.choice(("supports", "refutes", "context")),
                   "observed_on": None, "reviewer_id": 2, "recorded_at": moment,
                   "entered_at": moment}

    with engine.begin() as connection:
        connection.execute(insert(Reviewer), [
            {"id": index, "name": name, "created_at": created}
            for index, name in enumerate(("alice", "bob", "carol"), start=1)
        ])
        connection.execute(insert(Source), [
            {"id": index, "key": f"source-{index:02d}", "title": f"Source {index}",
             "created_at": created} for index in range(1, 21)
        ])
        for model, rows in ((Claim, claim_rows()), (ClaimRevision, revision_rows()),
                            (ClaimTag, tag_rows()), (Forecast, forecast_rows()),
                            (Evidence, evidence_rows())):
            for chunk in _chunks(rows):
                connection.execute(insert(model), chunk)
    return engine


class Frames:
    """When an app first hands the terminal a frame painted while a condition holds.

    Textual has no public event for a painted frame, so this wraps `App._display`, which every
    frame goes through (headless, a frame is composed and painted but not written out), and
    leaves out the frames a batch update holds back. Timing to the frame, not to the moment
    the data is in the widget, counts the layout and painting the reviewer waits for too."""

    def __init__(self, app: App[Any]) -> None:
        self.ready: Callable[[], bool] = lambda: False
        self.painted: float | None = None
        self._painted = asyncio.Event()
        display = app._display

        def display_and_time(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if (self.painted is None and renderable is not None and not app._batch_count
                    and self.ready()):
                self.painted = time.perf_counter()
                self._painted.set()

        app._display = display_and_time  # type: ignore[method-assign]

    def expect(self, ready: Callable[[], bool]) -> None:
        """Time the first frame from now on that is painted while `ready()` holds."""
        self.painted = None
        self._painted.clear()
        self.ready = ready

    async def painted_at(self, timeout: float = 60.0) -> float:
        try:
            await asyncio.wait_for(self._painted.wait(), timeout)
        except TimeoutError:
            raise TimeoutError("the app did not get there in time") from None
        assert self.painted is not None
        return self.painted


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()


class WidgetsOnlyApp(App[None]):
    """The claims screen's widgets without its work: see the module's docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(key, "bell", description) for key, description in (
            ("e", "Evidence"), ("f", "Forecast"), ("c", "Status"), ("x", "Resolve"),
            ("w", "Retract"), ("slash", "Filter"), ("F", "Facets"), ("question_mark", "Help"),
            ("r", "Review"), ("l", "Scores"), ("q", "Quit"),
        )
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filter-bar"):
            yield Input(placeholder="/ filter by slug or title")
            yield Static("status any ▾  tag any ▾  source any ▾  kind any ▾")
        yield Static("Slug  Title  Status  Deadline  Mine  Team  Evid.  Review")
        yield Static("\n".join(
            f"claim-{number:06d}  Solar grid battery {number}  open  2026-01-01  40%  55%  12d  "
            "2026-02-01" for number in range(1, 51)), id="rows")
        yield Static("1–50 of 1,000 top-level claims · sorted by slug ↑")
        with VerticalScroll():
            yield Static("no claim selected")
        yield Footer()


async def _until(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(0.0005)


async def floor_startup() -> float:
    started = time.perf_counter()
    app = BareApp()
    frames = Frames(app)
    frames.expect(lambda: any(table.is_mounted for table in app.screen.query(DataTable)))
    async with app.run_test(size=SIZE):
        return await frames.painted_at() - started


async def widgets_only_startup() -> float:
    started = time.perf_counter()
    app = WidgetsOnlyApp()
    frames = Frames(app)
    frames.expect(lambda: any(rows.is_mounted for rows in app.screen.query("#rows")))
    async with app.run_test(size=SIZE):
        return await frames.painted_at() - started


def _claims_screen(app: TrackerApp) -> ClaimsScreen | None:
    screen = app.screen
    return screen if isinstance(screen, ClaimsScreen) else None


async def first_screen(engine: Engine) -> float:
    started = time.perf_counter()
    app = make_app(engine, "alice", now=NOW)
    frames = Frames(app)

    def ready() -> bool:
        screen = _claims_screen(app)
        return screen is not None and screen.is_mounted and screen.table.row_count > 0

    frames.expect(ready)
    async with app.run_test(size=SIZE) as pilot:
        elapsed = await frames.painted_at() - started
        # Let the detail pane's load finish before the app exits (a worker replaced by a
        # newer one in its exclusive group is cancelled: not a failure of the run).
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        return elapsed


class TablePaints:
    """Which request's page the claims table last painted lines of. A frame can be painted
    for something else (the filter's echo, a blinking cursor) after the page is in the table
    but before the table repaints; only a frame in which the table painted the page counts."""

    def __init__(self, screen: ClaimsScreen) -> None:
        self.serial = 0
        table = screen.table
        render_line = table.render_line

        def render_and_note(y: int) -> Any:
            self.serial = screen.shown_serial
            return render_line(y)

        table.render_line = render_and_note  # type: ignore[method-assign]


def _page_painted_after(screen: ClaimsScreen, paints: TablePaints, request: int) -> bool:
    """Whether the table shows and has painted the page of the latest request, made after
    `request`."""
    return screen.serial > request and paints.serial == screen.shown_serial == screen.serial


async def filter_latencies(engine: Engine) -> list[float]:
    """Type each query a key at a time, then delete it; time every key to the frame with its
    new page."""
    app = make_app(engine, "alice", now=NOW)
    frames = Frames(app)
    latencies: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        screen = _claims_screen(app)
        assert screen is not None
        await _until(lambda: screen.table.row_count > 0)
        paints = TablePaints(screen)
        filter_input = screen.query_one("#filter", Input)
        filter_input.focus()
        await pilot.pause()
        keys = [char for query in QUERIES for char in (*query, *["\b"] * len(query))]
        for char in keys:
            frames.expect(partial(_page_painted_after, screen, paints, screen.serial))
            started = time.perf_counter()
            key = "backspace" if char == "\b" else ("space" if char == " " else char)
            app.post_message(events.Key(key, None if char == "\b" else char))
            latencies.append(await frames.painted_at() - started)
            await asyncio.sleep(TYPING_GAP)
    return latencies


class Phases:
    """When each step of one start-up first begins (and some end), in seconds from its start:
    the named methods are wrapped while the `with` block runs. Private to this analysis: it
    leans on method names of Textual and of the app, which the timing itself does not."""

    STEPS: ClassVar[tuple[tuple[type, str, str, str], ...]] = (
        # (class, method, the step its call begins, the step its return begins or "")
        (Stylesheet, "parse", "CSS parsing", "CSS parsed"),
        (BareApp, "compose", "compose", ""),
        (ClaimsScreen, "compose", "compose", ""),
        (ClaimsScreen, "on_mount", "screen mounted", ""),
        (Listing, "read_page", "first page query (thread)", "query done"),
        (ClaimsScreen, "_render_rows", "rows in the table", ""),
        (Screen, "_on_screen_resume", "screen shown", ""),
        (Screen, "_refresh_layout", "layout and paint", ""),
    )

    def __init__(self) -> None:
        self.started = 0.0
        self.marks: dict[str, float] = {}
        self._originals: list[tuple[type, str, Any]] = []

    def _mark(self, name: str) -> None:
        if name:
            self.marks.setdefault(name, time.perf_counter() - self.started)

    def _wrapped(self, method: Any, begins: str, ends: str) -> Any:
        if inspect.iscoroutinefunction(method):
            @wraps(method)  # Textual passes a handler the arguments it names
            async def timed_coroutine(*args: Any, **kwargs: Any) -> Any:
                self._mark(begins)
                result = await method(*args, **kwargs)
                self._mark(ends)
                return result
            return timed_coroutine

        @wraps(method)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._mark(begins)
            result = method(*args, **kwargs)
            self._mark(ends)
            return result
        return timed

    def __enter__(self) -> Phases:
        for owner, attribute, begins, ends in self.STEPS:
            method = owner.__dict__[attribute]
            self._originals.append((owner, attribute, method))
            setattr(owner, attribute, self._wrapped(method, begins, ends))
        return self

    def __exit__(self, *_exc: object) -> None:
        for owner, attribute, method in self._originals:
            setattr(owner, attribute, method)

    def start(self) -> None:
        self.started = time.perf_counter()
        self.marks = {}


async def start_up_phases(engine: Engine, runs: int) -> None:
    """Print the median moment of each step of the floor's and the first screen's start-ups."""
    floors: dict[str, list[float]] = {}
    firsts: dict[str, list[float]] = {}
    with Phases() as phases:
        for _ in range(runs):
            for start, marks in ((floor_startup, floors),
                                 (partial(first_screen, engine), firsts)):
                gc.collect()
                phases.start()
                elapsed = await start()
                for name, moment in (*phases.marks.items(), ("first frame", elapsed)):
                    marks.setdefault(name, []).append(moment)
    for title, marks in (("floor", floors), ("first screen", firsts)):
        steps = sorted((statistics.median(moments), name) for name, moments in marks.items())
        print(textwrap.fill(", ".join(f"{name} {moment * 1000:.1f}" for moment, name in steps),
                            width=94, initial_indent=f"  {title} (ms from its start, medians): ",
                            subsequent_indent="    "))


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


class Collections:
    """The time the cyclic garbage collector runs, by when each collection started: part of
    every start-up figure, and more of an app that allocates more objects before its first
    frame (Textual's strips and caches), not work of the app's own code."""

    def __init__(self) -> None:
        self.runs: list[tuple[float, float]] = []
        self._started = 0.0

    def _note(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.runs.append((self._started, time.perf_counter() - self._started))

    def __enter__(self) -> Collections:
        gc.callbacks.append(self._note)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self._note)

    def before(self, moment: float) -> float:
        return sum(length for started, length in self.runs if started < moment)


@dataclass(frozen=True)
class Startups:
    """Medians over the rounds, in seconds: each start-up, and the garbage collection in it."""

    floor: float
    widgets: float
    first: float
    floor_collecting: float
    first_collecting: float


async def _timed(start: Callable[[], Awaitable[float]]) -> tuple[float, float]:
    """A start-up's time to its first frame, and the collector's time within it."""
    gc.collect()  # from a collected heap: garbage left by the runs before is not this one's
    with Collections() as collections:
        began = time.perf_counter()
        elapsed = await start()
    return elapsed, collections.before(began + elapsed)


async def first_screens(engine: Engine, runs: int) -> Startups:
    """Medians of the floor, of the widgets alone and of the first claims screen over `runs`
    rounds, each round one of each in turn (so a busy neighbour slows all alike)."""
    floors, widgets, firsts = [], [], []
    for _ in range(runs):
        floors.append(await _timed(floor_startup))
        widgets.append(await _timed(widgets_only_startup))
        firsts.append(await _timed(partial(first_screen, engine)))
    return Startups(
        statistics.median(time for time, _ in floors),
        statistics.median(time for time, _ in widgets),
        statistics.median(time for time, _ in firsts),
        statistics.median(collecting for _, collecting in floors),
        statistics.median(collecting for _, collecting in firsts),
    )


async def main(sizes: list[int], runs: int, phases: bool = False) -> None:
    await floor_startup()  # the first start of any Textual app warms its imports and caches
    await widgets_only_startup()
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            built = time.perf_counter()
            engine = build_database(Path(folder) / f"bench-{size}.db", size)
            print(f"\n{size:,} claims (database written in {time.perf_counter() - built:.1f} s)")
            await first_screen(engine)  # warms the app's own imports and its SQL statements
            startups = await first_screens(engine, runs)
            floor, widgets, first = startups.floor, startups.widgets, startups.first
            print(f"  floor: bare Textual app with an empty DataTable  {_ms(floor)}"
                  f"  (median of {runs}, in turn with the next two)")
            print(f"  the claims screen's widgets alone, no work  {_ms(widgets)}"
                  f"  = {widgets / floor:.2f}x the floor  (reference)")
            print(f"  first usable claims screen   {_ms(first)}  = {first / floor:.2f}x the floor"
                  f"  (target 1.5x: {'ok' if first <= 1.5 * floor else 'MISSED'})")
            print(f"  of which garbage collection: floor {_ms(startups.floor_collecting)}, "
                  f"first screen {_ms(startups.first_collecting)}  (medians)")
            if phases:
                await start_up_phases(engine, runs)
            latencies = sorted(await filter_latencies(engine))
            median = statistics.median(latencies)
            p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
            print(f"  filter keystroke -> table    median {_ms(median)}, p95 {_ms(p95)}, "
                  f"over {len(latencies)} keys  (target median < 50 ms: "
                  f"{'ok' if median < 0.050 else 'MISSED'})")
            engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--phases", action="store_true",
                        help="also print when each step of a start-up begins")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.sizes, arguments.runs, arguments.phases))
    sys.exit(0)
