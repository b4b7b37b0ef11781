"""Track records kept elsewhere (a spreadsheet, another tool) in and out, as CSV or JSON.

Columns: question_id, title, forecaster, probability, forecast_at, outcome, resolved_at,
and optionally tags (separated by ';'), url, created_at (the day the question was asked;
without it, the day of its first forecast: the question was open by then, and scoring
needs the time it was open; as a moment, the moment a new question opened: the export
writes one for a claim without a made-on day, which scoring opens when it was recorded).
`outcome` is yes, no, a number in [0, 1], annulled, or empty while the question is open.
`resolved_at` is the day the outcome was observed, or the moment it was resolved (an ISO
timestamp: the export writes one for a resolution recorded without an observed day, as
scoring then counts forecasts up to that moment). A row with empty forecaster and
probability describes a question without forecasts.

Rows are grouped by question_id into claims. For a claim already in the database, rows
change only its title and, where their cells give them, its url, tags and made-on day (the
criteria, deadline, source and a start given as a moment stay the claim's own). Entry ids
are derived from the row content (UUID v5), so importing the same file twice adds nothing.
Every row is validated first; one bad row means nothing is imported.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tracker.definitions import (
    ClaimDefinition,
    after_recording,
    check_reviewer,
    check_text,
    definition_from_json,
    validate_definition,
)
from tracker.errors import InvalidInput, TrackerError
from tracker.horizons import (
    DateError,
    as_utc,
    instant_text,
    names_a_time,
    parse_day,
    within_the_calendar,
)
from tracker.ledger import EntryStamp, Ledger, LedgerTransaction
from tracker.models import (
    TITLE_MAX,
    Claim,
    ClaimRevision,
    ClaimTag,
    Forecast,
    Resolution,
    Reviewer,
    StatusChange,
)
from tracker.probability import parse_probability
from tracker.scorebook import outcome_moment, scoring_resolutions
from tracker.textfiles import make_folder, write_if_changed
from tracker.vocabulary import Outcome, Status, outcome_value, plural

COLUMNS = ("question_id", "title", "forecaster", "probability", "forecast_at", "outcome",
           "resolved_at", "tags", "url", "created_at")
REQUIRED = COLUMNS[:7]
IMPORTER = "import-forecasts"
_NAMESPACE = uuid.UUID("5b0f4c1e-7d55-4a43-9a55-0c6f1d1c2b9e")
_SLUG_CLEAN = re.compile(r"[^a-z0-9]+")


class TrackRecordError(TrackerError):
    """Problems found in a track-record file, each with its line number."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"{path}:{problem}" for problem in problems)
        super().__init__(f"{plural(len(problems), 'problem')}, nothing was imported:\n{listed}")


@dataclass(frozen=True)
class Row:
    line: int
    question_id: str
    title: str
    forecaster: str
    probability: float | None
    forecast_at: datetime | None
    outcome: str
    value: float | None
    resolved_at: datetime | None
    resolved_at_is_instant: bool
    """True when resolved_at gave a time: the moment it was resolved, not the day it was
    observed."""
    tags: tuple[str, ...]
    url: str
    created_at: datetime | None
    created_at_is_instant: bool = False
    """True when created_at gave a time: the moment the question opened, not a made-on day."""


