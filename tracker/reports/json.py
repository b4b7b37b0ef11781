"""The report as JSON: every number and list in `ReportData`, in a stable order.

Floats are rounded to 6 decimals so the output does not depend on the last bit of a sum;
instants are ISO 8601 in UTC. Derived totals (open, closed) are included for convenience.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from typing import Any, Final

from tracker.horizons import as_utc
from tracker.reports.data import ReportData, StatusCounts

__all__ = ["FORMAT_VERSION", "plain", "render_json"]

FORMAT_VERSION: Final = 1
DIGITS: Final = 6


def plain(value: Any) -> Any:
    """Dataclasses, tuples, dates and floats as JSON-ready values."""
    if isinstance(value, StatusCounts):
        fields = {field.name: plain(getattr(value, field.name))
                  for field in dataclasses.fields(value)}
        fields["by_status"] = {name: count for name, count in value.by_status}
        fields["open"] = value.open
        fields["closed"] = value.closed
        return fields
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: plain(getattr(value, field.name))
                for field in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return as_utc(value).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        rounded = round(value, DIGITS)
        return 0.0 if rounded == 0 else rounded
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def render_json(data: ReportData) -> str:
    document = {"format": "tracker-report", "version": FORMAT_VERSION, **plain(data)}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
