"""The review queue's rules, without a terminal: which claims, why, and in which order."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from tests.conftest import Clock
from tests.tui.conftest import add_claim
from tracker.ledger import EntryStamp, Ledger
from tracker.queries import ClaimFilter, ClaimRow, Queries
from tracker.review_queue import (
    Reason,
    ReviewerTrail,
    ReviewPolicy,
    build_queue,
    changes_since,
    load_queue,
    reasons_for,
)

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def row(slug: str, **fields: object) -> ClaimRow:
    values: dict[str, object] = {
        "slug": slug, "title": slug, "status": "open", "kind": "prediction", "made_on": None,
        "deadline_start": None, "deadline_end": None, "source": None, "parent": None,
        "version": 1, "children": 0,
    }
    values.update(fields)
    return ClaimRow(**values)  # type: ignore[arg-type]


def test_each_reason_and_its_moment() -> None:
    claim = row("a", deadline_end=NOW - timedelta(days=3),
                evidence_news_at=NOW - timedelta(days=1), next_review=NOW - timedelta(days=2))
    trail = ReviewerTrail(last_reviewed_at=NOW - timedelta(days=10),
                          last_forecast_at=NOW - timedelta(days=100))
    reasons = reasons_for(claim, trail, NOW, ReviewPolicy(stale_after=timedelta(days=90)))
    assert reasons == {
        Reason.OVERDUE: NOW - timedelta(days=3),
        Reason.NEW_EVIDENCE: NOW - timedelta(days=1),
        Reason.DUE: NOW - timedelta(days=2),
        Reason.STALE: NOW - timedelta(days=10),
    }


def test_each_reason_arises_at_its_moment_and_not_before() -> None:
    """A deadline passes once it is behind us, evidence is news only if it entered after the
    review, a review is due from its day on, and a forecast is stale once older than the
    policy's 90 days (by default)."""
    just_before = NOW - timedelta(microseconds=1)
    at_the_edge = row("edge", deadline_end=NOW, evidence_news_at=NOW, next_review=NOW)
    reviewed_now = ReviewerTrail(last_reviewed_at=NOW, last_forecast_at=NOW - timedelta(days=90))
    assert reasons_for(at_the_edge, reviewed_now, NOW) == {Reason.DUE: NOW}
    past_it = row("past", deadline_end=just_before, evidence_news_at=NOW, next_review=NOW)
    reviewed_before = ReviewerTrail(last_reviewed_at=just_before,
                                    last_forecast_at=just_before - timedelta(days=90))
    assert reasons_for(past_it, reviewed_before, NOW) == {
        Reason.OVERDUE: just_before, Reason.NEW_EVIDENCE: NOW, Reason.DUE: NOW,
        Reason.STALE: just_before,
    }
    not_yet = row("not-yet", next_review=NOW + timedelta(microseconds=1))
    assert reasons_for(not_yet, ReviewerTrail(), NOW) == {}


def test_an_item_is_due_since_its_most_urgent_reason() -> None:
    """The queue sorts on it and the screen shows it: an overdue claim whose forecast also
    went stale waits since its deadline, not since the forecast aged."""
    claim = row("a", deadline_end=NOW - timedelta(days=3))
    trail = ReviewerTrail(last_forecast_at=NOW - timedelta(days=200))
    [item] = build_queue([claim], {"a": trail}, NOW)
    assert item.reasons == (Reason.OVERDUE, Reason.STALE)
    assert item.reason_text == "deadline passed, forecast stale"  # the screen names both
    assert item.due_since == NOW - timedelta(days=3)


def test_a_tie_is_broken_by_slug_not_title() -> None:
    rows = [row("b-claim", title="A title", next_review=NOW - timedelta(days=1)),
            row("a-claim", title="Z title", next_review=NOW - timedelta(days=1))]
    assert [item.slug for item in build_queue(rows, {}, NOW)] == ["a-claim", "b-claim"]


def test_closed_claims_and_seen_evidence_are_not_queued() -> None:
    closed = row("closed", status="confirmed", deadline_end=NOW - timedelta(days=3))
    seen = row("seen", evidence_news_at=NOW - timedelta(days=5))
    trails = {"seen": ReviewerTrail(last_reviewed_at=NOW - timedelta(days=1))}
    assert build_queue([closed, seen], trails, NOW) == []


