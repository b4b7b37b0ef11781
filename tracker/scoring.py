"""Scoring rules for forecasts on claims. Pure functions: no I/O, no database, stdlib only.

Conventions used everywhere in this module
==========================================

``p``
    The probability a forecaster gave that the claim comes true, ``0 <= p <= 1``.
``o``
    The outcome the claim resolved to, ``0 <= o <= 1``: 1 = yes, 0 = no, a value in between
    = partly true, scored at that value (the number ``tracker.vocabulary.outcome_value`` gives).
    ``None`` means *annulled*: annulled claims are never scored, by any function here.
``ln``, ``log2``
    Natural and base-2 logarithms.
``EPS``
    ``EPS = 0.001``. Log-based scores (log, baseline, peer) use ``p' = clip(p, EPS, 1 - EPS)``,
    the range Metaculus allows, so a forecast of exactly 1 is scored as 0.999 and one of exactly
    0 as 0.001: a forecast of 1 on a claim that came true gets ``ln 0.999 = -0.0010005``, not 0,
    and a wrong forecast of 1 gets ``ln 0.001 = -6.9078`` instead of minus infinity. Brier scores
    use the raw ``p``. Every function that clips takes an ``eps`` keyword to change it.

Single-forecast scores (higher is better unless stated)
=======================================================

=====================  ===================================================================
``brier``              ``(p - o)^2``; 0..1, lower is better
``brier_two_sided``    ``(p - o)^2 + ((1 - p) - (1 - o))^2 = 2 (p - o)^2``; 0..2, lower is
                       better (the original two-category form some other tools publish)
``log_score``          ``o ln(p') + (1 - o) ln(1 - p')``; always ``<= 0``
``baseline_score``     ``100 [o log2(2 p') + (1 - o) log2(2 (1 - p'))]``: Metaculus' baseline
                       score (for ``o = 1`` it is ``100 log2(2 p')``: 0 for ``p = 1/2``, 100
                       for a certain right forecast, about -897 for a certain wrong one)
peer (one instant)     ``100 [L_f - (1 / (n - 1)) sum_{g != f} L_g]`` over the ``n`` forecasters
                       present, ``L = log_score``; 0 for a forecaster who is alone. For every
                       instant ``sum_f peer_f = 0``.
=====================  ===================================================================

One question, over time (:func:`score_question`)
=================================================

A question is open over ``[opened_at, resolved_at)``, of length ``T``.

* A forecast made at ``m`` counts only if ``m < resolved_at``: forecasts made at or after
  resolution are ignored. It takes effect at ``e = max(m, opened_at)`` and stays in force until
  the same forecaster's next forecast takes effect, or until ``resolved_at``. When one forecaster
  has several forecasts taking effect at the same instant, the last one made wins (ties on
  ``made_at``: the one later in the input).
* Forecaster ``f`` is *covered* from its first forecast's effect time ``a_f`` to resolution.
  Time before ``a_f`` is not scored; it shows up in ``coverage_f = (resolved_at - a_f) / T``.
* Time-averaged score of ``f`` for any per-instant score ``S``:
  ``S_avg = (1 / (resolved_at - a_f)) * integral_{a_f}^{resolved_at} S(p_f(t), o) dt``,
  the mean over the covered time only. Metaculus averages baseline and peer scores over the whole
  period counting uncovered time as 0; that number is ``coverage * S_avg``.
* Final forecast: the last one made before resolution (the one in force at ``resolved_at``).
  ``brier`` and ``log`` in the results are those of the final forecast.
* Peer, time-averaged: with ``A(t)`` the forecasters covered at ``t`` and ``n(t) = |A(t)|``,
  ``peer_f(t) = 100 [L_f(t) - (1 / (n(t) - 1)) sum_{g in A(t), g != f} L_g(t)]`` (0 when
  ``n(t) = 1``), averaged as above. Because the peer scores of one instant sum to zero,
  ``sum_f coverage_f * peer_f = 0`` on every question, and when all forecasters cover the same
  period (same coverage) ``sum_f peer_f = 0``.
* Relative Brier (per question): ``brier_f - median{brier_g : g != f}`` over the final-forecast
  Brier scores of the other forecasters on the same question; negative is better. ``None`` when
  ``f`` is alone on the question.
* A question with ``opened_at == resolved_at`` is a single instant: forecasts made strictly
  before it count, each forecaster's last one is scored once, coverage is 1.

Time is measured in exact integer microseconds, so averages do not depend on the time unit.

Many questions (:class:`ScoreAccumulator`, :func:`aggregate`)
==============================================================

Per forecaster, over the resolved (non-annulled) questions on which it has at least one counted
forecast (``n`` of them): ``brier``, ``brier_time_averaged``, ``log``, ``baseline``, ``peer``
and ``coverage`` are plain means of the per-question values; ``relative_brier`` is the mean over
the ``n_relative`` questions where it is defined (``None`` if there are none). Sums are exact
(correctly rounded), so results do not depend on the order the questions come in. Questions can
be fed one at a time: memory is proportional to the number of forecasters, not forecasts.

Calibration and decomposition (N scored pairs ``(p_j, o_j)``, bins ``k``)
========================================================================

Bins are given by edges ``0 = e_0 < e_1 < ... < e_K = 1`` (``bins=K`` means ``e_i = i / K``);
bin ``k`` is ``[e_k, e_{k+1})`` except the last, which is closed ``[e_{K-1}, 1]``. In bin ``k``:
``n_k`` pairs, mean forecast ``pbar_k``, observed frequency ``obar_k`` (mean outcome; a partial
outcome counts as its value). ``obar`` is the mean outcome over all pairs.

Wilson score interval for ``obar_k`` (``z = 1.96`` for 95 %)::

    centre    = (obar_k + z^2 / (2 n_k)) / (1 + z^2 / n_k)
    half      = z / (1 + z^2 / n_k) * sqrt(obar_k (1 - obar_k) / n_k + z^2 / (4 n_k^2))
    interval  = [centre - half, centre + half]

(exact for 0/1 outcomes; with partial outcomes ``obar_k`` is treated as a proportion.)

Brier decomposition (Murphy 1973, with the two extra terms of Stephenson, Coelho & Jolliffe
2008, "Two extra components in the Brier score decomposition")::

    BS   = (1/N) sum_j (p_j - o_j)^2
    REL  = (1/N) sum_k n_k (pbar_k - obar_k)^2                    reliability   (lower better)
    RES  = (1/N) sum_k n_k (obar_k - obar)^2                      resolution    (higher better)
    UNC  = (1/N) sum_j (o_j - obar)^2                             uncertainty
    WBV  = (1/N) sum_k sum_{j in k} (p_j - pbar_k)^2              within-bin variance
    WBC  = (1/N) sum_k sum_{j in k} (p_j - pbar_k)(o_j - obar_k)  within-bin covariance

    BS = REL - RES + UNC + WBV - 2 WBC        (exact, for any binning and any o_j in [0, 1])

Sign convention: WBC is the plain covariance, positive when within a bin the higher forecasts go
with the higher outcomes, which *lowers* the Brier score. For 0/1 outcomes ``UNC = obar (1 -
obar)``, Murphy's form; with partial outcomes ``obar (1 - obar) = UNC + (1/N) sum_j o_j (1 - o_j)``
and it is the variance form that keeps the identity exact. Proof sketch: in bin ``k`` write
``p_j - o_j = (p_j - pbar_k) - (o_j - obar_k) + (pbar_k - obar_k)``, square and sum (the cross
terms with the constant vanish), then use ``(1/N) sum_k sum_{j in k} (o_j - obar_k)^2 = UNC - RES``.

Grading a source
================

A source's implied confidence on a claim is one forecast made on the claim's made-on date.
:func:`grade_source` scores those alone (each covers its claim's whole open period: coverage 1,
time-averaged = final, peer 0, no relative Brier) and returns the same :class:`ForecasterSummary`
as a forecaster gets. To rank a source against the forecasters on the same claims, add
:func:`source_forecast` to each question's forecasts instead.
"""

