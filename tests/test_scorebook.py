"""Scores computed from the database: the right questions, as of any date."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from rich.cells import cell_len
from sqlalchemy import Engine

from tests.conftest import CliOutcome, Clock
from tests.helpers import definition
from tracker import scoring
from tracker.definitions import SourceInfo
from tracker.ledger import EntryStamp, Ledger
from tracker.scorebook import Leaderboard, leaderboard, leaderboards, unscored_after

MADE = date(2024, 1, 1)


@pytest.fixture
def scored(ledger: Ledger, clock: Clock) -> Ledger:
    """Two claims: one resolved yes, one resolved no, forecast by ann and bob."""
    clock.now = datetime(2024, 1, 1, tzinfo=UTC)
    ledger.create_claim(definition("a", made_on=MADE, tags=("robots",), implied_confidence=0.9),
                        "ann")
    ledger.create_claim(definition("b", made_on=MADE, tags=("compute",), implied_confidence=0.7),
                        "ann")
    ledger.forecast("a", 0.8, reviewer="ann", made_at=datetime(2024, 1, 1, tzinfo=UTC))
    ledger.forecast("b", 0.3, reviewer="ann", made_at=datetime(2024, 1, 1, tzinfo=UTC))
    ledger.forecast("b", 0.6, reviewer="bob", made_at=datetime(2024, 1, 1, tzinfo=UTC))
    clock.now = datetime(2024, 1, 11, tzinfo=UTC)  # a forecast is recorded once it is made
    ledger.forecast("a", 0.4, reviewer="bob", made_at=datetime(2024, 1, 11, tzinfo=UTC))
    ledger.forecast("b", 0.9, reviewer="bob", made_at=datetime(2024, 1, 11, tzinfo=UTC))
    clock.now = datetime(2024, 1, 21, tzinfo=UTC)
    ledger.resolve("a", "yes", reviewer="ann", observed_on=date(2024, 1, 21))
    ledger.resolve("b", "no", reviewer="ann", observed_on=date(2024, 1, 21))
    return ledger


def test_reviewer_scores_match_the_scoring_module(engine: Engine, scored: Ledger) -> None:
    board = leaderboard(engine, "reviewer")
    assert [row.key for row in board.rows] == ["ann", "bob"]
    ann, bob = board.rows
    # Final-forecast Brier: ann (0.8-1)^2=0.04 and (0.3-0)^2=0.09 -> 0.065;
    # bob (0.4-1)^2=0.36 and (0.9-0)^2=0.81 -> 0.585.
    assert ann.n == 2 and ann.brier == pytest.approx(0.065)
    assert bob.brier == pytest.approx(0.585)
    # bob on b: 0.6 for 10 days then 0.9 for 10 days -> (0.36 + 0.81) / 2 = 0.585;
    # on a: covered from day 10 only (coverage 0.5), 0.36 -> mean 0.4725.
    assert bob.brier_time_averaged == pytest.approx((0.36 + 0.585) / 2)
    assert bob.coverage == pytest.approx((0.5 + 1.0) / 2)
    opened, resolved = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 21, tzinfo=UTC)
    expected = scoring.aggregate([
        scoring.Question("a", opened, resolved, 1.0, [
            scoring.Forecast("ann", 0.8, opened),
            scoring.Forecast("bob", 0.4, datetime(2024, 1, 11, tzinfo=UTC))]),
        scoring.Question("b", opened, resolved, 0.0, [
            scoring.Forecast("ann", 0.3, opened), scoring.Forecast("bob", 0.6, opened),
            scoring.Forecast("bob", 0.9, datetime(2024, 1, 11, tzinfo=UTC))]),
    ])
    for row, summary in zip(board.rows, expected, strict=True):
        assert (row.log, row.baseline, row.peer) == pytest.approx(
            (summary.log, summary.baseline, summary.peer))
    assert sum(cell.count for cell in board.calibration) == 4
    assert board.decomposition is not None
    assert board.decomposition.brier == pytest.approx((0.04 + 0.09 + 0.36 + 0.81) / 4)


def test_groupings(engine: Engine, scored: Ledger) -> None:
    by_tag = {row.key: row for row in leaderboard(engine, "tag").rows}
    assert set(by_tag) == {"robots", "compute"}
    assert by_tag["robots"].n == 2  # ann and bob on claim a
    assert [row.key for row in leaderboard(engine, "period").rows] == ["2024-Q1"]
    [source] = leaderboard(engine, "source").rows
    # The source's implied confidence: 0.9 on a (yes) and 0.7 on b (no).
    assert source.key == "(no source)"
    assert source.brier == pytest.approx(((0.9 - 1) ** 2 + 0.7 ** 2) / 2)


def test_a_period_is_the_quarter_the_outcome_was_observed_in(engine: Engine, ledger: Ledger,
                                                             clock: Clock) -> None:
    """The last day of March is in the first quarter, the first of April in the second."""
    clock.now = datetime(2024, 5, 1, tzinfo=UTC)
    for slug, observed in (("march", date(2024, 3, 31)), ("april", date(2024, 4, 1))):
        ledger.create_claim(definition(slug, made_on=MADE), "ann")
        ledger.forecast(slug, 0.6, reviewer="ann", made_at=datetime(2024, 1, 2, tzinfo=UTC))
        ledger.resolve(slug, "yes", reviewer="ann", observed_on=observed)
    rows = leaderboard(engine, "period").rows
    assert [(row.key, row.n) for row in rows] == [("2024-Q1", 1), ("2024-Q2", 1)]


def test_the_source_rows_calibration_is_the_sources_own(engine: Engine, scored: Ledger
                                                         ) -> None:
    """The implied confidences, 0.9 (yes) and 0.7 (no): not the reviewers' four forecasts,
    with or without reviewer rows in the same pass (a report asks for both)."""
    for board in (leaderboard(engine, "source"),
                  leaderboards(engine, ("reviewer", "source"))["source"]):
        assert sum(cell.count for cell in board.calibration) == 2
        assert board.decomposition is not None
        assert board.decomposition.brier == pytest.approx(((0.9 - 1) ** 2 + 0.7 ** 2) / 2)


def test_a_source_claim_without_a_made_on_date_is_not_graded(engine: Engine, scored: Ledger
                                                              ) -> None:
    """A source is graded from the day its claim was made: without that day there is no
    forecast to grade, and the other claims' source row stands as it was."""
    before = leaderboard(engine, "source")
    scored.create_claim(definition("undated", made_on=None, implied_confidence=0.8), "ann")
    scored.resolve("undated", "yes", reviewer="ann")
    assert leaderboard(engine, "source").rows == before.rows


