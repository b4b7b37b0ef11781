"""The read side: set-based queries that return plain, frozen dataclasses.

Nothing here hands out live ORM objects, so callers (CLI, TUI workers, reports) can keep
results after the session closes and pass them between threads. "As of T" means using only
entries recorded by T, so any past state can be rebuilt exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import (
    BindParameter,
    Connection,
    Date,
    Engine,
    Select,
    Subquery,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from tracker.db import UNICODE_LOWER
from tracker.definitions import (
    ClaimDefinition,
    SourceInfo,
    changed_fields,
    definition_from_json,
)
from tracker.errors import NotFound
from tracker.horizons import as_of_text, as_utc, instant_text, next_review
from tracker.models import (
    Claim,
    ClaimRevision,
    ClaimTag,
    DeclinedEntry,
    Evidence,
    EvidenceRetraction,
    Forecast,
    Resolution,
    Reviewer,
    ReviewMark,
    Source,
    StatusChange,
)
from tracker.probability import percent_text
from tracker.serialize import NOT_IN_JSON
from tracker.vocabulary import CLOSED_STATUSES, OPEN_STATUSES, Outcome, Status

AnySelect = TypeVar("AnySelect", bound=Select[*tuple[Any, ...]])

NULLABLE_SORT_KEYS = frozenset({"deadline", "made_on", "evidence"})
SORT_KEYS = ("slug", "title", "status", "kind", "deadline", "made_on", "changed", "evidence")


@dataclass(frozen=True)
class ClaimFilter:
    """What `tracker list` and the claims screen can narrow a list by (all in SQL)."""

    statuses: tuple[str, ...] = ()
    tag: str | None = None
    source: str | None = None
    kind: str | None = None
    due_by: datetime | None = None
    text: str = ""
    parent: str | None = None
    top_level_only: bool = False
    slug: str | None = None


@dataclass(frozen=True)
class ClaimRow:
    slug: str
    title: str
    status: str
    kind: str
    made_on: date | None
    deadline_start: datetime | None
    deadline_end: datetime | None
    source: str | None
    parent: str | None
    version: int
    children: int
    tags: tuple[str, ...] = ()
    last_evidence_at: datetime | None = None
    """When evidence was last recorded (`list_claims`)."""
    evidence_news_at: datetime | None = field(default=None, metadata=NOT_IN_JSON)
    """When evidence by anyone but the reviewer last reached this database
    (`review_candidates`): what the reviewer may not have seen yet."""
    last_evidence_on: date | None = None
    """The latest day evidence speaks of: its observed date, else the day it was recorded."""
    team_forecast: float | None = None
    my_forecast: float | None = None
    forecasters: int = 0
    next_review: datetime | None = None


@dataclass(frozen=True)
class RetractionItem:
    uuid: str
    reason: str
    reviewer: str
    recorded_at: datetime
    entered_at: datetime = field(metadata=NOT_IN_JSON)


@dataclass(frozen=True)
class EvidenceItem:
    uuid: str
    title: str
    url: str
    summary: str
    stance: str
    observed_on: date | None
    reviewer: str
    recorded_at: datetime
    entered_at: datetime = field(metadata=NOT_IN_JSON)
    retraction: RetractionItem | None = None

    @property
    def retracted(self) -> bool:
        return self.retraction is not None

    @property
    def day(self) -> date:
        """The day it speaks of: its observed date, else the UTC day it was recorded (as the
        claims list's evidence column counts)."""
        return self.observed_on or as_utc(self.recorded_at).date()


@dataclass(frozen=True)
class StatusItem:
    uuid: str
    version: int
    from_status: str
    to_status: str
    is_reopen: bool
    note: str
    observed_on: date | None
    reviewer: str
    recorded_at: datetime
    entered_at: datetime = field(metadata=NOT_IN_JSON)


@dataclass(frozen=True)
class ResolutionItem:
    uuid: str
    version: int
    outcome: str
    value: float | None
    note: str
    observed_on: date | None
    reviewer: str
    recorded_at: datetime
    entered_at: datetime = field(metadata=NOT_IN_JSON)


@dataclass(frozen=True)
class ForecastItem:
    uuid: str
    probability: float
    rationale: str
    made_at: datetime
    reviewer: str
    recorded_at: datetime
    entered_at: datetime = field(metadata=NOT_IN_JSON)


@dataclass(frozen=True)
class RevisionItem:
    uuid: str
    version: int
    note: str
    reviewer: str
    recorded_at: datetime
    entered_at: datetime = field(metadata=NOT_IN_JSON)
    definition: ClaimDefinition


@dataclass(frozen=True)
class ChildItem:
    slug: str
    title: str
    status: str


@dataclass(frozen=True)
class ClaimDetail:
    """A claim as it stood at `as_of` (or now): definition, state and its whole log."""

    uuid: str
    definition: ClaimDefinition
    status: str
    version: int
    changed_at: datetime
    changed_by: str
    as_of: datetime | None
    source: SourceInfo | None
    children: tuple[ChildItem, ...]
    evidence: tuple[EvidenceItem, ...]
    status_changes: tuple[StatusItem, ...]
    resolutions: tuple[ResolutionItem, ...]
    forecasts: tuple[ForecastItem, ...]
    revisions: tuple[RevisionItem, ...]
    synced_hash: str = ""

    @property
    def slug(self) -> str:
        return self.definition.slug

    @property
    def evidence_by_day(self) -> list[EvidenceItem]:
        """The evidence in the order of the days it speaks of (`EvidenceItem.day`), for
        reading; entries of the same day in the order they were recorded."""
        return sorted(self.evidence, key=lambda item: item.day)

    @property
    def resolution(self) -> ResolutionItem | None:
        """The resolution in force: the last one, unless the claim was reopened since."""
        if Status(self.status) not in CLOSED_STATUSES or not self.resolutions:
            return None
        return self.resolutions[-1]


@dataclass(frozen=True)
class DeclinedItem:
    """A claim-file entry this database did not merge (see `models.DeclinedEntry`)."""

    uuid: str
    kind: str
    entry: dict[str, Any]
    reason: str
    declined_at: datetime


@dataclass(frozen=True)
class ReviewerTrail:
    """What one reviewer last did on one claim."""

    last_reviewed_at: datetime | None = None
    last_forecast_at: datetime | None = None


@dataclass(frozen=True)
class TimelineEntry:
    uuid: str
    kind: str
    recorded_at: datetime
    entered_at: datetime = field(metadata=NOT_IN_JSON)
    """When it reached this database (`models`): what review compares with its marks."""
    reviewer: str
    text: str
    occurred: datetime | date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Queries:
    """Entry point for reads; every call uses its own short session."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # A read sees one moment: what its statements read (a claim's row and its log, a page
        # and its latest forecasts) agrees while someone writes. PostgreSQL's read committed
        # gives each statement its own snapshot; repeatable read gives the transaction one (and
        # never fails a read-only one). A SQLite read transaction is one snapshot already.
        self._read_engine = (engine.execution_options(isolation_level="REPEATABLE READ")
                             if engine.dialect.name == "postgresql" else engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self._read_engine) as session:
            yield session

    # --- lists -----------------------------------------------------------------------
    def _filtered(self, query: AnySelect, criteria: ClaimFilter) -> AnySelect:
        if criteria.statuses:
            query = query.where(Claim.status.in_(criteria.statuses))
        if criteria.kind:
            query = query.where(Claim.kind == criteria.kind)
        if criteria.tag:
            query = query.where(
                Claim.id.in_(select(ClaimTag.claim_id).where(ClaimTag.tag == criteria.tag))
            )
        if criteria.source:
            query = query.where(
                Claim.source_id.in_(select(Source.id).where(Source.key == criteria.source))
            )
        if criteria.due_by is not None:
            query = query.where(
                Claim.deadline_end <= criteria.due_by,
                Claim.status.not_in([status.value for status in CLOSED_STATUSES]),
            )
        if criteria.parent:
            wanted = _other_claim("wanted_parent")  # not the page's own "parent" join
            query = query.where(
                Claim.parent_id.in_(select(wanted.id).where(wanted.slug == criteria.parent))
            )
        if criteria.top_level_only:
            query = query.where(Claim.parent_id.is_(None))
        if criteria.slug is not None:
            query = query.where(Claim.slug == criteria.slug)
        for word in criteria.text.split():  # every word, in the slug or the title, any order
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
            if self.engine.dialect.name != "sqlite":
                matches = [column.ilike(pattern, escape="\\") for column in (Claim.slug,
                                                                               Claim.title)]
            elif _has_case_beyond_ascii(word):
                # SQLite's LIKE folds ASCII letters only: the title is lowered by a Python
                # function, a call per row, so only for such a word. No slug holds one.
                matches = [getattr(func, UNICODE_LOWER)(Claim.title).like(pattern.lower(),
                                                                          escape="\\")]
            else:  # SQLite's LIKE ignores ASCII case already, and CJK has none
                matches = [column.like(pattern, escape="\\") for column in (Claim.slug,
                                                                              Claim.title)]
            query = query.where(or_(*matches))
        return query

    def count_claims(self, criteria: ClaimFilter = ClaimFilter()) -> int:
        with self._read_engine.connect() as connection:
            query = self._filtered(select(func.count(Claim.id)), criteria)
            return int(connection.scalar(query) or 0)

    def list_claims(
        self,
        criteria: ClaimFilter = ClaimFilter(),
        *,
        sort: str = "slug",
        descending: bool = False,
        limit: int | None = None,
        offset: int = 0,
        reviewer: str | None = None,
    ) -> list[ClaimRow]:
        """One page of claims, filtered and sorted in SQL, enriched for that page only.
        Core on a plain connection: the ORM session's bookkeeping cost more than the query."""
        if sort not in SORT_KEYS:
            raise ValueError(f"unknown sort key '{sort}': use one of {', '.join(SORT_KEYS)}")
        query = _claim_page()
        evidence_days = _evidence_days()
        sort_columns: dict[str, Any] = {
            "slug": Claim.slug, "title": Claim.title, "status": Claim.status,
            "kind": Claim.kind, "deadline": Claim.deadline_end, "made_on": Claim.made_on,
            "changed": Claim.changed_at, "evidence": evidence_days.c.day,
        }
        if sort == "evidence":
            query = query.outerjoin(evidence_days, evidence_days.c.claim_id == Claim.id)
        column = sort_columns[sort]
        ordering = [column.desc() if descending else column.asc()]
        if sort != "slug":
            ordering.append(Claim.slug.asc())
        if sort in NULLABLE_SORT_KEYS:  # empty values last; not needed (and slower) otherwise
            ordering.insert(0, column.is_(None))
        query = self._filtered(query, criteria).order_by(*ordering)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        with self._read_engine.connect() as connection:
            rows = connection.execute(query).all()
            ids = [row.id for row in rows]
            enrich = _Enrichment.load(connection, ids, reviewer)
        return [
            ClaimRow(
                slug=row.slug, title=row.title, status=row.status, kind=row.kind,
                made_on=row.made_on, deadline_start=_utc(row.deadline_start),
                deadline_end=_utc(row.deadline_end), source=row.source, parent=row.parent,
                version=row.version, children=row.children,
                tags=enrich.tags.get(row.id, ()),
                last_evidence_at=enrich.last_evidence.get(row.id),
                last_evidence_on=enrich.evidence_day.get(row.id),
                team_forecast=enrich.team.get(row.id),
                my_forecast=enrich.mine.get(row.id),
                forecasters=enrich.forecasters.get(row.id, 0),
                next_review=_next_review(
                    row.status, row.review_cadence, _utc(row.created_at),
                    enrich.last_review.get(row.id),
                ),
            )
            for row in rows
        ]

    # --- one claim -------------------------------------------------------------------
    def claim_detail(self, slug: str, as_of: datetime | None = None) -> ClaimDetail:
        with self.session() as session:
            return _load_detail(session, slug, as_of)

    def timeline(self, slug: str, as_of: datetime | None = None) -> list[TimelineEntry]:
        """Every log entry of a claim in the order it was recorded. Entries recorded at the
        same instant (a claim file imported at once) come in the order they can happen in:
        the creation, evidence, forecasts, retractions, then the claim's later versions
        (status changes, resolutions, new definitions) by version."""
        detail = self.claim_detail(slug, as_of)
        entries: list[TimelineEntry] = [
            TimelineEntry(revision.uuid, "revision", revision.recorded_at, revision.entered_at,
                          revision.reviewer,
                          "created" + (f": {revision.note}" if revision.note else ""))
            for revision in detail.revisions if revision.version == 1]
        for item in detail.evidence:
            text = f"[{item.stance}] {item.title}" + (f" <{item.url}>" if item.url else "")
            entries.append(TimelineEntry(item.uuid, "evidence", item.recorded_at,
                                         item.entered_at, item.reviewer, text, item.observed_on))
        for forecast in detail.forecasts:
            text = f"forecast {percent_text(forecast.probability)}"
            if forecast.rationale:
                text += f": {forecast.rationale}"
            entries.append(TimelineEntry(forecast.uuid, "forecast", forecast.recorded_at,
                                         forecast.entered_at, forecast.reviewer, text,
                                         forecast.made_at,
                                         {"probability": forecast.probability}))
        entries.extend(_retraction_entries(detail))
        entries += changes_since(detail, 1)
        entries.sort(key=lambda entry: entry.recorded_at)  # stable: ties keep the order above
        return entries

    # --- review -----------------------------------------------------------------------
    def reviewer_trails(self, reviewer: str) -> dict[str, ReviewerTrail]:
        """Per claim slug: when `reviewer` last marked it reviewed and last forecast on it."""
        reviewed = (
            select(ReviewMark.claim_id, func.max(ReviewMark.recorded_at).label("at"))
            .join(Reviewer, Reviewer.id == ReviewMark.reviewer_id)
            .where(Reviewer.name == reviewer)
            .group_by(ReviewMark.claim_id)
        )
        forecast = (
            select(Forecast.claim_id, func.max(Forecast.made_at).label("at"))
            .join(Reviewer, Reviewer.id == Forecast.reviewer_id)
            .where(Reviewer.name == reviewer)
            .group_by(Forecast.claim_id)
        )
        trails: dict[str, dict[str, datetime]] = {}
        with self.session() as session:
            for field_name, query in (("last_reviewed_at", reviewed),
                                      ("last_forecast_at", forecast)):
                sub = query.subquery()
                for slug, at in session.execute(
                    select(Claim.slug, sub.c.at).join(sub, sub.c.claim_id == Claim.id)
                ):
                    trails.setdefault(slug, {})[field_name] = as_utc(at)
        return {slug: ReviewerTrail(**fields) for slug, fields in trails.items()}

    def review_candidates(
        self, reviewer: str, trails: dict[str, ReviewerTrail], now: datetime
    ) -> list[ClaimRow]:
        """The open claims any review rule could select at `now`, in one set-based query:
        past their deadline, with a review cadence or evidence, or forecast by the reviewer.
        Only the columns the rules need; paging `list_claims` would take minutes at 100k."""
        last_evidence = _evidence_from_others(reviewer)
        query = (
            select(Claim.slug, Claim.title, Claim.status, Claim.kind, Claim.made_on,
                   Claim.deadline_start, Claim.deadline_end, Claim.version,
                   Claim.review_cadence, Claim.created_at,
                   last_evidence.c.at.label("evidence_news_at"))
            .outerjoin(last_evidence, last_evidence.c.claim_id == Claim.id)
            .where(
                Claim.status.in_([status.value for status in OPEN_STATUSES]),
                or_(
                    Claim.deadline_end < now,
                    Claim.review_cadence != "",
                    last_evidence.c.at.is_not(None),
                    Claim.id.in_(select(Forecast.claim_id)
                                 .join(Reviewer, Reviewer.id == Forecast.reviewer_id)
                                 .where(Reviewer.name == reviewer)),
                ),
            )
        )
        with self.session() as session:
            return [
                ClaimRow(
                    slug=row.slug, title=row.title, status=row.status, kind=row.kind,
                    made_on=row.made_on, deadline_start=_utc(row.deadline_start),
                    deadline_end=_utc(row.deadline_end), source=None, parent=None,
                    version=row.version, children=0,
                    evidence_news_at=_utc(row.evidence_news_at),
                    next_review=_next_review(
                        row.status, row.review_cadence, _utc(row.created_at),
                        trails.get(row.slug, ReviewerTrail()).last_reviewed_at,
                    ),
                )
                for row in session.execute(query)
            ]

    def made_on(self, slug: str) -> date | None:
        """Claim `slug`'s made-on day (a derived question without one takes it)."""
        with self.session() as session:
            found = session.execute(select(Claim.made_on).where(Claim.slug == slug)).first()
        if found is None:
            raise NotFound(f"no claim '{slug}': check the slug with `tracker list`")
        made_on: date | None = found.made_on
        return made_on

    def slugs(self) -> list[str]:
        with self.session() as session:
            return list(session.scalars(select(Claim.slug).order_by(Claim.slug)))

    def sources(self) -> list[SourceInfo]:
        with self.session() as session:
            return [_source_item(source) for source in
                    session.scalars(select(Source).order_by(Source.key))]

    def declined_entries(self, slug: str | None = None) -> dict[str, tuple[DeclinedItem, ...]]:
        """Per claim slug (all claims, or `slug`'s), the claim-file entries this database did
        not merge (`models.DeclinedEntry`), in the order they were declined."""
        declined: dict[str, list[DeclinedItem]] = {}
        query = (select(Claim.slug, DeclinedEntry)
                 .join(Claim, Claim.id == DeclinedEntry.claim_id)
                 .order_by(DeclinedEntry.declined_at, DeclinedEntry.uuid))
        if slug is not None:
            query = query.where(Claim.slug == slug)
        with self.session() as session:
            for claim_slug, row in session.execute(query):
                declined.setdefault(claim_slug, []).append(DeclinedItem(
                    row.uuid, row.kind, dict(row.entry), row.reason, as_utc(row.declined_at)))
        return {slug: tuple(items) for slug, items in declined.items()}

    def stored_copy(self, key: str) -> str | None:
        """The text of source `key`'s stored copy, if the database holds it."""
        with self.session() as session:
            return session.scalar(select(Source.copy_text).where(Source.key == key))

    def tags(self) -> list[str]:
        with self.session() as session:
            return list(session.scalars(select(ClaimTag.tag).distinct().order_by(ClaimTag.tag)))

    def is_empty(self) -> bool:
        with self.session() as session:
            return session.scalar(select(func.count(Claim.id))) == 0


@cache
def _other_claim(name: str) -> Any:
    """An alias of the claims table for self-joins, made once: aliasing anew for every page
    cost more than running its query."""
    return aliased(Claim, name=name)


@cache
def _claim_page() -> Select[Any]:
    """The columns and joins of a list page (made once, like `_other_claim`)."""
    parent, child = _other_claim("parent"), _other_claim("child")
    # Correlated, so it is counted for the rows of the page only (index on parent_id, slug).
    children = (
        select(func.count(child.id)).where(child.parent_id == Claim.id).scalar_subquery()
    )
    return (
        select(
            Claim.id, Claim.slug, Claim.title, Claim.status, Claim.kind, Claim.made_on,
            Claim.deadline_start, Claim.deadline_end, Source.key.label("source"),
            parent.slug.label("parent"), Claim.version, Claim.review_cadence,
            Claim.created_at, children.label("children"),
        )
        .outerjoin(Source, Source.id == Claim.source_id)
        .outerjoin(parent, parent.id == Claim.parent_id)
    )


class UtcDay(FunctionElement[date]):
    """The UTC calendar day of a timestamp column, on each backend."""

    type = Date()
    inherit_cache = True


@compiles(UtcDay, "sqlite")
def _utc_day_sqlite(element: UtcDay, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"  # stored as naive UTC text


@compiles(UtcDay, "postgresql")
def _utc_day_postgresql(element: UtcDay, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC' AS DATE)"


def _evidence_day() -> Any:
    """The day an evidence entry speaks of: when it was observed, else when it was recorded."""
    return type_coerce(func.coalesce(Evidence.observed_on, UtcDay(Evidence.recorded_at)),
                       Date())


def _standing_evidence() -> Any:
    """Entries not retracted: a retracted one (a typo in its date, say) speaks of nothing."""
    return ~select(EvidenceRetraction.uuid).where(
        EvidenceRetraction.evidence_uuid == Evidence.uuid).exists()


@cache
def _evidence_days() -> Any:
    """Each claim's latest evidence day, to sort by (a subquery; made once)."""
    return (
        select(Evidence.claim_id, func.max(_evidence_day()).label("day"))
        .where(_standing_evidence())
        .group_by(Evidence.claim_id)
        .subquery()
    )


def _evidence_from_others(reviewer: str) -> Any:
    """When evidence from anyone but `reviewer` last entered this database, per claim (a
    subquery keyed by claim_id): what reviewers record themselves is not news to them."""
    return (
        select(Evidence.claim_id, func.max(Evidence.entered_at).label("at"))
        .join(Reviewer, Reviewer.id == Evidence.reviewer_id)
        .where(Reviewer.name != reviewer)
        .group_by(Evidence.claim_id)
        .subquery()
    )


def changes_since(detail: ClaimDetail, version: int) -> list[TimelineEntry]:
    """The changes that made the claim's versions after `version` (status changes,
    resolutions, new definitions), in version order: what another reviewer changed since
    a reviewer loaded that version."""
    versions: list[tuple[int, TimelineEntry]] = []
    for before, revision in itertools.pairwise(detail.revisions):
        if revision.version > version:
            changed = ", ".join(changed_fields(before.definition, revision.definition))
            text = f"definition v{revision.version}" + (f" ({changed})" if changed else "") + (
                f": {revision.note}" if revision.note else "")
            versions.append((revision.version, TimelineEntry(
                revision.uuid, "revision", revision.recorded_at, revision.entered_at,
                revision.reviewer, text)))
    for change in detail.status_changes:
        if change.version > version:
            verb = "reopened" if change.is_reopen else "status"
            text = f"{verb} {change.from_status} -> {change.to_status}" + (
                f": {change.note}" if change.note else "")
            versions.append((change.version, TimelineEntry(
                change.uuid, "status", change.recorded_at, change.entered_at, change.reviewer,
                text,
                change.observed_on)))
    for resolution in detail.resolutions:
        if resolution.version > version:
            outcome = resolution.outcome
            if resolution.outcome == "partial":
                outcome = f"partial:{resolution.value:g}"
            text = f"resolved {outcome}" + (f": {resolution.note}" if resolution.note else "")
            versions.append((resolution.version, TimelineEntry(
                resolution.uuid, "resolution", resolution.recorded_at, resolution.entered_at,
                resolution.reviewer,
                text, resolution.observed_on)))
    return [entry for _, entry in sorted(versions, key=lambda pair: pair[0])]


def _retraction_entries(detail: ClaimDetail) -> Iterator[TimelineEntry]:
    for item in detail.evidence:
        if item.retraction is not None:
            retraction = item.retraction
            yield TimelineEntry(
                retraction.uuid, "retraction", retraction.recorded_at, retraction.entered_at,
                retraction.reviewer,
                f"retracted evidence '{item.title}' ({item.uuid}): {retraction.reason}",
            )


def _has_case_beyond_ascii(word: str) -> bool:
    """Whether `word` has a letter with an upper and a lower case outside ASCII (é, Ü, ß)."""
    return any(not char.isascii() and char.swapcase() != char for char in word)


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def _next_review(
    status: str, cadence: str, created_at: datetime | None, last_review: datetime | None
) -> datetime | None:
    """The first review the cadence asks for after the last one (or after creation); none
    once the claim is closed (the review queue leaves closed claims out)."""
    if not cadence or created_at is None or Status(status).is_closed:
        return None
    since = last_review or created_at
    return next_review(cadence, since, since)


@dataclass(frozen=True)
class _EnrichmentStatements:
    """The queries that fill in a page's rows, built once with the page's claim ids (and
    the reviewer) as parameters: building them for every page cost more than running them."""

    tags: Select[int, str]
    evidence: Select[int, datetime, date]
    """When evidence last came in, and the latest day standing evidence speaks of."""
    latest: Select[Any]
    last_review: Select[int, datetime]


@cache
def _enrichment_statements() -> _EnrichmentStatements:
    """Made once, like `_claim_page`."""
    ids: BindParameter[list[int]] = bindparam("ids", expanding=True)
    latest = latest_forecasts(ids).subquery()
    return _EnrichmentStatements(
        tags=select(ClaimTag.claim_id, ClaimTag.tag)
        .where(ClaimTag.claim_id.in_(ids)).order_by(ClaimTag.tag),
        evidence=select(
            Evidence.claim_id, func.max(Evidence.recorded_at),
            type_coerce(func.max(case((_standing_evidence(), _evidence_day()))), Date()),
        ).where(Evidence.claim_id.in_(ids)).group_by(Evidence.claim_id),
        latest=select(latest.c.claim_id, latest.c.reviewer, latest.c.probability),
        last_review=select(ReviewMark.claim_id, func.max(ReviewMark.recorded_at))
        .join(Reviewer, Reviewer.id == ReviewMark.reviewer_id)
        .where(ReviewMark.claim_id.in_(ids), Reviewer.name == bindparam("reviewer"))
        .group_by(ReviewMark.claim_id),
    )


@dataclass
class _Enrichment:
    tags: dict[int, tuple[str, ...]]
    last_evidence: dict[int, datetime]
    evidence_day: dict[int, date]
    team: dict[int, float]
    mine: dict[int, float]
    forecasters: dict[int, int]
    last_review: dict[int, datetime]

    @classmethod
    def load(cls, connection: Connection, ids: Sequence[int], reviewer: str | None
             ) -> _Enrichment:
        if not ids:
            return cls({}, {}, {}, {}, {}, {}, {})
        statements = _enrichment_statements()
        values = {"ids": list(ids), "reviewer": reviewer or ""}
        tags: dict[int, list[str]] = {}
        for claim_id, tag in connection.execute(statements.tags, values):
            tags.setdefault(claim_id, []).append(tag)
        last_evidence: dict[int, datetime] = {}
        evidence_day: dict[int, date] = {}
        for claim_id, at, day in connection.execute(statements.evidence, values):
            last_evidence[claim_id] = as_utc(at)
            if day is not None:  # only retracted entries
                evidence_day[claim_id] = day
        team: dict[int, list[float]] = {}
        mine: dict[int, float] = {}
        for claim_id, name, probability in connection.execute(statements.latest, values):
            team.setdefault(claim_id, []).append(probability)
            if name == reviewer:
                mine[claim_id] = probability
        last_review: dict[int, datetime] = {}
        if reviewer:
            last_review = {claim_id: as_utc(at) for claim_id, at
                           in connection.execute(statements.last_review, values)}
        return cls(
            tags={key: tuple(value) for key, value in tags.items()},
            last_evidence=last_evidence,
            evidence_day=evidence_day,
            team={key: _median(values) for key, values in team.items()},
            mine=mine,
            forecasters={key: len(values) for key, values in team.items()},
            last_review=last_review,
        )


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def latest_forecasts(
    claim_ids: Sequence[int] | BindParameter[Any] | None = None, as_of: datetime | None = None
) -> Select[Any]:
    """Each reviewer's latest forecast per claim (window function, one pass)."""
    ranked = select(
        Forecast.claim_id,
        Reviewer.name.label("reviewer"),
        Forecast.probability,
        Forecast.made_at,
        func.row_number()
        .over(
            partition_by=(Forecast.claim_id, Forecast.reviewer_id),
            order_by=(Forecast.made_at.desc(), Forecast.recorded_at.desc(), Forecast.uuid.desc()),
        )
        .label("rank"),
    ).join(Reviewer, Reviewer.id == Forecast.reviewer_id)
    if claim_ids is not None:
        ranked = ranked.where(Forecast.claim_id.in_(claim_ids))
    if as_of is not None:
        ranked = ranked.where(Forecast.recorded_at <= as_of)
    sub = ranked.subquery()
    return select(sub.c.claim_id, sub.c.reviewer, sub.c.probability, sub.c.made_at).where(
        sub.c.rank == 1
    )


def _source_item(source: Source) -> SourceInfo:
    return SourceInfo(
        key=source.key, title=source.title, publisher=source.publisher,
        authors=tuple(source.authors or ()), published_on=source.published_on, url=source.url,
        language=source.language, notes=source.notes, copy_path=source.copy_path,
        copy_sha256=source.copy_sha256,
    )


def _before(column: Any, as_of: datetime | None) -> Any:
    return literal(True) if as_of is None else column <= as_of


class ReviewerNames(dict[int, str]):
    """Reviewer names by id, read again for an id not seen yet: on PostgreSQL each statement
    reads its own snapshot, so an entry read after the names can be by a reviewer created
    since (reviewers are never deleted, so a second read has it)."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self._session = session
        self._read()

    def _read(self) -> None:
        self.update((row.id, row.name)
                    for row in self._session.execute(select(Reviewer.id, Reviewer.name)))

    def __missing__(self, reviewer_id: int) -> str:
        self._read()
        if reviewer_id not in self:
            raise KeyError(reviewer_id)
        return self[reviewer_id]


def _load_detail(session: Session, slug: str, as_of: datetime | None) -> ClaimDetail:
    claim = session.scalar(select(Claim).where(Claim.slug == slug))
    if claim is None:
        raise NotFound(f"no claim '{slug}': check the slug with `tracker list`")
    if as_of is not None and as_utc(claim.created_at) > as_of:
        shown, created = as_of_text(as_of), instant_text(claim.created_at)
        if as_utc(as_of).replace(microsecond=0) == as_utc(claim.created_at).replace(
                microsecond=0):  # within one second: the texts would read the same
            shown, created = (f"{as_utc(moment):%Y-%m-%d %H:%M:%S.%f} UTC"
                              for moment in (as_of, claim.created_at))
        raise NotFound(f"claim '{slug}' was not in the tracker yet as of {shown}: it was "
                       f"recorded on {created}")
    names = ReviewerNames(session)

    revisions = tuple(
        RevisionItem(row.uuid, row.version, row.note, names[row.reviewer_id],
                     as_utc(row.recorded_at), as_utc(row.entered_at),
                     definition_from_json(row.definition))
        for row in session.scalars(
            select(ClaimRevision)
            .where(ClaimRevision.claim_id == claim.id,
                   _before(ClaimRevision.recorded_at, as_of))
            .order_by(ClaimRevision.version)
        )
    )
    retractions = {
        row.evidence_uuid: RetractionItem(
            row.uuid, row.reason, names[row.reviewer_id], as_utc(row.recorded_at),
            as_utc(row.entered_at),
        )
        for row in session.scalars(
            select(EvidenceRetraction)
            .join(Evidence, Evidence.uuid == EvidenceRetraction.evidence_uuid)
            .where(Evidence.claim_id == claim.id,
                   _before(EvidenceRetraction.recorded_at, as_of))
        )
    }
    evidence = tuple(
        EvidenceItem(
            row.uuid, row.title, row.url, row.summary, row.stance, row.observed_on,
            names[row.reviewer_id], as_utc(row.recorded_at), as_utc(row.entered_at),
            retractions.get(row.uuid),
        )
        for row in session.scalars(
            select(Evidence)
            .where(Evidence.claim_id == claim.id, _before(Evidence.recorded_at, as_of))
            .order_by(Evidence.recorded_at, Evidence.uuid)
        )
    )
    status_changes = tuple(
        StatusItem(row.uuid, row.version, row.from_status, row.to_status, row.is_reopen,
                   row.note, row.observed_on, names[row.reviewer_id], as_utc(row.recorded_at),
                   as_utc(row.entered_at))
        for row in session.scalars(
            select(StatusChange)
            .where(StatusChange.claim_id == claim.id, _before(StatusChange.recorded_at, as_of))
            .order_by(StatusChange.version)
        )
    )
    resolutions = tuple(
        ResolutionItem(row.uuid, row.version, row.outcome, row.value, row.note,
                       row.observed_on, names[row.reviewer_id], as_utc(row.recorded_at),
                       as_utc(row.entered_at))
        for row in session.scalars(
            select(Resolution)
            .where(Resolution.claim_id == claim.id, _before(Resolution.recorded_at, as_of))
            .order_by(Resolution.version)
        )
    )
    forecasts = tuple(
        ForecastItem(row.uuid, row.probability, row.rationale, as_utc(row.made_at),
                     names[row.reviewer_id], as_utc(row.recorded_at), as_utc(row.entered_at))
        for row in session.scalars(
            select(Forecast)
            .where(Forecast.claim_id == claim.id, _before(Forecast.recorded_at, as_of))
            .order_by(Forecast.made_at, Forecast.recorded_at, Forecast.uuid)
        )
    )
    if as_of is None:
        status, version = claim.status, claim.version
        changed_at, changed_by = as_utc(claim.changed_at), names[claim.changed_by_id]
    else:
        status, version, changed_at, changed_by = _state_as_of(
            revisions, status_changes, resolutions
        )
    child = aliased(Claim)
    children = tuple(
        ChildItem(row.slug, row.title, row.status)
        for row in session.execute(
            select(child.slug, child.title, child.status)
            .where(child.parent_id == claim.id, _before(child.created_at, as_of))
            .order_by(child.slug)
        )
    )
    source = session.get(Source, claim.source_id) if claim.source_id else None
    return ClaimDetail(
        uuid=claim.uuid, definition=revisions[-1].definition, status=status,
        version=version, changed_at=changed_at, changed_by=changed_by, as_of=as_of,
        source=_source_item(source) if source else None, children=children,
        evidence=evidence, status_changes=status_changes, resolutions=resolutions,
        forecasts=forecasts, revisions=revisions, synced_hash=claim.synced_hash,
    )


def _state_as_of(
    revisions: tuple[RevisionItem, ...],
    status_changes: tuple[StatusItem, ...],
    resolutions: tuple[ResolutionItem, ...],
) -> tuple[str, int, datetime, str]:
    """Replay versioned events: the highest version recorded by then decides the state."""
    events: list[tuple[int, str | None, datetime, str]] = [
        (item.version, None, item.recorded_at, item.reviewer) for item in revisions
    ]
    events += [(item.version, item.to_status, item.recorded_at, item.reviewer)
               for item in status_changes]
    events += [(item.version, Outcome(item.outcome).closing_status.value, item.recorded_at,
                item.reviewer) for item in resolutions]
    events.sort(key=lambda event: event[0])
    status = Status.OPEN.value
    for _version, new_status, _at, _who in events:
        if new_status is not None:
            status = new_status
    version, _, changed_at, changed_by = events[-1]
    return status, version, changed_at, changed_by


# --- set-based state as of a date (reports and scoring) -----------------------------------


def _closing_status() -> Any:
    return case(
        *((Resolution.outcome == outcome.value, outcome.closing_status.value)
          for outcome in Outcome),
        else_=Status.ANNULLED.value,
    )


def state_events_as_of(as_of: datetime, ids: tuple[int, int] | None = None) -> Subquery:
    """Per claim with a state event recorded by `as_of`: that event's version, the status it
    set, and when it was recorded; with `ids=(first, last)` only for the claims with ids in
    that range (restricted inside, where the database cannot push the range down itself).

    Status changes and resolutions share each claim's version sequence, so the highest version
    recorded by then decides.
    """
    changes = (
        select(StatusChange.claim_id, StatusChange.version,
               StatusChange.to_status.label("status"), StatusChange.recorded_at)
        .where(StatusChange.recorded_at <= as_of)
    )
    resolutions = (
        select(Resolution.claim_id, Resolution.version, _closing_status().label("status"),
               Resolution.recorded_at)
        .where(Resolution.recorded_at <= as_of)
    )
    if ids is not None:
        changes = changes.where(StatusChange.claim_id.between(*ids))
        resolutions = resolutions.where(Resolution.claim_id.between(*ids))
    events = union_all(changes, resolutions).subquery()
    latest = (
        select(events.c.claim_id, func.max(events.c.version).label("version"))
        .group_by(events.c.claim_id)
        .subquery()
    )
    return (
        select(events.c.claim_id, events.c.version, events.c.status, events.c.recorded_at)
        .join(latest, and_(latest.c.claim_id == events.c.claim_id,
                           latest.c.version == events.c.version))
        # A track record's resolution can be recorded as of its own moment, before the
        # import recorded its claim: as of then the claim was not in the tracker.
        .join(Claim, and_(Claim.id == events.c.claim_id, Claim.created_at <= as_of))
        .subquery()
    )


def definitions_as_of(session: Session, claim_ids: Iterable[int], as_of: datetime
                      ) -> dict[int, ClaimDefinition]:
    """Each claim's definition as of `as_of` (its latest revision recorded by then)."""
    ids = sorted(set(claim_ids))
    found: dict[int, ClaimDefinition] = {}
    for chunk in id_chunks(ids):
        for claim_id, definition in session.execute(
            select(ClaimRevision.claim_id, ClaimRevision.definition)
            .where(ClaimRevision.claim_id.in_(chunk), ClaimRevision.recorded_at <= as_of)
            .order_by(ClaimRevision.claim_id, ClaimRevision.version)
        ):
            found[claim_id] = definition_from_json(definition)  # the last one wins
    return found


def id_chunks(ids: Sequence[int], size: int = 500) -> Iterable[Sequence[int]]:
    """Ids in slices small enough for any backend's limit on bound parameters."""
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
