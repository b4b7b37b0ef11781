"""Property tests (SQLite): export -> import -> export is byte-stable, import is idempotent
and does not depend on the order of files or entries."""

from __future__ import annotations

import random
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from helpers import dump
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from tracker.claimfiles import (
    ClaimEntry,
    ClaimFile,
    EvidenceEntry,
    ForecastEntry,
    HistoryEntry,
    RetractionEntry,
    SourceEntry,
    check_paths,
    claim_file_paths,
    export_claims,
    import_paths,
    render,
)
from tracker.claimfiles.convert import defined_hash, definition_of
from tracker.db import make_engine, upgrade
from tracker.definitions import SPOOFING_CHARACTERS, validate_definition
from tracker.ledger import Ledger
from tracker.models import Base

SETTINGS = settings(
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NOW = datetime(2031, 1, 1, tzinfo=UTC)

characters = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
                           blacklist_characters=SPOOFING_CHARACTERS) | st.sampled_from("\n\t\"\\'")
texts = st.text(alphabet=characters, max_size=20)
nonblank = texts.filter(lambda text: text.strip() != "")
titles = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
                                       blacklist_characters=SPOOFING_CHARACTERS)
                 | st.sampled_from("\"\\'"), max_size=20).filter(lambda text: text.strip() != "")
"""Titles are one line: no line break or tab (the other texts may hold them)."""
names = st.sampled_from(["ann", "bob", "seed-review"])
days = st.dates(date(2000, 1, 1), date(2030, 12, 31))
made_days = st.dates(date(2000, 1, 1), date(2019, 12, 31))
"""A claim is made before it is first recorded (entries are recorded from 2020 on)."""
moments = st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC))
probabilities = st.floats(0, 1)
partial_values = st.floats(0, 1, exclude_min=True, exclude_max=True)
urls = st.sampled_from(["", "https://example.org/a", "http://example.com/b?c=d"])


def days_until(moment: datetime) -> st.SearchStrategy[date]:
    """Observed dates: no later than the day the entry is recorded."""
    return st.dates(date(2000, 1, 1), moment.date())


def moments_until(moment: datetime) -> st.SearchStrategy[datetime]:
    """When a forecast was made: no later than when it is recorded."""
    return st.datetimes(datetime(2020, 1, 1), moment.replace(tzinfo=None),
                        timezones=st.just(UTC))


@st.composite
def claim_files(draw: st.DrawFn) -> list[ClaimFile]:
    """A few files of valid claims with random logs (valid lifecycles, unique ids)."""
    base = draw(st.integers(0, 2**32))
    counter = iter(range(10_000))

    def new_id() -> str:
        return str(uuid.UUID(int=(base << 64) + next(counter), version=4))

    slugs = draw(st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True), min_size=1,
                          max_size=4, unique=True))
    claims = [draw(_claims(slug, slugs[:index], new_id)) for index, slug in enumerate(slugs)]
    sources = draw(st.lists(st.sampled_from(["src-a", "src-b"]), unique=True, max_size=2))
    homes = [draw(st.sampled_from([*sources, None])) for _claim in claims]
    claims = [draw(_defined(claim, home)) for claim, home in zip(claims, homes, strict=True)]
    files = [
        ClaimFile(
            source=SourceEntry(key=key, title=draw(titles), publisher=draw(texts),
                               authors=tuple(draw(st.lists(nonblank, max_size=2))),
                               published_on=draw(st.none() | days), url=draw(urls),
                               language=draw(st.sampled_from(["", "zh", "en"])),
                               notes=draw(texts)),
            claims=tuple(claim for claim, home in zip(claims, homes, strict=True) if home == key),
        )
        for key in sources
    ]
    loose = tuple(claim for claim, home in zip(claims, homes, strict=True) if home is None)
    if loose:
        files.append(ClaimFile(claims=loose))
    return files