def test_only_reviewer_rows_compare_forecasters(engine: Engine, scored: Ledger) -> None:
    # ann and bob on the same claims: their relative Briers cancel, so a tag or period row
    # pooling them would always read 0.
    ann, bob = leaderboard(engine, "reviewer").rows
    assert ann.peer is not None and bob.peer is not None and ann.peer > 0 > bob.peer
    assert ann.relative_brier == pytest.approx(0.065 - 0.585)
    assert bob.relative_brier == pytest.approx(-ann.relative_brier)
    for by in ("tag", "period", "source"):
        rows = leaderboard(engine, by).rows
        assert rows
        assert all(row.peer is None and row.relative_brier is None for row in rows), by


def test_a_reviewer_alone_on_every_claim_has_no_peer_score(engine: Engine, scored: Ledger
                                                            ) -> None:
    scored.create_claim(definition("solo", made_on=MADE), "ann")
    scored.forecast("solo", 0.7, reviewer="cy")
    scored.resolve("solo", "yes", reviewer="ann")
    rows = {row.key: row for row in leaderboard(engine, "reviewer").rows}
    assert (rows["cy"].peer, rows["cy"].relative_brier) == (None, None)  # not 0.0: no one to beat
    assert rows["ann"].peer is not None


def test_annulled_claims_are_never_scored(engine: Engine, scored: Ledger, clock: Clock
                                         ) -> None:
    scored.create_claim(definition("c", made_on=MADE), "ann")
    scored.forecast("c", 0.99, reviewer="ann")
    scored.resolve("c", "annulled", reviewer="ann")
    annulled = clock.now
    clock.advance(days=1)
    scored.create_claim(definition("d", made_on=MADE), "ann")  # as of `annulled`: replayed
    for as_of in (None, annulled):  # the cached status, and the log replayed to a moment
        assert leaderboard(engine, as_of=as_of).resolved_claims == 2
        assert leaderboard(engine, as_of=as_of).rows[0].n == 2


def test_re_resolving_changes_scores_and_keeps_history(engine: Engine, scored: Ledger,
                                                       clock: Clock) -> None:
    before = leaderboard(engine)
    checkpoint = clock.now
    scored.reopen("a", reason="the source was misread", reviewer="bob")
    assert leaderboard(engine).resolved_claims == 1
    scored.resolve("a", "no", reviewer="bob", observed_on=date(2024, 1, 21))
    after = leaderboard(engine)
    assert after.rows[0].brier == pytest.approx(((0.8 - 0) ** 2 + 0.09) / 2)
    assert leaderboard(engine, as_of=checkpoint) == replace_as_of(before, checkpoint)


