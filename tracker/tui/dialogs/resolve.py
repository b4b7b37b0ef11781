"""The resolution form: yes, no, partial (with a value) or annulled, and why."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Select

from tracker.definitions import check_partial_value
from tracker.horizons import as_utc
from tracker.probability import parse_partial_value
from tracker.scorebook import unscored_after
from tracker.tui.dialogs.form import (
    FieldError,
    FormDialog,
    describe_day,
    labelled,
    ledger_rule,
    read_choice,
    read_probability,
)
from tracker.tui.format import read_as_percent
from tracker.tui.writes import NewResolution
from tracker.vocabulary import Outcome, plural

OUTCOME_LABELS = {
    Outcome.YES: "yes: it came true",
    Outcome.NO: "no: it did not",
    Outcome.PARTIAL: "partial: partly true (give a value)",
    Outcome.ANNULLED: "annulled: cannot be judged (never scored)",
}


class ResolveDialog(FormDialog[NewResolution]):
    HEADING = "Resolve"

    def __init__(self, subject: str, *, forecast_times: Sequence[datetime] = (),
                 **options: Any) -> None:
        """`forecast_times`: when the claim's forecasts were made. An outcome observed on a
        day counts as known from its start: forecasts made since are not scored, and the
        form says so while the date is typed."""
        super().__init__(subject, **options)
        self.forecast_times = [as_utc(moment) for moment in forecast_times]

    def fields(self) -> ComposeResult:
        value = self.initial_value("value", None)
        observed = self.initial_value("observed_on", None)
        yield from labelled(
            "Outcome",
            Select([(label, outcome.value) for outcome, label in OUTCOME_LABELS.items()],
                   id="outcome", prompt="outcome",
                   value=self.initial_value("outcome", Select.NULL)),
        )
        yield from labelled("Partial value (only for partial: 0.4, 40%)", Input(
            value="" if value is None else repr(value), id="value", placeholder="0.4"))
        yield from labelled("Note", Input(value=self.initial_value("note"), id="note",
                                          placeholder="why; cite the evidence"))
        yield from labelled("Observed on", Input(
            value="" if observed is None else observed.isoformat(), id="observed",
            placeholder="when the outcome became known: 2025-06-30, today (optional)"))

    def hint(self, field: str, value: Any) -> str:
        if field == "outcome" and self.is_mounted:  # the value's rules follow the outcome
            self._explain("value", self.text("value"))
        if field == "observed" and str(value).strip():
            day = self.read_observed(str(value))
            text = describe_day(day)
            later = 0 if day is None else unscored_after(day, self.forecast_times)
            if later:
                text += (f" · {plural(later, 'forecast')} made on or after that day will not "
                         "be scored (the outcome counts as known from its start)")
            return text
        if field == "value" and str(value).strip():
            return f"read as {read_as_percent(self._partial_value(str(value)))}"
        return ""

    def _partial_value(self, text: str) -> float:
        """The value as the chosen outcome takes it: only a partial one takes a value."""
        value = read_probability("value", text, parse_partial_value)
        outcome = self.query_one("#outcome", Select).value
        if outcome == Outcome.PARTIAL.value:
            ledger_rule("value", check_partial_value, value)
        elif outcome is not Select.NULL:
            raise FieldError("value", f"only a partial outcome takes a value, not {outcome}")
        return value

    def read(self) -> NewResolution:
        outcome = read_choice("outcome", self.query_one("#outcome", Select), "outcome")
        raw_value = self.query_one("#value", Input).value
        value = None
        if raw_value.strip():
            value = self._partial_value(raw_value)  # refused unless the outcome is partial
        elif outcome == Outcome.PARTIAL.value:
            raise FieldError("value", "a partial outcome needs a value: 0.4 or 40%")
        return NewResolution(
            outcome=outcome, value=value,
            note=self.query_one("#note", Input).value.strip(),
            observed_on=self.read_observed(self.text("observed")),
        )
