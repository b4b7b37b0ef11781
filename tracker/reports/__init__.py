"""Reports: build what was known as of a date, then render it as Markdown, HTML or JSON.

`build_report` gathers a frozen `ReportData` with set-based SQL and one pass over the forecasts;
the renderers are pure functions of that data, so the same data always gives the same bytes.
`write_series` writes one report per period end and an index linking them.
"""

from __future__ import annotations

from tracker.reports.data import (
    CHANGE_LIMIT,
    DEADLINE_HORIZON_DAYS,
    DEADLINE_LIMIT,
    TIMELINE_LIMIT,
    ReportData,
    Snapshot,
    build_report,
    build_snapshot,
)
from tracker.reports.render import FORMATS, Format, render
from tracker.reports.series import SeriesResult, period_ends, write_series

__all__ = [
    "CHANGE_LIMIT",
    "DEADLINE_HORIZON_DAYS",
    "DEADLINE_LIMIT",
    "FORMATS",
    "TIMELINE_LIMIT",
    "Format",
    "ReportData",
    "SeriesResult",
    "Snapshot",
    "build_report",
    "build_snapshot",
    "period_ends",
    "render",
    "write_series",
]
