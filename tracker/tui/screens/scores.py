"""The scores screen: the leaderboard `tracker score` prints, and a calibration chart.

The numbers come from the same core function (`tracker.scorebook.leaderboard`) and are
written with the same digits as the CLI, so the app and `tracker score` always agree. The
as-of field shows the past: only what had been recorded by then counts.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, cast

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Input, Select, Static
from textual.worker import Worker, WorkerState

from tracker.horizons import DateError
from tracker.reports.text import (
    calibration_title,
    decomposition_text,
    leaderboard_heading,
    nothing_to_score,
    number,
    percent,
)
from tracker.scorebook import GROUPINGS, Grouping, Leaderboard, leaderboard, only_sources_scored
from tracker.scoring import CalibrationBin
from tracker.tui.dialogs.form import describe_instant, read_as_of, set_hint
from tracker.tui.keymap import key_for
from tracker.tui.messages import ScoresLoaded
from tracker.tui.screens.base import TrackerScreen
from tracker.tui.widgets.footer import Footer

CHART_WIDTH = 41
"""Characters for the 0..1 axis of the calibration chart (41: a mark every 0.025)."""


def leaderboard_table(board: Leaderboard) -> Table:
    """The rows as `tracker score` prints them. A key too long for its column wraps onto more
    lines, never cut short: cut, two reviewers (or tags) that share its first characters
    read as one name with two sets of scores."""
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column(board.by, overflow="fold")
    for label in ("n", "brier", "b.time", "log", "baseline", "peer", "rel.b", "cover"):
        table.add_column(label, justify="right")
    for row in board.rows:
        table.add_row(
            row.key, str(row.n), number(row.brier), number(row.brier_time_averaged),
            number(row.log), number(row.baseline, 1), number(row.peer, 1),
            number(row.relative_brier), percent(row.coverage),
        )
    return table


BIN_WIDTH = len("0.6-0.7  ") + 5 + 2
"""Where the chart starts on a bin's line (after the bin and its count)."""


def _position(value: float) -> int:
    return round(value * (CHART_WIDTH - 1))


def calibration_line(cell: CalibrationBin, width: int) -> Text:
    """One bin: the Wilson interval as a bar, ▲ the mean forecast, ● the observed frequency,
    then the numbers: on the same line if `width` has room, else indented on the next."""
    axis = [" "] * CHART_WIDTH
    if cell.wilson_low is not None and cell.wilson_high is not None:
        for x in range(_position(cell.wilson_low), _position(cell.wilson_high) + 1):
            axis[x] = "─"
    if cell.mean_forecast is not None:
        axis[_position(cell.mean_forecast)] = "▲"
    if cell.observed_frequency is not None:
        axis[_position(cell.observed_frequency)] = "●"
    line = Text(f"{cell.lower:.1f}-{cell.upper:.1f}  {cell.count:>5}  ")
    line.append("".join(axis), style="cyan")
    numbers = (f"forecast {number(cell.mean_forecast, 2)}  observed "
               f"{number(cell.observed_frequency, 2)}  [{number(cell.wilson_low, 2)}, "
               f"{number(cell.wilson_high, 2)}]")
    gap = "  " if line.cell_len + 2 + len(numbers) <= width else f"\n{' ' * BIN_WIDTH}"
    line.append(gap + numbers, style="dim")
    return line


def render_scores(board: Leaderboard, sources_scored: bool = False,
                  width: int = 120) -> Group:
    """The scores for a pane `width` cells wide."""
    heading = Text(f"Scores {leaderboard_heading(board)}", style="bold")
    if not board.rows:
        return Group(heading, Text(nothing_to_score(board, sources_scored), style="dim"))
    parts: list[Text | Table] = [heading, Text(""), leaderboard_table(board), Text(""),
                                 Text(calibration_title(board).capitalize(),
                                      style="bold underline"),
                                 Text(f"bin        n      0{' ' * (CHART_WIDTH - 2)}1",
                                      style="dim")]
    parts += [calibration_line(cell, width) for cell in board.calibration if cell.count]
    if board.decomposition is not None:
        parts.append(Text(f"\n{decomposition_text(board.decomposition)}", style="dim"))
    return Group(*parts)


