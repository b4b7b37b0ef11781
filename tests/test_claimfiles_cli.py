"""`tracker check | import | export`: messages and exit codes (0 ok, 1 refused, 2 usage)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import dump

from tracker.claimfiles import exporter

E1 = "00000000-0000-4000-8000-000000000001"

FILE = f'''format = 1

[source]
key = "src"
title = "A source"

[[claims]]
slug = "alpha"
title = "Alpha"
statement = "Alpha happens."
made_on = 2023-06-29
deadline = 2026-06-29
criteria = "Yes if alpha happens."

[[claims.evidence]]
id = "{E1}"
title = "A page"
stance = "supports"
by = "ann"
recorded_at = 2024-02-01T00:00:00Z

[[claims]]
slug = "beta"
title = "Beta"
statement = "Beta is so."
kind = "fact"
'''

Run = Callable[..., Any]


def claims_dir(tmp_path: Path, text: str = FILE) -> Path:
    directory = tmp_path / "claims"
    directory.mkdir(exist_ok=True)
    (directory / "src.toml").write_text(text, encoding="utf-8")
    return directory


def test_check_ok(run_cli: Run, tmp_path: Path) -> None:
    result = run_cli("check", str(claims_dir(tmp_path)))
    assert (result.exit_code, result.stdout) == (0, "1 file, 2 claims OK\n")


def test_check_reports_every_problem_with_file_and_line(run_cli: Run, tmp_path: Path) -> None:
    bad = FILE.replace('stance = "supports"', 'stance = "agrees"').replace(
        'kind = "fact"', 'kind = "rumour"')
    directory = claims_dir(tmp_path, bad)
    result = run_cli("check", str(directory))
    assert result.exit_code == 1
    path = directory / "src.toml"
    assert result.stdout.splitlines() == [
        f"{path}:18: unknown stance 'agrees': use one of supports, refutes, context",
        f"{path}:26: unknown kind 'rumour': use one of prediction, fact, opinion",
    ]
    assert result.stderr == "2 problems in 1 file\n"


def test_check_defaults_to_the_claims_folder_here(run_cli: Run, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    claims_dir(tmp_path, FILE.replace('slug = "beta"', 'slug = "alpha"'))
    monkeypatch.chdir(tmp_path)
    result = run_cli("check")
    assert result.exit_code == 1
    assert result.stdout.startswith("claims/src.toml:23: duplicate slug 'alpha': also at "
                                    "claims/src.toml:8")


def test_check_refuses_an_entry_recorded_in_the_future(run_cli: Run, tmp_path: Path) -> None:
    """`tracker check` compares with the machine's clock (this test runs after 2026)."""
    directory = claims_dir(tmp_path, FILE.replace("recorded_at = 2024-", "recorded_at = 2999-", 1))
    result = run_cli("check", str(directory))
    assert result.exit_code == 1
    assert "recorded_at 2999-" in result.stdout and "is in the future (today is" in result.stdout


def test_check_usage_errors(run_cli: Run, tmp_path: Path) -> None:
    assert run_cli("check", str(tmp_path / "missing")).exit_code == 2
    (tmp_path / "empty").mkdir()
    result = run_cli("check", str(tmp_path / "empty"))
    assert result.exit_code == 2 and "no claim files (*.toml)" in result.stderr


def test_import_then_import_again(run_cli: Run, tmp_path: Path) -> None:
    directory = claims_dir(tmp_path)
    result = run_cli("import", str(directory))
    assert result.exit_code == 0, result.stderr
    path = directory / "src.toml"
    assert result.stdout == f"{path}: 2 added, 0 updated, 0 unchanged, 0 conflicts; 1 entry added\n"
    result = run_cli("import", str(directory))
    assert result.stdout == (f"{path}: 0 added, 0 updated, 2 unchanged, 0 conflicts; "
                             "0 entries added\n")


