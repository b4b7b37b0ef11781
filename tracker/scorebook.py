"""Feeds the database to the pure scoring module: resolved claims as of a date, streamed.

Set-based SQL picks the claims whose latest state (as of T) is a scoring resolution, then
streams their forecasts ordered by claim, so one question is in memory at a time: memory grows
with claims and reviewers, never with the number of forecasts.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from itertools import groupby
from typing import Any, Literal

from sqlalchemy import Engine, Select, func, select
from sqlalchemy.orm import Session

from tracker import scoring
from tracker.db import make_engine
from tracker.horizons import start_of_day
from tracker.models import (
    Claim,
    ClaimTag,
    Forecast,
    Resolution,
    Reviewer,
    Source,
)
from tracker.queries import definitions_as_of, state_events_as_of
from tracker.vocabulary import CLOSED_STATUSES, Outcome, Status

Grouping = Literal["reviewer", "source", "tag", "period"]
GROUPINGS: tuple[Grouping, ...] = ("reviewer", "source", "tag", "period")


@dataclass(frozen=True)
class ResolvedClaim:
    """A claim that counts for scoring as of some date, with what grouping needs."""

    claim_id: int
    slug: str
    source: str | None
    tags: tuple[str, ...]
    made_on: date | None
    opened_at: datetime
    resolved_at: datetime
    outcome: float
    implied_confidence: float | None

    @property
    def period(self) -> str:
        quarter = (self.resolved_at.month - 1) // 3 + 1
        return f"{self.resolved_at.year}-Q{quarter}"


@dataclass(frozen=True)
class ScoreRow:
    """One leaderboard line: a reviewer, source, tag or period and its mean scores."""

    key: str
    n: int
    brier: float
    brier_time_averaged: float
    log: float
    baseline: float
    peer: float
    relative_brier: float | None
    coverage: float
    calibration: tuple[scoring.CalibrationBin, ...]


@dataclass(frozen=True)
class Leaderboard:
    by: Grouping
    as_of: datetime | None
    rows: tuple[ScoreRow, ...]
    calibration: tuple[scoring.CalibrationBin, ...]
    decomposition: scoring.BrierDecomposition | None
    resolved_claims: int


def _closing_statuses(include_annulled: bool) -> list[str]:
    return sorted(status.value for status in CLOSED_STATUSES
                  if include_annulled or status is not Status.ANNULLED)


def scoring_resolutions(as_of: datetime | None, *, include_annulled: bool = False
                        ) -> Select[Any]:
    """Per claim, the resolution in force at `as_of` (its latest state event), if it scores
    (or, with `include_annulled`, also when it was annulled)."""
    if as_of is None:
        # Now: the cached status says which claims are closed; their last resolution rules.
        latest = (
            select(Resolution.claim_id, func.max(Resolution.version).label("version"))
            .join(Claim, Claim.id == Resolution.claim_id)
            .where(Claim.status.in_(_closing_statuses(include_annulled)))
            .group_by(Resolution.claim_id)
            .subquery()
        )
    else:
        states = state_events_as_of(as_of)
        latest = select(states.c.claim_id, states.c.version).subquery()
    query = select(Resolution).join(
        latest,
        (latest.c.claim_id == Resolution.claim_id) & (latest.c.version == Resolution.version),
    )
    if include_annulled:
        return query
    return query.where(Resolution.outcome != Outcome.ANNULLED.value)


def resolved_claims(session: Session, as_of: datetime | None) -> dict[int, ResolvedClaim]:
    """Every claim that scores as of `as_of`, keyed by claim id (one row per claim)."""
    resolution = scoring_resolutions(as_of).subquery()
    rows = session.connection().execute(
        select(
            Claim.id, Claim.slug, Source.key, Claim.made_on, Claim.created_at,
            Claim.implied_confidence, resolution.c.value, resolution.c.observed_on,
            resolution.c.recorded_at,
        )
        .join(resolution, resolution.c.claim_id == Claim.id)
        .outerjoin(Source, Source.id == Claim.source_id)
    ).all()
    tags: dict[int, list[str]] = {}
    if rows:
        for claim_id, tag in session.connection().execute(
            select(ClaimTag.claim_id, ClaimTag.tag)
            .join(resolution, resolution.c.claim_id == ClaimTag.claim_id)
            .order_by(ClaimTag.claim_id, ClaimTag.tag)
        ):
            tags.setdefault(claim_id, []).append(tag)
    past = {} if as_of is None else definitions_as_of(session, (row[0] for row in rows), as_of)
    claims: dict[int, ResolvedClaim] = {}
    for claim_id, slug, source, made_on, created_at, confidence, value, observed, recorded in rows:
        claim_tags = tuple(tags.get(claim_id, ()))
        if claim_id in past:  # the definition as it stood then, not as edited since
            old = past[claim_id]
            source, claim_tags = old.source, old.tags
            made_on, confidence = old.made_on, old.implied_confidence
        resolved_at = start_of_day(observed) if observed else recorded
        opened_at = start_of_day(made_on) if made_on else created_at
        claims[claim_id] = ResolvedClaim(
            claim_id=claim_id, slug=slug, source=source, tags=claim_tags,
            made_on=made_on, opened_at=min(opened_at, resolved_at), resolved_at=resolved_at,
            outcome=value, implied_confidence=confidence,
        )
    return claims


def questions(
    session: Session, claims: dict[int, ResolvedClaim], as_of: datetime | None,
    shard: tuple[int, int] | None = None,
) -> Iterator[tuple[ResolvedClaim, scoring.Question]]:
    """Each resolved claim with its forecasts (recorded by `as_of`), one claim at a time;
    with `shard=(index, count)` only the claims whose id modulo count is index."""
    names = dict(session.execute(select(Reviewer.id, Reviewer.name)).all())
    query = select(Forecast.claim_id, Forecast.reviewer_id, Forecast.probability,
                   Forecast.made_at)
    if as_of is None:
        query = query.join(Claim, Claim.id == Forecast.claim_id).where(
            Claim.status.in_(_closing_statuses(include_annulled=False))
        )
    else:
        resolution = scoring_resolutions(as_of).subquery()
        query = query.join(resolution, resolution.c.claim_id == Forecast.claim_id).where(
            Forecast.recorded_at <= as_of
        )
    if shard is not None:
        query = query.where(Forecast.claim_id % shard[1] == shard[0])
    query = query.order_by(Forecast.claim_id).execution_options(stream_results=True)
    rows_by_claim = session.connection().execute(query)  # Core rows: no ORM overhead
    for claim_id, rows in groupby(rows_by_claim, key=lambda row: row[0]):
        claim = claims[claim_id]
        yield claim, scoring.Question(
            key=claim.slug, opened_at=claim.opened_at, resolved_at=claim.resolved_at,
            outcome=claim.outcome,
            forecasts=[scoring.Forecast(names[reviewer], probability, made_at)
                       for _, reviewer, probability, made_at in rows],
        )


def _group_keys(by: Grouping, claim: ResolvedClaim, score: scoring.QuestionScore) -> list[str]:
    if by == "reviewer":
        return [score.forecaster]
    if by == "tag":
        return list(claim.tags)
    if by == "period":
        return [claim.period]
    return [claim.source or "(no source)"]


class _Group:
    """Scores and calibration sums for one leaderboard row."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.scores = scoring.ScoreAccumulator()
        self.calibration = scoring.CalibrationAccumulator()

    def add(self, score: scoring.QuestionScore) -> None:
        if score.forecaster != self.key:
            score = replace(score, forecaster=self.key)
        self.scores.add((score,))
        self.calibration.add(score.final_probability, score.outcome)


