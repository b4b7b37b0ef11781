"""What the values of one claim file must mean: vocabulary, ranges, dates, cadences, texts
the database can hold, the status lifecycle, and quotes found in the stored source copy.

Every problem is reported, each at the line of the key it is about. Checks that span files
(duplicate slugs and ids, parents) are in `check`.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from tracker.claimfiles.convert import definition_of
from tracker.claimfiles.entries import (
    UNREAD_TIME,
    ClaimEntry,
    ClaimFile,
    EvidenceEntry,
    ForecastEntry,
    HistoryEntry,
    SourceEntry,
    Where,
)
from tracker.claimfiles.lifecycle import ACTIONS, replay
from tracker.claimfiles.problems import Problem
from tracker.definitions import (
    SLUG_PATTERN,
    check_made_at,
    check_made_on,
    check_observed,
    check_partial_value,
    check_recorded_at,
    check_tag,
    control_character_problem,
    has_control_characters,
    quote_in_copy,
    validate_definition,
)
from tracker.errors import InvalidInput
from tracker.horizons import DateError, instant_text, parse_cadence
from tracker.models import (
    COPY_PATH_MAX,
    LANGUAGE_MAX,
    NAME_MAX,
    SLUG_MAX,
    TEXT_MAX,
    TITLE_MAX,
    URL_MAX,
)
from tracker.vocabulary import OPEN_STATUSES, Kind, Outcome, Stance, Status

CADENCE_MAX = 200

Report = Callable[[int, str], None]


def file_problems(content: ClaimFile, label: str, directory: Path | None) -> list[Problem]:
    """Every problem of one parsed file that can be seen without the other files."""
    problems: list[Problem] = []

    def report(line: int, message: str) -> None:
        problems.append(Problem(label, line, message))

    if content.format != 1:
        report(content.where.of("format"),
               f"format {content.format} is not supported: this tracker reads format 1")
    copy_text: str | None = None
    if content.source is not None:
        _check_source(content.source, report)
        copy_text = _check_copy(content.source, directory, report)
    for claim in content.claims:
        _check_claim(claim, content.source_key, report)
        if copy_text is not None and claim.quote and not quote_in_copy(claim.quote, copy_text):
            report(claim.where.of("quote"),
                   f"the quote of '{claim.slug}' is not in the stored copy "
                   f"'{content.source.copy if content.source else ''}' (whitespace ignored): "
                   "copy it verbatim from the source")
    return problems


def _text(value: str, key: str, where: Where, report: Report, limit: int, *,
          required: bool = False, what: str = "", one_line: bool = False) -> None:
    if required and not value.strip():
        report(where.of(key), f"{what or key} is missing or empty: give a {key}")
    elif len(value) > limit:
        report(where.of(key), f"{key} is {len(value)} characters long; the limit is {limit}: "
               "shorten it")
    elif "\x00" in value:
        report(where.of(key), f"{key} holds a NUL character (\\u0000): remove it")
    elif problem := control_character_problem(value, one_line=one_line):
        report(where.of(key), f"{key} {problem}")


def _url(value: str, key: str, where: Where, report: Report) -> None:
    _text(value, key, where, report, URL_MAX)
    if value and not value.startswith(("http://", "https://")):
        report(where.of(key), f"{key} '{value}' must start with http:// or https://")


def _probability(value: float | None, key: str, where: Where, report: Report) -> None:
    if value is not None and (value != value or not 0.0 <= value <= 1.0):
        report(where.of(key), f"{key} {value} is outside [0, 1]: give a value from 0 to 1")


def _ledger_rule(check: Callable[..., object], *values: Any, key: str, where: Where,
                 report: Report) -> None:
    """One of the ledger's own rules (tracker.definitions), its refusal reported at `key`."""
    try:
        check(*values)
    except InvalidInput as error:
        report(where.of(key), str(error))