def test_order_is_urgency_then_waiting_time_then_slug() -> None:
    rows = [
        row("stale", ),
        row("due", next_review=NOW - timedelta(days=1)),
        row("evidence-new", evidence_news_at=NOW - timedelta(days=1)),
        row("overdue-recent", deadline_end=NOW - timedelta(days=1)),
        row("overdue-old", deadline_end=NOW - timedelta(days=30)),
        row("evidence-old", evidence_news_at=NOW - timedelta(days=9)),
    ]
    trails = {"stale": ReviewerTrail(last_forecast_at=NOW - timedelta(days=400))}
    queue = build_queue(rows, trails, NOW)
    assert [item.slug for item in queue] == [
        "overdue-old", "overdue-recent", "evidence-old", "evidence-new", "due", "stale",
    ]
    assert queue[0].reason_text == "deadline passed"


def test_changes_since_keeps_entries_after_the_last_review(
    seeded: Ledger, queries: Queries
) -> None:
    entries = queries.timeline("ev-share")
    cut = entries[2].entered_at
    assert changes_since(entries, cut) == tuple(entries[3:])
    assert changes_since(entries, None) == tuple(entries)


def test_load_queue_reads_trails_from_the_database(
    seeded: Ledger, queries: Queries, clock: Clock
) -> None:
    add_claim(seeded, "monthly", "Reviewed monthly", cadence="FREQ=MONTHLY")
    now = datetime(2024, 3, 1, tzinfo=UTC)
    before = [item.slug for item in load_queue(queries, "alice", now)]
    assert before == ["rates-cut", "ev-share", "monthly"]
    clock.advance(days=58)  # reviewed in late February: the monthly review is not due yet
    seeded.mark_reviewed("ev-share", "alice")
    seeded.mark_reviewed("monthly", "alice")
    after = load_queue(queries, "alice", now)
    assert [item.slug for item in after] == ["rates-cut"]
    stale = load_queue(queries, "alice", now + timedelta(days=400))
    assert Reason.STALE in next(item for item in stale if item.slug == "ev-share").reasons
    impatient = {item.slug: item.reasons for item in load_queue(
        queries, "alice", now, ReviewPolicy(stale_after=timedelta(days=1)))}
    assert Reason.STALE in impatient.get("ev-share", ())


def test_the_queue_follows_the_policy_it_is_given() -> None:
    """The app passes its own policy: a forecast 20 days old is stale after 10 days."""
    claim = row("a")
    trail = ReviewerTrail(last_forecast_at=NOW - timedelta(days=20))
    assert build_queue([claim], {"a": trail}, NOW) == []
    [item] = build_queue([claim], {"a": trail}, NOW, ReviewPolicy(stale_after=timedelta(days=10)))
    assert item.reasons == (Reason.STALE,) and item.due_since == NOW - timedelta(days=10)


def test_evidence_a_reviewer_records_is_not_news_to_them(
    seeded: Ledger, queries: Queries
) -> None:
    now = datetime(2024, 3, 1, tzinfo=UTC)
    seeded.add_evidence("fusion-grid", title="A pilot plant", stance="supports",
                        reviewer="alice")
    assert "fusion-grid" not in [item.slug for item in load_queue(queries, "alice", now)]
    queued = {item.slug: item for item in load_queue(queries, "bob", now)}
    assert queued["fusion-grid"].reasons == (Reason.NEW_EVIDENCE,)


def test_evidence_imported_after_a_review_is_news_however_old_it_is(
    seeded: Ledger, queries: Queries, clock: Clock
) -> None:
    """A claim file merged from a teammate brings entries recorded before alice's last
    review: they reach this database after it, so they are news to her all the same."""
    now = datetime(2024, 3, 1, tzinfo=UTC)
    seeded.mark_reviewed("fusion-grid", "alice")
    recorded = clock.now - timedelta(days=2)  # bob wrote it in his database before that
    clock.advance(days=1)
    seeded.add_evidence("fusion-grid", title="A pilot plant", stance="supports",
                        reviewer="bob", stamp=EntryStamp(recorded_at=recorded))
    queued = {item.slug: item for item in load_queue(queries, "alice", now)}
    assert queued["fusion-grid"].reasons == (Reason.NEW_EVIDENCE,)
    # The claims list still says when it was recorded, in every database alike.
    [listed] = queries.list_claims(ClaimFilter(text="fusion-grid"))
    assert listed.last_evidence_at == recorded
    last_review = queued["fusion-grid"].last_reviewed_at
    news = changes_since(queries.timeline("fusion-grid"), last_review)
    assert [(entry.kind, entry.recorded_at) for entry in news] == [("evidence", recorded)]
    seeded.mark_reviewed("fusion-grid", "alice")
    assert "fusion-grid" not in [item.slug for item in load_queue(queries, "alice", now)]


def test_the_queue_module_does_not_import_textual() -> None:
    code = "import sys, tracker.review_queue; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
