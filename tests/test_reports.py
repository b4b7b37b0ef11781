"""Reports: golden files, point in time, escaping, self-contained HTML, the CLI.

The dataset is built with a controlled clock, so the reports are byte for byte stable and the
golden files need no normalisation. Regenerate them with `UPDATE_GOLDEN=1 pytest
tests/test_reports.py` after a deliberate change, and read the diff.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from sqlalchemy import Engine

from tests.conftest import CliOutcome, Clock
from tests.helpers import definition
from tracker.definitions import SourceInfo
from tracker.errors import InvalidInput
from tracker.horizons import end_of_day
from tracker.ledger import EntryStamp, Ledger
from tracker.reports import build_report, render
from tracker.reports.data import (
    CHANGE_LIMIT,
    DEADLINE_HORIZON_DAYS,
    ReportData,
    conventions,
)
from tracker.reports.markdown import md_escape
from tracker.reports.render import FORMATS, Format
from tracker.reports.text import number, scores_intro, shorten

GOLDEN = Path(__file__).parent / "golden"
AS_OF = end_of_day(date(2024, 6, 30))
SINCE = end_of_day(date(2024, 3, 31))


def at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def build_dataset(ledger: Ledger, clock: Clock) -> None:
    """Six claims over the first half of 2024: resolved, refuted, partly (after a reopening),
    annulled, developing, overdue and newly added; evidence, a retraction and an edit."""
    clock.now = at(2024, 1, 1)
    ledger.upsert_source(SourceInfo(key="acme-outlook", title="ACME Outlook 2024",
                                    publisher="ACME Research"))
    ledger.create_claim(definition(
        "robots-ship", title="Home robots ship at scale",
        statement="At least 100,000 home robots ship in 2024.", made_on=date(2024, 1, 1),
        deadline_end=end_of_day(date(2024, 6, 30)), tags=("robots",), implied_confidence=0.9,
        source="acme-outlook"), "ann")
    ledger.create_claim(definition(
        "compute-shift", title="Compute moves to serving", made_on=date(2024, 1, 1),
        deadline_end=end_of_day(date(2024, 12, 31)), tags=("compute",), implied_confidence=0.7,
        source="acme-outlook"), "ann")
    ledger.create_claim(definition(
        "chip-supply", title="Chip supply doubles", statement="AI chip supply doubles.",
        made_on=date(2024, 1, 1), deadline_end=end_of_day(date(2024, 7, 31)),
        tags=("compute", "hardware"), implied_confidence=0.6, source="acme-outlook"), "bob")
    ledger.create_claim(definition(
        "agents-mainstream", title="AI agents go mainstream", statement="Agents go mainstream.",
        made_on=date(2024, 1, 1), deadline_end=end_of_day(date(2024, 5, 31)),
        tags=("agents",)), "bob")
    ledger.create_claim(definition(
        "vague-claim", title="Something big happens", statement="Something big happens.",
        made_on=date(2024, 1, 1), deadline_end=end_of_day(date(2024, 9, 30)), kind="opinion",
        tags=()), "ann")
    ledger.forecast("robots-ship", 0.8, reviewer="ann", made_at=at(2024, 1, 1, 12))
    clock.now = at(2024, 1, 2)  # a forecast is recorded once it is made
    ledger.forecast("compute-shift", 0.3, reviewer="ann", made_at=at(2024, 1, 2))
    ledger.forecast("compute-shift", 0.6, reviewer="bob", made_at=at(2024, 1, 2))
    clock.now = at(2024, 1, 11)
    ledger.forecast("robots-ship", 0.4, reviewer="bob", made_at=at(2024, 1, 11))

    clock.now = at(2024, 2, 1)
    ledger.add_evidence("robots-ship", title="Pilot fleet of 1,000 robots & counting",
                        stance="supports", url="https://example.org/robots?a=1&b=2",
                        observed_on=date(2024, 1, 28), reviewer="ann",
                        summary="A pilot fleet is running.")
    ledger.forecast("compute-shift", 0.9, reviewer="bob")
    ledger.forecast("agents-mainstream", 0.35, reviewer="ann")

    clock.now = at(2024, 3, 20)
    ledger.resolve("robots-ship", "yes", reviewer="ann", observed_on=date(2024, 3, 15),
                   note="Shipped 120k units.")

    # The second quarter: the period the golden report covers.
    clock.now = at(2024, 4, 10)
    ledger.add_evidence("compute-shift", title="Serving share flat at 40%", stance="refutes",
                        url="https://example.com/serving", observed_on=date(2024, 4, 5),
                        reviewer="bob")
    wrong = ledger.add_evidence("chip-supply", title="Misread capacity figure",
                                stance="supports", reviewer="bob")
    ledger.forecast("chip-supply", 0.55, reviewer="ann")
    ledger.change_status("chip-supply", "developing", reviewer="bob", note="Fabs announced.")
    ledger.edit_claim("chip-supply", definition(
        "chip-supply", title="AI chip supply doubles", statement="AI chip supply doubles.",
        made_on=date(2024, 1, 1), deadline_end=end_of_day(date(2024, 7, 31)),
        tags=("compute", "hardware"), implied_confidence=0.6, source="acme-outlook"),
        "bob", note="Say which chips.")

    clock.now = at(2024, 5, 2)
    ledger.resolve("compute-shift", "no", reviewer="ann", observed_on=date(2024, 5, 1),
                   note="Serving stayed below 50%.")
    ledger.retract_evidence(wrong, reason="The figure was for 2026.", reviewer="bob")
    ledger.resolve("vague-claim", "annulled", reviewer="ann", note="Too vague to judge.")

    clock.now = at(2024, 6, 1)
    ledger.reopen("robots-ship", reviewer="bob", reason="The units were pre-orders.")
    ledger.forecast("robots-ship", 0.5, reviewer="bob")

    clock.now = at(2024, 6, 20)
    ledger.resolve("robots-ship", "partial", value=0.5, reviewer="bob",
                   observed_on=date(2024, 6, 15), note="Half the target shipped.")
    ledger.create_claim(definition(
        "fusion-pilot", title="Fusion pilot plant approved", statement="A plant is approved.",
        made_on=date(2024, 6, 20), deadline_end=end_of_day(date(2024, 8, 15)),
        tags=("energy",), implied_confidence=0.3, source="acme-outlook"), "ann")


def record_later_entries(ledger: Ledger, clock: Clock) -> None:
    """Entries recorded after the report date, several about times before it."""
    clock.now = at(2024, 7, 10)
    ledger.create_claim(definition("late-claim", title="Recorded later", made_on=date(2024, 3, 1),
                                   deadline_end=end_of_day(date(2024, 7, 30))), "carol")
    ledger.forecast("chip-supply", 0.9, reviewer="carol", made_at=at(2024, 6, 25))
    ledger.add_evidence("chip-supply", title="Supply doubled", stance="supports",
                        observed_on=date(2024, 6, 28), reviewer="carol")
    ledger.resolve("chip-supply", "yes", reviewer="carol", observed_on=date(2024, 6, 29))
    ledger.edit_claim("agents-mainstream", definition(
        "agents-mainstream", title="AI agents go mainstream (renamed)",
        statement="Agents go mainstream.", made_on=date(2024, 1, 1),
        deadline_end=end_of_day(date(2024, 12, 31)), tags=("agents",)), "carol",
        note="Deadline moved.")
    ledger.reopen("compute-shift", reviewer="carol", reason="New figures.")
    ledger.forecast("robots-ship", 0.1, reviewer="carol", made_at=at(2024, 6, 10),
                    allow_closed=True)
    ledger.forecast("fusion-pilot", 0.7, reviewer="carol", made_at=at(2024, 6, 21))
    ledger.change_status("fusion-pilot", "stalled", reviewer="carol",
                         observed_on=date(2024, 6, 22))


@pytest.fixture
def dataset(ledger: Ledger, clock: Clock) -> Ledger:
    build_dataset(ledger, clock)
    return ledger


def q2_report(engine: Engine) -> ReportData:
    return build_report(engine, AS_OF, since=SINCE)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}: run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


# --------------------------------------------------------------------------- the data


def test_status_counts_and_changes(engine: Engine, dataset: Ledger) -> None:
    data = q2_report(engine)
    status = data.status
    assert dict(status.by_status) == {"open": 2, "developing": 1, "stalled": 0, "confirmed": 0,
                                      "partly": 1, "refuted": 1, "annulled": 1}
    assert (status.total, status.open, status.closed, status.overdue) == (6, 3, 3, 1)
    before = data.previous_status
    assert before is not None
    assert (before.total, before.count("confirmed"), before.open, before.overdue) == (5, 1, 4, 0)
    counts = data.changes.counts
    assert (counts.new_claims, counts.resolutions, counts.reopenings, counts.status_changes,
            counts.edits, counts.evidence, counts.retractions, counts.forecasts) == (
        1, 3, 1, 1, 1, 2, 1, 2)
    assert [c.slug for c in data.changes.of_kind("resolved")] == [
        "compute-shift", "vague-claim", "robots-ship"]
    assert [c.detail for c in data.changes.of_kind("resolved")] == [
        "no", "annulled", "partial 0.5"]
    new = data.changes.of_kind("new")
    assert [(c.slug, c.reviewer) for c in new] == [("fusion-pilot", "ann")]
    assert new[0].recorded_at == datetime(2024, 6, 20, 9, 0, 2, tzinfo=UTC)
    assert [(c.slug, c.reviewer) for c in data.changes.of_kind("edited")] == [
        ("chip-supply", "bob")]


def test_timelines_deadlines_and_scores(engine: Engine, dataset: Ledger) -> None:
    data = q2_report(engine)
    # Activity in the period, or closed: all but agents-mainstream (quiet since February).
    assert [t.slug for t in data.timelines] == [
        "chip-supply", "compute-shift", "fusion-pilot", "robots-ship", "vague-claim"]
    robots = next(t for t in data.timelines if t.slug == "robots-ship")
    assert (robots.status, robots.outcome, robots.outcome_value) == ("partly", "partial", 0.5)
    assert robots.ends_at == datetime(2024, 6, 15, tzinfo=UTC)
    assert [e.kind for e in robots.events] == ["resolved", "reopened", "resolved"]
    chip = next(t for t in data.timelines if t.slug == "chip-supply")
    assert chip.title == "AI chip supply doubles" and chip.status == "developing"
    assert [e.retracted for e in chip.evidence] == [True]
    assert [i.slug for i in data.deadlines.upcoming] == ["chip-supply", "fusion-pilot"]
    assert [i.slug for i in data.deadlines.overdue] == ["agents-mainstream"]
    assert data.deadlines.overdue[0].days == -30
    assert data.deadlines.overdue[0].team_forecast == pytest.approx(0.35)
    reviewers = data.score_table("reviewer")
    assert reviewers.resolved_claims == 2 and [r.key for r in reviewers.rows] == ["ann", "bob"]
    assert reviewers.previous is not None and [r.key for r in reviewers.previous] == [
        "ann", "bob"]
    # ann's final forecasts: 0.8 on robots (0.5) and 0.3 on compute (0) -> (0.09 + 0.09) / 2.
    assert reviewers.rows[0].brier == pytest.approx(0.09)
    sources = data.score_table("source")
    assert [r.key for r in sources.rows] == ["acme-outlook"]


def test_a_claim_due_at_the_report_date_is_due_not_left_out(
        engine: Engine, dataset: Ledger, clock: Clock) -> None:
    """A date means the end of that day for a deadline and for --as-of alike: a claim due on
    the report's day is due with 0 days left (it was in neither list), overdue the day
    after. Quarter-end deadlines always meet a quarterly series' dates."""
    clock.now = at(2024, 6, 1)
    before = build_report(engine, AS_OF)
    dataset.create_claim(definition("due-today", title="Due on the report's day",
                                    made_on=date(2024, 1, 1), deadline_end=AS_OF), "ann")
    data = build_report(engine, AS_OF)
    due = [item for item in data.deadlines.upcoming if item.slug == "due-today"]
    assert [item.days for item in due] == [0]
    assert data.deadlines.upcoming_total == before.deadlines.upcoming_total + 1
    assert data.status.overdue == before.status.overdue  # counted as the lists show it
    assert "due-today" not in [item.slug for item in data.deadlines.overdue]
    day_after = build_report(engine, end_of_day(date(2024, 7, 1)))
    assert "due-today" in [item.slug for item in day_after.deadlines.overdue]


