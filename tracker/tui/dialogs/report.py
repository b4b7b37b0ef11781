"""The report form: format, as-of date, previous period end, and the file to write.

The same report as `tracker report -o FILE` (both call `tracker.reports.write_report`). The
file name may be left empty (`report-YYYY-MM-DD.EXT` in the folder the app was started in),
name a folder, or name the file; a name whose suffix says another format is refused rather
than written with the wrong contents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from textual.app import ComposeResult
from textual.widgets import Input, Select

from tracker.reports import Format, format_for, report_name
from tracker.reports.render import EXTENSIONS
from tracker.tui.dialogs.form import (
    FieldError,
    FormDialog,
    describe_instant,
    labelled,
    read_instant,
)

FORMAT_CHOICES: tuple[tuple[str, Format], ...] = (
    ("HTML: one self-contained file", "html"), ("Markdown", "md"), ("JSON", "json"),
)
FORMAT_NAMES: dict[Format, str] = {"html": "HTML", "md": "Markdown", "json": "JSON"}


@dataclass(frozen=True)
class ReportRequest:
    path: Path
    format: Format
    as_of: datetime | None
    """None: now, as the report is built."""
    since: datetime | None
    """The previous period's end: what changed after it is listed; None: since the start."""


class ReportDialog(FormDialog[ReportRequest]):
    HEADING = "Write report"

    def __init__(self, now: datetime, folder: Path) -> None:
        super().__init__("Statuses, what changed, scores, calibration, deadlines and each "
                         "claim's timeline, as of a date: the file the team reads.")
        self.now = now
        self.folder = folder

    def fields(self) -> ComposeResult:
        yield from labelled("Format", Select(FORMAT_CHOICES, value="html", allow_blank=False,
                                             id="format"))
        yield from labelled("As of", Input(
            id="as-of", placeholder="now, or a date like 2024-06-30 (its end, UTC)"), "now")
        yield from labelled("Changes since", Input(
            id="since", placeholder="the previous report's date, e.g. 2024-03-31 (optional)"),
            "since the beginning")
        yield from labelled("File", Input(
            id="file", placeholder="empty: report-YYYY-MM-DD in this folder; or a folder or file"),
            f"writes {self.folder / report_name(self.now, 'html')}")

    def _text(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value

    def _format(self) -> Format:
        return cast("Format", self.query_one("#format", Select).value)

    def _since(self, text: str, as_of: datetime | None) -> datetime | None:
        if not text.strip():
            return None
        since = read_instant("since", text)
        report_date = as_of or self.now
        if since is None or since >= report_date:
            raise FieldError("since", f"give a date before the report's, "
                                      f"{report_date:%Y-%m-%d %H:%M} UTC: the end of the "
                                      "previous period")
        return since

    def _path(self, text: str, format: Format, as_of: datetime | None) -> Path:
        name = report_name(as_of or self.now, format)
        cleaned = text.strip()
        if not cleaned:
            return self.folder / name
        path = Path(cleaned).expanduser()
        if not path.is_absolute():
            path = self.folder / path
        if cleaned.endswith("/") or path.is_dir():
            return path / name
        if not path.suffix:
            return path.with_name(path.name + EXTENSIONS[format])
        named = format_for(path, default=format)
        if named != format:
            raise FieldError("file", f"{path.name} names a {FORMAT_NAMES[named]} file but the "
                                     f"format is {FORMAT_NAMES[format]}: change one of them")
        return path

    def hint(self, field: str, value: Any) -> str:
        if field in ("format", "as-of") and self.is_mounted:
            # The file name and the since date depend on these: explain them again.
            self._explain("file", self._text("file"))
            self._explain("since", self._text("since"))
        if field == "as-of":
            return describe_instant(read_instant(field, str(value)))
        if field == "since":
            as_of = read_instant("as-of", self._text("as-of"))
            return describe_instant(self._since(str(value), as_of), empty="since the beginning")
        if field == "file":
            as_of = read_instant("as-of", self._text("as-of"))
            path = self._path(str(value), self._format(), as_of)
            return f"writes {path}" + (" (replacing the file there)" if path.exists() else "")
        return ""

    def read(self) -> ReportRequest:
        format = self._format()
        as_of = read_instant("as-of", self._text("as-of"))
        since = self._since(self._text("since"), as_of)
        return ReportRequest(self._path(self._text("file"), format, as_of), format, as_of, since)