def test_import_with_a_problem_writes_nothing(run_cli: Run, tmp_path: Path,
                                              engine: Any) -> None:
    directory = claims_dir(tmp_path, FILE.replace('statement = "Beta is so."', ""))
    before = dump(engine)
    result = run_cli("import", str(directory))
    assert result.exit_code == 1
    assert result.stdout == f"{directory / 'src.toml'}:22: statement is missing or empty: " \
        "give a statement\n"
    assert result.stderr == "1 problem in 1 file; nothing was imported\n"
    assert dump(engine) == before


def test_import_conflict_and_prefer(run_cli: Run, tmp_path: Path) -> None:
    directory = claims_dir(tmp_path)
    assert run_cli("import", str(directory)).exit_code == 0
    assert run_cli("edit", "beta", "--title", "Beta (database)").exit_code == 0
    claims_dir(tmp_path, FILE.replace('title = "Beta"', 'title = "Beta (file)"'))
    result = run_cli("import", str(directory))
    assert result.exit_code == 1
    assert "CONFLICT" in result.stderr and "'beta'" in result.stderr
    assert "1 conflict left: everything else was imported" in result.stderr
    assert "0 updated, 1 unchanged, 1 conflict;" in result.stdout
    assert run_cli("import", "--prefer", "nobody", str(directory)).exit_code == 2
    result = run_cli("import", "--prefer", "file", str(directory))
    assert result.exit_code == 0
    assert "took the file's (--prefer file)" in result.stdout
    shown = run_cli("show", "beta")
    assert "Beta (file)" in shown.stdout


def test_export_writes_files_and_then_leaves_them(run_cli: Run, tmp_path: Path) -> None:
    assert run_cli("import", str(claims_dir(tmp_path))).exit_code == 0
    out = tmp_path / "out"
    result = run_cli("export", str(out))
    assert result.exit_code == 0
    assert result.stdout == (f"wrote {out / 'src.toml'} (2 claims)\n"
                             f"1 claim file in {out}, 1 written\n")
    result = run_cli("export", str(out))
    assert result.stdout == (f"unchanged {out / 'src.toml'} (2 claims)\n"
                             f"1 claim file in {out}, 0 written\n")
    assert run_cli("check", str(out)).stdout == "1 file, 2 claims OK\n"


def test_export_does_not_write_over_changes_never_imported(run_cli: Run, tmp_path: Path,
                                                           engine: Any) -> None:
    """A teammate's forecast added to the file, or a definition edited in it, was silently
    replaced by the database's version (and the next import saw no conflict)."""
    directory = claims_dir(tmp_path)
    assert run_cli("import", str(directory)).exit_code == 0
    assert run_cli("edit", "alpha", "--title", "Alpha (database)").exit_code == 0
    path = directory / "src.toml"
    edited = FILE.replace('title = "Beta"', 'title = "Beta (file)"') + (
        '\n[[claims.forecasts]]\nid = "00000000-0000-4000-8000-000000000009"\n'
        'p = 0.4\nmade_at = 2024-03-01T00:00:00Z\nby = "bob"\n'
        'recorded_at = 2024-03-01T00:00:00Z\n\n[[claims]]\nslug = "gamma"\n'
        'title = "Gamma"\nstatement = "Gamma is so."\nkind = "fact"\n')
    path.write_text(edited, encoding="utf-8")
    before = dump(engine)
    result = run_cli("export", str(directory))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:23: the definition of 'beta' was changed in this file since it was last "
        "imported or exported",
        f"{path}:29: entry 00000000-0000-4000-8000-000000000009 of 'beta' is not in the "
        "database",
        f"{path}:36: claim 'gamma' is not in the database"]
    assert result.stderr == ("3 problems in 1 file; nothing was written: import these changes "
                             "first (tracker import DIRECTORY), or settle each line as it "
                             "says, or export with --force to write over them\n")
    assert path.read_text(encoding="utf-8") == edited and dump(engine) == before
    # Imported, they are the database's: the export writes the file, the title edit in it.
    assert run_cli("import", str(directory)).exit_code == 0
    assert run_cli("export", str(directory)).exit_code == 0
    assert 'title = "Alpha (database)"' in path.read_text(encoding="utf-8")
    assert 'slug = "gamma"' in path.read_text(encoding="utf-8")


