"""The forecast form: a probability written as 0.7, 70% or 7:3 odds, and a rationale."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input

from tracker.probability import probability_input
from tracker.tui.dialogs.form import FieldError, FormDialog, labelled, read_probability
from tracker.tui.format import read_as_percent
from tracker.tui.writes import NewForecast


class ForecastDialog(FormDialog[NewForecast]):
    HEADING = "Forecast"

    def fields(self) -> ComposeResult:
        probability = self.initial_value("probability", None)
        yield from labelled(
            "Probability it comes true (0.7, 70% or odds 7:3)",
            Input(value="" if probability is None else probability_input(probability),
                  id="probability", placeholder="70%"),
        )
        yield from labelled("Rationale", Input(value=self.initial_value("rationale"),
                                               id="rationale", placeholder="why (optional)"))

    def hint(self, field: str, value: Any) -> str:
        if field != "probability" or not str(value).strip():
            return ""
        probability = read_probability(field, str(value))
        return f"read as {read_as_percent(probability)}"

    def read(self) -> NewForecast:
        text = self.query_one("#probability", Input).value
        if not text.strip():
            raise FieldError("probability", "give a probability: 0.7, 70% or 7:3")
        return NewForecast(read_probability("probability", text),
                           self.query_one("#rationale", Input).value.strip())