def test_without_a_previous_period_changes_cover_everything(engine: Engine,
                                                            dataset: Ledger) -> None:
    data = build_report(engine, AS_OF)
    assert data.since is None and data.previous_status is None
    assert data.changes.counts.new_claims == 6
    assert sorted(c.slug for c in data.changes.of_kind("new")) == [
        "agents-mainstream", "chip-supply", "compute-shift", "fusion-pilot", "robots-ship",
        "vague-claim"]
    assert all(table.previous is None for table in data.scores)
    assert "| Status | Claims |\n" in render(data, "md")


def test_forecast_counts_skip_the_filter_only_when_nothing_came_later(
        engine: Engine, dataset: Ledger, clock: Clock) -> None:
    """With nothing recorded after the report date, forecasts are counted without a date
    filter (index-only counts); the numbers must be those of the filtered count."""
    from sqlalchemy.orm import Session

    from tracker.reports import data as report_data

    window = report_data._Window(None, AS_OF)
    with Session(engine) as session:
        filtered = report_data._changes(session, window).counts
        unfiltered = report_data._changes(session, window, every_forecast_in_window=True).counts
    assert unfiltered == filtered and filtered.forecasts > 0 and filtered.forecasters > 0
    clock.now = at(2024, 7, 10)
    dataset.forecast("fusion-pilot", 0.5, reviewer="zed")  # recorded after AS_OF
    assert build_report(engine, AS_OF).changes.counts == filtered
    assert build_report(engine, clock.now).changes.counts.forecasters == filtered.forecasters + 1


def test_statuses_come_from_the_cache_only_when_nothing_came_later(
        engine: Engine, dataset: Ledger) -> None:
    """Census and deadline lists read the cached statuses when nothing was recorded after the
    report date; they must equal the ones replayed from the log."""
    from dataclasses import replace

    from sqlalchemy.orm import Session

    from tracker.reports import data as report_data

    with Session(engine) as session:
        replayed = report_data._census(session, AS_OF)
        cached = report_data._census(session, AS_OF, present=True)
        assert replace(cached, present=False) == replayed
        assert report_data._deadlines(session, cached) == report_data._deadlines(
            session, replayed)
    assert replayed.status.count("refuted") == 1 and replayed.status.overdue == 1


