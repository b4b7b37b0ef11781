"""Tests for tracker.scoring: hand-worked examples, then property tests against a numpy reference.

The reference implementation at the bottom half of this file is written straight from the
textbook formulas (and the time-averaging rules of the module docstring), the slow obvious way:
no prefix integrals, no exact sums, no shared helpers with the module under test.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker import scoring
from tracker.scoring import (
    ANNULLED,
    EPS,
    BrierDecomposition,
    Forecast,
    ForecasterSummary,
    Question,
    QuestionScore,
    ScoreAccumulator,
    SourceClaim,
    aggregate,
    baseline_score,
    brier,
    brier_decomposition,
    brier_two_sided,
    calibration_table,
    grade_source,
    log_score,
    peer_scores,
    score_question,
    score_source_claim,
    source_forecast,
    wilson_interval,
)

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def hour(n: int) -> datetime:
    return T0 + timedelta(hours=n)


def by_name(scores: tuple[QuestionScore, ...]) -> dict[str, QuestionScore]:
    return {s.forecaster: s for s in scores}


# =========================================================================== hand-worked


class TestSingleForecastScores:
    def test_brier(self) -> None:
        assert brier(0.7, 1) == pytest.approx(0.09)  # (0.7 - 1)^2 = 0.09
        assert brier(0.7, 0) == pytest.approx(0.49)  # (0.7 - 0)^2 = 0.49
        assert brier(0.7, 0.5) == pytest.approx(0.04)  # partial: (0.7 - 0.5)^2 = 0.04
        assert brier(1.0, 1.0) == 0.0
        assert brier(0.0, 1.0) == 1.0

    def test_brier_two_sided(self) -> None:
        # (0.7 - 1)^2 + (0.3 - 0)^2 = 0.09 + 0.09 = 0.18 = 2 * 0.09
        assert brier_two_sided(0.7, 1) == pytest.approx(0.18)
        assert brier_two_sided(0.0, 1.0) == 2.0  # the worst on the 0..2 scale
        # partial: (0.7 - 0.5)^2 + (0.3 - 0.5)^2 = 0.04 + 0.04 = 0.08
        assert brier_two_sided(0.7, 0.5) == pytest.approx(0.08)

    def test_log_score(self) -> None:
        assert log_score(0.8, 1) == pytest.approx(-0.2231435513)  # ln 0.8
        assert log_score(0.8, 0) == pytest.approx(-1.6094379124)  # ln 0.2
        # partial 0.25: 0.25 ln 0.8 + 0.75 ln 0.2 = -0.0557859 - 1.2070784 = -1.2628643
        assert log_score(0.8, 0.25) == pytest.approx(-1.2628643222)
        assert log_score(0.5, 1) == pytest.approx(-math.log(2))

    def test_log_score_clips_certain_forecasts(self) -> None:
        assert EPS == 0.001
        # p = 1 is scored as 0.999: right -> ln 0.999 = -0.0010005, wrong -> ln 0.001 = -6.9078
        assert log_score(1.0, 1) == pytest.approx(-0.0010005003)
        assert log_score(1.0, 0) == pytest.approx(-6.9077552790)
        assert log_score(0.0, 1) == pytest.approx(-6.9077552790)
        assert log_score(0.0, 0) == pytest.approx(-0.0010005003)
        # anything beyond the clip scores like the clip
        assert log_score(0.0001, 1) == log_score(0.001, 1)
        # eps can be changed: ln 1e-4 = -9.2103
        assert log_score(0.0, 1, eps=1e-4) == pytest.approx(-9.2103403720)

    def test_log_score_is_never_positive(self) -> None:
        for p in (0.0, 0.3, 0.999, 1.0):
            for o in (0.0, 0.4, 1.0):
                assert log_score(p, o) <= 0.0

    def test_baseline_score(self) -> None:
        assert baseline_score(0.8, 1) == pytest.approx(67.8071905113)  # 100 log2(1.6)
        assert baseline_score(0.8, 0) == pytest.approx(-132.1928094887)  # 100 log2(0.4)
        # partial 0.5: 0.5 * 67.8072 + 0.5 * (-132.1928) = -32.1928
        assert baseline_score(0.8, 0.5) == pytest.approx(-32.1928094887)
        assert baseline_score(0.5, 1) == 0.0  # 100 log2(1) = 0 whatever happens
        assert baseline_score(0.5, 0) == 0.0
        # certain and right: 100 log2(1.998) = 99.86; certain and wrong: 100 log2(0.002) = -896.6
        assert baseline_score(1.0, 1) == pytest.approx(99.8557438)
        assert baseline_score(1.0, 0) == pytest.approx(-896.5784285)

    def test_peer_scores_three_forecasters(self) -> None:
        # ln 0.9 = -0.1053605, ln 0.6 = -0.5108256, ln 0.3 = -1.2039728; outcome 1
        # a: -0.1053605 - (-0.5108256 - 1.2039728) / 2 = 0.7520387  -> 75.20387
        # b: -0.5108256 - (-0.1053605 - 1.2039728) / 2 = 0.1438410  -> 14.38410
        # c: -1.2039728 - (-0.1053605 - 0.5108256) / 2 = -0.8958797 -> -89.58797
        peers = peer_scores({"c": 0.3, "a": 0.9, "b": 0.6}, 1.0)
        assert list(peers) == ["a", "b", "c"]
        assert peers["a"] == pytest.approx(75.2038698388)
        assert peers["b"] == pytest.approx(14.3841036226)
        assert peers["c"] == pytest.approx(-89.5879734614)
        assert sum(peers.values()) == pytest.approx(0.0, abs=1e-12)

    def test_peer_score_alone_is_zero(self) -> None:
        assert peer_scores({"a": 0.9}, 1.0) == {"a": 0.0}
        assert peer_scores({}, 1.0) == {}

    @pytest.mark.parametrize(
        "call",
        [
            lambda: brier(1.1, 1),
            lambda: brier(0.5, -0.1),
            lambda: brier(float("nan"), 1),
            lambda: log_score(0.5, 2),
            lambda: log_score(0.5, 1, eps=0.0),
            lambda: log_score(0.5, 1, eps=0.5),
            lambda: baseline_score(-0.01, 1),
            lambda: Forecast("a", 1.5, T0),
            lambda: Question("q", day(1), day(0), 1.0),
            lambda: Question("q", day(0), day(1), 1.5),
            lambda: SourceClaim("k", date(2024, 1, 1), 2.0, 1.0),
            lambda: wilson_interval(0.5, 0),
        ],
    )
    def test_bad_input_is_rejected(self, call: Any) -> None:
        with pytest.raises(ValueError):
            call()


class TestScoreQuestion:
    def example(self) -> Question:
        # Open 10 days, resolves yes.
        # alice: 0.6 from day 0, replaced by 0.9 at day 5.
        # bob:   0.2 from day 4 (days 0-4 not covered); his 1.0 on day 12 is after resolution.
        return Question(
            "q1",
            day(0),
            day(10),
            1.0,
            [
                Forecast("bob", 1.0, day(12)),
                Forecast("alice", 0.9, day(5)),
                Forecast("bob", 0.2, day(4)),
                Forecast("alice", 0.6, day(0)),
            ],
        )

    def test_time_averaged_brier_with_replaced_forecast(self) -> None:
        alice = by_name(score_question(self.example()))["alice"]
        # 5 days at (0.6 - 1)^2 = 0.16, 5 days at (0.9 - 1)^2 = 0.01
        # (5 * 0.16 + 5 * 0.01) / 10 = 0.085
        assert alice.brier_time_averaged == pytest.approx(0.085)
        assert alice.brier == pytest.approx(0.01)  # final forecast 0.9
        assert alice.final_probability == 0.9
        assert alice.final_made_at == day(5)
        assert alice.n_forecasts == 2
        assert alice.coverage == 1.0
        # log: (5 ln 0.6 + 5 ln 0.9) / 10 = (-2.5541281 - 0.5268026) / 10 = -0.3080931
        assert alice.log_time_averaged == pytest.approx(-0.3080930697)
        assert alice.log == pytest.approx(math.log(0.9))
        # baseline: (5 * 100 log2 1.2 + 5 * 100 log2 1.8) / 10 = (131.5 + 424.0) / 10 = 55.5516
        assert alice.baseline == pytest.approx(55.5515656194)

    def test_coverage_and_post_resolution_forecast(self) -> None:
        bob = by_name(score_question(self.example()))["bob"]
        # covered from day 4 to day 10: 6 / 10 of the open period; scored only over those days
        assert bob.coverage == pytest.approx(0.6)
        assert bob.brier_time_averaged == pytest.approx(0.64)  # (0.2 - 1)^2 the whole time
        # the final forecast is the last made before resolution: 0.2, not the 1.0 of day 12
        assert bob.final_probability == 0.2
        assert bob.brier == pytest.approx(0.64)
        assert bob.n_forecasts == 1
        assert bob.baseline == pytest.approx(-132.1928094887)  # 100 log2(0.4)

    def test_peer_time_averaged(self) -> None:
        scores = by_name(score_question(self.example()))
        # days 0-4: alice alone -> peer 0
        # days 4-5: 100 (ln 0.6 - ln 0.2) = 100 ln 3   = 109.8612 for alice, -109.8612 for bob
        # days 5-10: 100 (ln 0.9 - ln 0.2) = 100 ln 4.5 = 150.4077 for alice, -150.4077 for bob
        # alice over 10 days: (4 * 0 + 1 * 109.8612 + 5 * 150.4077) / 10 = 86.1900
        # bob over his 6 covered days: -(109.8612 + 5 * 150.4077) / 6 = -143.6500
        assert scores["alice"].peer == pytest.approx(86.1899927255)
        assert scores["bob"].peer == pytest.approx(-143.6499878758)
        # the integrals cancel: coverage-weighted peer scores sum to zero
        # 1.0 * 86.1900 + 0.6 * (-143.6500) = 86.19 - 86.19 = 0
        total = sum(s.coverage * s.peer for s in scores.values())
        assert total == pytest.approx(0.0, abs=1e-9)

    def test_relative_brier_two_forecasters(self) -> None:
        scores = by_name(score_question(self.example()))
        # alice 0.01 - median{0.64} = -0.63; bob 0.64 - median{0.01} = 0.63
        assert scores["alice"].relative_brier == pytest.approx(-0.63)
        assert scores["bob"].relative_brier == pytest.approx(0.63)

    def test_relative_brier_uses_median_of_others(self) -> None:
        # outcome 1, finals: a 0.9 -> 0.01, b 0.7 -> 0.09, c 0.5 -> 0.25, d 0.2 -> 0.64
        forecasts = [
            Forecast(n, p, day(0)) for n, p in zip("abcd", (0.9, 0.7, 0.5, 0.2), strict=True)
        ]
        scores = by_name(score_question(Question("q", day(0), day(1), 1.0, forecasts)))
        # a: 0.01 - median{0.09, 0.25, 0.64} = 0.01 - 0.25 = -0.24
        # b: 0.09 - median{0.01, 0.25, 0.64} = 0.09 - 0.25 = -0.16
        # c: 0.25 - median{0.01, 0.09, 0.64} = 0.25 - 0.09 =  0.16
        # d: 0.64 - median{0.01, 0.09, 0.25} = 0.64 - 0.09 =  0.55
        expected = {"a": -0.24, "b": -0.16, "c": 0.16, "d": 0.55}
        for name, value in expected.items():
            assert scores[name].relative_brier == pytest.approx(value)
        # three forecasters: even number of others -> mean of the middle two
        scores = by_name(score_question(Question("q", day(0), day(1), 1.0, forecasts[:3])))
        # a: 0.01 - (0.09 + 0.25) / 2 = 0.01 - 0.17 = -0.16
        assert scores["a"].relative_brier == pytest.approx(-0.16)
        # b: 0.09 - (0.01 + 0.25) / 2 = 0.09 - 0.13 = -0.04
        assert scores["b"].relative_brier == pytest.approx(-0.04)

    def test_alone_has_no_relative_brier_and_zero_peer(self) -> None:
        question = Question("q", day(0), day(2), 0.0, [Forecast("a", 0.3, day(1))])
        (only,) = score_question(question)
        assert only.relative_brier is None
        assert only.peer == 0.0
        assert only.coverage == pytest.approx(0.5)  # covered from day 1 of 2

    def test_forecasts_before_opening_count_from_opening(self) -> None:
        # outcome 0; 0.3 at day -5 is replaced by 0.4 at day -1 before the question opens;
        # 0.4 is in force days 0-6, 0.8 days 6-10
        # (6 * 0.4^2 + 4 * 0.8^2) / 10 = (0.96 + 2.56) / 10 = 0.352
        question = Question(
            "q",
            day(0),
            day(10),
            0.0,
            [Forecast("a", 0.8, day(6)), Forecast("a", 0.3, day(-5)), Forecast("a", 0.4, day(-1))],
        )
        (a,) = score_question(question)
        assert a.brier_time_averaged == pytest.approx(0.352)
        assert a.coverage == 1.0
        assert a.brier == pytest.approx(0.64)
        assert a.n_forecasts == 3

    def test_same_instant_later_in_input_wins(self) -> None:
        # two forecasts at day 2: the second listed (0.6) replaces the first (0.3)
        question = Question(
            "q", day(0), day(4), 1.0, [Forecast("a", 0.3, day(2)), Forecast("a", 0.6, day(2))]
        )
        (a,) = score_question(question)
        assert a.final_probability == 0.6
        assert a.brier_time_averaged == pytest.approx(0.16)  # (0.6 - 1)^2 over days 2-4
        assert a.coverage == pytest.approx(0.5)

    def test_forecast_at_resolution_is_ignored(self) -> None:
        question = Question(
            "q",
            day(0),
            day(10),
            1.0,
            [Forecast("a", 0.2, day(1)), Forecast("a", 1.0, day(10)), Forecast("b", 1.0, day(10))],
        )
        scores = by_name(score_question(question))
        assert list(scores) == ["a"]  # b forecast only at resolution: not scored at all
        assert scores["a"].final_probability == 0.2
        assert scores["a"].n_forecasts == 1

    def test_single_instant_question(self) -> None:
        # opened and resolved on the same moment: forecasts made before it are scored once
        question = Question(
            "q",
            day(3),
            day(3),
            1.0,
            [Forecast("a", 0.8, day(1)), Forecast("a", 0.7, day(2)), Forecast("b", 0.1, day(3))],
        )
        (a,) = score_question(question)
        assert a.final_probability == 0.7
        assert a.brier_time_averaged == pytest.approx(0.09)  # (0.7 - 1)^2
        assert a.coverage == 1.0

    def test_partial_outcome(self) -> None:
        question = Question("q", day(0), day(2), 0.5, [Forecast("a", 0.8, day(0))])
        (a,) = score_question(question)
        assert a.brier == pytest.approx(0.09)  # (0.8 - 0.5)^2
        # 0.5 ln 0.8 + 0.5 ln 0.2 = -0.1115718 - 0.8047190 = -0.9162907
        assert a.log == pytest.approx(-0.9162907319)
        assert a.baseline == pytest.approx(-32.1928094887)

    def test_annulled_is_never_scored(self) -> None:
        question = Question("q", day(0), day(2), ANNULLED, [Forecast("a", 0.8, day(0))])
        assert score_question(question) == ()

    def test_no_forecasts(self) -> None:
        assert score_question(Question("q", day(0), day(2), 1.0)) == ()

    def test_results_sorted_and_forecasts_stored_as_tuple(self) -> None:
        forecasts = [Forecast(n, 0.5, day(0)) for n in ("zed", "amy", "max")]
        question = Question("q", day(0), day(1), 1.0, forecasts)
        assert isinstance(question.forecasts, tuple)
        assert [s.forecaster for s in score_question(question)] == ["amy", "max", "zed"]

    def test_peer_sums_to_zero_with_same_coverage(self) -> None:
        # everyone forecast from the opening; replacements at different times
        question = Question(
            "q",
            day(0),
            day(9),
            1.0,
            [
                Forecast("a", 0.9, day(0)),
                Forecast("b", 0.2, day(-3)),
                Forecast("c", 0.5, day(0)),
                Forecast("b", 0.7, day(3)),
                Forecast("c", 0.05, day(6)),
            ],
        )
        scores = score_question(question)
        assert all(s.coverage == 1.0 for s in scores)
        assert sum(s.peer for s in scores) == pytest.approx(0.0, abs=1e-9)
        # and per instant: days 0-3 are 0.9/0.2/0.5, so a's peer over those days is
        # 100 (ln 0.9 - (ln 0.2 + ln 0.5) / 2) = 100 (-0.1053605 + 1.1512925) = 104.5932
        peers = [peer_scores({"a": 0.9, "b": 0.2, "c": 0.5}, 1.0)["a"]]
        peers.append(peer_scores({"a": 0.9, "b": 0.7, "c": 0.5}, 1.0)["a"])
        peers.append(peer_scores({"a": 0.9, "b": 0.7, "c": 0.05}, 1.0)["a"])
        assert peers[0] == pytest.approx(104.5932020)
        assert by_name(scores)["a"].peer == pytest.approx(sum(peers) / 3)


class TestAggregate:
    def questions(self) -> list[Question]:
        return [
            Question(
                "q1",
                day(0),
                day(10),
                1.0,
                [
                    Forecast("alice", 0.6, day(0)),
                    Forecast("alice", 0.9, day(5)),
                    Forecast("bob", 0.2, day(4)),
                ],
            ),
            Question(
                "q2",
                day(0),
                day(4),
                0.0,
                [Forecast("alice", 0.5, day(0)), Forecast("carol", 0.1, day(2))],
            ),
            Question("q3", day(0), day(4), ANNULLED, [Forecast("alice", 0.9, day(0))]),
            Question("q4", day(0), day(4), 1.0, [Forecast("bob", 0.4, day(5))]),  # too late
        ]

    def test_summary_values(self) -> None:
        summaries = aggregate(self.questions())
        assert [s.forecaster for s in summaries] == ["alice", "bob", "carol"]
        alice, bob, carol = summaries
        # alice: q1 and q2 scored (q3 annulled)
        assert alice.n == 2
        # final Briers: q1 (0.9 - 1)^2 = 0.01, q2 (0.5 - 0)^2 = 0.25 -> mean 0.13
        assert alice.brier == pytest.approx(0.13)
        # time-averaged: q1 0.085, q2 0.25 -> mean 0.1675
        assert alice.brier_time_averaged == pytest.approx(0.1675)
        # log: (ln 0.9 + ln 0.5) / 2 = (-0.1053605 - 0.6931472) / 2 = -0.3992538
        assert alice.log == pytest.approx(-0.3992538)
        # baseline: q1 55.5516, q2 0 (p = 1/2) -> 27.7758
        assert alice.baseline == pytest.approx(27.7757828)
        # peer: q1 86.1900; q2: days 0-2 alone (0), days 2-4 100 (ln 0.5 - ln 0.9) = -58.7787
        # -> q2 peer = 2 * (-58.7787) / 4 = -29.3893; mean (86.1900 - 29.3893) / 2 = 28.4003
        assert alice.peer == pytest.approx((86.1899927 + 100 * math.log(0.5 / 0.9) / 2) / 2)
        # relative: q1 0.01 - 0.64 = -0.63, q2 0.25 - 0.01 = 0.24 -> mean -0.195
        assert alice.relative_brier == pytest.approx(-0.195)
        assert alice.n_relative == 2
        assert alice.coverage == 1.0
        # bob: only q1 (his q4 forecast is after resolution)
        assert bob.n == 1
        assert bob.brier == pytest.approx(0.64)
        assert bob.coverage == pytest.approx(0.6)
        # carol: q2 only, covered days 2-4 of 4
        assert carol.n == 1
        assert carol.coverage == pytest.approx(0.5)
        assert carol.brier == pytest.approx(0.01)
        assert carol.relative_brier == pytest.approx(-0.24)

    def test_streaming_generator_and_accumulator(self) -> None:
        questions = self.questions()
        from_generator = aggregate(q for q in questions)
        accumulator = ScoreAccumulator()
        for question in questions:
            accumulator.add_question(question)
        assert accumulator.summaries() == from_generator
        assert accumulator.summary("alice") == from_generator[0]
        assert accumulator.summary("nobody") is None

    def test_stored_results_and_merge(self) -> None:
        questions = self.questions()
        first, second = ScoreAccumulator(), ScoreAccumulator()
        first.add(score_question(questions[0]))
        for question in questions[1:]:
            second.add(score_question(question))
        first.merge(second)
        assert first.summaries() == aggregate(questions)

    def test_empty(self) -> None:
        assert aggregate([]) == ()
        assert aggregate([self.questions()[2]]) == ()  # only an annulled question

    def test_a_key_given_no_scores_has_no_summary(self) -> None:
        """A tag row added no question's scores is not a row of zeros (nor a division by 0)."""
        accumulator = ScoreAccumulator(calibrated=True)
        accumulator.add_columns_as("no-claims", scoring.ScoreColumns.of(()))
        assert accumulator.forecasters() == []
        assert accumulator.summary("no-claims") is None
        assert accumulator.summaries() == ()

    def test_a_chosen_eps_reaches_every_score_aggregated(self) -> None:
        """A forecast of 1 that came true, clipped to 0.99: ln 0.99 = -0.0100503; baseline
        100 log2 1.98 = 98.5500; 1 that came out 0 (clipped to 0.01): ln 0.01 = -4.6051702."""
        certain = [Question("q", day(0), day(1), 1.0, [Forecast("a", 1.0, day(0))]),
                   Question("r", day(0), day(1), 0.0, [Forecast("a", 1.0, day(0))])]
        (summary,) = aggregate(certain, eps=0.01)
        assert summary.log == pytest.approx((-0.0100503359 - 4.6051701860) / 2)
        assert summary.baseline == pytest.approx((98.5500430 + 100 * math.log2(0.02)) / 2)
        accumulator = ScoreAccumulator(eps=0.01)
        for question in certain:
            accumulator.add_question(question)
        assert accumulator.summaries() == (summary,)
        graded = grade_source("s", [SourceClaim("q", date(2024, 1, 1), 1.0, 1.0)], eps=0.01)
        assert graded is not None
        assert graded.log == pytest.approx(-0.0100503359)
        assert graded.baseline == pytest.approx(98.5500430)


