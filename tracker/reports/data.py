"""Everything a report shows, as it was known at one instant: a frozen `ReportData`.

"As of T" means using only entries recorded by T, so a report for a past date is byte for byte
the same whenever it is produced. A claim's state at T is replayed from its log (the latest
status change or resolution recorded by T), and its definition (title, deadline, tags) is the
latest revision recorded by T.

Cost stays flat as the database grows: counts are set-based SQL, the score tables come from one
pass over the forecasts (`scorebook.leaderboards`), and only the capped lists (changes,
timelines, deadlines) load rows claim by claim.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    Subquery,
    and_,
    case,
    func,
    literal,
    select,
    union,
)
from sqlalchemy.orm import Session

from tracker import scoring
from tracker.definitions import ClaimDefinition, check_as_of
from tracker.errors import InvalidInput
from tracker.horizons import END_OF_DAY, as_of_text, as_utc, start_of_day, utc_now
from tracker.models import (
    Claim,
    ClaimRevision,
    Evidence,
    EvidenceRetraction,
    Forecast,
    Resolution,
    Reviewer,
    Source,
    StatusChange,
)
from tracker.queries import (
    definitions_as_of,
    id_chunks,
    latest_forecasts,
    state_events_as_of,
)
from tracker.scorebook import (
    NO_SOURCE,
    Grouping,
    Leaderboard,
    ScoreRow,
    ScoringRun,
    leaderboards,
)
from tracker.vocabulary import CLOSED_STATUSES, OPEN_STATUSES, Outcome, Status

__all__ = [
    "CHANGE_KINDS",
    "CHANGE_LIMIT",
    "DEADLINE_HORIZON_DAYS",
    "DEADLINE_LIMIT",
    "SCORE_GROUPINGS",
    "TIMELINE_LIMIT",
    "Change",
    "ChangeCounts",
    "Changes",
    "ClaimScore",
    "ClaimTimeline",
    "Convention",
    "DeadlineItem",
    "Deadlines",
    "PreviousScore",
    "ReportData",
    "ScoreTable",
    "Snapshot",
    "StatusCounts",
    "TimelineEvent",
    "TimelineEvidence",
    "TimelineForecast",
    "build_report",
    "build_snapshot",
    "conventions",
]

TIMELINE_LIMIT: Final = 100
"""Claims given a timeline: those with entries recorded in the period (latest activity first),
then those closed by the report date (latest resolution first)."""
CHANGE_LIMIT: Final = 50
"""Per kind of change (resolutions, reopenings, status changes, new claims, edits), the latest
this many are listed; the counts always cover everything."""
DEADLINE_HORIZON_DAYS: Final = 90
"""Open claims whose deadline falls within this many days after the report date are listed."""
DEADLINE_LIMIT: Final = 100
"""At most this many claims in each deadline list (nearing, overdue)."""
SCORE_GROUPINGS: Final[tuple[Grouping, ...]] = ("reviewer", "source", "tag")
CHANGE_KINDS: Final = ("resolved", "reopened", "status", "new", "edited")
"""The kinds of notable change, in the order reports list them."""

STATUS_ORDER: Final = tuple(status.value for status in Status)
_OPEN: Final = tuple(sorted(status.value for status in OPEN_STATUSES))
_CLOSED: Final = tuple(sorted(status.value for status in CLOSED_STATUSES))


# --------------------------------------------------------------------------- data shapes


@dataclass(frozen=True)
class StatusCounts:
    """How many claims (created by `as_of`) were in each status then, and how many overdue."""

    as_of: datetime
    total: int
    by_status: tuple[tuple[str, int], ...]
    """Every status of the vocabulary, in its order, with its count (zeros included)."""
    overdue: int
    """Open (open, developing, stalled) with a deadline that ended before `as_of`."""

    def count(self, status: str) -> int:
        return dict(self.by_status).get(status, 0)

    @property
    def open(self) -> int:
        return sum(self.count(status) for status in _OPEN)

    @property
    def closed(self) -> int:
        return sum(self.count(status) for status in _CLOSED)


@dataclass(frozen=True)
class ChangeCounts:
    """Entries recorded in the period, by kind."""

    new_claims: int
    edits: int
    """Definition revisions after the first."""
    evidence: int
    retractions: int
    forecasts: int
    forecasters: int
    """Distinct reviewers who forecast in the period."""
    forecast_claims: int
    """Distinct claims forecast in the period."""
    status_changes: int
    """Moves between open statuses (reopenings are counted apart)."""
    reopenings: int
    resolutions: int


@dataclass(frozen=True)
class Change:
    """One notable entry of the period."""

    kind: str
    """One of `CHANGE_KINDS`."""
    slug: str
    title: str
    recorded_at: datetime
    reviewer: str
    detail: str
    """What happened, in a few words: "yes", "partial 0.4", "open → developing"."""
    note: str
    observed_on: date | None


@dataclass(frozen=True)
class Changes:
    """What was recorded after `since` (exclusive) up to `until` (inclusive)."""

    since: datetime | None
    """The previous period's end; ``None`` means since the beginning."""
    until: datetime
    counts: ChangeCounts
    notable: tuple[Change, ...]
    """Grouped by kind (`CHANGE_KINDS` order), oldest first; the latest `CHANGE_LIMIT` each."""

    def of_kind(self, kind: str) -> tuple[Change, ...]:
        return tuple(change for change in self.notable if change.kind == kind)

    def total_of_kind(self, kind: str) -> int:
        counts = self.counts
        return {
            "resolved": counts.resolutions, "reopened": counts.reopenings,
            "status": counts.status_changes, "new": counts.new_claims, "edited": counts.edits,
        }[kind]


@dataclass(frozen=True)
class PreviousScore:
    """A row's numbers at the previous period's end, to show the change."""

    key: str
    n: int
    brier: float
    brier_time_averaged: float


