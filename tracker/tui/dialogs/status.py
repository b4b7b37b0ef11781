"""The status form: move an open claim between open, developing and stalled."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Select

from tracker.tui.dialogs.form import FormDialog, describe_day, labelled, read_choice
from tracker.tui.writes import NewStatus
from tracker.vocabulary import OPEN_STATUSES, Status


class StatusDialog(FormDialog[NewStatus]):
    HEADING = "Change status"

    def __init__(self, subject: str, current: str, **kwargs: Any) -> None:
        super().__init__(subject, **kwargs)
        self.current = current

    def fields(self) -> ComposeResult:
        choices = [status.value for status in Status
                   if status in OPEN_STATUSES and status.value != self.current]
        observed = self.initial_value("observed_on", None)
        chosen = self.initial_value("status", Select.NULL)  # not offered if the claim has it now
        yield from labelled(
            f"New status (now {self.current}; resolve closes a claim)",
            Select([(choice, choice) for choice in choices], id="status", prompt="status",
                   value=chosen if chosen in choices else Select.NULL),
        )
        yield from labelled("Note", Input(value=self.initial_value("note"), id="note",
                                          placeholder="why (optional)"))
        yield from labelled("Observed on", Input(
            value="" if observed is None else observed.isoformat(), id="observed",
            placeholder="when it changed in the world: 2025-06-30, yesterday (optional)"))

    def hint(self, field: str, value: Any) -> str:
        if field == "observed" and str(value).strip():
            return describe_day(self.read_observed(str(value)))
        return ""

    def read(self) -> NewStatus:
        return NewStatus(
            status=read_choice("status", self.query_one("#status", Select), "status"),
            note=self.query_one("#note", Input).value.strip(),
            observed_on=self.read_observed(self.text("observed")),
        )