from __future__ import annotations

import bisect
import itertools
import math
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final

__all__ = [
    "ANNULLED",
    "EPS",
    "WILSON_Z",
    "BrierDecomposition",
    "CalibrationAccumulator",
    "CalibrationBin",
    "Forecast",
    "ForecasterSummary",
    "Question",
    "QuestionScore",
    "ScoreAccumulator",
    "ScoreColumns",
    "SourceClaim",
    "aggregate",
    "baseline_score",
    "brier",
    "brier_decomposition",
    "brier_two_sided",
    "calibration_table",
    "grade_source",
    "log_score",
    "peer_scores",
    "score_question",
    "score_source_claim",
    "source_forecast",
    "wilson_interval",
]

EPS: Final[float] = 1e-3
"""Log-based scores clip forecasts to ``[EPS, 1 - EPS]`` (Metaculus' allowed range)."""

WILSON_Z: Final[float] = 1.96
"""Normal quantile for the 95 % Wilson score interval."""

ANNULLED: Final = None
"""The outcome of an annulled claim: never scored."""

_MICROSECOND: Final = timedelta(microseconds=1)


# --------------------------------------------------------------------------- validation


def _check_probability(p: float, what: str = "probability") -> float:
    value = float(p)
    if not 0.0 <= value <= 1.0:  # also rejects NaN
        raise ValueError(f"{what} must be between 0 and 1, got {p!r}")
    return value


def _check_outcome(o: float) -> float:
    return _check_probability(o, "outcome")


def _check_eps(eps: float) -> None:
    if not 0.0 < eps < 0.5:
        raise ValueError(f"eps must be in (0, 0.5), got {eps!r}")


def _clip(p: float, eps: float) -> float:
    return min(max(p, eps), 1.0 - eps)


# --------------------------------------------------------------------------- one forecast


def brier(p: float, o: float) -> float:
    """Brier score on the 0..1 scale: ``(p - o)^2``. Lower is better."""
    p = _check_probability(p)
    o = _check_outcome(o)
    return (p - o) ** 2


def brier_two_sided(p: float, o: float) -> float:
    """Two-category Brier score, 0..2 scale: ``(p - o)^2 + ((1-p) - (1-o))^2 = 2 (p - o)^2``."""
    return 2.0 * brier(p, o)


def _ln(p: float, o: float, eps: float) -> float:
    q = _clip(p, eps)
    return o * math.log(q) + (1.0 - o) * math.log1p(-q)


def _baseline(p: float, o: float, eps: float) -> float:
    q = _clip(p, eps)
    return 100.0 * (o * math.log2(2.0 * q) + (1.0 - o) * math.log2(2.0 * (1.0 - q)))


def log_score(p: float, o: float, *, eps: float = EPS) -> float:
    """Log score, natural log: ``o ln(p') + (1 - o) ln(1 - p')``, ``p' = clip(p, eps, 1 - eps)``.

    Higher is better; always ``<= 0``. A forecast of exactly 1 (or 0) is scored as ``1 - eps``
    (or ``eps``).
    """
    _check_eps(eps)
    return _ln(_check_probability(p), _check_outcome(o), eps)


def baseline_score(p: float, o: float, *, eps: float = EPS) -> float:
    """Metaculus-style baseline score: ``100 [o log2(2 p') + (1 - o) log2(2 (1 - p'))]``.

    ``p' = clip(p, eps, 1 - eps)``. For ``o = 1`` this is ``100 log2(2 p')``; a forecast of 1/2
    scores 0 whatever the outcome. Higher is better.
    """
    _check_eps(eps)
    return _baseline(_check_probability(p), _check_outcome(o), eps)


