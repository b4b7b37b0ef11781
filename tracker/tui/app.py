"""The review app and `make_app`, the one factory shared by the CLI and the tests."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.color_triplet import ColorTriplet
from rich.terminal_theme import TerminalTheme
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen
from textual.theme import Theme
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from tracker.db import database_problem
from tracker.errors import CannotWrite, TrackerError
from tracker.horizons import utc_now
from tracker.ledger import Ledger
from tracker.queries import Queries
from tracker.review_queue import ReviewPolicy
from tracker.tui.commands import TrackerCommands
from tracker.tui.dialogs.conflict import ConflictDialog
from tracker.tui.dialogs.facets import FacetDialog
from tracker.tui.dialogs.form import FormDialog
from tracker.tui.dialogs.help import HelpDialog
from tracker.tui.dialogs.summary import SummaryDialog
from tracker.tui.keymap import (
    bindings_not_working_now,
    clashes,
    keymap_path,
    load_keymap,
    with_keys,
)
from tracker.tui.messages import ReportFailed, ReportWritten
from tracker.tui.screens.base import ClaimEditingScreen
from tracker.tui.screens.claims import ClaimsScreen
from tracker.tui.screens.review import ReviewScreen
from tracker.tui.screens.scores import ScoresScreen
from tracker.tui.settings import load_theme, save_theme, settings_path
from tracker.tui.widgets.claims_table import ClaimsTable

if TYPE_CHECKING:
    from tracker.tui.dialogs.report import ReportRequest

Clock = Callable[[], datetime]

REMAPPABLE = (ClaimEditingScreen, ClaimsScreen, ReviewScreen, ScoresScreen, ClaimsTable, FormDialog,
              ConflictDialog, FacetDialog, HelpDialog, SummaryDialog)
"""Classes whose bindings carry ids a keymap file may remap (the app's own too)."""
LEAVING_ACTIONS = frozenset({"start_review", "show_claims", "show_scores"})
"""App actions that leave the screen the reviewer works on."""
ANSI_YELLOW = 3
READABLE_YELLOW = ColorTriplet(0x87, 0x5F, 0x00)
"""xterm's "orange4": terminal yellow on light themes ("stalled", the blind label). Textual's
light ANSI palette draws yellow as #CB9000, 2:1 on a light theme's surface; this is 4:1 or
more on the five light themes Textual ships."""


def with_readable_yellow(palette: TerminalTheme) -> TerminalTheme:
    """`palette` with yellow dark enough to read on a light background."""
    colors: list[tuple[int, int, int]] = [palette.ansi_colors[index] for index in range(16)]
    colors[ANSI_YELLOW] = READABLE_YELLOW
    return TerminalTheme(palette.background_color, palette.foreground_color, colors[:8],
                         colors[8:])


class TrackerApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "tracker"
    COMMANDS = App.COMMANDS | {TrackerCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("r", "start_review", "Review", id="app.review"),
        Binding("l", "show_scores", "Scores", id="app.scores"),
        Binding("ctrl+b", "toggle_blind", "Blind forecasting in reviews (on/off)",
                id="app.blind", show=False),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(
        self,
        ledger: Ledger,
        queries: Queries,
        reviewer: str,
        *,
        clock: Clock = utc_now,
        blind: bool = True,
        cursor_blink: bool = True,
        review_policy: ReviewPolicy | None = None,
        keymap_file: Path | None = None,
        settings_file: Path | None = None,
    ) -> None:
        super().__init__()
        self.ansi_theme_light = with_readable_yellow(self.ansi_theme_light)
        self.ledger = ledger
        self.queries = queries
        self.reviewer = reviewer
        self.now = clock
        self.blind = blind
        self.cursor_blink = cursor_blink
        self.review_policy = review_policy or ReviewPolicy()
        self.keymap_file = keymap_file or keymap_path()
        self.settings_file = settings_file or settings_path()

    def get_default_screen(self) -> Screen[None]:
        return ClaimsScreen()

    def on_mount(self) -> None:
        self.sub_title = self.reviewer or "no reviewer: pass --as NAME"
        known = {binding_id for owner in (TrackerApp, *REMAPPABLE)
                 for binding_id, _keys in _identified(owner)}
        loaded = load_keymap(self.keymap_file, known)
        problems = list(loaded.problems)
        if loaded.keys:  # most starts have no keymap: nothing to set or check
            self.set_keymap(loaded.keys)
            problems += clashes(_binding_places(), loaded.keys)
        for problem in problems:
            self.notify(problem, title="Keymap", severity="warning", timeout=10)
        remembered = load_theme(self.settings_file, set(self.available_themes))
        if remembered.name is not None:
            self.theme = remembered.name
        if remembered.problem:
            self.notify(remembered.problem, title="Theme", severity="warning", timeout=10)
        # Subscribed after the theme is set: opening on it is not picking it again.
        self.call_next(self.theme_changed_signal.subscribe, self, self._remember_theme)

    @work(thread=True, exit_on_error=False, group="settings")
    def _remember_theme(self, theme: Theme) -> None:
        """Remember the theme for the next start. A settings file that cannot be written is
        said as such (not as a failure of the app's), and the theme stays in use."""
        try:
            save_theme(self.settings_file, theme.name)
        except CannotWrite as error:
            self.call_from_thread(
                self.notify, f"{error}: it stays in use, but the next start will not open on it",
                title="Theme not remembered", severity="warning", timeout=10)

    def steady_cursors(self, screen: Screen[Any]) -> None:
        """Stop text cursors blinking when asked (snapshot tests need a still picture)."""
        if not self.cursor_blink:
            for widget in screen.query(Input):
                widget.cursor_blink = False

    @property
    def claims_screen(self) -> ClaimsScreen:
        return next(screen for screen in self.screen_stack if isinstance(screen, ClaimsScreen))

    @property
    def working_screen(self) -> Screen[Any]:
        """The screen the reviewer works on, even while a form or the palette covers it
        (so its footer does not change, and redraw, each time a form opens)."""
        return next(screen for screen in reversed(self.screen_stack)
                    if not isinstance(screen, ModalScreen))

    @property
    def form_open(self) -> bool:
        """Whether a form (or a conflict holding a change) is open: leaving the screen under
        it would throw away what it holds."""
        return any(isinstance(screen, (FormDialog, ConflictDialog))
                   for screen in self.screen_stack)

    @property
    def review_session(self) -> ReviewScreen | None:
        return next((screen for screen in self.screen_stack
                     if isinstance(screen, ReviewScreen)), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in LEAVING_ACTIONS and self.form_open:
            return False  # not even from the palette: it would throw the form away
        if action == "start_review":
            return isinstance(self.working_screen, ClaimsScreen)
        if action == "show_claims":
            return not isinstance(self.working_screen, ClaimsScreen)
        if action == "show_scores":
            return isinstance(self.working_screen, ClaimsScreen)
        return True

    def action_start_review(self) -> None:
        # From the palette over a view of the claims (as of, facets, help) too: it closes.
        if isinstance(self.working_screen, ClaimsScreen):
            self._back_to_claims(lambda: self.push_screen(ReviewScreen()))

    def end_review(self) -> None:
        """Close the review session (and anything left open over it) and show the claims
        as the session left them."""
        while any(isinstance(screen, ReviewScreen) for screen in self.screen_stack):
            self.pop_screen()
        self.claims_screen.action_reload()

    def action_toggle_blind(self) -> None:
        self.blind = not self.blind
        self.notify("Blind forecasting on: team forecasts hidden until you forecast"
                    if self.blind else "Blind forecasting off: team forecasts shown")
        for screen in self.screen_stack:
            if isinstance(screen, ReviewScreen):
                screen.toggle_blind()

    async def action_quit(self) -> None:
        """In a review session, the session's summary first: closing it quits."""
        review = self.review_session
        if review is None or self.form_open:
            await super().action_quit()
        elif not isinstance(self.screen, SummaryDialog):
            review.finish(then=self.exit, closing="quits tracker")

    def action_show_claims(self) -> None:
        self._back_to_claims(lambda: None)

    def _back_to_claims(self, then: Callable[[], object]) -> None:
        """Close the screens over the claims screen, then run `then`. A review session is
        ended with its summary first, so the reviewer sees the tally and nothing is lost."""
        review = self.review_session
        if review is not None:
            if isinstance(self.screen, SummaryDialog):  # ending already: show it once
                self.pop_screen()
            review.finish(then=then)
            return
        while not isinstance(self.screen, ClaimsScreen):
            self.pop_screen()
        then()

    def action_write_report(self) -> None:
        # Imported here: the report code is only needed for this command.
        from tracker.tui.dialogs.report import ReportDialog

        def chosen(request: ReportRequest | None) -> None:
            if request is not None:
                self.notify(f"Writing {request.path}…", title="Report")
                self.write_report_file(request)

        self.push_screen(ReportDialog(self.now(), Path.cwd()), chosen)

    @work(thread=True, exit_on_error=False, group="report")
    def write_report_file(self, request: ReportRequest) -> None:
        """Build and write a report: seconds on a large database. The app's worker, not a
        screen's, so closing the screen it was started from does not cancel its outcome."""
        from tracker.reports import write_report

        try:
            changed = write_report(self.queries.engine, request.path, request.format,
                                   request.as_of or self.now(), request.since)
        except (TrackerError, OSError, SQLAlchemyError) as error:
            self.post_message(ReportFailed(request.path, str(error)))
        else:
            self.post_message(ReportWritten(request.path, changed))

    @on(ReportWritten)
    def _report_written(self, message: ReportWritten) -> None:
        done = "Written" if message.changed else "Unchanged (the file already held this report)"
        self.notify(f"{done}: {message.path}", title="Report", timeout=10)

    @on(ReportFailed)
    def _report_failed(self, message: ReportFailed) -> None:
        self.notify(f"{message.path}: {message.reason}", title="Report not written",
                    severity="error", timeout=15)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app's own workers: shown like the screens' (each screen gets only its own)."""
        if event.state is WorkerState.ERROR:
            self.show_failure(event.worker.error)

    def show_failure(self, error: BaseException | None) -> None:
        """A query or write that failed: shown, never fatal (workers do not exit on error)."""
        if isinstance(error, SQLAlchemyError):
            self.notify(database_problem(error), title="Database error", severity="error",
                        timeout=15)
        else:  # a bug: its type says most
            self.notify(f"{type(error).__name__}: {error}", title="Error", severity="error",
                        timeout=15)

    def action_show_scores(self) -> None:
        if isinstance(self.working_screen, ClaimsScreen):  # see action_start_review
            self._back_to_claims(lambda: self.push_screen(ScoresScreen()))

    def jump_to_claim(self, slug: str) -> None:
        if self.form_open:  # the palette lists claims over a form too
            self.notify(f"Save or close the form first (it would be lost): then jump to {slug}",
                        severity="warning")
            return
        self._back_to_claims(lambda: self.claims_screen.show_claim(slug))

    def action_help(self) -> None:
        screen = self.screen
        keys: dict[str, tuple[list[str], str]] = {}  # binding id -> (keys, description)
        for active in screen.active_bindings.values():
            binding = active.binding
            if active.enabled and binding.id:
                shown, _ = keys.setdefault(binding.id, ([], binding.description))
                shown.append(self.get_key_display(binding))
        rows = [(", ".join(shown), description, binding_id)
                for binding_id, (shown, description) in keys.items()]
        about = with_keys(str(getattr(screen, "HELP", "") or ""), screen)
        self.push_screen(HelpDialog(_help_heading(screen), about, rows,
                                    bindings_not_working_now(screen, keys)))


def _identified(owner: type[Any]) -> list[tuple[str, str]]:
    """The (id, keys) of the bindings `owner` declares itself."""
    return [(binding.id, binding.key) for binding in owner.__dict__.get("BINDINGS", ())
            if isinstance(binding, Binding) and binding.id]


def _binding_places() -> dict[str, list[tuple[str, str]]]:
    """Each screen with every binding that can act on it: its own and its base classes',
    the table's on the claims screen, and the app's except on a dialog (a modal screen
    ends the chain of bindings Textual looks in)."""
    places = {}
    for screen in REMAPPABLE:
        if not issubclass(screen, Screen) or screen is ClaimEditingScreen:
            continue
        app = [] if issubclass(screen, ModalScreen) else [TrackerApp]
        owners = [*app, *screen.__mro__, *([ClaimsTable] if screen is ClaimsScreen else [])]
        name = _in_words(screen.__name__).lower()
        places[f"the {name}"] = [pair for owner in owners for pair in _identified(owner)]
    return places


def _help_heading(screen: Screen[Any]) -> str:
    """What help is titled over `screen`: a form's heading ("Add evidence"), else its class
    in words ("As of" for AsOfDialog, not the class name)."""
    heading = getattr(screen, "HEADING", "")
    if heading:
        return str(heading)
    name = type(screen).__name__.removesuffix("Screen").removesuffix("Dialog")
    return _in_words(name).capitalize()


def _in_words(class_name: str) -> str:
    """A class's name as words: "AsOfDialog" -> "As Of Dialog"."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", class_name)


def _clock_from(start: datetime) -> Clock:
    ticks = itertools.count()
    return lambda: start + timedelta(microseconds=next(ticks))


def make_app(
    engine: Engine,
    reviewer: str,
    *,
    now: Clock | datetime | None = None,
    blind: bool = True,
    cursor_blink: bool = True,
    keymap_file: Path | None = None,
    settings_file: Path | None = None,
) -> TrackerApp:
    """The app on `engine` for `reviewer`. `now` replaces the clock for tests and
    reproducible pictures: a callable, or a datetime to start a clock from that advances a
    microsecond per reading (so entries recorded in the app still come in order)."""
    clock = _clock_from(now) if isinstance(now, datetime) else now or utc_now
    return TrackerApp(Ledger(engine, clock=clock), Queries(engine), reviewer, clock=clock,
                      blind=blind, cursor_blink=cursor_blink, keymap_file=keymap_file,
                      settings_file=settings_file)
