"""The end of a review session: what was done in it."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tracker.tui.widgets.footer import Footer
from tracker.tui.widgets.key_hint import KeyHint


@dataclass
class SessionTally:
    """Counts for one review session, shown in the summary."""

    reviewed: int = 0
    forecasts: int = 0
    evidence: int = 0
    status_changes: int = 0
    resolved: int = 0
    reopened: int = 0
    retracted: int = 0
    edited: int = 0
    skipped: int = 0


class SummaryDialog(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "close", "Close", id="summary.close"),
    ]

    def __init__(self, tally: SessionTally, remaining: int,
                 closing: str = "returns to the claims") -> None:
        super().__init__()
        self.tally = tally
        self.remaining = remaining
        self.closing = closing

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False)
        table.add_column(style="bold")
        table.add_column(justify="right")
        for field in fields(self.tally):
            table.add_row(field.name.replace("_", " "), str(getattr(self.tally, field.name)))
        table.add_row("still to review", str(self.remaining))  # skipped ones included
        with Vertical(classes="form -summary"):
            nothing = self.remaining == 0 and not any(
                getattr(self.tally, field.name) for field in fields(self.tally))
            yield Label("Nothing needs your attention now" if nothing else "Review session done",
                        classes="form-title")
            yield Static(table, id="summary-table")
            yield KeyHint(f"{{close}} {self.closing}", classes="field-hint")
        yield Footer()  # its own keys: the screen's, dimmed behind it, do not apply

    def action_close(self) -> None:
        self.dismiss(None)