@dataclass(frozen=True)
class ScoreTable:
    """One leaderboard (by reviewer, source or tag) as of the report date."""

    by: str
    resolved_claims: int
    rows: tuple[ScoreRow, ...]
    calibration: tuple[scoring.CalibrationBin, ...]
    decomposition: scoring.BrierDecomposition | None
    previous: tuple[PreviousScore, ...] | None
    """The same rows at the previous period's end; ``None`` when there is no previous period."""

    def previous_row(self, key: str) -> PreviousScore | None:
        for row in self.previous or ():
            if row.key == key:
                return row
        return None

    def dropped(self) -> tuple[PreviousScore, ...]:
        """Rows scored at the previous period's end that are not now: said, as new ones are."""
        keys = {row.key for row in self.rows}
        return tuple(row for row in self.previous or () if row.key not in keys)


@dataclass(frozen=True)
class TimelineForecast:
    reviewer: str
    probability: float
    made_at: datetime
    recorded_at: datetime
    after_outcome: bool = False
    """Made once the claim's outcome was known (at or after the start of its observed day, else
    when the resolution was recorded): scoring leaves it out, so the report says so."""


@dataclass(frozen=True)
class TimelineEvidence:
    title: str
    url: str
    stance: str
    observed_on: date | None
    at: datetime
    """Where it goes on the time axis: the observed-on date, else when it was recorded."""
    reviewer: str
    recorded_at: datetime
    retracted: bool


@dataclass(frozen=True)
class TimelineEvent:
    """A status change, a reopening or a resolution."""

    kind: str
    """"status", "reopened" or "resolved"."""
    at: datetime
    """The observed-on date if given, else when it was recorded."""
    recorded_at: datetime
    reviewer: str
    detail: str
    note: str


@dataclass(frozen=True)
class ClaimScore:
    """How one reviewer (or the source, on its implied confidence) did on one resolved claim."""

    forecaster: str
    is_source: bool
    n_forecasts: int
    final_probability: float
    brier: float
    brier_time_averaged: float
    coverage: float


@dataclass(frozen=True)
class ClaimTimeline:
    """One claim's story up to the report date: forecasts over time, evidence, resolution."""

    slug: str
    title: str
    statement: str
    status: str
    source: str | None
    tags: tuple[str, ...]
    made_on: date | None
    opened_at: datetime
    """Start of the open period (the made-on date, else when the claim was recorded)."""
    ends_at: datetime
    """End of the open period: the resolution time if closed, else the report date."""
    deadline_end: datetime | None
    implied_confidence: float | None
    outcome: str | None
    """The outcome in force at the report date (``None`` while open)."""
    outcome_value: float | None
    forecasts: tuple[TimelineForecast, ...]
    evidence: tuple[TimelineEvidence, ...]
    events: tuple[TimelineEvent, ...]
    scores: tuple[ClaimScore, ...]
    """Per forecaster, for a claim resolved (not annulled) by the report date."""


@dataclass(frozen=True)
class DeadlineItem:
    slug: str
    title: str
    status: str
    deadline_end: datetime
    days: int
    """Whole days from the report date to the deadline (negative when overdue)."""
    team_forecast: float | None
    """Median of each reviewer's latest forecast recorded by the report date."""
    forecasters: int


@dataclass(frozen=True)
class Deadlines:
    horizon_days: int
    upcoming: tuple[DeadlineItem, ...]
    """Open claims due after the report date and within `horizon_days`, soonest first."""
    upcoming_total: int
    overdue: tuple[DeadlineItem, ...]
    """Open claims whose deadline has passed, longest overdue first."""
    overdue_total: int


@dataclass(frozen=True)
class Convention:
    name: str
    text: str