def refused_export(run_cli: Run, directory: Path, edited: str) -> list[str]:
    """Import `directory`, write `edited` into its src.toml, export: the lines the refusal
    names (the export exits 1 and leaves the file as it was)."""
    assert run_cli("import", str(directory)).exit_code == 0
    path = directory / "src.toml"
    path.write_text(edited, encoding="utf-8")
    result = run_cli("export", str(directory))
    assert result.exit_code == 1
    assert path.read_text(encoding="utf-8") == edited
    lines: list[str] = result.stdout.splitlines()
    return lines


def test_export_says_it_writes_over_a_log_entry_changed_in_the_file(
        run_cli: Run, tmp_path: Path) -> None:
    """No import takes a log entry changed in a file (the log is append-only), and the export
    wrote the database's copy over it without a word. It says so, file:line; not refused
    (that stopped, for good, the exports of two databases holding different copies)."""
    directory = claims_dir(tmp_path)
    assert run_cli("import", str(directory)).exit_code == 0
    path = directory / "src.toml"
    path.write_text(FILE.replace('title = "A page"', 'title = "A better title"'),
                    encoding="utf-8")
    result = run_cli("export", str(directory))
    assert result.exit_code == 0, result.output
    assert (f"note: {path}:15: entry {E1} of 'alpha' was changed in this file; log entries are "
            "never changed, so the export wrote the database's copy over it: to correct the "
            "entry, retract it or record a new one\n") in result.stderr
    assert 'title = "A page"' in path.read_text(encoding="utf-8")
    assert "was changed" not in run_cli("export", str(directory)).stderr  # said once


def test_a_retraction_changed_in_the_file_is_said_too(run_cli: Run, tmp_path: Path) -> None:
    """A retraction is a log entry of its own (its id, reason, by): its reason changed by hand
    was neither noted by the import nor by the export, which wrote the database's back."""
    retraction = "00000000-0000-4000-8000-000000000009"
    directory = claims_dir(tmp_path, FILE.replace(
        "recorded_at = 2024-02-01T00:00:00Z\n", "recorded_at = 2024-02-01T00:00:00Z\n\n"
        f'[claims.evidence.retracted]\nid = "{retraction}"\nreason = "Wrong page"\n'
        'by = "ann"\nrecorded_at = 2024-03-01T00:00:00Z\n', 1))
    path = directory / "src.toml"
    assert run_cli("import", str(directory)).exit_code == 0
    assert run_cli("export", str(directory)).exit_code == 0
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Wrong page", "Page moved"), encoding="utf-8")
    line = text.splitlines().index("[claims.evidence.retracted]") + 1
    result = run_cli("import", str(directory))
    assert f"{path}:{line}: entry {retraction} of 'alpha' differs" in result.stderr
    result = run_cli("export", str(directory))
    assert result.exit_code == 0, result.output
    assert (f"note: {path}:{line}: entry {retraction} of 'alpha' was changed in this file"
            ) in result.stderr
    assert 'reason = "Wrong page"' in path.read_text(encoding="utf-8")


def test_export_does_not_write_over_what_it_cannot_read(run_cli: Run, tmp_path: Path) -> None:
    """Evidence added by hand with a recorded_at without a zone (and a misspelt key) was
    dropped by the reader, so the export wrote over it without a word."""
    directory = claims_dir(tmp_path)
    path = directory / "src.toml"
    edited = FILE.replace('title = "Beta"', 'title = "Beta"\nnotse = "typo"') + (
        '\n[[claims.evidence]]\nid = "00000000-0000-4000-8000-000000000009"\n'
        'title = "Added by hand"\nstance = "context"\nby = "bob"\n'
        'recorded_at = 2024-03-01T00:00:00\n')
    assert refused_export(run_cli, directory, edited) == [
        f"{path}:25: the export cannot read this and would write over it: unknown key "
        "'notse' in claim: did you mean 'notes'?",
        f"{path}:34: the export cannot read this and would write over it: recorded_at has no "
        "time zone: write it in UTC with a Z, such as 2026-11-27T23:59:00Z"]


