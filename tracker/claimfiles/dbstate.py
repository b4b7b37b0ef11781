"""What an import needs to know about the database before it writes, read in its transaction."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from tracker.models import (
    Claim,
    Evidence,
    EvidenceRetraction,
    Forecast,
    Resolution,
    Source,
    StatusChange,
)

_CHUNK = 500


def claim_slugs(session: Session) -> set[str]:
    return set(session.scalars(select(Claim.slug)))


def claim_parents(session: Session) -> dict[str, str]:
    """The parent slug of every claim that has one."""
    parent = aliased(Claim)
    return {row.slug: row.parent for row in session.execute(
        select(Claim.slug, parent.slug.label("parent")).join(parent, parent.id == Claim.parent_id))}


def kept_copy(session: Session, key: str) -> tuple[str, str | None] | None:
    """The name and kept text of source `key`'s stored copy; None for a new source."""
    row = session.execute(select(Source.copy_path, Source.copy_text)
                          .where(Source.key == key)).one_or_none()
    return None if row is None else (row.copy_path, row.copy_text)


def quotes_of(session: Session, key: str) -> list[tuple[str, str]]:
    """(slug, quote) of every claim of source `key` that quotes it."""
    rows = session.execute(
        select(Claim.slug, Claim.quote).join(Source, Source.id == Claim.source_id)
        .where(Source.key == key, Claim.quote != "").order_by(Claim.slug))
    return [(row.slug, row.quote) for row in rows]


def claim_count(session: Session) -> int:
    return int(session.scalar(select(func.count(Claim.id))) or 0)


def entry_owners(session: Session, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """For each id already in the database: (kind of entry, slug of its claim).

    Kinds: evidence, retraction, status (status changes and reopenings), resolve, forecast.
    """
    wanted = sorted(set(ids))
    owners: dict[str, tuple[str, str]] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        queries = [
            ("evidence", select(Evidence.uuid, Claim.slug)
             .join(Claim, Claim.id == Evidence.claim_id).where(Evidence.uuid.in_(chunk))),
            ("retraction", select(EvidenceRetraction.uuid, Claim.slug)
             .join(Evidence, Evidence.uuid == EvidenceRetraction.evidence_uuid)
             .join(Claim, Claim.id == Evidence.claim_id)
             .where(EvidenceRetraction.uuid.in_(chunk))),
            ("status", select(StatusChange.uuid, Claim.slug)
             .join(Claim, Claim.id == StatusChange.claim_id).where(StatusChange.uuid.in_(chunk))),
            ("resolve", select(Resolution.uuid, Claim.slug)
             .join(Claim, Claim.id == Resolution.claim_id).where(Resolution.uuid.in_(chunk))),
            ("forecast", select(Forecast.uuid, Claim.slug)
             .join(Claim, Claim.id == Forecast.claim_id).where(Forecast.uuid.in_(chunk))),
        ]
        for kind, query in queries:
            for uuid, slug in session.execute(query):
                owners[uuid] = (kind, slug)
    return owners