def _group(groups: dict[str, _Group], key: str) -> _Group:
    group = groups.get(key)
    if group is None:
        group = groups[key] = _Group(key)
    return group


def leaderboard(engine: Engine, by: Grouping = "reviewer", as_of: datetime | None = None
                ) -> Leaderboard:
    """Scores grouped by reviewer, by tag or period of the claims they forecast, or by source
    (the source graded like a forecaster on its implied confidence)."""
    return leaderboards(engine, (by,), as_of)[by]


# Above this many resolved claims, forecasts are scored in two processes (the work is CPU
# bound Python); below it, starting a second process costs more than it saves. The shard count
# is fixed, not the machine's core count, so results do not depend on the machine.
PARALLEL_THRESHOLD = 20_000
SHARDS = 2


@dataclass
class _Tallies:
    """Everything one pass accumulates: per grouping, its rows and overall calibration."""

    groups: dict[Grouping, dict[str, _Group]]
    overall: dict[Grouping, scoring.CalibrationAccumulator]

    @classmethod
    def empty(cls, groupings: tuple[Grouping, ...]) -> _Tallies:
        return cls({by: {} for by in groupings},
                   {by: scoring.CalibrationAccumulator() for by in groupings})

    def merge(self, other: _Tallies) -> None:
        for by, groups in other.groups.items():
            for key, group in groups.items():
                mine = _group(self.groups[by], key)
                mine.scores.merge(group.scores)
                mine.calibration.merge(group.calibration)
            self.overall[by].merge(other.overall[by])