def peer_scores(
    probabilities: Mapping[str, float], o: float, *, eps: float = EPS
) -> dict[str, float]:
    """Peer scores at one instant: ``100 [L_f - mean_{g != f} L_g]`` with ``L = log_score``.

    Keys are the forecasters, returned sorted. A forecaster alone scores 0. The values sum to 0.
    """
    _check_eps(eps)
    o = _check_outcome(o)
    logs = {name: _ln(_check_probability(p), o, eps) for name, p in probabilities.items()}
    n = len(logs)
    if n < 2:
        return {name: 0.0 for name in sorted(logs)}
    total = math.fsum(logs.values())
    return {name: 100.0 * (logs[name] - (total - logs[name]) / (n - 1)) for name in sorted(logs)}


# --------------------------------------------------------------------------- data shapes


@dataclass(frozen=True, slots=True)
class Forecast:
    """One forecast: ``forecaster`` said ``probability`` at ``made_at``."""

    forecaster: str
    probability: float
    made_at: datetime

    def __post_init__(self) -> None:
        _check_probability(self.probability)


@dataclass(frozen=True, slots=True)
class Question:
    """A claim to score: open over ``[opened_at, resolved_at)``, resolved to ``outcome``.

    ``outcome`` is in [0, 1], or ``None`` (:data:`ANNULLED`) for an annulled claim, which is
    skipped. ``forecasts`` may be any sequence; it is stored as a tuple.
    """

    key: str
    opened_at: datetime
    resolved_at: datetime
    outcome: float | None
    forecasts: Sequence[Forecast] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "forecasts", tuple(self.forecasts))
        if self.outcome is not None:
            _check_outcome(self.outcome)
        if self.resolved_at < self.opened_at:
            raise ValueError(
                f"question {self.key!r}: resolved_at {self.resolved_at} is before "
                f"opened_at {self.opened_at}"
            )


@dataclass(slots=True)
class QuestionScore:
    """How one forecaster did on one resolved question (see the module docstring).

    Not frozen: a frozen dataclass costs seven times as much to build, and scoring a large
    database builds one per forecaster and question. Treat it as a value all the same.
    """

    question: str
    forecaster: str
    outcome: float
    final_probability: float
    final_made_at: datetime
    n_forecasts: int
    """Forecasts counted (made before resolution), including replaced ones."""
    brier: float
    """Brier score of the final forecast."""
    log: float
    """Log score of the final forecast."""
    brier_time_averaged: float
    log_time_averaged: float
    baseline: float
    """Time-averaged baseline score."""
    peer: float
    """Time-averaged peer score."""
    coverage: float
    relative_brier: float | None


@dataclass(frozen=True, slots=True)
class ForecasterSummary:
    """A forecaster's (or a source's) scores over many questions: means of its results."""

    forecaster: str
    n: int
    """Resolved, non-annulled questions scored."""
    brier: float
    """Mean final-forecast Brier score."""
    brier_time_averaged: float
    log: float
    """Mean final-forecast log score."""
    baseline: float
    """Mean time-averaged baseline score."""
    peer: float
    """Mean time-averaged peer score."""
    relative_brier: float | None
    """Mean relative Brier over the questions shared with others; ``None`` if there are none."""
    n_relative: int
    """Questions on which ``relative_brier`` was defined."""
    coverage: float
    """Mean coverage."""


# --------------------------------------------------------------------------- exact sums


def _units(x: float) -> int:
    """``x`` as an integer number of 2**-1074, the unit every finite double is a multiple of."""
    numerator, denominator = x.as_integer_ratio()
    return numerator << (_UNIT_BITS - denominator.bit_length() + 1)


def _exact_units(values: list[float]) -> int:
    """The exact sum of ``values`` in units of 2**-1074 (appends to ``values``).

    ``math.fsum`` rounds the exact sum once; taking that rounded part out and summing again
    gives the next term of an exact expansion (each term at most 2**-53 of the one before), so
    a few passes at C speed replace one big-integer addition per value.
    """
    total = 0
    while True:
        rounded = math.fsum(values)
        if rounded == 0.0:
            return total
        total += _units(rounded)
        values.append(-rounded)


_UNIT_BITS: Final = 1074
_UNIT: Final = 1 << _UNIT_BITS
_PENDING_LIMIT: Final = 256
"""Values an accumulator holds before folding them into its exact sums (bounds its memory)."""


# --------------------------------------------------------------------------- one question


_Entry = tuple[int, float, datetime, float, float, float]
"""A forecast in force: start (microseconds after opening), probability, made_at, and its
Brier, log and baseline scores. A plain tuple: a million of these are built per scoring run."""


def _micros(delta: timedelta) -> int:
    return delta // _MICROSECOND


_made_at = operator.itemgetter(2)
"""The made-at of a ``(forecaster, probability, made_at)`` row (a C-level sort key)."""


def _median_without(sorted_values: Sequence[float], value: float) -> float | None:
    """Median of ``sorted_values`` with one occurrence of ``value`` removed."""
    m = len(sorted_values) - 1
    if m <= 0:
        return None
    skip = bisect.bisect_left(sorted_values, value)
    # The value of rank r once `skip` is taken out is sorted_values[r if r < skip else r + 1].
    upper = m // 2
    high = sorted_values[upper if upper < skip else upper + 1]
    if m % 2:
        return high
    lower = upper - 1
    return (sorted_values[lower if lower < skip else lower + 1] + high) / 2.0


