"""The database schema, in SQLAlchemy 2.0 typed style. Alembic owns its evolution.

History is append-only: evidence, retractions, status changes, resolutions, forecasts and
definition revisions are inserted and never updated or deleted. The `claims` row caches the
current definition, status and version so lists stay cheap; it can always be rebuilt from the
log. Every log entry carries a UUID (stable across databases and claim files) and three
clocks: `recorded_at` (when it was first recorded, in whichever database, UTC; claim files
keep it), `entered_at` (when it reached this database: later than `recorded_at` for an entry
imported from a claim file or a track record) and, where it applies, `observed_on` (when it
happened in the world). Scoring and reports go by `recorded_at`; what a reviewer has not seen
yet goes by `entered_at`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tracker.horizons import as_utc

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SLUG_MAX = 80
TITLE_MAX = 300
URL_MAX = 2000
TEXT_MAX = 20000
NAME_MAX = 120
LANGUAGE_MAX = 16
COPY_PATH_MAX = 500


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = as_utc(value)
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def new_uuid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, date: Date}


class Reviewer(Base):
    """A person (or importer) who records entries."""

    __tablename__ = "reviewers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    created_at: Mapped[datetime]


class Source(Base):
    """The document claims came from."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(SLUG_MAX), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    publisher: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    published_on: Mapped[date | None]
    url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    language: Mapped[str] = mapped_column(String(LANGUAGE_MAX), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    copy_path: Mapped[str] = mapped_column(String(COPY_PATH_MAX), default="")
    copy_sha256: Mapped[str] = mapped_column(String(64), default="")
    copy_text: Mapped[str | None] = mapped_column(Text, deferred=True)
    """The stored copy's text, kept at import: quotes typed later are checked against it and
    an export writes the copy back. None while no copy matching copy_sha256 has been read
    (an import that does not read it keeps the text only for the same copy_sha256).
    Deferred: only those two read it."""
    created_at: Mapped[datetime]


class Claim(Base):
    """A claim's identity plus a cache of its current definition, status and version."""

    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "implied_confidence IS NULL OR (implied_confidence >= 0 AND implied_confidence <= 1)",
            name="confidence_range",
        ),
        Index("ix_claims_status_deadline", "status", "deadline_end"),
        # Top-level claims in slug order (the claims screen's tree) without sorting them all.
        Index("ix_claims_parent_slug", "parent_id", "slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX), unique=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"))
    # Definition (cached from the latest revision)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    statement: Mapped[str] = mapped_column(Text)
    quote: Mapped[str] = mapped_column(Text, default="")
    quote_lang: Mapped[str] = mapped_column(String(LANGUAGE_MAX), default="")
    claimant: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    kind: Mapped[str] = mapped_column(String(16), default="prediction")
    made_on: Mapped[date | None]
    horizon: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    deadline_start: Mapped[datetime | None]
    deadline_end: Mapped[datetime | None]
    deadline_rule: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    criteria: Mapped[str] = mapped_column(Text, default="")
    review_cadence: Mapped[str] = mapped_column(String(200), default="")
    implied_confidence: Mapped[float | None] = mapped_column(Float)
    confidence_words: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(URL_MAX), default="", server_default="")
    # State (cached from the log)
    status: Mapped[str] = mapped_column(String(16), default="open")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    changed_at: Mapped[datetime]
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    # Definition hash at the last claim-file sync, to detect edits on both sides.
    synced_hash: Mapped[str] = mapped_column(String(64), default="")


class ClaimTag(Base):
    """Tags are part of a claim's definition; a table of their own so filters stay in SQL."""

    __tablename__ = "claim_tags"

    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(NAME_MAX), primary_key=True, index=True)


