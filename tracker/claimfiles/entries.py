"""What a claim file holds, as plain typed data (independent of TOML and of the database).

Each entry remembers where it was written (`Where`) so checks can point at `file:line`; the
location never takes part in equality, so a file read back after writing compares equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import MappingProxyType

FORMAT_VERSION = 1
UNREAD_TIME = datetime.min.replace(tzinfo=UTC)
"""The recorded_at of an entry whose own could not be read (a problem says why)."""


@dataclass(frozen=True)
class Where:
    """The line of an entry's header and of each of its keys."""

    line: int = 1
    keys: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def of(self, key: str) -> int:
        """The line of `key`, or the entry's header line if the key is not written."""
        return self.keys.get(key, self.line)


NOWHERE = Where()


@dataclass(frozen=True)
class SourceEntry:
    """The `[source]` table: the document the claims came from."""

    key: str
    title: str
    publisher: str = ""
    authors: tuple[str, ...] = ()
    published_on: date | None = None
    url: str = ""
    language: str = ""
    notes: str = ""
    copy: str = ""
    copy_sha256: str = ""
    where: Where = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class RetractionEntry:
    """`[claims.evidence.retracted]`: the evidence was withdrawn, and why."""

    id: str
    reason: str
    by: str
    recorded_at: datetime
    where: Where = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class EvidenceEntry:
    """`[[claims.evidence]]`."""

    id: str
    title: str
    stance: str
    by: str
    recorded_at: datetime
    observed_on: date | None = None
    url: str = ""
    summary: str = ""
    retracted: RetractionEntry | None = None
    where: Where = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class HistoryEntry:
    """`[[claims.history]]`: a status change, a resolution or a reopening."""

    id: str
    action: str
    by: str
    recorded_at: datetime
    to: str = ""
    outcome: str = ""
    value: float | None = None
    note: str = ""
    observed_on: date | None = None
    where: Where = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class ForecastEntry:
    """`[[claims.forecasts]]`; `made_at` only when it differs from `recorded_at`."""

    id: str
    p: float
    by: str
    recorded_at: datetime
    note: str = ""
    made_at: datetime | None = None
    where: Where = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class ClaimEntry:
    """`[[claims]]`: the claim's definition and its log."""

    slug: str
    title: str = ""
    statement: str = ""
    quote: str = ""
    quote_lang: str = ""
    url: str = ""
    claimant: str = ""
    kind: str = "prediction"
    made_on: date | None = None
    horizon: str = ""
    deadline_start: date | None = None
    deadline_end: date | None = None
    deadline_rule: str = ""
    criteria: str = ""
    tags: tuple[str, ...] = ()
    review: str = ""
    confidence: float | None = None
    confidence_words: str = ""
    parent: str | None = None
    notes: str = ""
    created_at: datetime | None = None
    """When the claim was created, where an import could not tell it from the log (see
    `created_of`); written only then."""
    created_by: str = ""
    defined_at: datetime | None = None
    """When the current definition was recorded, by `defined_by`, where that was not the
    claim's creation: written by export, so another database records the edit as theirs."""
    defined_by: str = ""
    defined_note: str = ""
    """Why they changed it, as their revision says."""
    defined_sha256: str = ""
    """The hash of the definition `defined_by` recorded and of their note: a definition or
    note edited in the file by hand no longer matches it, and is recorded as the importer's
    edit."""
    evidence: tuple[EvidenceEntry, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    forecasts: tuple[ForecastEntry, ...] = ()
    where: Where = field(default=NOWHERE, compare=False, repr=False)
    unplaced: tuple[EvidenceEntry | HistoryEntry | ForecastEntry, ...] = field(
        default=(), compare=False, repr=False)
    """Entries whose recorded_at could not be read: `tracker check` checks the rest of each,
    but they have no place in the log (an import refuses the file)."""

    def created_of(self, importer: str) -> tuple[datetime | None, str]:
        """When and by whom an import creates the claim: as the file says, else at its
        earliest log entry, by that entry's author (else at the import, by `importer`)."""
        stamped = [(entry.recorded_at, entry.by) for entry in self.log]
        at, by = min(stamped) if stamped else (None, importer)
        return self.created_at or at, self.created_by or by

    @property
    def log(self) -> tuple[EvidenceEntry | RetractionEntry | HistoryEntry | ForecastEntry, ...]:
        """Every entry of the claim's log, retractions included (each has `recorded_at`)."""
        retractions = tuple(item.retracted for item in self.evidence if item.retracted)
        return (*self.evidence, *self.history, *self.forecasts, *retractions)


@dataclass(frozen=True)
class ClaimFile:
    """A whole file: an optional source and its claims."""

    source: SourceEntry | None = None
    claims: tuple[ClaimEntry, ...] = ()
    format: int = FORMAT_VERSION
    where: Where = field(default=NOWHERE, compare=False, repr=False)

    @property
    def source_key(self) -> str | None:
        return self.source.key if self.source is not None else None


# The keys of each table, in the order files are written (see `writer`).
TOP_KEYS = ("format", "source", "claims")
SOURCE_KEYS = (
    "key", "title", "publisher", "authors", "published_on", "url", "language", "notes", "copy",
    "copy_sha256",
)
CLAIM_KEYS = (
    "slug", "title", "statement", "quote", "quote_lang", "url", "claimant", "kind", "made_on",
    "horizon", "deadline", "deadline_start", "deadline_end", "deadline_rule", "criteria", "tags",
    "review", "confidence", "confidence_words", "parent", "notes", "created_at", "created_by",
    "defined_at", "defined_by", "defined_note", "defined_sha256", "evidence", "history",
    "forecasts",
)
EVIDENCE_KEYS = (
    "id", "observed_on", "url", "title", "summary", "stance", "by", "recorded_at", "retracted",
)
RETRACTION_KEYS = ("id", "reason", "by", "recorded_at")
HISTORY_KEYS = (
    "id", "action", "to", "outcome", "value", "note", "by", "recorded_at", "observed_on",
)
FORECAST_KEYS = ("id", "p", "note", "by", "recorded_at", "made_at")