def score_question(question: Question, *, eps: float = EPS) -> tuple[QuestionScore, ...]:
    """Score every forecaster on one question; sorted by forecaster.

    Empty for an annulled question or one without forecasts made before resolution. Runs in
    ``O(F log F)`` for ``F`` forecasts. See the module docstring for the conventions.
    """
    return score_forecasts(
        question.key, question.outcome, question.opened_at, question.resolved_at,
        [(f.forecaster, f.probability, f.made_at) for f in question.forecasts], eps=eps,
    )


def score_forecasts(
    key: str,
    outcome: float | None,
    opened_at: datetime,
    resolved_at: datetime,
    forecasts: Iterable[tuple[str, float, datetime]],
    *,
    eps: float = EPS,
) -> tuple[QuestionScore, ...]:
    """:func:`score_question` for ``(forecaster, probability, made_at)`` rows already checked.

    For callers that stream many rows whose probabilities are known to be in [0, 1] (the
    database enforces it): no :class:`Forecast` object and no check per forecast. The
    datetimes only need to be comparable with each other (all aware, or all naive UTC).
    """
    _check_eps(eps)
    o = outcome
    if o is None:
        return ()
    counted = [f for f in forecasts if f[2] < resolved_at]
    if not counted:
        return ()
    counted.sort(key=_made_at)
    opened = opened_at
    span = _micros(resolved_at - opened)
    if span == 0:
        span = 1  # a single instant: every counted forecast takes effect at 0 and lasts 1
    low, high = eps, 1.0 - eps
    log, log1p, log2 = math.log, math.log1p, math.log2  # local names: looked up per forecast

    # Each forecaster's timeline: the forecasts in force, in order of taking effect; and
    # every counted forecast as a peer event (a replaced one is overwritten at the same time).
    timelines: dict[str, list[_Entry]] = {}
    counts: dict[str, int] = {}
    events: list[tuple[int, str, float]] = []
    for name, p, made_at in counted:
        q = low if p < low else high if p > high else p
        # For yes/no outcomes only one term of each sum is non-zero: same value, half the logs.
        if o == 1.0:
            ln = log(q)
            baseline = 100.0 * log2(2.0 * q)
        elif o == 0.0:
            ln = log1p(-q)
            baseline = 100.0 * log2(2.0 * (1.0 - q))
        else:
            ln = o * log(q) + (1.0 - o) * log1p(-q)
            baseline = 100.0 * (o * log2(2.0 * q) + (1.0 - o) * log2(2.0 * (1.0 - q)))
        start = (made_at - opened) // _MICROSECOND  # _micros, inline: once per forecast
        if start < 0:
            start = 0
        entry = (start, p, made_at, (p - o) ** 2, ln, baseline)
        events.append((start, name, ln))
        line = timelines.get(name)
        if line is None:
            timelines[name] = [entry]
            counts[name] = 1
            continue
        if line[-1][0] == start:
            line[-1] = entry  # replaced at the same instant: the later one wins
        else:
            line.append(entry)
        counts[name] += 1
    prefix_w, prefix_g = _peer_prefix_integrals(events, span) if len(timelines) > 1 else ({}, {})

    partial: list[tuple[str, _Entry, float, float, float, float]] = []
    for name in sorted(timelines):
        line = timelines[name]
        first = line[0][0]
        covered = span - first
        own = 0.0
        if len(line) == 1:  # one forecast the whole covered time: its own scores, exactly
            (only,) = line
            _, _, _, brier_avg, log_avg, baseline_avg = only
            if prefix_w:
                own = log_avg * (prefix_w[span] - prefix_w[first])
        else:
            ends = [e[0] for e in line[1:]]
            ends.append(span)
            weights = [end - e[0] for e, end in zip(line, ends, strict=True)]
            brier_avg = math.fsum(e[3] * d for e, d in zip(line, weights, strict=True)) / covered
            log_avg = math.fsum(e[4] * d for e, d in zip(line, weights, strict=True)) / covered
            baseline_avg = (
                math.fsum(e[5] * d for e, d in zip(line, weights, strict=True)) / covered
            )
            if prefix_w:
                own = math.fsum(
                    e[4] * (prefix_w[end] - prefix_w[e[0]])
                    for e, end in zip(line, ends, strict=True)
                )
        peer_avg = 100.0 * (own - (prefix_g[span] - prefix_g[first])) / covered if prefix_w else 0.0
        partial.append((name, line[-1], brier_avg, log_avg, baseline_avg, peer_avg))

    finals = sorted(row[1][3] for row in partial)
    scores = []
    for name, final, brier_avg, log_avg, baseline_avg, peer_avg in partial:
        _, final_p, final_made_at, final_brier, final_ln, _ = final
        others = _median_without(finals, final_brier)
        scores.append(
            QuestionScore(
                key, name, o, final_p, final_made_at, counts[name], final_brier, final_ln,
                brier_avg, log_avg, baseline_avg, peer_avg,
                (span - timelines[name][0][0]) / span,
                None if others is None else final_brier - others,
            )
        )
    return tuple(scores)


def _peer_prefix_integrals(
    events: Sequence[tuple[int, str, float]], span: int
) -> tuple[dict[int, float], dict[int, float]]:
    """Prefix integrals ``W(t)``, ``G(t)`` from 0 to every event time and to ``span``.

    ``events`` are ``(time, forecaster, log score)`` in order of time. With ``n(t) >= 2``
    forecasters present and ``S(t)`` the sum of their log scores,
    ``peer_f(t) / 100 = L_f(t) n/(n-1) - S(t)/(n-1)``. So with ``w = n/(n-1)`` and
    ``g = S/(n-1)`` (both 0 while ``n < 2``), ``f``'s peer integral is
    ``100 [sum over its pieces [a, b) of L (W(b) - W(a)) - (G(span) - G(a_f))]``.
    """
    prefix_w: dict[int, float] = {}
    prefix_g: dict[int, float] = {}
    current: dict[str, float] = {}
    w_integral = g_integral = 0.0
    last = 0
    i = 0
    while True:
        t = events[i][0] if i < len(events) else span
        n = len(current)
        if n >= 2:
            w_integral += (t - last) * (n / (n - 1))
            # S(t) summed afresh (correctly rounded): no drift over many replacements.
            g_integral += (t - last) * (math.fsum(current.values()) / (n - 1))
        prefix_w[t] = w_integral
        prefix_g[t] = g_integral
        if i == len(events):
            return prefix_w, prefix_g
        while i < len(events) and events[i][0] == t:
            _, name, ln = events[i]
            current[name] = ln
            i += 1
        last = t