class TestSource:
    def claims(self) -> list[SourceClaim]:
        return [
            SourceClaim("k1", date(2024, 1, 1), 0.8, 1.0),
            SourceClaim("k2", date(2024, 2, 1), 0.3, 0.0),
            SourceClaim("k3", date(2024, 3, 1), 0.6, ANNULLED),
            SourceClaim("k4", date(2024, 4, 1), 1.0, 0.5),
        ]

    def test_grade_source(self) -> None:
        summary = grade_source("The Oracle", self.claims())
        assert isinstance(summary, ForecasterSummary)
        assert summary.forecaster == "The Oracle"
        assert summary.n == 3  # k3 annulled
        # Brier: (0.8-1)^2 = 0.04, (0.3-0)^2 = 0.09, (1.0-0.5)^2 = 0.25 -> 0.38 / 3 = 0.126667
        assert summary.brier == pytest.approx(0.38 / 3)
        assert summary.brier_time_averaged == pytest.approx(0.38 / 3)
        # log: ln 0.8 = -0.2231436, ln 0.7 = -0.3566749,
        # k4 clipped to 0.999: 0.5 ln 0.999 + 0.5 ln 0.001 = -3.4543779 -> mean -1.3447321
        assert summary.log == pytest.approx(-1.3447321283)
        # baseline: 100 log2 1.6 = 67.8072, 100 log2 1.4 = 48.5427,
        # 50 log2 1.998 + 50 log2 0.002 = -398.3614 -> mean -94.0038
        assert summary.baseline == pytest.approx(-94.0038372828)
        assert summary.peer == 0.0
        assert summary.relative_brier is None
        assert summary.n_relative == 0
        assert summary.coverage == 1.0

    def test_grade_source_nothing_scored(self) -> None:
        assert grade_source("s", [SourceClaim("k", date(2024, 1, 1), 0.5, None)]) is None
        assert score_source_claim("s", SourceClaim("k", date(2024, 1, 1), 0.5, None)) is None

    def test_a_source_forecast_is_made_at_midnight_where_the_claim_was_made(self) -> None:
        """A claim made on 1 January in UTC+2 was made at 22:00 UTC on 31 December: the
        forecast in force from then covers those hours too."""
        plus_two = timezone(timedelta(hours=2))
        claim = SourceClaim("k1", date(2024, 1, 1), 0.8, 1.0)
        made_at = source_forecast("src", claim, tz=plus_two).made_at
        assert made_at == datetime(2024, 1, 1, tzinfo=plus_two)
        assert made_at == datetime(2023, 12, 31, 22, tzinfo=UTC)
        scored = score_source_claim("src", claim, tz=plus_two)
        assert scored is not None and scored.final_made_at == made_at

    def test_source_forecast_in_a_question(self) -> None:
        claim = SourceClaim("k1", date(2024, 1, 1), 0.8, 1.0)
        forecast = source_forecast("src", claim)
        assert forecast == Forecast("src", 0.8, datetime(2024, 1, 1, tzinfo=UTC))
        question = Question(
            "k1", forecast.made_at, day(10), claim.outcome, [forecast, Forecast("x", 0.4, day(0))]
        )
        scores = by_name(score_question(question))
        assert scores["src"].coverage == 1.0
        # src 0.04 - 0.36 = -0.32
        assert scores["src"].relative_brier == pytest.approx(-0.32)
        # alone, the same claim scores the same apart from the parts that need others
        alone = score_source_claim("src", claim)
        assert alone is not None
        assert alone.peer == 0.0 and alone.relative_brier is None
        together = replace(scores["src"], peer=0.0, relative_brier=None)
        assert alone == together


