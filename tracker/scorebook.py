"""Feeds the database to the pure scoring module: resolved claims as of a date, streamed.

Set-based SQL picks the claims whose latest state (as of T) is a scoring resolution, then
streams their forecasts ordered by claim, so one question is in memory at a time: memory grows
with claims and reviewers, never with the number of forecasts.
"""

from __future__ import annotations

import gc
import multiprocessing
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from itertools import groupby
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Engine,
    Row,
    Select,
    func,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from tracker import scoring
from tracker.db import make_engine
from tracker.horizons import as_utc
from tracker.models import (
    Claim,
    ClaimRevision,
    ClaimTag,
    Forecast,
    Resolution,
    Source,
    StatusChange,
)
from tracker.queries import ReviewerNames, definitions_as_of, state_events_as_of
from tracker.vocabulary import CLOSED_STATUSES, Outcome, Status

Grouping = Literal["reviewer", "source", "tag", "period"]
GROUPINGS: tuple[Grouping, ...] = ("reviewer", "source", "tag", "period")
COMPARED_GROUPINGS: frozenset[Grouping] = frozenset({"reviewer"})
"""The groupings whose rows get peer and relative Brier scores. A tag or period row pools
every forecaster of its claims, whose peer scores sum to zero at each instant and whose
relative Briers cancel (exactly, with two of them): its mean would read as a finding where
there is none. A source is graded alone, with nobody to compare it with."""


@dataclass(slots=True)
class ResolvedClaim:
    """A claim that counts for scoring as of some date, with what grouping needs. Not frozen:
    one is built per resolved claim, and a frozen dataclass costs several times as much to
    build. Treat it as a value all the same."""

    claim_id: int
    slug: str
    source: str | None
    tags: tuple[str, ...]
    made_on: date | None
    opened_at: datetime
    resolved_at: datetime
    """Both as the database hands datetimes back, so forecasts compare with them as read: naive
    UTC from SQLite, aware UTC from PostgreSQL."""
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
    peer: float | None
    relative_brier: float | None
    """Peer and relative Brier compare a forecaster with the others on the same claim: `None`
    on rows that are not one forecaster's (see `COMPARED_GROUPINGS`), and for a forecaster
    nobody else forecast beside."""
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


def _closed_claims(ids: tuple[int, int] | None, include_annulled: bool = False
                   ) -> list[ColumnElement[bool]]:
    """Conditions on `Claim` for the closed claims (by the cached status), within `ids`."""
    conditions: list[ColumnElement[bool]] = [
        Claim.status.in_(_closing_statuses(include_annulled))]
    if ids is not None:
        conditions.append(Claim.id.between(*ids))
    return conditions


def scoring_resolutions(as_of: datetime | None, *, include_annulled: bool = False,
                        ids: tuple[int, int] | None = None) -> Select[Any]:
    """Per claim, the resolution in force at `as_of` (its latest state event), if it scores
    (or, with `include_annulled`, also when it was annulled); with `ids=(first, last)` only
    for the claims with ids in that range."""
    if as_of is None:
        # Now: the cached status says which claims are closed; their last resolution rules.
        latest = (
            select(Resolution.claim_id, func.max(Resolution.version).label("version"))
            .join(Claim, Claim.id == Resolution.claim_id)
            .where(*_closed_claims(ids, include_annulled))
            .group_by(Resolution.claim_id)
            .subquery()
        )
    else:
        states = state_events_as_of(as_of, ids)
        latest = select(states.c.claim_id, states.c.version).subquery()
    query = select(Resolution).join(
        latest,
        (latest.c.claim_id == Resolution.claim_id) & (latest.c.version == Resolution.version),
    )
    if include_annulled:
        return query
    return query.where(Resolution.outcome != Outcome.ANNULLED.value)


def outcome_moment(observed_on: date | None, recorded_at: datetime,
                   midnight: time = time(0, tzinfo=UTC)) -> datetime:
    """When a claim's outcome counts as known, for scoring: the observed day from its start,
    else the moment the resolution was recorded. Forecasts made from then on do not count.
    (`midnight` naive for the naive datetimes SQLite rows are read as.)"""
    return datetime.combine(observed_on, midnight) if observed_on else recorded_at