@st.composite
def _claims(draw: st.DrawFn, slug: str, earlier: list[str], new_id: object) -> ClaimEntry:
    assert callable(new_id)
    kind = draw(st.sampled_from(["prediction", "fact", "opinion"]))
    made_on = draw(st.none() | made_days)
    start = end = None
    if draw(st.booleans()):
        first = made_on or draw(days)
        end = first + timedelta(days=draw(st.integers(0, 4000)))
        if draw(st.booleans()):
            start = first + timedelta(days=draw(st.integers(0, (end - first).days)))
    evidence = tuple(
        EvidenceEntry(
            id=new_id(), title=draw(titles), stance=draw(st.sampled_from(
                ["supports", "refutes", "context"])), by=draw(names), recorded_at=recorded,
            observed_on=draw(st.none() | days_until(recorded)), url=draw(urls),
            summary=draw(texts),
            retracted=RetractionEntry(new_id(), draw(nonblank), draw(names), draw(moments))
            if draw(st.booleans()) else None,
        )
        for recorded in draw(st.lists(moments, max_size=3))
    )
    forecasts = tuple(
        ForecastEntry(id=new_id(), p=draw(probabilities), by=draw(names),
                      recorded_at=recorded, note=draw(texts),
                      made_at=draw(st.none() | moments_until(recorded)))
        for recorded in draw(st.lists(moments, max_size=2))
    )
    return ClaimEntry(
        slug=slug, title=draw(titles), statement=draw(nonblank), quote=draw(texts),
        quote_lang=draw(st.sampled_from(["", "zh"])), url=draw(urls), claimant=draw(texts),
        kind=kind, made_on=made_on, horizon=draw(texts), deadline_start=start,
        deadline_end=end, deadline_rule=draw(texts),
        criteria=draw(nonblank if kind == "prediction" else texts),
        tags=tuple(draw(st.lists(st.from_regex(r"[a-z]{1,6}", fullmatch=True), max_size=3))),
        review=draw(st.sampled_from(["", "FREQ=YEARLY", "FREQ=MONTHLY;INTERVAL=3"])),
        confidence=draw(st.none() | probabilities), confidence_words=draw(texts),
        parent=draw(st.none() | st.sampled_from(earlier)) if earlier else None,
        notes=draw(texts), evidence=evidence, history=draw(_history(new_id)),
        forecasts=forecasts,
    )


@st.composite
def _defined(draw: st.DrawFn, claim: ClaimEntry, source: str | None) -> ClaimEntry:
    """Half the claims with a log say who recorded their definition, after their creation
    and among their history: with the hash of what they recorded, or (a definition or note
    edited by hand since) another one."""
    created = claim.created_of("")[0]
    if created is None or not draw(st.booleans()):
        return claim
    note = draw(texts)
    recorded = validate_definition(definition_of(claim, source)).content_hash()
    sha256 = draw(st.sampled_from([defined_hash(recorded, note), "0" * 64]))
    return replace(claim, defined_at=created + timedelta(seconds=draw(st.integers(0, 10**7))),
                   defined_by=draw(names), defined_note=note, defined_sha256=sha256)


@st.composite
def _history(draw: st.DrawFn, new_id: object) -> tuple[HistoryEntry, ...]:
    """A history that follows the lifecycle, at distinct times."""
    assert callable(new_id)
    status, entries = "open", []
    for moment in sorted(draw(st.lists(moments, max_size=4, unique=True))):
        by, note = draw(names), draw(texts)
        if status in ("confirmed", "refuted", "partly", "annulled"):
            status = draw(st.sampled_from(["open", "developing", "stalled"]))
            entries.append(HistoryEntry(new_id(), "reopen", by, moment, to=status,
                                        note=draw(nonblank)))
        elif draw(st.booleans()):
            status = draw(st.sampled_from(
                [choice for choice in ("open", "developing", "stalled") if choice != status]))
            entries.append(HistoryEntry(new_id(), "status", by, moment, to=status, note=note,
                                        observed_on=draw(st.none() | days_until(moment))))
        else:
            outcome = draw(st.sampled_from(["yes", "no", "partial", "annulled"]))
            status = {"yes": "confirmed", "no": "refuted", "partial": "partly",
                      "annulled": "annulled"}[outcome]
            entries.append(HistoryEntry(
                new_id(), "resolve", by, moment, outcome=outcome, note=note,
                value=draw(partial_values) if outcome == "partial" else None,
                observed_on=draw(st.none() | days_until(moment))))
    return tuple(entries)


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Engine]]:
    """Two migrated SQLite databases, emptied for each example (a new engine per example
    would pay for migrations and a cold statement cache every time)."""
    root = tmp_path_factory.mktemp("databases")
    engines = {}
    for name in ("first", "second"):
        engines[name] = make_engine(f"sqlite:///{root / name}.db")
        upgrade(engines[name])
    yield engines
    for engine in engines.values():
        engine.dispose()