def leaderboards(engine: Engine, groupings: tuple[Grouping, ...],
                 as_of: datetime | None = None) -> dict[Grouping, Leaderboard]:
    """Several groupings from one pass over the forecasts (reports need them all)."""
    tallies = _Tallies.empty(groupings)
    by_forecasts = tuple(by for by in groupings if by != "source")
    with Session(engine) as session:
        claims = resolved_claims(session, as_of)
        if "source" in groupings:
            _grade_sources(claims, tallies.groups["source"], tallies.overall["source"])
        parallel = len(claims) >= PARALLEL_THRESHOLD and _shareable(engine)
        if by_forecasts and not parallel:
            _score_forecasts(session, claims, as_of, by_forecasts, tallies, shard=None)
    if by_forecasts and parallel:
        url = engine.url.render_as_string(hide_password=False)
        # "spawn", not "fork": the app calls this from a worker thread, and forking a
        # threaded process can deadlock.
        context = multiprocessing.get_context("spawn")
        with context.Pool(SHARDS) as pool:
            parts = pool.starmap(_score_shard, [(url, as_of, by_forecasts, (index, SHARDS))
                                                for index in range(SHARDS)])
        for part in parts:
            tallies.merge(part)
    return {
        by: Leaderboard(
            by=by, as_of=as_of, rows=_rows(tallies.groups[by]),
            calibration=tallies.overall[by].table(),
            decomposition=tallies.overall[by].decomposition(), resolved_claims=len(claims),
        )
        for by in groupings
    }


def _shareable(engine: Engine) -> bool:
    """Whether another process can open the same database (not an in-memory SQLite one)."""
    return not (engine.dialect.name == "sqlite"
                and engine.url.database in (None, "", ":memory:"))


def _score_shard(url: str, as_of: datetime | None, groupings: tuple[Grouping, ...],
                 shard: tuple[int, int]) -> _Tallies:
    """One process's share: the claims whose id falls in its shard."""
    engine = make_engine(url)
    try:
        tallies = _Tallies.empty(groupings)
        with Session(engine) as session:
            claims = resolved_claims(session, as_of)
            _score_forecasts(session, claims, as_of, groupings, tallies, shard)
        return tallies
    finally:
        engine.dispose()


def _score_forecasts(session: Session, claims: dict[int, ResolvedClaim],
                     as_of: datetime | None, groupings: tuple[Grouping, ...],
                     tallies: _Tallies, shard: tuple[int, int] | None) -> None:
    for claim, question in questions(session, claims, as_of, shard):
        for score in scoring.score_question(question):
            for by in groupings:
                tallies.overall[by].add(score.final_probability, score.outcome)
                for key in _group_keys(by, claim, score):
                    _group(tallies.groups[by], key).add(score)


def _rows(groups: dict[str, _Group]) -> tuple[ScoreRow, ...]:
    rows = []
    for key in sorted(groups):
        summary = groups[key].scores.summary(key)
        if summary is not None:
            rows.append(_row(summary, groups[key].calibration.table()))
    return tuple(rows)


def _grade_sources(claims: dict[int, ResolvedClaim], groups: dict[str, _Group],
                   overall: scoring.CalibrationAccumulator) -> None:
    for claim in claims.values():
        if claim.implied_confidence is None or claim.made_on is None:
            continue
        key = claim.source or "(no source)"
        score = scoring.score_source_claim(
            key, scoring.SourceClaim(claim.slug, claim.made_on, claim.implied_confidence,
                                     claim.outcome),
        )
        if score is None:
            continue
        _group(groups, key).add(score)
        overall.add(score.final_probability, score.outcome)


def _row(summary: scoring.ForecasterSummary, calibration: tuple[scoring.CalibrationBin, ...]
         ) -> ScoreRow:
    return ScoreRow(
        key=summary.forecaster, n=summary.n, brier=summary.brier,
        brier_time_averaged=summary.brier_time_averaged, log=summary.log,
        baseline=summary.baseline, peer=summary.peer, relative_brier=summary.relative_brier,
        coverage=summary.coverage, calibration=calibration,
    )