class TestCalibration:
    def test_hand_example(self) -> None:
        probabilities = [0.05, 0.15, 0.12, 0.95, 1.0, 0.3]
        outcomes = [0.0, 1.0, 0.0, 1.0, 1.0, None]  # the 0.3 is annulled: skipped
        table = calibration_table(probabilities, outcomes)
        assert len(table) == 10
        assert [row.count for row in table] == [1, 2, 0, 0, 0, 0, 0, 0, 0, 2]
        first, second, empty, last = table[0], table[1], table[2], table[9]
        assert (first.lower, first.upper) == (0.0, 0.1)
        assert first.mean_forecast == pytest.approx(0.05)
        assert first.observed_frequency == 0.0
        # bin [0.1, 0.2): 0.15 and 0.12 -> mean 0.135, outcomes 1 and 0 -> 0.5
        assert second.mean_forecast == pytest.approx(0.135)
        assert second.observed_frequency == pytest.approx(0.5)
        # Wilson n = 2, p = 0.5, z = 1.96: z^2 = 3.8416, 1 + z^2/n = 2.9208
        # centre = (0.5 + 0.9604) / 2.9208 = 0.5
        # half = 1.96 / 2.9208 * sqrt(0.25 / 2 + 3.8416 / 16) = 0.671049 * 0.604235 = 0.405471
        assert second.wilson_low == pytest.approx(0.0945287, abs=1e-6)
        assert second.wilson_high == pytest.approx(0.9054713, abs=1e-6)
        assert empty.mean_forecast is None
        assert empty.observed_frequency is None
        assert empty.wilson_low is None
        # last bin is closed: 1.0 lands in [0.9, 1]
        assert last.mean_forecast == pytest.approx(0.975)
        assert last.observed_frequency == 1.0

    def test_wilson_all_or_nothing(self) -> None:
        # p = 0: centre = half = (z^2 / 2n) / (1 + z^2/n) -> [0, z^2 / (n + z^2)]
        low, high = wilson_interval(0.0, 10)
        assert low == 0.0
        assert high == pytest.approx(3.8416 / 13.8416)  # 0.277539
        low, high = wilson_interval(1.0, 10)
        assert low == pytest.approx(10 / 13.8416)
        assert high == 1.0
        for n in range(1, 50):  # exactly 1, not 0.9999999999999999 (n = 6 gave that)
            assert wilson_interval(1.0, n)[1] == 1.0 and wilson_interval(0.0, n)[0] == 0.0

    def test_a_chosen_z_gives_every_bins_interval(self) -> None:
        """z = 1 (a 68 % interval) must be narrower than the default 95 % one, in the batch
        table and the streaming one alike."""
        probabilities, outcomes = [0.1, 0.15, 0.7, 0.8, 0.9], [0, 1, 1, 0, 1]
        accumulator = scoring.CalibrationAccumulator(bins=2)
        for p, o in zip(probabilities, outcomes, strict=True):
            accumulator.add(p, o)
        for table in (calibration_table(probabilities, outcomes, bins=2, z=1.0),
                      accumulator.table(z=1.0)):
            low, high = table[1].wilson_low, table[1].wilson_high
            assert (low, high) == pytest.approx(wilson_interval(2 / 3, 3, z=1.0))
            assert (low, high) != pytest.approx(wilson_interval(2 / 3, 3))

    def test_partial_outcomes_enter_as_their_value(self) -> None:
        (row,) = calibration_table([0.4, 0.6], [0.5, 0.25], bins=1)
        assert row.observed_frequency == pytest.approx(0.375)  # (0.5 + 0.25) / 2
        assert row.mean_forecast == pytest.approx(0.5)

    def test_explicit_edges(self) -> None:
        table = calibration_table([0.1, 0.5, 0.7, 1.0], [0, 1, 1, 1], bins=[0.0, 0.5, 1.0])
        assert [row.count for row in table] == [1, 3]  # 0.5 opens the second bin
        with pytest.raises(ValueError):
            calibration_table([0.1], [1], bins=[0.0, 0.6, 0.5, 1.0])
        with pytest.raises(ValueError, match="strictly increasing"):  # an empty bin [0.5, 0.5)
            calibration_table([0.1], [1], bins=[0.0, 0.5, 0.5, 1.0])
        with pytest.raises(ValueError):
            calibration_table([0.1], [1], bins=[0.1, 1.0])
        with pytest.raises(ValueError, match="must run from 0 to 1"):  # 0.8 fell in [0, 0.5]
            calibration_table([0.8], [1], bins=[0.0, 0.5])
        with pytest.raises(ValueError):
            calibration_table([0.1], [1], bins=0)
        with pytest.raises(ValueError):
            calibration_table([0.1, 0.2], [1])