def unscored_after(observed_on: date, made: Iterable[datetime]) -> int:
    """How many of the forecasts made at `made` an outcome observed on `observed_on` leaves
    unscored (`outcome_moment`: made from that day's start on). Said before it is recorded."""
    known = datetime.combine(observed_on, time(0, tzinfo=UTC))
    return sum(1 for moment in made if as_utc(moment) >= known)


def resolved_claims(session: Session, as_of: datetime | None,
                    ids: tuple[int, int] | None = None) -> dict[int, ResolvedClaim]:
    """Every claim that scores as of `as_of` (with `ids=(first, last)`: among the claims with
    ids in that range), keyed by claim id."""
    resolution = scoring_resolutions(as_of, ids=ids).subquery()
    naive = session.get_bind().dialect.name == "sqlite"
    midnight = time(0, tzinfo=None if naive else UTC)
    claims_query = (
        select(
            Claim.id, Claim.slug, Source.key, Claim.made_on, _as_read(Claim.created_at),
            Claim.implied_confidence, resolution.c.value, resolution.c.observed_on,
            _as_read(resolution.c.recorded_at),
        )
        .join(resolution, resolution.c.claim_id == Claim.id)
        .outerjoin(Source, Source.id == Claim.source_id)
    )
    tags_query = (
        select(ClaimTag.claim_id, ClaimTag.tag)
        .join(resolution, resolution.c.claim_id == ClaimTag.claim_id)
        .order_by(ClaimTag.claim_id, ClaimTag.tag)
    )
    if ids is not None:
        claims_query = claims_query.where(Claim.id.between(*ids))
        tags_query = tags_query.where(ClaimTag.claim_id.between(*ids))
    rows = session.connection().execute(claims_query).all()
    tags: dict[int, list[str]] = {}
    if rows:
        for claim_id, tag in session.connection().execute(tags_query):
            tags.setdefault(claim_id, []).append(tag)
    past = {} if as_of is None else definitions_as_of(session, (row[0] for row in rows), as_of)
    claims: dict[int, ResolvedClaim] = {}
    for claim_id, slug, source, made_on, created_at, confidence, value, observed, recorded in rows:
        claim_tags = tuple(tags.get(claim_id, ()))
        if claim_id in past:  # the definition as it stood then, not as edited since
            old = past[claim_id]
            source, claim_tags = old.source, old.tags
            made_on, confidence = old.made_on, old.implied_confidence
        if not naive:
            created_at, recorded = as_utc(created_at), as_utc(recorded)
        resolved_at = outcome_moment(observed, recorded, midnight)
        opened_at = datetime.combine(made_on, midnight) if made_on else created_at
        claims[claim_id] = ResolvedClaim(
            claim_id=claim_id, slug=slug, source=source, tags=claim_tags,
            made_on=made_on, opened_at=min(opened_at, resolved_at), resolved_at=resolved_at,
            outcome=value, implied_confidence=confidence,
        )
    return claims


def scored_claims(
    session: Session, claims: dict[int, ResolvedClaim], as_of: datetime | None,
    ids: tuple[int, int] | None = None, *, replay: bool = True,
) -> Iterator[tuple[ResolvedClaim, tuple[scoring.QuestionScore, ...]]]:
    """Each of `claims` with its forecasters' scores (forecasts recorded by `as_of`), one
    claim at a time; with `ids=(first, last)` only the claims with ids in that range.
    `replay=False` when the current state is the state as of `as_of` (see
    `nothing_recorded_after`). Forecasts stay plain rows: no object per forecast."""
    names = ReviewerNames(session)
    query = select(Forecast.claim_id, Forecast.reviewer_id, Forecast.probability,
                   _as_read(Forecast.made_at))
    if as_of is None or not replay:
        # IN, not JOIN: SQLite then walks the forecasts' claim index in order, sorting
        # only forecasts made at the same moment.
        query = query.where(Forecast.claim_id.in_(select(Claim.id).where(*_closed_claims(ids))))
    else:
        resolution = scoring_resolutions(as_of, ids=ids).subquery()
        query = query.join(resolution, resolution.c.claim_id == Forecast.claim_id)
    if as_of is not None:
        query = query.where(Forecast.recorded_at <= as_of)
    if ids is not None:
        query = query.where(Forecast.claim_id.between(*ids))
    # Two forecasts of one reviewer made at the same moment: the one recorded later is the
    # last one made, in every database (row order alone differs between them).
    query = query.order_by(Forecast.claim_id, Forecast.made_at, Forecast.recorded_at,
                           Forecast.uuid).execution_options(stream_results=True)
    rows_by_claim = session.connection().execute(query)  # Core rows: no ORM overhead
    for claim_id, rows in groupby(rows_by_claim, key=_claim_of):
        claim = claims.get(claim_id)
        if claim is None:  # closed by a writer since `claims` was read (PostgreSQL)
            continue
        yield claim, scoring.score_forecasts(
            claim.slug, claim.outcome, claim.opened_at, claim.resolved_at,
            [(names[reviewer], probability, made) for _, reviewer, probability, made in rows],
        )


