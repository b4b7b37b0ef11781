"""A report as a file: its format read from the file name, its default name, and writing it.

The CLI's `tracker report -o FILE` and the app's "Write report" command both call
`write_report`, so a report written from either is the same file.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from tracker.reports.data import build_report
from tracker.reports.render import EXTENSIONS, Format, render
from tracker.textfiles import make_folder, write_if_changed

SUFFIX_FORMATS: dict[str, Format] = {".md": "md", ".markdown": "md", ".html": "html",
                                     ".htm": "html", ".json": "json"}


def format_for(path: Path, default: Format = "md") -> Format:
    """The format a file name asks for by its suffix, else `default`."""
    return SUFFIX_FORMATS.get(path.suffix.lower(), default)


def report_name(as_of: datetime, format: Format) -> str:
    """`report-YYYY-MM-DD.EXT`: the name of the report as of that day (series use it too)."""
    return f"report-{as_of.date().isoformat()}{EXTENSIONS[format]}"


def write_report(engine: Engine, path: Path, format: Format, as_of: datetime,
                 since: datetime | None = None) -> bool:
    """Build the report as of `as_of` (changes after `since`) and write it to `path` whole,
    making its folder if needed; True if the file's bytes changed."""
    text = render(build_report(engine, as_of, since=since), format)
    make_folder(path.parent)
    return write_if_changed(path, text)