def _choice(value: str, key: str, allowed: tuple[str, ...], where: Where, report: Report,
            what: str) -> bool:
    if value.strip().lower() in allowed:
        return True
    shown = f"'{value}'" if value else "nothing"
    report(where.of(key), f"unknown {what} {shown}: use one of {', '.join(allowed)}")
    return False


def _entry_id(value: str, where: Where, report: Report) -> None:
    if not value:
        report(where.of("id"), "the entry has no id: add id = \"<uuid4>\" "
               "(python -c 'import uuid; print(uuid.uuid4())')")
        return
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        report(where.of("id"), f"id '{value}' is not a UUID: generate one with "
               "python -c 'import uuid; print(uuid.uuid4())'")
        return
    if str(parsed) != value:
        report(where.of("id"), f"id '{value}' must be written in lowercase with hyphens: "
               f"'{parsed}'")


def _reviewer(value: str, where: Where, report: Report, key: str = "by") -> None:
    if not value.strip():
        missing = "the entry has no reviewer" if key == "by" else f"{key} is empty"
        report(where.of(key), f"{missing}: add {key} = \"NAME\"")
    elif len(value.strip()) > NAME_MAX:
        report(where.of(key), f"{key} is longer than {NAME_MAX} characters: shorten it")
    elif has_control_characters(value):
        report(where.of(key), f"{key} holds a line break or another control character: give "
               "the name on one line")


def _check_source(source: SourceEntry, report: Report) -> None:
    where = source.where
    if not source.key:
        report(where.line, "[source] has no key: add key = \"short-name\"")
    elif not SLUG_PATTERN.match(source.key) or len(source.key) > SLUG_MAX:
        report(where.of("key"), f"source key '{source.key}' is not valid: use lowercase "
               f"letters, digits and hyphens, at most {SLUG_MAX} characters")
    _text(source.title, "title", where, report, TITLE_MAX, required=True, what="source title",
          one_line=True)
    _text(source.publisher, "publisher", where, report, TITLE_MAX)
    _url(source.url, "url", where, report)
    _text(source.language, "language", where, report, LANGUAGE_MAX)
    _text(source.copy, "copy", where, report, COPY_PATH_MAX)
    _text(source.notes, "notes", where, report, TEXT_MAX)
    for author in source.authors:
        _text(author, "authors", where, report, NAME_MAX, required=True, what="an author")


def _check_copy(source: SourceEntry, directory: Path | None, report: Report) -> str | None:
    """Check the stored copy of the source; return its text if quotes can be checked."""
    where = source.where
    if not source.copy:
        if source.copy_sha256:
            report(where.of("copy_sha256"), "copy_sha256 is given but copy is not: name the "
                   "stored copy with copy = \"FILE\"")
        return None
    if directory is None:
        return None
    path = beside(source.copy, directory)
    if path is None:
        report(where.of("copy"), f"copy '{source.copy}' must be a file name beside this file")
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        report(where.of("copy"), f"the stored copy '{source.copy}' is not beside this file: "
               "put it there or fix the name")
        return None
    digest = hashlib.sha256(raw).hexdigest()
    if not source.copy_sha256:
        report(where.of("copy"), f"the stored copy has no copy_sha256: add "
               f"copy_sha256 = \"{digest}\"")
    elif source.copy_sha256.lower() != digest:
        report(where.of("copy_sha256"), f"the stored copy '{source.copy}' does not match "
               f"copy_sha256: its sha256 is {digest}; restore the original copy, or update "
               "copy_sha256 if the new copy is right")
    if problem := _not_text(raw):
        report(where.of("copy"), f"the stored copy '{source.copy}' {problem}")
        return None
    return raw.decode("utf-8")