class Workspace:
    """A fresh folder and empty databases for one example."""

    def __init__(self, databases: dict[str, Engine]) -> None:
        self.root = Path(tempfile.mkdtemp())
        self.databases = databases
        for engine in databases.values():
            with engine.begin() as connection:
                for table in reversed(Base.metadata.sorted_tables):
                    connection.execute(table.delete())

    def ledger(self, name: str) -> Ledger:
        return Ledger(self.databases[name], clock=lambda: NOW)

    def write(self, folder: str, files: list[ClaimFile]) -> list[Path]:
        directory = self.root / folder
        directory.mkdir()
        paths = []
        for index, content in enumerate(files):
            path = directory / f"{index}.toml"
            path.write_text(render(content), encoding="utf-8")
            paths.append(path)
        return paths

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _texts(directory: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(directory.iterdir())}


@SETTINGS
@given(files=claim_files())
def test_export_import_export_is_byte_stable(files: list[ClaimFile],
                                             databases: dict[str, Engine]) -> None:
    space = Workspace(databases)
    try:
        paths = space.write("in", files)
        assert check_paths(paths).problems == ()  # the generator makes valid files
        first = space.ledger("first")
        import_paths(first, paths, reviewer="importer")
        export_claims(first, space.root / "one")
        before = dump(first.engine)
        again = import_paths(first, claim_file_paths([space.root / "one"]), reviewer="importer")
        assert not again.changed and again.notes == ()
        assert dump(first.engine) == before
        second = space.ledger("second")
        import_paths(second, claim_file_paths([space.root / "one"]), reviewer="importer")
        export_claims(second, space.root / "two")
        assert _texts(space.root / "two") == _texts(space.root / "one")
    finally:
        space.close()


@SETTINGS
@given(files=claim_files())
def test_import_is_idempotent(files: list[ClaimFile], databases: dict[str, Engine]) -> None:
    space = Workspace(databases)
    try:
        ledger = space.ledger("first")
        paths = space.write("in", files)
        import_paths(ledger, paths, reviewer="importer")
        before = dump(ledger.engine)
        report = import_paths(ledger, paths, reviewer="importer")
        assert dump(ledger.engine) == before
        assert not report.changed and report.notes == ()
    finally:
        space.close()


def _shuffled(files: list[ClaimFile], rnd: random.Random) -> list[ClaimFile]:
    def mixed(items: tuple[object, ...]) -> tuple[object, ...]:
        copy = list(items)
        rnd.shuffle(copy)
        return tuple(copy)

    result = [
        replace(content, claims=mixed(tuple(
            replace(claim, evidence=mixed(claim.evidence), history=mixed(claim.history),
                    forecasts=mixed(claim.forecasts))
            for claim in content.claims)))
        for content in files
    ]
    rnd.shuffle(result)
    return result


@SETTINGS
@given(files=claim_files(), rnd=st.randoms(use_true_random=False))
def test_import_does_not_depend_on_the_order_of_files_or_entries(
        files: list[ClaimFile], rnd: random.Random, databases: dict[str, Engine]) -> None:
    space = Workspace(databases)
    try:
        straight, mixed = space.ledger("first"), space.ledger("second")
        import_paths(straight, space.write("in", files), reviewer="importer")
        shuffled = _shuffled(files, rnd)
        paths = space.write("shuffled", shuffled)
        for path, content in zip(paths, shuffled, strict=True):  # keep the shuffled order
            path.write_text(_unsorted_text(content), encoding="utf-8")
        import_paths(mixed, paths, reviewer="importer")
        export_claims(straight, space.root / "one")
        export_claims(mixed, space.root / "two")
        assert _texts(space.root / "two") == _texts(space.root / "one")
    finally:
        space.close()


def _unsorted_text(content: ClaimFile) -> str:
    """The file with claims and log entries in the order given (render would sort them)."""
    parts = [render(replace(content, claims=()))]
    for claim in content.claims:
        bare = replace(claim, evidence=(), history=(), forecasts=())
        parts.append(render(ClaimFile(claims=(bare,))).split("\n", 1)[1])
        single = [replace(bare, evidence=(item,)) for item in claim.evidence]
        single += [replace(bare, history=(entry,)) for entry in claim.history]
        single += [replace(bare, forecasts=(item,)) for item in claim.forecasts]
        for one in single:
            text = render(ClaimFile(claims=(one,)))
            parts.append(text[text.index("\n[[claims.") + 1:])
    return "\n".join(parts)
