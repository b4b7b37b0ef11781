"""A source's stored copy, kept in the database at import: quotes typed later (`tracker add`,
the app's form) are checked against it as claim files are, and an export writes the copy back
beside its file, so the exported folder checks and imports on its own."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import dump
from sqlalchemy import Engine

from tests.conftest import CliOutcome, Clock
from tracker.claimfiles import check_paths, export_claims, import_paths
from tracker.claimfiles.paths import claim_file_paths
from tracker.db import make_engine, upgrade
from tracker.definitions import ClaimDefinition, SourceInfo
from tracker.errors import InvalidInput
from tracker.ledger import Ledger
from tracker.queries import Queries

COPY = "报告说:\n未来 80% 的算力将用于推理。\nModels get a major version every 1-2 years.\n"
QUOTE = "未来 80% 的算力将用于推理。"
DIGEST = hashlib.sha256(COPY.encode()).hexdigest()
FILE = f'''format = 1

[source]
key = "report"
title = "A report"
copy = "report.txt"
copy_sha256 = "{DIGEST}"

[[claims]]
slug = "serving"
title = "Compute moves to serving"
statement = "Most AI compute goes to inference."
quote = "{QUOTE}"
made_on = 2023-06-29
deadline = 2026-06-29
criteria = "Yes if most AI compute serves inference."
'''


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2024, 3, 1, 12, tzinfo=UTC))


def claim_folder(directory: Path, copy: str = COPY) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "report.txt").write_bytes(copy.encode())
    path = directory / "report.toml"
    path.write_text(FILE, encoding="utf-8")
    return path


def new_claim(slug: str, quote: str, source: str = "report") -> ClaimDefinition:
    return ClaimDefinition(slug=slug, title="A claim", statement="Something happens.",
                           criteria="Yes if it happens.", source=source, quote=quote)


@pytest.fixture
def imported(tmp_path: Path, ledger: Ledger) -> Ledger:
    import_paths(ledger, [claim_folder(tmp_path / "in")], reviewer="importer")
    return ledger


def test_import_keeps_the_copy_it_checked_the_quotes_against(
        imported: Ledger, queries: Queries) -> None:
    assert queries.stored_copy("report") == COPY
    assert queries.stored_copy("no-such-source") is None


def test_a_quote_not_in_the_stored_copy_is_refused_and_nothing_written(
        imported: Ledger, engine: Engine) -> None:
    before = dump(engine)
    with pytest.raises(InvalidInput) as refused:
        imported.create_claim(new_claim("paraphrase", "Most compute will serve models."),
                              "ann")
    assert str(refused.value) == (
        "the quote is not in the stored copy of source 'report' (whitespace ignored): copy "
        "it verbatim from the source")
    assert refused.value.field == "quote"
    assert dump(engine) == before


def test_a_verbatim_quote_is_accepted_whatever_its_line_breaks(
        imported: Ledger, queries: Queries) -> None:
    imported.create_claim(new_claim("versions", "Models get a major version\n every 1-2 "
                                                "years."), "ann")
    imported.create_claim(new_claim("unquoted", ""), "ann")
    assert queries.claim_detail("versions").definition.source == "report"
    assert queries.claim_detail("unquoted").definition.quote == ""


def test_a_source_without_a_stored_copy_takes_any_quote(ledger: Ledger,
                                                        queries: Queries) -> None:
    ledger.upsert_source(SourceInfo(key="report", title="A report"))
    ledger.create_claim(new_claim("loose", "Words nobody can check here."), "ann")
    assert queries.claim_detail("loose").definition.quote == "Words nobody can check here."


def test_an_edit_is_checked_only_when_it_changes_the_quote(
        tmp_path: Path, ledger: Ledger, queries: Queries) -> None:
    """A claim recorded before its source's copy was kept may quote loosely; editing its
    title must not be blocked by that, a new quote must be verbatim."""
    ledger.upsert_source(SourceInfo(key="report", title="A report"))
    ledger.create_claim(new_claim("older", "A loose rendering."), "ann")
    import_paths(ledger, [claim_folder(tmp_path / "in")], reviewer="importer")
    current = queries.claim_detail("older").definition
    ledger.edit_claim("older", replace(current, title="Renamed"), "ann")
    with pytest.raises(InvalidInput, match="not in the stored copy of source 'report'"):
        ledger.edit_claim("older", replace(current, quote="Another loose rendering."), "ann")
    ledger.edit_claim("older", replace(current, title="Renamed", quote=QUOTE), "ann")
    assert queries.claim_detail("older").definition.quote == QUOTE


def test_an_edit_moving_a_quote_to_a_source_with_a_copy_is_checked_against_it(
        imported: Ledger, engine: Engine, queries: Queries) -> None:
    """The quote is unchanged, its source is not: the copy it now claims to come from must
    hold it."""
    imported.upsert_source(SourceInfo(key="notes", title="Loose notes"))
    imported.create_claim(new_claim("moved", "A loose rendering.", source="notes"), "ann")
    current = queries.claim_detail("moved").definition
    before = dump(engine)
    with pytest.raises(InvalidInput, match="not in the stored copy of source 'report'"):
        imported.edit_claim("moved", replace(current, source="report"), "ann")
    assert dump(engine) == before


def test_a_copy_replaced_within_a_transaction_is_the_one_later_quotes_are_checked_against(
        imported: Ledger) -> None:
    """An import reads each copy once for all its claims; one that stores a new copy of a
    source must check the claims after it against the new text, not the one read before."""
    new_copy = "A wholly new text.\n"
    info = SourceInfo(key="report", title="A report", copy_path="report.txt",
                      copy_sha256=hashlib.sha256(new_copy.encode()).hexdigest())
    with imported.transaction() as tx:
        tx.create_claim(new_claim("first", QUOTE), "ann")
        tx.upsert_source(info, copy_text=new_copy)
        tx.create_claim(new_claim("second", "A wholly new text."), "ann")
        with pytest.raises(InvalidInput, match="not in the stored copy of source 'report'"):
            tx.create_claim(new_claim("third", QUOTE), "ann")


def test_the_kept_copy_follows_the_source_files_copy(
        tmp_path: Path, imported: Ledger, queries: Queries) -> None:
    info = SourceInfo(key="report", title="Renamed", copy_path="report.txt",
                      copy_sha256=DIGEST)
    imported.upsert_source(info)  # the same copy, its text not read again: kept
    assert queries.stored_copy("report") == COPY
    imported.upsert_source(replace(info, copy_sha256="0" * 64))  # another copy, unread
    assert queries.stored_copy("report") is None
    imported.upsert_source(info, copy_text=COPY)
    imported.upsert_source(replace(info, copy_path="", copy_sha256=""))  # no copy any more
    assert queries.stored_copy("report") is None


def test_a_changed_copy_that_does_not_match_its_sha_is_not_kept(
        tmp_path: Path, ledger: Ledger, queries: Queries) -> None:
    """`import` refuses such a file; reading the copy for keeping checks the sha too."""
    from tracker.claimfiles.reader import read_path
    from tracker.claimfiles.rules import stored_copy_text

    path = claim_folder(tmp_path / "in", copy=COPY + "tampered\n")
    read = read_path(path)
    assert read.content is not None and read.content.source is not None
    assert stored_copy_text(read.content.source, read.directory) is None
    claim_folder(tmp_path / "in")
    assert stored_copy_text(read.content.source, read.directory) == COPY


def test_export_writes_the_copy_so_the_folder_checks_and_imports_alone(
        tmp_path: Path, imported: Ledger, database_url: str) -> None:
    imported.create_claim(new_claim("versions", "Models get a major version every 1-2 "
                                                "years."), "ann")
    report = export_claims(imported, tmp_path / "out")
    copy = tmp_path / "out" / "report.txt"
    assert report.copies == (copy,)
    assert copy.read_bytes() == COPY.encode()
    assert not [note for note in report.notes if "stored copy" in note]
    assert check_paths(claim_file_paths([tmp_path / "out"])).problems == ()
    other = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        upgrade(other)
        import_paths(Ledger(other), claim_file_paths([tmp_path / "out"]), reviewer="x")
        assert Queries(other).stored_copy("report") == COPY
    finally:
        other.dispose()
    again = export_claims(imported, tmp_path / "out")
    assert again.copies == (), "a copy already there is left as it is"


def test_export_without_the_copys_text_says_where_to_put_it(
        tmp_path: Path, ledger: Ledger) -> None:
    """A database migrated from before copies were kept holds the name and sha only."""
    ledger.upsert_source(SourceInfo(key="report", title="A report", copy_path="report.txt",
                                    copy_sha256=DIGEST))
    report = export_claims(ledger, tmp_path / "out")
    assert report.copies == ()
    assert not (tmp_path / "out" / "report.txt").exists()
    assert report.notes == (
        f"{tmp_path / 'out' / 'report.toml'}: the stored copy 'report.txt' of source 'report' "
        f"is not in {tmp_path / 'out'}: put it there so `tracker check` can verify the "
        "quotes",)


def test_tracker_add_refuses_a_quote_not_in_the_copy(
        tmp_path: Path, imported: Ledger, engine: Engine,
        run_cli: Callable[..., CliOutcome]) -> None:
    before = dump(engine)
    args = ["--as", "ann", "add", "--slug", "typed", "--title", "Typed", "--statement",
            "Typed in.", "--criteria", "Yes if so.", "--source", "report"]
    outcome = run_cli(*args, "--quote", "80% of compute will serve models")
    assert outcome.exit_code == 1
    assert "the quote is not in the stored copy of source 'report'" in outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert dump(engine) == before
    assert run_cli(*args, "--quote", QUOTE).exit_code == 0


def test_export_writes_a_copy_named_in_a_folder_beside_its_file(
        tmp_path: Path, ledger: Ledger) -> None:
    folder = tmp_path / "in"
    path = claim_folder(folder)
    (folder / "sub").mkdir()
    (folder / "report.txt").rename(folder / "sub" / "report.txt")
    path.write_text(FILE.replace('copy = "report.txt"', 'copy = "sub/report.txt"'),
                    encoding="utf-8")
    import_paths(ledger, [path], reviewer="importer")
    report = export_claims(ledger, tmp_path / "out")
    assert report.copies == (tmp_path / "out" / "sub" / "report.txt",)
    assert check_paths(claim_file_paths([tmp_path / "out"])).problems == ()


def test_export_names_a_file_in_the_place_of_a_copy(tmp_path: Path, imported: Ledger) -> None:
    """Another file under the copy's name (here another source's copy, written first) is
    left as it is, and the export says `tracker check` will report it."""
    imported.upsert_source(SourceInfo(key="another", title="Another", copy_path="report.txt",
                                      copy_sha256=hashlib.sha256(b"Other words.").hexdigest()),
                           copy_text="Other words.")
    report = export_claims(imported, tmp_path / "out")
    assert report.copies == (tmp_path / "out" / "report.txt",)
    assert (tmp_path / "out" / "report.txt").read_text(encoding="utf-8") == "Other words."
    assert report.notes == (
        f"{tmp_path / 'out' / 'report.toml'}: {tmp_path / 'out' / 'report.txt'} is not the "
        "stored copy of source 'report' (its sha256 is not the file's copy_sha256; another "
        "source's copy may have the same name), so `tracker check` will report it: move that "
        "file away, or name each source's copy apart, and export again",)


def test_import_says_when_a_file_drops_the_sources_copy(
        tmp_path: Path, imported: Ledger, queries: Queries) -> None:
    restated = tmp_path / "again" / "report.toml"
    restated.parent.mkdir()
    restated.write_text(FILE.replace(f'copy = "report.txt"\ncopy_sha256 = "{DIGEST}"\n', ""),
                        encoding="utf-8")
    report = import_paths(imported, [restated], reviewer="importer")
    assert [str(note) for note in report.notes] == [
        f"copy {restated}:3: source 'report' names no stored copy here, so the database's "
        "copy 'report.txt' is dropped and its claims' quotes are no longer checked: name the "
        "copy in this file (copy, copy_sha256) to keep it",
        f"updated {restated}:4: source 'report' takes the file's copy, copy_sha256"]
    assert queries.stored_copy("report") is None


def test_import_of_a_new_copy_names_the_quotes_it_lacks(
        tmp_path: Path, ledger: Ledger, queries: Queries) -> None:
    """Claims recorded before (here: before the database kept copies) are not in the file,
    so nothing checked their quotes against the new copy: the import lists them."""
    ledger.upsert_source(SourceInfo(key="report", title="A report"))
    ledger.create_claim(new_claim("loose", "A loose rendering."), "ann")
    ledger.create_claim(new_claim("exact", "Models get a major version every 1-2 years."),
                        "ann")
    path = claim_folder(tmp_path / "in")
    report = import_paths(ledger, [path], reviewer="importer")
    line = FILE.split("\n").index('copy = "report.txt"') + 1
    assert [str(note) for note in report.notes] == [
        f"updated {path}:4: source 'report' takes the file's copy, copy_sha256",
        f"copy {path}:{line}: the quote of 'loose' is not in this stored copy (whitespace "
        "ignored): `tracker check` of an export will report it; fix it with `tracker edit "
        "loose --quote \"...\"`"]
    again = import_paths(ledger, [path], reviewer="importer")
    assert again.notes == (), "the same copy again: said once is enough"


def test_tracker_edit_quote_is_checked_against_the_copy(
        imported: Ledger, queries: Queries, run_cli: Callable[..., CliOutcome]) -> None:
    refused = run_cli("--as", "ann", "edit", "serving", "--quote", "Compute moves.")
    assert refused.exit_code == 1
    assert "the quote is not in the stored copy of source 'report'" in refused.stderr
    done = run_cli("--as", "ann", "edit", "serving", "--quote", "80% 的算力将用于推理")
    assert (done.exit_code, done.stderr) == (0, "")
    assert queries.claim_detail("serving").definition.quote == "80% 的算力将用于推理"


def test_export_counts_the_copies_it_wrote(
        tmp_path: Path, imported: Ledger, run_cli: Callable[..., CliOutcome]) -> None:
    out = tmp_path / "out"
    outcome = run_cli("export", str(out))
    assert outcome.stdout.splitlines()[-2:] == [
        f"wrote {out / 'report.txt'} (a source's stored copy, from the database)",
        f"1 claim file in {out}, 1 written; 1 stored copy written"]


def test_the_ledger_refuses_source_texts_it_cannot_store_and_a_copy_not_named(
        ledger: Ledger, engine: Engine) -> None:
    before = dump(engine)
    with pytest.raises(InvalidInput, match="source notes holds a NUL character"):
        ledger.upsert_source(SourceInfo(key="report", title="A report", notes="a\x00b"))
    with pytest.raises(InvalidInput, match="author holds a NUL character"):
        ledger.upsert_source(SourceInfo(key="report", title="A report", authors=("Ann\x00",)))
    with pytest.raises(InvalidInput, match="is not the copy copy_sha256 names"):
        ledger.upsert_source(SourceInfo(key="report", title="A report", copy_path="report.txt",
                                        copy_sha256=DIGEST), copy_text=COPY + "changed")
    binary = "text\x00more"  # its own sha: refused for the NUL PostgreSQL cannot store
    with pytest.raises(InvalidInput, match=r"^the stored copy of source 'report' holds a NUL "
                                           r"character: store the source as plain text$"):
        ledger.upsert_source(SourceInfo(
            key="report", title="A report", copy_path="report.bin",
            copy_sha256=hashlib.sha256(binary.encode()).hexdigest()), copy_text=binary)
    assert dump(engine) == before


def test_a_copy_that_cannot_be_written_is_named_and_the_export_goes_on(
        tmp_path: Path, imported: Ledger) -> None:
    """A file where the copy's folder must go: the claim files are all written, the note
    says which copy was not."""
    imported.create_claim(ClaimDefinition(slug="loose", title="Loose", statement="Loose.",
                                          kind="opinion"), "ann")
    imported.upsert_source(SourceInfo(key="report", title="A report",
                                      copy_path="sub/report.txt", copy_sha256=DIGEST),
                           copy_text=COPY)
    out = tmp_path / "out"
    out.mkdir()
    (out / "sub").write_text("a file, not a folder", encoding="utf-8")
    report = export_claims(imported, out)
    assert sorted(file.path.name for file in report.files) == ["report.toml", "unsourced.toml"]
    assert all(file.path.is_file() for file in report.files)
    assert report.copies == ()
    [note] = report.notes
    assert note.startswith(f"{out / 'report.toml'}: the stored copy of source 'report' was "
                           f"not written (cannot make the folder {out / 'sub'}")
    assert note.endswith("so `tracker check` will report it missing")