def _not_text(raw: bytes) -> str:
    """Why a stored copy is not plain UTF-8 text ('' when it is): quotes are matched, and
    the copy kept in the database, as text."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return (f"is not UTF-8 text (byte {error.start} is not): save it as UTF-8 and update "
                "copy_sha256")
    if "\x00" in text:
        return "holds a NUL character: store the source as plain text"
    return ""


def beside(name: str, directory: Path) -> Path | None:
    """The file `name` in `directory`, or None if `name` leads elsewhere."""
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts:
        return None
    return directory / relative


def stored_copy_text(source: SourceEntry, directory: Path | None) -> str | None:
    """The text of the source's stored copy when `check` finds nothing wrong with it (beside
    the file, matching copy_sha256, plain text): what `import` keeps, so quotes typed later
    are checked too; else None."""
    problems: list[str] = []
    text = _check_copy(source, directory, lambda _line, message: problems.append(message))
    return None if problems else text


def _check_claim(claim: ClaimEntry, source: str | None, report: Report) -> None:
    where = claim.where
    before = _Counter(report)
    count = before.report
    if not claim.slug:
        count(where.line, "the claim has no slug: add slug = \"lowercase-words\"")
    elif not SLUG_PATTERN.match(claim.slug) or len(claim.slug) > SLUG_MAX:
        count(where.of("slug"), f"slug '{claim.slug}' is not valid: use lowercase letters, "
              f"digits and hyphens, starting with a letter or digit, at most {SLUG_MAX} "
              "characters")
    _text(claim.title, "title", where, count, TITLE_MAX, required=True, one_line=True)
    _text(claim.statement, "statement", where, count, TEXT_MAX, required=True)
    for key in ("quote", "criteria", "notes"):
        _text(getattr(claim, key), key, where, count, TEXT_MAX)
    for key in ("claimant", "horizon", "deadline_rule", "confidence_words"):
        _text(getattr(claim, key), key, where, count, TITLE_MAX)
    _text(claim.quote_lang, "quote_lang", where, count, LANGUAGE_MAX)
    _url(claim.url, "url", where, count)
    is_kind = _choice(claim.kind, "kind", tuple(Kind), where, count, "kind")
    for tag in claim.tags:
        _ledger_rule(check_tag, tag, key="tags", where=where, report=count)
    if claim.review:
        _text(claim.review, "review", where, count, CADENCE_MAX)
        try:
            parse_cadence(claim.review)
        except DateError as error:
            count(where.of("review"), f"bad RRULE: {error}")
    _probability(claim.confidence, "confidence", where, count)
    start, end = claim.deadline_start, claim.deadline_end
    if start is not None and end is not None and end < start:
        count(where.of("deadline_end"), f"the deadline window ends ({end}) before it starts "
              f"({start}): swap the dates")
    if claim.made_on is not None and end is not None and end < claim.made_on:
        key = "deadline_end" if start is not None else "deadline"
        count(where.of(key), f"the deadline {end} is before made_on {claim.made_on}: "
              "check both dates")
    if is_kind and claim.kind.strip().lower() == Kind.PREDICTION and not claim.criteria.strip():
        count(where.of("criteria"), f"prediction '{claim.slug}' has no resolution criteria: "
              "add criteria = \"Resolves YES if ...; NO if ...\"")
    if claim.parent is not None and claim.parent == claim.slug:
        count(where.of("parent"), f"claim '{claim.slug}' cannot be its own parent")
    if not before.found and claim.slug:
        try:  # the ledger's own validation, so an import never fails half-way
            validate_definition(definition_of(claim, source))
        except InvalidInput as error:
            report(where.line, str(error))
    _check_made_on(claim, count)
    _check_defined(claim, report)
    _check_log(claim, report)
    for entry, message in replay(claim.history)[1]:
        report(entry.where.of("action"), f"history entry {entry.id}: {message} "
               "(history is replayed in recorded_at order)")


def _check_made_on(claim: ClaimEntry, report: Report, now: datetime | None = None) -> None:
    """The claim is not made after an import records it: at its created_at or earliest log
    entry (`ClaimEntry.created_of`), or else at `now` (when there is a clock to compare
    with)."""
    created = claim.created_of("")[0] or now
    if created is not None:
        _ledger_rule(check_made_on, claim.made_on, created, key="made_on", where=claim.where,
                     report=report)


_DEFINED_KEYS = ("defined_at", "defined_by", "defined_sha256")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _check_defined(claim: ClaimEntry, report: Report) -> None:
    """Who recorded the current definition, when and why: written by export as three keys
    that go together (with defined_note, if they gave a reason), after the claim's
    creation."""
    where = claim.where
    # Written, if not readable: a key the reader could not take (a defined_at without its
    # zone) is reported where it is, not said to be missing.
    given = [key for key in _DEFINED_KEYS
             if key in where.keys or getattr(claim, key) not in (None, "")]
    if claim.defined_note and not given:
        report(where.of("defined_note"), "defined_note without defined_at, defined_by and "
               "defined_sha256: it is the reason of the revision they name; remove it")
    if not given:
        return
    if len(given) < len(_DEFINED_KEYS):
        missing = " and ".join(key for key in _DEFINED_KEYS if key not in given)
        report(where.of(given[0]), f"{', '.join(given)} without {missing}: the three go "
               "together as export writes them; remove them to record the definition as the "
               "importer's")
        return
    _text(claim.defined_note, "defined_note", where, report, TEXT_MAX)
    _reviewer(claim.defined_by, where, report, "defined_by")
    if not _SHA256.fullmatch(claim.defined_sha256):
        report(where.of("defined_sha256"), "defined_sha256 is not a SHA-256 in lowercase hex: "
               "keep it as export wrote it, or remove the defined_ keys")
    created = claim.created_of("")[0]
    if claim.defined_at is not None and created is not None and claim.defined_at < created:
        report(where.of("defined_at"), f"defined_at {instant_text(claim.defined_at)} is before "
               f"the claim was created ({instant_text(created)}, its created_at or first log "
               "entry): a definition is recorded after its claim")


def _check_log(claim: ClaimEntry, report: Report) -> None:
    for item in (*claim.evidence, *claim.history, *claim.forecasts, *claim.unplaced):
        if isinstance(item, EvidenceEntry):
            _check_evidence(item, report)
        elif isinstance(item, HistoryEntry):
            _check_history(item, report)
        else:
            _check_forecast(item, report)


def log_problems(claim: ClaimEntry, now: datetime) -> list[str]:
    """What `tracker check` would say of the claim's log entries at `now` (without lines).
    An export names them: a database may hold entries recorded before a rule refused them,
    or by a clock that was wrong."""
    found: list[str] = []
    _check_made_on(claim, lambda _line, message: found.append(message))  # with a log
    _check_log(claim, lambda _line, message: found.append(message))
    return found + [message for _line, message in recorded_later(claim, now)]


def recorded_later(claim: ClaimEntry, now: datetime) -> list[tuple[int, str]]:
    """The claim made (if nothing says when it was created) or created, or its log entries
    recorded, after `now` (the ledger's rules, with their day of grace), each as (line,
    message)."""
    found: list[tuple[int, str]] = []

    def report(line: int, message: str) -> None:
        found.append((line, message))

    if claim.created_of("")[0] is None:  # else that is the time to compare: _check_claim
        _check_made_on(claim, report, now)
    if claim.created_at is not None:
        _ledger_rule(check_recorded_at, claim.created_at, now, "created_at",
                     "the claim was created", key="created_at", where=claim.where,
                     report=report)
    if claim.defined_at is not None:
        _ledger_rule(check_recorded_at, claim.defined_at, now, "defined_at",
                     "the definition was recorded", key="defined_at", where=claim.where,
                     report=report)
    for entry in claim.log:
        _ledger_rule(check_recorded_at, entry.recorded_at, now, key="recorded_at",
                     where=entry.where, report=report)
    return found


class _Counter:
    """Passes problems on and remembers whether there were any."""

    def __init__(self, report: Report) -> None:
        self._report = report
        self.found = False

    def report(self, line: int, message: str) -> None:
        self.found = True
        self._report(line, message)


def _check_evidence(item: EvidenceEntry, report: Report) -> None:
    where = item.where
    _entry_id(item.id, where, report)
    _text(item.title, "title", where, report, TITLE_MAX, required=True,
          what="the evidence title", one_line=True)
    _url(item.url, "url", where, report)
    _text(item.summary, "summary", where, report, TEXT_MAX)
    _choice(item.stance, "stance", tuple(Stance), where, report, "stance")
    _reviewer(item.by, where, report)
    if item.recorded_at != UNREAD_TIME:
        _ledger_rule(check_observed, item.observed_on, item.recorded_at, key="observed_on",
                     where=where, report=report)
    if item.retracted is not None:
        retraction = item.retracted
        _entry_id(retraction.id, retraction.where, report)
        _text(retraction.reason, "reason", retraction.where, report, TEXT_MAX, required=True,
              what="the reason for the retraction")
        _reviewer(retraction.by, retraction.where, report)


def _check_history(entry: HistoryEntry, report: Report) -> None:
    where = entry.where
    _entry_id(entry.id, where, report)
    _reviewer(entry.by, where, report)
    action = entry.action.strip().lower()
    _text(entry.note, "note", where, report, TEXT_MAX, required=action == "reopen",
          what="the reason for reopening (note)")
    if not _choice(entry.action, "action", ACTIONS, where, report, "action"):
        return
    open_statuses = tuple(status.value for status in Status if status in OPEN_STATUSES)
    if action == "status":
        if not entry.to:
            report(where.line, "a status entry needs to = \"open\", \"developing\" or "
                   "\"stalled\"")
        else:
            _choice(entry.to, "to", tuple(Status), where, report, "status")
    if action in ("status", "resolve") and entry.recorded_at != UNREAD_TIME:
        _ledger_rule(check_observed, entry.observed_on, entry.recorded_at, key="observed_on",
                     where=where, report=report)
    if action == "reopen":
        if entry.to:
            _choice(entry.to, "to", open_statuses, where, report, "status to reopen to")
        if entry.observed_on is not None:
            report(where.of("observed_on"), "a reopen entry takes no observed_on: remove it")
    if action == "resolve":
        if entry.to:
            report(where.of("to"), "a resolve entry takes an outcome, not `to`: write "
                   "outcome = \"yes\" | \"no\" | \"partial\" | \"annulled\"")
        if not entry.outcome:
            report(where.line, "a resolve entry needs outcome = \"yes\" | \"no\" | "
                   "\"partial\" | \"annulled\"")
        elif _choice(entry.outcome, "outcome", tuple(Outcome), where, report, "outcome"):
            _resolution_value(entry, report)
    elif entry.outcome:
        report(where.of("outcome"), f"only a resolve entry takes an outcome, not a {action} "
               "entry")
    if action != "resolve" and entry.value is not None:
        report(where.of("value"), "only a partial resolution takes a value")


def _resolution_value(entry: HistoryEntry, report: Report) -> None:
    where = entry.where
    if entry.outcome.strip().lower() == Outcome.PARTIAL:
        if entry.value is None:
            report(where.of("outcome"), "a partial resolution needs a value: add value = 0.4")
        elif entry.value in (0.0, 1.0):  # out of range: `_probability` says so
            _ledger_rule(check_partial_value, entry.value, key="value", where=where,
                         report=report)
        _probability(entry.value, "value", where, report)
    elif entry.value is not None:
        report(where.of("value"), f"only a partial resolution takes a value, not "
               f"'{entry.outcome}'")


def _check_forecast(item: ForecastEntry, report: Report) -> None:
    where = item.where
    _entry_id(item.id, where, report)
    _reviewer(item.by, where, report)
    _text(item.note, "note", where, report, TEXT_MAX)
    _probability(item.p, "p", where, report)
    if item.recorded_at != UNREAD_TIME:
        _ledger_rule(check_made_at, item.made_at, item.recorded_at, key="made_at",
                     where=where, report=report)