@dataclass
class QuestionRows:
    question_id: str
    slug: str
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class ImportSummary:
    questions_added: int
    questions_updated: int
    forecasts_added: int
    resolutions_added: int
    unchanged_forecasts: int
    kept_resolved: tuple[str, ...] = ()
    """Claims resolved here that the file lists as open: left resolved (an older file)."""
    kept_open: tuple[str, ...] = ()
    """Claims reopened here after the outcome the file gives: left open (an older file)."""
    kept_outcome: tuple[str, ...] = ()
    """Claims resolved or reopened here after the file's different outcome: left as they are
    (an older file)."""
    changed_outcome: tuple[tuple[str, str, str], ...] = ()
    """Claims whose outcome the file changed: (slug, status before, status after)."""
    kept_fields: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Claims whose title, url, tags or made-on day the file gives as they were before an edit
    here: (slug, the fields kept as edited)."""
    after_outcome: tuple[int, ...] = ()
    """Lines of forecasts made at or after their question's outcome: kept, never scored.
    Only those this import added, or left unscored by an outcome it recorded: a re-import of
    the same file does not name again what an earlier one named."""


def slug_for(question_id: str) -> str:
    cleaned = question_id.strip()
    slug = _SLUG_CLEAN.sub("-", cleaned.lower()).strip("-")
    if not slug or any(char.isalnum() and not char.isascii() for char in cleaned):
        # Letters a slug cannot hold (日本, é) would be dropped, and ids that differ only in
        # them would be one claim ('question', 'gdp'): a hash of the id keeps them apart, the
        # same in every database.
        return f"{(slug or 'question')[:71].rstrip('-')}-{_entry_id('slug', cleaned)[:8]}"
    return slug[:80]


def _entry_id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "|".join(parts)))


# --- reading ---------------------------------------------------------------------------


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, record) pairs from a CSV file or a JSON array of objects."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise TrackRecordError(str(path), [f"{line}: the file is not valid UTF-8 (byte "
                                           f"{error.start}): save it as UTF-8"]) from None
    if path.suffix.lower() == ".json" or text.lstrip().startswith(("[", "{")):
        yield from _json_records(text)
        return
    rows = _csv_rows(text)
    header = next(rows, (1, []))[1]
    missing = [name for name in REQUIRED if name not in header]
    separator = next((mark for mark in ";\t" if len(header) == 1 and mark in header[0]), "")
    if missing and separator:  # a spreadsheet's export in a locale that separates with ';'
        shown = "';'" if separator == ";" else "tabs"
        raise TrackRecordError(str(path), [f"1: the columns are separated by {shown}: save "
                                           "the file as comma-separated CSV"])
    if missing:
        columns = "column" if len(missing) == 1 else "columns"
        raise TrackRecordError(str(path), [f"1: missing {columns} {', '.join(missing)}; the "
                                           f"header must name {', '.join(REQUIRED)}"])
    if repeated := next((name for name in COLUMNS if header.count(name) > 1), None):
        raise TrackRecordError(str(path), [f"1: the header names {repeated} more than once: keep "
                                           "one column of it"])  # the last one would be read
    for line, cells in rows:
        if any(cell.strip() for cell in cells):  # a blank line, or a spreadsheet's ",,,,"
            yield line, dict(zip(header, cells, strict=False))


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) for each row, the header first. A row starts on the line after the
    previous one ended: a quoted cell may hold line breaks."""
    reader = csv.reader(io.StringIO(text, newline=""))  # any line end, a lone \r too (old Macs)
    end = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # a cell past the module's limit, say
            raise ValueError(f"{end + 1}: not valid CSV ({error})") from None
        yield end + 1, cells
        end = reader.line_num


def _json_records(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    # A number is kept as written (1e1, 2.50), so that a message quotes it so; it is read as
    # its text, as a CSV cell is.
    decoder = json.JSONDecoder(parse_float=str, parse_int=str, parse_constant=str)
    start = len(text) - len(text.lstrip())
    if not text[start:start + 1] == "[":
        raise ValueError(f"{text.count(chr(10), 0, start) + 1}: a JSON track record is an "
                         "array of objects, one per row: [{\"question_id\": ...}, ...]")
    position = start + 1
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text):
            raise ValueError(f"{text.count(chr(10)) + 1}: the JSON array is not closed with ]")
        if text[position] == "]":  # what follows it would be dropped: a second array, say
            rest = text[position + 1:]
            if rest.strip():
                line = text.count("\n", 0, len(text) - len(rest.lstrip())) + 1
                raise ValueError(f"{line}: text after the JSON array's closing ]: give every "
                                 "row in one array")
            return
        line = text.count("\n", 0, position) + 1
        try:
            record, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise ValueError(f"{line}: not valid JSON ({error.msg})") from None
        if not isinstance(record, dict):
            raise ValueError(f"{line}: each item must be an object with the columns as keys")
        yield line, record


def _instant(text: str, column: str) -> datetime:
    try:
        if names_a_time(text):  # a moment ("2024-03-01T15:00Z"), not only a day
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            with within_the_calendar(text):  # its offset may move it past year 1 or 9999
                return as_utc(moment)
        return as_utc(datetime.combine(parse_day(text), datetime.min.time()))
    except DateError as error:  # says why: "could be 6 July or June 7: write ..."
        raise ValueError(f"{column}: {error}") from None
    except ValueError:
        raise ValueError(f"{column} '{text}' is not a date or ISO timestamp") from None