def test_an_entry_recorded_at_a_period_end_belongs_to_that_period_not_the_next(
        engine: Engine, ledger: Ledger, clock: Clock) -> None:
    """A period is (previous end, end]: an entry recorded at the very instant one period
    ends is counted in it (and the status it set is the status then), not again in the
    next."""
    clock.now = at(2024, 1, 1)
    ledger.create_claim(definition("claim", made_on=date(2024, 1, 1)), "ann")
    march, april = end_of_day(date(2024, 3, 31)), end_of_day(date(2024, 4, 30))
    clock.now = at(2024, 5, 1)
    for title, moment in (("At March's end", march), ("At April's end", april)):
        entry = ledger.add_evidence("claim", title=title, stance="supports", reviewer="ann",
                                    stamp=EntryStamp(recorded_at=moment))
        ledger.retract_evidence(entry, reason="misread", reviewer="ann",
                                stamp=EntryStamp(recorded_at=moment))
    ledger.change_status("claim", "developing", reviewer="ann",
                         stamp=EntryStamp(recorded_at=march))
    ledger.forecast("claim", 0.5, reviewer="ann")  # later: March's statuses are replayed
    first = build_report(engine, march, since=end_of_day(date(2024, 2, 29)))
    second = build_report(engine, april, since=march)
    assert first.status.count("developing") == 1
    assert (first.changes.counts.status_changes, second.changes.counts.status_changes) == (1, 0)
    for report in (first, second):
        counts = report.changes.counts
        assert (counts.evidence, counts.retractions) == (1, 1)
    with pytest.raises(InvalidInput, match="give an earlier --since"):
        build_report(engine, march, since=march)  # an empty period


def test_the_latest_changes_of_a_kind_are_listed_and_all_are_counted(
        engine: Engine, ledger: Ledger, clock: Clock) -> None:
    """Past `CHANGE_LIMIT` of one kind, the list keeps the latest ones (the oldest drops
    out) while the count still covers every one."""
    clock.now = at(2024, 1, 1)
    for index in range(CHANGE_LIMIT + 1):
        ledger.create_claim(definition(f"claim-{index:02d}", made_on=date(2024, 1, 1)), "ann")
    data = build_report(engine, end_of_day(date(2024, 1, 31)))
    listed = [change.slug for change in data.changes.of_kind("new")]
    assert data.changes.counts.new_claims == CHANGE_LIMIT + 1
    assert len(listed) == CHANGE_LIMIT and "claim-00" not in listed
    assert f"claim-{CHANGE_LIMIT:02d}" in listed


def test_a_claim_due_on_the_horizons_last_day_is_listed_as_upcoming(
        engine: Engine, ledger: Ledger, clock: Clock) -> None:
    """Upcoming deadlines are those within `DEADLINE_HORIZON_DAYS` days, the last one
    included, in the list as in its count; with the team's forecast as of the report."""
    as_of = end_of_day(date(2024, 1, 31))
    last_day = (as_of + timedelta(days=DEADLINE_HORIZON_DAYS)).date()
    clock.now = at(2024, 1, 1)
    ledger.create_claim(definition("last-day", made_on=date(2024, 1, 1),
                                   deadline_end=end_of_day(last_day)), "ann")
    ledger.create_claim(definition("day-after", made_on=date(2024, 1, 1),
                                   deadline_end=end_of_day(last_day + timedelta(days=1))),
                        "ann")
    ledger.forecast("last-day", 0.2, reviewer="ann")
    clock.now = at(2024, 2, 5)
    ledger.forecast("last-day", 0.6, reviewer="bob", made_at=as_of,
                    stamp=EntryStamp(recorded_at=as_of))  # recorded at the report's moment
    ledger.forecast("last-day", 0.9, reviewer="carol")  # after it
    deadlines = build_report(engine, as_of).deadlines
    assert [item.slug for item in deadlines.upcoming] == ["last-day"]
    assert deadlines.upcoming_total == 1
    [item] = deadlines.upcoming
    assert (item.days, item.forecasters) == (DEADLINE_HORIZON_DAYS, 2)
    assert item.team_forecast == pytest.approx(0.4)  # the median of ann's and bob's


def test_a_claim_edited_later_and_due_at_the_report_moment_is_due_not_overdue(
        engine: Engine, ledger: Ledger, clock: Clock) -> None:
    """A claim whose definition changed after the report date is judged by the definition
    then: due at the report's moment, it is due with 0 days left, as an unedited one is."""
    as_of = end_of_day(date(2024, 6, 30))
    clock.now = at(2024, 1, 1)
    ledger.create_claim(definition("edited", made_on=date(2024, 1, 1), deadline_end=as_of),
                        "ann")
    clock.now = at(2024, 7, 5)
    ledger.edit_claim("edited", definition("edited", made_on=date(2024, 1, 1),
                                           deadline_end=end_of_day(date(2024, 12, 31))), "ann")
    data = build_report(engine, as_of)
    assert [(item.slug, item.days) for item in data.deadlines.upcoming] == [("edited", 0)]
    assert (data.status.overdue, data.deadlines.upcoming_total) == (0, 1)


def test_a_report_shows_evidence_retracted_later_as_standing_then(
        engine: Engine, ledger: Ledger, clock: Clock) -> None:
    """A claim's timeline as of a date shows evidence retracted after it as standing: else
    a past report would change when a retraction is recorded."""
    clock.now = at(2024, 1, 1)
    ledger.create_claim(definition("claim", made_on=date(2024, 1, 1)), "ann")
    entry = ledger.add_evidence("claim", title="Report", stance="supports", reviewer="ann")
    clock.now = at(2024, 7, 1)
    ledger.retract_evidence(entry, reason="misread", reviewer="ann")
    [then] = build_report(engine, end_of_day(date(2024, 6, 30))).timelines
    assert [item.retracted for item in then.evidence] == [False]
    [now] = build_report(engine, end_of_day(date(2024, 7, 31))).timelines
    assert [item.retracted for item in now.evidence] == [True]


