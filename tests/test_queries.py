"""List queries: filters and sorting happen in SQL, with the same meaning on every backend."""

from __future__ import annotations

from tests.helpers import definition
from tracker.ledger import Ledger
from tracker.queries import ClaimFilter, Queries


def test_text_filter_ignores_case_and_takes_wildcards_literally(
    ledger: Ledger, queries: Queries
) -> None:
    ledger.create_claim(definition("gpu-share", title="80% of GPUs serve"), "ann")
    ledger.create_claim(definition("gpu-count", title="800 GPUs", parent="gpu-share"), "ann")
    ledger.create_claim(definition("other", title="Robots_first"), "ann")

    def slugs(text: str) -> list[str]:
        return [row.slug for row in queries.list_claims(ClaimFilter(text=text))]

    assert slugs("gpus") == ["gpu-count", "gpu-share"]
    assert slugs("80%") == ["gpu-share"], "% is a literal, not a wildcard"
    assert slugs("s_f") == ["other"], "_ is a literal, not a wildcard"
    assert slugs("8_0") == []
    [parent] = queries.list_claims(ClaimFilter(top_level_only=True, text="share"))
    assert parent.children == 1


def test_sorting_keeps_empty_deadlines_last(ledger: Ledger, queries: Queries) -> None:
    from tracker.horizons import parse_deadline

    ledger.create_claim(definition("later").with_deadline(parse_deadline("2026-01-01")), "ann")
    ledger.create_claim(definition("none"), "ann")
    ledger.create_claim(definition("sooner").with_deadline(parse_deadline("2025-01-01")), "ann")
    rows = queries.list_claims(sort="deadline")
    assert [row.slug for row in rows] == ["sooner", "later", "none"]
    rows = queries.list_claims(sort="deadline", descending=True)
    assert [row.slug for row in rows] == ["later", "sooner", "none"]
    assert [r.slug for r in queries.list_claims(sort="slug", limit=2, offset=1)] == [
        "none", "sooner"]
