"""Forecasts over time as one sparkline per reviewer plus the team median.

Unlike Textual's `Sparkline`, which stretches the data between its own min and max, every bar
here is on the fixed 0..1 scale, so 60% looks the same height on every claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median

from rich.text import Text

from tracker.queries import ForecastItem
from tracker.tui.format import fit, percent
from tracker.vocabulary import plural

BARS = "▁▂▃▄▅▆▇█"
WIDTH = 10
NAME_WIDTH = 11


def bars(values: Sequence[float]) -> str:
    """The last `WIDTH` probabilities as bars, one character each."""
    return "".join(BARS[min(len(BARS) - 1, int(value * len(BARS)))] for value in values[-WIDTH:])


def team_median_series(forecasts: Sequence[ForecastItem]) -> list[float]:
    """After each forecast, the median of every reviewer's latest one (what the table shows)."""
    latest: dict[str, float] = {}
    series = []
    for forecast in forecasts:
        latest[forecast.reviewer] = forecast.probability
        series.append(median(latest.values()))
    return series


def _line(name: str, values: Sequence[float], style: str = "") -> Text:
    line = Text(f"{fit(name, NAME_WIDTH)} ", style="bold" if style else "")
    line.append(f"{bars(values):<{WIDTH}}", style=style or "cyan")
    line.append(f" {percent(values[-1]):>4}")
    return line


def forecast_chart(forecasts: Sequence[ForecastItem], hide_team_from: str | None) -> Text:
    """One line per reviewer, then the team median; with `hide_team_from` set (blind
    forecasting) only that reviewer's own line is shown and the rest are counted."""
    by_reviewer: dict[str, list[float]] = {}
    for forecast in forecasts:
        by_reviewer.setdefault(forecast.reviewer, []).append(forecast.probability)
    if not by_reviewer:
        return Text("no forecasts yet", style="dim")
    shown = by_reviewer
    if hide_team_from is not None:
        shown = {name: values for name, values in by_reviewer.items() if name == hide_team_from}
    lines = [_line(name, values) for name, values in sorted(shown.items())]
    hidden = len(by_reviewer) - len(shown)
    if hidden:
        lines.append(Text(f"{plural(hidden, 'team forecaster')} hidden until you forecast (blind)",
                          style="italic dim"))
    elif len(by_reviewer) > 1:
        lines.append(_line("team median", team_median_series(forecasts), style="bold green"))
    return Text("\n").join(lines)
