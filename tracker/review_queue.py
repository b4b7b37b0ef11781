"""What needs a reviewer's attention, and in which order to look at it.

The rules are pure functions over the read models (`ClaimRow`, `TimelineEntry`), so the review
session can be tested without a terminal. What `Queries` does not offer yet (a reviewer's last
review and last forecast per claim, and the open claims with just the columns the rules need,
set-based) is read here through a `Queries` session, never from UI code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, or_, select

from tracker.horizons import as_utc, next_review
from tracker.models import Claim, Evidence, Forecast, Reviewer, ReviewMark
from tracker.queries import ClaimRow, Queries, TimelineEntry
from tracker.vocabulary import OPEN_STATUSES, Status


class Reason(StrEnum):
    """Why a claim is in the queue, most urgent first (the order of this enum is the order)."""

    OVERDUE = "deadline passed"
    NEW_EVIDENCE = "new evidence"
    DUE = "review due"
    STALE = "forecast stale"


_URGENCY = {reason: rank for rank, reason in enumerate(Reason)}


@dataclass(frozen=True)
class ReviewerTrail:
    """What one reviewer last did on one claim."""

    last_reviewed_at: datetime | None = None
    last_forecast_at: datetime | None = None


@dataclass(frozen=True)
class ReviewPolicy:
    """How old a reviewer's own forecast may get before the claim asks for a fresh one."""

    stale_after: timedelta = timedelta(days=90)


@dataclass(frozen=True)
class ReviewItem:
    """One claim in the queue, with every reason it is there and when it became due."""

    slug: str
    title: str
    status: str
    reasons: tuple[Reason, ...]
    due_since: datetime
    last_reviewed_at: datetime | None = None

    @property
    def reason_text(self) -> str:
        return ", ".join(reason.value for reason in self.reasons)


def reasons_for(
    row: ClaimRow, trail: ReviewerTrail, now: datetime, policy: ReviewPolicy = ReviewPolicy()
) -> dict[Reason, datetime]:
    """Each reason the claim needs attention, with the moment that reason arose."""
    if Status(row.status).is_closed:
        return {}
    reasons: dict[Reason, datetime] = {}
    if row.deadline_end is not None and row.deadline_end < now:
        reasons[Reason.OVERDUE] = row.deadline_end
    seen = trail.last_reviewed_at
    if row.last_evidence_at is not None and (seen is None or row.last_evidence_at > seen):
        reasons[Reason.NEW_EVIDENCE] = row.last_evidence_at
    if row.next_review is not None and row.next_review <= now:
        reasons[Reason.DUE] = row.next_review
    forecast_at = trail.last_forecast_at
    if forecast_at is not None and now - forecast_at > policy.stale_after:
        reasons[Reason.STALE] = forecast_at + policy.stale_after
    return reasons


def build_queue(
    rows: Iterable[ClaimRow],
    trails: Mapping[str, ReviewerTrail],
    now: datetime,
    policy: ReviewPolicy = ReviewPolicy(),
) -> list[ReviewItem]:
    """Claims that need attention: most urgent reason first, then longest waiting, then slug."""
    items = []
    for row in rows:
        trail = trails.get(row.slug, ReviewerTrail())
        reasons = reasons_for(row, trail, now, policy)
        if not reasons:
            continue
        ordered = tuple(sorted(reasons, key=_URGENCY.__getitem__))
        items.append(
            ReviewItem(
                slug=row.slug, title=row.title, status=row.status, reasons=ordered,
                due_since=reasons[ordered[0]], last_reviewed_at=trail.last_reviewed_at,
            )
        )
    items.sort(key=lambda item: (_URGENCY[item.reasons[0]], item.due_since, item.slug))
    return items


def changes_since(
    entries: Sequence[TimelineEntry], since: datetime | None
) -> tuple[TimelineEntry, ...]:
    """The log entries recorded after the reviewer's last review (all of them if never)."""
    return tuple(entry for entry in entries if since is None or entry.recorded_at > since)