# --------------------------------------------------------------------------- many questions


_Sums = tuple[float, float, float, float, float, float]
"""What a forecaster's tally sums per question: brier, brier_time_averaged, log, baseline,
peer, coverage."""


def _sums(score: QuestionScore) -> _Sums:
    return (score.brier, score.brier_time_averaged, score.log, score.baseline, score.peer,
            score.coverage)


@dataclass(frozen=True, slots=True)
class ScoreColumns:
    """One question's scores laid out as the accumulators sum them, built once and added under
    several keys (a claim's scores count in the row of each of its tags): adding them is a few
    list extensions, not work per score and key."""

    sums: tuple[_Sums, ...]
    relative: tuple[float, ...]
    """The relative Brier scores that exist (``None`` ones left out)."""
    pairs: tuple[tuple[float, float], ...]
    """(final probability, outcome) for calibration."""

    @classmethod
    def of(cls, scores: Sequence[QuestionScore]) -> ScoreColumns:
        return cls(
            tuple(_sums(score) for score in scores),
            tuple(score.relative_brier for score in scores if score.relative_brier is not None),
            tuple((score.final_probability, score.outcome) for score in scores),
        )


class _Tally:
    """One forecaster's count and exact sums, and optionally its calibration. Scores wait in a
    short list and are folded in with :func:`_exact_units` a batch at a time, which is much
    cheaper than one exact addition per value."""

    __slots__ = ("_pending", "_relative", "_units", "calibration", "n", "n_relative")

    def __init__(self, calibration: CalibrationAccumulator | None = None) -> None:
        self.n = 0
        self.n_relative = 0
        self._pending: list[_Sums] = []
        self._relative: list[float] = []
        self._units = [0] * 7
        """brier, brier_time_averaged, log, baseline, peer, coverage, relative_brier."""
        self.calibration = calibration

    def add(self, score: QuestionScore) -> None:
        self.n += 1
        self._pending.append(_sums(score))
        if score.relative_brier is not None:
            self.n_relative += 1
            self._relative.append(score.relative_brier)
        if len(self._pending) >= _PENDING_LIMIT:
            self._fold()
        if self.calibration is not None:
            self.calibration.add_valid(score.final_probability, score.outcome)

    def extend(self, columns: ScoreColumns) -> None:
        self.n += len(columns.sums)
        self._pending.extend(columns.sums)
        self.n_relative += len(columns.relative)
        self._relative.extend(columns.relative)
        if len(self._pending) >= _PENDING_LIMIT:
            self._fold()
        if self.calibration is not None:
            self.calibration.add_columns(columns)

    def _fold(self) -> None:
        if self._pending:
            for index, column in enumerate(zip(*self._pending, strict=True)):
                self._units[index] += _exact_units(list(column))
            self._pending.clear()
        if self._relative:
            self._units[6] += _exact_units(self._relative)
            self._relative = []

    def __getstate__(self) -> tuple[int, int, list[int], CalibrationAccumulator | None]:
        """Folded first: a tally sent to another process carries only its sums."""
        self._fold()
        return self.n, self.n_relative, self._units, self.calibration

    def __setstate__(self, state: tuple[int, int, list[int], CalibrationAccumulator | None]
                     ) -> None:
        self.n, self.n_relative, self._units, self.calibration = state
        self._pending, self._relative = [], []

    def merge(self, other: _Tally) -> None:
        other._fold()
        self._fold()
        self.n += other.n
        self.n_relative += other.n_relative
        self._units = [a + b for a, b in zip(self._units, other._units, strict=True)]
        if self.calibration is not None and other.calibration is not None:
            self.calibration.merge(other.calibration)

    def means(self) -> tuple[float, ...]:
        """The six means over ``n``, then the mean relative Brier (NaN without any)."""
        self._fold()
        *sums, relative = self._units
        means = [total / _UNIT / self.n for total in sums]
        means.append(relative / _UNIT / self.n_relative if self.n_relative else math.nan)
        return tuple(means)