def test_an_edit_saved_while_export_runs_is_not_written_over(
        run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Export checked a file for work never imported, then wrote it: an edit saved between
    the two (about 80 ms on the shipped claims) was replaced unsaid."""
    directory = claims_dir(tmp_path)
    assert run_cli("import", str(directory)).exit_code == 0
    assert run_cli("edit", "alpha", "--title", "Alpha (database)").exit_code == 0
    path = directory / "src.toml"
    saved = FILE.replace('title = "Beta"', 'title = "Beta (saved meanwhile)"')
    render = exporter.render

    def render_while_an_editor_saves(file: Any) -> str:
        path.write_text(saved, encoding="utf-8")  # after the check, before the write
        return render(file)

    monkeypatch.setattr(exporter, "render", render_while_an_editor_saves)
    result = run_cli("export", str(directory))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: cannot write {path}: it was changed while this was being written (saved by "
        "an editor, or another run); nothing was written: look at the change, then run this "
        "again\n")
    assert path.read_text(encoding="utf-8") == saved
    assert [entry.name for entry in directory.iterdir()] == ["src.toml"]
    monkeypatch.setattr(exporter, "render", render)  # run again: the check finds the edit
    assert "the definition of 'beta' was changed" in run_cli("export", str(directory)).stdout


@pytest.mark.parametrize("link", [False, True])
def test_a_source_whose_file_name_another_source_took_is_written_beside_it(
        run_cli: Run, tmp_path: Path, link: bool) -> None:
    """A source without a file was written to its key's name even when that name was the
    file another source is written to (renamed there, or a link to it): both went to one
    file, the last over the first, and export said it wrote two: the first source's claims
    were in no file (an import of the folder into a new database lost them)."""
    directory = claims_dir(tmp_path)
    other = FILE.replace('key = "src"', 'key = "other"').replace('"alpha"', '"gamma"').replace(
        '"beta"', '"delta"').replace(E1, "00000000-0000-4000-8000-000000000002")
    (directory / "other.toml").write_text(other, encoding="utf-8")
    assert run_cli("import", str(directory)).exit_code == 0
    if link:  # src.toml links to the file holding source 'other'
        (directory / "src.toml").unlink()
        (directory / "src.toml").symlink_to("other.toml")
    else:  # source 'other' renamed to src.toml
        (directory / "other.toml").replace(directory / "src.toml")
    result = run_cli("export", str(directory))
    assert result.exit_code == 0, result.output
    held = directory / ("other.toml" if link else "src.toml")
    assert 'key = "other"' in held.read_text(encoding="utf-8")
    written = (directory / "src-2.toml").read_text(encoding="utf-8")
    assert 'key = "src"' in written and 'slug = "alpha"' in written
    assert f"wrote {directory / 'src-2.toml'} (2 claims)\n" in result.stdout
    assert run_cli("check", str(directory)).exit_code == 0
    assert run_cli("export", str(directory)).stdout.endswith("0 written\n")  # stays there


def test_a_source_is_not_written_to_the_file_a_link_of_another_source_points_at(
        run_cli: Run, tmp_path: Path) -> None:
    """The file another source is written to may be a link (here linked.toml, to src.toml):
    the name a source without a file would take (src.toml) is then taken by the file the
    link points at, not by the link's own name; writing both there kept only one source."""
    directory = claims_dir(tmp_path)
    other = FILE.replace('key = "src"', 'key = "other"').replace('"alpha"', '"gamma"').replace(
        '"beta"', '"delta"').replace(E1, "00000000-0000-4000-8000-000000000002")
    (directory / "other.toml").write_text(other, encoding="utf-8")
    assert run_cli("import", str(directory)).exit_code == 0
    (directory / "other.toml").replace(directory / "src.toml")  # source 'other' in src.toml
    (directory / "linked.toml").symlink_to("src.toml")  # read first: 'other' is written there
    result = run_cli("export", str(directory))
    assert result.exit_code == 0, result.output
    held = (directory / "src.toml").read_text(encoding="utf-8")
    assert 'key = "other"' in held and 'slug = "gamma"' in held and '"alpha"' not in held
    written = (directory / "src-2.toml").read_text(encoding="utf-8")
    assert 'key = "src"' in written and 'slug = "alpha"' in written
    assert run_cli("check", str(directory)).exit_code == 0


def test_a_numbered_name_taken_by_a_broken_link_is_passed_over(
        run_cli: Run, tmp_path: Path) -> None:
    """src-2.toml, the next free name, is a link to a file that is gone: a name no file has
    is one nothing is at, or the claims were written through the link, out of the folder."""
    directory = claims_dir(tmp_path)
    other = FILE.replace('key = "src"', 'key = "other"').replace('"alpha"', '"gamma"').replace(
        '"beta"', '"delta"').replace(E1, "00000000-0000-4000-8000-000000000002")
    (directory / "other.toml").write_text(other, encoding="utf-8")
    assert run_cli("import", str(directory)).exit_code == 0
    (directory / "other.toml").replace(directory / "src.toml")  # source 'other' renamed
    outside = tmp_path / "elsewhere.toml"
    (directory / "src-2.toml").symlink_to(outside)
    result = run_cli("export", str(directory))
    assert result.exit_code == 0, result.output
    assert f"wrote {directory / 'src-3.toml'} (2 claims)\n" in result.stdout
    assert not outside.exists()


def test_a_file_export_says_it_leaves_alone_is_not_written_over(
        run_cli: Run, tmp_path: Path) -> None:
    """src.toml held a source the database lacks ('gone'), or a second file of a source
    another file holds: export said it "was left as it is", then wrote source 'src' over it
    (its name), and what it held was in no file."""
    directory = claims_dir(tmp_path)
    other = FILE.replace('key = "src"', 'key = "other"').replace('"alpha"', '"gamma"').replace(
        '"beta"', '"delta"').replace(E1, "00000000-0000-4000-8000-000000000002")
    (directory / "other.toml").write_text(other, encoding="utf-8")
    assert run_cli("import", str(directory)).exit_code == 0
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    gone = 'format = 1\n\n[source]\nkey = "gone"\ntitle = "Another source"\n'
    (folder / "src.toml").write_text(gone, encoding="utf-8")
    result = run_cli("export", str(folder))
    assert result.exit_code == 0, result.output
    assert (f"note: {folder / 'src.toml'} was left as it is: its source 'gone' is not in "
            "the database\n") in result.stderr
    assert (folder / "src.toml").read_text(encoding="utf-8") == gone
    assert 'slug = "alpha"' in (folder / "src-2.toml").read_text(encoding="utf-8")

    for path in folder.iterdir():
        path.unlink()
    (folder / "another.toml").write_text(other, encoding="utf-8")
    (folder / "src.toml").write_text(other, encoding="utf-8")  # source 'other' again
    result = run_cli("export", "--force", str(folder))
    assert result.exit_code == 0, result.output
    assert (f"note: {folder / 'src.toml'} holds the same source as another.toml and was left "
            "as it is") in result.stderr
    assert (folder / "src.toml").read_text(encoding="utf-8") == other
    assert 'slug = "alpha"' in (folder / "src-2.toml").read_text(encoding="utf-8")


def test_an_export_that_cannot_write_one_file_writes_none(
        run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files were written one after another: a full disk on the second left the first
    written and the second not, a folder half exported."""
    directory = claims_dir(tmp_path)
    other = FILE.replace('key = "src"', 'key = "other"').replace('"alpha"', '"gamma"').replace(
        '"beta"', '"delta"').replace(E1, "00000000-0000-4000-8000-000000000002")
    (directory / "other.toml").write_text(other, encoding="utf-8")
    assert run_cli("import", str(directory)).exit_code == 0
    for slug in ("alpha", "gamma"):
        assert run_cli("edit", slug, "--title", "Edited").exit_code == 0
    fsync = os.fsync
    calls = []

    def disk_full_on_the_second_file(descriptor: int) -> None:
        calls.append(descriptor)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        fsync(descriptor)

    monkeypatch.setattr(os, "fsync", disk_full_on_the_second_file)
    result = run_cli("export", str(directory))
    assert result.exit_code == 1
    assert result.stderr.endswith(".toml: No space left on device\n")
    assert (directory / "src.toml").read_text(encoding="utf-8") == FILE
    assert (directory / "other.toml").read_text(encoding="utf-8") == other
    assert sorted(entry.name for entry in directory.iterdir()) == ["other.toml", "src.toml"]


def test_export_force_writes_over_them_and_an_unreadable_file_is_kept(
        run_cli: Run, tmp_path: Path) -> None:
    directory = claims_dir(tmp_path)
    assert run_cli("import", str(directory)).exit_code == 0
    path = directory / "src.toml"
    path.write_text(FILE.replace('title = "Beta"', 'title = "Beta (file)"'), encoding="utf-8")
    assert run_cli("export", "--force", str(directory)).exit_code == 0
    assert 'title = "Beta"\n' in path.read_text(encoding="utf-8")
    (directory / "unsourced.toml").write_text("[[claims]\nslug = 'half-typed'\n")
    assert run_cli("add", "--slug", "loose", "--title", "Loose", "--statement", "Loose.",
                   "--kind", "opinion").exit_code == 0
    result = run_cli("export", str(directory))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{directory / 'unsourced.toml'}:1: not a claim file this "
                                    "export can read (")
    assert (directory / "unsourced.toml").read_text() == "[[claims]\nslug = 'half-typed'\n"
    # TOML that holds nothing of a claim file (another tool's settings) is not one either.
    (directory / "unsourced.toml").write_text('theme = "dark"\n')
    result = run_cli("export", str(directory))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{directory / 'unsourced.toml'}:1: not a claim file this "
                                    "export can read (missing `format = 1`")
    assert (directory / "unsourced.toml").read_text() == 'theme = "dark"\n'


def test_import_says_what_a_file_changes_in_a_claim(run_cli: Run, tmp_path: Path) -> None:
    """A file reusing a slug by mistake rewrote a resolved claim with "1 updated" alone."""
    directory = claims_dir(tmp_path)
    assert run_cli("import", str(directory)).exit_code == 0
    assert run_cli("resolve", "beta", "yes").exit_code == 0
    claims_dir(tmp_path, FILE.replace('title = "Beta"', 'title = "Not beta"')
               .replace('statement = "Beta is so."', 'statement = "Something else."'))
    result = run_cli("import", str(directory))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        f"updated {directory / 'src.toml'}:23: 'beta' takes the file's title, statement "
        "(a closed claim: its scores may change)")


def test_a_source_edited_in_the_file_is_imported_with_a_word_and_not_exported_over(
        run_cli: Run, tmp_path: Path) -> None:
    """Export wrote the database's [source] over a teammate's edit; import took the edit with
    "0 updated"."""
    directory = claims_dir(tmp_path)
    assert run_cli("import", str(directory)).exit_code == 0
    path = directory / "src.toml"
    path.write_text(FILE.replace('title = "A source"', 'title = "A source"\nnotes = "Edited."'),
                    encoding="utf-8")
    result = run_cli("export", str(directory))
    assert (result.exit_code, result.stdout) == (1, f"{path}:4: the [source] table of 'src' was "
                                                    "changed in this file since it was last "
                                                    "imported or exported\n")
    assert 'notes = "Edited."' in path.read_text(encoding="utf-8")
    result = run_cli("import", str(directory))
    assert result.stdout.splitlines()[0] == f"updated {path}:4: source 'src' takes the file's notes"
    assert run_cli("export", str(directory)).exit_code == 0
    assert 'notes = "Edited."' in path.read_text(encoding="utf-8")


def test_export_refuses_to_leave_a_claim_in_two_files(run_cli: Run, tmp_path: Path) -> None:
    """A claim moved to a file of its own was written back to its source's file, and the
    folder then failed `check` (a duplicate slug and ids)."""
    directory = claims_dir(tmp_path)
    assert run_cli("import", str(directory)).exit_code == 0
    beta = FILE[FILE.index('[[claims]]\nslug = "beta"'):]
    (directory / "src.toml").write_text(FILE.replace(beta, ""), encoding="utf-8")
    moved = directory / "moved.toml"
    moved.write_text("format = 1\n\n" + beta, encoding="utf-8")
    result = run_cli("export", str(directory))
    assert result.exit_code == 1
    assert result.stdout == (f"{moved}:4: claim 'beta' is written to src.toml by this export "
                             "(its source's file), so it would be in two files: move it there, "
                             "or delete it here\n")
    moved.unlink()
    assert run_cli("export", str(directory)).exit_code == 0
    assert run_cli("check", str(directory)).exit_code == 0


def test_export_says_the_same_of_two_files_of_one_source_that_it_does(
        run_cli: Run, tmp_path: Path) -> None:
    """Two files of one source (an import refuses them) and an export: it said "only src.toml
    was written", then that src.toml was left as it is, then "0 written"."""
    directory = claims_dir(tmp_path)
    twin = directory / "twin.toml"
    twin.write_text(FILE, encoding="utf-8")
    result = run_cli("export", str(directory))
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"note: {twin} holds the same source as src.toml and was left as it is: an export "
        "writes that source only to src.toml (merge the two files, or remove this one)",
        f"note: {directory / 'src.toml'} was left as it is: its source 'src' is not in the "
        "database"]


def test_export_says_why_it_leaves_a_file_of_claims_without_a_source(
        run_cli: Run, tmp_path: Path) -> None:
    """It said "its source 'None' is not in the database"."""
    directory = claims_dir(tmp_path)
    assert run_cli("import", str(directory / "src.toml")).exit_code == 0
    loose = directory / "unsourced.toml"
    loose.write_text('format = 1\n\n[[claims]]\nslug = "loose"\ntitle = "Loose"\n'
                     'statement = "Loose."\nkind = "opinion"\n', encoding="utf-8")
    result = run_cli("export", str(directory))
    assert result.exit_code == 0
    assert result.stderr == (f"note: {loose} was left as it is: the database has no claims "
                             "without a source\n")


def test_export_writes_the_file_an_import_reads_not_a_hidden_copy_of_it(
        run_cli: Run, tmp_path: Path) -> None:
    """A hidden backup of a source's file (`.src.toml`, which `check` and `import` skip) was
    taken as that source's home: the export refused with "claim 'alpha' is written to
    .src.toml", and with --force wrote the database there, leaving src.toml as it was."""
    directory = claims_dir(tmp_path)
    assert run_cli("import", str(directory)).exit_code == 0
    backup = directory / ".src.toml"
    backup.write_text(FILE, encoding="utf-8")
    assert run_cli("edit", "alpha", "--title", "Alpha, edited").exit_code == 0
    result = run_cli("export", str(directory))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith(f"wrote {directory / 'src.toml'} (2 claims)\n")
    assert 'title = "Alpha, edited"' in (directory / "src.toml").read_text(encoding="utf-8")
    assert backup.read_text(encoding="utf-8") == FILE


def test_export_with_force_does_not_read_a_pipe_named_like_a_sources_file(
        run_cli: Run, tmp_path: Path) -> None:
    """The notes on changed log entries read every target, a pipe too (export --force then
    blocked for ever): a pipe is refused by the write, as without --force."""
    directory = claims_dir(tmp_path)
    assert run_cli("import", str(directory)).exit_code == 0
    folder = tmp_path / "out"
    folder.mkdir()
    pipe = folder / "src.toml"
    os.mkfifo(pipe)
    outcome: list[Any] = []
    exporter = threading.Thread(target=lambda: outcome.append(
        run_cli("export", "--force", str(folder))), daemon=True)
    exporter.start()
    exporter.join(timeout=20)
    assert not exporter.is_alive(), "blocked reading the pipe"
    assert outcome[0].exit_code == 1
    assert f"cannot write {pipe}: it is not a regular file" in outcome[0].stderr
