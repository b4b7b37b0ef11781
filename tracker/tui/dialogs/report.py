"""The report form: format, as-of date, previous period end, and the file to write.

The same report as `tracker report -o FILE` (both call `tracker.reports.write_report`). The
file name may be left empty (`report-YYYY-MM-DD.EXT` in the folder the app was started in),
name a folder, or name the file (relative to that folder, `~` allowed); a name whose suffix
says another format is refused rather than written with the wrong contents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from textual.app import ComposeResult
from textual.widgets import Input, Select

from tracker.horizons import as_of_text
from tracker.reports import Format, check_report_date, format_for, report_name
from tracker.reports.files import SUFFIX_FORMATS
from tracker.reports.render import EXTENSIONS
from tracker.tui.dialogs.form import (
    FieldError,
    FormDialog,
    describe_instant,
    labelled,
    ledger_rule,
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
            id="file", placeholder="empty: report-YYYY-MM-DD in this folder; or a folder or file"))

    def on_mount(self) -> None:
        self._explain("file", "")  # where an empty name writes (FormDialog.on_mount runs too)

    def _format(self) -> Format:
        return cast("Format", self.query_one("#format", Select).value)

    def _since(self, text: str, report_date: datetime) -> datetime | None:
        if not text.strip():
            return None
        since = read_instant("since", text, self.now)
        if since is None or since >= report_date:
            raise FieldError("since", f"give a date before the report's, "
                                      f"{as_of_text(report_date)}: the end of the previous "
                                      "period")
        return since

    def _as_of(self, text: str) -> datetime | None:
        as_of = read_instant("as-of", text, self.now)
        if as_of is not None:
            ledger_rule("as-of", check_report_date, as_of, self.now)
        return as_of

    def _as_of_or_now(self) -> datetime:
        """The as-of date if it reads, else now: the fields that depend on it stay explained
        while it is being typed (its own error is shown under it)."""
        try:
            return self._as_of(self.text("as-of")) or self.now
        except FieldError:
            return self.now

    def _path(self, text: str, format: Format, as_of: datetime) -> Path:
        """The file `text` names, read from the app's folder: empty means the default name
        there, a folder gets the default name inside it, a name without a report suffix
        gets the format's."""
        name = report_name(as_of, format)
        cleaned = text.strip()
        if not cleaned:
            return self.folder / name
        try:
            path = self.folder / Path(cleaned).expanduser()
            is_folder = cleaned.endswith("/") or path.is_dir()
        except (OSError, RuntimeError) as error:  # ~nobody, or a folder we may not enter
            raise FieldError("file", f"cannot use {cleaned}: {error}") from None
        if is_folder:
            path = path / name
        elif path.suffix.lower() not in SUFFIX_FORMATS:
            path = path.with_name(path.name + EXTENSIONS[format])
        named = format_for(path)
        if named != format:
            raise FieldError("file", f"{path.name} names a {FORMAT_NAMES[named]} file but the "
                                     f"format is {FORMAT_NAMES[format]}: change one of them")
        if (blocking := _file_in_the_way(path)) is not None:
            raise FieldError("file", f"cannot write {path}: {blocking} is a file, not a folder")
        return path

    def hint(self, field: str, value: Any) -> str:
        if field in ("format", "as-of") and self.is_mounted:
            # The file name and the since date depend on these: explain them again.
            self._explain("file", self.text("file"))
            self._explain("since", self.text("since"))
        if field == "as-of":
            return describe_instant(self._as_of(str(value)))
        if field == "since":
            since = self._since(str(value), self._as_of_or_now())
            return describe_instant(since, empty="since the beginning")
        if field == "file":
            path = self._path(str(value), self._format(), self._as_of_or_now())
            if _exists(path):
                return f"writes {path} (replacing the file there)"
            if not _exists(path.parent):
                return f"writes {path} (making the folder {path.parent})"
            return f"writes {path}"
        return ""

    def read(self) -> ReportRequest:
        format = self._format()
        as_of = self._as_of(self.text("as-of"))
        since = self._since(self.text("since"), as_of or self.now)
        path = self._path(self.text("file"), format, as_of or self.now)
        return ReportRequest(path, format, as_of, since)


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest existing folder above `path`, if it is a file instead (the write would
    fail with 'File exists' after the form had closed)."""
    for above in path.parents:
        if _exists(above):
            return None if above.is_dir() else above
    return None


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False  # the write will say why it cannot, if it cannot
