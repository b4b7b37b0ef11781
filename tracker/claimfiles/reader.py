"""Read a claim file's TOML into entries, reporting every shape or type problem with its line.

Only the structure is checked here (which keys, which value types); what the values mean
(vocabulary, ranges, lifecycle, references) is checked in `rules` and `check`. A value of the
wrong type is reported and replaced by an empty one, so reading always goes on to the end.
"""

from __future__ import annotations

import codecs
import difflib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tracker.claimfiles.entries import (
    CLAIM_KEYS,
    EVIDENCE_KEYS,
    FORECAST_KEYS,
    HISTORY_KEYS,
    RETRACTION_KEYS,
    SOURCE_KEYS,
    TOP_KEYS,
    UNREAD_TIME,
    ClaimEntry,
    ClaimFile,
    EvidenceEntry,
    ForecastEntry,
    HistoryEntry,
    RetractionEntry,
    SourceEntry,
    Where,
)
from tracker.claimfiles.locate import Locator, TablePath
from tracker.claimfiles.problems import Problem
from tracker.horizons import as_utc

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_CONFLICT_MARKER = re.compile(r"^(<{7}|={7}|>{7})( |$)", re.MULTILINE)
"""A line git writes around the two sides of a merge conflict."""
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END = re.compile(r"\s*\(at end of document\)\s*$")
_DATE_EXAMPLE = "a TOML date such as 2024-01-08 (no quotes)"
_UNSET = UNREAD_TIME
_TIME_EXAMPLE = "a TOML date-time in UTC such as 2026-11-27T23:59:00Z (no quotes)"


@dataclass(frozen=True)
class ReadFile:
    """One file as read: its text, its content (None if the TOML itself is broken), problems."""

    path: str
    text: str
    content: ClaimFile | None
    problems: tuple[Problem, ...]
    directory: Path | None = None


def read_path(path: Path) -> ReadFile:
    """Read a claim file from disk; stored copies are looked up beside it."""
    label = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        return ReadFile(label, "", None, (Problem(label, 1, f"cannot read the file: {error}"),))
    if raw.startswith(codecs.BOM_UTF8):  # TOML parsers stop at it: "Invalid statement"
        problem = Problem(label, 1, "the file starts with a byte order mark (BOM): save it as "
                          "UTF-8 without one")
        return ReadFile(label, "", None, (problem,), path.parent)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problem = Problem(label, line, "the file is not valid UTF-8: save it as UTF-8")
        return ReadFile(label, "", None, (problem,), path.parent)
    read = read_text(text, label)
    return ReadFile(read.path, read.text, read.content, read.problems, path.parent)


