"""Decide how one claim from a file merges into the database (pure: no I/O).

Definitions are three-way merged against `synced_hash`, the definition hash at the last sync:
only the file changed -> take the file's; only the database changed -> keep it; both changed
-> a conflict (unless the caller prefers a side). Log entries are a union by id: entries the
database lacks are added, entries only in the database are kept. History entries can only be
appended after the database's latest status change, in recorded_at order, and only where the
status lifecycle allows: an entry that would have to go into the past is reported, not merged,
and so is a second retraction of an evidence entry. Such an entry is declined: the database
remembers it (`models.DeclinedEntry`), so a later import passes over it in silence and an
export writes it back into the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from tracker.claimfiles.convert import (
    claim_entry,
    declined_json,
    defined_hash,
    definition_of,
    file_hash,
)
from tracker.claimfiles.entries import (
    ClaimEntry,
    EvidenceEntry,
    ForecastEntry,
    HistoryEntry,
    RetractionEntry,
)
from tracker.claimfiles.lifecycle import LifecycleError, apply, in_order
from tracker.definitions import ClaimDefinition, changed_fields, validate_definition
from tracker.horizons import instant_text
from tracker.queries import ClaimDetail
from tracker.vocabulary import Outcome, Status

Timed = TypeVar("Timed", EvidenceEntry, ForecastEntry)


class Prefer(StrEnum):
    """Which side wins a definition conflict."""

    FILE = "file"
    DB = "db"


class Action(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    KEEP = "keep"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Note:
    """Something an import reports: a conflict, a choice made by --prefer, an entry skipped."""

    kind: str  # "CONFLICT", "resolved", "updated", "skipped", "differs", "copy"
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.kind} {self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Declined:
    """A file entry this import does not merge, for the database to remember."""

    kind: str  # "history" or "retraction"
    entry: HistoryEntry | RetractionEntry
    reason: str
    evidence_id: str = ""


@dataclass(frozen=True)
class Definer:
    """Who recorded the file's definition, when and why, as its defined_* keys say."""

    by: str
    at: datetime
    note: str