def _row(line: int, record: dict[str, Any]) -> Row:
    def get(name: str) -> str:
        value = record.get(name)
        if isinstance(value, list | dict):  # JSON: its text would be Python's repr of it
            shape = "an array" if isinstance(value, list) else "an object"
            hint = ": one text, the tags separated by ';'" if name == "tags" else ""
            raise ValueError(f"{name} is {shape}; give text or a number{hint}")
        if isinstance(value, bool):  # as written in JSON, not Python's True
            return "true" if value else "false"
        return "" if value is None else str(value).strip()

    question_id = get("question_id")
    if not question_id:
        raise ValueError("question_id is empty")
    # Checked as the claimant it makes would be, but named as the file names it.
    check_text(question_id, "question_id", TITLE_MAX - len(CLAIMANT), one_line=True)
    forecaster, raw_probability = get("forecaster"), get("probability")
    probability = forecast_at = None
    if forecaster or raw_probability:
        if not forecaster:
            raise ValueError("forecaster is empty but a probability is given")
        check_reviewer(forecaster)  # here, not as the ledger writes: every bad name by line
        if not raw_probability:
            raise ValueError("probability is empty but forecaster is given: give the "
                             "forecast's probability, or leave both empty for a question "
                             "without forecasts")
        probability = parse_probability(raw_probability)
        if not get("forecast_at"):
            raise ValueError("forecast_at is empty: say when the forecast was made")
        forecast_at = _instant(get("forecast_at"), "forecast_at")
    outcome, value = _outcome(get("outcome"))
    resolved_at = _instant(get("resolved_at"), "resolved_at") if get("resolved_at") else None
    if outcome and resolved_at is None:
        raise ValueError("resolved_at is empty but the question has an outcome")
    if resolved_at is not None and not outcome:
        raise ValueError("resolved_at is given but outcome is empty: give the outcome, or "
                         "leave both empty while the question is open")
    created_at = _instant(get("created_at"), "created_at") if get("created_at") else None
    tags = tuple(sorted({tag.strip() for tag in get("tags").split(";") if tag.strip()}))
    return Row(line, question_id, get("title"), forecaster, probability, forecast_at, outcome,
               value, resolved_at, names_a_time(get("resolved_at")), tags, get("url"), created_at,
               names_a_time(get("created_at")))


def _outcome(text: str) -> tuple[str, float | None]:
    lowered = text.lower()
    if not lowered:
        return "", None
    if lowered in ("yes", "no", "annulled"):
        return lowered, None
    try:
        value = float(lowered)
    except ValueError:
        raise ValueError(f"outcome '{text}': use yes, no, a number in [0, 1], annulled, "
                         "or leave it empty while open") from None
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"outcome {text} is outside [0, 1]")
    if value == 1.0:
        return "yes", None
    if value == 0.0:
        return "no", None
    return "partial", value


def read_track_record(path: Path) -> list[QuestionRows]:
    """Every row validated; raises TrackRecordError listing each bad row by line."""
    problems: list[str] = []
    questions: dict[str, QuestionRows] = {}
    try:
        for line, record in _records(path):
            try:
                row = _row(line, record)
            except (ValueError, InvalidInput) as error:
                problems.append(f"{line}: {error}")
                continue
            group = questions.setdefault(row.question_id,
                                         QuestionRows(row.question_id, slug_for(row.question_id)))
            group.rows.append(row)
    except ValueError as error:
        problems.append(str(error))
    except (OSError, UnicodeDecodeError) as error:
        raise TrackRecordError(str(path), [f"0: cannot read the file ({error})"]) from None
    slugs: dict[str, str] = {}
    for question in questions.values():
        other = slugs.setdefault(question.slug, question.question_id)
        if other != question.question_id:
            problems.append(f"{question.rows[0].line}: question_id '{question.question_id}' "
                            f"and '{other}' both become claim '{question.slug}'; rename one")
        problems.extend(_question_problems(question))
    if problems:
        raise TrackRecordError(str(path), sorted(problems, key=_line_of))
    return list(questions.values())