class ScoreAccumulator:
    """Sums per-question results into per-forecaster summaries, one question at a time; with
    ``calibrated=True`` also each forecaster's calibration (see :meth:`calibration`).

    Memory grows with the number of forecasters only. Sums are exact, so the summaries do not
    depend on the order in which questions (or accumulators, via :meth:`merge`) are added.
    """

    def __init__(self, *, eps: float = EPS, calibrated: bool = False) -> None:
        _check_eps(eps)
        self.eps = eps
        self.calibrated = calibrated
        self._tallies: dict[str, _Tally] = {}

    def _tally(self, key: str) -> _Tally:
        tally = self._tallies.get(key)
        if tally is None:
            tally = self._tallies[key] = _Tally(
                CalibrationAccumulator() if self.calibrated else None)
        return tally

    def add_question(self, question: Question) -> tuple[QuestionScore, ...]:
        """Score ``question`` (with this accumulator's ``eps``), add it, return its scores."""
        scores = score_question(question, eps=self.eps)
        self.add(scores)
        return scores

    def add(self, scores: Iterable[QuestionScore]) -> None:
        """Add per-question results (e.g. from :func:`score_question`, possibly stored)."""
        tallies = self._tallies
        for score in scores:  # the hot path of a large scoring run: no call per score spared
            tally = tallies.get(score.forecaster)
            if tally is None:
                tally = self._tally(score.forecaster)
            tally.add(score)

    def add_as(self, forecaster: str, score: QuestionScore) -> None:
        """Add one result under ``forecaster`` instead of its own (to group by tag, period...)."""
        self._tally(forecaster).add(score)

    def add_columns_as(self, key: str, columns: ScoreColumns) -> None:
        """Add every score of one question under ``key`` (same result as ``add_as`` each)."""
        self._tally(key).extend(columns)

    def merge(self, other: ScoreAccumulator) -> None:
        """Add everything ``other`` has accumulated (for sharded or parallel scoring)."""
        if other.calibrated != self.calibrated:
            raise ValueError("cannot merge a calibrated score accumulator with one that is not")
        for name, theirs in other._tallies.items():
            self._tally(name).merge(theirs)

    def forecasters(self) -> list[str]:
        """Every forecaster (or key) with a result, sorted."""
        return sorted(key for key, tally in self._tallies.items() if tally.n)

    def calibration(self, forecaster: str) -> CalibrationAccumulator:
        """The calibration of ``forecaster``'s final forecasts (``calibrated=True`` only)."""
        if not self.calibrated:
            raise ValueError("this accumulator keeps no calibration: make it calibrated=True")
        tally = self._tallies.get(forecaster)
        if tally is None:
            return CalibrationAccumulator()
        assert tally.calibration is not None
        return tally.calibration

    def summary(self, forecaster: str) -> ForecasterSummary | None:
        """The summary of one forecaster, or ``None`` if it has no scored question."""
        tally = self._tallies.get(forecaster)
        if tally is None or tally.n == 0:
            return None
        brier, time_averaged, log, baseline, peer, coverage, relative = tally.means()
        return ForecasterSummary(
            forecaster=forecaster,
            n=tally.n,
            brier=brier,
            brier_time_averaged=time_averaged,
            log=log,
            baseline=baseline,
            peer=peer,
            relative_brier=relative if tally.n_relative else None,
            n_relative=tally.n_relative,
            coverage=coverage,
        )

    def summaries(self) -> tuple[ForecasterSummary, ...]:
        """Every forecaster's summary, sorted by forecaster."""
        summaries = (self.summary(name) for name in self.forecasters())
        return tuple(summary for summary in summaries if summary is not None)


def aggregate(questions: Iterable[Question], *, eps: float = EPS) -> tuple[ForecasterSummary, ...]:
    """Per-forecaster summaries over ``questions``, sorted by forecaster.

    ``questions`` may be a generator: each question is scored and dropped before the next.
    """
    accumulator = ScoreAccumulator(eps=eps)
    for question in questions:
        accumulator.add_question(question)
    return accumulator.summaries()


# --------------------------------------------------------------------------- sources


@dataclass(frozen=True, slots=True)
class SourceClaim:
    """A source's claim: its implied confidence ``probability``, made on ``made_on``.

    ``outcome`` as for :class:`Question` (``None`` = annulled or not scored).
    """

    key: str
    made_on: date
    probability: float
    outcome: float | None

    def __post_init__(self) -> None:
        _check_probability(self.probability, "implied confidence")
        if self.outcome is not None:
            _check_outcome(self.outcome)


def source_forecast(source: str, claim: SourceClaim, *, tz: tzinfo = UTC) -> Forecast:
    """The source's claim as a forecast, to add to the claim's :class:`Question`.

    Made at the start of the made-on date in ``tz`` (a ``datetime`` ``made_on`` is used as is).
    """
    made_on = claim.made_on
    made_at = (
        made_on if isinstance(made_on, datetime) else datetime.combine(made_on, time(), tzinfo=tz)
    )
    return Forecast(source, claim.probability, made_at)


def score_source_claim(
    source: str, claim: SourceClaim, *, eps: float = EPS, tz: tzinfo = UTC
) -> QuestionScore | None:
    """Score one source claim on its own: a single forecast covering the whole open period.

    So time-averaged scores equal final ones, coverage is 1, peer is 0 and relative Brier is
    ``None``. ``None`` for an annulled claim.
    """
    _check_eps(eps)
    o = claim.outcome
    if o is None:
        return None
    p = claim.probability
    final_brier = (p - o) ** 2
    final_log = _ln(p, o, eps)
    return QuestionScore(
        question=claim.key,
        forecaster=source,
        outcome=o,
        final_probability=p,
        final_made_at=source_forecast(source, claim, tz=tz).made_at,
        n_forecasts=1,
        brier=final_brier,
        log=final_log,
        brier_time_averaged=final_brier,
        log_time_averaged=final_log,
        baseline=_baseline(p, o, eps),
        peer=0.0,
        coverage=1.0,
        relative_brier=None,
    )


def grade_source(
    source: str, claims: Iterable[SourceClaim], *, eps: float = EPS
) -> ForecasterSummary | None:
    """Grade a source like a forecaster on its own claims; ``None`` if none is scored."""
    accumulator = ScoreAccumulator(eps=eps)
    for claim in claims:
        score = score_source_claim(source, claim, eps=eps)
        if score is not None:
            accumulator.add((score,))
    return accumulator.summary(source)


# --------------------------------------------------------------------------- calibration


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    """One row of a calibration table. Statistics are ``None`` for an empty bin."""

    lower: float
    upper: float
    count: int
    mean_forecast: float | None
    observed_frequency: float | None
    """Mean outcome in the bin (partial outcomes count as their value)."""
    wilson_low: float | None
    wilson_high: float | None