def test_timelines_past_the_limit_go_to_the_latest_active_then_the_latest_closed(
        engine: Engine, ledger: Ledger, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    """With more claims than room, the timelines shown are those active last in the period
    (of two active at one moment, the one recorded first), then those closed last."""
    from tracker.reports import data as report_data

    clock.now = at(2024, 1, 1)
    for slug in ("closed-first", "closed-last", "tied-older", "tied-newer", "quiet"):
        ledger.create_claim(definition(slug, made_on=date(2024, 1, 1)), "ann")
    clock.now = at(2024, 2, 1)
    ledger.resolve("closed-first", "yes", reviewer="ann")
    clock.now = at(2024, 3, 1)
    ledger.resolve("closed-last", "no", reviewer="ann")
    clock.now = at(2024, 7, 1)
    tied = EntryStamp(recorded_at=at(2024, 5, 1))  # imported: both recorded at one moment
    ledger.add_evidence("tied-newer", title="Report", stance="supports", reviewer="ann",
                        stamp=tied)
    ledger.forecast("tied-older", 0.5, reviewer="ann", made_at=at(2024, 5, 1), stamp=tied)
    since, as_of = end_of_day(date(2024, 3, 31)), end_of_day(date(2024, 6, 30))
    monkeypatch.setattr(report_data, "TIMELINE_LIMIT", 2)
    data = build_report(engine, as_of, since=since)
    assert [timeline.slug for timeline in data.timelines] == ["tied-newer", "tied-older"]
    monkeypatch.setattr(report_data, "TIMELINE_LIMIT", 1)
    assert [t.slug for t in build_report(engine, as_of, since=since).timelines] == [
        "tied-older"]
    quiet = build_report(engine, end_of_day(date(2024, 4, 30)), since=since)
    assert [t.slug for t in quiet.timelines] == ["closed-last"]
    assert quiet.timeline_candidates == 2


def test_the_latest_active_claims_are_found_past_a_busy_claims_many_entries(
        engine: Engine, ledger: Ledger, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    """A claim's latest entry of any kind decides how recently it was active; one claim with
    many entries does not hide the others."""
    from tracker.reports import data as report_data

    clock.now = at(2024, 1, 1)
    for slug in ("busy", "edited", "once"):
        ledger.create_claim(definition(slug, made_on=date(2024, 1, 1)), "ann")
    clock.now = at(2024, 4, 2)
    ledger.edit_claim("edited", definition("edited", title="Edited", made_on=date(2024, 1, 1)),
                      "ann")
    clock.now = at(2024, 4, 5)
    ledger.add_evidence("once", title="Report", stance="supports", reviewer="ann")
    clock.now = at(2024, 4, 8)
    ledger.forecast("edited", 0.5, reviewer="ann")
    clock.now = at(2024, 4, 10)
    for tenths in range(10):
        ledger.forecast("busy", tenths / 10, reviewer="ann")
    since, as_of = end_of_day(date(2024, 3, 31)), end_of_day(date(2024, 4, 30))
    monkeypatch.setattr(report_data, "TIMELINE_LIMIT", 2)
    assert [t.slug for t in build_report(engine, as_of, since=since).timelines] == [
        "busy", "edited"]
    monkeypatch.setattr(report_data, "TIMELINE_LIMIT", 3)
    assert [t.slug for t in build_report(engine, as_of, since=since).timelines] == [
        "busy", "edited", "once"]


def test_a_claim_whose_outcome_was_observed_before_it_was_made_opens_as_it_ends(
        engine: Engine, ledger: Ledger, clock: Clock) -> None:
    """A fact made on 1 March about what happened on 1 February: its timeline (and the
    source's grade) run from the outcome, instead of the report failing with "resolved_at
    is before opened_at"."""
    clock.now = at(2024, 3, 10)
    ledger.create_claim(definition("fact", kind="fact", made_on=date(2024, 3, 1),
                                   implied_confidence=0.8), "ann")
    ledger.resolve("fact", "yes", reviewer="ann", observed_on=date(2024, 2, 1))
    [timeline] = build_report(engine, end_of_day(date(2024, 3, 31))).timelines
    assert timeline.opened_at == timeline.ends_at == at(2024, 2, 1, 0)
    assert [score.brier for score in timeline.scores] == [pytest.approx(0.04)]


# --------------------------------------------------------------------------- golden files


@pytest.mark.parametrize("format", FORMATS)
def test_golden(engine: Engine, dataset: Ledger, format: Format) -> None:
    check_golden(f"report.{format}", render(q2_report(engine), format))


# --------------------------------------------------------------------------- point in time


def test_a_past_report_is_the_same_whenever_it_is_made(engine: Engine, dataset: Ledger,
                                                       clock: Clock) -> None:
    before = {format: render(q2_report(engine), format) for format in FORMATS}
    record_later_entries(dataset, clock)
    after = {format: render(q2_report(engine), format) for format in FORMATS}
    for format in FORMATS:
        assert after[format] == before[format], f"the {format} report changed"
    # ...and the later entries do show in a later report.
    later = build_report(engine, end_of_day(date(2024, 7, 31)), since=AS_OF)
    assert later.status.count("confirmed") == 1 and later.status.total == 7
    assert "renamed" in render(later, "md")


# --------------------------------------------------------------------------- HTML


def hostile_dataset(ledger: Ledger, clock: Clock) -> None:
    clock.now = at(2024, 1, 1)
    ledger.upsert_source(SourceInfo(key="evil-source", title="<b>Evil</b>"))
    ledger.create_claim(definition(
        "xss", title="<script>alert(1)</script>", statement="x",
        quote="Profits & losses \"soon\" <img src=x onerror=alert(2)>",
        made_on=date(2024, 1, 1), deadline_end=end_of_day(date(2024, 3, 1)),
        tags=("<i>tag</i>",), implied_confidence=0.8, source="evil-source"), "<b>mallory</b>")
    ledger.forecast("xss", 0.7, reviewer="o'brien <svg onload=alert(3)>")
    clock.now = at(2024, 1, 15)
    ledger.add_evidence("xss", title="</title><script>alert(4)</script>", stance="supports",
                        url="https://example.org/?q=<script>&x=\"y\"", reviewer="ann",
                        observed_on=date(2024, 1, 15))
    clock.now = at(2024, 2, 1)
    ledger.resolve("xss", "yes", reviewer="ann", note="A & B <script>alert(5)</script>")


def test_html_escapes_every_user_string(engine: Engine, ledger: Ledger, clock: Clock) -> None:
    hostile_dataset(ledger, clock)
    text = render(build_report(engine, end_of_day(date(2024, 6, 30))), "html")
    assert "<script" not in text.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "A &amp; B &lt;script&gt;alert(5)&lt;/script&gt;" in text
    assert "<img" not in text and "<b>" not in text and "<i>" not in text
    assert not re.search(r"<[^>]*\son\w+\s*=", text), "an event handler attribute got through"
    assert "javascript:" not in text.lower()
    assert "o&#x27;brien &lt;svg onload=alert(3)&gt;" in text
    assert 'href="https://example.org/?q=&lt;script&gt;&amp;x=&quot;y&quot;"' in text
    markdown = render(build_report(engine, end_of_day(date(2024, 6, 30))), "md")
    assert "<script>" not in markdown and r"\<script\>alert(1)\</script\>" in markdown


class _PageText(HTMLParser):
    """The text a reader of the page sees: outside <style> and the tooltips (<title>)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.hidden = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("style", "title")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("style", "title")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.text.append(data)


def page_text(html: str) -> list[str]:
    parser = _PageText()
    parser.feed(html)
    return parser.text


def test_html_escapes_the_percentages_near_the_ends(engine: Engine, ledger: Ledger,
                                                   clock: Clock) -> None:
    """A coverage or forecast shown as "<0.1%" or ">99.9%" went into the HTML unescaped:
    a "<" in text is a parse error, and a validator flags the report."""
    clock.now = at(2024, 1, 1)
    ledger.create_claim(definition("ends", statement="x", made_on=date(2024, 1, 1),
                                   deadline_end=end_of_day(date(2024, 9, 1)),
                                   implied_confidence=0.9995), "ann")
    ledger.forecast("ends", 0.0005, reviewer="ann")
    text = render(build_report(engine, end_of_day(date(2024, 6, 30))), "html")
    assert not [data for data in page_text(text) if "<" in data or ">" in data]
    assert "&lt;0.1% (1)" in text and "implied confidence &gt;99.9%" in text


def test_html_isolates_right_to_left_names_from_the_words_around_them(
        engine: Engine, ledger: Ledger, clock: Clock) -> None:
    """By the Unicode bidi algorithm, "Forecasts by שרה: 30% (2024-01-01)" showed the colon,
    the number and the date in the Hebrew's order, a note after the name came before it, and
    in the legend two Hebrew names swapped places, each beside the other's colour."""
    clock.now = at(2024, 1, 1)
    ledger.upsert_source(SourceInfo(key="מקור", title="x"))
    ledger.create_claim(definition("rtl", statement="x", made_on=date(2024, 1, 1),
                                   deadline_end=end_of_day(date(2024, 3, 1)),
                                   tags=("תג",), implied_confidence=0.6, source="מקור"),
                        "ann")
    ledger.forecast("rtl", 0.3, reviewer="שרה")
    ledger.forecast("rtl", 0.4, reviewer="תמר")
    clock.now = at(2024, 2, 1)
    ledger.resolve("rtl", "no", reviewer="שרה", note="لا")
    text = render(build_report(engine, end_of_day(date(2024, 6, 30))), "html")
    assert "<li>Forecasts by <bdi>שרה</bdi>: 30% (2024-01-01)</li>" in text
    assert "on 2024-02-01 by <bdi>שרה</bdi>: <bdi>لا</bdi></li>" in text
    assert "</svg><bdi>שרה</bdi></span>" in text and "</svg><bdi>תמר</bdi></span>" in text
    assert "<span>source <bdi>מקור</bdi></span>" in text and "<bdi>תג</bdi>" in text


def test_markdown_shows_every_user_string_as_typed(engine: Engine, ledger: Ledger,
                                                  clock: Clock) -> None:
    """Rendered by a CommonMark renderer (rich's own dependency), a title with what reads as
    a character reference or a tag shows as typed, not as "&" or as markup."""
    hostile_dataset(ledger, clock)
    ledger.create_claim(definition(
        "entities", title="Chips R&amp;D &copy; [x](y) & co", statement="x",
        made_on=date(2024, 1, 1), deadline_end=end_of_day(date(2024, 3, 1))), "ann")
    markdown = render(build_report(engine, end_of_day(date(2024, 6, 30))), "md")
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "Chips R&amp;amp;D &amp;copy; [x](y) &amp; co" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html and "<b>" not in html and "<a href=\"y\"" not in html


def test_a_claims_history_reads_in_one_order_in_markdown_and_html(
        engine: Engine, ledger: Ledger, clock: Clock) -> None:
    """The HTML sorted the changes of state by observed day: a resolution back-dated after a
    reopening came before it ("resolved, resolved, reopened"), a sequence that cannot
    happen, while the Markdown listed them as recorded."""
    clock.now = at(2024, 1, 1)
    ledger.create_claim(definition("twice", made_on=date(2024, 1, 1),
                                   deadline_end=end_of_day(date(2024, 3, 1))), "ann")
    clock.now = at(2024, 2, 1)
    ledger.resolve("twice", "yes", reviewer="ann", note="looked done")
    clock.now = at(2024, 3, 1)
    ledger.reopen("twice", reason="premature", reviewer="bob")
    clock.now = at(2024, 3, 5)
    ledger.resolve("twice", "no", reviewer="bob", note="it was not",
                   observed_on=date(2024, 1, 15))
    data = build_report(engine, end_of_day(date(2024, 6, 30)))
    markdown = [line.split()[1] for line in render(data, "md").splitlines()
                if line.startswith(("- Resolved", "- Reopened"))]
    html = re.findall(r"<li><strong>(Resolved|Reopened)", render(data, "html"))
    assert markdown == html == ["Resolved", "Reopened", "Resolved"]


def test_a_long_note_is_cut_not_dropped_in_the_change_lists(
        engine: Engine, ledger: Ledger, clock: Clock) -> None:
    """A resolution note that was one long link showed as "…" in the list of changes (the
    cut dropped every word it could not keep whole), and "see <link>" as "see …"."""
    clock.now = at(2024, 1, 1)
    for slug in ("bare", "cited"):
        ledger.create_claim(definition(slug, statement="x", made_on=date(2024, 1, 1),
                                       deadline_end=end_of_day(date(2024, 3, 1))), "ann")
    link = "https://example.org/" + "a/" * 100
    clock.now = at(2024, 2, 1)
    ledger.resolve("bare", "yes", reviewer="ann", note=link)
    ledger.resolve("cited", "no", reviewer="ann", note=f"see {link} for it")
    markdown = render(build_report(engine, end_of_day(date(2024, 6, 30))), "md")
    rows = [line for line in markdown.splitlines() if line.startswith("| 2024-02-01")]
    assert [row.split(" | ")[-1] for row in rows] == [
        link[:158] + " … |", "see " + link[:154] + " … |"]
    assert shorten("many words " * 20) == ("many words " * 14).strip() + " many …"


def test_a_statement_starting_like_a_list_item_stays_text_in_markdown(
        engine: Engine, ledger: Ledger, clock: Clock) -> None:
    """"1) cheaper; 2) faster" rendered as a numbered list in the Markdown's quote, and a
    statement "---" (or "-- -") as a horizontal rule."""
    clock.now = at(2024, 1, 1)
    for slug, statement in (("numbered", "1) cheaper; 2) faster"), ("dashed", "- no more"),
                            ("rule", "---"), ("spaced-rule", "-- -")):
        ledger.create_claim(definition(slug, statement=statement, made_on=date(2024, 1, 1),
                                       deadline_end=end_of_day(date(2024, 3, 1))), "ann")
    html = MarkdownIt("commonmark").render(
        render(build_report(engine, end_of_day(date(2024, 6, 30))), "md"))
    assert "<li>cheaper" not in html and "<li>no more" not in html and "<hr" not in html
    assert "<p>1) cheaper; 2) faster</p>" in html and "<p>- no more</p>" in html
    assert "<p>---</p>" in html and "<p>-- -</p>" in html


def test_two_dollar_amounts_in_a_line_stay_text_in_markdown(
        engine: Engine, ledger: Ledger, clock: Clock) -> None:
    """GitHub reads "$...$" as inline math: "$1B ARR ... ~$2B" in a shipped claim's note
    rendered as a formula, the words between the amounts run together in italics."""
    clock.now = at(2024, 1, 1)
    ledger.create_claim(definition("arr", title="From $1B to $2B ARR", statement="x",
                                   made_on=date(2024, 1, 1),
                                   deadline_end=end_of_day(date(2024, 3, 1))), "ann")
    markdown = render(build_report(engine, end_of_day(date(2024, 6, 30))), "md")
    html = MarkdownIt("commonmark").enable("table").use(dollarmath_plugin).render(markdown)
    assert "math" not in html and "From $1B to $2B ARR" in html


def test_the_html_period_sentence_keeps_utc_in_capitals(
        engine: Engine, dataset: Ledger) -> None:
    data = build_report(engine, end_of_day(date(2024, 6, 30)),
                        since=datetime(2024, 3, 31, 23, tzinfo=UTC))
    text = render(data, "html")
    assert " UTC" in text and " utc" not in text


def test_a_report_written_before_its_period_ends_says_it_can_change(
        engine: Engine, dataset: Ledger) -> None:
    """A report as of today's end read as final, yet changed when later entries of the day
    were recorded."""
    as_of = end_of_day(date(2024, 6, 30))
    early = build_report(engine, as_of, written_at=at(2024, 6, 30, 10))
    note = ("Written at 2024-06-30 10:00 UTC, before the end of this period: entries recorded "
            "until 2024-06-30 can still change it.")
    assert note in render(early, "md") and note in render(early, "html")
    assert json.loads(render(early, "json"))["unfinished_at"] == "2024-06-30T10:00:00Z"
    late = build_report(engine, as_of, written_at=at(2024, 7, 1))
    assert "can still change it" not in render(late, "md") + render(late, "html")
    assert json.loads(render(late, "json"))["unfinished_at"] is None
    assert render(late, "md") == render(build_report(engine, as_of), "md")  # written now


def test_a_claim_without_a_source_grades_its_implied_confidence_as_such(
        engine: Engine, ledger: Ledger, clock: Clock) -> None:
    clock.now = at(2024, 1, 1)
    ledger.create_claim(definition(
        "no-source", made_on=date(2024, 1, 1), deadline_end=end_of_day(date(2024, 3, 1)),
        implied_confidence=0.8), "ann")
    clock.now = at(2024, 2, 1)
    ledger.resolve("no-source", "yes", reviewer="ann")
    data = build_report(engine, end_of_day(date(2024, 6, 30)))
    assert "| implied confidence (no source) | 1 | 80% | 0.040 |" in render(data, "md")
    assert "<tr><td>implied confidence (no source)</td>" in render(data, "html")
    assert "(no source) (source)" not in render(data, "md") + render(data, "html")


def test_a_forecast_made_once_the_outcome_was_known_is_listed_as_not_scored(
        engine: Engine, ledger: Ledger, clock: Clock) -> None:
    """The history listed it like any other, beside a score table that leaves it out."""
    clock.now = at(2024, 1, 1)
    ledger.create_claim(definition(
        "late-call", made_on=date(2024, 1, 1), deadline_end=end_of_day(date(2024, 6, 30))), "ann")
    ledger.forecast("late-call", 0.4, reviewer="ann", made_at=at(2024, 1, 1, 12))
    clock.now = at(2024, 3, 20)
    ledger.forecast("late-call", 0.95, reviewer="ann")  # after the outcome was observed
    ledger.forecast("late-call", 0.7, reviewer="ann", made_at=at(2024, 3, 15, 0))  # that day
    ledger.resolve("late-call", "yes", reviewer="ann", observed_on=date(2024, 3, 15))
    data = q2_report(engine)
    timeline = next(t for t in data.timelines if t.slug == "late-call")
    assert [item.after_outcome for item in timeline.forecasts] == [False, True, True]
    assert [score.final_probability for score in timeline.scores] == [0.4]
    steps = ("40% (2024-01-01) → 70% (2024-03-15, after the outcome: not scored) → 95% "
             "(2024-03-20, after the outcome: not scored)")
    assert f"- Forecasts by ann: {steps}" in render(data, "md")
    assert f"<li>Forecasts by <bdi>ann</bdi>: {steps}</li>" in render(data, "html")
    forecasts = json.loads(render(data, "json"))["timelines"][0]["forecasts"]
    assert [item["after_outcome"] for item in forecasts] == [False, True, True]


def test_an_empty_score_table_does_not_deny_the_forecasts_its_timeline_lists(
        engine: Engine, ledger: Ledger, clock: Clock) -> None:
    """Every forecast came once the outcome was known: the tables said "No resolved claim has
    a reviewer forecast yet" above a timeline listing one (`tracker score` said it right)."""
    clock.now = at(2024, 3, 20)
    ledger.create_claim(definition("late-call", made_on=date(2024, 1, 1), tags=()), "ann")
    ledger.forecast("late-call", 0.95, reviewer="ann")
    ledger.resolve("late-call", "yes", reviewer="ann", observed_on=date(2024, 3, 15))
    data = q2_report(engine)
    for format, ann in (("md", "ann"), ("html", "<bdi>ann</bdi>")):
        text = render(data, format)
        assert "reviewer forecast" not in text
        assert "No resolved claim has a forecast made before its outcome yet." in text
        assert "No resolved claim with a tag has a forecast made before its outcome yet." in text
        assert f"Forecasts by {ann}: 95% (2024-03-20, after the outcome: not scored)" in text


def test_a_zero_within_bin_covariance_is_not_printed_negative(
        engine: Engine, ledger: Ledger, clock: Clock,
        run_cli: Callable[..., CliOutcome]) -> None:
    """Forecasts of 90% and 97% on two claims that both came out partly true (0.3): the bin's
    covariance is 0, its sums give -5.6e-17, and every view printed '-0.0000'."""
    clock.now = at(2024, 3, 20)
    for slug, probability in (("one", 0.9), ("two", 0.97)):
        ledger.create_claim(definition(slug, made_on=date(2024, 1, 1)), "ann")
        ledger.forecast(slug, probability, reviewer="ann", made_at=at(2024, 1, 2))
        ledger.resolve(slug, "partial", value=0.3, reviewer="ann")
    data = q2_report(engine)
    (decomposition,) = {table.decomposition for table in data.scores if table.by == "reviewer"}
    assert decomposition is not None and -1e-12 < decomposition.within_bin_covariance < 0
    for text in (render(data, "md"), render(data, "html"), run_cli("score").stdout):
        assert "within-bin covariance 0.0000" in text
        assert "-0.0000" not in text


def test_a_claims_final_forecast_is_the_one_the_leaderboard_scores(
        engine: Engine, ledger: Ledger, clock: Clock) -> None:
    """Two forecasts of one reviewer made and recorded at the same moment (a claim file can
    hold them): the claim's score table takes the same one as the leaderboard, not the one
    with the higher probability."""
    clock.now = at(2024, 1, 1)
    ledger.create_claim(definition(
        "same-moment", made_on=date(2024, 1, 1), deadline_end=end_of_day(date(2024, 6, 30))),
        "ann")
    clock.now = at(2024, 2, 1)
    for uuid, p in (("00000000-0000-4000-8000-000000000001", 0.9),
                    ("00000000-0000-4000-8000-000000000002", 0.2)):
        ledger.forecast("same-moment", p, reviewer="ann", made_at=at(2024, 2, 1),
                        stamp=EntryStamp(uuid, recorded_at=at(2024, 2, 1)))
    clock.now = at(2024, 3, 1)
    ledger.resolve("same-moment", "yes", reviewer="ann")
    data = q2_report(engine)
    (row,) = data.score_table("reviewer").rows
    assert row.brier == pytest.approx(0.64)
    timeline = next(t for t in data.timelines if t.slug == "same-moment")
    assert [score.final_probability for score in timeline.scores] == [0.2]
    assert [item.probability for item in timeline.forecasts] == [0.9, 0.2]


def test_conventions_name_a_day_as_the_heading_does_and_an_instant_exactly() -> None:
    by_title = {convention.name: convention.text for convention in conventions(
        datetime(2024, 6, 30, 12, 0, 5, tzinfo=UTC), end_of_day(date(2024, 3, 31)))}
    assert by_title["Period"] == ("Changes are the entries recorded after 2024-03-31 (end of "
                                  "day UTC) and up to 2024-06-30T12:00:05Z.")
    assert "recorded by 2024-06-30T12:00:05Z are used" in by_title["Point in time"]


def test_a_score_row_gone_since_the_previous_period_is_named_with_its_numbers_then(
        engine: Engine, ledger: Ledger, clock: Clock) -> None:
    clock.now = at(2024, 1, 1)
    ledger.create_claim(definition("lone", made_on=date(2024, 1, 1), tags=("space",),
                                   deadline_end=end_of_day(date(2024, 12, 31))), "ann")
    ledger.forecast("lone", 0.8, reviewer="dan<1>")
    clock.now = at(2024, 2, 1)
    ledger.resolve("lone", "yes", reviewer="ann")
    clock.now = at(2024, 5, 1)
    ledger.reopen("lone", reviewer="ann", reason="The launch slipped.")
    report = build_report(engine, AS_OF, since=SINCE)
    [reviewers] = [table for table in report.scores if table.by == "reviewer"]
    assert reviewers.rows == ()
    assert [(row.key, row.n) for row in reviewers.dropped()] == [("dan<1>", 1)]
    said = ("No longer scored (a claim reopened or annulled, or its tags or source edited), as "
            "at the previous period's end: {} (n 1, Brier 0.040).")
    assert said.format(md_escape("dan<1>")) in render(report, "md")
    assert said.format("<bdi>dan&lt;1&gt;</bdi>") in render(report, "html")


def test_one_resolved_claim_is_one_claim() -> None:
    assert scores_intro(1, end_of_day(date(2024, 6, 30))).startswith(
        "1 resolved claim as of 2024-06-30, each scored where it has a forecast")


def test_html_is_self_contained(engine: Engine, dataset: Ledger) -> None:
    text = render(q2_report(engine), "html")
    assert text.startswith("<!DOCTYPE html>")
    assert "<script" not in text.lower()
    assert "<svg" in text and text.count('class="chart timeline"') == 5
    assert 'class="chart calibration"' in text
    assert "@media print" in text
    # Nothing is loaded: no src attributes, no stylesheets or imports, no url() in CSS.
    assert not re.search(r"\ssrc\s*=", text, re.IGNORECASE)
    assert "<link" not in text.lower() and "@import" not in text and "url(" not in text
    # The only external addresses are evidence links, in <a href> only.
    for match in re.finditer(r"https?://", text):
        start = text.rfind("<", 0, match.start())
        assert text[start:start + 3] == "<a ", text[start:match.end() + 20]


def test_html_lets_a_word_too_long_for_the_page_break(engine: Engine, ledger: Ledger,
                                                     clock: Clock) -> None:
    """A note holding a long URL, or a title of one 200-letter word, set its table column
    that wide: the table ran off the page, and off the paper when printed. Such words get a
    break opportunity (<wbr>) every few characters; shorter ones are left whole."""
    clock.now = at(2024, 1, 1)
    ledger.create_claim(definition("long", title="x" * 200, statement="y" * 200,
                                   made_on=date(2024, 1, 1),
                                   deadline_end=end_of_day(date(2024, 3, 1))), "ann")
    ledger.forecast("long", 0.4, reviewer="z" * 70)
    clock.now = at(2024, 2, 1)
    ledger.resolve("long", "yes", reviewer="ann",
                   note="see https://example.org/" + "a/" * 80 + " for it")
    text = render(build_report(engine, end_of_day(date(2024, 6, 30))), "html")
    assert not [data for data in page_text(text) if re.search(r"[^\s-]{31,}", data)]
    assert "<bdi>" + "<wbr>".join(["z" * 30, "z" * 30, "z" * 10]) + "</bdi>" in text
    assert "Forecasts over time for " + "x" * 200 in text  # in an attribute: left whole


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two "#rrggbb" colours, 1 to 21."""
    def luminance(colour: str) -> float:
        channels = [int(colour[index:index + 2], 16) / 255 for index in (1, 3, 5)]
        red, green, blue = (value / 12.92 if value <= 0.04045
                            else ((value + 0.055) / 1.055) ** 2.4 for value in channels)
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_status_labels_on_colour_are_readable(engine: Engine, dataset: Ledger) -> None:
    """The status badges and the counts on the status bar were white on the palette's
    orange, light blue, grey, pink and green: about 2:1 to 3.4:1, below the 4.5:1 that WCAG
    asks of small text."""
    text = render(q2_report(engine), "html")
    badges = re.findall(r'class="badge" style="--c: (#\w{6}); color: (#\w{6})"', text)
    counts = re.findall(r'fill="(#\w{6})"><title>\w+: \d+</title></rect>'
                        r'<text [^>]*fill="(#\w{6})"', text)
    assert len(badges) == text.count('class="badge"') and badges and counts
    assert all(contrast(back, ink) >= 4.5 for back, ink in badges + counts)


def test_chart_labels_are_readable_on_white(engine: Engine, dataset: Ledger) -> None:
    """A timeline's "resolved yes 2024-05-01" was written in the outcome's colour: green,
    orange or vermilion on white, 2.3:1 to 3.9:1, below WCAG's 4.5:1 for small text."""
    text = render(q2_report(engine), "html")
    charts = re.findall(r'<svg class="chart (?:timeline|calibration)".*?</svg>', text)
    fills = [fill for chart in charts for fill in re.findall(r'<text [^>]*fill="(#\w{6})"',
                                                             chart)]
    assert any("resolved" in chart for chart in charts) and fills
    assert all(contrast(fill, "#ffffff") >= 4.5 for fill in fills), set(fills)


def test_a_forecast_made_before_the_claim_opened_is_dated_as_made(
        engine: Engine, ledger: Ledger, clock: Clock) -> None:
    """Drawn from the opening, as scoring counts it, its tip gave the opening day alone:
    "ann: 80% on 2024-01-01" for a forecast made on 2023-12-15."""
    clock.now = at(2024, 2, 1)
    ledger.create_claim(definition("a", made_on=date(2024, 1, 1)), "ann")
    ledger.forecast("a", 0.8, reviewer="ann", made_at=at(2023, 12, 15))
    ledger.forecast("a", 0.6, reviewer="ann", made_at=at(2024, 1, 20))
    text = render(build_report(engine, at(2024, 3, 1)), "html")
    tips = re.findall(r"<title>(ann: [^<]*)</title></circle>", text)
    assert tips == ["ann: 80% on 2023-12-15 (counted from 2024-01-01, when it opened)",
                    "ann: 60% on 2024-01-20"]


# --------------------------------------------------------------------------- JSON


def test_json_round_trips_the_numbers(engine: Engine, dataset: Ledger) -> None:
    document = json.loads(render(q2_report(engine), "json"))
    assert document["format"] == "tracker-report" and document["version"] == 1
    assert document["as_of"] == "2024-06-30T23:59:59.999999Z"
    assert document["status"]["by_status"]["partly"] == 1
    assert document["status"]["overdue"] == 1
    assert document["changes"]["counts"]["resolutions"] == 3
    reviewers = next(t for t in document["scores"] if t["by"] == "reviewer")
    assert reviewers["rows"][0]["key"] == "ann"
    assert reviewers["rows"][0]["brier"] == pytest.approx(0.09)


# --------------------------------------------------------------------------- the CLI

Run = Callable[..., CliOutcome]


def test_cli_report_formats_and_output(run_cli: Run, dataset: Ledger, engine: Engine,
                                       tmp_path: Path) -> None:
    expected = render(q2_report(engine), "md")
    result = run_cli("report", "--as-of", "2024-06-30", "--since", "2024-03-31")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected
    target = tmp_path / "out" / "report.html"
    result = run_cli("report", "--as-of", "2024-06-30", "--since", "2024-03-31", "-o",
                     str(target))
    assert result.exit_code == 0, result.stderr
    assert target.read_text(encoding="utf-8") == render(q2_report(engine), "html")
    assert "wrote" in result.stderr
    result = run_cli("report", "--as-of", "2024-06-30", "--since", "2024-03-31", "-o",
                     str(target))
    assert result.exit_code == 0 and "unchanged" in result.stderr  # same report, same file
    result = run_cli("report", "--as-of", "2024-06-30", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["since"] is None


@pytest.mark.parametrize("args", [
    ["--format", "pdf"],
    ["--as-of", "not a date"],
    ["--since", "someday"],
    ["--as-of", "2024-03-31", "--since", "2024-06-30"],
    ["--out-dir", "x"],
    ["--until", "2024-06-30"],
    ["--every", "quarter"],
    ["--every", "quarter", "--since", "2024-01-01"],
    ["--every", "quarter", "--since", "2024-01-01", "--out-dir", "x", "-o", "y.html"],
])
def test_cli_usage_errors_exit_2(run_cli: Run, args: list[str]) -> None:
    result = run_cli("report", *args)
    assert result.exit_code == 2, (args, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr


def test_cli_says_when_since_a_day_is_not_before_the_report_moment(run_cli: Run) -> None:
    """A day means its end, so --since 2024-06-30 is after --as-of 2024-06-30T12:00: the
    refusal said "2024-06-30 is not before the report date 2024-06-30", which read false."""
    result = run_cli("report", "--as-of", "2024-06-30T12:00", "--since", "2024-06-30")
    assert result.exit_code == 2
    assert ("2024-06-30 (end of day UTC) is not before the report date 2024-06-30 12:00 UTC"
            in " ".join(result.stderr.split()))


def test_cli_prints_the_report_for_an_output_of_a_dash(
        run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`-o -` wrote a file named "-" in the current folder; it means standard output."""
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    result = run_cli("report", "--format", "json", "-o", "-")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["status"]["total"] == 0
    assert list(here.iterdir()) == []


def test_cli_refuses_a_file_name_naming_another_format(run_cli: Run, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    result = run_cli("report", "--format", "html", "-o", str(target))
    assert result.exit_code == 2 and "report.md names a md file but --format is html" in (
        result.stderr)
    assert not target.exists()
    result = run_cli("report", "--format", "md", "-o", str(tmp_path / "notes.txt"))
    assert result.exit_code == 0 and (tmp_path / "notes.txt").exists()  # not a report suffix


def test_cli_writes_into_a_folder_named_with_o(run_cli: Run, tmp_path: Path) -> None:
    """`-o some/dir/` wrote a Markdown file named `dir`, and an existing folder was refused;
    the app's report form puts report-YYYY-MM-DD.EXT in a folder, and so does the CLI now."""
    result = run_cli("report", "--as-of", "2024-06-30", "-o", f"{tmp_path / 'new'}/")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "new" / "report-2024-06-30.md").is_file()
    result = run_cli("report", "--as-of", "2024-06-30", "--format", "html", "-o", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "report-2024-06-30.html").is_file()
    empty = run_cli("report", "-o", "")  # the working folder, read as a path: not meant
    assert empty.exit_code == 2 and "give a file or a folder to write the report to" in (
        empty.stderr)


def test_cli_refusals(run_cli: Run, tmp_path: Path) -> None:
    """A period that cannot be read is a bad option value (exit 2, as other bad values); a
    series with no period end in its range is a refusal (exit 1)."""
    result = run_cli("report", "--every", "FREQ=HOURLY", "--since", "2024-01-01",
                     "--out-dir", str(tmp_path / "s"))
    assert result.exit_code == 2 and "repeats within a day" in result.stderr
    result = run_cli("report", "--every", "not a rule", "--since", "2024-01-01",
                     "--out-dir", str(tmp_path / "s"))
    assert result.exit_code == 2 and "RRULE" in result.stderr
    assert "Invalid value for '--every': cannot read period 'not a rule'" in result.stderr
    result = run_cli("report", "--every", "year", "--since", "2024-01-01", "--until",
                     "2024-06-30", "--out-dir", str(tmp_path / "s"))
    assert result.exit_code == 1 and "no year period ends" in result.stderr


def test_cli_output_that_cannot_be_written_is_named_not_reported_as_a_bug(
    run_cli: Run, tmp_path: Path
) -> None:
    """A pipe, a file in the way of a folder, an unwritable folder: each refused with the
    reason (exit 1), nothing half-written; they were "this is a bug" (or hung, on a pipe)."""
    folder = tmp_path / "out"  # beside the test database
    folder.mkdir()
    pipe = folder / "pipe"
    os.mkfifo(pipe)
    (folder / "notes").write_text("", encoding="utf-8")
    locked = folder / "locked"
    locked.mkdir(mode=0o500)
    cases = [
        (("report", "-o", str(pipe)), f"cannot write {pipe}: it is not a regular file"),
        (("report", "-o", str(folder / "notes" / "q4.md")),
         f"cannot make the folder {folder / 'notes'}: "),
        (("export-forecasts", "-o", str(pipe)), f"cannot write {pipe}: it is not a regular file"),
        (("export", str(folder / "notes" / "claims")),
         f"cannot make the folder {folder / 'notes' / 'claims'}: "),
    ]
    if os.geteuid() != 0:  # root writes anywhere
        cases.append((("report", "-o", str(locked / "q4.md")),
                      f"cannot write {locked / 'q4.md'}: Permission denied"))
    for args, message in cases:
        result = run_cli(*args)
        assert (result.exit_code, "Traceback" in result.stderr) == (1, False), args
        assert message in result.stderr and "this is a bug" not in result.stderr, args
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert sorted(entry.name for entry in folder.iterdir()) == ["locked", "notes", "pipe"]


def test_empty_database_report(run_cli: Run) -> None:
    for format in FORMATS:
        result = run_cli("report", "--as-of", "2024-06-30", "--format", format)
        assert result.exit_code == 0, result.stderr
    assert "No resolved forecasts yet" in run_cli("report", "--as-of", "2024-06-30").stdout


def test_a_score_that_rounds_to_zero_has_no_minus_sign_in_any_view() -> None:
    """Seen on the app's scores screen: a peer score of -0.04 read '-0.0'."""
    from tracker.cli import score_commands
    from tracker.tui.screens import scores

    assert number(-0.04, 1) == "0.0" and number(-0.06, 1) == "-0.1" and number(None) == "-"
    assert score_commands.number is number and scores.number is number


def test_cli_refuses_a_file_name_no_format_has(run_cli: Run, tmp_path: Path) -> None:
    """`-o report.pdf` wrote Markdown into report.pdf."""
    target = tmp_path / "report.pdf"
    result = run_cli("report", "-o", str(target))
    assert result.exit_code == 2 and "report.pdf: tracker writes md, html or json reports" in (
        result.stderr)
    assert not target.exists()
    assert run_cli("report", "--format", "md", "-o", str(target)).exit_code == 0