def _line_of(problem: str) -> int:
    head = problem.split(":", 1)[0]
    return int(head) if head.isdigit() else 0


def _question_problems(question: QuestionRows) -> list[str]:
    problems = []
    outcomes = {(row.outcome, row.value, row.resolved_at) for row in question.rows if row.outcome}
    if len(outcomes) > 1:
        problems.append(f"{question.rows[0].line}: question '{question.question_id}' has "
                        "different outcomes on different rows; give one")
    if not any(row.title for row in question.rows):
        problems.append(f"{question.rows[0].line}: question '{question.question_id}' has no "
                        "title on any row")
    for column, cell in (("titles", lambda row: row.title), ("urls", lambda row: row.url),
                         ("created_at values", _created_text)):
        cells: dict[str, int] = {}  # each text, and the line it is first given on
        for row in question.rows:
            cells.setdefault(cell(row), row.line)
        cells.pop("", None)  # an empty cell gives none: the question's other rows do
        if len(cells) > 1:  # the first one given was taken, without a word
            lines = ", ".join(f"line {line} '{text}'" for text, line in cells.items())
            problems.append(f"{question.rows[0].line}: question '{question.question_id}' has "
                            f"different {column} on different rows ({lines}); give one")
    try:
        validate_definition(_definition(question))
    except InvalidInput as error:
        problems.append(f"{question.rows[0].line}: {error}")
    return problems


def _created_text(row: Row) -> str:
    """A row's created_at as compared with the question's other rows: one moment however
    its offset is written, and a day apart from a moment of that day (a made-on day is not
    the moment the question opened)."""
    if row.created_at is None:
        return ""
    return row.created_at.isoformat() if row.created_at_is_instant else row.created_at.date(
        ).isoformat()


CLAIMANT = "imported question "
"""Who made a question's claim: the track record it came from, by its question_id."""

QUESTION_CRITERIA = "Resolves as the imported track record's outcome column says."
"""A question from a track record is resolved where it was asked; here, by its outcome."""


def _opened_at(question: QuestionRows) -> datetime | None:
    """The moment the question opened, where its created_at gives one (a claim without a
    made-on day opens when it is recorded: its claim is recorded at that moment)."""
    first = next((row for row in question.rows if row.created_at), None)
    return first.created_at if first is not None and first.created_at_is_instant else None


def _definition(question: QuestionRows) -> ClaimDefinition:
    rows = question.rows
    title = next((row.title for row in rows if row.title), question.question_id)
    created = [row.created_at for row in rows if row.created_at]
    tags = sorted({tag for row in rows for tag in row.tags})
    url = next((row.url for row in rows if row.url), "")
    forecast_days = [row.forecast_at.date() for row in rows if row.forecast_at]
    # Without a day asked, the claim would open when imported, after every forecast: each
    # time-averaged score would cover no time at all. A moment opens it instead (_opened_at).
    if _opened_at(question) is not None:
        asked = None
    else:
        asked = created[0].date() if created else min(forecast_days, default=None)
    return ClaimDefinition(
        slug=question.slug, title=title, statement=title, criteria=QUESTION_CRITERIA,
        made_on=asked, tags=tuple(tags), url=url,
        claimant=f"{CLAIMANT}{question.question_id}",
    )


# --- importing -------------------------------------------------------------------------