@dataclass(frozen=True)
class ClaimPlan:
    """What importing one claim will write."""

    path: str
    slug: str
    definition: ClaimDefinition
    file_hash: str
    action: Action
    set_synced: bool
    expected_version: int | None = None
    creator: str = ""
    created_at: datetime | None = None
    evidence: tuple[EvidenceEntry, ...] = ()
    retractions: tuple[EvidenceEntry, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    forecasts: tuple[ForecastEntry, ...] = ()
    declined: tuple[Declined, ...] = ()
    """Entries not merged (history, retractions), for the database to remember."""
    defined: Definer | None = None
    """An edit is recorded as theirs, at their time (else as the importer's, now); a created
    claim gets a revision of its definition as theirs after its creation, so this database
    exports the same defined_* keys."""
    notes: tuple[Note, ...] = field(default_factory=tuple)

    @property
    def merged(self) -> tuple[HistoryEntry | RetractionEntry, ...]:
        """The history entries and retractions this import writes."""
        return (*self.history, *(item.retracted for item in self.retractions if item.retracted))

    @property
    def entries_added(self) -> int:
        return len(self.evidence) + len(self.retractions) + len(self.history) + len(
            self.forecasts)


def plan_claim(path: str, claim: ClaimEntry, source: str | None, detail: ClaimDetail | None,
               *, prefer: Prefer | None = None, reviewer: str = "",
               declined: Mapping[str, object] = MappingProxyType({})) -> ClaimPlan:
    """Plan the import of `claim` (already checked) given its database state, if any, and
    the entries the database declined before, by id, as it remembers them: an entry the file
    still gives the same way is passed over; changed, it is tried again."""
    definition = validate_definition(definition_of(claim, source))
    new_hash = definition.content_hash()
    if detail is None:
        return _plan_new(path, claim, definition, new_hash, reviewer)
    notes: list[Note] = []
    action, set_synced = _definition_action(path, claim, new_hash, detail, prefer, notes)
    defined = None
    if action is Action.EDIT:  # said, so a file that reuses a slug by mistake is noticed
        fields = ", ".join(changed_fields(detail.definition, definition)) or "formatting"
        closed = " (a closed claim: its scores may change)" if Status(
            detail.status).is_closed else ""
        defined, why_not = _definer(claim, new_hash, *_latest_change(detail))
        by = (f" as {defined.by} recorded it at {instant_text(defined.at)}" if defined
              else f", recorded as {reviewer}'s edit: {why_not}" if why_not else "")
        notes.append(Note("updated", path, claim.where.of("slug"),
                          f"'{claim.slug}' takes the file's {fields}{by}{closed}"))
    known = claim_entry(detail)
    evidence_ids = {item.id for item in known.evidence}
    retracted = {item.id: item.retracted for item in known.evidence}
    evidence = tuple(item for item in _by_time(claim.evidence) if item.id not in evidence_ids)
    retractions: list[EvidenceEntry] = []
    declines: list[Declined] = []
    for item in _by_time(claim.evidence):
        if item.retracted is None or _declined_before(item.retracted, declined, item.id):
            continue
        existing = retracted.get(item.id)
        if existing is None:
            retractions.append(item)
        elif existing.id != item.retracted.id:
            reason = (f"evidence {item.id} was already retracted here (entry {existing.id} by "
                      f"{existing.by})")
            notes.append(Note("skipped", path, item.retracted.where.of("id"),
                              f"{reason}; this retraction of it in '{claim.slug}' was not "
                              "merged: the database keeps its own and remembers this one, and "
                              "an export writes the earlier of the two"))
            declines.append(Declined("retraction", item.retracted, reason, item.id))
    history = _new_history(path, claim, detail, known, notes, declined, declines)
    forecast_ids = {item.id for item in known.forecasts}
    forecasts = tuple(item for item in _by_time(claim.forecasts) if item.id not in forecast_ids)
    notes.extend(_differences(path, claim, known))
    return ClaimPlan(
        path=path, slug=claim.slug, definition=definition, file_hash=new_hash, action=action,
        set_synced=set_synced, expected_version=detail.version, evidence=evidence,
        retractions=tuple(retractions), history=history, forecasts=forecasts,
        declined=tuple(declines), defined=defined, notes=tuple(notes),
    )


def _plan_new(path: str, claim: ClaimEntry, definition: ClaimDefinition, new_hash: str,
              reviewer: str) -> ClaimPlan:
    created_at, creator = claim.created_of(reviewer)
    defined, why_not = _definer(claim, new_hash, created_at)
    notes = (Note("differs", path, claim.where.of("defined_at"),
                  f"'{claim.slug}' is created with the file's definition, recorded as "
                  f"{creator}'s: {why_not}"),) if why_not else ()
    return ClaimPlan(
        path=path, slug=claim.slug, definition=definition, file_hash=new_hash,
        action=Action.CREATE, set_synced=True, creator=creator, created_at=created_at,
        evidence=_by_time(claim.evidence),
        retractions=tuple(item for item in _by_time(claim.evidence) if item.retracted),
        history=tuple(in_order(claim.history)), forecasts=_by_time(claim.forecasts),
        defined=defined, notes=notes,
    )


def _latest_change(detail: ClaimDetail) -> tuple[datetime, str]:
    """When the claim's latest version was recorded, and what it was: a revision recorded
    before it would take a later version number (a definition, status change or
    resolution) than a change recorded after it."""
    changes = [(detail.revisions[-1].recorded_at, "definition")]
    changes += [(item.recorded_at, "status change") for item in detail.status_changes]
    changes += [(item.recorded_at, "resolution") for item in detail.resolutions]
    return max(changes, key=lambda change: change[0])


def _definer(claim: ClaimEntry, new_hash: str, latest: datetime | None,
             latest_what: str = "definition") -> tuple[Definer | None, str]:
    """Whom the file's defined_* keys credit with its definition, else why not: the
    definition is not the one they recorded (edited in the file since), or it would go
    before `latest`, the database's latest change of the claim, a `latest_what` (None: the
    claim is created now)."""
    if claim.defined_at is None or not claim.defined_by.strip():
        return None, ""
    by, at = claim.defined_by.strip(), claim.defined_at
    if claim.defined_sha256 != defined_hash(new_hash, claim.defined_note):
        return None, (f"it is not the definition {by} recorded at {instant_text(at)}, or not "
                      "with that note (defined_sha256 does not match: edited in the file "
                      "since)")
    if latest is None:
        return None, (f"nothing in the file says when the claim was created (no created_at "
                      f"or log entry), to put {by}'s definition of {instant_text(at)} after")
    if at < latest:
        return None, (f"{by} recorded it at {instant_text(at)}, before this database's "
                      f"latest {latest_what} ({instant_text(latest)})")
    return Definer(by, at, claim.defined_note), ""


def _definition_action(path: str, claim: ClaimEntry, new_hash: str, detail: ClaimDetail,
                       prefer: Prefer | None, notes: list[Note]) -> tuple[Action, bool]:
    """The three-way merge of the definition; returns the action and whether to re-sync."""
    db_hash, synced = file_hash(detail.definition), detail.synced_hash
    if new_hash == db_hash:
        return Action.KEEP, synced != new_hash
    if db_hash == synced:
        return Action.EDIT, True
    if new_hash == synced:
        return Action.KEEP, False
    line = claim.where.of("slug")
    both = (f"the definition of '{claim.slug}' was changed both in the file and in the database "
            "since the last sync")
    if prefer is Prefer.FILE:
        notes.append(Note("resolved", path, line, f"{both}; took the file's (--prefer file)"))
        return Action.EDIT, True
    if prefer is Prefer.DB:
        notes.append(Note("resolved", path, line, f"{both}; kept the database's (--prefer db)"))
        return Action.KEEP, True
    notes.append(Note("CONFLICT", path, line, f"{both}; left the database's as it is (its log "
                      "was still merged): compare them with `tracker show "
                      f"{claim.slug}`, then import again with --prefer file or --prefer db"))
    return Action.CONFLICT, False


def _declined_before(entry: HistoryEntry | RetractionEntry, declined: Mapping[str, object],
                     evidence_id: str = "") -> bool:
    return declined.get(entry.id) == declined_json(entry, evidence_id)


def _new_history(path: str, claim: ClaimEntry, detail: ClaimDetail, known: ClaimEntry,
                 notes: list[Note], declined: Mapping[str, object], declines: list[Declined]
                 ) -> tuple[HistoryEntry, ...]:
    """The file's history entries that the database lacks and that can be appended; those
    that cannot go to `declines` (and are said in `notes`)."""
    known_ids = {entry.id for entry in known.history}
    new = [entry for entry in in_order(claim.history)
           if entry.id not in known_ids and not _declined_before(entry, declined)]
    latest = max((entry.recorded_at for entry in known.history), default=None)
    status = Status(detail.status)
    kept: list[HistoryEntry] = []
    for entry in new:  # each on its own: one declined does not take the later ones with it
        if latest is not None and entry.recorded_at < latest:
            reason = (f"it was recorded at {entry.recorded_at:%Y-%m-%d %H:%M:%S}Z, before the "
                      f"database's latest status change ({latest:%Y-%m-%d %H:%M:%S}Z), and "
                      "history cannot be inserted into the past")
        else:
            try:
                status = apply(status, entry)
                kept.append(entry)
                continue
            except LifecycleError as error:
                reason = f"after the database's history, {error}"
        notes.append(Note("skipped", path, entry.where.of("id"),
                          f"history entry {entry.id} of '{claim.slug}' was not merged: "
                          f"{reason}; the database keeps its own history and remembers the "
                          "entry (exports keep it in the file where the history allows): check "
                          "the claim's status and record the one you agree on"))
        declines.append(Declined("history", entry, reason))
    return tuple(kept)


def _by_time(items: Iterable[Timed]) -> tuple[Timed, ...]:
    return tuple(sorted(items, key=lambda item: (item.recorded_at, item.id)))


def _differences(path: str, claim: ClaimEntry, known: ClaimEntry) -> list[Note]:
    """Entries whose id is in the database but whose content the file changed: entries are
    never rewritten, so the database's version stays."""
    content = {entry_id for entry_id, _line in changed_entries(claim, known, clocks=False)}
    return [
        Note("differs", path, line, f"entry {entry_id} of '{claim.slug}' differs from the "
             "database's copy; log entries are never changed, so the database's stays: to "
             "correct it, retract it or add a new entry") if entry_id in content else
        Note("differs", path, line, f"entry {entry_id} of '{claim.slug}' differs from the "
             "database's copy only in when it was recorded (each database records it when "
             "it takes it in, as from one track record): the database's stays, nothing to "
             "correct")
        for entry_id, line in changed_entries(claim, known)
    ]


def changed_entries(claim: ClaimEntry, known: ClaimEntry, *, clocks: bool = True
                    ) -> list[tuple[str, int]]:
    """(id, line) of the entries of `claim` (a file's) whose id `known` (the database's) has
    but whose content differs; without `clocks`, a different recorded_at alone does not
    count (two databases that imported one track record hold its entries at their own
    import times: no one's work)."""
    stored: dict[str, tuple[object, ...]] = {}
    stored.update({item.id: _evidence_facts(item, clocks) for item in known.evidence})
    stored.update({item.id: _history_facts(item, clocks) for item in known.history})
    stored.update({item.id: _forecast_facts(item, clocks) for item in known.forecasts})
    stored.update({item.retracted.id: _retraction_facts(item.retracted, clocks)
                   for item in known.evidence if item.retracted is not None})
    mine: list[tuple[str, int, tuple[object, ...]]] = []
    mine += [(item.id, item.where.line, _evidence_facts(item, clocks)) for item in claim.evidence]
    mine += [(item.id, item.where.line, _history_facts(item, clocks)) for item in claim.history]
    mine += [(item.id, item.where.line, _forecast_facts(item, clocks))
             for item in claim.forecasts]
    mine += [(item.retracted.id, item.retracted.where.line,
              _retraction_facts(item.retracted, clocks))
             for item in claim.evidence if item.retracted is not None]
    return [(entry_id, line) for entry_id, line, facts in mine
            if entry_id in stored and stored[entry_id] != facts]


def _evidence_facts(item: EvidenceEntry, clocks: bool) -> tuple[object, ...]:
    return (item.title, item.url, item.summary, item.stance.strip().lower(), item.observed_on,
            item.by.strip(), item.recorded_at if clocks else None)


def _retraction_facts(item: RetractionEntry, clocks: bool) -> tuple[object, ...]:
    """A retraction is an entry of its own (its id, under its evidence's)."""
    return (item.reason, item.by.strip(), item.recorded_at if clocks else None)


def _history_facts(item: HistoryEntry, clocks: bool) -> tuple[object, ...]:
    action = item.action.strip().lower()
    to = item.to.strip().lower() or (Status.OPEN.value if action == "reopen" else "")
    outcome = item.outcome.strip().lower()
    value = item.value if outcome == Outcome.PARTIAL else None
    return (action, to, outcome, value, item.note, item.by.strip(),
            item.recorded_at if clocks else None, item.observed_on)


def _forecast_facts(item: ForecastEntry, clocks: bool) -> tuple[object, ...]:
    if not clocks:  # made when recorded, whether said or not: no time of its own
        made_at = None if item.made_at == item.recorded_at else item.made_at
        return (item.p, item.note, item.by.strip(), made_at)
    return (item.p, item.note, item.by.strip(), item.recorded_at,
            item.made_at or item.recorded_at)
