"""Pick a renderer by format name; every renderer is a pure function of `ReportData`."""

from __future__ import annotations

from typing import Final, Literal

from tracker.reports.data import ReportData
from tracker.reports.html import render_html
from tracker.reports.json import render_json
from tracker.reports.markdown import render_markdown

__all__ = ["EXTENSIONS", "FORMATS", "Format", "render"]

Format = Literal["md", "html", "json"]
FORMATS: Final[tuple[Format, ...]] = ("md", "html", "json")
EXTENSIONS: Final[dict[Format, str]] = {"md": ".md", "html": ".html", "json": ".json"}


def render(data: ReportData, format: Format) -> str:
    """The report as text in `format`; the same data always gives the same text."""
    if format == "html":
        return render_html(data)
    if format == "json":
        return render_json(data)
    return render_markdown(data)