@dataclass(frozen=True)
class Snapshot:
    """The numbers a later report compares itself with: statuses and score rows at `as_of`."""

    as_of: datetime
    status: StatusCounts
    scores: tuple[tuple[str, tuple[PreviousScore, ...]], ...]

    def rows(self, by: str) -> tuple[PreviousScore, ...]:
        return dict(self.scores).get(by, ())


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows. Renderers read it and nothing else."""

    as_of: datetime
    since: datetime | None
    status: StatusCounts
    previous_status: StatusCounts | None
    changes: Changes
    scores: tuple[ScoreTable, ...]
    timelines: tuple[ClaimTimeline, ...]
    timeline_candidates: int
    """Claims that qualified for a timeline before the `TIMELINE_LIMIT` cap."""
    deadlines: Deadlines
    conventions: tuple[Convention, ...]
    unfinished_at: datetime | None = None
    """When the report was written, if before its as-of moment (today's or tomorrow's end):
    entries recorded from then until that moment can still change it."""

    def score_table(self, by: str) -> ScoreTable:
        for table in self.scores:
            if table.by == by:
                return table
        raise KeyError(by)

    def snapshot(self) -> Snapshot:
        """This report's numbers, for the next period's report to compare with."""
        return Snapshot(
            as_of=self.as_of, status=self.status,
            scores=tuple((table.by, _previous_rows(table.rows)) for table in self.scores),
        )


# --------------------------------------------------------------------------- entry points


def build_snapshot(engine: Engine, as_of: datetime) -> Snapshot:
    """Statuses and score rows at `as_of` (one pass over the forecasts)."""
    as_of = as_utc(as_of)
    with Session(engine) as session:
        status = _status_counts(session, as_of)
    boards = leaderboards(engine, SCORE_GROUPINGS, as_of)
    return Snapshot(
        as_of=as_of, status=status,
        scores=tuple((by, _previous_rows(boards[by].rows)) for by in SCORE_GROUPINGS),
    )


def check_report_date(as_of: datetime, now: datetime) -> None:
    """A report is as of today or earlier (`check_as_of`)."""
    check_as_of(as_of, now, "a report")


def build_report(
    engine: Engine,
    as_of: datetime,
    since: datetime | None = None,
    previous: Snapshot | None = None,
    written_at: datetime | None = None,
) -> ReportData:
    """The report as of `as_of`, with changes recorded after `since` (the previous period's end).

    `previous` is the snapshot at `since` if the caller already has it (a series passes the
    previous report's); otherwise it is computed when `since` is given. `written_at` (now, by
    default) tells a period that has not ended yet.
    """
    as_of = as_utc(as_of)
    written_at = as_utc(written_at) if written_at is not None else utc_now()
    since = None if since is None else as_utc(since)
    if since is not None and since >= as_of:
        raise InvalidInput(
            f"the previous period ends at {since.isoformat()}, not before the report date "
            f"{as_of.isoformat()}: give an earlier --since"
        )
    if previous is not None and (since is None or previous.as_of != since):
        raise ValueError("the previous snapshot must be taken at `since`")
    if since is not None and previous is None:
        previous = build_snapshot(engine, since)
    window = _Window(since, as_of)
    # On a large database a second process scores most claims while this one reads the rest.
    with ScoringRun(engine, SCORE_GROUPINGS, as_of) as run:
        with Session(engine) as session:
            census = _census(session, as_of, present=run.nothing_after)
            status = census.status
            changes = _changes(session, window, every_forecast_in_window=run.nothing_after)
            candidates, timeline_ids = _timeline_claims(session, window, status)
            timelines = _timelines(session, timeline_ids, as_of)
            deadlines = _deadlines(session, census)
        boards = run.finish()
    scores = tuple(_score_table(boards[by], previous) for by in SCORE_GROUPINGS)
    return ReportData(
        as_of=as_of, since=since, status=status,
        previous_status=None if previous is None else previous.status,
        changes=changes, scores=scores, timelines=timelines, timeline_candidates=candidates,
        deadlines=deadlines, conventions=conventions(as_of, since),
        unfinished_at=written_at if written_at < as_of else None,
    )


# --------------------------------------------------------------------------- SQL helpers


@dataclass(frozen=True)
class _Window:
    """Entries recorded in (start, end]; no start means everything up to end."""

    start: datetime | None
    end: datetime

    def holds(self, column: Any) -> ColumnElement[bool]:
        condition: ColumnElement[bool] = column <= self.end
        if self.start is not None:
            condition = and_(column > self.start, condition)
        return condition


def _edited_after(as_of: datetime) -> Select[int]:
    """Claims whose definition changed after `as_of`: their cached columns are too new."""
    return select(ClaimRevision.claim_id).where(ClaimRevision.recorded_at > as_of).distinct()


def _deadline(definition: ClaimDefinition | None) -> datetime | None:
    if definition is None or definition.deadline_end is None:
        return None
    return as_utc(definition.deadline_end)


# --------------------------------------------------------------------------- statuses


@dataclass(frozen=True)
class _Census:
    """Claims by status at `as_of`, plus what the deadline lists need."""

    status: StatusCounts
    upcoming: int
    """Open claims due after `as_of` and within `DEADLINE_HORIZON_DAYS`."""
    edited: tuple[tuple[int, str, datetime], ...]
    """Open claims whose definition changed after `as_of`: (id, status, deadline then)."""
    present: bool
    """Nothing was recorded after `as_of`: the cached statuses are the statuses then."""


def _states(as_of: datetime, present: bool) -> Subquery:
    """Each claim's status at `as_of` (claims without a row are open): replayed from the log,
    or, when `present` (nothing recorded since `as_of`), the cached status, which is cheaper."""
    if present:
        return select(Claim.id.label("claim_id"), Claim.status.label("status")).subquery()
    return state_events_as_of(as_of)


def _census(session: Session, as_of: datetime, present: bool = False) -> _Census:
    """One grouped query over the claims; deadlines come from the cached columns except for
    the (few) claims edited since `as_of`, judged by the definition in force then."""
    horizon = as_of + timedelta(days=DEADLINE_HORIZON_DAYS)
    state = _states(as_of, present)
    status = func.coalesce(state.c.status, literal(Status.OPEN.value))
    unedited_open = and_(status.in_(_OPEN), Claim.id.not_in(_edited_after(as_of)))
    overdue = case((and_(unedited_open, Claim.deadline_end < as_of), 1), else_=0)
    upcoming = case((and_(unedited_open, Claim.deadline_end >= as_of,
                          Claim.deadline_end <= horizon), 1), else_=0)
    counts: dict[str, int] = dict.fromkeys(STATUS_ORDER, 0)
    overdue_total = upcoming_total = 0
    for name, count, late, soon in session.execute(
        select(status, func.count(), func.sum(overdue), func.sum(upcoming))
        .select_from(Claim)
        .outerjoin(state, state.c.claim_id == Claim.id)
        .where(Claim.created_at <= as_of)
        .group_by(status)
    ):
        counts[name] = counts.get(name, 0) + int(count)
        overdue_total += int(late or 0)
        upcoming_total += int(soon or 0)
    open_edited = {
        claim_id: name for claim_id, name in session.execute(
            select(Claim.id, status)
            .outerjoin(state, state.c.claim_id == Claim.id)
            .where(Claim.created_at <= as_of, Claim.id.in_(_edited_after(as_of)),
                   status.in_(_OPEN))
        )
    }
    edited = []
    for claim_id, definition in sorted(definitions_as_of(session, open_edited, as_of).items()):
        deadline = _deadline(definition)
        if deadline is None:
            continue
        edited.append((claim_id, open_edited[claim_id], deadline))
        if deadline < as_of:
            overdue_total += 1
        elif deadline <= horizon:  # due at the report's moment: due, not yet overdue
            upcoming_total += 1
    status_counts = StatusCounts(
        as_of=as_of, total=sum(counts.values()),
        by_status=tuple((name, counts[name]) for name in counts), overdue=overdue_total,
    )
    return _Census(status_counts, upcoming_total, tuple(edited), present)


def _status_counts(session: Session, as_of: datetime) -> StatusCounts:
    return _census(session, as_of).status


# --------------------------------------------------------------------------- changes


def _changes(session: Session, window: _Window, every_forecast_in_window: bool = False
             ) -> Changes:
    """Counts of everything recorded in the window, and the latest entries of each notable
    kind (a count on the table's own recorded-at index, then the few latest with their joins).
    `every_forecast_in_window` says no forecast was recorded after the window's end (so
    counting needs no filter)."""
    raw: list[tuple[str, int, str, datetime, str, str, date | None]] = []
    total: dict[str, int] = {}

    def latest(kind: str, query: Select[*tuple[Any, ...]], entries: Any, recorded: Any,
               tie: Any, *conditions: ColumnElement[bool]) -> Sequence[Any]:
        """The count of `entries` (a table) recorded in the window that meet `conditions`,
        and the latest `CHANGE_LIMIT` rows of `query` (those entries with their joins)."""
        where = (window.holds(recorded), *conditions)
        total[kind] = session.execute(
            select(func.count()).select_from(entries).where(*where)
        ).scalar_one()
        if not total[kind]:
            return []
        return session.execute(
            query.where(*where).order_by(recorded.desc(), tie.desc()).limit(CHANGE_LIMIT)
        ).all()

    present = _claims_recorded_by(window.end)
    for claim_id, outcome, value, note, reviewer, recorded, observed in latest(
        "resolved",
        select(Resolution.claim_id, Resolution.outcome, Resolution.value, Resolution.note,
               Reviewer.name, Resolution.recorded_at, Resolution.observed_on)
        .join(Reviewer, Reviewer.id == Resolution.reviewer_id),
        Resolution, Resolution.recorded_at, Resolution.uuid, Resolution.claim_id.in_(present),
    ):
        raw.append(("resolved", claim_id, _outcome_text(outcome, value), recorded, reviewer,
                    note, observed))
    for kind, reopen in (("reopened", True), ("status", False)):
        for claim_id, before, after, note, reviewer, recorded, observed in latest(
            kind,
            select(StatusChange.claim_id, StatusChange.from_status, StatusChange.to_status,
                   StatusChange.note, Reviewer.name, StatusChange.recorded_at,
                   StatusChange.observed_on)
            .join(Reviewer, Reviewer.id == StatusChange.reviewer_id),
            StatusChange, StatusChange.recorded_at, StatusChange.uuid,
            StatusChange.is_reopen.is_(reopen), StatusChange.claim_id.in_(present),
        ):
            raw.append((kind, claim_id, f"{before} → {after}", recorded, reviewer, note,
                        observed))
    # A claim is created with its revision 1 (recorded at the claim's created_at).
    for claim_id, reviewer, recorded in latest(
        "new",
        select(ClaimRevision.claim_id, Reviewer.name, ClaimRevision.recorded_at)
        .join(Reviewer, Reviewer.id == ClaimRevision.reviewer_id)
        .join(Claim, Claim.id == ClaimRevision.claim_id),
        ClaimRevision, ClaimRevision.recorded_at, Claim.slug, ClaimRevision.version == 1,
    ):
        raw.append(("new", claim_id, "", recorded, reviewer, "", None))
    for claim_id, note, reviewer, recorded in latest(
        "edited",
        select(ClaimRevision.claim_id, ClaimRevision.note, Reviewer.name,
               ClaimRevision.recorded_at)
        .join(Reviewer, Reviewer.id == ClaimRevision.reviewer_id),
        ClaimRevision, ClaimRevision.recorded_at, ClaimRevision.uuid,
        ClaimRevision.version > 1,
    ):
        raw.append(("edited", claim_id, "definition revised", recorded, reviewer, note, None))
    evidence = session.execute(
        select(func.count()).select_from(Evidence).where(window.holds(Evidence.recorded_at))
    ).scalar_one()
    retractions = session.execute(
        select(func.count()).select_from(EvidenceRetraction)
        .where(window.holds(EvidenceRetraction.recorded_at))
    ).scalar_one()
    if window.start is None and every_forecast_in_window:
        # Three index-only counts: ~6x faster than one filtered scan with two DISTINCTs.
        forecasts, forecasters, forecast_claims = session.execute(select(
            select(func.count()).select_from(Forecast).scalar_subquery(),
            select(func.count(func.distinct(Forecast.reviewer_id))).scalar_subquery(),
            select(func.count(func.distinct(Forecast.claim_id))).scalar_subquery(),
        )).one()
    else:
        forecasts, forecasters, forecast_claims = session.execute(
            select(func.count(), func.count(func.distinct(Forecast.reviewer_id)),
                   func.count(func.distinct(Forecast.claim_id)))
            .where(window.holds(Forecast.recorded_at))
        ).one()
    counts = ChangeCounts(
        new_claims=total["new"], edits=total["edited"], evidence=int(evidence),
        retractions=int(retractions), forecasts=int(forecasts), forecasters=int(forecasters),
        forecast_claims=int(forecast_claims), status_changes=total["status"],
        reopenings=total["reopened"], resolutions=total["resolved"],
    )
    definitions = definitions_as_of(session, (item[1] for item in raw), window.end)
    slugs = _slugs(session, [item[1] for item in raw])
    notable: list[Change] = []
    for kind, claim_id, detail, recorded, reviewer, note, observed in raw:
        definition = definitions.get(claim_id)
        slug = slugs[claim_id]
        if kind == "new" and definition is not None:
            detail = _new_claim_detail(definition)
        notable.append(Change(
            kind=kind, slug=slug, title=definition.title if definition else slug,
            recorded_at=as_utc(recorded), reviewer=reviewer, detail=detail, note=note,
            observed_on=observed,
        ))
    order = {kind: index for index, kind in enumerate(CHANGE_KINDS)}
    notable.sort(key=lambda change: (order[change.kind], change.recorded_at, change.slug,
                                     change.detail, change.note, change.reviewer))
    return Changes(since=window.start, until=window.end, counts=counts, notable=tuple(notable))


def _slugs(session: Session, claim_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(claim_ids))
    found: dict[int, str] = {}
    for chunk in id_chunks(ids):
        for claim_id, slug in session.execute(
            select(Claim.id, Claim.slug).where(Claim.id.in_(chunk))
        ):
            found[claim_id] = slug
    return found


def _outcome_text(outcome: str, value: float | None) -> str:
    if outcome == Outcome.PARTIAL.value and value is not None:
        return f"partial {value:g}"
    return outcome


def _new_claim_detail(definition: ClaimDefinition) -> str:
    parts = [definition.kind]
    if definition.deadline_end is not None:
        parts.append(f"due {as_utc(definition.deadline_end).date().isoformat()}")
    if definition.source:
        parts.append(f"from {definition.source}")
    return ", ".join(parts)


# --------------------------------------------------------------------------- scores


def _previous_rows(rows: Iterable[ScoreRow]) -> tuple[PreviousScore, ...]:
    return tuple(PreviousScore(row.key, row.n, row.brier, row.brier_time_averaged)
                 for row in rows)


def _score_table(board: Leaderboard, previous: Snapshot | None) -> ScoreTable:
    return ScoreTable(
        by=board.by, resolved_claims=board.resolved_claims, rows=board.rows,
        calibration=board.calibration, decomposition=board.decomposition,
        previous=None if previous is None else previous.rows(board.by),
    )


# --------------------------------------------------------------------------- timelines


def _claims_recorded_by(moment: datetime) -> Select[int]:
    """The claims in the tracker by `moment`: a track record's resolution can be recorded as
    of its own moment, before the import recorded its claim, and is no change of the
    tracker's until the claim is in it."""
    return select(Claim.id).where(Claim.created_at <= moment)


def _activity(window: _Window) -> list[tuple[Select[int, datetime], Any, Any]]:
    """Per kind of entry: (claim id, recorded at) of those recorded in the window, with the
    two columns to order by (status changes and resolutions: of `_claims_recorded_by` its
    end)."""
    retraction_claim = Evidence.claim_id
    present = _claims_recorded_by(window.end)
    return [
        (select(ClaimRevision.claim_id, ClaimRevision.recorded_at)
         .where(window.holds(ClaimRevision.recorded_at)),
         ClaimRevision.claim_id, ClaimRevision.recorded_at),
        (select(Evidence.claim_id, Evidence.recorded_at)
         .where(window.holds(Evidence.recorded_at)),
         Evidence.claim_id, Evidence.recorded_at),
        (select(retraction_claim, EvidenceRetraction.recorded_at)
         .join(Evidence, Evidence.uuid == EvidenceRetraction.evidence_uuid)
         .where(window.holds(EvidenceRetraction.recorded_at)),
         retraction_claim, EvidenceRetraction.recorded_at),
        (select(StatusChange.claim_id, StatusChange.recorded_at)
         .where(window.holds(StatusChange.recorded_at), StatusChange.claim_id.in_(present)),
         StatusChange.claim_id, StatusChange.recorded_at),
        (select(Resolution.claim_id, Resolution.recorded_at)
         .where(window.holds(Resolution.recorded_at), Resolution.claim_id.in_(present)),
         Resolution.claim_id, Resolution.recorded_at),
        (select(Forecast.claim_id, Forecast.recorded_at)
         .where(window.holds(Forecast.recorded_at)),
         Forecast.claim_id, Forecast.recorded_at),
    ]


def _most_recently_active(session: Session, window: _Window, limit: int) -> list[int]:
    """The `limit` claims whose latest entry in the window is the most recent (ties: lower id).

    Exact without grouping every entry: per kind of entry, scan the newest rows until `limit`
    distinct claims are seen; the overall top `limit` is among those per-kind tops.
    """
    latest: dict[int, datetime] = {}
    for query, claim_column, at_column in _activity(window):
        size = limit * 4
        while True:
            rows = session.execute(
                query.order_by(at_column.desc(), claim_column).limit(size)
            ).all()
            seen: dict[int, datetime] = {}
            for claim_id, at in rows:
                seen.setdefault(claim_id, as_utc(at))
            if len(seen) >= limit or len(rows) < size:
                break
            size *= 4
        for claim_id, at in list(seen.items())[:limit]:
            if claim_id not in latest or at > latest[claim_id]:
                latest[claim_id] = at
    ranked = sorted(latest.items(), key=lambda item: (item[1], -item[0]), reverse=True)
    return [claim_id for claim_id, _ in ranked[:limit]]


def _timeline_claims(session: Session, window: _Window, status: StatusCounts
                     ) -> tuple[int, list[int]]:
    """How many claims qualify for a timeline (activity in the window, or closed by its end),
    and the ids of the first `TIMELINE_LIMIT`: the most recently active, then the most
    recently closed."""
    chosen = _most_recently_active(session, window, TIMELINE_LIMIT)
    state = state_events_as_of(window.end)
    closed = select(state.c.claim_id).where(state.c.status.in_(_CLOSED))
    if window.start is None:
        total = status.total  # every claim has an entry by then: its first revision
    else:
        candidates = union(*(query.with_only_columns(claim_column)
                             for query, claim_column, _ in _activity(window)), closed)
        total = session.execute(
            select(func.count()).select_from(candidates.subquery())
        ).scalar_one()
    room = TIMELINE_LIMIT - len(chosen)
    if room > 0 and total > len(chosen):
        taken = set(chosen)
        for claim_id in session.execute(
            closed.order_by(state.c.recorded_at.desc(), state.c.claim_id)
            .limit(TIMELINE_LIMIT)
        ).scalars():
            if claim_id not in taken and len(chosen) < TIMELINE_LIMIT:
                chosen.append(claim_id)
                taken.add(claim_id)
    return int(total), chosen


def _timelines(session: Session, claim_ids: list[int], as_of: datetime
               ) -> tuple[ClaimTimeline, ...]:
    if not claim_ids:
        return ()
    definitions = definitions_as_of(session, claim_ids, as_of)
    claims: dict[int, tuple[str, datetime, str | None]] = {
        claim_id: (slug, as_utc(created), source)
        for claim_id, slug, created, source in session.execute(
            select(Claim.id, Claim.slug, Claim.created_at, Source.key)
            .outerjoin(Source, Source.id == Claim.source_id)
            .where(Claim.id.in_(claim_ids))
        )
    }
    for claim_id, found in definitions.items():
        slug, created, _ = claims[claim_id]
        claims[claim_id] = (slug, created, found.source)  # the source as of then
    forecasts: dict[int, list[TimelineForecast]] = {}
    for claim_id, reviewer, probability, made, recorded in session.execute(
        select(Forecast.claim_id, Reviewer.name, Forecast.probability, Forecast.made_at,
               Forecast.recorded_at)
        .join(Reviewer, Reviewer.id == Forecast.reviewer_id)
        .where(Forecast.claim_id.in_(claim_ids), Forecast.recorded_at <= as_of)
        # The order scoring reads them in (`scorebook.scored_claims`): of one reviewer's
        # forecasts made and recorded at the same moment, the same one is the final one.
        .order_by(Forecast.claim_id, Forecast.made_at, Forecast.recorded_at, Forecast.uuid)
    ):
        forecasts.setdefault(claim_id, []).append(
            TimelineForecast(reviewer, probability, as_utc(made), as_utc(recorded)))
    retracted = set(session.execute(
        select(EvidenceRetraction.evidence_uuid)
        .join(Evidence, Evidence.uuid == EvidenceRetraction.evidence_uuid)
        .where(Evidence.claim_id.in_(claim_ids), EvidenceRetraction.recorded_at <= as_of)
    ).scalars())
    evidence: dict[int, list[TimelineEvidence]] = {}
    for uuid, claim_id, title, url, stance, observed, reviewer, recorded in session.execute(
        select(Evidence.uuid, Evidence.claim_id, Evidence.title, Evidence.url, Evidence.stance,
               Evidence.observed_on, Reviewer.name, Evidence.recorded_at)
        .join(Reviewer, Reviewer.id == Evidence.reviewer_id)
        .where(Evidence.claim_id.in_(claim_ids), Evidence.recorded_at <= as_of)
    ):
        recorded = as_utc(recorded)
        evidence.setdefault(claim_id, []).append(TimelineEvidence(
            title=title, url=url, stance=stance, observed_on=observed,
            at=start_of_day(observed) if observed else recorded, reviewer=reviewer,
            recorded_at=recorded, retracted=uuid in retracted,
        ))
    events: dict[int, list[tuple[int, TimelineEvent]]] = {}
    resolutions: dict[int, dict[int, tuple[str, float | None, datetime]]] = {}
    for claim_id, version, before, after, reopen, note, observed, reviewer, recorded in (
        session.execute(
            select(StatusChange.claim_id, StatusChange.version, StatusChange.from_status,
                   StatusChange.to_status, StatusChange.is_reopen, StatusChange.note,
                   StatusChange.observed_on, Reviewer.name, StatusChange.recorded_at)
            .join(Reviewer, Reviewer.id == StatusChange.reviewer_id)
            .where(StatusChange.claim_id.in_(claim_ids), StatusChange.recorded_at <= as_of)
        )
    ):
        recorded = as_utc(recorded)
        events.setdefault(claim_id, []).append((version, TimelineEvent(
            kind="reopened" if reopen else "status",
            at=start_of_day(observed) if observed else recorded, recorded_at=recorded,
            reviewer=reviewer, detail=f"{before} → {after}", note=note,
        )))
    for claim_id, version, outcome_name, value, note, observed, reviewer, recorded in (
        session.execute(
            select(Resolution.claim_id, Resolution.version, Resolution.outcome, Resolution.value,
                   Resolution.note, Resolution.observed_on, Reviewer.name,
                   Resolution.recorded_at)
            .join(Reviewer, Reviewer.id == Resolution.reviewer_id)
            .where(Resolution.claim_id.in_(claim_ids), Resolution.recorded_at <= as_of)
        )
    ):
        recorded = as_utc(recorded)
        at = start_of_day(observed) if observed else recorded
        events.setdefault(claim_id, []).append((version, TimelineEvent(
            kind="resolved", at=at, recorded_at=recorded, reviewer=reviewer,
            detail=_outcome_text(outcome_name, value), note=note,
        )))
        resolutions.setdefault(claim_id, {})[version] = (outcome_name, value, at)
    timelines = []
    for claim_id in claim_ids:
        slug, created, source = claims[claim_id]
        definition = definitions.get(claim_id)
        ordered = sorted(events.get(claim_id, ()), key=lambda item: item[0])
        status = Status.OPEN.value
        outcome: tuple[str, float | None, datetime] | None = None
        for version, event in ordered:
            if event.kind == "resolved":
                outcome = resolutions[claim_id][version]
                status = Outcome(outcome[0]).closing_status.value
            else:
                outcome = None
                status = event.detail.split(" → ")[1]
        timelines.append(_timeline(
            slug, definition, created, source, status, outcome, as_of,
            tuple(forecasts.get(claim_id, ())),
            tuple(sorted(evidence.get(claim_id, ()),
                         key=lambda item: (item.at, item.recorded_at, item.title, item.url))),
            tuple(event for _, event in ordered),
        ))
    timelines.sort(key=lambda timeline: timeline.slug)
    return tuple(timelines)


def _timeline(
    slug: str,
    definition: ClaimDefinition | None,
    created: datetime,
    source: str | None,
    status: str,
    outcome: tuple[str, float | None, datetime] | None,
    as_of: datetime,
    forecasts: tuple[TimelineForecast, ...],
    evidence: tuple[TimelineEvidence, ...],
    events: tuple[TimelineEvent, ...],
) -> ClaimTimeline:
    made_on = definition.made_on if definition else None
    opened = start_of_day(made_on) if made_on else created
    ends = outcome[2] if outcome is not None else as_of
    opened = min(opened, ends)
    confidence = definition.implied_confidence if definition else None
    value = outcome[1] if outcome is not None else None
    if outcome is not None:
        forecasts = tuple(replace(item, after_outcome=item.made_at >= ends)
                          for item in forecasts)
    scores: tuple[ClaimScore, ...] = ()
    if outcome is not None and value is not None:
        scores = _claim_scores(slug, opened, ends, value, forecasts, made_on, confidence,
                               source)
    return ClaimTimeline(
        slug=slug, title=definition.title if definition else slug,
        statement=definition.statement if definition else "", status=status,
        source=source, tags=definition.tags if definition else (), made_on=made_on,
        opened_at=opened, ends_at=ends, deadline_end=_deadline(definition),
        implied_confidence=confidence, outcome=None if outcome is None else outcome[0],
        outcome_value=value, forecasts=forecasts, evidence=evidence, events=events,
        scores=scores,
    )


def _claim_scores(
    slug: str, opened: datetime, resolved: datetime, value: float,
    forecasts: tuple[TimelineForecast, ...], made_on: date | None,
    confidence: float | None, source: str | None,
) -> tuple[ClaimScore, ...]:
    question = scoring.Question(
        key=slug, opened_at=opened, resolved_at=resolved, outcome=value,
        forecasts=[scoring.Forecast(item.reviewer, item.probability, item.made_at)
                   for item in forecasts],
    )
    scores = [
        ClaimScore(score.forecaster, False, score.n_forecasts, score.final_probability,
                   score.brier, score.brier_time_averaged, score.coverage)
        for score in scoring.score_question(question)
    ]
    if confidence is not None and made_on is not None:
        graded = scoring.score_source_claim(
            source or NO_SOURCE, scoring.SourceClaim(slug, made_on, confidence, value))
        if graded is not None:
            scores.append(ClaimScore(graded.forecaster, True, 1, graded.final_probability,
                                     graded.brier, graded.brier_time_averaged, 1.0))
    return tuple(scores)


# --------------------------------------------------------------------------- deadlines


def _deadlines(session: Session, census: _Census) -> Deadlines:
    as_of = census.status.as_of
    horizon = as_of + timedelta(days=DEADLINE_HORIZON_DAYS)
    state = _states(as_of, census.present)
    status = func.coalesce(state.c.status, literal(Status.OPEN.value))
    late = case((Claim.deadline_end < as_of, 1), else_=0)
    ranked = (
        select(Claim.deadline_end, Claim.id, status.label("status"), late.label("late"),
               func.row_number().over(partition_by=late,
                                      order_by=(Claim.deadline_end, Claim.slug)).label("rank"))
        .outerjoin(state, state.c.claim_id == Claim.id)
        .where(Claim.created_at <= as_of, status.in_(_OPEN),
               Claim.id.not_in(_edited_after(as_of)), Claim.deadline_end <= horizon)
        .subquery()
    )
    upcoming: list[tuple[datetime, int, str]] = []
    overdue: list[tuple[datetime, int, str]] = []
    for end, claim_id, name, is_late in session.execute(
        select(ranked.c.deadline_end, ranked.c.id, ranked.c.status, ranked.c.late)
        .where(ranked.c.rank <= DEADLINE_LIMIT)
    ):
        (overdue if is_late else upcoming).append((as_utc(end), claim_id, name))
    for claim_id, name, deadline in census.edited:
        if deadline < as_of:
            overdue.append((deadline, claim_id, name))
        elif deadline <= horizon:  # due at the report's moment: due, not yet overdue
            upcoming.append((deadline, claim_id, name))
    ids = [claim_id for _, claim_id, _ in upcoming + overdue]
    definitions = definitions_as_of(session, ids, as_of)
    slugs = _slugs(session, ids)
    team = _team_forecasts(session, ids, as_of)

    def items(rows: list[tuple[datetime, int, str]]) -> tuple[DeadlineItem, ...]:
        built = []
        for deadline, claim_id, name in rows:
            definition = definitions.get(claim_id)
            slug = slugs[claim_id]
            median, count = team.get(claim_id, (None, 0))
            built.append(DeadlineItem(
                slug=slug, title=definition.title if definition else slug, status=name,
                deadline_end=deadline, days=_days_between(as_of, deadline),
                team_forecast=median, forecasters=count,
            ))
        built.sort(key=lambda item: (item.deadline_end, item.slug))
        return tuple(built[:DEADLINE_LIMIT])

    return Deadlines(
        horizon_days=DEADLINE_HORIZON_DAYS, upcoming=items(upcoming),
        upcoming_total=census.upcoming, overdue=items(overdue),
        overdue_total=census.status.overdue,
    )


def _days_between(start: datetime, end: datetime) -> int:
    """Whole days from `start` to `end`, rounded towards zero."""
    seconds = (end - start).total_seconds()
    days = int(abs(seconds) // 86400)
    return days if seconds >= 0 else -days


def _team_forecasts(session: Session, claim_ids: list[int], as_of: datetime
                    ) -> dict[int, tuple[float, int]]:
    """Per claim: the median of each reviewer's latest forecast, and how many reviewers."""
    values: dict[int, list[float]] = {}
    for chunk in id_chunks(sorted(set(claim_ids))):
        latest = latest_forecasts(chunk, as_of).subquery()
        for claim_id, probability in session.execute(
            select(latest.c.claim_id, latest.c.probability)
        ):
            values.setdefault(claim_id, []).append(probability)
    return {claim_id: (_median(found), len(found)) for claim_id, found in values.items()}


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


# --------------------------------------------------------------------------- conventions


def _instant(moment: datetime) -> str:
    """An exact instant, but a day's end as the heading says it (how `--as-of DATE` reads)."""
    moment = as_utc(moment)
    if moment.time() == END_OF_DAY:
        return as_of_text(moment)
    return moment.isoformat().replace("+00:00", "Z")


def conventions(as_of: datetime, since: datetime | None) -> tuple[Convention, ...]:
    """The rules behind every number in the report, stated where the reader sees them."""
    eps = f"{scoring.EPS:g}"
    period = (
        f"Changes are the entries recorded after {_instant(since)} and up to {_instant(as_of)}."
        if since is not None else
        f"There is no previous period: changes cover everything recorded up to "
        f"{_instant(as_of)}."
    )
    return (
        Convention("Point in time",
                   f"Only entries recorded by {_instant(as_of)} are used (each entry's "
                   "recorded-at time, not when the event happened), so once that moment "
                   "has passed this report is the same whenever it is produced, unless "
                   "entries dated earlier are imported from files later (they keep the "
                   "recorded-at time the file gives). A claim's "
                   "status is replayed from its log "
                   "and its definition is the latest revision recorded by then."),
        Convention("Period", period),
        Convention("Statuses",
                   "Closed: confirmed (resolved yes), partly (partial), refuted (no) and "
                   "annulled. Open: open, developing and stalled. Overdue: open with a "
                   "deadline that ended before the report date."),
        Convention("Brier score",
                   "(p - o)^2 on a 0 to 1 scale, lower is better: p is the forecast "
                   "probability, o the outcome (1 yes, 0 no, the agreed value for a partial "
                   "resolution). 'Brier' scores each forecaster's final forecast (the last one "
                   "made before resolution); 'time-avg' weights every forecast by how long it "
                   "was in force, from the forecaster's first forecast to resolution. Time "
                   "before the first forecast is not scored; it shows as coverage."),
        Convention("Log, baseline and peer scores",
                   f"Log score o ln p + (1 - o) ln(1 - p), higher is better, with p clipped to "
                   f"[{eps}, 1 - {eps}] so a certain forecast scores ln {1 - scoring.EPS:g} "
                   "when right and ln "
                   f"{eps} when wrong, never minus infinity (Brier uses p unclipped). Baseline "
                   "is 100 log2 of twice the probability given to what happened (0 for 50%); "
                   "peer is 100 times the log score minus the mean of the other forecasters' "
                   "at each instant. Both are averaged over the time the forecaster had a "
                   "forecast in force (Metaculus averages over the whole question, counting "
                   "time without a forecast as 0: on one claim that is coverage times these; "
                   "a row's columns are means over its claims, so their product is not)."),
        Convention("Relative Brier",
                   "A forecaster's final Brier minus the median of the other forecasters' on "
                   "the same claim, averaged over the claims shared; negative is better. "
                   "Peer and relative Brier compare reviewers with each other, so only the "
                   "reviewer table has them ('-' elsewhere, and for a reviewer nobody else "
                   "forecast beside): a tag or period row pools every reviewer of its claims, "
                   "whose comparisons cancel out (peer scores sum to zero at each instant), and "
                   "a source is graded alone."),
        Convention("Annulled claims", "Never scored, by any score, table or chart."),
        Convention("Resolution time",
                   "A claim is open from its made-on date (start of day UTC; else when it was "
                   "recorded) to its resolution's observed-on date (the start of that day UTC, "
                   "so forecasts made on that day do not count; else when the resolution was "
                   "recorded). Forecasts made at or after resolution do not count; those made "
                   "after the deadline but before resolution do, like any other."),
        Convention("Sources",
                   "A source is graded like a forecaster: its implied confidence (from its "
                   "wording) is one forecast made on the claim's made-on date."),
        Convention("Calibration",
                   "Final forecasts in 10 equal bins; a point is a bin's mean forecast against "
                   "its observed frequency, sized by count, with a "
                   f"{95}% Wilson score interval (z = {scoring.WILSON_Z:g}). Brier = reliability "
                   "- resolution + uncertainty + within-bin variance - 2 x within-bin "
                   "covariance, exactly (Stephenson, Coelho and Jolliffe, 2008)."),
        Convention("What is listed",
                   f"Timelines, by slug, for at most {TIMELINE_LIMIT} claims: those with "
                   "entries recorded in the period (those with the latest activity when there "
                   "are more), then those closed by the report date. "
                   f"The latest {CHANGE_LIMIT} changes of each kind are listed; counts "
                   f"cover everything. Deadlines: open claims due within "
                   f"{DEADLINE_HORIZON_DAYS} days, and overdue ones (at most {DEADLINE_LIMIT} "
                   "each)."),
        Convention("Score groupings",
                   "Score tables group by the claims' tags and source as their definitions "
                   "stood at the report date, like the forecasts, outcomes and dates."),
    )