def import_track_record(ledger: Ledger, path: Path, reviewer: str = IMPORTER) -> ImportSummary:
    """Merge a file into the database in one transaction; re-importing adds nothing."""
    questions = read_track_record(path)
    _check_dates(path, questions, ledger.clock())
    added = updated = forecasts = resolutions = unchanged = 0
    after_outcome: list[int] = []
    kept: dict[str, list[str]] = {KEPT_RESOLVED: [], KEPT_OPEN: [], KEPT_OUTCOME: []}
    changed: list[tuple[str, str, str]] = []
    kept_fields: list[tuple[str, tuple[str, ...]]] = []
    with ledger.transaction() as tx:
        tx.hold_import_lock()
        for question in questions:
            definition = _definition(question)
            existing = tx.session.scalar(select(Claim).where(Claim.slug == question.slug))
            if existing is None:
                tx.create_claim(definition, reviewer, note=f"imported from {path.name}",
                                stamp=EntryStamp(_entry_id("claim", question.question_id),
                                                 recorded_at=_opened_at(question)))
                added += 1
            else:
                current, carried, behind = _merged(tx, question, definition, existing, reviewer)
                if carried != current:
                    # Locked, then read again: an edit made meanwhile here is built on (and
                    # judged by _unless_behind), not written over with a definition read
                    # before it. Claims the file does not change are not held.
                    existing = tx.claim(question.slug)
                    current, carried, behind = _merged(tx, question, definition, existing,
                                                       reviewer)
                if behind:
                    kept_fields.append((question.slug, behind))
                if carried != current:
                    tx.edit_claim(question.slug, carried, reviewer,
                                  note=f"re-imported from {path.name}")
                    updated += 1
            recorded = _forecasts_on(tx, existing)
            added_lines: set[int] = set()
            for row in question.rows:
                if row.forecaster and row.probability is not None and row.forecast_at:
                    entry = _entry_id("forecast", question.question_id, row.forecaster,
                                      row.forecast_at.isoformat(), repr(row.probability))
                    if tx.has_entry(Forecast, entry) or (
                            row.forecaster, row.probability, row.forecast_at) in recorded:
                        unchanged += 1
                        continue
                    with _at_line(path, row.line):
                        tx.forecast(question.slug, row.probability, reviewer=row.forecaster,
                                    made_at=row.forecast_at, stamp=EntryStamp(entry),
                                    allow_closed=True)
                    forecasts += 1
                    added_lines.add(row.line)
            with _at_line(path, next((row.line for row in question.rows if row.outcome),
                                     question.rows[0].line)):
                outcome, status_before = _apply_outcome(tx, question, reviewer)
            resolutions += outcome == RESOLVED
            if outcome in kept:
                kept[outcome].append(question.slug)
            if outcome == RESOLVED and Status(status_before).is_closed:
                changed.append((question.slug, status_before,
                                tx.claim(question.slug, lock=False).status))
            after_outcome += [line for line in _forecasts_after_outcome(tx, question)
                              if line in added_lines or outcome == RESOLVED]
    return ImportSummary(added, updated, forecasts, resolutions, unchanged,
                         tuple(kept[KEPT_RESOLVED]), tuple(kept[KEPT_OPEN]),
                         tuple(kept[KEPT_OUTCOME]), tuple(changed), tuple(kept_fields),
                         tuple(sorted(after_outcome)))


def _forecasts_after_outcome(tx: LedgerTransaction, question: QuestionRows) -> list[int]:
    """The lines of the question's forecasts made at or after the outcome the claim has
    once imported, read as scoring reads it (an observed day from its start, else the
    moment recorded), not as the file gives it: the import may keep a claim open, keep its
    own resolution, or date a resolution by its day. Such forecasts are kept but never
    scored, so a date typed wrong would otherwise leave them out of every score unseen."""
    claim = tx.claim(question.slug, lock=False)
    resolution = tx.session.scalars(  # the one scoring uses: none if open or annulled
        scoring_resolutions(None, ids=(claim.id, claim.id))).one_or_none()
    if resolution is None:
        return []
    outcome_at = outcome_moment(resolution.observed_on, as_utc(resolution.recorded_at))
    return [row.line for row in question.rows
            if row.forecast_at is not None and row.forecast_at >= outcome_at]


def _forecasts_on(tx: LedgerTransaction, claim: Claim | None
                  ) -> set[tuple[str, float, datetime]]:
    """The claim's forecasts as (forecaster, probability, moment), read once per question: a
    row already among them is not added. A forecast made in the tracker has an id of its
    own, so without this importing the tracker's own export added each a second time."""
    if claim is None:
        return set()
    rows = tx.session.execute(
        select(Reviewer.name, Forecast.probability, Forecast.made_at)
        .join(Reviewer, Reviewer.id == Forecast.reviewer_id)
        .where(Forecast.claim_id == claim.id))
    return {(name, probability, as_utc(made_at)) for name, probability, made_at in rows}


