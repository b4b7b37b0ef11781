"""Translate between file entries and the core's types (definitions, sources, claim details).

A definition as the file states it is the one that is hashed for sync: `file_hash` of a
database definition first passes it through the file form, so a detail the file cannot carry
(a deadline at a time other than the end of the day) never looks like an edit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from tracker.claimfiles.entries import (
    ClaimEntry,
    EvidenceEntry,
    ForecastEntry,
    HistoryEntry,
    RetractionEntry,
    SourceEntry,
)
from tracker.claimfiles.lifecycle import replay
from tracker.definitions import ClaimDefinition, SourceInfo, validate_definition
from tracker.errors import InvalidInput
from tracker.horizons import as_utc, end_of_day, start_of_day
from tracker.queries import ClaimDetail, DeclinedItem
from tracker.serialize import jsonable
from tracker.vocabulary import Outcome


def definition_of(claim: ClaimEntry, source: str | None) -> ClaimDefinition:
    """The claim's definition as the file states it (not yet validated)."""
    return ClaimDefinition(
        slug=claim.slug, title=claim.title, statement=claim.statement, quote=claim.quote,
        quote_lang=claim.quote_lang, url=claim.url, claimant=claim.claimant, kind=claim.kind,
        made_on=claim.made_on, horizon=claim.horizon,
        deadline_start=start_of_day(claim.deadline_start) if claim.deadline_start else None,
        deadline_end=end_of_day(claim.deadline_end) if claim.deadline_end else None,
        deadline_rule=claim.deadline_rule, criteria=claim.criteria, tags=claim.tags,
        review_cadence=claim.review, implied_confidence=claim.confidence,
        confidence_words=claim.confidence_words, notes=claim.notes, parent=claim.parent or None,
        source=source,
    )


def entry_of(definition: ClaimDefinition) -> ClaimEntry:
    """A claim entry (without its log) that states `definition`."""
    start, end = definition.deadline_start, definition.deadline_end
    return ClaimEntry(
        slug=definition.slug, title=definition.title, statement=definition.statement,
        quote=definition.quote, quote_lang=definition.quote_lang, url=definition.url,
        claimant=definition.claimant,
        kind=definition.kind, made_on=definition.made_on, horizon=definition.horizon,
        deadline_start=as_utc(start).date() if start is not None and end is not None else None,
        deadline_end=as_utc(end).date() if end is not None else None,
        deadline_rule=definition.deadline_rule, criteria=definition.criteria,
        tags=tuple(definition.tags), review=definition.review_cadence,
        confidence=definition.implied_confidence, confidence_words=definition.confidence_words,
        parent=definition.parent or None, notes=definition.notes,
    )


def file_form(definition: ClaimDefinition) -> ClaimDefinition:
    """The definition as it reads back from a file, validated the way the ledger stores it."""
    restated = definition_of(entry_of(definition), definition.source or None)
    try:
        return validate_definition(restated)
    except InvalidInput:
        return restated


def file_hash(definition: ClaimDefinition) -> str:
    """The content hash used for sync: the same for a definition and its file form."""
    return file_form(definition).content_hash()


def defined_hash(definition_hash: str, note: str) -> str:
    """What export writes as defined_sha256: the hash of the definition its author recorded
    and of their note, so an edit of either in the file is seen."""
    return hashlib.sha256(f"{definition_hash}\n{note}".encode()).hexdigest()


def source_info(source: SourceEntry) -> SourceInfo:
    return SourceInfo(
        key=source.key, title=source.title, publisher=source.publisher, authors=source.authors,
        published_on=source.published_on, url=source.url, language=source.language,
        notes=source.notes, copy_path=source.copy, copy_sha256=source.copy_sha256,
    )


def source_entry(source: SourceInfo) -> SourceEntry:
    return SourceEntry(
        key=source.key, title=source.title, publisher=source.publisher,
        authors=tuple(source.authors), published_on=source.published_on, url=source.url,
        language=source.language, notes=source.notes, copy=source.copy_path,
        copy_sha256=source.copy_sha256,
    )


