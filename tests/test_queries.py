"""List queries: filters and sorting happen in SQL, with the same meaning on every backend."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from tests.conftest import Clock
from tests.helpers import definition
from tracker.errors import NotFound
from tracker.ledger import EntryStamp, Ledger
from tracker.queries import ClaimFilter, Queries, ReviewerNames


def test_text_filter_ignores_case_and_takes_wildcards_literally(
    ledger: Ledger, queries: Queries
) -> None:
    ledger.create_claim(definition("gpu-share", title="80% of GPUs serve"), "ann")
    ledger.create_claim(definition("gpu-count", title="800 GPUs", parent="gpu-share"), "ann")
    ledger.create_claim(definition("other", title="Robots_first"), "ann")

    def slugs(text: str) -> list[str]:
        return [row.slug for row in queries.list_claims(ClaimFilter(text=text))]

    assert slugs("gpus") == ["gpu-count", "gpu-share"]
    assert slugs("80%") == ["gpu-share"], "% is a literal, not a wildcard"
    assert slugs("s_f") == ["other"], "_ is a literal, not a wildcard"
    assert slugs("8_0") == []
    assert slugs("serve 80%") == ["gpu-share"], "each word, in any order"
    assert slugs("count  GPUs") == ["gpu-count"], "a word may match the slug, another the title"
    assert slugs("gpus robots") == []
    [parent] = queries.list_claims(ClaimFilter(top_level_only=True, text="share"))
    assert parent.children == 1


def test_text_filter_ignores_the_case_of_letters_beyond_ascii_on_every_backend(
    ledger: Ledger, queries: Queries
) -> None:
    """SQLite's LIKE folds ASCII letters only: 'électricité' found 'Électricité en Europe'
    on PostgreSQL but not on SQLite, and 'ÜBER' no title with 'über'."""
    ledger.create_claim(definition("power", title="Électricité en Europe"), "ann")
    ledger.create_claim(definition("ride", title="Über fleets grow"), "ann")
    ledger.create_claim(definition("other", title="Electricity in Asia"), "ann")
    ledger.create_claim(definition("models", title="大模型的未来 (Future of LLMs)"), "ann")

    def slugs(text: str) -> list[str]:
        return [row.slug for row in queries.list_claims(ClaimFilter(text=text))]

    assert slugs("électricité") == ["power"]
    assert slugs("ÉLECTRICITÉ europe") == ["power"]
    assert slugs("über") == slugs("ÜBER") == ["ride"]
    assert slugs("electric") == ["other"], "an accent is a different letter, as before"
    assert queries.count_claims(ClaimFilter(text="éLEC")) == 1
    assert slugs("模型") == slugs("模型 future") == slugs("LLMs 大") == ["models"]


def test_as_of_before_a_claim_existed_says_both_moments_to_the_second(
        ledger: Ledger, queries: Queries, clock: Clock) -> None:
    clock.now = datetime(2024, 1, 1, 9, 0, 30, tzinfo=UTC)
    ledger.create_claim(definition("late"), "ann")  # a few seconds later: the clock ticks
    created = clock.now
    assert created.minute == 0 and created.second > 30
    with pytest.raises(NotFound) as refused:
        queries.claim_detail("late", as_of=datetime(2024, 1, 1, 9, 0, 10, tzinfo=UTC))
    assert str(refused.value) == (
        "claim 'late' was not in the tracker yet as of 2024-01-01 09:00:10 UTC: it was recorded "
        f"on 2024-01-01 09:00:{created.second} UTC")


def test_as_of_within_the_second_a_claim_was_recorded_says_both_to_the_microsecond(
        ledger: Ledger, queries: Queries, clock: Clock) -> None:
    clock.now = datetime(2024, 1, 1, 9, 0, 30, 500000, tzinfo=UTC)
    ledger.create_claim(definition("late"), "ann")
    created = clock.now
    as_of = created.replace(microsecond=0)  # the same second, half a second earlier
    with pytest.raises(NotFound) as refused:
        queries.claim_detail("late", as_of=as_of)
    assert str(refused.value).endswith(
        f"as of 2024-01-01 09:00:{as_of.second}.000000 UTC: it was recorded on "
        f"2024-01-01 09:00:{created.second}.500000 UTC")

    clock.now = datetime(2024, 1, 1, 9, 0, 59, 500000, tzinfo=UTC)  # read at the next tick
    ledger.create_claim(definition("later"), "ann")  # at 09:01:00.5, on a whole minute
    with pytest.raises(NotFound) as refused:
        queries.claim_detail("later", as_of=datetime(2024, 1, 1, 9, 1, tzinfo=UTC))
    assert str(refused.value).endswith("as of 2024-01-01 09:01:00.000000 UTC: it was recorded "
                                       "on 2024-01-01 09:01:00.500000 UTC")


def test_sorting_keeps_empty_deadlines_last(ledger: Ledger, queries: Queries) -> None:
    from tracker.horizons import parse_deadline

    ledger.create_claim(definition("later").with_deadline(parse_deadline("2026-01-01")), "ann")
    ledger.create_claim(definition("none"), "ann")
    ledger.create_claim(definition("sooner").with_deadline(parse_deadline("2025-01-01")), "ann")
    rows = queries.list_claims(sort="deadline")
    assert [row.slug for row in rows] == ["sooner", "later", "none"]
    rows = queries.list_claims(sort="deadline", descending=True)
    assert [row.slug for row in rows] == ["later", "sooner", "none"]
    assert [r.slug for r in queries.list_claims(sort="slug", limit=2, offset=1)] == [
        "none", "sooner"]


def test_a_closed_claim_has_no_next_review(ledger: Ledger, queries: Queries) -> None:
    """The claims table showed a review date for every resolved claim with a cadence, though
    the review queue never brings a closed claim back."""
    for slug in ("kept", "closed"):
        ledger.create_claim(definition(slug, review_cadence="FREQ=MONTHLY"), "ann")
    ledger.resolve("closed", "yes", reviewer="ann", note="done")
    rows = {row.slug: row.next_review for row in queries.list_claims()}
    assert rows["kept"] is not None and rows["closed"] is None


def test_the_evidence_day_is_the_observed_date_else_the_utc_day_it_was_recorded(
    ledger: Ledger, queries: Queries, clock: Clock
) -> None:
    """What the Evid. column counts from: after an import every entry was recorded the same
    day, but what it reports happened on its observed date."""
    for slug in ("old-news", "fresh-news", "undated", "no-evidence"):
        ledger.create_claim(definition(slug), "ann")
    clock.now = datetime(2024, 3, 1, 23, 30, tzinfo=UTC)  # late: another day in UTC+1
    ledger.add_evidence("old-news", title="A", stance="supports", reviewer="ann",
                        observed_on=date(2023, 5, 1))
    ledger.add_evidence("old-news", title="B", stance="supports", reviewer="ann",
                        observed_on=date(2023, 2, 1))
    ledger.add_evidence("fresh-news", title="C", stance="refutes", reviewer="ann",
                        observed_on=date(2024, 2, 20))
    ledger.add_evidence("undated", title="D", stance="context", reviewer="ann")
    typo = ledger.add_evidence("fresh-news", title="E", stance="supports", reviewer="ann",
                               observed_on=date(2024, 2, 29))
    ledger.retract_evidence(typo, reason="wrong date", reviewer="ann")  # speaks of nothing
    days = {row.slug: row.last_evidence_on for row in queries.list_claims()}
    assert days == {"old-news": date(2023, 5, 1), "fresh-news": date(2024, 2, 20),
                    "undated": date(2024, 3, 1), "no-evidence": None}
    by_day = [row.slug for row in queries.list_claims(sort="evidence")]
    assert by_day == ["old-news", "fresh-news", "undated", "no-evidence"]
    newest_first = [row.slug for row in queries.list_claims(sort="evidence", descending=True)]
    assert newest_first == ["undated", "fresh-news", "old-news", "no-evidence"]


def test_pages_built_from_shared_statements_do_not_leak_into_each_other(
    ledger: Ledger, queries: Queries
) -> None:
    """The page's columns, joins and aliases are built once and reused by every call."""
    ledger.create_claim(definition("parent", title="Parent"), "ann")
    ledger.create_claim(definition("child-b", title="Child b", parent="parent"), "ann")
    ledger.create_claim(definition("child-a", title="Child a", parent="parent"), "ann")
    ledger.add_evidence("child-b", title="Report", stance="supports", reviewer="ann")
    children = queries.list_claims(ClaimFilter(parent="parent"), sort="evidence")
    assert [(row.slug, row.parent) for row in children] == [
        ("child-b", "parent"), ("child-a", "parent")]
    assert children[0].last_evidence_at is not None
    [parent] = queries.list_claims(ClaimFilter(top_level_only=True))
    assert (parent.slug, parent.parent, parent.children) == ("parent", None, 2)
    assert [row.slug for row in queries.list_claims(sort="slug", descending=True)] == [
        "parent", "child-b", "child-a"]
    assert queries.count_claims(ClaimFilter(parent="parent")) == 2
    assert queries.count_claims() == 3


