"""The review session: one claim at a time from the queue of what needs attention.

Each claim opens on what changed since the reviewer last reviewed it; the same keys as on the
claims screen record evidence, forecasts, status changes and resolutions; enter marks it
reviewed and moves on, n skips it. With blind forecasting (the default) the team's forecasts
on a claim stay hidden until the reviewer has recorded their own in this session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState, get_current_worker

from tracker.queries import ClaimDetail, TimelineEntry
from tracker.review_queue import ReviewItem, changes_since, load_queue
from tracker.tui.dialogs.summary import SessionTally, SummaryDialog
from tracker.tui.format import day, fit, fit_slug, stamp
from tracker.tui.keymap import key_for
from tracker.tui.messages import QueueBuilt, ReviewClaimLoaded, WriteSaved
from tracker.tui.screens.base import ClaimEditingScreen
from tracker.tui.widgets.claim_detail import ClaimDetailView
from tracker.tui.widgets.footer import Footer
from tracker.tui.writes import (
    DefinitionEdit,
    NewEvidence,
    NewForecast,
    NewResolution,
    NewStatus,
    PendingWrite,
    Reopening,
    Retraction,
    ReviewDone,
)
from tracker.vocabulary import Status, plural

EARLIEST = datetime.min.replace(tzinfo=UTC)
"""`seen_through` when no one else's entry was shown: any entry of theirs is unseen."""
QUEUE_SHOWN = 100
"""How many upcoming claims the queue list shows (the queue itself may be far longer)."""
QUEUE_WIDTH = 31
"""The queue list's width for text (app.tcss: 34, less its border and padding), until it
has been laid out."""
SINCE_LAST_SHOWN = 8
"""Changes listed since the last review, newest first, a line each (two in a narrow pane):
the panel does not scroll, and the detail pane under it holds the whole log."""
CHANGE_TEXT_MIN = 24
"""Columns a change's text needs beside its date, kind and reviewer; fewer, and it gets a
line of its own."""

TALLY_FIELDS = {
    NewForecast: "forecasts", NewEvidence: "evidence", NewStatus: "status_changes",
    NewResolution: "resolved", Reopening: "reopened", Retraction: "retracted",
    DefinitionEdit: "edited", ReviewDone: "reviewed",
}


@dataclass(frozen=True)
class ChangeLine:
    """One log entry under "since your last review", a line long where the pane has room
    for its text; else the text goes on a line of its own (at 80 columns the date, kind and
    reviewer alone fill the pane). Its time is when it was recorded; one recorded before the
    last review reached this database since (it was imported) says when it came in."""

    entry: TimelineEntry
    since: datetime | None
    """The reviewer's last review."""

    @property
    def came_late(self) -> bool:
        return self.since is not None and self.entry.recorded_at <= self.since

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        entry = self.entry
        head = f"  {stamp(entry.recorded_at)}  {entry.kind:<10} {fit(entry.reviewer, 12)} "
        text = entry.text
        if self.came_late:
            text = f"(imported {stamp(entry.entered_at)}) {text}"
        if options.max_width - len(head) >= CHANGE_TEXT_MIN:
            yield Text(head + text, no_wrap=True, overflow="ellipsis")
        else:
            yield Text(head.rstrip(), no_wrap=True, overflow="ellipsis")
            yield Text(f"    {text}", no_wrap=True, overflow="ellipsis")


