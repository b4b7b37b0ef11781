"""A periodic series: one report per period end (dateutil.rrule) and an index linking them.

Each report covers the entries recorded in its period, the one since the previous period end,
and shows its numbers next to the previous report's: report k is byte for byte what
`tracker report --as-of END_k --since END_k-1` prints. A file is written only when its bytes
change, so re-running the series touches nothing unless an entry was recorded in the meantime.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Final

from dateutil import rrule
from sqlalchemy import Engine

from tracker.errors import CannotWrite, InvalidInput
from tracker.horizons import (
    SUB_DAILY,
    DateError,
    as_utc,
    end_of_day,
    instant_text,
    parse_cadence,
    start_of_day,
)
from tracker.reports.data import ChangeCounts, StatusCounts, build_report, build_snapshot
from tracker.reports.files import report_name
from tracker.reports.html import CSS
from tracker.reports.markdown import md_escape
from tracker.reports.render import EXTENSIONS, Format, render
from tracker.reports.text import summary_line
from tracker.textfiles import make_folder, refuse_non_file, write_if_changed
from tracker.vocabulary import plural

__all__ = ["SeriesEntry", "SeriesResult", "period_ends", "write_series"]

MAX_PERIODS: Final = 1000
DTSTART: Final = re.compile(r"(?:^|\s)DTSTART\s*[:;]", re.IGNORECASE)
"""A start in the rule (as a calendar exports one) would count the periods from it, not from
--since: from an earlier one every report came before --since and the series was refused with
"give an earlier --since"."""


@dataclass(frozen=True)
class SeriesEntry:
    """One report of the series, as the index lists it."""

    as_of: datetime
    file: str
    status: StatusCounts
    changes: ChangeCounts


@dataclass(frozen=True)
class SeriesResult:
    entries: tuple[SeriesEntry, ...]
    written: tuple[Path, ...]
    unchanged: tuple[Path, ...]


def check_period(every: str) -> None:
    """Refuse a period that cannot be read, before any report is written (InvalidInput)."""
    _rule(every, date(2000, 1, 1))


def _rule(every: str, since: date) -> Iterator[datetime]:
    start = start_of_day(since)
    named = every.strip().lower()  # "Month" as "month", as an RRULE's words are read
    if named == "month":
        return iter(rrule.rrule(rrule.MONTHLY, bymonthday=-1, dtstart=start))
    if named == "quarter":
        return iter(rrule.rrule(rrule.MONTHLY, bymonth=(3, 6, 9, 12), bymonthday=-1,
                                dtstart=start))
    if named == "year":
        return iter(rrule.rrule(rrule.YEARLY, bymonth=12, bymonthday=31, dtstart=start))
    if DTSTART.search(every):
        raise InvalidInput("the period gives its own DTSTART: a series starts on --since; "
                           "leave DTSTART out of --every")
    if SUB_DAILY.search(every):
        raise InvalidInput(f"'{every}' repeats within a day: reports are per day at the finest; "
                           "use FREQ=DAILY or coarser")
    try:
        return iter(parse_cadence(every, start=start, what="period"))
    except DateError as error:
        raise InvalidInput(f"{error}; or use month, quarter or year") from None


def period_ends(every: str, since: date, until: datetime) -> tuple[datetime, ...]:
    """The end of each period from `since` up to `until`: `month`, `quarter`, `year` (ends of
    calendar periods) or an RFC 5545 RRULE counted from `since` (each occurrence's day). A
    period end is the end of its day UTC, the instant `--as-of DAY` means; only periods that
    have ended by `until` are included."""
    until = as_utc(until)
    ends: list[datetime] = []
    for occurrence in _rule(every, since):
        end = end_of_day(occurrence.date())
        if end > until:
            break
        if ends and ends[-1] == end:
            continue
        ends.append(end)
        if len(ends) > MAX_PERIODS:
            raise InvalidInput(f"more than {MAX_PERIODS} periods between {since} and "
                               f"{until.date()}: use a longer period or a later --since")
    else:  # the rule ran out: without a single occurrence, no date would give one
        if not ends:
            raise InvalidInput(f"'{every}' never comes round from {since}: no period ends at "
                               "all (check its BY parts), or use month, quarter or year")
    return tuple(ends)


def write_series(
    engine: Engine,
    every: str,
    since: date,
    until: datetime,
    out_dir: Path,
    format: Format = "html",
) -> SeriesResult:
    """Write `report-YYYY-MM-DD.EXT` per period end and `index.EXT`, only where bytes changed."""
    ends = period_ends(every, since, until)
    if not ends:
        raise InvalidInput(
            f"no {every} period ends between {since} and {instant_text(as_utc(until))}: give an "
            "earlier --since or a later --until"
        )
    make_folder(out_dir)
    index = out_dir / f"index{EXTENSIONS[format]}"
    _refuse_what_is_in_the_way([*(out_dir / report_name(end, format) for end in ends), index])
    previous_end = _before(since)
    snapshot = build_snapshot(engine, previous_end)
    entries: list[SeriesEntry] = []
    written: list[Path] = []
    unchanged: list[Path] = []
    try:
        for end in ends:
            data = build_report(engine, end, since=previous_end, previous=snapshot)
            path = out_dir / report_name(end, format)
            (written if write_if_changed(path, render(data, format)) else unchanged).append(path)
            entries.append(SeriesEntry(end, path.name, data.status, data.changes.counts))
            snapshot, previous_end = data.snapshot(), end
        text = _index(every, since, tuple(entries), format)
        (written if write_if_changed(index, text) else unchanged).append(index)
    except CannotWrite as error:  # a disk or a permission failing half-way: say what is left
        raise CannotWrite(f"{error}; {plural(len(written), 'report')} of the series written "
                          f"before it, the index not") from None
    return SeriesResult(tuple(entries), tuple(written), tuple(unchanged))


def _before(since: date) -> datetime:
    """The previous period's end: the last instant before `since`, so the first report's
    changes start with that day; the first day of the calendar has none, so its start."""
    start = start_of_day(since)
    return start if since == date.min else start - timedelta(microseconds=1)


def _refuse_what_is_in_the_way(paths: list[Path]) -> None:
    """A folder (or a device) where a report of the series goes is refused before any is
    written: found half-way, it left the earlier reports written and no index."""
    for path in paths:
        try:
            refuse_non_file(path)
        except CannotWrite as error:
            raise CannotWrite(f"{error}; nothing of the series was written") from None


# --------------------------------------------------------------------------- the index


def _changes_line(counts: ChangeCounts) -> str:
    return (f"{counts.new_claims} new, {counts.resolutions} resolved, {counts.reopenings} "
            f"reopened, {plural(counts.status_changes, 'status change')}, "
            f"{plural(counts.edits, 'edit')}, "
            f"{plural(counts.evidence, 'evidence entry', 'evidence entries')}, "
            f"{plural(counts.retractions, 'retraction')}, {plural(counts.forecasts, 'forecast')}")


def _index(every: str, since: date, entries: tuple[SeriesEntry, ...], format: Format) -> str:
    title = f"Claims reports, every {every}, from {since.isoformat()}"
    if format == "json":
        return json.dumps({
            "format": "tracker-report-index", "version": 1, "every": every,
            "since": since.isoformat(),
            "reports": [{"as_of": entry.as_of.isoformat().replace("+00:00", "Z"),
                         "file": entry.file, "summary": summary_line(entry.status),
                         "changes": _changes_line(entry.changes)}
                        for entry in entries],
        }, ensure_ascii=False, indent=2) + "\n"
    newest_first = tuple(reversed(entries))
    if format == "md":
        lines = [f"# {md_escape(title)}", "", "| Period end | Claims | In the period |",
                 "| --- | --- | --- |"]
        lines += [f"| [{instant_text(entry.as_of)}]({entry.file}) | {summary_line(entry.status)} | "
                  f"{_changes_line(entry.changes)} |" for entry in newest_first]
        return "\n".join([*lines, ""])
    rows = "\n".join(
        f'<tr><td><a href="{escape(entry.file)}">{escape(instant_text(entry.as_of))}</a></td>'
        f"<td>{escape(summary_line(entry.status))}</td>"
        f"<td>{escape(_changes_line(entry.changes))}</td></tr>"
        for entry in newest_first
    )
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="lead">{plural(len(entries), "report")}, newest first. Each uses only what '
        "had been recorded by its period end and compares itself with the one before.</p>",
        "<table><thead><tr><th>Period end</th><th>Claims</th><th>In the period</th></tr>"
        "</thead><tbody>", rows, "</tbody></table>", "</body>", "</html>", "",
    ])