def reviewer_trails(queries: Queries, reviewer: str) -> dict[str, ReviewerTrail]:
    """Per claim slug: when `reviewer` last marked it reviewed and last forecast on it."""
    reviewed = (
        select(ReviewMark.claim_id, func.max(ReviewMark.recorded_at).label("at"))
        .join(Reviewer, Reviewer.id == ReviewMark.reviewer_id)
        .where(Reviewer.name == reviewer)
        .group_by(ReviewMark.claim_id)
    )
    forecast = (
        select(Forecast.claim_id, func.max(Forecast.made_at).label("at"))
        .join(Reviewer, Reviewer.id == Forecast.reviewer_id)
        .where(Reviewer.name == reviewer)
        .group_by(Forecast.claim_id)
    )
    trails: dict[str, dict[str, datetime]] = {}
    with queries.session() as session:
        for field, query in (("last_reviewed_at", reviewed), ("last_forecast_at", forecast)):
            sub = query.subquery()
            for slug, at in session.execute(
                select(Claim.slug, sub.c.at).join(sub, sub.c.claim_id == Claim.id)
            ):
                trails.setdefault(slug, {})[field] = as_utc(at)
    return {slug: ReviewerTrail(**fields) for slug, fields in trails.items()}


def open_candidates(
    queries: Queries, reviewer: str, trails: Mapping[str, ReviewerTrail], now: datetime
) -> list[ClaimRow]:
    """The open claims any rule could select, read in one set-based query: past their
    deadline, with a review cadence or evidence, or forecast by the reviewer. The rules then
    decide.

    Paging through `Queries.list_claims` instead costs a page query plus its enrichment per
    2,000 claims (about 30 s at 100k claims); this reads only the columns the rules need and
    works out each cadence's next review as `Queries.list_claims` does.
    """
    last_evidence = (
        select(Evidence.claim_id, func.max(Evidence.recorded_at).label("at"))
        .group_by(Evidence.claim_id)
        .subquery()
    )
    query = (
        select(Claim.slug, Claim.title, Claim.status, Claim.kind, Claim.made_on,
               Claim.deadline_start, Claim.deadline_end, Claim.version, Claim.review_cadence,
               Claim.created_at, last_evidence.c.at.label("last_evidence_at"))
        .outerjoin(last_evidence, last_evidence.c.claim_id == Claim.id)
        .where(
            Claim.status.in_([status.value for status in OPEN_STATUSES]),
            or_(
                Claim.deadline_end < now,
                Claim.review_cadence != "",
                last_evidence.c.at.is_not(None),
                Claim.id.in_(select(Forecast.claim_id)
                             .join(Reviewer, Reviewer.id == Forecast.reviewer_id)
                             .where(Reviewer.name == reviewer)),
            ),
        )
    )
    rows = []
    with queries.session() as session:
        for row in session.execute(query):
            last_review = trails.get(row.slug, ReviewerTrail()).last_reviewed_at
            since = last_review or as_utc(row.created_at)
            rows.append(ClaimRow(
                slug=row.slug, title=row.title, status=row.status, kind=row.kind,
                made_on=row.made_on, deadline_start=_utc(row.deadline_start),
                deadline_end=_utc(row.deadline_end), source=None, parent=None,
                version=row.version, children=0, last_evidence_at=_utc(row.last_evidence_at),
                next_review=(next_review(row.review_cadence, since, since)
                             if row.review_cadence else None),
            ))
    return rows


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def load_queue(
    queries: Queries, reviewer: str, now: datetime, policy: ReviewPolicy = ReviewPolicy()
) -> list[ReviewItem]:
    """The review queue for `reviewer` at `now`, read from the database."""
    trails = reviewer_trails(queries, reviewer)
    return build_queue(open_candidates(queries, reviewer, trails, now), trails, now, policy)