class TestDecomposition:
    def test_hand_example(self) -> None:
        # p = 0.2, 0.4, 0.8; o = 0, 1, 1; two bins [0, 0.5) and [0.5, 1]
        # bin 0: pbar = 0.3, obar = 0.5 (n 2);  bin 1: pbar = 0.8, obar = 1 (n 1);  obar = 2/3
        d = brier_decomposition([0.2, 0.4, 0.8], [0, 1, 1], bins=2)
        assert isinstance(d, BrierDecomposition)
        assert d.n == 3
        assert d.brier == pytest.approx(0.44 / 3)  # (0.04 + 0.36 + 0.04) / 3
        assert d.reliability == pytest.approx(0.04)  # (2 * 0.2^2 + 1 * 0.2^2) / 3
        assert d.resolution == pytest.approx(1 / 18)  # (2 * (1/6)^2 + (1/3)^2) / 3
        assert d.uncertainty == pytest.approx(2 / 9)  # 2/3 * 1/3
        assert d.within_bin_variance == pytest.approx(0.02 / 3)  # (0.1^2 + 0.1^2 + 0) / 3
        # ((-0.1)(-0.5) + (0.1)(0.5) + 0) / 3 = 0.1 / 3
        assert d.within_bin_covariance == pytest.approx(0.1 / 3)
        # 0.04 - 0.055556 + 0.222222 + 0.006667 - 2 * 0.033333 = 0.146667
        total = (
            d.reliability
            - d.resolution
            + d.uncertainty
            + d.within_bin_variance
            - 2 * d.within_bin_covariance
        )
        assert total == pytest.approx(d.brier, abs=1e-15)

    def test_partial_outcome_uncertainty_is_outcome_variance(self) -> None:
        # o = 0.5, 0.5: obar = 0.5, variance 0 (not obar (1 - obar) = 0.25)
        d = brier_decomposition([0.5, 0.5], [0.5, 0.5], bins=4)
        assert d.uncertainty == 0.0
        assert d.brier == 0.0

    def test_annulled_skipped_and_empty(self) -> None:
        d = brier_decomposition([0.2, 0.9], [0.0, None])
        assert d.n == 1
        assert d.brier == pytest.approx(0.04)
        with pytest.raises(ValueError):
            brier_decomposition([0.2], [None])