def _check_dates(path: Path, questions: list[QuestionRows], now: datetime) -> None:
    """A forecast or an outcome dated after the import is a typo: every such cell by line
    (the ledger would refuse them too, one at a time, in its own words). A day has a day's
    grace (time zones); a moment a resolution or a question is recorded at has none: later
    today, it was recorded in the future, and a reopening made now came before it."""
    today = as_utc(now).date()
    problems = [
        f"{row.line}: {column} {moment.date().isoformat()} is after today "
        f"({today.isoformat()})"
        for question in questions for row in question.rows
        for column, moment in (("forecast_at", row.forecast_at), ("resolved_at", row.resolved_at),
                               ("created_at", row.created_at))
        if moment is not None and after_recording(moment.date(), now)
    ]
    problems += [
        f"{row.line}: {column} {instant_text(moment)} has not come yet (it is "
        f"{instant_text(now)}): give the moment it happened"
        for question in questions for row in question.rows
        for column, moment, exact in (
            ("resolved_at", row.resolved_at, row.resolved_at_is_instant),
            ("created_at", row.created_at, row.created_at_is_instant))
        if exact and moment is not None and moment > now
        and not after_recording(moment.date(), now)  # said above already
    ]
    if problems:
        raise TrackRecordError(str(path), problems)


@contextmanager
def _at_line(path: Path, line: int) -> Iterator[None]:
    """The ledger's own refusals (a reviewer's name, say) given with the line."""
    try:
        yield
    except InvalidInput as error:
        raise TrackRecordError(str(path), [f"{line}: {error}"]) from None


def _merged(tx: LedgerTransaction, question: QuestionRows, given: ClaimDefinition,
            claim: Claim, importer: str
            ) -> tuple[ClaimDefinition, ClaimDefinition, tuple[str, ...]]:
    """The claim's current definition, the one the import makes of it with what the file
    carries, and the fields kept as they are (`_carried`, `_unless_behind`)."""
    revisions = _definitions(tx, claim)
    current = revisions[-1][0]
    carried, behind = _unless_behind(_carried(question, given, current), revisions, importer)
    return current, carried, behind


def _definitions(tx: LedgerTransaction, claim: Claim) -> list[tuple[ClaimDefinition, str]]:
    """Every definition the claim has had and who recorded it, oldest first (the last is
    the current one)."""
    return [(definition_from_json(stored), name) for stored, name in tx.session.execute(
        select(ClaimRevision.definition, Reviewer.name)
        .join(Reviewer, Reviewer.id == ClaimRevision.reviewer_id)
        .where(ClaimRevision.claim_id == claim.id).order_by(ClaimRevision.version))]


CARRIED_FIELDS = ("title", "url", "tags", "made_on")
"""What a track record's rows can change in a claim's definition (see `_carried`)."""


def _unless_behind(carried: ClaimDefinition, revisions: list[tuple[ClaimDefinition, str]],
                   importer: str) -> tuple[ClaimDefinition, tuple[str, ...]]:
    """`carried` less the fields whose value the claim had before and someone but the
    importer changed here since: a track record carries no date for them, and a file written
    before that edit would undo it (a value an earlier file set is the files' to change, as
    their outcomes are). Returns the definition to keep and the fields kept as they are."""
    current = revisions[-1][0]
    behind = tuple(name for name in CARRIED_FIELDS
                   if getattr(carried, name) != getattr(current, name)
                   and _set_by(revisions, name) != importer
                   and any(getattr(old, name) == getattr(carried, name)
                           for old, _ in revisions[:-1]))
    if not behind:
        return carried, ()
    kept = {name: getattr(current, name) for name in behind}
    if "title" in behind:
        kept["statement"] = current.statement
    return replace(carried, **kept), behind


def _carried(question: QuestionRows, given: ClaimDefinition, current: ClaimDefinition
             ) -> ClaimDefinition:
    """`current` with what the file carries (`given`, the question's definition): a title,
    and a url, tags and made-on day where its cells give them (a first forecast's day only
    fills a made-on day the claim lacks). The rest (criteria, deadline, source...) is the
    claim's own: a row about a claim made here replaced all of it with a bare question's."""
    title = given.title if any(row.title for row in question.rows) else current.title
    statement = title if current.statement == current.title else current.statement
    asked = any(row.created_at for row in question.rows)  # else a first forecast's day
    if _opened_at(question) is not None:  # a moment, not a day: the claim keeps its start
        made_on = current.made_on
    else:
        made_on = given.made_on if asked else current.made_on or given.made_on
    return replace(
        current, title=title, statement=statement, url=given.url or current.url,
        tags=given.tags or current.tags, made_on=made_on,
    )


