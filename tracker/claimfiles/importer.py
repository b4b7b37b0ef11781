"""`tracker import`: merge claim files into the database, all in one transaction.

Any problem `check` would report (or an entry id the database already uses elsewhere) means
nothing is imported. Otherwise sources are upserted, claims created parents first, definitions
three-way merged and logs united by entry id (see `merge`); every write goes through the
ledger with the file's ids and clocks, so importing the same files again changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from sqlalchemy.orm import Session

from tracker.claimfiles.check import check_files
from tracker.claimfiles.convert import declined_json, source_entry, source_info
from tracker.claimfiles.dbstate import (
    claim_count,
    claim_parents,
    claim_slugs,
    entry_owners,
    kept_copy,
    quotes_of,
)
from tracker.claimfiles.entries import ClaimEntry, HistoryEntry, SourceEntry
from tracker.claimfiles.merge import Action, ClaimPlan, Note, Prefer, plan_claim
from tracker.claimfiles.problems import Problem, ProblemsFound
from tracker.claimfiles.reader import ReadFile, read_path
from tracker.claimfiles.rules import stored_copy_text
from tracker.claimfiles.writer import ordered_claims
from tracker.definitions import quote_in_copy
from tracker.ledger import EntryStamp, Ledger, LedgerTransaction
from tracker.queries import Queries
from tracker.vocabulary import Outcome, plural, with_article


@dataclass
class FileSummary:
    """What importing one file did."""

    path: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    entries_added: int = 0
    entries_skipped: int = 0

    def describe(self) -> str:
        text = (f"{self.path}: {self.added} added, {self.updated} updated, "
                f"{self.unchanged} unchanged, {plural(self.conflicts, 'conflict')}; "
                f"{plural(self.entries_added, 'entry', 'entries')} added")
        if self.entries_skipped:
            text += f", {self.entries_skipped} not merged"
        return text


@dataclass(frozen=True)
class ImportReport:
    files: tuple[FileSummary, ...]
    notes: tuple[Note, ...]

    @property
    def conflicts(self) -> int:
        """Definition conflicts left for the user (not settled by --prefer)."""
        return sum(1 for note in self.notes if note.kind == "CONFLICT")

    @property
    def changed(self) -> bool:
        return any(summary.added or summary.updated or summary.entries_added
                   for summary in self.files)


def import_paths(ledger: Ledger, paths: Sequence[Path], *, reviewer: str,
                 prefer: Prefer | None = None) -> ImportReport:
    """Import claim files; raise ProblemsFound (and write nothing) if any has a problem.

    `reviewer` records the definition edits taken from the files that do not say who made
    them (or whose defined_* keys cannot be credited), and creates claims whose file says
    nothing of their creation; everything else is recorded under the names in the files.
    """
    report = _import(ledger, [read_path(path) for path in paths], reviewer, prefer, False)
    assert report is not None
    return report


def import_if_empty(ledger: Ledger, paths: Sequence[Path], *,
                    reviewer: str) -> ImportReport | None:
    """Import only into a database without claims (checked inside the same transaction)."""
    return _import(ledger, [read_path(path) for path in paths], reviewer, None, True)


def _import(ledger: Ledger, files: Sequence[ReadFile], reviewer: str, prefer: Prefer | None,
            only_if_empty: bool) -> ImportReport | None:
    with ledger.transaction() as tx:
        tx.hold_import_lock()  # nothing changes under the import
        if claim_count(tx.session) and only_if_empty:
            return None
        existing = claim_slugs(tx.session)
        # The import's clock: an entry recorded after it is refused with its line.
        result = check_files(files, known_slugs=existing, now=ledger.clock(),
                             known_parents=claim_parents(tx.session))
        problems = list(result.problems) or _ownership_problems(files, tx.session)
        if problems:
            raise ProblemsFound(problems)
        placed = _placed_claims(files)
        queries = Queries(ledger.engine)
        declined = queries.declined_entries()

        def plan_of(path: str, source: str | None, claim: ClaimEntry) -> ClaimPlan:
            return plan_claim(
                path, claim, source,
                queries.claim_detail(claim.slug) if claim.slug in existing else None,
                prefer=prefer, reviewer=reviewer,
                declined={item.uuid: item.entry for item in declined.get(claim.slug, ())})

        plans = [plan_of(*place) for place in placed]
        for index, planned in enumerate(plans):
            if _judged_on_the_claim(planned):
                locked = tx.claim(planned.slug)  # nothing changes it now until the import ends
                if planned.retractions or locked.version != planned.expected_version:
                    plans[index] = plan_of(*placed[index])  # on what is there now
        sources = {read.content.source.key: (read.content.source, read)
                   for read in files
                   if read.content is not None and read.content.source is not None}
        source_notes: list[Note] = []
        new_copies: list[tuple[SourceEntry, str, str]] = []
        held = {info.key: source_entry(info) for info in queries.sources()}
        for key in sorted(sources):
            source, read = sources[key]
            if key in held and held[key] != source:
                source_notes.append(_source_updated(source, held[key], read.path))
            text = stored_copy_text(source, read.directory)
            kept = kept_copy(tx.session, key)
            if kept is not None and kept[0] and not source.copy:
                source_notes.append(_copy_dropped(source, read.path, kept[0]))
            if text is not None and (kept is None or kept[1] != text):
                new_copies.append((source, read.path, text))
            tx.upsert_source(source_info(source), text)
        for name in sorted(_reviewers(plans, reviewer)):
            tx.reviewer_id(name)  # a fixed order: same ids whatever the order of the files
        for plan in plans:
            _apply(tx, plan, reviewer)
        remembered = {item.uuid for items in declined.values() for item in items}
        tx.forget_declined(remembered & {entry.id for plan in plans for entry in plan.merged})
        for source, path, text in new_copies:
            source_notes += _quotes_outside(tx.session, source, path, text)
    return _report(files, plans, source_notes)


def _source_updated(source: SourceEntry, held: SourceEntry, path: str) -> Note:
    """Sources are reference data (the file wins), but what changed is said."""
    names = [item.name for item in fields(SourceEntry)
             if item.compare and getattr(source, item.name) != getattr(held, item.name)]
    return Note("updated", path, source.where.of("key"),
                f"source '{source.key}' takes the file's {', '.join(names)}")


def _copy_dropped(source: SourceEntry, path: str, kept_name: str) -> Note:
    return Note("copy", path, source.where.line,
                f"source '{source.key}' names no stored copy here, so the database's copy "
                f"'{kept_name}' is dropped and its claims' quotes are no longer checked: name "
                "the copy in this file (copy, copy_sha256) to keep it")


def _quotes_outside(session: Session, source: SourceEntry, path: str, text: str) -> list[Note]:
    """Claims the database already held whose quotes a newly kept copy lacks (the files'
    own claims were checked against it before anything was written)."""
    return [Note("copy", path, source.where.of("copy"),
                 f"the quote of '{slug}' is not in this stored copy (whitespace ignored): "
                 f"`tracker check` of an export will report it; fix it with `tracker edit "
                 f"{slug} --quote \"...\"`")
            for slug, quote in quotes_of(session, source.key) if not quote_in_copy(quote, text)]


def _placed_claims(files: Sequence[ReadFile]) -> list[tuple[str, str | None, ClaimEntry]]:
    """Every claim with its file and source key, parents first across all files."""
    where: dict[str, tuple[str, str | None]] = {}
    claims: list[ClaimEntry] = []
    for read in files:
        if read.content is None:
            continue
        for claim in read.content.claims:
            where[claim.slug] = (read.path, read.content.source_key)
            claims.append(claim)
    return [(*where[claim.slug], claim) for claim in ordered_claims(claims)]


def _ownership_problems(files: Sequence[ReadFile], session: Session) -> list[Problem]:
    """Entry ids that the database already uses for another claim or another kind of entry."""
    wanted: dict[str, tuple[str, str, str, int]] = {}
    for read in files:
        for claim in read.content.claims if read.content is not None else ():
            for item in claim.evidence:
                wanted[item.id] = ("evidence", claim.slug, read.path, item.where.of("id"))
                if item.retracted is not None:
                    wanted[item.retracted.id] = ("retraction", claim.slug, read.path,
                                                 item.retracted.where.of("id"))
            for entry in claim.history:
                kind = "resolve" if entry.action.strip().lower() == "resolve" else "status"
                wanted[entry.id] = (kind, claim.slug, read.path, entry.where.of("id"))
            for forecast in claim.forecasts:
                wanted[forecast.id] = ("forecast", claim.slug, read.path,
                                       forecast.where.of("id"))
    problems: list[Problem] = []
    for entry_id, owner in sorted(entry_owners(session, wanted).items()):
        kind, slug, path, line = wanted[entry_id]
        if owner != (kind, slug):
            advice = "give this entry a new id"
            if owner[1] != slug:  # a claim renamed, or an entry copied, in the file
                advice = (f"entries do not move between claims: if it is that entry, delete "
                          f"it here (it stays with '{owner[1]}'); if it is another, {advice}")
            problems.append(Problem(path, line, f"entry id {entry_id} already belongs to "
                                    f"{with_article(owner[0])} entry of claim '{owner[1]}' in "
                                    f"the database: {advice}"))
    return sorted(problems)


def _reviewers(plans: Sequence[ClaimPlan], reviewer: str) -> set[str]:
    names: set[str] = set()
    for plan in plans:
        if plan.action is Action.CREATE:
            names.add(plan.creator.strip())
        if plan.action is Action.EDIT and plan.defined is None:
            names.add(reviewer.strip())
        if plan.defined is not None:
            names.add(plan.defined.by)
        names.update(item.by.strip() for item in plan.evidence)
        names.update(item.retracted.by.strip() for item in plan.retractions if item.retracted)
        names.update(entry.by.strip() for entry in plan.history)
        names.update(item.by.strip() for item in plan.forecasts)
    names.discard("")  # the ledger refuses an empty name with its own message
    return names


def _judged_on_the_claim(plan: ClaimPlan) -> bool:
    """Whether the plan writes what the claim's state as planned allows: a new version of
    an existing claim (a definition, a status change, a resolution), checked against the
    version it was planned from, or a retraction, refused if the entry is retracted already.
    Such a claim is locked, and planned again if it may have changed since (a retraction
    does not change the version): on PostgreSQL a reviewer's change under way while the
    import planned (other writers do not wait for imports) failed the whole import with
    "changed by ... since you loaded it" or "already retracted by ...", where SQLite (one
    writer at a time) reports a CONFLICT or a skipped entry for that claim and merges the
    rest."""
    return plan.action is not Action.CREATE and (
        plan.action is Action.EDIT or plan.defined is not None or bool(plan.history)
        or bool(plan.retractions))


def _apply(tx: LedgerTransaction, plan: ClaimPlan, reviewer: str) -> None:
    slug, expected = plan.slug, plan.expected_version
    note = f"imported from {plan.path}"
    if plan.action is Action.CREATE:
        tx.create_claim(plan.definition, plan.creator, note,
                        stamp=EntryStamp(None, plan.created_at))
    if plan.set_synced:
        tx.set_synced_hash(slug, plan.file_hash)
    for item in plan.evidence:
        tx.add_evidence(slug, title=item.title, stance=item.stance, reviewer=item.by,
                        url=item.url, summary=item.summary, observed_on=item.observed_on,
                        stamp=EntryStamp(item.id, item.recorded_at))
    for item in plan.retractions:
        if item.retracted is not None:
            retraction = item.retracted
            tx.retract_evidence(item.id, reason=retraction.reason, reviewer=retraction.by,
                                stamp=EntryStamp(retraction.id, retraction.recorded_at))
    # The definition's revision goes among the history entries in time order, as its
    # author recorded it (their note too, so every database holds the same revision); one
    # credited to nobody is the importer's, now: first, checked against the version planned
    # from.
    defined = plan.defined
    earlier = tuple(entry for entry in plan.history
                    if defined is not None and entry.recorded_at < defined.at)
    for entry in earlier:
        _record_history(tx, slug, entry, expected)
        expected = None
    if defined is not None:
        tx.edit_claim(slug, plan.definition, defined.by, expected, defined.note,
                      stamp=EntryStamp(None, defined.at))
        expected = None
    elif plan.action is Action.EDIT:
        tx.edit_claim(slug, plan.definition, reviewer, expected, note)
        expected = None
    for entry in plan.history[len(earlier):]:
        _record_history(tx, slug, entry, expected)
        expected = None
    for forecast in plan.forecasts:
        tx.forecast(slug, forecast.p, reviewer=forecast.by, rationale=forecast.note,
                    made_at=forecast.made_at, stamp=EntryStamp(forecast.id, forecast.recorded_at),
                    allow_closed=True)
    for declined in plan.declined:
        tx.remember_declined(slug, declined.entry.id, declined.kind,
                             declined_json(declined.entry, declined.evidence_id), declined.reason)


def _record_history(tx: LedgerTransaction, slug: str, entry: HistoryEntry,
                    expected: int | None) -> None:
    stamp = EntryStamp(entry.id, entry.recorded_at)
    action = entry.action.strip().lower()
    if action == "status":
        tx.change_status(slug, entry.to, reviewer=entry.by, note=entry.note,
                         expected_version=expected, observed_on=entry.observed_on, stamp=stamp)
    elif action == "resolve":
        outcome = entry.outcome.strip().lower()
        tx.resolve(slug, outcome, reviewer=entry.by, note=entry.note,
                   value=entry.value if outcome == Outcome.PARTIAL else None,
                   expected_version=expected, observed_on=entry.observed_on, stamp=stamp)
    else:
        tx.reopen(slug, reviewer=entry.by, reason=entry.note, to_status=entry.to or "open",
                  expected_version=expected, stamp=stamp)


def _report(files: Sequence[ReadFile], plans: Sequence[ClaimPlan], source_notes: list[Note]
            ) -> ImportReport:
    summaries = {read.path: FileSummary(read.path) for read in files}
    notes: list[Note] = list(source_notes)
    for plan in plans:
        summary = summaries[plan.path]
        if plan.action is Action.CREATE:
            summary.added += 1
        elif plan.action is Action.EDIT:
            summary.updated += 1
        elif plan.action is Action.CONFLICT:
            summary.conflicts += 1
        else:
            summary.unchanged += 1
        summary.entries_added += plan.entries_added
        summary.entries_skipped += len(plan.declined)
        notes.extend(plan.notes)
    order = {read.path: index for index, read in enumerate(files)}
    notes.sort(key=lambda note: (order[note.path], note.line))
    return ImportReport(tuple(summaries.values()), tuple(notes))