# =========================================================================== numpy reference


def ref_single(p: np.ndarray, o: np.ndarray, eps: float) -> dict[str, np.ndarray]:
    q = np.clip(p, eps, 1 - eps)
    return {
        "brier": (p - o) ** 2,
        "two_sided": (p - o) ** 2 + ((1 - p) - (1 - o)) ** 2,
        "log": o * np.log(q) + (1 - o) * np.log(1 - q),
        "baseline": 100 * (o * np.log2(2 * q) + (1 - o) * np.log2(2 * (1 - q))),
    }


def ref_question(
    opened: int,
    resolved: int,
    outcome: float,
    forecasts: list[tuple[str, float, int]],
    eps: float = EPS,
) -> dict[str, dict[str, Any]]:
    """Slow reference: split the open period at every change, score every piece."""
    counted = [(i, n, p, m) for i, (n, p, m) in enumerate(forecasts) if m < resolved]
    names = sorted({n for _, n, _, _ in counted})
    if not names:
        return {}
    end = resolved if resolved > opened else opened + 1  # a single instant has length 1
    cuts = sorted({opened, end} | {max(m, opened) for *_, m in counted})
    acc = {n: dict(brier=0.0, log=0.0, baseline=0.0, peer=0.0, covered=0.0) for n in names}
    for a, b in itertools.pairwise(cuts):
        active: dict[str, float] = {}
        for name in names:
            mine = [(m, i, p) for i, n, p, m in counted if n == name and max(m, opened) <= a]
            if mine:
                active[name] = max(mine)[2]  # latest made_at, then latest in the input
        if not active:
            continue
        keys = sorted(active)
        scores = ref_single(np.array([active[k] for k in keys]), np.full(len(keys), outcome), eps)
        logs = scores["log"]
        for j, key in enumerate(keys):
            others = np.delete(logs, j)
            peer = 100 * (logs[j] - others.mean()) if len(others) else 0.0
            dt = b - a
            acc[key]["brier"] += scores["brier"][j] * dt
            acc[key]["log"] += logs[j] * dt
            acc[key]["baseline"] += scores["baseline"][j] * dt
            acc[key]["peer"] += peer * dt
            acc[key]["covered"] += dt
    finals = {}
    for name in names:
        finals[name] = max((m, i, p) for i, n, p, m in counted if n == name)[2]
    final_brier = {n: (finals[n] - outcome) ** 2 for n in names}
    result: dict[str, dict[str, Any]] = {}
    for name in names:
        c = acc[name]["covered"]
        other_briers = [final_brier[n] for n in names if n != name]
        q = min(max(finals[name], eps), 1 - eps)
        result[name] = dict(
            final_probability=finals[name],
            brier=final_brier[name],
            log=outcome * math.log(q) + (1 - outcome) * math.log(1 - q),
            brier_time_averaged=acc[name]["brier"] / c,
            log_time_averaged=acc[name]["log"] / c,
            baseline=acc[name]["baseline"] / c,
            peer=acc[name]["peer"] / c,
            coverage=c / (end - opened),
            relative_brier=(
                final_brier[name] - float(np.median(other_briers)) if other_briers else None
            ),
            n_forecasts=sum(1 for _, n, _, _ in counted if n == name),
        )
    return result


def ref_edges(bins: int | list[float]) -> np.ndarray:
    return np.arange(bins + 1) / bins if isinstance(bins, int) else np.array(bins)


def ref_bin_index(p: np.ndarray, edges: np.ndarray) -> np.ndarray:
    return np.minimum(np.searchsorted(edges, p, side="right") - 1, len(edges) - 2)


def ref_decomposition(p: np.ndarray, o: np.ndarray, bins: int | list[float]) -> dict[str, float]:
    """Stephenson, Coelho & Jolliffe (2008), written with numpy."""
    n = len(p)
    k = ref_bin_index(p, ref_edges(bins))
    obar = o.mean()
    rel = res = wbv = wbc = 0.0
    for b in np.unique(k):
        pk, ok = p[k == b], o[k == b]
        rel += len(pk) * (pk.mean() - ok.mean()) ** 2
        res += len(pk) * (ok.mean() - obar) ** 2
        wbv += np.sum((pk - pk.mean()) ** 2)
        wbc += np.sum((pk - pk.mean()) * (ok - ok.mean()))
    return dict(
        brier=float(np.mean((p - o) ** 2)),
        reliability=rel / n,
        resolution=res / n,
        uncertainty=float(np.var(o)),
        within_bin_variance=wbv / n,
        within_bin_covariance=wbc / n,
    )


# =========================================================================== property tests

probabilities = st.one_of(
    st.sampled_from([0.0, 0.0005, 0.001, 0.1, 0.25, 0.5, 0.9, 0.999, 1.0]),
    st.floats(0.0, 1.0),
)
outcome_values = st.one_of(st.sampled_from([0.0, 1.0, 0.5]), st.floats(0.0, 1.0))
epsilons = st.sampled_from([EPS, 1e-4, 0.01])

CLOSE: dict[str, Any] = {"rel": 1e-9, "abs": 1e-7}


@st.composite
def raw_questions(draw: st.DrawFn) -> tuple[int, int, float, list[tuple[str, float, int]]]:
    opened = draw(st.integers(-3, 3))
    resolved = opened + draw(st.integers(0, 30))
    forecasts = draw(
        st.lists(
            st.tuples(st.sampled_from("abcde"), probabilities, st.integers(-10, 40)), max_size=14
        )
    )
    return opened, resolved, draw(outcome_values), forecasts


