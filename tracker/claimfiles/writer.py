"""Write a claim file in its one canonical form, so files diff small and re-export identically.

Fixed key order (the `*_KEYS` tuples of `entries`), claims ordered parents first (each family
together, siblings by slug), evidence and forecasts by (recorded_at, id), history by
recorded_at (entries recorded at the same instant keep their order: it is the order in which
they happened). Values are formatted by tomli-w; date-times are written in UTC with a `Z`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import tomli_w

from tracker.claimfiles.entries import (
    CLAIM_KEYS,
    EVIDENCE_KEYS,
    FORECAST_KEYS,
    FORMAT_VERSION,
    HISTORY_KEYS,
    RETRACTION_KEYS,
    SOURCE_KEYS,
    ClaimEntry,
    ClaimFile,
    EvidenceEntry,
    ForecastEntry,
    HistoryEntry,
    RetractionEntry,
    SourceEntry,
)
from tracker.claimfiles.lifecycle import in_order
from tracker.horizons import as_utc

# Claim keys always written, even when empty, so an author sees what is left to fill in.
_ALWAYS = frozenset({
    "slug", "title", "statement", "quote", "quote_lang", "claimant", "kind", "horizon",
    "deadline_rule", "criteria", "tags", "review", "confidence_words", "notes",
})


def render(content: ClaimFile) -> str:
    """The canonical TOML text of a claim file."""
    chunks = [f"format = {FORMAT_VERSION}\n"]
    if content.source is not None:
        chunks.append(_table("[source]", _source_values(content.source), SOURCE_KEYS))
    for claim in ordered_claims(content.claims):
        chunks.append(_table("[[claims]]", _claim_values(claim), CLAIM_KEYS))
        for evidence in sorted(claim.evidence, key=lambda item: (item.recorded_at, item.id)):
            chunks.append(_table("[[claims.evidence]]", _evidence_values(evidence), EVIDENCE_KEYS))
            if evidence.retracted is not None:
                chunks.append(_table("[claims.evidence.retracted]",
                                     _retraction_values(evidence.retracted), RETRACTION_KEYS))
        for entry in in_order(claim.history):
            chunks.append(_table("[[claims.history]]", _history_values(entry), HISTORY_KEYS))
        for forecast in sorted(claim.forecasts, key=lambda item: (item.recorded_at, item.id)):
            chunks.append(_table("[[claims.forecasts]]", _forecast_values(forecast),
                                 FORECAST_KEYS))
    return "\n".join(chunks)


def ordered_claims(claims: Sequence[ClaimEntry]) -> list[ClaimEntry]:
    """Parents before their children, each family together, siblings by slug.

    A claim whose parent is not among `claims` (or that sits in a parent cycle) is a root.
    """
    by_slug = {claim.slug: claim for claim in claims}
    children: dict[str, list[ClaimEntry]] = {}
    roots: list[ClaimEntry] = []
    for claim in claims:
        if claim.parent and claim.parent in by_slug and claim.parent != claim.slug:
            children.setdefault(claim.parent, []).append(claim)
        else:
            roots.append(claim)
    ordered: list[ClaimEntry] = []
    placed: set[str] = set()

    def visit(claim: ClaimEntry) -> None:
        if claim.slug in placed:
            return
        placed.add(claim.slug)
        ordered.append(claim)
        for child in sorted(children.get(claim.slug, []), key=_claim_key):
            visit(child)

    for root in sorted(roots, key=_claim_key):
        visit(root)
    for claim in sorted(claims, key=_claim_key):  # parent cycles: still written, once
        visit(claim)
    return ordered


def _claim_key(claim: ClaimEntry) -> tuple[str, str]:
    return claim.slug, claim.title


def _table(header: str, values: dict[str, Any], order: Iterable[str]) -> str:
    lines = [header]
    lines += [f"{key} = {_literal(values[key])}" for key in order if key in values]
    return "\n".join(lines) + "\n"


def _literal(value: Any) -> str:
    if isinstance(value, datetime):
        return _timestamp(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    if isinstance(value, float | int | str | date) and not isinstance(value, bool):
        line = tomli_w.dumps({"v": value})
        return line[len("v = "):].rstrip("\n")
    raise TypeError(f"cannot write {value!r} to a claim file")


def _timestamp(moment: datetime) -> str:
    utc = as_utc(moment)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}"
    return text + "Z"


def _present(values: dict[str, Any], always: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Drop empty optional values (None, "", empty lists) unless always written."""
    return {key: value for key, value in values.items()
            if key in always or (value is not None and value != "" and value != ())}


def _source_values(source: SourceEntry) -> dict[str, Any]:
    return _present({
        "key": source.key, "title": source.title, "publisher": source.publisher,
        "authors": source.authors, "published_on": source.published_on, "url": source.url,
        "language": source.language, "notes": source.notes, "copy": source.copy,
        "copy_sha256": source.copy_sha256,
    }, frozenset({"key", "title", "publisher", "authors", "url", "language", "notes"}))


def _claim_values(claim: ClaimEntry) -> dict[str, Any]:
    values: dict[str, Any] = {
        "slug": claim.slug, "title": claim.title, "statement": claim.statement,
        "quote": claim.quote, "quote_lang": claim.quote_lang, "url": claim.url,
        "claimant": claim.claimant,
        "kind": claim.kind, "made_on": claim.made_on, "horizon": claim.horizon,
        "deadline_rule": claim.deadline_rule, "criteria": claim.criteria,
        "tags": claim.tags, "review": claim.review, "confidence": claim.confidence,
        "confidence_words": claim.confidence_words, "parent": claim.parent,
        "notes": claim.notes, "created_at": claim.created_at, "created_by": claim.created_by,
        "defined_at": claim.defined_at, "defined_by": claim.defined_by,
        "defined_note": claim.defined_note, "defined_sha256": claim.defined_sha256,
    }
    if claim.deadline_start is not None and claim.deadline_end is not None:
        values["deadline_start"] = claim.deadline_start
        values["deadline_end"] = claim.deadline_end
    else:
        values["deadline"] = claim.deadline_end
    return _present(values, _ALWAYS)


def _evidence_values(item: EvidenceEntry) -> dict[str, Any]:
    return _present({
        "id": item.id, "observed_on": item.observed_on, "url": item.url, "title": item.title,
        "summary": item.summary, "stance": item.stance, "by": item.by,
        "recorded_at": item.recorded_at,
    })


def _retraction_values(item: RetractionEntry) -> dict[str, Any]:
    return _present({"id": item.id, "reason": item.reason, "by": item.by,
                     "recorded_at": item.recorded_at})


def _history_values(item: HistoryEntry) -> dict[str, Any]:
    return _present({
        "id": item.id, "action": item.action, "to": item.to, "outcome": item.outcome,
        "value": item.value, "note": item.note, "by": item.by, "recorded_at": item.recorded_at,
        "observed_on": item.observed_on,
    })


def _forecast_values(item: ForecastEntry) -> dict[str, Any]:
    return _present({
        "id": item.id, "p": item.p, "note": item.note, "by": item.by,
        "recorded_at": item.recorded_at, "made_at": item.made_at,
    })

