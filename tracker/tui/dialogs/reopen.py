"""Reopening a resolved claim asks why: the resolution stays in the log beside the reason."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input

from tracker.tui.dialogs.form import FormDialog, labelled, read_required
from tracker.tui.writes import Reopening


class ReopenDialog(FormDialog[Reopening]):
    HEADING = "Reopen"

    def fields(self) -> ComposeResult:
        yield from labelled("Why reopen it? (required; the resolution stays in the log)",
                            Input(value=self.initial_value("reason"), id="reason"))

    def read(self) -> Reopening:
        return Reopening(read_required("reason", self.query_one("#reason", Input).value,
                                       "a reason"))