@dataclass(frozen=True, slots=True)
class BrierDecomposition:
    """``brier = reliability - resolution + uncertainty + within_bin_variance
    - 2 * within_bin_covariance`` (see the module docstring)."""

    n: int
    brier: float
    reliability: float
    resolution: float
    uncertainty: float
    within_bin_variance: float
    within_bin_covariance: float


def wilson_interval(p_hat: float, n: int, *, z: float = WILSON_Z) -> tuple[float, float]:
    """Wilson score interval for a proportion ``p_hat`` observed in ``n`` trials.

    ``centre = (p + z^2/(2n)) / (1 + z^2/n)``,
    ``half = z / (1 + z^2/n) * sqrt(p (1 - p) / n + z^2 / (4 n^2))``; clamped to [0, 1].
    The interval always holds ``p`` (at ``p = 1`` its upper end is 1, not 0.9999999999999999
    as the floating-point sum gives).
    """
    p_hat = _check_probability(p_hat, "proportion")
    if n <= 0:
        raise ValueError(f"n must be positive, got {n!r}")
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (p_hat + z2 / (2.0 * n)) / denominator
    half = z / denominator * math.sqrt(p_hat * (1.0 - p_hat) / n + z2 / (4.0 * n * n))
    return max(0.0, min(p_hat, centre - half)), min(1.0, max(p_hat, centre + half))


def _edges(bins: int | Sequence[float]) -> list[float]:
    if isinstance(bins, int):
        if bins < 1:
            raise ValueError(f"need at least one bin, got {bins!r}")
        return [i / bins for i in range(bins + 1)]
    edges = [float(e) for e in bins]
    if len(edges) < 2 or edges[0] != 0.0 or edges[-1] != 1.0:
        raise ValueError(f"bin edges must run from 0 to 1, got {edges!r}")
    if any(a >= b for a, b in itertools.pairwise(edges)):
        raise ValueError(f"bin edges must be strictly increasing, got {edges!r}")
    return edges


def _binned(
    probabilities: Sequence[float],
    outcomes: Sequence[float | None],
    bins: int | Sequence[float],
) -> tuple[list[float], list[list[tuple[float, float]]]]:
    if len(probabilities) != len(outcomes):
        raise ValueError(
            f"{len(probabilities)} probabilities but {len(outcomes)} outcomes: they must pair up"
        )
    edges = _edges(bins)
    last = len(edges) - 2
    groups: list[list[tuple[float, float]]] = [[] for _ in range(last + 1)]
    for p, o in zip(probabilities, outcomes, strict=True):
        if o is None:
            continue  # annulled
        p = _check_probability(p)
        groups[min(bisect.bisect_right(edges, p) - 1, last)].append((p, _check_outcome(o)))
    return edges, groups


def calibration_table(
    probabilities: Sequence[float],
    outcomes: Sequence[float | None],
    *,
    bins: int | Sequence[float] = 10,
    z: float = WILSON_Z,
) -> tuple[CalibrationBin, ...]:
    """Calibration table: one row per bin, in order, empty bins included.

    ``bins`` is a number of equal bins over [0, 1] or the bin edges (from 0 to 1). Pairs whose
    outcome is ``None`` (annulled) are skipped.
    """
    edges, groups = _binned(probabilities, outcomes, bins)
    rows = []
    for k, group in enumerate(groups):
        if not group:
            rows.append(CalibrationBin(edges[k], edges[k + 1], 0, None, None, None, None))
            continue
        count = len(group)
        observed = min(1.0, math.fsum(o for _, o in group) / count)
        low, high = wilson_interval(observed, count, z=z)
        rows.append(
            CalibrationBin(
                lower=edges[k],
                upper=edges[k + 1],
                count=count,
                mean_forecast=min(1.0, math.fsum(p for p, _ in group) / count),
                observed_frequency=observed,
                wilson_low=low,
                wilson_high=high,
            )
        )
    return tuple(rows)


def brier_decomposition(
    probabilities: Sequence[float],
    outcomes: Sequence[float | None],
    *,
    bins: int | Sequence[float] = 10,
) -> BrierDecomposition:
    """Murphy decomposition with Stephenson et al.'s within-bin terms; exact for any binning.

    Pairs whose outcome is ``None`` (annulled) are skipped. Raises ``ValueError`` if no pair is
    left.
    """
    _, groups = _binned(probabilities, outcomes, bins)
    pairs = [pair for group in groups for pair in group]
    n = len(pairs)
    if n == 0:
        raise ValueError("no scored forecasts to decompose")
    o_mean = math.fsum(o for _, o in pairs) / n
    reliability = []
    resolution = []
    variance: list[float] = []
    covariance: list[float] = []
    for group in groups:
        if not group:
            continue
        count = len(group)
        p_bin = math.fsum(p for p, _ in group) / count
        o_bin = math.fsum(o for _, o in group) / count
        reliability.append(count * (p_bin - o_bin) ** 2)
        resolution.append(count * (o_bin - o_mean) ** 2)
        variance.extend((p - p_bin) ** 2 for p, _ in group)
        covariance.extend((p - p_bin) * (o - o_bin) for p, o in group)
    return BrierDecomposition(
        n=n,
        brier=math.fsum((p - o) ** 2 for p, o in pairs) / n,
        reliability=math.fsum(reliability) / n,
        resolution=math.fsum(resolution) / n,
        uncertainty=math.fsum((o - o_mean) ** 2 for _, o in pairs) / n,
        within_bin_variance=math.fsum(variance) / n,
        within_bin_covariance=math.fsum(covariance) / n,
    )