class ReviewScreen(ClaimEditingScreen):
    HELP: ClassVar[str] = (
        "The claims that need your attention, most urgent first: deadlines passed without "
        "a resolution, new evidence since you last reviewed, reviews due by the claim's "
        "cadence, and your forecasts gone stale. For each claim, first what changed since "
        "your last review, then the claim. Record what you need with the keys below, then "
        "{done} to mark it reviewed and go on, or {skip} to skip it. Blind forecasting hides "
        "the team's forecasts until you have recorded yours in this session ({toggle_blind} "
        "turns it off). {finish} ends the session with a summary."
    )
    GATED_ACTIONS = ClaimEditingScreen.GATED_ACTIONS | {"done", "skip"}
    FOOTER_DROPS_FIRST = ("quit", "retract", "reopen")
    """Keys a narrow footer leaves out first: at 80 columns "esc End session" stays."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "done", "Done", id="review.done"),
        Binding("n", "skip", "Skip", id="review.skip"),
        Binding("escape", "finish", "End session", id="review.finish"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.queue: list[ReviewItem] = []
        self.position = 0
        self.tally = SessionTally()
        self.forecast_this_session: set[str] = set()
        self.resolved_this_session: set[str] = set()
        """Claims resolved (and not reopened) in this session: no longer to review."""
        self.skipped_this_session: set[str] = set()
        """Claims skipped: still to review (next session), unless resolved first."""
        self.item: ReviewItem | None = None
        self.changes: tuple[TimelineEntry, ...] = ()
        self.seen_through: datetime | None = None
        self.marking: Worker[None] | None = None
        """The write of a review mark, until it ends. Meanwhile done and skip would move past
        the next claim unseen, and a form opened would be for the claim being left: they
        wait."""
        self.queue_built = False
        """Until the queue is built (or when it cannot be), the session has done nothing:
        ending it shows no summary ("nothing needs your attention" would not be true)."""
        self.reading: Worker[None] | None = None
        """The read of the claim the queue has moved on to, until it ends. Meanwhile the
        claim before it is still on screen, and skip would pass over the next one unseen."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield OptionList(id="queue")
            with Vertical(id="review-main"):
                yield Static("Building your review queue…", id="review-progress")
                yield Static(id="since-last")
                yield ClaimDetailView(id="review-detail")
        yield Footer()

    def on_mount(self) -> None:
        # The queue list only shows what is coming; keys act on the claim, not the list.
        self.query_one("#queue", OptionList).can_focus = False
        self.query_one(ClaimDetailView).focus()
        self.build_queue()

    @work(thread=True, exit_on_error=False, group="queue")
    def build_queue(self) -> None:
        app = self.tracker
        self.post_message(QueueBuilt(load_queue(app.queries, app.reviewer, app.now(),
                                                app.review_policy)))

    @on(QueueBuilt)
    def _queue_built(self, message: QueueBuilt) -> None:
        self.queue = message.items
        self.queue_built = True
        self.show_current()

    def show_current(self) -> None:
        if self.position >= len(self.queue):
            self.item = self.detail = None
            self.query_one("#review-progress", Static).update(
                f"Queue done: {plural(len(self.queue), 'claim')}" if self.queue
                else "Nothing needs your attention now")
            self.query_one("#since-last", Static).update("")
            self.query_one(ClaimDetailView).show_message("")
            self._render_queue()
            self.refresh_keys()
            self.action_finish()
            return
        self.item = self.queue[self.position]
        self._render_queue()
        self.reading = self.load_item(self.item)

    @work(thread=True, exclusive=True, group="review-claim", exit_on_error=False)
    def load_item(self, item: ReviewItem) -> None:
        queries = self.tracker.queries
        # The log first: an entry recorded between the two reads is then in the detail but
        # after seen_through, so marking the claim reviewed is refused rather than hiding it.
        timeline = queries.timeline(item.slug)
        detail = queries.claim_detail(item.slug)
        # Others' entries only: the reviewer's own clock (ahead of theirs) must not set it.
        seen_through = max((entry.entered_at for entry in timeline
                            if entry.reviewer != self.tracker.reviewer), default=EARLIEST)
        changes = changes_since(timeline, item.last_reviewed_at)
        if not get_current_worker().is_cancelled:
            self.post_message(ReviewClaimLoaded(item, detail, changes, seen_through))

    @on(ReviewClaimLoaded)
    def _claim_loaded(self, message: ReviewClaimLoaded) -> None:
        if message.item == self.item:
            self.changes = message.changes
            self.seen_through = message.seen_through
            self._show_claim(message.detail)

    @property
    def team_hidden(self) -> bool:
        """Blind: the team's forecasts wait for the reviewer's own in this session, on a
        claim that can still be forecast (a closed one cannot: nothing left to anchor)."""
        return (self.tracker.blind and self.item is not None
                and self.item.slug not in self.forecast_this_session
                and not (self.detail is not None and Status(self.detail.status).is_closed))

    def _blind_label(self) -> str:
        """What the header says of blind mode: how many forecasters it hides, if any."""
        if not self.team_hidden or self.detail is None:
            return ""
        others = {item.reviewer for item in self.detail.forecasts
                  if item.reviewer != self.tracker.reviewer}
        return f" · blind: {plural(len(others), 'team forecaster')} hidden" if others else ""

    def selected_slug(self) -> str | None:
        return None if self.item is None else self.item.slug

    def claim_changed(self, detail: ClaimDetail) -> None:
        """Shown at once; what changed since the last review is read again with it (someone
        else's change, met in a conflict, belongs there)."""
        self._show_claim(detail)
        if self.item is not None:
            self.load_item(self.item)

    def _show_claim(self, detail: ClaimDetail) -> None:
        self.detail = detail
        self._render_claim()
        self.refresh_keys()

    def hides_team_from(self) -> str | None:
        return self.tracker.reviewer if self.team_hidden else None

    def _render_queue(self) -> None:
        queue = self.query_one("#queue", OptionList)
        queue.clear_options()
        upcoming = self.queue[self.position:self.position + QUEUE_SHOWN]
        width = queue.scrollable_content_region.width or QUEUE_WIDTH
        queue.add_options(  # a line each, cut short: the detail pane has the whole slug
            Option(Text.assemble((fit_slug(item.slug, width), "bold"), "\n  ",
                                 (fit(item.reason_text, width - 2), "dim")), id=item.slug)
            for item in upcoming
        )
        queue.highlighted = 0 if upcoming else None

    def _render_claim(self) -> None:
        if self.item is None or self.detail is None:
            return
        t = self.tally
        self.query_one("#review-progress", Static).update(Text.assemble(
            (f"Claim {self.position + 1} of {len(self.queue)}", "bold"),
            f" · {self.item.reason_text}",
            (self._blind_label(), "bold yellow"),
            (f"\nthis session: reviewed {t.reviewed} · forecasts {t.forecasts} · "
             f"resolved {t.resolved} · skipped {t.skipped}", "dim"),
        ))
        self.query_one("#since-last", Static).update(self._since_last())
        self.query_one(ClaimDetailView).show(self.detail, hide_team_from=self.hides_team_from())

    def _since_last(self) -> Group:
        assert self.item is not None
        since = self.item.last_reviewed_at
        heading = (f"Since your last review ({day(since)})" if since is not None
                   else "First review: the whole log")
        # Chosen in the order they reached this database: an entry imported late is news
        # although it was recorded long ago, and must not be the one left out below.
        shown = sorted((entry for entry in self.changes
                        if not (self.team_hidden and entry.kind == "forecast"
                                and entry.reviewer != self.tracker.reviewer)),
                       key=lambda entry: (entry.entered_at, entry.recorded_at))
        # The count goes first, on one line at 80 columns: the panel's last lines are cut
        # when the screen is short (the detail pane below has the whole log).
        count = (f" · {len(shown)} new" if since is not None
                 else f" · {plural(len(shown), 'entry', 'entries')}")
        lines: list[RenderableType] = [Text.assemble((heading, "bold underline"),
                                                     (count, "dim"))]
        if hidden := len(self.changes) - len(shown):
            lines.append(Text(f"  {plural(hidden, 'team forecast')} hidden (blind)",
                              style="italic dim"))
        # Newest first by the time each line shows, those that came late (imported, recorded
        # before the last review) at the top, where they are not missed.
        newest = [ChangeLine(entry, since) for entry in shown[-SINCE_LAST_SHOWN:]]
        newest.sort(reverse=True, key=lambda line: (
            line.came_late, line.entry.recorded_at, line.entry.entered_at))
        lines += newest
        if not self.changes:
            lines.append(Text("  nothing new", style="dim"))
        return Group(*lines)

    @on(WriteSaved)
    def _write_saved(self, message: WriteSaved) -> None:
        change = message.write.change
        field = TALLY_FIELDS[type(change)]
        setattr(self.tally, field, getattr(self.tally, field) + 1)
        if isinstance(change, ReviewDone):
            self.position += 1
            self.show_current()
            return
        if isinstance(change, NewForecast):
            self.forecast_this_session.add(message.write.slug)
        if isinstance(change, NewResolution):
            self.resolved_this_session.add(message.write.slug)
        if isinstance(change, Reopening):
            self.resolved_this_session.discard(message.write.slug)
        self.notify(f"Saved: {message.write.describe()}")
        if self.item is not None and self.item.slug == message.write.slug:
            self.load_item(self.item)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("done", "skip"):
            return self.detail is not None
        return super().check_action(action, parameters)

    def action_done(self) -> None:
        detail = self.detail
        if detail is not None and detail.slug == self.selected_slug() and self.marking is None:
            self.marking = self.save(
                PendingWrite(detail.slug, detail.version, ReviewDone(self.seen_through)))

    def _form_action(self, action: str) -> None:
        if self.marking is None:
            super()._form_action(action)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The mark's write ended: saved (its message, handled first, moved on), refused
        (the claim is shown again) or failed (TrackerScreen shows why). Or the next claim's
        read ended: its message, handled first, showed it."""
        if event.worker is self.marking and event.worker.is_finished:
            self.marking = None
        if event.worker is self.reading and event.worker.is_finished:
            self.reading = None  # shown, or failed (shown as an error): skip works again
        if event.worker.group == "queue" and event.state is WorkerState.ERROR:
            finish = key_for(self, "finish", enabled_only=False)
            self.query_one("#review-progress", Static).update(
                f"The review queue could not be built (see the error message): {finish} "
                "ends the session.")

    def action_skip(self) -> None:
        if self.marking is not None or self.reading is not None:
            return
        self.tally.skipped += 1
        if self.item is not None:
            self.skipped_this_session.add(self.item.slug)
        self.position += 1
        self.show_current()

    def action_finish(self) -> None:
        self.finish()

    def finish(self, then: Callable[[], object] | None = None,
               closing: str = "returns to the claims") -> None:
        """End the session with its summary; `then` runs once the reviewer has closed it
        (leaving for another claim from the palette ends the session the same way), and
        `closing` says what closing it does."""
        # Still to review: the claims not reached and those skipped, less any resolved here.
        ahead = {item.slug for item in self.queue[self.position:]}
        remaining = len((ahead | self.skipped_this_session) - self.resolved_this_session)

        def ended(_: object) -> None:
            self.tracker.end_review()
            if then is not None:
                then()

        if not self.queue_built:
            ended(None)
            return
        self.app.push_screen(SummaryDialog(self.tally, remaining, closing), ended)

    def toggle_blind(self) -> None:
        """Blind forecasting was switched on or off: show or hide the team's forecasts."""
        self._render_claim()