def to_question(
    raw: tuple[int, int, float | None, list[tuple[str, float, int]]], key: str = "q"
) -> Question:
    opened, resolved, outcome, forecasts = raw
    return Question(
        key,
        hour(opened),
        hour(resolved),
        outcome,
        [Forecast(n, p, hour(m)) for n, p, m in forecasts],
    )


@given(st.lists(st.tuples(probabilities, outcome_values), min_size=1, max_size=30), epsilons)
def test_single_scores_match_numpy(pairs: list[tuple[float, float]], eps: float) -> None:
    p = np.array([x for x, _ in pairs])
    o = np.array([y for _, y in pairs])
    ref = ref_single(p, o, eps)
    for j, (pj, oj) in enumerate(pairs):
        assert brier(pj, oj) == pytest.approx(ref["brier"][j], rel=1e-12, abs=1e-15)
        assert brier_two_sided(pj, oj) == pytest.approx(ref["two_sided"][j], rel=1e-12, abs=1e-15)
        assert log_score(pj, oj, eps=eps) == pytest.approx(ref["log"][j], rel=1e-9, abs=1e-12)
        assert baseline_score(pj, oj, eps=eps) == pytest.approx(
            ref["baseline"][j], rel=1e-9, abs=1e-9
        )
        assert log_score(pj, oj, eps=eps) <= 0.0


@given(st.dictionaries(st.sampled_from("abcdefg"), probabilities, max_size=7), outcome_values)
def test_peer_scores_match_numpy_and_sum_to_zero(
    forecasts: dict[str, float], outcome: float
) -> None:
    peers = peer_scores(forecasts, outcome)
    assert list(peers) == sorted(forecasts)
    names = sorted(forecasts)
    logs = ref_single(np.array([forecasts[n] for n in names]), np.full(len(names), outcome), EPS)[
        "log"
    ]
    for j, name in enumerate(names):
        others = np.delete(logs, j)
        expected = 100 * (logs[j] - others.mean()) if len(others) else 0.0
        assert peers[name] == pytest.approx(expected, **CLOSE)
    assert sum(peers.values()) == pytest.approx(0.0, abs=1e-9)


@settings(max_examples=300)
@given(raw_questions(), epsilons)
def test_score_question_matches_reference(
    raw: tuple[int, int, float, list[tuple[str, float, int]]], eps: float
) -> None:
    opened, resolved, outcome, forecasts = raw
    scores = score_question(to_question(raw), eps=eps)
    expected = ref_question(opened, resolved, outcome, forecasts, eps)
    assert [s.forecaster for s in scores] == sorted(expected)
    for score in scores:
        ref = expected[score.forecaster]
        assert score.outcome == outcome
        assert score.final_probability == ref["final_probability"]
        assert score.n_forecasts == ref["n_forecasts"]
        for field in (
            "brier",
            "log",
            "brier_time_averaged",
            "log_time_averaged",
            "baseline",
            "peer",
            "coverage",
        ):
            assert getattr(score, field) == pytest.approx(ref[field], **CLOSE), field
        if ref["relative_brier"] is None:
            assert score.relative_brier is None
        else:
            assert score.relative_brier == pytest.approx(ref["relative_brier"], **CLOSE)
        assert 0.0 < score.coverage <= 1.0
        assert score.final_made_at < hour(resolved)


@settings(max_examples=200)
@given(raw_questions())
def test_peer_integrals_cancel(raw: tuple[int, int, float, list[tuple[str, float, int]]]) -> None:
    scores = score_question(to_question(raw))
    assert sum(s.coverage * s.peer for s in scores) == pytest.approx(0.0, abs=1e-7)


@settings(max_examples=200)
@given(
    st.integers(1, 30),
    outcome_values,
    st.lists(st.tuples(probabilities, st.integers(-10, 0)), min_size=1, max_size=5),
    st.lists(st.tuples(st.integers(0, 4), probabilities, st.integers(0, 40)), max_size=12),
)
def test_peer_sums_to_zero_when_everyone_covers_the_period(
    length: int,
    outcome: float,
    openers: list[tuple[float, int]],
    updates: list[tuple[int, float, int]],
) -> None:
    # every forecaster makes a forecast at or before the opening; updates come later
    forecasts = [(f"f{i}", p, m) for i, (p, m) in enumerate(openers)]
    forecasts += [(f"f{i % len(openers)}", p, m) for i, p, m in updates]
    scores = score_question(to_question((0, length, outcome, forecasts)))
    assert len(scores) == len(openers)
    assert all(s.coverage == 1.0 for s in scores)
    assert sum(s.peer for s in scores) == pytest.approx(0.0, abs=1e-7)


@given(raw_questions(), st.randoms(use_true_random=False))
def test_forecast_order_does_not_matter_without_ties(
    raw: tuple[int, int, float, list[tuple[str, float, int]]], rng: random.Random
) -> None:
    opened, resolved, outcome, forecasts = raw
    seen: set[tuple[str, int]] = set()
    untied = []
    for name, p, m in forecasts:  # one forecast per forecaster per instant
        if (name, max(m, opened)) not in seen:
            seen.add((name, max(m, opened)))
            untied.append((name, p, m))
    shuffled = untied[:]
    rng.shuffle(shuffled)
    first = score_question(to_question((opened, resolved, outcome, untied)))
    second = score_question(to_question((opened, resolved, outcome, shuffled)))
    assert len(first) == len(second)
    for a, b in zip(first, second, strict=True):
        assert a.forecaster == b.forecaster
        assert a.final_probability == b.final_probability
        assert a.peer == pytest.approx(b.peer, rel=1e-12, abs=1e-9)
        assert replace(a, peer=0.0) == replace(b, peer=0.0)


@settings(max_examples=100)
@given(
    st.lists(
        st.tuples(
            st.integers(-3, 3),
            st.integers(0, 20),
            st.one_of(st.none(), outcome_values),
            st.lists(
                st.tuples(st.sampled_from("abcd"), probabilities, st.integers(-5, 25)), max_size=8
            ),
        ),
        max_size=8,
    ),
    st.randoms(use_true_random=False),
)
def test_aggregate_is_mean_of_question_scores_in_any_order(
    raws: list[tuple[int, int, float | None, list[tuple[str, float, int]]]], rng: random.Random
) -> None:
    questions = [
        to_question((o, o + length, outcome, fs), key=f"q{i}")
        for i, (o, length, outcome, fs) in enumerate(raws)
    ]
    summaries = aggregate(questions)
    assert [s.forecaster for s in summaries] == sorted(s.forecaster for s in summaries)

    # order of questions does not change a single bit (exact sums)
    shuffled = questions[:]
    rng.shuffle(shuffled)
    assert aggregate(shuffled) == summaries

    # streaming in two shards and merging gives the same
    left, right = ScoreAccumulator(), ScoreAccumulator()
    for i, question in enumerate(questions):
        (left if i % 2 else right).add(score_question(question))
    right.merge(left)
    assert right.summaries() == summaries

    # each field is the plain mean of the per-question results; annulled never appear
    per: dict[str, list[QuestionScore]] = {}
    for question in questions:
        if question.outcome is None:
            assert score_question(question) == ()
        for score in score_question(question):
            per.setdefault(score.forecaster, []).append(score)
    assert [s.forecaster for s in summaries] == sorted(per)
    for summary in summaries:
        mine = per[summary.forecaster]
        assert summary.n == len(mine)
        for field in ("brier", "brier_time_averaged", "log", "baseline", "peer", "coverage"):
            expected = np.mean([getattr(s, field) for s in mine])
            assert getattr(summary, field) == pytest.approx(expected, **CLOSE), field
        relative = [s.relative_brier for s in mine if s.relative_brier is not None]
        assert summary.n_relative == len(relative)
        if relative:
            assert summary.relative_brier == pytest.approx(np.mean(relative), **CLOSE)
        else:
            assert summary.relative_brier is None


