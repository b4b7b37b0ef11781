"""Reports: build what was known as of a date, then render it as Markdown, HTML or JSON.

`build_report` gathers a frozen `ReportData` with set-based SQL and one pass over the forecasts;
the renderers are pure functions of that data, so the same data always gives the same bytes.
`write_report` writes one to a file; `write_series` writes one per period end and an index
linking them.
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
    check_report_date,
)
from tracker.reports.files import format_for, report_name, write_report
from tracker.reports.render import FORMATS, Format, render
from tracker.reports.series import SeriesResult, check_period, period_ends, write_series

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
    "check_period",
    "check_report_date",
    "format_for",
    "period_ends",
    "render",
    "report_name",
    "write_report",
    "write_series",
]