def _claim_of(row: Row[int, int, float, datetime]) -> int:
    return int(row[0])


def _as_read(column: Any) -> Any:
    """`column` without the UTC decorator's per-row work (a hot path): naive UTC datetimes
    from SQLite, aware ones from PostgreSQL."""
    return type_coerce(column, DateTime(timezone=True))


def _claim_keys(by: Grouping, claim: ResolvedClaim) -> tuple[str, ...]:
    """The rows all of a claim's forecast scores count in, by tag or by period (by reviewer,
    each score has its own; a source is graded on its own wording, `_grade_sources`)."""
    return claim.tags if by == "tag" else (claim.period,)


def leaderboard(engine: Engine, by: Grouping = "reviewer", as_of: datetime | None = None
                ) -> Leaderboard:
    """Scores grouped by reviewer, by tag or period of the claims they forecast, or by source
    (the source graded like a forecaster on its implied confidence)."""
    return leaderboards(engine, (by,), as_of)[by]


def only_sources_scored(engine: Engine, board: Leaderboard) -> bool:
    """Whether `board` is empty while the sources have scores: a source is graded on the
    confidence its wording implied, so a database of claims read from reports has source
    scores before anyone has forecast (the shipped claims do)."""
    if board.rows or board.by == "source":
        return False
    return bool(leaderboard(engine, "source", board.as_of).rows)


# With this many resolutions in the database or more, a second process scores part of the claims
# (the work is CPU-bound Python); below it, starting a process costs more than it saves. The
# split is by claim id and the sums are exact, so results are the same bit for bit however the
# work is split.
NO_SOURCE = "(no source)"
"""The source row of claims that name none."""
PARALLEL_THRESHOLD = 20_000
SMALLEST_CHUNK = 1 / 64
"""Both processes take chunks of the claim id range until none is left, the largest first: so
they finish within one small chunk of each other whatever else either does meanwhile (a
report's own queries) or the machine's other load, at the cost of a few queries per chunk."""


@dataclass
class _Tallies:
    """Everything one pass accumulates: per grouping, its rows; and the overall calibration
    of the reviewers' forecasts (the same for every grouping of them) and of the sources."""

    groups: dict[Grouping, scoring.ScoreAccumulator]
    """Per grouping, its rows' scores and calibration, keyed by the row's key."""
    forecasts: scoring.CalibrationAccumulator
    sources: scoring.CalibrationAccumulator

    @classmethod
    def empty(cls, groupings: tuple[Grouping, ...]) -> _Tallies:
        return cls({by: scoring.ScoreAccumulator(calibrated=True) for by in groupings},
                   scoring.CalibrationAccumulator(), scoring.CalibrationAccumulator())

    def overall(self, by: Grouping) -> scoring.CalibrationAccumulator:
        """The calibration of all of a grouping's pairs. Every scored forecast is in exactly
        one reviewer row, so with reviewer rows the forecasts' overall calibration is theirs
        merged (exact sums: the same as adding each pair once more, for less work)."""
        if by == "source":
            return self.sources
        if "reviewer" not in self.groups:
            return self.forecasts
        reviewers = self.groups["reviewer"]
        overall = scoring.CalibrationAccumulator()
        for key in reviewers.forecasters():
            overall.merge(reviewers.calibration(key))
        return overall

    def merge(self, other: _Tallies) -> None:
        for by, groups in other.groups.items():
            self.groups[by].merge(groups)
        self.forecasts.merge(other.forecasts)
        self.sources.merge(other.sources)


def leaderboards(engine: Engine, groupings: tuple[Grouping, ...],
                 as_of: datetime | None = None) -> dict[Grouping, Leaderboard]:
    """Several groupings from one pass over the forecasts (reports need them all)."""
    with ScoringRun(engine, groupings, as_of) as run:
        return run.finish()


