"""The evidence form: title, address, stance, when it was observed, a one-line summary."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Select

from tracker.tui.dialogs.form import (
    FormDialog,
    describe_day,
    labelled,
    read_choice,
    read_required,
    read_url,
)
from tracker.tui.writes import NewEvidence
from tracker.vocabulary import Stance


class EvidenceDialog(FormDialog[NewEvidence]):
    HEADING = "Add evidence"

    def fields(self) -> ComposeResult:
        observed = self.initial_value("observed_on", None)
        yield from labelled("Title", Input(value=self.initial_value("title"), id="title",
                                           placeholder="what the page or document is called"))
        yield from labelled("URL", Input(value=self.initial_value("url"), id="url",
                                         placeholder="https://…"))
        yield from labelled(
            "Stance",
            Select([(stance.value, stance.value) for stance in Stance], id="stance",
                   prompt="supports, refutes or context",
                   value=self.initial_value("stance", Select.NULL)),
        )
        yield from labelled("Observed on", Input(
            value="" if observed is None else observed.isoformat(), id="observed",
            placeholder="when it was published or happened: 2025-06-30, 'June 2025', yesterday"))
        yield from labelled("Summary", Input(value=self.initial_value("summary"), id="summary",
                                             placeholder="one factual line (optional)"))

    def hint(self, field: str, value: Any) -> str:
        if field == "observed":
            return describe_day(self.read_observed(str(value))) if str(value).strip() else ""
        if field == "url" and read_url(field, str(value)):
            return "ok"
        return ""

    def read(self) -> NewEvidence:
        return NewEvidence(
            title=read_required("title", self.text("title"), "a title"),
            url=read_url("url", self.text("url")),
            stance=read_choice("stance", self.query_one("#stance", Select), "stance"),
            observed_on=self.read_observed(self.text("observed")),
            summary=self.text("summary").strip(),
        )
