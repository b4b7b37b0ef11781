"""One claim as it stood at a past moment, as `tracker show SLUG --as-of DATE` prints it.

Only what had been recorded by then counts: the definition in force, the status, and the
evidence, forecasts and resolutions entered by that date. Typing a date shows how it was
read; enter loads the claim as of then (in a thread worker); esc returns to the claims.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static
from textual.worker import Worker, WorkerState, get_current_worker

from tracker.errors import NotFound
from tracker.horizons import DateError, as_of_text, as_utc, instant_text
from tracker.queries import ClaimDetail
from tracker.tui.dialogs.form import explain_as_of, read_as_of, set_hint
from tracker.tui.widgets.claim_detail import ClaimDetailView
from tracker.tui.widgets.footer import Footer
from tracker.tui.widgets.key_hint import KeyHint

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp


@dataclass
class PastClaimLoaded(Message):
    detail: ClaimDetail


SHOWN = "the claim"
"""What the dialog shows as of a date: named where a day after today is refused, in the
words of `tracker show --as-of`."""


@dataclass
class PastClaimMissing(Message):
    reason: str


class AsOfDialog(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="as_of.close"),
    ]

    def __init__(self, detail: ClaimDetail) -> None:
        super().__init__()
        self.detail = detail

    @property
    def tracker(self) -> TrackerApp:
        return cast("TrackerApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(classes="form -as-of"):
            yield Label(f"{self.detail.definition.slug} as of a date", classes="form-title")
            yield Input(id="as-of-date", placeholder="2024-06-30 (its end, UTC) or "
                                                     "2024-06-30T12:00Z, then enter")
            yield Static("now", id="as-of-date-hint", classes="field-hint")
            yield ClaimDetailView(id="as-of-detail")
            yield KeyHint("{close} returns to the claims", classes="field-hint")
        yield Footer()  # its own keys: the claims screen's, dimmed behind it, do not apply

    def on_mount(self) -> None:
        self.tracker.steady_cursors(self)
        self.query_one(ClaimDetailView).show(self.detail)

    def _set_hint(self, text: str, *, error: bool) -> None:
        set_hint(self.query_one("#as-of-date-hint", Static), Text(text), error=error)

    @on(Input.Changed, "#as-of-date")
    def _typed(self, event: Input.Changed) -> None:
        explain_as_of(self.query_one("#as-of-date-hint", Static), event.value,
                      self.tracker.now(), SHOWN)

    @on(Input.Submitted, "#as-of-date")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            as_of = read_as_of(event.value, self.tracker.now(), SHOWN)
        except DateError as error:
            self._set_hint(str(error), error=True)
            return
        self.load(self.detail.definition.slug, as_of)

    @work(thread=True, exclusive=True, group="as-of", exit_on_error=False)
    def load(self, slug: str, as_of: datetime | None) -> None:
        try:
            loaded: Message = PastClaimLoaded(self.tracker.queries.claim_detail(slug, as_of))
        except NotFound:
            entered = as_utc(min(revision.recorded_at for revision in self.detail.revisions))
            # A moment typed on the day it entered is told the time: "entered on" that very
            # day read as a contradiction.
            when = (f"at {instant_text(entered)}" if as_of is not None
                    and as_utc(as_of).date() == entered.date() else f"on {entered:%Y-%m-%d}")
            loaded = PastClaimMissing(f"nothing recorded by then: {slug} entered the tracker "
                                      f"{when}")
        if not get_current_worker().is_cancelled:  # a later date was asked for meanwhile
            self.post_message(loaded)

    @on(PastClaimLoaded)
    def _loaded(self, message: PastClaimLoaded) -> None:
        as_of = message.detail.as_of
        when = "now" if as_of is None else as_of_text(as_of)
        self._set_hint(f"showing the claim as of {when}", error=False)
        self.query_one(ClaimDetailView).show(message.detail)

    @on(PastClaimMissing)
    def _missing(self, message: PastClaimMissing) -> None:
        self._set_hint(message.reason, error=True)
        self.query_one(ClaimDetailView).show_message("nothing recorded by then")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.tracker.show_failure(event.worker.error)

    def action_close(self) -> None:
        self.dismiss(None)