def replace_as_of(board: Leaderboard, as_of: datetime | None) -> Leaderboard:
    return replace(board, as_of=as_of)


def test_as_of_ignores_everything_recorded_later(engine: Engine, scored: Ledger,
                                                 clock: Clock) -> None:
    cutoff = clock.now
    frozen = leaderboard(engine, as_of=cutoff)
    clock.advance(days=30)
    # A track record imported later, about a time before the cutoff.
    scored.forecast("a", 0.1, reviewer="carol", made_at=datetime(2024, 1, 5, tzinfo=UTC),
                    allow_closed=True)
    scored.create_claim(definition("d", made_on=MADE), "ann")
    scored.forecast("d", 0.5, reviewer="ann")
    scored.resolve("d", "yes", reviewer="ann")
    assert leaderboard(engine, as_of=cutoff) == frozen
    assert leaderboard(engine) != replace_as_of(frozen, None)


def test_score_command_json(run_cli: Callable[..., CliOutcome], scored: Ledger) -> None:
    result = run_cli("score", "--json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [row["key"] for row in rows] == ["ann", "bob"]
    for key in ("key", "n", "brier", "brier_time_averaged", "log", "baseline", "peer",
                "coverage"):
        assert key in rows[0]
    text = run_cli("score", "--by", "tag").stdout
    assert "robots" in text and "calibration" in text and "reliability" in text
    # The chart holds each reviewer's final forecast once: a claim with two tags is in two
    # rows, an untagged one in none, so it is not "all rows" (the reviewer table's is).
    assert "calibration of final forecasts (each reviewer's once, whatever its rows):" in text
    assert "calibration of final forecasts (all rows):" in run_cli("score").stdout
    early = run_cli("score", "--as-of", "2023-01-01").stdout
    assert early.startswith("scores by reviewer, as of 2023-01-01 (0 resolved claims, each "
                            "scored where it has a forecast made before its outcome;")
    assert early.endswith(
        "nothing to score yet: no resolved claim has a forecast made before its outcome\n")


def test_an_empty_leaderboard_points_to_the_source_scores(
        run_cli: Callable[..., CliOutcome], ledger: Ledger) -> None:
    ledger.upsert_source(SourceInfo(key="acme", title="ACME outlook"))
    ledger.create_claim(definition("a", made_on=MADE, implied_confidence=0.8, source="acme"),
                        "ann")
    ledger.resolve("a", "yes", reviewer="ann")
    text = run_cli("score").stdout
    assert text.endswith("nothing to score yet: no resolved claim has a forecast made before "
                         "its outcome; the sources are graded on the confidence their wording "
                         "implied: see the scores by source\n")
    assert "acme" in run_cli("score", "--by", "source").stdout


def test_a_resolution_dated_before_every_forecast_leaves_nothing_to_score(
        run_cli: Callable[..., CliOutcome], ledger: Ledger) -> None:
    """The outcome was known on its observed date: forecasts made later are not scored, and
    the empty board says so (it said "no resolved claim has a forecast")."""
    ledger.create_claim(definition("a", made_on=MADE), "ann")
    ledger.forecast("a", 0.7, reviewer="ann")
    ledger.resolve("a", "yes", reviewer="ann", observed_on=MADE)
    assert run_cli("score").stdout.endswith(
        "nothing to score yet: no resolved claim has a forecast made before its outcome\n")


def test_of_two_forecasts_made_at_one_moment_the_later_recorded_counts(
        engine: Engine, ledger: Ledger, clock: Clock) -> None:
    """Scores followed the order rows were inserted in: two databases holding the same log
    (imported in different orders) scored the same reviewer 0.81 and 0.01."""
    clock.now = datetime(2024, 3, 1, tzinfo=UTC)
    ledger.create_claim(definition("a", made_on=MADE), "ann")
    moment = datetime(2024, 2, 1, tzinfo=UTC)
    ledger.forecast("a", 0.1, reviewer="ann", made_at=moment,
                    stamp=EntryStamp(recorded_at=datetime(2024, 2, 1, 2, tzinfo=UTC)))
    ledger.forecast("a", 0.9, reviewer="ann", made_at=moment,
                    stamp=EntryStamp(recorded_at=datetime(2024, 2, 1, 1, tzinfo=UTC)))
    ledger.resolve("a", "no", reviewer="bob", observed_on=date(2024, 3, 1))
    (row,) = leaderboard(engine).rows
    assert row.brier == pytest.approx(0.01)


def test_groupings_use_the_definition_as_it_stood_then(engine: Engine, scored: Ledger,
                                                       clock: Clock) -> None:
    cutoff = clock.now
    frozen = {by: leaderboard(engine, by, as_of=cutoff) for by in ("tag", "source")}
    clock.advance(days=3)
    scored.upsert_source(SourceInfo(key="acme", title="ACME outlook"))
    scored.edit_claim("a", definition("a", made_on=MADE, tags=("renamed",),
                                      implied_confidence=0.1, source="acme"), "bob")
    for by, board in frozen.items():
        assert leaderboard(engine, by, as_of=cutoff) == board  # type: ignore[arg-type]
    assert "renamed" in {row.key for row in leaderboard(engine, "tag").rows}
    assert "acme" in {row.key for row in leaderboard(engine, "source").rows}


def test_a_forecast_recorded_at_the_as_of_moment_counts(engine: Engine, ledger: Ledger,
                                                        clock: Clock) -> None:
    """Scores as of a moment hold what was recorded by then, that moment included (as the
    claim's own state as of it does)."""
    clock.now = datetime(2024, 1, 10, tzinfo=UTC)
    ledger.create_claim(definition("a", made_on=MADE), "ann")
    ledger.forecast("a", 0.8, reviewer="ann", made_at=datetime(2024, 1, 2, tzinfo=UTC))
    ledger.resolve("a", "yes", reviewer="ann", observed_on=date(2024, 1, 10))
    recorded = datetime(2024, 1, 12, 12, tzinfo=UTC)
    clock.now = recorded  # a track record imported later, about a forecast made before
    ledger.forecast("a", 0.4, reviewer="bob", made_at=datetime(2024, 1, 5, tzinfo=UTC),
                    allow_closed=True, stamp=EntryStamp(recorded_at=recorded))
    assert [row.key for row in leaderboard(engine, as_of=recorded).rows] == ["ann", "bob"]


def test_a_forecast_made_at_the_start_of_the_observed_day_is_left_unscored() -> None:
    """The outcome counts as known from the first moment of the day it was observed on."""
    made = [datetime(2024, 2, 29, 23, 59, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC),
            datetime(2024, 3, 1, 1, tzinfo=UTC)]
    assert unscored_after(date(2024, 3, 1), made) == 2


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_parallel_scoring_gives_the_same_scores(engine: Engine, scored: Ledger,
                                                monkeypatch: pytest.MonkeyPatch,
                                                start_method: str) -> None:
    """Large databases are scored in two processes ("fork" from the CLI, "spawn" from the
    app's worker thread); the exact sums make that invisible."""
    import multiprocessing

    from tracker import scorebook

    serial = scorebook.leaderboards(engine, ("reviewer", "tag", "source"))
    monkeypatch.setattr(scorebook, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(scorebook, "_process_context",
                        lambda: multiprocessing.get_context(start_method))
    with scorebook.ScoringRun(engine, ("reviewer", "tag", "source")) as run:
        assert len(run.chunks) > 1  # the two processes share the claims out in chunks
        parallel = run.finish()
    assert parallel == serial  # bit for bit, calibration and decomposition included


@pytest.mark.parametrize(("first", "last"), [(1, 100_000), (7, 7), (3, 40), (1000, 1063)])
def test_id_ranges_cover_the_range_once_largest_first(first: int, last: int) -> None:
    from tracker.scorebook import SMALLEST_CHUNK, id_ranges

    chunks = list(id_ranges(first, last))
    assert chunks[0][0] == first and chunks[-1][1] == last
    assert all(end + 1 == start for (_, end), (start, _) in itertools.pairwise(chunks))
    sizes = [end - start + 1 for start, end in chunks]
    assert all(size >= after for size, after in itertools.pairwise(sizes))
    assert min(sizes[:-1] or sizes) >= max(1, int((last - first + 1) * SMALLEST_CHUNK))
    if last - first > 10_000:
        assert sizes[0] == (last - first + 1) // 4 and len(chunks) < 20


def test_the_present_state_is_not_replayed_yet_gives_the_replayed_scores(
        engine: Engine, scored: Ledger, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    """As of a moment after everything recorded, scoring reads the current state instead of
    replaying the log; both must give the same leaderboards."""
    from sqlalchemy.orm import Session

    from tracker import scorebook

    clock.advance(days=2)
    scored.reopen("b", reviewer="ann", reason="new evidence")
    scored.resolve("b", "partial", value=0.4, reviewer="ann", observed_on=date(2024, 1, 23))
    scored.edit_claim("a", definition("a", made_on=MADE, tags=("robots", "chips"),
                                      implied_confidence=0.6), "bob")
    last = clock.now
    clock.advance(days=1)
    with Session(engine) as session:
        assert scorebook.nothing_recorded_after(session, clock.now)
        assert scorebook.nothing_recorded_after(session, last)
        assert not scorebook.nothing_recorded_after(session, datetime(2024, 1, 21, tzinfo=UTC))
    groupings = ("reviewer", "source", "tag")
    present = scorebook.leaderboards(engine, groupings, as_of=clock.now)
    monkeypatch.setattr(scorebook, "nothing_recorded_after", lambda session, as_of: False)
    assert scorebook.leaderboards(engine, groupings, as_of=clock.now) == present
    assert {row.key for row in present["tag"].rows} == {"robots", "chips", "compute"}


def test_scoring_pauses_the_cycle_collector_only_in_a_main_thread(
        engine: Engine, scored: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI scores with automatic collection paused (and restored after); a worker thread
    of the app leaves the collector alone."""
    import gc
    import threading

    from tracker import scorebook

    seen: list[bool] = []
    real = scorebook._score_forecasts

    def spy(*args: Any, **kwargs: Any) -> None:
        seen.append(gc.isenabled())
        real(*args, **kwargs)

    monkeypatch.setattr(scorebook, "_score_forecasts", spy)
    board = scorebook.leaderboard(engine, "reviewer")
    assert seen == [False] and gc.isenabled()
    in_thread: list[scorebook.Leaderboard] = []
    worker = threading.Thread(target=lambda: in_thread.append(
        scorebook.leaderboard(engine, "reviewer")))
    worker.start()
    worker.join()
    assert seen == [False, True] and in_thread == [board]


def test_score_columns_line_up_with_wide_characters_in_a_key(
        run_cli: Callable[..., CliOutcome], scored: Ledger) -> None:
    """A tag such as 大模型 takes two columns a character: padded by its length, its row's
    numbers stood three columns right of the others'."""
    scored.create_claim(definition("c", made_on=MADE, tags=("大模型", "機器人與具身智能")), "ann")
    scored.forecast("c", 0.5, reviewer="ann")
    scored.resolve("c", "yes", reviewer="ann")
    lines = run_cli("score", "--by", "tag").stdout.splitlines()
    table = lines[1:lines.index("")]
    keys = {row.split()[0] for row in table[2:]}
    assert keys == {"compute", "robots", "大模型", "機器人與具身智能"}
    # Where each line's last column ends, in terminal columns (rich counts them for the app).
    assert len({cell_len(line.rstrip()) for line in table if not line.startswith("-")}) == 1


def test_scores_by_tag_of_untagged_claims_do_not_deny_their_forecasts(
        run_cli: Callable[..., CliOutcome], ledger: Ledger) -> None:
    """Forecast and resolved but untagged: 'by tag' said no resolved claim had a forecast made
    before its outcome, while 'by reviewer' scored them."""
    ledger.create_claim(definition("a", made_on=MADE, tags=()), "ann")
    ledger.forecast("a", 0.7, reviewer="ann", made_at=datetime(2024, 1, 1, tzinfo=UTC))
    ledger.resolve("a", "yes", reviewer="ann")
    assert "ann" in run_cli("score").stdout
    assert run_cli("score", "--by", "tag").stdout.endswith(
        "nothing to score yet: no resolved claim with a tag has a forecast made before its "
        "outcome\n")


def test_a_coverage_near_zero_is_not_printed_as_none(
        run_cli: Callable[..., CliOutcome], ledger: Ledger, clock: Clock) -> None:
    """A forecast in force for the last minute of a question open for most of a year printed
    a coverage of "0.00", which reads as no forecast at all (reports said "<0.1%"). Every view
    now writes coverage as a percentage, as the reports do."""
    ledger.create_claim(definition("a", made_on=MADE), "ann")
    ledger.create_claim(definition("b", made_on=MADE), "ann")
    ledger.forecast("b", 0.4, reviewer="bob")
    clock.advance(days=300)
    ledger.forecast("a", 0.7, reviewer="ann")
    clock.advance(minutes=1)
    for slug in ("a", "b"):
        ledger.resolve(slug, "yes", reviewer="ann")
    rows = {line.split()[0]: line.split() for line in run_cli("score").stdout.splitlines()
            if line.split()[:1] in (["ann"], ["bob"])}
    assert (rows["ann"][-1], rows["bob"][-1]) == ("<0.1%", "99.8%")  # bob: from noon on