class CalibrationAccumulator:
    """Calibration table and Brier decomposition from pairs fed one at a time.

    Keeps, per bin, the count and exact sums of ``p``, ``o``, ``p^2``, ``o^2`` and ``p o``
    (pairs wait in a short list and are folded in a batch at a time), so memory is constant
    however many forecasts stream through, and the result does not depend on the order of the
    pairs or of merged accumulators. The results equal :func:`calibration_table` and
    :func:`brier_decomposition` on the same pairs (to rounding), using
    ``WBV_k = S_pp - n_k pbar_k^2``, ``WBC_k = S_po - n_k pbar_k obar_k`` and
    ``UNC = (S_oo - N obar^2) / N``.
    """

    def __init__(self, *, bins: int | Sequence[float] = 10) -> None:
        self._edges = _edges(bins)
        self._last = len(self._edges) - 2
        self._counts = [0] * (self._last + 1)
        self._units = [[0] * 5 for _ in range(self._last + 1)]
        self._pending: list[tuple[float, float]] = []

    def add(self, p: float, o: float | None) -> None:
        """Add one (forecast, outcome) pair; annulled (``None``) outcomes are skipped."""
        if o is None:
            return
        if not (0.0 <= p <= 1.0 and 0.0 <= o <= 1.0):  # the checks, inline: a hot path
            _check_probability(p)
            _check_outcome(o)
        self.add_valid(p, o)

    def add_valid(self, p: float, o: float) -> None:
        """:meth:`add` without the checks, for a pair known valid (from a QuestionScore)."""
        self._pending.append((p, o))
        if len(self._pending) >= _PENDING_LIMIT:
            self._fold()

    def add_columns(self, columns: ScoreColumns) -> None:
        """Add a question's (final probability, outcome) pairs: valid by construction."""
        self._pending.extend(columns.pairs)
        if len(self._pending) >= _PENDING_LIMIT:
            self._fold()

    def _fold(self) -> None:
        pending = self._pending
        if not pending:
            return
        self._pending = []
        pending.sort()  # by forecast: each bin is then one slice
        start = 0
        for k in range(self._last + 1):
            end = (len(pending) if k == self._last
                   else bisect.bisect_left(pending, (self._edges[k + 1],), lo=start))
            if end > start:
                pairs = pending[start:end]
                self._counts[k] += end - start
                units = self._units[k]
                units[0] += _exact_units([p for p, _ in pairs])
                units[2] += _exact_units([p * p for p, _ in pairs])
                # A yes (o = 1) adds 1 to the sums of o and o^2 and p to that of p o; a no adds
                # nothing to them: only partial outcomes need the exact sums of o and o^2.
                products = [p for p, o in pairs if o == 1.0]
                units[1] += len(products) * _UNIT
                units[3] += len(products) * _UNIT
                partial = [(p, o) for p, o in pairs if 0.0 < o < 1.0]
                if partial:
                    products += [p * o for p, o in partial]
                    units[1] += _exact_units([o for _, o in partial])
                    units[3] += _exact_units([o * o for _, o in partial])
                units[4] += _exact_units(products)
            start = end

    def __getstate__(self) -> dict[str, object]:
        """Folded first: an accumulator sent to another process carries only its sums."""
        self._fold()
        return self.__dict__

    def merge(self, other: CalibrationAccumulator) -> None:
        """Add another accumulator's pairs (same bins), e.g. from a parallel shard."""
        if other._edges != self._edges:
            raise ValueError("cannot merge calibration accumulators with different bins")
        self._fold()
        other._fold()
        for k, count in enumerate(other._counts):
            self._counts[k] += count
            self._units[k] = [a + b for a, b in zip(self._units[k], other._units[k], strict=True)]

    def _bins(self) -> list[tuple[int, int, list[float]]]:
        self._fold()
        return [
            (k, count, [total / _UNIT for total in self._units[k]])
            for k, count in enumerate(self._counts)
            if count
        ]

    def table(self, *, z: float = WILSON_Z) -> tuple[CalibrationBin, ...]:
        rows = [
            CalibrationBin(self._edges[k], self._edges[k + 1], 0, None, None, None, None)
            for k in range(self._last + 1)
        ]
        for k, count, (s_p, s_o, *_rest) in self._bins():
            observed = min(1.0, max(0.0, s_o / count))
            low, high = wilson_interval(observed, count, z=z)
            rows[k] = CalibrationBin(
                self._edges[k], self._edges[k + 1], count,
                min(1.0, max(0.0, s_p / count)), observed, low, high,
            )
        return tuple(rows)

    def decomposition(self) -> BrierDecomposition | None:
        """The decomposition of everything added, or ``None`` if nothing was."""
        bins = self._bins()
        n = sum(count for _, count, _ in bins)
        if n == 0:
            return None
        o_mean = math.fsum(sums[1] for _, _, sums in bins) / n
        brier, rel, res, wbv, wbc, s_oo = [], [], [], [], [], []
        for _, count, (s_p, s_o, s_pp, s_oo_k, s_po) in bins:
            p_bin, o_bin = s_p / count, s_o / count
            brier.append(s_pp - 2.0 * s_po + s_oo_k)
            rel.append(count * (p_bin - o_bin) ** 2)
            res.append(count * (o_bin - o_mean) ** 2)
            wbv.append(s_pp - count * p_bin * p_bin)
            wbc.append(s_po - count * p_bin * o_bin)
            s_oo.append(s_oo_k)
        return BrierDecomposition(
            n=n,
            brier=math.fsum(brier) / n,
            reliability=math.fsum(rel) / n,
            resolution=math.fsum(res) / n,
            # Variances: from sums of squares they can come out a hair below zero, which
            # would print as -0.0000.
            uncertainty=max(0.0, (math.fsum(s_oo) - n * o_mean * o_mean) / n),
            within_bin_variance=max(0.0, math.fsum(wbv) / n),
            within_bin_covariance=math.fsum(wbc) / n,
        )