RESOLVED, KEPT_RESOLVED, KEPT_OPEN, KEPT_OUTCOME, UNCHANGED = (
    "resolved", "kept resolved", "kept open", "kept outcome", "unchanged")


def _set_by(revisions: list[tuple[ClaimDefinition, str]], name: str) -> str:
    """Who recorded the revision that gave field `name` its current value."""
    setter = revisions[0][1]
    for (before, _), (after, by) in itertools.pairwise(revisions):
        if getattr(before, name) != getattr(after, name):
            setter = by
    return setter


def _apply_outcome(tx: LedgerTransaction, question: QuestionRows, reviewer: str
                   ) -> tuple[str, str]:
    """Resolve as the file says. A track record carries no version to tell an older file
    from a newer one, so the file does not undo what was done here since: a question it
    lists as open does not reopen a claim resolved here, an outcome dated before the claim
    was last reopened here does not close it again, and a different outcome dated before
    the claim was last resolved or reopened here (by anyone but the importer) does not
    replace it. Returns what it did and the claim's status before.
    The claim is locked only where the file gives an outcome, which may be written: a row
    without one reads it, as the forecasts are added, without holding it."""
    resolved = next((row for row in question.rows if row.outcome), None)
    deciding = resolved is not None and resolved.resolved_at is not None
    claim = tx.claim(question.slug, lock=deciding)
    before = claim.status
    closed = Status(before).is_closed
    if resolved is None or resolved.resolved_at is None:
        return (KEPT_RESOLVED if closed else UNCHANGED), before
    current = tx.session.scalar(
        select(Resolution).where(Resolution.claim_id == claim.id)
        .order_by(Resolution.version.desc()).limit(1)
    )
    if closed and current is not None and (current.outcome, current.value) == (
        resolved.outcome, outcome_value(Outcome(resolved.outcome), resolved.value)
    ):
        return UNCHANGED, before
    reopened = tx.session.scalar(
        select(func.max(StatusChange.recorded_at))
        .where(StatusChange.claim_id == claim.id, StatusChange.is_reopen))
    if not closed and reopened is not None and as_utc(reopened) >= resolved.resolved_at:
        return KEPT_OPEN, before
    # A day is the day it was observed; a moment (as exported for a resolution recorded
    # without one) is when it was recorded, so forecasts made earlier that day still count,
    # unless it comes before the claim's latest change of state: a status history is not
    # written into its past (the moment's day is then the observed day).
    latest = _latest_state_change(tx, claim.id)
    exact = resolved.resolved_at_is_instant and (latest is None
                                                 or resolved.resolved_at >= latest)
    if closed:
        decided_here = _last_resolved_or_reopened(tx, claim.id, except_by=reviewer)
        if decided_here is not None and decided_here >= resolved.resolved_at:
            return KEPT_OUTCOME, before
        # Reopened at the file's moment too, where it has one: recorded as the import runs,
        # the reopening came after that moment, which then gave way to its day. Its id is
        # the file's, as the resolution's is: two databases importing the same files make
        # the same entry, which a claim file carries from one to the other as already there
        # (with an id of its own each, the other's reopening was merged after the new
        # outcome, at the same moment, and left the claim open).
        tx.reopen(question.slug, reviewer=reviewer,
                  reason="the imported track record gives a different outcome",
                  stamp=EntryStamp(_entry_id("reopen", question.question_id, resolved.outcome,
                                             repr(resolved.value),
                                             resolved.resolved_at.isoformat(),
                                             str(claim.version)),
                                   resolved.resolved_at if exact else None))
    tx.resolve(question.slug, resolved.outcome, value=resolved.value, reviewer=reviewer,
               observed_on=None if exact else resolved.resolved_at.date(),
               note="imported track record",
               stamp=EntryStamp(_entry_id("resolution", question.question_id, resolved.outcome,
                                          repr(resolved.value), resolved.resolved_at.isoformat(),
                                          str(claim.version)),
                                recorded_at=resolved.resolved_at if exact else None))
    return RESOLVED, before


