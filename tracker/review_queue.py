"""What needs a reviewer's attention, and in which order to look at it.

The rules are pure functions over the read models (`ClaimRow`, `ReviewerTrail`,
`TimelineEntry`), so the review session can be tested without a terminal; the data comes from
`Queries.reviewer_trails` and `Queries.review_candidates`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tracker.queries import ClaimRow, Queries, ReviewerTrail, TimelineEntry
from tracker.vocabulary import Status


class Reason(StrEnum):
    """Why a claim is in the queue, most urgent first (the order of this enum is the order)."""

    OVERDUE = "deadline passed"
    NEW_EVIDENCE = "new evidence"
    DUE = "review due"
    STALE = "forecast stale"


_URGENCY = {reason: rank for rank, reason in enumerate(Reason)}


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
    news = row.evidence_news_at
    if news is not None and (seen is None or news > seen):
        reasons[Reason.NEW_EVIDENCE] = news
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
    """The log entries that entered this database after the reviewer's last review (all of
    them if never): entries imported from a claim file since are news too, however long ago
    they were first recorded."""
    return tuple(entry for entry in entries if since is None or entry.entered_at > since)


def load_queue(
    queries: Queries, reviewer: str, now: datetime, policy: ReviewPolicy = ReviewPolicy()
) -> list[ReviewItem]:
    """The review queue for `reviewer` at `now`, read from the database."""
    trails = queries.reviewer_trails(reviewer)
    return build_queue(queries.review_candidates(reviewer, trails, now), trails, now, policy)