def read_text(text: str, label: str) -> ReadFile:
    """Parse TOML text (named `label` in problems) into a ClaimFile."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return ReadFile(label, text, None, (_malformed(label, text, error),))
    reader = _Reader(label, Locator(text))
    content = reader.file(data)
    return ReadFile(label, text, content, tuple(reader.problems))


def _malformed(label: str, text: str, error: tomllib.TOMLDecodeError) -> Problem:
    if marker := _CONFLICT_MARKER.search(text):  # git left a merge unfinished
        line = text.count("\n", 0, marker.start()) + 1
        return Problem(label, line, "git merge conflict markers (<<<<<<<, =======, >>>>>>>) "
                       "are still in the file: keep both sides' entries, each under its own "
                       "[[claims.evidence]], [[claims.history]] or [[claims.forecasts]] "
                       "header, delete the marker lines, then run `tracker check` again")
    message = str(error)
    line, column = 1, 0
    if match := _TOML_POSITION.search(message):
        line, column = int(match.group(1)), int(match.group(2))
        message = message[: match.start()]
    elif match := _TOML_END.search(message):
        line = text.count("\n") + 1
        message = message[: match.start()] + " at the end of the file"
    where = f" (column {column})" if column else ""
    hint = ""
    if message.startswith("Cannot overwrite a value"):
        lines = text.splitlines()
        key = lines[line - 1].split("=", 1)[0].strip() if 0 < line <= len(lines) else ""
        hint = (f": '{key}' is given twice in one table; after a merge, two entries may have "
                "lost the [[...]] header between them (each entry needs its own)")
    return Problem(label, line, f"malformed TOML: {message}{where}{hint}")


class _Reader:
    def __init__(self, label: str, locator: Locator) -> None:
        self.label = label
        self.locator = locator
        self.problems: list[Problem] = []

    def table(self, data: Mapping[str, Any], path: TablePath, what: str,
              known: Sequence[str]) -> _Table:
        return _Table(self, data, path, what, known)

    def file(self, data: Mapping[str, Any]) -> ClaimFile:
        top = self.table(data, (), "the file", TOP_KEYS)
        version = top.get("format")
        if version is None:
            top.problem("format", "missing `format = 1` at the top of the file: add it")
            version = 1
        elif isinstance(version, bool) or not isinstance(version, int):
            top.problem("format", "format must be a whole number: write `format = 1`")
            version = 1
        source_data = top.subtable("source")
        source = self.source(source_data) if source_data is not None else None
        claims = tuple(self.claim(item, ("claims", index))
                       for index, item in enumerate(top.subtables("claims")))
        top.finish()
        return ClaimFile(source=source, claims=claims, format=version, where=top.where())

    def source(self, data: Mapping[str, Any]) -> SourceEntry:
        table = self.table(data, ("source",), "[source]", SOURCE_KEYS)
        entry = SourceEntry(
            key=table.text("key"), title=table.text("title"), publisher=table.text("publisher"),
            authors=table.texts("authors"), published_on=table.day("published_on"),
            url=table.text("url"), language=table.text("language"), notes=table.text("notes"),
            copy=table.text("copy"), copy_sha256=table.text("copy_sha256"), where=table.where(),
        )
        table.finish()
        return entry

    def claim(self, data: Mapping[str, Any], path: TablePath) -> ClaimEntry:
        table = self.table(data, path, "claim", CLAIM_KEYS)
        made_on = table.made_on()
        deadline = table.day("deadline")
        start, end = table.day("deadline_start"), table.day("deadline_end")
        if "deadline" in data and ("deadline_start" in data or "deadline_end" in data):
            table.problem("deadline", "give either `deadline` or `deadline_start` and "
                          "`deadline_end` (a window), not both")
        elif ("deadline_start" in data) != ("deadline_end" in data):
            key = "deadline_start" if "deadline_start" in data else "deadline_end"
            table.problem(key, "a deadline window needs both `deadline_start` and "
                          "`deadline_end`; for a single date write `deadline`")
        if deadline is not None:
            start, end = None, deadline
        confidence = table.number("confidence")
        parent = table.text("parent") if "parent" in data else None
        evidence = [self.evidence(sub, (*path, "evidence", index))
                    for index, sub in enumerate(table.subtables("evidence"))]
        history = [self.history(sub, (*path, "history", index))
                   for index, sub in enumerate(table.subtables("history"))]
        forecasts = [self.forecast(sub, (*path, "forecasts", index))
                     for index, sub in enumerate(table.subtables("forecasts"))]
        logged: list[EvidenceEntry | HistoryEntry | ForecastEntry] = [*evidence, *history,
                                                                      *forecasts]
        entry = ClaimEntry(
            slug=table.text("slug"), title=table.text("title"),
            statement=table.text("statement"), quote=table.text("quote"),
            quote_lang=table.text("quote_lang"), url=table.text("url"),
            claimant=table.text("claimant"),
            kind=table.text("kind", default="prediction"), made_on=made_on,
            horizon=table.text("horizon"), deadline_start=start, deadline_end=end,
            deadline_rule=table.text("deadline_rule"), criteria=table.text("criteria"),
            tags=table.texts("tags"), review=table.text("review"), confidence=confidence,
            confidence_words=table.text("confidence_words"), parent=parent,
            notes=table.text("notes"), created_at=table.moment("created_at"),
            created_by=table.text("created_by"), defined_at=table.moment("defined_at"),
            defined_by=table.text("defined_by"), defined_note=table.text("defined_note"),
            defined_sha256=table.text("defined_sha256"),
            evidence=tuple(item for item in evidence if item.recorded_at != _UNSET),
            history=tuple(item for item in history if item.recorded_at != _UNSET),
            forecasts=tuple(item for item in forecasts if item.recorded_at != _UNSET),
            where=table.where(),
            unplaced=tuple(item for item in logged if item.recorded_at == _UNSET),
        )
        table.finish()
        return entry

    def evidence(self, data: Mapping[str, Any], path: TablePath) -> EvidenceEntry:
        table = self.table(data, path, "evidence entry", EVIDENCE_KEYS)
        recorded_at = table.moment("recorded_at", required=True)
        retracted_data = table.subtable("retracted")
        retracted = (self.retraction(retracted_data, (*path, "retracted"))
                     if retracted_data is not None else None)
        entry = EvidenceEntry(
            id=table.text("id"), title=table.text("title"), stance=table.text("stance"),
            by=table.text("by"), recorded_at=_UNSET, observed_on=table.day("observed_on"),
            url=table.text("url"), summary=table.text("summary"), retracted=retracted,
            where=table.where(),
        )
        table.finish()
        return entry if recorded_at is None else replace(entry, recorded_at=recorded_at)

    def retraction(self, data: Mapping[str, Any], path: TablePath) -> RetractionEntry | None:
        table = self.table(data, path, "retraction", RETRACTION_KEYS)
        recorded_at = table.moment("recorded_at", required=True)
        entry = RetractionEntry(
            id=table.text("id"), reason=table.text("reason"), by=table.text("by"),
            recorded_at=_UNSET, where=table.where(),
        )
        table.finish()
        return None if recorded_at is None else replace(entry, recorded_at=recorded_at)

    def history(self, data: Mapping[str, Any], path: TablePath) -> HistoryEntry:
        table = self.table(data, path, "history entry", HISTORY_KEYS)
        recorded_at = table.moment("recorded_at", required=True)
        entry = HistoryEntry(
            id=table.text("id"), action=table.text("action"), by=table.text("by"),
            recorded_at=_UNSET, to=table.text("to"), outcome=table.text("outcome"),
            value=table.number("value"), note=table.text("note"),
            observed_on=table.day("observed_on"), where=table.where(),
        )
        table.finish()
        return entry if recorded_at is None else replace(entry, recorded_at=recorded_at)

    def forecast(self, data: Mapping[str, Any], path: TablePath) -> ForecastEntry:
        table = self.table(data, path, "forecast", FORECAST_KEYS)
        recorded_at = table.moment("recorded_at", required=True)
        probability = table.number("p")
        if "p" not in data:
            table.problem("p", "the forecast has no probability: add p = 0.7")
        entry = ForecastEntry(
            id=table.text("id"), p=probability if probability is not None else 0.0,
            by=table.text("by"), recorded_at=_UNSET, note=table.text("note"),
            made_at=table.moment("made_at"), where=table.where(),
        )
        table.finish()
        return entry if recorded_at is None else replace(entry, recorded_at=recorded_at)


class _Table:
    """Typed reads from one TOML table; each bad value becomes a problem at its line."""

    def __init__(self, reader: _Reader, data: Mapping[str, Any], path: TablePath, what: str,
                 known: Sequence[str]) -> None:
        self.reader = reader
        self.data = data
        self.path = path
        self.what = what
        self.known = known
        self._reported: set[str] = set()

    def where(self) -> Where:
        locator = self.reader.locator
        return Where(locator.line(self.path), MappingProxyType(locator.keys(self.path)))

    def line(self, key: str | None = None) -> int:
        return self.reader.locator.line(self.path, key)

    def problem(self, key: str | None, message: str) -> None:
        if key is not None:
            if key in self._reported:
                return
            self._reported.add(key)
        self.reader.problems.append(Problem(self.reader.label, self.line(key), message))

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def text(self, key: str, default: str = "") -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            self.problem(key, f"{key} must be a string in quotes, not {_shown(value)}")
            return default
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problem(key, f'{key} must be a list of strings such as ["a", "b"]')
            return ()
        return tuple(value)

    def number(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(key, f"{key} must be a number such as 0.7, not {_shown(value)}")
            return None
        return float(value)

    def day(self, key: str) -> date | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            self.problem(key, f"bad date: {key} must be {_DATE_EXAMPLE}, not {_shown(value)}")
            return None
        return value

    def made_on(self) -> date | None:
        value = self.data.get("made_on")
        if isinstance(value, str):
            match = _MONTH.match(value)
            if match and 1 <= int(match.group(2)) <= 12:
                return date(int(match.group(1)), int(match.group(2)), 1)
            self.problem("made_on", f"bad date: made_on must be {_DATE_EXAMPLE} or a month "
                         f'string such as "2023-03", not {_shown(value)}')
            return None
        return self.day("made_on")

    def moment(self, key: str, *, required: bool = False) -> datetime | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(key, f"the {self.what} has no {key}: add {key} = 2026-11-27T23:59:00Z"
                             " (the time you recorded it, UTC)")
            return None
        if not isinstance(value, datetime):
            self.problem(key, f"bad date-time: {key} must be {_TIME_EXAMPLE}, not {_shown(value)}")
            return None
        if value.tzinfo is None:
            self.problem(key, f"{key} has no time zone: write it in UTC with a Z, such as "
                         "2026-11-27T23:59:00Z")
            return None
        return as_utc(value)

    def subtable(self, key: str) -> Mapping[str, Any] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problem(key, f"{key} must be a table ([{key}] or {key} = {{ ... }})")
            return None
        return value

    def subtables(self, key: str) -> list[Mapping[str, Any]]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.problem(key, f"{key} must be an array of tables, written as [[...{key}]] entries")
            return []
        return value

    def finish(self) -> None:
        for key in self.data:
            if key not in self.known:
                close = difflib.get_close_matches(key, self.known, n=1)
                hint = f"did you mean '{close[0]}'?" if close else (
                    f"known keys are {', '.join(self.known)}")
                self.problem(key, f"unknown key '{key}' in {self.what}: {hint}")


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    if isinstance(value, bool):
        text = "true" if value else "false"
    return text if len(text) <= 40 else text[:37] + "..."