def claim_entry(detail: ClaimDetail) -> ClaimEntry:
    """A claim as the database holds it: current definition plus its whole log.

    History is listed in the order the database applied it (its version numbers); the writer
    then orders it by recorded_at, keeping that order for entries recorded at the same instant.
    """
    evidence = tuple(
        EvidenceEntry(
            id=item.uuid, title=item.title, stance=item.stance, by=item.reviewer,
            recorded_at=item.recorded_at, observed_on=item.observed_on, url=item.url,
            summary=item.summary,
            retracted=RetractionEntry(
                id=item.retraction.uuid, reason=item.retraction.reason,
                by=item.retraction.reviewer, recorded_at=item.retraction.recorded_at,
            ) if item.retraction is not None else None,
        )
        for item in detail.evidence
    )
    versioned: list[tuple[int, HistoryEntry]] = [
        (change.version, HistoryEntry(
            id=change.uuid, action="reopen" if change.is_reopen else "status",
            by=change.reviewer, recorded_at=change.recorded_at, to=change.to_status,
            note=change.note, observed_on=None if change.is_reopen else change.observed_on,
        ))
        for change in detail.status_changes
    ]
    versioned += [
        (resolution.version, HistoryEntry(
            id=resolution.uuid, action="resolve", by=resolution.reviewer,
            recorded_at=resolution.recorded_at, outcome=resolution.outcome,
            value=resolution.value if resolution.outcome == Outcome.PARTIAL.value else None,
            note=resolution.note, observed_on=resolution.observed_on,
        ))
        for resolution in detail.resolutions
    ]
    history = tuple(entry for _version, entry in sorted(versioned, key=lambda pair: pair[0]))
    forecasts = tuple(
        ForecastEntry(
            id=item.uuid, p=item.probability, by=item.reviewer, recorded_at=item.recorded_at,
            note=item.rationale, made_at=None if item.made_at == item.recorded_at else item.made_at,
        )
        for item in detail.forecasts
    )
    entry = replace(entry_of(detail.definition), evidence=evidence, history=history,
                    forecasts=forecasts)
    if detail.revisions:  # written where an import could not tell it from the log
        created = detail.revisions[0]
        if entry.created_of("") != (created.recorded_at, created.reviewer):
            entry = replace(entry, created_at=created.recorded_at, created_by=created.reviewer)
    if len(detail.revisions) > 1:  # the definition was recorded after the creation
        defined = detail.revisions[-1]
        entry = replace(entry, defined_at=defined.recorded_at, defined_by=defined.reviewer,
                        defined_note=defined.note,
                        defined_sha256=defined_hash(file_hash(detail.definition), defined.note))
    return entry


def declined_json(entry: HistoryEntry | RetractionEntry, evidence_id: str = "") -> dict[str, Any]:
    """A file entry as the database remembers one it did not merge (`DeclinedEntry.entry`):
    its fields, dates as ISO text; a retraction names its evidence entry."""
    values: dict[str, Any] = {name: value for name, value in jsonable(entry).items()
                              if name != "where"}
    if evidence_id:
        values["evidence"] = evidence_id
    return values


def _history_from(values: dict[str, Any]) -> HistoryEntry:
    observed = values.get("observed_on")
    return HistoryEntry(
        id=values["id"], action=values["action"], by=values["by"],
        recorded_at=datetime.fromisoformat(values["recorded_at"]), to=values.get("to", ""),
        outcome=values.get("outcome", ""), value=values.get("value"),
        note=values.get("note", ""), observed_on=date.fromisoformat(observed) if observed else None,
    )


def _retraction_from(values: dict[str, Any]) -> RetractionEntry:
    return RetractionEntry(id=values["id"], reason=values["reason"], by=values["by"],
                           recorded_at=datetime.fromisoformat(values["recorded_at"]))


def with_declined(entry: ClaimEntry, declined: Sequence[DeclinedItem]) -> ClaimEntry:
    """The claim as an export writes it: the database's log plus the file entries it did not
    merge, so the file keeps them for the database that recorded them. The history is the
    union replayed in recorded_at order, without the entries the lifecycle refuses at their
    point (two resolutions, the same status twice: the earlier stays), so the file passes
    `check` and every database that knows the same entries writes the same history. An
    evidence entry holds one retraction, the earliest of the database's and the declined."""
    history = entry.history + tuple(_history_from(item.entry) for item in declined
                                    if item.kind == "history")
    if len(history) > len(entry.history):
        refused = {broken.id for broken, _reason in replay(history)[1]}
        history = tuple(item for item in history if item.id not in refused)
    retractions: dict[str, list[RetractionEntry]] = {}
    for item in declined:
        if item.kind == "retraction":
            retractions.setdefault(item.entry["evidence"], []).append(
                _retraction_from(item.entry))
    evidence = tuple(
        replace(evidence, retracted=min(
            [*retractions[evidence.id], *([evidence.retracted] if evidence.retracted else [])],
            key=lambda retraction: (retraction.recorded_at, retraction.id)))
        if evidence.id in retractions else evidence
        for evidence in entry.evidence
    )
    return replace(entry, evidence=evidence, history=history)