class ScoringRun:
    """Leaderboards being computed. On a large database a second process starts scoring
    chunks of the claims at once, so the caller can do other work (a report's other queries)
    before `finish()` scores the chunks still left here and merges.
    """

    def __init__(self, engine: Engine, groupings: tuple[Grouping, ...],
                 as_of: datetime | None = None) -> None:
        self.engine, self.groupings, self.as_of = engine, groupings, as_of
        self._pool: Any = None
        self._helper: Any = None
        self.chunks: list[tuple[int, int] | None] = [None]
        """Id ranges to score (`None`: every claim), taken in order by either process."""
        self._taken: Any = None
        with Session(engine) as session:
            self.nothing_after = as_of is None or nothing_recorded_after(session, as_of)
            """Whether nothing scoring reads (forecasts included) was recorded after `as_of`."""
            self.replay = not self.nothing_after
            first, last, resolutions = session.execute(
                select(select(func.min(Claim.id)).scalar_subquery(),
                       select(func.max(Claim.id)).scalar_subquery(),
                       select(func.count()).select_from(Resolution).scalar_subquery())
            ).one()
        if resolutions >= PARALLEL_THRESHOLD and _shareable(engine) and first < last:
            self.chunks = list(id_ranges(first, last))
            context = _process_context()
            self._taken = context.Value("i", 0)
            url = engine.url.render_as_string(hide_password=False)
            self._pool = context.Pool(1, initializer=_adopt_counter, initargs=(self._taken,))
            self._helper = self._pool.apply_async(
                _score_helper, (url, as_of, self.replay, groupings, self.chunks))

    def __enter__(self) -> ScoringRun:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()

    def finish(self) -> dict[Grouping, Leaderboard]:
        """Score the chunks left, wait for the other process, and build the leaderboards."""
        tallies, claims = _score_chunks(self.engine, self.as_of, self.replay, self.groupings,
                                        self.chunks, self._taken)
        if self._helper is not None:
            theirs, their_claims = self._helper.get()
            tallies.merge(theirs)
            claims += their_claims
        boards = {}
        for by in self.groupings:
            overall = tallies.overall(by)
            boards[by] = Leaderboard(
                by=by, as_of=self.as_of, rows=_rows(tallies.groups[by], by in COMPARED_GROUPINGS),
                calibration=overall.table(), decomposition=overall.decomposition(),
                resolved_claims=claims,
            )
        return boards


def _process_context() -> multiprocessing.context.BaseContext:
    """"fork" when it is safe (Linux, a single thread: the CLI), which starts the second process
    at once; otherwise "spawn", which imports everything anew (half a second) but cannot
    deadlock on a lock another thread held at the fork (the app scores in a worker thread)."""
    if sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def nothing_recorded_after(session: Session, as_of: datetime) -> bool:
    """Whether the log holds nothing that scoring reads recorded after `as_of`; then the state
    as of `as_of` is the current one and need not be replayed from the log."""
    latest = [
        select(func.max(column)).scalar_subquery()
        for column in (Claim.created_at, Claim.changed_at, ClaimRevision.recorded_at,
                       StatusChange.recorded_at, Resolution.recorded_at, Forecast.recorded_at)
    ]
    moments = session.execute(select(*latest)).one()
    return all(moment is None or moment <= as_of for moment in moments)


def _shareable(engine: Engine) -> bool:
    """Whether another process can open the same database (not an in-memory SQLite one)."""
    return not (engine.dialect.name == "sqlite"
                and engine.url.database in (None, "", ":memory:"))