class ClaimRevision(Base):
    """One version of a claim's definition; revision 1 is the claim as created."""

    __tablename__ = "claim_revisions"
    __table_args__ = (
        UniqueConstraint("claim_id", "version"),
        # Revisions by when they were recorded; with the version, a report counts the claims
        # created (revision 1) and edited (later revisions) in its period from the index alone.
        Index("ix_claim_revisions_recorded_at_version", "recorded_at", "version"),
    )

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    version: Mapped[int]
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    recorded_at: Mapped[datetime]
    entered_at: Mapped[datetime]


class Evidence(Base):
    __tablename__ = "evidence"
    __table_args__ = (
        Index("ix_evidence_claim_recorded", "claim_id", "recorded_at"),
        Index("ix_evidence_recorded_at", "recorded_at"),
    )

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"))
    url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    summary: Mapped[str] = mapped_column(Text, default="")
    stance: Mapped[str] = mapped_column(String(16))
    observed_on: Mapped[date | None]
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    recorded_at: Mapped[datetime]
    entered_at: Mapped[datetime]


class EvidenceRetraction(Base):
    """Withdraws an evidence entry (wrong link, misread source) without deleting it."""

    __tablename__ = "evidence_retractions"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    evidence_uuid: Mapped[str] = mapped_column(ForeignKey("evidence.uuid"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    recorded_at: Mapped[datetime]
    entered_at: Mapped[datetime]


class StatusChange(Base):
    """A move between open statuses, or a reopening of a closed claim (`is_reopen`)."""

    __tablename__ = "status_changes"
    __table_args__ = (UniqueConstraint("claim_id", "version"),)

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    version: Mapped[int]
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    is_reopen: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    observed_on: Mapped[date | None]
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    recorded_at: Mapped[datetime]
    entered_at: Mapped[datetime]


class Resolution(Base):
    """Closes a claim: yes (1), no (0), partial (value in [0,1]) or annulled (never scored)."""

    __tablename__ = "resolutions"
    __table_args__ = (
        UniqueConstraint("claim_id", "version"),
        CheckConstraint("value IS NULL OR (value >= 0 AND value <= 1)", name="value_range"),
    )

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    version: Mapped[int]
    outcome: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    observed_on: Mapped[date | None]
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    recorded_at: Mapped[datetime]
    entered_at: Mapped[datetime]


class Forecast(Base):
    """A reviewer's probability that the claim resolves true. `made_at` is when the forecast
    was made (earlier than `recorded_at` for imported track records)."""

    __tablename__ = "forecasts"
    __table_args__ = (
        CheckConstraint("probability >= 0 AND probability <= 1", name="probability_range"),
        Index("ix_forecasts_claim_made", "claim_id", "made_at"),
        Index("ix_forecasts_reviewer", "reviewer_id"),
        Index("ix_forecasts_recorded_at", "recorded_at"),
    )

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"))
    probability: Mapped[float] = mapped_column(Float)
    rationale: Mapped[str] = mapped_column(Text, default="")
    made_at: Mapped[datetime]
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    recorded_at: Mapped[datetime]
    entered_at: Mapped[datetime]


class ReviewMark(Base):
    """When a reviewer last reviewed a claim, so the app can show what changed since."""

    __tablename__ = "review_marks"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    action: Mapped[str] = mapped_column(String(16), default="reviewed")
    recorded_at: Mapped[datetime]

    __table_args__ = (Index("ix_review_marks_reviewer_claim", "reviewer_id", "claim_id"),)


class DeclinedEntry(Base):
    """A log entry from a claim file that this database did not merge: a status change or a
    retraction recorded elsewhere at the same time as one here, which the history here
    leaves no room for. Remembered, so that importing the file again does not report it
    again and an export keeps it in the file (the database that recorded it reads it there).
    Not part of this database's log: nothing here replays or scores it."""

    __tablename__ = "declined_entries"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    """"history" or "retraction"."""
    entry: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The entry as the file gave it (its keys, dates as ISO text), to write it back."""
    reason: Mapped[str] = mapped_column(Text)
    declined_at: Mapped[datetime]