bin_specs = st.one_of(
    st.integers(1, 25),
    st.lists(st.floats(0.0, 1.0, exclude_min=True, exclude_max=True), max_size=8, unique=True).map(
        lambda inner: [0.0, *sorted(inner), 1.0]
    ),
)


@settings(max_examples=300)
@given(
    st.lists(st.tuples(probabilities, outcome_values), min_size=1, max_size=60),
    bin_specs,
)
def test_decomposition_identity_and_reference(
    pairs: list[tuple[float, float]], bins: int | list[float]
) -> None:
    p = np.array([x for x, _ in pairs])
    o = np.array([y for _, y in pairs])
    d = brier_decomposition(list(p), list(o), bins=bins)
    total = (
        d.reliability
        - d.resolution
        + d.uncertainty
        + d.within_bin_variance
        - 2 * d.within_bin_covariance
    )
    assert total == pytest.approx(d.brier, rel=1e-12, abs=1e-12)
    ref = ref_decomposition(p, o, bins)
    for field, value in ref.items():
        assert getattr(d, field) == pytest.approx(value, rel=1e-9, abs=1e-12), field
    assert d.reliability >= 0 and d.resolution >= 0 and d.uncertainty >= 0
    assert d.within_bin_variance >= 0


@given(st.lists(st.tuples(probabilities, outcome_values), min_size=1, max_size=60))
def test_decomposition_binary_uncertainty_is_murphys(pairs: list[tuple[float, float]]) -> None:
    o = [1.0 if y >= 0.5 else 0.0 for _, y in pairs]
    d = brier_decomposition([x for x, _ in pairs], o)
    obar = sum(o) / len(o)
    assert d.uncertainty == pytest.approx(obar * (1 - obar), abs=1e-12)


@settings(max_examples=200)
@given(
    st.lists(st.tuples(probabilities, st.one_of(st.none(), outcome_values)), max_size=60),
    bin_specs,
)
def test_calibration_matches_reference(
    pairs: list[tuple[float, float | None]], bins: int | list[float]
) -> None:
    table = calibration_table([x for x, _ in pairs], [y for _, y in pairs], bins=bins)
    edges = ref_edges(bins)
    assert len(table) == len(edges) - 1
    scored = [(x, y) for x, y in pairs if y is not None]
    p = np.array([x for x, _ in scored])
    o = np.array([y for _, y in scored])
    k = ref_bin_index(p, edges) if scored else np.array([], dtype=int)
    z = 1.96
    assert sum(row.count for row in table) == len(scored)
    for b, row in enumerate(table):
        assert row.lower == edges[b] and row.upper == edges[b + 1]
        in_bin = k == b
        n = int(in_bin.sum())
        assert row.count == n
        if n == 0:
            assert row.mean_forecast is None and row.wilson_high is None
            continue
        phat = o[in_bin].mean()
        assert row.mean_forecast == pytest.approx(p[in_bin].mean(), rel=1e-12, abs=1e-15)
        assert row.observed_frequency == pytest.approx(phat, rel=1e-12, abs=1e-15)
        centre = (phat + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z / (1 + z**2 / n) * np.sqrt(phat * (1 - phat) / n + z**2 / (4 * n**2))
        assert row.wilson_low == pytest.approx(max(0.0, centre - half), abs=1e-12)
        assert row.wilson_high == pytest.approx(min(1.0, centre + half), abs=1e-12)
        assert row.wilson_low is not None and row.wilson_high is not None
        assert row.observed_frequency is not None
        assert row.wilson_low <= row.observed_frequency <= row.wilson_high


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 1), st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0, 1), st.none())
        ),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from([1, 4, 10, [0.0, 0.05, 0.5, 0.95, 1.0]]),
)
def test_streaming_calibration_matches_the_batch_functions(
    pairs: list[tuple[float, float | None]], bins: int | list[float]
) -> None:
    accumulator = scoring.CalibrationAccumulator(bins=bins)
    for p, o in pairs:
        accumulator.add(p, o)
    probabilities = [p for p, _ in pairs]
    outcomes = [o for _, o in pairs]
    expected = scoring.calibration_table(probabilities, outcomes, bins=bins)
    for got, want in zip(accumulator.table(), expected, strict=True):
        assert got.count == want.count
        for name in ("mean_forecast", "observed_frequency", "wilson_low", "wilson_high"):
            a, b = getattr(got, name), getattr(want, name)
            assert (a is None and b is None) or a == pytest.approx(b, abs=1e-12)
    if all(o is None for o in outcomes):
        assert accumulator.decomposition() is None
        return
    decomposition = accumulator.decomposition()
    batch = scoring.brier_decomposition(probabilities, outcomes, bins=bins)
    assert decomposition is not None
    for name in ("brier", "reliability", "resolution", "uncertainty", "within_bin_variance",
                 "within_bin_covariance"):
        assert getattr(decomposition, name) == pytest.approx(getattr(batch, name), abs=1e-9)
    d = decomposition
    assert d.brier == pytest.approx(
        d.reliability - d.resolution + d.uncertainty + d.within_bin_variance
        - 2 * d.within_bin_covariance, abs=1e-9)


# --------------------------------------------------------------------------- exact batch sums

finite_floats = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
    st.sampled_from([1.0, -1.0, 1e-300, -1e-300, 5e-324, 2.0**53, -(2.0**53), 0.1, -0.1]),
)


@settings(max_examples=200)
@given(st.lists(finite_floats, max_size=40))
def test_batch_sums_are_exact(values: list[float]) -> None:
    from fractions import Fraction

    units = scoring._exact_units(list(values))
    assert Fraction(units, scoring._UNIT) == sum((Fraction(v) for v in values), Fraction(0))


