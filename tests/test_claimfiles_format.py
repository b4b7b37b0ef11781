"""Claim files: reading, the canonical writer, and the round trip between them."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

from tracker.claimfiles import (
    ClaimEntry,
    ClaimFile,
    EvidenceEntry,
    ForecastEntry,
    HistoryEntry,
    RetractionEntry,
    SourceEntry,
    check_paths,
    read_path,
    read_text,
    render,
)
from tracker.claimfiles.locate import Locator
from tracker.claimfiles.writer import ordered_claims
from tracker.db import shipped_claims_dir

REPO = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 11, 27, 23, 59, tzinfo=UTC)


def _sample() -> ClaimFile:
    retraction = RetractionEntry("00000000-0000-4000-8000-000000000009", "misread", "bob",
                                 datetime(2026, 12, 1, 8, 0, 0, 123456, tzinfo=UTC))
    return ClaimFile(
        source=SourceEntry(key="src", title='A "quoted" source', authors=("Ann", "李雷"),
                           published_on=date(2023, 6, 29), language="zh"),
        claims=(
            ClaimEntry(slug="child", title="Child", statement="A child.", parent="parent",
                       criteria="Yes if.", made_on=date(2023, 6, 29),
                       deadline_start=date(2024, 1, 1), deadline_end=date(2025, 1, 1),
                       created_at=T0, created_by="cat", defined_at=T0, defined_by="dan",
                       defined_note="clearer", defined_sha256="ab" * 32),
            ClaimEntry(
                slug="parent", title="Parent", statement="Line one\nline two \\ \t end",
                quote="用不了多久", quote_lang="zh", kind="prediction", made_on=date(2023, 3, 1),
                deadline_end=date(2026, 6, 30), criteria="Yes if.", tags=("a", "b"),
                review="FREQ=YEARLY", confidence=0.75, confidence_words="将",
                evidence=(
                    EvidenceEntry("00000000-0000-4000-8000-000000000002", "Later", "refutes",
                                  "ann", T0, url="https://example.org/2"),
                    EvidenceEntry("00000000-0000-4000-8000-000000000001", "Earlier", "supports",
                                  "ann", datetime(2025, 1, 1, tzinfo=UTC),
                                  observed_on=date(2024, 1, 8), retracted=retraction),
                ),
                history=(
                    HistoryEntry("00000000-0000-4000-8000-000000000004", "resolve", "ann", T0,
                                 outcome="partial", value=0.4, note="half"),
                    HistoryEntry("00000000-0000-4000-8000-000000000003", "status", "ann", T0,
                                 to="developing", observed_on=date(2024, 6, 1)),
                ),
                forecasts=(
                    ForecastEntry("00000000-0000-4000-8000-000000000005", 1.0, "bob", T0,
                                  made_at=datetime(2026, 1, 1, tzinfo=UTC)),
                ),
            ),
        ),
    )


def test_render_is_canonical_and_reads_back_equal() -> None:
    text = render(_sample())
    read = read_text(text, "x.toml")
    assert read.problems == ()
    assert read.content is not None
    assert render(read.content) == text
    assert {claim.slug: claim.created_by for claim in read.content.claims} == {
        "parent": "", "child": "cat"}
    assert ('created_at = 2026-11-27T23:59:00Z\ncreated_by = "cat"\n'
            'defined_at = 2026-11-27T23:59:00Z\ndefined_by = "dan"\ndefined_note = "clearer"\n'
            f'defined_sha256 = "{"ab" * 32}"\n') in text
    assert {claim.slug: claim.defined_by for claim in read.content.claims} == {
        "parent": "", "child": "dan"}
    # Parents first; evidence by recorded_at; history with equal times keeps its order.
    assert text.index('slug = "parent"') < text.index('slug = "child"')
    assert text.index('"Earlier"') < text.index('"Later"')
    assert text.index('action = "resolve"') < text.index('action = "status"')
    assert text.startswith("format = 1\n\n[source]\nkey = \"src\"\n")
    assert "recorded_at = 2026-12-01T08:00:00.123456Z" in text
    assert 'tags = ["a", "b"]' in text
    assert 'statement = "Line one\\nline two \\\\ \t end"' in text
    assert "deadline_start = 2024-01-01\ndeadline_end = 2025-01-01" in text
    assert "[claims.evidence.retracted]\nid = " in text


def test_key_order_is_fixed_whatever_the_input_order() -> None:
    text = '''format = 1
[[claims]]
notes = "n"
kind = "opinion"
statement = "S"
title = "T"
slug = "x"
'''
    read = read_text(text, "x.toml")
    assert read.content is not None
    lines = render(read.content).splitlines()
    keys = [line.split(" = ")[0] for line in lines if " = " in line]
    assert keys[:4] == ["format", "slug", "title", "statement"]
    assert keys[-1] == "notes"


def test_month_made_on_reads_as_first_day() -> None:
    read = read_text('format = 1\n[[claims]]\nslug = "x"\nmade_on = "2023-03"\n', "x.toml")
    assert read.content is not None
    assert read.content.claims[0].made_on == date(2023, 3, 1)


def test_claims_order_parents_before_children_then_slug() -> None:
    claims = [ClaimEntry(slug=slug, parent=parent) for slug, parent in
              [("b-child", "z-root"), ("a-root", None), ("z-root", None), ("c", "b-child"),
               ("orphan", "not-here")]]
    assert [claim.slug for claim in ordered_claims(claims)] == [
        "a-root", "orphan", "z-root", "b-child", "c"]


def test_locator_numbers_array_tables_and_skips_multiline_strings() -> None:
    text = '''format = 1
[[claims]]
slug = "a"
notes = """
slug = "not a key"
[[claims]]
"""
[[claims.evidence]]
id = "e1"
[claims.evidence.retracted]
reason = "r"
[[claims]]
slug = "b"
[[claims.evidence]]
stance = "x"
'''
    locator = Locator(text)
    assert locator.line(("claims", 0), "slug") == 3
    assert locator.line(("claims", 0), "notes") == 4
    assert locator.line(("claims", 0, "evidence", 0), "id") == 9
    assert locator.line(("claims", 0, "evidence", 0, "retracted"), "reason") == 11
    assert locator.line(("claims", 1), "slug") == 13
    assert locator.line(("claims", 1, "evidence", 0), "stance") == 15
    assert locator.line(("claims", 1, "evidence", 0), "missing") == 14
    assert locator.line(("claims", 5), "slug") == 1


def test_shipped_claims_pass_check_and_round_trip(tmp_path: Path) -> None:
    shipped = sorted(shipped_claims_dir().glob("*.toml"))
    assert shipped, "the package ships its claims"
    result = check_paths(shipped)
    assert result.problems == ()
    for path in shipped:
        read = read_path(path)
        assert read.content is not None
        text = render(read.content)
        again = read_text(text, "again")
        assert again.content is not None and render(again.content) == text


def test_readme_example_passes_check(tmp_path: Path) -> None:
    readme = (REPO / "claims" / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "example.toml").write_text(example, encoding="utf-8")
    shutil.copy(REPO / "claims" / "state-of-llm-2023.source.txt", tmp_path)
    # At today's clock, as `tracker check` reads it: the example's entries were recorded
    # after today, which every reader who tried it was told.
    result = check_paths([tmp_path / "example.toml"], now=datetime.now(UTC))
    assert [str(problem) for problem in result.problems] == []
    assert result.claim_count == 1
