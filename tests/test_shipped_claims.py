"""The first source, tracked completely and truthfully: what a new user sees first."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
CLAIMS = REPO / "claims" / "state-of-llm-2023.toml"
COPY = REPO / "claims" / "state-of-llm-2023.source.txt"
SEED = REPO.parent / "shared" / "seed" / "000_f8c4c3dac005149e.txt"
SEED_SHA256 = "2471f2895ff6a5f46d8a5a9c54943015ba81fd62ea140b2cceefe6ebf61005bb"


@pytest.fixture(scope="module")
def shipped() -> dict[str, Any]:
    with CLAIMS.open("rb") as handle:
        return tomllib.load(handle)


def test_stored_copy_is_the_seed_page_byte_for_byte(shipped: dict[str, Any]) -> None:
    data = COPY.read_bytes()
    assert hashlib.sha256(data).hexdigest() == SEED_SHA256 == shipped["source"]["copy_sha256"]
    if not SEED.exists():
        pytest.skip("../shared/seed is not beside this checkout")
    assert data == SEED.read_bytes()


def test_every_quote_is_verbatim_in_the_page(shipped: dict[str, Any]) -> None:
    page = COPY.read_text(encoding="utf-8")
    body = page[page.index("引言"):page.index("標(biāo)簽:LLM")]
    for claim in shipped["claims"]:
        assert claim["quote"], claim["slug"]
        assert claim["quote"] in body, f"{claim['slug']}: quote not verbatim in the article"
        assert claim["quote_lang"] == "zh"


def test_claims_cover_the_report_with_derived_questions(shipped: dict[str, Any]) -> None:
    claims = {claim["slug"]: claim for claim in shipped["claims"]}
    top = [c for c in claims.values() if "parent" not in c]
    derived = [c for c in claims.values() if "parent" in c]
    assert 30 <= len(top) <= 50
    assert derived and all(c["parent"] in claims for c in derived)
    claimants = {c["claimant"] for c in claims.values()}
    assert claimants == {"report", "age-of-ai-report", "article-author"}
    # The ideas the issue names are all there.
    for needle in ("80%算力", "1-2 年更新一次大版本", "Stable",
                   "16個experts", "10萬張H100", "向量數(shù)據(jù)庫是 LLM 的硬盤",
                   "Robot", "Scale", "60%", "system 2", "私有化部署"):
        assert any(needle in c["quote"] for c in claims.values()), needle


def test_every_claim_is_checkable_and_every_evidence_item_is_sourced(
    shipped: dict[str, Any]
) -> None:
    for claim in shipped["claims"]:
        slug = claim["slug"]
        assert claim["statement"] and claim["title"], slug
        if claim["kind"] == "prediction":
            assert len(claim["criteria"]) > 40, f"{slug}: prediction without real criteria"
        assert "deadline" in claim or "deadline_end" in claim, slug
        assert claim["deadline_rule"], f"{slug}: deadline without the rule it came from"
        assert 0 <= claim["confidence"] <= 1 and claim["confidence_words"], slug
        for item in claim.get("evidence", []):
            assert item["url"].startswith(("https://", "http://")), f"{slug}: no URL"
            assert item["title"] and item["summary"], slug
        for entry in claim.get("history", []):
            assert entry["note"], f"{slug}: a status change must say why"