@settings(max_examples=40)
@given(st.lists(raw_questions(), min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_folding_in_small_batches_changes_no_bit(
    raws: list[tuple[int, int, float | None, list[tuple[str, float, int]]]], rng: random.Random
) -> None:
    """Accumulators fold pending values in batches; the batch size must not show anywhere."""
    questions = [to_question(raw, key=f"q{i}") for i, raw in enumerate(raws)]
    pairs = [(rng.random(), rng.choice([0.0, 1.0, 0.5])) for _ in range(50)]

    def run() -> tuple[Any, ...]:
        calibration = scoring.CalibrationAccumulator()
        for p, o in pairs:
            calibration.add(p, o)
        return aggregate(questions), calibration.table(), calibration.decomposition()

    whole = run()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scoring, "_PENDING_LIMIT", 2)
        assert run() == whole


@settings(max_examples=40)
@given(st.lists(st.tuples(st.floats(0, 1), st.sampled_from([0.0, 1.0, 0.25])), max_size=80),
       st.randoms(use_true_random=False))
def test_streaming_calibration_is_exact_in_any_order_and_split(
    pairs: list[tuple[float, float]], rng: random.Random
) -> None:
    def fed(items: list[tuple[float, float]]) -> scoring.CalibrationAccumulator:
        accumulator = scoring.CalibrationAccumulator()
        for p, o in items:
            accumulator.add(p, o)
        return accumulator

    whole = fed(pairs)
    shuffled = pairs[:]
    rng.shuffle(shuffled)
    cut = rng.randint(0, len(pairs))
    left, right = fed(shuffled[:cut]), fed(shuffled[cut:])
    right.merge(left)
    assert right.table() == whole.table()
    assert right.decomposition() == whole.decomposition()


@settings(max_examples=100)
@given(probabilities, st.sampled_from([0.0, 1.0]), epsilons)
def test_yes_no_shortcut_gives_the_general_formulas_bit_for_bit(
    p: float, o: float, eps: float
) -> None:
    (score,) = scoring.score_forecasts("q", o, day(0), day(1), [("a", p, day(0))], eps=eps)
    assert score.log == log_score(p, o, eps=eps)
    assert score.baseline == baseline_score(p, o, eps=eps)
    assert score.brier == brier(p, o)


@pytest.mark.parametrize(("p", "o"), [(1.5, 1.0), (-0.1, 0.0), (math.nan, 1.0), (0.5, 2.0),
                                      (0.5, math.nan)])
def test_streaming_calibration_rejects_values_outside_0_1(p: float, o: float) -> None:
    accumulator = scoring.CalibrationAccumulator()
    with pytest.raises(ValueError):
        accumulator.add(p, o)
    assert accumulator.table() == scoring.CalibrationAccumulator().table()  # nothing kept


def test_accumulators_cross_processes_with_their_sums_only() -> None:
    """Pickling (to merge a second process's share) folds what is pending; nothing changes."""
    import pickle

    scores = ScoreAccumulator()
    calibration = scoring.CalibrationAccumulator()
    questions = [Question(f"q{i}", day(0), day(2), float(i % 2),
                          [Forecast("ann", 0.1 * (i % 10), day(1)), Forecast("bob", 0.5, day(0))])
                 for i in range(20)]
    for question in questions:
        for score in scores.add_question(question):
            calibration.add(score.final_probability, score.outcome)
    copied_scores, copied_calibration = pickle.loads(pickle.dumps((scores, calibration)))
    assert copied_scores.summaries() == scores.summaries() == aggregate(questions)
    assert copied_calibration.table() == calibration.table()
    assert copied_calibration.decomposition() == calibration.decomposition()
    assert not copied_calibration._pending and not copied_scores._tallies["ann"]._pending


def _grouping_questions() -> list[Question]:
    return [Question(f"q{i}", day(0), day(3), [1.0, 0.0, 0.4][i % 3],
                     [Forecast("ann", 0.1 * (i % 10), day(1)), Forecast("bob", 0.5, day(0)),
                      Forecast("cy", 0.05 * i % 1.0, day(2))])
            for i in range(40)]


def test_question_columns_count_like_each_score_added_under_the_key() -> None:
    """A claim's scores go to each of its tags' rows as columns laid out once: the same sums,
    counts, relative Brier and calibration as adding every score under the tag one by one."""
    by_columns = ScoreAccumulator(calibrated=True)
    one_by_one = ScoreAccumulator()
    calibration = scoring.CalibrationAccumulator()
    for question in _grouping_questions():
        scores = score_question(question)
        columns = scoring.ScoreColumns.of(scores)
        for tag in ("even" if question.key[-1] in "02468" else "odd", "all"):
            by_columns.add_columns_as(tag, columns)
            for score in scores:
                one_by_one.add_as(tag, score)
                if tag == "all":
                    calibration.add(score.final_probability, score.outcome)
    assert by_columns.summaries() == one_by_one.summaries()
    assert by_columns.forecasters() == ["all", "even", "odd"]
    assert by_columns.summary("all").n == 120
    assert by_columns.summary("all").n_relative == 120
    assert by_columns.calibration("all").table() == calibration.table()
    assert by_columns.calibration("all").decomposition() == calibration.decomposition()


def test_a_question_with_one_forecaster_adds_no_relative_brier_to_its_tags_row() -> None:
    """Alone on q2, alice has no relative Brier there: the tag's mean is q1's alone, over one
    question, as adding each score under the tag gives."""
    shared = Question("q1", day(0), day(1), 1.0, [Forecast("alice", 0.9, day(0)),
                                                  Forecast("bob", 0.6, day(0))])
    alone = Question("q2", day(0), day(1), 0.0, [Forecast("alice", 0.3, day(0))])
    by_columns, one_by_one = ScoreAccumulator(), ScoreAccumulator()
    for question in (shared, alone):
        scores = score_question(question)
        by_columns.add_columns_as("tag", scoring.ScoreColumns.of(scores))
        for score in scores:
            one_by_one.add_as("tag", score)
    summary = by_columns.summary("tag")
    assert summary == one_by_one.summary("tag")
    assert summary is not None and (summary.n, summary.n_relative) == (3, 2)
    # q1: alice 0.01 - 0.16 = -0.15, bob 0.16 - 0.01 = 0.15 -> mean 0
    assert summary.relative_brier == pytest.approx(0.0)


def test_calibrated_accumulator_keeps_each_forecasters_calibration() -> None:
    questions = _grouping_questions()
    accumulator = ScoreAccumulator(calibrated=True)
    for question in questions:
        accumulator.add_question(question)
    assert accumulator.summaries() == aggregate(questions)
    ann = scoring.CalibrationAccumulator()
    for question in questions:
        ann.add(question.forecasts[0].probability, question.outcome)
    assert accumulator.calibration("ann").table() == ann.table()
    assert accumulator.calibration("nobody").table() == scoring.CalibrationAccumulator().table()
    with pytest.raises(ValueError, match="calibrated=True"):
        ScoreAccumulator().calibration("ann")


def test_calibrated_accumulators_merge_and_cross_processes() -> None:
    import pickle

    questions = _grouping_questions()
    whole, first, second = (ScoreAccumulator(calibrated=True) for _ in range(3))
    for index, question in enumerate(questions):
        whole.add_question(question)
        (first if index < 15 else second).add_question(question)
    first.merge(pickle.loads(pickle.dumps(second)))
    assert first.summaries() == whole.summaries()
    for name in ("ann", "bob", "cy"):
        assert first.calibration(name).table() == whole.calibration(name).table()
        assert first.calibration(name).decomposition() == whole.calibration(name).decomposition()
    with pytest.raises(ValueError, match="calibrated"):
        first.merge(ScoreAccumulator())


def test_calibration_sums_are_exact_with_yes_no_and_partial_outcomes_in_one_bin() -> None:
    """Yes/no outcomes take a shortcut (o = o^2, p o = p or 0); partial ones the full sums.
    Mixed in the same bins, every per-bin sum still equals the exact sum of its terms."""
    from fractions import Fraction

    outcomes = [1.0, 0.0, 0.3, 1.0, 0.7, 0.0, 0.5]
    pairs = [((i * 7919 % 1000) / 1000 + 1e-7, outcomes[i % len(outcomes)]) for i in range(700)]
    accumulator = scoring.CalibrationAccumulator()
    for p, o in pairs:
        accumulator.add(p, o)
    accumulator._fold()
    edges = [k / 10 for k in range(11)]
    for k in range(10):
        in_bin = [(p, o) for p, o in pairs if edges[k] <= p < edges[k + 1] or (k == 9 and p == 1)]
        terms = ([p for p, _ in in_bin], [o for _, o in in_bin], [p * p for p, _ in in_bin],
                 [o * o for _, o in in_bin], [p * o for p, o in in_bin])
        exact = [sum((Fraction(x) for x in column), Fraction(0)) * 2**1074 for column in terms]
        assert accumulator._counts[k] == len(in_bin)
        assert accumulator._units[k] == [int(total) for total in exact]
        assert all(total.denominator == 1 for total in exact)


def test_accumulated_variances_do_not_print_as_negative_zero() -> None:
    """A variance from sums of squares can come out a hair below zero (here -1.85e-17 for
    three forecasts on one partial outcome): `tracker score` printed "uncertainty -0.0000"."""
    accumulator = scoring.CalibrationAccumulator()
    for p in (0.3, 0.6, 0.45):
        accumulator.add(p, 0.4)
    decomposition = accumulator.decomposition()
    assert decomposition is not None
    assert f"{decomposition.uncertainty:.4f} {decomposition.within_bin_variance:.4f}" == (
        "0.0000 0.0000")