def id_ranges(first: int, last: int, workers: int = 2) -> Iterator[tuple[int, int]]:
    """`[first, last]` in consecutive ranges, each a `1/(2 workers)` of what is left but at
    least `SMALLEST_CHUNK` of the whole: large ones first, small ones to even out the end."""
    smallest = max(1, int((last - first + 1) * SMALLEST_CHUNK))
    start = first
    while start <= last:
        end = min(last, start + max(smallest, (last - start + 1) // (2 * workers)) - 1)
        yield start, end
        start = end + 1


def _score_chunks(engine: Engine, as_of: datetime | None, replay: bool,
                  groupings: tuple[Grouping, ...], chunks: list[tuple[int, int] | None],
                  taken: Any) -> tuple[_Tallies, int]:
    """Tallies of the chunks this process takes, and how many claims they scored. `taken` is
    the count of chunks taken, shared with the other process (`None`: no other process)."""
    tallies, scored = _Tallies.empty(groupings), 0
    by_forecasts = tuple(by for by in groupings if by != "source")
    with Session(engine) as session, _collector_paused():
        for ids in _take(chunks, taken):
            claims = resolved_claims(session, as_of if replay else None, ids)
            if "source" in groupings:
                _grade_sources(claims, tallies.groups["source"], tallies.sources)
            if by_forecasts:
                _score_forecasts(session, claims, as_of, replay, by_forecasts, tallies, ids)
            scored += len(claims)
    return tallies, scored


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's automatic cycle collection while scoring: the pass allocates millions of
    short-lived tuples without cycles, and walking them cost the collector ~8% of the time (0.97
    of 12.4 s measured). Only in a process's main thread: a worker thread of the app must not
    change the collector under the rest of the app."""
    if threading.current_thread() is not threading.main_thread() or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _take(chunks: list[tuple[int, int] | None], taken: Any
          ) -> Iterator[tuple[int, int] | None]:
    if taken is None:
        yield from chunks
        return
    while True:
        with taken.get_lock():
            index = taken.value
            taken.value = index + 1
        if index >= len(chunks):
            return
        yield chunks[index]


_helper_taken: Any = None
"""In the second process: the shared count of chunks taken (set as the process starts)."""


def _adopt_counter(taken: Any) -> None:
    global _helper_taken
    _helper_taken = taken


def _score_helper(url: str, as_of: datetime | None, replay: bool,
                  groupings: tuple[Grouping, ...], chunks: list[tuple[int, int] | None]
                  ) -> tuple[_Tallies, int]:
    """The second process's work (it opens the database itself)."""
    engine = make_engine(url)
    try:
        return _score_chunks(engine, as_of, replay, groupings, chunks, _helper_taken)
    finally:
        engine.dispose()


def _score_forecasts(session: Session, claims: dict[int, ResolvedClaim],
                     as_of: datetime | None, replay: bool, groupings: tuple[Grouping, ...],
                     tallies: _Tallies, ids: tuple[int, int] | None) -> None:
    # With reviewer rows, the overall calibration is theirs merged (see `_Tallies.overall`).
    overall = None if "reviewer" in groupings else tallies.forecasts
    by_reviewer = tallies.groups.get("reviewer")
    by_claim = [by for by in groupings if by != "reviewer"]
    for claim, scores in scored_claims(session, claims, as_of, ids, replay=replay):
        if not scores:
            continue
        if by_reviewer is not None:
            by_reviewer.add(scores)
        if by_claim or overall is not None:
            columns = scoring.ScoreColumns.of(scores)
            if overall is not None:
                overall.add_columns(columns)
            for by in by_claim:
                for key in _claim_keys(by, claim):
                    tallies.groups[by].add_columns_as(key, columns)


def _rows(groups: scoring.ScoreAccumulator, compared: bool) -> tuple[ScoreRow, ...]:
    rows = []
    for key in groups.forecasters():
        summary = groups.summary(key)
        if summary is not None:
            rows.append(_row(summary, groups.calibration(key).table(), compared))
    return tuple(rows)


def _grade_sources(claims: dict[int, ResolvedClaim], groups: scoring.ScoreAccumulator,
                   overall: scoring.CalibrationAccumulator) -> None:
    for claim in claims.values():
        if claim.implied_confidence is None or claim.made_on is None:
            continue
        key = claim.source or NO_SOURCE
        score = scoring.score_source_claim(
            key, scoring.SourceClaim(claim.slug, claim.made_on, claim.implied_confidence,
                                     claim.outcome),
        )
        if score is None:
            continue
        groups.add_as(key, score)
        overall.add(score.final_probability, score.outcome)


def _row(summary: scoring.ForecasterSummary, calibration: tuple[scoring.CalibrationBin, ...],
         compared: bool) -> ScoreRow:
    return ScoreRow(
        key=summary.forecaster, n=summary.n, brier=summary.brier,
        brier_time_averaged=summary.brier_time_averaged, log=summary.log,
        # Alone on every claim (no relative Brier anywhere), the peer score is 0 by definition.
        baseline=summary.baseline, peer=summary.peer if compared and summary.n_relative else None,
        relative_brier=summary.relative_brier if compared else None,
        coverage=summary.coverage, calibration=calibration,
    )