def test_the_tree_page_reads_top_level_claims_in_slug_order_without_sorting(
    ledger: Ledger, queries: Queries
) -> None:
    """ix_claims_parent_slug: at 100k claims, sorting every top-level claim cost 36 ms."""
    if queries.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query plan")
    statements: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    ledger.create_claim(definition("only"), "ann")
    event.listen(queries.engine, "before_cursor_execute", keep)
    try:
        queries.list_claims(ClaimFilter(top_level_only=True), limit=50)
    finally:
        event.remove(queries.engine, "before_cursor_execute", keep)
    page, parameters = next(item for item in statements if "LIMIT" in item[0])
    with queries.engine.connect() as connection:
        plan = " | ".join(row[3] for row in connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {page}", parameters))
    assert "ix_claims_parent_slug" in plan
    assert "TEMP B-TREE" not in plan, plan


def test_a_log_recorded_in_one_instant_reads_in_the_order_it_can_happen(
    engine: Engine, queries: Queries
) -> None:
    """An imported claim file may record a whole log at once (same recorded_at): the history
    must not list the resolution before the claim was created, or a status after it."""
    moment = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    ledger = Ledger(engine, clock=lambda: moment)
    ledger.create_claim(definition("at-once"), "ann")
    ledger.add_evidence("at-once", title="Z report", stance="supports", reviewer="ann")
    ledger.forecast("at-once", 0.7, reviewer="ann")
    ledger.change_status("at-once", "developing", reviewer="ann")
    ledger.resolve("at-once", "yes", reviewer="ann")
    ledger.reopen("at-once", reason="too soon", reviewer="ann")
    ledger.resolve("at-once", "no", reviewer="ann")
    entries = queries.timeline("at-once")
    assert [entry.kind for entry in entries] == [
        "revision", "evidence", "forecast", "status", "resolution", "status", "resolution"]
    assert entries[-1].text == "resolved no" and entries[-2].text.startswith("reopened")


def test_changes_since_a_version_say_what_each_change_did(ledger: Ledger,
                                                          queries: Queries) -> None:
    """What the conflict dialog lists: every version after the one seen, by whom and what
    (an edit names the fields it changed; several make one deadline)."""
    from dataclasses import replace

    from tracker.horizons import parse_deadline
    from tracker.queries import changes_since

    ledger.create_claim(definition(), "ann")
    ledger.change_status("serving-shift", "developing", reviewer="bob", note="pilots")
    current = queries.claim_detail("serving-shift").definition
    ledger.edit_claim("serving-shift", replace(current, title="Serving wins").with_deadline(
        parse_deadline("2030-01-01", current.made_on)), "bob")
    ledger.edit_claim("serving-shift", replace(current, tags=("ai",)), "ann", note="tagged")
    detail = queries.claim_detail("serving-shift")
    assert [(change.reviewer, change.text) for change in changes_since(detail, 1)] == [
        ("bob", "status open -> developing: pilots"),
        ("bob", "definition v3 (title, deadline)"),
        ("ann", "definition v4 (title, deadline, tags): tagged"),
    ]
    assert [change.text for change in changes_since(detail, 3)] == [
        "definition v4 (title, deadline, tags): tagged"]


def test_a_reviewer_created_after_the_names_were_read_is_found(engine: Engine,
                                                               ledger: Ledger) -> None:
    """On PostgreSQL each statement reads its own snapshot: `tracker show` failed with
    KeyError while someone recorded a forecast under a new name."""
    ledger.create_claim(definition("a"), "ann")
    with Session(engine) as session:
        names = ReviewerNames(session)
        session.commit()  # the next read sees what was written since, as on PostgreSQL
        ledger.forecast("a", 0.5, reviewer="newcomer")
        (newcomer,) = [item for item in Queries(engine).claim_detail("a").forecasts]
        assert newcomer.reviewer == "newcomer"
        ids = {row.name: row.id for row in session.execute(
            text("SELECT id, name FROM reviewers"))}
        assert names[ids["newcomer"]] == "newcomer"
        with pytest.raises(KeyError):
            names[max(ids.values()) + 1]


def _slugs(queries: Queries, criteria: ClaimFilter | None = None, **page: Any) -> list[str]:
    return [row.slug for row in queries.list_claims(criteria or ClaimFilter(), **page)]


def test_each_facet_keeps_its_claims_and_only_those(ledger: Ledger, queries: Queries) -> None:
    """Status, kind, tag and source narrow the list (and its count) to the claims that have
    that value: a facet matching every claim, or the wrong ones, shows a list that looks right."""
    from tracker.definitions import SourceInfo

    for key in ("iea", "bnef"):
        ledger.upsert_source(SourceInfo(key=key, title=key.upper()))
    ledger.create_claim(definition("alpha", tags=("ai",), source="iea"), "ann")
    ledger.create_claim(definition("beta", kind="fact", tags=("energy",), source="bnef"), "ann")
    ledger.create_claim(definition("gamma", tags=("ai", "energy")), "ann")
    ledger.change_status("beta", "stalled", reviewer="ann")
    cases = {
        ClaimFilter(statuses=("stalled",)): ["beta"],
        ClaimFilter(statuses=("open", "stalled")): ["alpha", "beta", "gamma"],
        ClaimFilter(kind="fact"): ["beta"],
        ClaimFilter(kind="prediction"): ["alpha", "gamma"],
        ClaimFilter(tag="ai"): ["alpha", "gamma"],
        ClaimFilter(tag="energy"): ["beta", "gamma"],
        ClaimFilter(source="iea"): ["alpha"],
        ClaimFilter(source="bnef"): ["beta"],
        ClaimFilter(slug="gamma"): ["gamma"],
        ClaimFilter(tag="ai", source="iea"): ["alpha"],
    }
    for criteria, expected in cases.items():
        assert _slugs(queries, criteria) == expected, criteria
        assert queries.count_claims(criteria) == len(expected), criteria


def test_due_by_keeps_a_claim_due_at_that_instant_and_leaves_closed_claims_out(
    ledger: Ledger, queries: Queries
) -> None:
    """`tracker list --due DAY`: a claim due on that day is due by it (a deadline and --due
    both mean the end of the day); a resolved claim is no longer due."""
    from datetime import timedelta

    from tracker.horizons import end_of_day, parse_deadline

    for slug in ("on-the-day", "resolved", "day-after"):
        ledger.create_claim(definition(slug), "ann")
    for slug, day in (("on-the-day", "2025-03-01"), ("resolved", "2025-01-01"),
                      ("day-after", "2025-03-02")):
        current = queries.claim_detail(slug).definition
        ledger.edit_claim(slug, current.with_deadline(parse_deadline(day)), "ann")
    ledger.resolve("resolved", "yes", reviewer="ann")
    due = end_of_day(date(2025, 3, 1))
    assert _slugs(queries, ClaimFilter(due_by=due)) == ["on-the-day"]
    assert _slugs(queries, ClaimFilter(due_by=due - timedelta(microseconds=1))) == []


def test_the_parent_filter_lists_the_derived_questions_of_that_parent_only(
    ledger: Ledger, queries: Queries
) -> None:
    """Opening one claim's derived questions must not show another claim's too."""
    for parent in ("p-one", "p-two"):
        ledger.create_claim(definition(parent), "ann")
    ledger.create_claim(definition("q-one", parent="p-one"), "ann")
    ledger.create_claim(definition("q-two", parent="p-two"), "ann")
    assert _slugs(queries, ClaimFilter(parent="p-one")) == ["q-one"]
    assert queries.count_claims(ClaimFilter(parent="p-two")) == 1
    assert _slugs(queries, ClaimFilter(top_level_only=True)) == ["p-one", "p-two"]


def test_a_backslash_in_the_text_filter_is_a_literal(ledger: Ledger, queries: Queries) -> None:
    """LIKE's escape character typed into the filter: unescaped, '\\d' would match every
    title with a 'd' in it."""
    ledger.create_claim(definition("windows-path", title="Files in C:\\data move"), "ann")
    ledger.create_claim(definition("plain", title="Data moves"), "ann")
    assert _slugs(queries, ClaimFilter(text="\\d")) == ["windows-path"]
    assert _slugs(queries, ClaimFilter(text="data")) == ["plain", "windows-path"]


def test_rows_equal_in_the_sorted_column_follow_the_slug_both_ways(
    ledger: Ledger, queries: Queries
) -> None:
    """Ties are broken by slug ascending, whichever way the column goes, so that pages split
    a run of equal values the same way every time: no row is shown twice or skipped."""
    for slug in ("d-open", "b-open", "c-stalled", "a-stalled", "e-open"):
        ledger.create_claim(definition(slug), "ann")
    for slug in ("c-stalled", "a-stalled"):
        ledger.change_status(slug, "stalled", reviewer="ann")
    assert _slugs(queries, sort="status") == [
        "b-open", "d-open", "e-open", "a-stalled", "c-stalled"]
    assert _slugs(queries, sort="status", descending=True) == [
        "a-stalled", "c-stalled", "b-open", "d-open", "e-open"]
    for descending in (False, True):
        whole = _slugs(queries, sort="status", descending=descending)
        pages = [_slugs(queries, sort="status", descending=descending, limit=2, offset=offset)
                 for offset in (0, 2, 4)]
        assert [slug for page in pages for slug in page] == whole


def test_sorting_by_made_on_keeps_claims_without_one_last(ledger: Ledger,
                                                          queries: Queries) -> None:
    """A claim with no made-on date must not sort before every dated one (SQLite puts NULL
    first)."""
    ledger.create_claim(definition("undated", made_on=None), "ann")
    ledger.create_claim(definition("older", made_on=date(2020, 1, 1)), "ann")
    ledger.create_claim(definition("newer", made_on=date(2023, 1, 1)), "ann")
    assert _slugs(queries, sort="made_on") == ["older", "newer", "undated"]
    assert _slugs(queries, sort="made_on", descending=True) == ["newer", "older", "undated"]


def test_sorting_by_changed_goes_by_the_latest_change_not_creation(
    ledger: Ledger, queries: Queries
) -> None:
    ledger.create_claim(definition("first"), "ann")
    ledger.create_claim(definition("second"), "ann")
    ledger.change_status("first", "developing", reviewer="ann")
    assert _slugs(queries, sort="changed") == ["second", "first"]


def test_sorting_by_evidence_goes_by_the_latest_day_standing_evidence_speaks_of(
    ledger: Ledger, queries: Queries, clock: Clock
) -> None:
    """The Evid. column sorts by each claim's latest evidence day: not its earliest, and not
    a day only a retracted entry (a typo in its date) spoke of."""
    for slug in ("spread", "typo", "middle"):
        ledger.create_claim(definition(slug), "ann")
    clock.now = datetime(2025, 1, 1, tzinfo=UTC)
    for slug, day in (("spread", date(2023, 1, 1)), ("spread", date(2024, 6, 1)),
                      ("typo", date(2024, 1, 10)), ("middle", date(2024, 3, 1))):
        ledger.add_evidence(slug, title="Report", stance="supports", reviewer="ann",
                            observed_on=day)
    typo = ledger.add_evidence("typo", title="Report", stance="supports", reviewer="ann",
                               observed_on=date(2024, 12, 1))
    ledger.retract_evidence(typo, reason="wrong year", reviewer="ann")
    assert _slugs(queries, sort="evidence") == ["typo", "middle", "spread"]
    assert _slugs(queries, sort="evidence", descending=True) == ["spread", "middle", "typo"]


def test_a_rows_forecasts_are_each_reviewers_latest_made_and_their_median(
    ledger: Ledger, queries: Queries, clock: Clock
) -> None:
    """The Team and Mine columns: per reviewer the forecast made last (a backdated one
    recorded later does not replace it; of two made at one moment the one recorded later
    wins), the team's the median of those, and Mine only the reviewer's own."""
    ledger.create_claim(definition("claim"), "ann")
    clock.now = datetime(2024, 3, 1, 12, tzinfo=UTC)
    ledger.forecast("claim", 0.6, reviewer="ann", made_at=datetime(2024, 2, 20, tzinfo=UTC))
    ledger.forecast("claim", 0.2, reviewer="ann", made_at=datetime(2024, 2, 10, tzinfo=UTC))
    same_moment = datetime(2024, 2, 15, tzinfo=UTC)
    ledger.forecast("claim", 0.1, reviewer="bob", made_at=same_moment,
                    stamp=EntryStamp(uuid="ffffffff-ffff-4fff-bfff-ffffffffffff"))
    ledger.forecast("claim", 0.9, reviewer="bob", made_at=same_moment,  # not by uuid
                    stamp=EntryStamp(uuid="00000000-0000-4000-8000-000000000000"))
    [row] = queries.list_claims(reviewer="ann")
    assert (row.my_forecast, row.forecasters) == (0.6, 2)
    assert row.team_forecast == pytest.approx(0.75)  # the median of 0.6 and 0.9
    [bobs] = queries.list_claims(reviewer="bob")
    assert bobs.my_forecast == 0.9
    [nobodys] = queries.list_claims(reviewer="carol")
    assert nobodys.my_forecast is None and nobodys.team_forecast == pytest.approx(0.75)


def test_a_rows_tags_are_sorted_and_its_last_evidence_is_the_latest_recorded(
    ledger: Ledger, queries: Queries, clock: Clock
) -> None:
    ledger.create_claim(definition("claim", tags=("zeta", "alpha", "mid")), "ann")
    ledger.add_evidence("claim", title="First", stance="supports", reviewer="ann")
    later = ledger.add_evidence("claim", title="Second", stance="supports", reviewer="ann")
    [row] = queries.list_claims()
    assert row.tags == ("alpha", "mid", "zeta")
    recorded = {item.uuid: item.recorded_at for item in queries.claim_detail("claim").evidence}
    assert row.last_evidence_at == recorded[later] == max(recorded.values())


def test_the_next_review_counts_from_the_reviewers_last_mark(
    ledger: Ledger, queries: Queries, clock: Clock
) -> None:
    """The Review column for the reviewer looking: a month after their latest mark; another
    reviewer's marks do not count, and without a mark it counts from the claim's creation."""
    clock.now = datetime(2024, 1, 1, 9, tzinfo=UTC)
    ledger.create_claim(definition("claim", review_cadence="FREQ=MONTHLY"), "ann")
    clock.now = datetime(2024, 2, 5, 9, tzinfo=UTC)
    ledger.mark_reviewed("claim", "ann")
    clock.now = datetime(2024, 3, 10, 9, tzinfo=UTC)
    ledger.mark_reviewed("claim", "ann")
    [mine] = queries.list_claims(reviewer="ann")
    assert mine.next_review is not None
    assert mine.next_review.date() == date(2024, 4, 10)
    [theirs] = queries.list_claims(reviewer="bob")
    assert theirs.next_review is not None and theirs.next_review.date() == date(2024, 2, 1)


def test_a_reviewers_trail_has_their_latest_mark_and_latest_forecast(
    ledger: Ledger, queries: Queries, clock: Clock
) -> None:
    """What the review queue counts from: the reviewer's own latest mark and the forecast
    they made last (a backdated one recorded later is not their last)."""
    ledger.create_claim(definition("claim"), "ann")
    clock.now = datetime(2024, 3, 1, tzinfo=UTC)
    ledger.forecast("claim", 0.7, reviewer="ann")
    made = clock.now
    ledger.forecast("claim", 0.3, reviewer="ann", made_at=datetime(2024, 2, 1, tzinfo=UTC))
    ledger.mark_reviewed("claim", "ann")
    ledger.mark_reviewed("claim", "ann")
    marked = clock.now
    ledger.mark_reviewed("claim", "bob")
    trail = queries.reviewer_trails("ann")["claim"]
    assert (trail.last_forecast_at, trail.last_reviewed_at) == (made, marked)
    assert queries.reviewer_trails("bob")["claim"].last_forecast_at is None


def test_a_claim_as_of_an_entrys_own_instant_includes_that_entry(
    ledger: Ledger, queries: Queries
) -> None:
    """"As of T" uses the entries recorded by T, T included: `tracker show --as-of` at the
    instant a forecast was recorded shows that forecast (and at the claim's creation, the
    claim)."""
    ledger.create_claim(definition("claim"), "ann")
    created = queries.claim_detail("claim").revisions[0].recorded_at
    assert queries.claim_detail("claim", as_of=created).version == 1
    ledger.forecast("claim", 0.4, reviewer="ann")
    [forecast] = queries.claim_detail("claim").forecasts
    past = queries.claim_detail("claim", as_of=forecast.recorded_at)
    assert [item.probability for item in past.forecasts] == [0.4]


def test_a_claim_as_of_a_moment_leaves_out_later_derived_questions_and_retractions(
    ledger: Ledger, queries: Queries, clock: Clock
) -> None:
    """The detail as of a moment is the claim as it stood then: without derived questions
    added later, and with evidence retracted later still standing."""
    ledger.create_claim(definition("parent"), "ann")
    ledger.create_claim(definition("b-early", parent="parent"), "ann")
    ledger.create_claim(definition("a-early", parent="parent"), "ann")
    entry = ledger.add_evidence("parent", title="Report", stance="supports", reviewer="ann")
    then = clock.advance(seconds=10)
    ledger.create_claim(definition("late", parent="parent"), "ann")
    ledger.retract_evidence(entry, reason="misread", reviewer="ann")
    past = queries.claim_detail("parent", as_of=then)
    assert [child.slug for child in past.children] == ["a-early", "b-early"]
    assert [item.retracted for item in past.evidence] == [False]
    now = queries.claim_detail("parent")
    assert [child.slug for child in now.children] == ["a-early", "b-early", "late"]
    assert [item.retracted for item in now.evidence] == [True]


def test_a_claim_reopened_before_the_as_of_moment_reads_open_then(
    ledger: Ledger, queries: Queries, clock: Clock
) -> None:
    """The state as of a moment replays the log by version: a resolution followed by a
    reopening is open, not closed by the resolution read last."""
    ledger.create_claim(definition("claim"), "ann")
    ledger.resolve("claim", "yes", reviewer="ann")
    ledger.reopen("claim", reason="too soon", reviewer="bob")
    then = clock.advance(seconds=10)
    past = queries.claim_detail("claim", as_of=then)
    assert (past.status, past.version, past.changed_by) == ("open", 3, "bob")
    assert past.resolution is None


def test_a_claims_log_reads_in_the_order_of_its_moments_not_of_its_ids(
    ledger: Ledger, queries: Queries, clock: Clock
) -> None:
    """Evidence in the order it was recorded and forecasts in the order they were made,
    whatever their uuids (an imported file gives its own) or the order they were typed in."""
    ledger.create_claim(definition("claim"), "ann")
    early_id = "ffffffff-ffff-4fff-bfff-ffffffffffff"  # sorts last
    late_id = "00000000-0000-4000-8000-000000000000"
    ledger.add_evidence("claim", title="First", stance="supports", reviewer="ann",
                        stamp=EntryStamp(uuid=early_id))
    ledger.add_evidence("claim", title="Second", stance="supports", reviewer="ann",
                        stamp=EntryStamp(uuid=late_id))
    clock.now = datetime(2024, 3, 1, tzinfo=UTC)
    ledger.forecast("claim", 0.7, reviewer="ann")
    ledger.forecast("claim", 0.3, reviewer="ann", made_at=datetime(2024, 2, 1, tzinfo=UTC))
    detail = queries.claim_detail("claim")
    assert [item.title for item in detail.evidence] == ["First", "Second"]
    assert [item.probability for item in detail.forecasts] == [0.3, 0.7]
