"""The one write path: every change to claims goes through here, one transaction each.

Appends (evidence, forecasts) never conflict. Changes to a claim's definition or state
(edit, status, resolve, reopen) carry the version the caller saw; if someone else changed
the claim first they fail with `Conflict` and nothing is written (optimistic concurrency).
Validation happens before anything is written, so a refused operation leaves no trace.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Engine, delete, insert, select, text, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from tracker.db import database_problem
from tracker.definitions import (
    ClaimDefinition,
    SourceInfo,
    check_made_at,
    check_made_on,
    check_observed,
    check_partial_value,
    check_probability,
    check_quote,
    check_recorded_at,
    check_reviewer,
    check_text,
    copy_matches,
    validate_definition,
)
from tracker.errors import (
    Conflict,
    IllegalTransition,
    InvalidInput,
    NotFound,
    SlugTaken,
    UnseenEntries,
)
from tracker.horizons import as_utc, utc_now
from tracker.models import (
    COPY_PATH_MAX,
    LANGUAGE_MAX,
    NAME_MAX,
    TEXT_MAX,
    TITLE_MAX,
    URL_MAX,
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
    new_uuid,
)
from tracker.vocabulary import (
    OPEN_STATUSES,
    Outcome,
    Stance,
    Status,
    outcome_value,
    parse_choice,
    plural,
)


@dataclass(frozen=True)
class EntryStamp:
    """Identity and clock of a log entry; imports pass the ones from the file."""

    uuid: str | None = None
    recorded_at: datetime | None = None


NEW = EntryStamp()


@dataclass(frozen=True)
class RetractedEvidence:
    """What a retraction withdrew, for saying so: its id may have been given by its start."""

    evidence_uuid: str
    title: str

IMPORT_LOCK_KEY = 0x747261636B  # "track"
"""The PostgreSQL advisory lock imports take (`hold_import_lock`)."""


def _choice(enum: Any, text: str, what: str) -> Any:
    try:
        return parse_choice(enum, text, what)
    except ValueError as error:
        raise InvalidInput(str(error)) from None


class LedgerTransaction:
    """All write operations, inside one open transaction (see `Ledger.transaction`)."""

    def __init__(self, session: Session, clock: Callable[[], datetime]) -> None:
        self.session = session
        self._clock = clock
        self._reviewer_ids: dict[str, int] = {}
        self._copy_texts: dict[int, str | None] = {}
        """Per source id, its stored copy's text, read once: an import checks every claim's
        quote against it."""

    # --- lookups -------------------------------------------------------------------
    def reviewer_id(self, name: str) -> int:
        name = check_reviewer(name)
        if name in self._reviewer_ids:
            return self._reviewer_ids[name]
        found = self.session.scalar(select(Reviewer.id).where(Reviewer.name == name))
        if found is None:
            reviewer = Reviewer(name=name, created_at=self._clock())
            try:
                with self.session.begin_nested():
                    self.session.add(reviewer)
                found = reviewer.id
            except IntegrityError:  # the same new name, written meanwhile (PostgreSQL)
                found = self.session.execute(
                    select(Reviewer.id).where(Reviewer.name == name)).scalar_one()
        self._reviewer_ids[name] = found
        return found

    def hold_import_lock(self) -> None:
        """One import at a time, so nothing changes under its plan: on PostgreSQL a
        transaction-scoped advisory lock; on SQLite the write lock, which the transaction's
        BEGIN IMMEDIATE takes once it has a connection."""
        self._import_lock("pg_advisory_xact_lock")

    def wait_for_imports(self) -> None:
        """Wait for an import under way, whose plan was read before it writes (on SQLite,
        the write lock waits for it already), and keep the next from planning until this
        transaction ends; other such writers do not wait for each other."""
        self._import_lock("pg_advisory_xact_lock_shared")

    def _import_lock(self, function: str) -> None:
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SELECT {function}(:key)"), {"key": IMPORT_LOCK_KEY})

    def claim(self, slug: str, *, lock: bool = True) -> Claim:
        """The claim, locked until the transaction ends. Every write a review mark checks
        for, and the mark itself, take this lock first: on PostgreSQL a mark made while
        another reviewer's write was under way passed its check and was then stamped after
        an entry it had not seen (SQLite lets one writer in at a time already). A forecast,
        which the mark does not check for, does without (`lock=False`): an import of a track
        record would hold every claim it adds forecasts to until it ends."""
        return self._read_claim(slug, "update" if lock else None)

    def _claim_shared(self, slug: str) -> Claim:
        """The claim, its state held until the transaction ends: a forecast refused on a
        closed claim is checked against it. On PostgreSQL, without the lock, a forecast made
        while another reviewer's resolution was under way read the claim still open and was
        recorded after the resolution: accepted, and never scored. Nor could a forecast
        entered after another reviewer's entry under way be committed before it: a review
        mark checked against the forecast's time would hide that entry. A share lock waits
        for a write to the claim under way (and makes one wait) but not for other forecasts;
        imports, which record forecasts on closed claims too, do without it (see `claim`)."""
        return self._read_claim(slug, "share")

    def _read_claim(self, slug: str, lock: Literal["update", "share"] | None) -> Claim:
        """The claim, not locked, or locked for an update of its row (FOR NO KEY UPDATE on
        PostgreSQL) or for a share (FOR SHARE). A locked read refreshes it: the session may
        hold it as read before, unlocked."""
        query = select(Claim).where(Claim.slug == slug)
        if lock is not None:
            query = query.with_for_update(read=lock == "share", key_share=lock == "update"
                                          ).execution_options(populate_existing=True)
        claim = self.session.scalar(query)
        if claim is None:
            raise NotFound(f"no claim '{slug}': check the slug with `tracker list`")
        return claim

    def _stamp(self, stamp: EntryStamp) -> tuple[str, datetime, datetime]:
        """The entry's uuid, its recorded_at (the file's, if imported) and its entered_at
        (now: when it reaches this database)."""
        now = self._clock()
        if stamp.recorded_at is not None:
            check_recorded_at(stamp.recorded_at, now)
        return stamp.uuid or new_uuid(), stamp.recorded_at or now, now

    def has_entry(self, model: Any, uuid: str) -> bool:
        return self.session.get(model, uuid) is not None

    # --- sources and claims ----------------------------------------------------------
    def upsert_source(self, info: SourceInfo, copy_text: str | None = None) -> int:
        """Sources are reference data, not log: the latest file or call wins. `copy_text` is
        the stored copy as read (matching copy_sha256); without it, the text held is kept
        only while copy_sha256 still names the same copy."""
        _check_source(info, copy_text)
        source = self.session.scalar(select(Source).where(Source.key == info.key))
        values: dict[str, Any] = {
            "title": info.title, "publisher": info.publisher, "authors": list(info.authors),
            "published_on": info.published_on, "url": info.url, "language": info.language,
            "notes": info.notes, "copy_path": info.copy_path, "copy_sha256": info.copy_sha256,
        }
        same_copy = (source is not None and bool(info.copy_path and info.copy_sha256)
                     and info.copy_sha256 == source.copy_sha256)
        if copy_text is not None or not same_copy:
            values["copy_text"] = copy_text
        if source is None:
            source = Source(key=info.key, created_at=self._clock(), **values)
            try:
                with self.session.begin_nested():
                    self.session.add(source)
            except IntegrityError:  # the same new key, written meanwhile (PostgreSQL)
                source = self.session.execute(
                    select(Source).where(Source.key == info.key)).scalar_one()
        for name, value in values.items():
            setattr(source, name, value)
        self.session.flush()
        self._copy_texts.pop(source.id, None)
        return source.id

    def made_on(self, slug: str) -> date | None:
        """Claim `slug`'s made-on day; None if it has none, or there is no such claim (which
        `create_claim` then names)."""
        return self.session.scalar(select(Claim.made_on).where(Claim.slug == slug))

    def _references(self, definition: ClaimDefinition) -> tuple[int | None, int | None]:
        parent_id = source_id = None
        if definition.parent:
            parent_id = self.session.scalar(select(Claim.id).where(Claim.slug == definition.parent))
            if parent_id is None:
                raise NotFound(
                    f"parent claim '{definition.parent}' does not exist: add it first",
                    field="parent",
                )
        if definition.source:
            source_id = self.session.scalar(
                select(Source.id).where(Source.key == definition.source)
            )
            if source_id is None:
                raise NotFound(f"source '{definition.source}' does not exist: import it first",
                               field="source")
        return parent_id, source_id

    def _check_ancestry(self, claim: Claim, parent_id: int | None) -> None:
        """A claim cannot become its own ancestor: the claims in the loop would drop out of
        every tree (a list shows top-level claims and their children)."""
        chain, current, seen = [claim.slug], parent_id, set()
        while current is not None and current not in seen:  # a loop elsewhere: not this one
            seen.add(current)
            row = self.session.execute(
                select(Claim.slug, Claim.parent_id).where(Claim.id == current)).one()
            chain.append(row.slug)
            if current == claim.id:
                raise InvalidInput(f"parent cycle: {' -> '.join(chain)}: a claim cannot be its "
                                   "own ancestor", field="parent")
            current = row.parent_id

    def _hold_parents_still(self, slug: str, parent: str) -> None:
        """Before a claim is given a new parent, wait for any other change of parents (and
        any import, whose check reads them) to end, so that `_check_ancestry` sees it: on
        PostgreSQL two reviewers giving a1 the parent b1 and b1 the parent a1 at once each
        saw no loop, and both claims dropped out of every tree. Taken before the claim's own
        lock, as imports take it (SQLite lets one writer in at a time already)."""
        parent_alias = aliased(Claim)
        stored = self.session.scalar(
            select(parent_alias.slug).select_from(Claim)
            .join(parent_alias, parent_alias.id == Claim.parent_id).where(Claim.slug == slug))
        if stored != parent:
            self.hold_import_lock()

    def _check_quote(self, definition: ClaimDefinition, source_id: int | None) -> None:
        if source_id is not None and definition.quote.strip():
            if source_id not in self._copy_texts:
                self._copy_texts[source_id] = self.session.scalar(
                    select(Source.copy_text).where(Source.id == source_id))
            check_quote(definition.quote, definition.source or "", self._copy_texts[source_id])

    def create_claim(
        self, definition: ClaimDefinition, reviewer: str, note: str = "", stamp: EntryStamp = NEW
    ) -> Claim:
        definition = validate_definition(definition)
        # An import planning the same slug as new would otherwise fail as a whole on it.
        self.wait_for_imports()
        reviewer_id = self.reviewer_id(reviewer)
        if self.session.scalar(select(Claim.id).where(Claim.slug == definition.slug)):
            raise SlugTaken(
                f"a claim with slug '{definition.slug}' already exists: pick another slug"
            )
        parent_id, source_id = self._references(definition)
        self._check_quote(definition, source_id)
        uuid, now, entered = self._stamp(stamp)
        check_made_on(definition.made_on, now)
        claim = Claim(
            slug=definition.slug, created_at=now, changed_at=now, changed_by_id=reviewer_id,
            version=1, status=Status.OPEN.value, parent_id=parent_id, source_id=source_id,
            **_cached_columns(definition),
        )
        try:
            with self.session.begin_nested():
                self.session.add(claim)
        except IntegrityError:
            # The same new slug, written meanwhile (PostgreSQL): the check above could not see
            # it, and the database's own words ("duplicate key value...") tell a user nothing.
            if self.session.scalar(select(Claim.id).where(Claim.slug == definition.slug)):
                raise SlugTaken(f"a claim with slug '{definition.slug}' was just added by "
                                "someone else: pick another slug") from None
            raise
        self._write_tags(claim.id, definition.tags)
        self.session.add(
            ClaimRevision(
                uuid=uuid, claim_id=claim.id, version=1, definition=definition.to_json(),
                note=note, reviewer_id=reviewer_id, recorded_at=now, entered_at=entered,
            )
        )
        self.session.flush()
        return claim

    def edit_claim(
        self,
        slug: str,
        definition: ClaimDefinition,
        reviewer: str,
        expected_version: int | None = None,
        note: str = "",
        stamp: EntryStamp = NEW,
    ) -> int:
        """Record a new revision of the definition; returns the new version."""
        if definition.slug != slug:
            raise InvalidInput("a claim's slug cannot change: create a new claim instead")
        if definition.parent:
            self._hold_parents_still(slug, definition.parent)
        claim = self._claim_at(slug, expected_version)
        stored_tags = frozenset(self.session.scalars(
            select(ClaimTag.tag).where(ClaimTag.claim_id == claim.id)))
        definition = validate_definition(definition, stored_tags)
        reviewer_id = self.reviewer_id(reviewer)
        parent_id, source_id = self._references(definition)
        self._check_ancestry(claim, parent_id)
        if definition.quote != claim.quote or source_id != claim.source_id:
            self._check_quote(definition, source_id)  # an older quote may predate the copy
        uuid, now, entered = self._stamp(stamp)
        check_made_on(definition.made_on, now)
        version = self._advance(
            claim, expected_version, reviewer_id, now,
            parent_id=parent_id, source_id=source_id, **_cached_columns(definition),
        )
        self.session.execute(delete(ClaimTag).where(ClaimTag.claim_id == claim.id))
        self._write_tags(claim.id, definition.tags)
        self.session.add(
            ClaimRevision(
                uuid=uuid, claim_id=claim.id, version=version, definition=definition.to_json(),
                note=check_text(note, "note", TEXT_MAX), reviewer_id=reviewer_id,
                recorded_at=now, entered_at=entered,
            )
        )
        self.session.flush()
        return version

    def _write_tags(self, claim_id: int, tags: tuple[str, ...]) -> None:
        if tags:
            self.session.execute(
                insert(ClaimTag), [{"claim_id": claim_id, "tag": tag} for tag in tags]
            )

    def set_synced_hash(self, slug: str, content_hash: str) -> None:
        """Bookkeeping for claim-file sync, not part of the claim's history."""
        self.session.execute(
            update(Claim).where(Claim.slug == slug).values(synced_hash=content_hash)
        )

    def remember_declined(self, slug: str, uuid: str, kind: str, entry: dict[str, Any],
                          reason: str) -> None:
        """Claim-file sync bookkeeping, like `set_synced_hash`: a file's entry this database
        did not merge (see `DeclinedEntry`). An entry declined again as the file now gives
        it replaces what was remembered of it."""
        claim = self.claim(slug)
        self.session.execute(delete(DeclinedEntry).where(DeclinedEntry.uuid == uuid))
        self.session.add(DeclinedEntry(uuid=uuid, claim_id=claim.id, kind=kind, entry=entry,
                                       reason=reason, declined_at=self._clock()))
        self.session.flush()

    def forget_declined(self, uuids: Collection[str]) -> None:
        """Declined entries merged since (a file changed them and they fitted)."""
        if uuids:
            self.session.execute(delete(DeclinedEntry).where(DeclinedEntry.uuid.in_(uuids)))

    # --- appends ---------------------------------------------------------------------
    def add_evidence(
        self,
        slug: str,
        *,
        title: str,
        stance: str,
        reviewer: str,
        url: str = "",
        summary: str = "",
        observed_on: date | None = None,
        stamp: EntryStamp = NEW,
    ) -> str:
        stance_value = _choice(Stance, stance, "stance")
        check_text(title, "evidence title", TITLE_MAX, required=True, one_line=True)
        check_text(url, "URL", URL_MAX)
        if url and not url.startswith(("http://", "https://")):
            raise InvalidInput(f"URL '{url}' must start with http:// or https://")
        check_text(summary, "summary", TEXT_MAX)
        claim = self.claim(slug)
        uuid, now, entered = self._stamp(stamp)
        check_observed(observed_on, now)
        reviewer_id = self.reviewer_id(reviewer)
        self.session.add(
            Evidence(
                uuid=uuid, claim_id=claim.id, url=url, title=title, summary=summary,
                stance=stance_value.value, observed_on=observed_on, reviewer_id=reviewer_id,
                recorded_at=now, entered_at=entered,
            )
        )
        self.session.flush()
        return uuid

    def _evidence_id(self, given: str) -> str:
        """An entry's whole id from the id or its start (8 characters or more, as messages
        and `tracker history` show it), in either case."""
        key = given.strip().lower()
        if len(key) < 8:
            raise InvalidInput(f"evidence id '{given}' is too short: give at least its first 8 "
                               "characters (`tracker history SLUG` shows them)")
        if len(key) < 36:
            found = self.session.scalars(
                select(Evidence.uuid).where(Evidence.uuid.startswith(key, autoescape=True))
                .limit(2)).all()
            if len(found) > 1:
                raise InvalidInput(f"evidence id '{given}' is the start of more than one entry: "
                                   "give more of it (`tracker history SLUG` shows them whole)")
            if found:
                return found[0]
        return key

    def retract_evidence(
        self, evidence_uuid: str, *, reason: str, reviewer: str, stamp: EntryStamp = NEW
    ) -> RetractedEvidence:
        check_text(reason, "reason", TEXT_MAX, required=True)
        evidence_uuid = self._evidence_id(evidence_uuid)
        slug = self.session.scalar(select(Claim.slug).join(Evidence).where(
            Evidence.uuid == evidence_uuid))
        if slug is not None:
            self.claim(slug)  # its lock first, as every write to the claim takes it
        # The row lock makes a second retraction of the entry wait for the first and then
        # see it: on PostgreSQL two could both find none and both be written (SQLite
        # serialises writers already).
        evidence = self.session.scalar(
            select(Evidence).where(Evidence.uuid == evidence_uuid).with_for_update())
        if evidence is None:
            raise NotFound(
                f"no evidence entry {evidence_uuid}: copy its id from `tracker history SLUG`"
            )
        already = self.session.execute(
            select(EvidenceRetraction.uuid, EvidenceRetraction.recorded_at, Reviewer.name)
            .join(Reviewer, Reviewer.id == EvidenceRetraction.reviewer_id)
            .where(EvidenceRetraction.evidence_uuid == evidence_uuid)
            .order_by(EvidenceRetraction.recorded_at, EvidenceRetraction.uuid).limit(1)
        ).one_or_none()
        if already is not None and stamp.uuid != already.uuid:
            raise IllegalTransition(
                f"evidence '{evidence.title}' ({evidence_uuid[:8]}) was already retracted by "
                f"{already.name} at {as_utc(already.recorded_at):%Y-%m-%d %H:%M} UTC")
        reviewer_id = self.reviewer_id(reviewer)
        uuid, now, entered = self._stamp(stamp)
        self.session.add(
            EvidenceRetraction(
                uuid=uuid, evidence_uuid=evidence_uuid, reason=reason,
                reviewer_id=reviewer_id, recorded_at=now, entered_at=entered,
            )
        )
        self.session.flush()
        return RetractedEvidence(evidence_uuid, evidence.title)

    def forecast(
        self,
        slug: str,
        probability: float,
        *,
        reviewer: str,
        rationale: str = "",
        made_at: datetime | None = None,
        stamp: EntryStamp = NEW,
        allow_closed: bool = False,
    ) -> str:
        """Record a probability. 0 and 1 are accepted; log scores clip them (see scoring)."""
        probability = check_probability(probability)
        check_text(rationale, "note", TEXT_MAX)
        claim = self.claim(slug, lock=False) if allow_closed else self._claim_shared(slug)
        if Status(claim.status).is_closed and not allow_closed:
            raise IllegalTransition(
                f"claim '{slug}' is {claim.status}: forecasts on a resolved claim would not be "
                f"scored; reopen it first with `tracker reopen {slug} --note REASON`"
            )
        uuid, now, entered = self._stamp(stamp)
        check_made_at(made_at, now)
        reviewer_id = self.reviewer_id(reviewer)
        self.session.add(
            Forecast(
                uuid=uuid, claim_id=claim.id, probability=probability, rationale=rationale,
                made_at=made_at or now, reviewer_id=reviewer_id, recorded_at=now,
                entered_at=entered,
            )
        )
        self.session.flush()
        return uuid

    def mark_reviewed(self, slug: str, reviewer: str, seen_through: datetime | None = None
                      ) -> None:
        """Record that `reviewer` looked at the claim. With `seen_through` (when the latest
        entry by someone else that the reviewer was shown entered this database), refused if
        evidence, a retraction, a status change, a resolution or a new definition by someone
        else has entered it since (recorded here or imported): the mark would hide it, as
        entries that entered before the mark no longer bring the claim back into the
        reviewer's queue. Others' forecasts do not count: they
        are opinions, not news of the claim, and blind forecasting may keep them hidden."""
        # The entries an import under way is writing are then checked below, instead of
        # hidden by a mark made meanwhile.
        self.wait_for_imports()
        claim = self.claim(slug)
        reviewer_id = self.reviewer_id(reviewer)
        if seen_through is not None:
            self._check_nothing_unseen(claim, reviewer_id, as_utc(seen_through))
        self.session.add(
            ReviewMark(
                claim_id=claim.id, reviewer_id=reviewer_id, recorded_at=self._clock(),
            )
        )
        self.session.flush()

    def _check_nothing_unseen(self, claim: Claim, reviewer_id: int, seen_through: datetime
                              ) -> None:
        retractions = (select(EvidenceRetraction.entered_at, EvidenceRetraction.reviewer_id)
                       .join(Evidence, Evidence.uuid == EvidenceRetraction.evidence_uuid)
                       .where(Evidence.claim_id == claim.id))
        entries = union_all(retractions, *(
            select(model.entered_at, model.reviewer_id).where(model.claim_id == claim.id)
            for model in (ClaimRevision, Evidence, StatusChange, Resolution)
        )).subquery()
        names = self.session.scalars(
            select(Reviewer.name).select_from(entries)
            .join(Reviewer, Reviewer.id == entries.c.reviewer_id)
            .where(entries.c.entered_at > seen_through, entries.c.reviewer_id != reviewer_id)
        ).all()
        if names:
            raise UnseenEntries(
                f"{claim.slug} has {plural(len(names), 'entry', 'entries')} by "
                f"{', '.join(sorted(set(names)))} new since it was shown to you: read "
                f"{'it' if len(names) == 1 else 'them'}, then mark the claim reviewed")

    # --- state changes (versioned) ---------------------------------------------------
    def change_status(
        self,
        slug: str,
        status: str,
        *,
        reviewer: str,
        note: str = "",
        expected_version: int | None = None,
        observed_on: date | None = None,
        stamp: EntryStamp = NEW,
    ) -> int:
        target = _choice(Status, status, "status")
        check_text(note, "note", TEXT_MAX)
        claim = self._claim_at(slug, expected_version)
        current = Status(claim.status)
        if target not in OPEN_STATUSES:
            raise IllegalTransition(
                f"'{target}' closes a claim: record it with `tracker resolve {slug} "
                "yes|no|partial:VALUE|annulled --note WHY` instead"
            )
        if current.is_closed:
            raise IllegalTransition(
                f"claim '{slug}' is {current} (closed): reopen it first with "
                f"`tracker reopen {slug} --note REASON`"
            )
        if target == current:
            raise IllegalTransition(f"claim '{slug}' is already {current}")
        uuid, now, entered = self._stamp(stamp)
        check_observed(observed_on, now)
        reviewer_id = self.reviewer_id(reviewer)
        version = self._advance(claim, expected_version, reviewer_id, now, status=target.value)
        self.session.add(
            StatusChange(
                uuid=uuid, claim_id=claim.id, version=version, from_status=current.value,
                to_status=target.value, note=note, observed_on=observed_on,
                reviewer_id=reviewer_id, recorded_at=now, entered_at=entered,
            )
        )
        self.session.flush()
        return version

    def resolve(
        self,
        slug: str,
        outcome: str,
        *,
        reviewer: str,
        value: float | None = None,
        note: str = "",
        expected_version: int | None = None,
        observed_on: date | None = None,
        stamp: EntryStamp = NEW,
    ) -> int:
        chosen = _choice(Outcome, outcome, "outcome")
        if chosen is Outcome.PARTIAL:
            if value is None:
                raise InvalidInput("a partial resolution needs a value: write partial:0.4")
            value = check_partial_value(value)
        elif value is not None:
            raise InvalidInput(f"only a partial resolution takes a value, not '{chosen}'")
        check_text(note, "note", TEXT_MAX)
        claim = self._claim_at(slug, expected_version)
        current = Status(claim.status)
        if current.is_closed:
            raise IllegalTransition(
                f"claim '{slug}' is already {current}: to change the outcome, reopen it first "
                f"with `tracker reopen {slug} --note REASON`"
            )
        uuid, now, entered = self._stamp(stamp)
        check_observed(observed_on, now)
        reviewer_id = self.reviewer_id(reviewer)
        version = self._advance(
            claim, expected_version, reviewer_id, now, status=chosen.closing_status.value
        )
        self.session.add(
            Resolution(
                uuid=uuid, claim_id=claim.id, version=version, outcome=chosen.value,
                value=outcome_value(chosen, value), note=note, observed_on=observed_on,
                reviewer_id=reviewer_id, recorded_at=now, entered_at=entered,
            )
        )
        self.session.flush()
        return version

    def reopen(
        self,
        slug: str,
        *,
        reviewer: str,
        reason: str,
        to_status: str = Status.OPEN.value,
        expected_version: int | None = None,
        stamp: EntryStamp = NEW,
    ) -> int:
        """Undo a resolution with a reason; the resolution itself stays in the log."""
        check_text(reason, "reason", TEXT_MAX, required=True)
        target = _choice(Status, to_status, "status")
        if target not in OPEN_STATUSES:
            raise IllegalTransition("a reopened claim must be open, developing or stalled")
        claim = self._claim_at(slug, expected_version)
        current = Status(claim.status)
        if not current.is_closed:
            raise IllegalTransition(f"claim '{slug}' is {current}, not closed: nothing to reopen")
        reviewer_id = self.reviewer_id(reviewer)
        uuid, now, entered = self._stamp(stamp)
        version = self._advance(claim, expected_version, reviewer_id, now, status=target.value)
        self.session.add(
            StatusChange(
                uuid=uuid, claim_id=claim.id, version=version, from_status=current.value,
                to_status=target.value, is_reopen=True, note=reason, reviewer_id=reviewer_id,
                recorded_at=now, entered_at=entered, observed_on=None,
            )
        )
        self.session.flush()
        return version

    def _claim_at(self, slug: str, expected_version: int | None) -> Claim:
        """Load the claim and fail early if it moved on since the caller loaded it: the
        caller's view is stale, so judging the transition against it would mislead."""
        claim = self.claim(slug)
        if expected_version is not None and not 1 <= expected_version <= claim.version:
            raise InvalidInput(f"claim '{slug}' has no version {expected_version}: it is at "
                               f"version {claim.version} (`tracker show {slug}` prints it)")
        if expected_version is not None and claim.version != expected_version:
            raise self._conflict(claim.id, claim.slug, expected_version)
        return claim

    def _advance(
        self,
        claim: Claim,
        expected_version: int | None,
        reviewer_id: int,
        now: datetime,
        **values: Any,
    ) -> int:
        """Bump the claim's version if it is still the one the caller saw."""
        seen = claim.version if expected_version is None else expected_version
        result = self.session.execute(
            update(Claim)
            .where(Claim.id == claim.id, Claim.version == seen)
            .values(version=seen + 1, changed_at=now, changed_by_id=reviewer_id, **values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise self._conflict(claim.id, claim.slug, seen)
        self.session.expire(claim)
        return seen + 1

    def _conflict(self, claim_id: int, slug: str, seen: int) -> Conflict:
        row = self.session.execute(
            select(Claim.version, Claim.changed_at, Reviewer.name)
            .join(Reviewer, Reviewer.id == Claim.changed_by_id)
            .where(Claim.id == claim_id)
        ).one()
        return Conflict(slug, row.name, row.changed_at, seen, row.version)


def _check_source(info: SourceInfo, copy_text: str | None) -> None:
    """What a claim file's [source] is checked for, and a copy's text is the copy named."""
    check_text(info.title, "source title", TITLE_MAX, required=True, one_line=True)
    for value, what, limit in ((info.publisher, "publisher", TITLE_MAX),
                               (info.url, "source URL", URL_MAX),
                               (info.language, "language", LANGUAGE_MAX),
                               (info.notes, "source notes", TEXT_MAX),
                               (info.copy_path, "copy", COPY_PATH_MAX),
                               *((author, "author", NAME_MAX) for author in info.authors)):
        check_text(value, what, limit)
    if copy_text is not None and not copy_matches(copy_text.encode(), info.copy_sha256):
        raise InvalidInput(f"the stored copy's text for source '{info.key}' is not the copy "
                           "copy_sha256 names: nothing was written")
    if copy_text is not None and "\x00" in copy_text:  # PostgreSQL cannot store it
        raise InvalidInput(f"the stored copy of source '{info.key}' holds a NUL character: "
                           "store the source as plain text")


def _cached_columns(definition: ClaimDefinition) -> dict[str, Any]:
    data = {
        name: getattr(definition, name)
        for name in (
            "title", "statement", "quote", "quote_lang", "claimant", "kind", "made_on",
            "horizon", "deadline_start", "deadline_end", "deadline_rule", "criteria",
            "review_cadence", "implied_confidence", "confidence_words", "notes", "url",
        )
    }
    return data


class Ledger:
    """Entry point for writes. Each public call is one transaction."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = utc_now) -> None:
        self.engine = engine
        # Writes take SQLite's write lock up front so two writers queue instead of failing.
        self._write_engine = engine.execution_options(tracker_write=True)
        self.clock = clock

    @contextmanager
    def transaction(self) -> Iterator[LedgerTransaction]:
        """One transaction for several operations (imports); all or nothing."""
        with Session(self._write_engine, expire_on_commit=False) as session, session.begin():
            try:
                yield LedgerTransaction(session, self.clock)
            except IntegrityError as error:
                raise InvalidInput(
                    f"the database refused the change ({database_problem(error)}); nothing was "
                    "written"
                ) from error

    def create_claim(self, definition: ClaimDefinition, reviewer: str, note: str = "") -> str:
        """Record a new claim. A derived question given no made-on day takes its parent's: it
        is asked when its parent was made (claims/README), and scored from then. (Imports
        record a file's claims as the file has them.)"""
        with self.transaction() as tx:
            if definition.parent and definition.made_on is None:
                definition = replace(definition, made_on=tx.made_on(definition.parent))
            return tx.create_claim(definition, reviewer, note).slug

    def edit_claim(self, slug: str, definition: ClaimDefinition, reviewer: str,
                   expected_version: int | None = None, note: str = "") -> int:
        with self.transaction() as tx:
            return tx.edit_claim(slug, definition, reviewer, expected_version, note)

    def add_evidence(self, slug: str, **kwargs: Any) -> str:
        with self.transaction() as tx:
            return tx.add_evidence(slug, **kwargs)

    def retract_evidence(self, evidence_uuid: str, **kwargs: Any) -> RetractedEvidence:
        with self.transaction() as tx:
            return tx.retract_evidence(evidence_uuid, **kwargs)

    def forecast(self, slug: str, probability: float, **kwargs: Any) -> str:
        with self.transaction() as tx:
            return tx.forecast(slug, probability, **kwargs)

    def change_status(self, slug: str, status: str, **kwargs: Any) -> int:
        with self.transaction() as tx:
            return tx.change_status(slug, status, **kwargs)

    def resolve(self, slug: str, outcome: str, **kwargs: Any) -> int:
        with self.transaction() as tx:
            return tx.resolve(slug, outcome, **kwargs)

    def reopen(self, slug: str, **kwargs: Any) -> int:
        with self.transaction() as tx:
            return tx.reopen(slug, **kwargs)

    def mark_reviewed(self, slug: str, reviewer: str, seen_through: datetime | None = None
                      ) -> None:
        with self.transaction() as tx:
            tx.mark_reviewed(slug, reviewer, seen_through)

    def upsert_source(self, info: SourceInfo, copy_text: str | None = None) -> None:
        with self.transaction() as tx:
            tx.upsert_source(info, copy_text)