def _last_resolved_or_reopened(tx: LedgerTransaction, claim_id: int, *, except_by: str
                               ) -> datetime | None:
    """When someone but `except_by` (the importer, whose entries come from earlier files)
    last resolved or reopened the claim here."""
    moments = [tx.session.scalar(
        select(func.max(model.recorded_at))
        .join(Reviewer, Reviewer.id == model.reviewer_id)
        .where(model.claim_id == claim_id, Reviewer.name != except_by, *where))
        for model, where in ((Resolution, ()), (StatusChange, (StatusChange.is_reopen,)))]
    return max((as_utc(moment) for moment in moments if moment is not None), default=None)


def _latest_state_change(tx: LedgerTransaction, claim_id: int) -> datetime | None:
    """When the claim's status last changed (a status entry, a reopening, a resolution)."""
    moments = [tx.session.scalar(select(func.max(model.recorded_at))
                                 .where(model.claim_id == claim_id))
               for model in (StatusChange, Resolution)]
    return max((as_utc(moment) for moment in moments if moment is not None), default=None)


# --- exporting -------------------------------------------------------------------------


def _outcome_text(outcome: str | None, value: float | None) -> str:
    if outcome is None:
        return ""
    if outcome == "partial":
        return repr(value)
    return outcome


def export_rows(engine: Engine) -> list[dict[str, str]]:
    """Every forecast as a row (questions without forecasts get one row of their own)."""
    resolution = scoring_resolutions(None, include_annulled=True).subquery()
    with Session(engine) as session:
        claims = session.execute(
            select(Claim.id, Claim.slug, Claim.title, Claim.url, Claim.made_on, Claim.created_at,
                   resolution.c.outcome, resolution.c.value, resolution.c.observed_on,
                   resolution.c.recorded_at)
            .outerjoin(resolution, resolution.c.claim_id == Claim.id)
            .order_by(Claim.slug)
        ).all()
        tags: dict[int, list[str]] = {}
        for claim_id, tag in session.execute(select(ClaimTag.claim_id, ClaimTag.tag)
                                             .order_by(ClaimTag.tag)):
            tags.setdefault(claim_id, []).append(tag)
        forecasts: dict[int, list[tuple[str, float | None, datetime | None]]] = {}
        for claim_id, name, probability, made_at in session.execute(
            select(Forecast.claim_id, Reviewer.name, Forecast.probability, Forecast.made_at)
            .join(Reviewer, Reviewer.id == Forecast.reviewer_id)
            # Recorded order too: of two forecasts made at one moment the later recorded
            # counts, and an import records rows in file order.
            .order_by(Forecast.claim_id, Forecast.made_at, Forecast.recorded_at,
                      Reviewer.name, Forecast.uuid)
        ):
            forecasts.setdefault(claim_id, []).append((name, probability, as_utc(made_at)))
    rows = []
    for claim_id, slug, title, url, made_on, created, outcome, value, observed, recorded in claims:
        common = {
            "question_id": slug, "title": title,
            "outcome": _outcome_text(outcome, value),
            "resolved_at": _resolved_at(observed, recorded) if outcome else "",
            "tags": ";".join(tags.get(claim_id, [])), "url": url,
            # Without a made-on day a claim opens when it was recorded: that moment.
            "created_at": _day(made_on) if made_on else as_utc(created).isoformat(),
        }
        entries = forecasts.get(claim_id) or [("", None, None)]
        for forecaster, chance, when in entries:
            rows.append({**common, "forecaster": forecaster,
                         "probability": "" if chance is None else repr(chance),
                         "forecast_at": when.isoformat() if when else ""})
    return [{column: row[column] for column in COLUMNS} for row in rows]


def _day(day: date) -> str:
    return day.isoformat()


def _resolved_at(observed: date | None, recorded: datetime) -> str:
    """The day it was observed, else the moment it was recorded (which scoring uses then):
    a day would move the resolution to that day's start on the way back in."""
    return _day(observed) if observed else as_utc(recorded).isoformat()


def write_track_record(rows: list[dict[str, str]], target: Path | None, fmt: str) -> str:
    if fmt == "json":  # a probability is a number there (null without a forecast)
        typed = [{**row, "probability": float(row["probability"]) if row["probability"]
                  else None} for row in rows]
        text = json.dumps(typed, ensure_ascii=False, indent=2) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        text = buffer.getvalue()
    if target is not None:
        make_folder(target.parent)  # as `tracker report -o` does
        write_if_changed(target, text)
    return text