class ScoresScreen(TrackerScreen):
    HELP: ClassVar[str] = (
        "Who was right: the leaderboard by reviewer, source (graded on the confidence its "
        "wording implied), tag or period, with exactly the numbers `tracker score` prints. "
        "brier: final forecast (lower is better); b.time: time-averaged Brier; log, "
        "baseline and peer: higher is better; rel.b: Brier minus the others' median (peer and "
        "rel.b compare reviewers: '-' on other rows and for a reviewer alone); cover: share of "
        "the open period forecast. The chart shows each bin's mean forecast (▲), "
        "observed frequency (●) and 95% Wilson interval (─). Type a date in 'as of' to see "
        "the scores as they stood then."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave_as_of", "Back to scores", id="scores.leave"),
        Binding("escape", "app.show_claims", "Claims", id="scores.back"),
        Binding("g", "next_grouping", "Group by", id="scores.grouping"),
        Binding("a", "focus_as_of", "As of", id="scores.as_of"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.by: Grouping = "reviewer"
        self.as_of: datetime | None = None
        self._shown: ScoresLoaded | None = None
        self._scoring: Worker[None] | None = None
        """The scores asked for last."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="scores-bar"):
            yield Select([(f"by {by}", by) for by in GROUPINGS], value=self.by,
                         allow_blank=False, id="grouping")
            yield Input(placeholder="as of: now, or 2024-06-30", id="as-of")
        # Under the bar, the width of the screen: beside the date, a mistyped one's hint
        # wrapped into a column of a dozen lines at 80 columns.
        yield Static("as of now", id="as-of-hint")
        with VerticalScroll(id="scores-body"):
            yield Static("Scoring…", id="scores")
        yield Footer()

    def on_mount(self) -> None:
        self.tracker.steady_cursors(self)
        self.query_one("#scores-body").focus()
        self.score()

    def score(self) -> None:
        """Ask for the scores by the grouping and as of the moment now chosen."""
        self._scoring = self.load_scores(self.by, self.as_of)

    @work(thread=True, exclusive=True, group="scores", exit_on_error=False)
    def load_scores(self, by: Grouping, as_of: datetime | None) -> None:
        engine = self.tracker.queries.engine
        board = leaderboard(engine, by, as_of)
        self.post_message(ScoresLoaded(board, only_sources_scored(engine, board)))

    @on(ScoresLoaded)
    def _scores_loaded(self, message: ScoresLoaded) -> None:
        if (message.board.by, message.board.as_of) == (self.by, self.as_of):
            self._shown = message
            self._show_scores()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Scores that could not be computed are not left as "Scoring…", nor as the scores
        of the grouping or moment asked for before. (TrackerScreen shows the error.)"""
        if event.worker is self._scoring and event.state is WorkerState.ERROR:
            self._shown = None
            grouping = key_for(self, "next_grouping", enabled_only=False)
            self.query_one("#scores", Static).update(Text(
                "The scores could not be computed (see the error message): "
                f"{grouping} or a date in 'as of' asks again.", style="dim"))

    def on_resize(self) -> None:
        self._show_scores()  # the calibration lines fit the new width

    def _show_scores(self) -> None:
        if self._shown is not None:
            width = self.query_one("#scores-body").scrollable_content_region.width
            self.query_one("#scores", Static).update(
                render_scores(self._shown.board, self._shown.sources_scored, width))

    @on(Select.Changed, "#grouping")
    def _grouping_changed(self, event: Select.Changed) -> None:
        self.by = cast(Grouping, event.value)
        self.score()

    def action_next_grouping(self) -> None:
        following = GROUPINGS[(GROUPINGS.index(self.by) + 1) % len(GROUPINGS)]
        self.query_one("#grouping", Select).value = following

    def action_focus_as_of(self) -> None:
        self.query_one("#as-of", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave_as_of":  # esc in the date field leaves the field, not the screen
            return self.query_one("#as-of", Input).has_focus
        return super().check_action(action, parameters)

    def action_leave_as_of(self) -> None:
        self.query_one("#scores-body").focus()

    @on(Input.Changed, "#as-of")
    def _as_of_typed(self, event: Input.Changed) -> None:
        self._explain_as_of(event.value)

    def _explain_as_of(self, text: str) -> None:
        """How the date field reads, and whether enter is still needed to show it."""
        hint = self.query_one("#as-of-hint", Static)
        try:
            typed = read_as_of(text, self.tracker.now(), "scores")
        except DateError as error:
            set_hint(hint, str(error), error=True)
            return
        then = "" if typed == self.as_of else " · enter shows the scores then"
        set_hint(hint, describe_instant(typed, empty="as of now") + then, error=False)

    @on(Input.Submitted, "#as-of")
    def _as_of_submitted(self, event: Input.Submitted) -> None:
        try:
            self.as_of = read_as_of(event.value, self.tracker.now(), "scores")
        except DateError as error:
            self.notify(str(error), severity="error")
            return
        self._explain_as_of(event.value)  # shown now: no "enter" any more
        self.score()
        self.query_one("#scores-body").focus()
