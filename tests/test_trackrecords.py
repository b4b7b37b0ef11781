"""Track records from elsewhere: CSV/JSON in and out, idempotent, all-or-nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import CliOutcome, Clock
from tests.helpers import definition, dump
from tracker.claimfiles.exporter import export_claims
from tracker.claimfiles.importer import import_paths
from tracker.claimfiles.paths import claim_file_paths
from tracker.db import make_engine, upgrade
from tracker.ledger import EntryStamp, Ledger
from tracker.queries import Queries
from tracker.scorebook import leaderboard
from tracker.trackrecords import (
    TrackRecordError,
    export_rows,
    import_track_record,
    read_track_record,
    write_track_record,
)

Run = Callable[..., CliOutcome]

CSV = """\
question_id,title,forecaster,probability,forecast_at,outcome,resolved_at,tags,url,created_at
Q1,Will X ship?,ann,0.8,2024-01-01T00:00:00+00:00,yes,2024-03-01,tech;ai,https://example.org/q1,2024-01-01
Q1,Will X ship?,bob,30%,2024-02-01,yes,2024-03-01,,,
Q2,Will Y happen?,ann,0.4,2024-01-05,0.5,2024-04-01,,,
Q3,Still open?,bob,0.6,2024-01-05,,,,,
Q4,Called off,ann,0.9,2024-01-05,annulled,2024-02-01,,,
Q5,Question only,,,,,,,,
"""


def rows_file(tmp_path: Path, *rows: str) -> Path:
    """A CSV file of `rows` under the columns' header."""
    path = tmp_path / "rows.csv"
    path.write_text("\n".join([CSV.splitlines()[0], *rows]) + "\n")
    return path


def read_refusal(path: Path) -> list[str]:
    """The problems for which reading `path` is refused."""
    with pytest.raises(TrackRecordError) as error:
        read_track_record(path)
    return error.value.problems


def refusal(engine: Engine, ledger: Ledger, path: Path) -> TrackRecordError:
    """The import of `path` refused, and nothing of it written."""
    before = dump(engine)
    with pytest.raises(TrackRecordError) as error:
        import_track_record(ledger, path)
    assert dump(engine) == before, "the whole file or nothing"
    return error.value


@pytest.fixture
def clock() -> Clock:
    """Imports run after the questions in CSV were resolved (the ledger refuses outcomes
    observed after the day they are recorded)."""
    return Clock(datetime(2024, 6, 1, 12, tzinfo=UTC))


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "record.csv"
    path.write_text(CSV)
    return path


def test_import_groups_rows_into_scored_claims(engine: Engine, ledger: Ledger,
                                               queries: Queries, csv_file: Path) -> None:
    summary = import_track_record(ledger, csv_file)
    assert (summary.questions_added, summary.forecasts_added, summary.resolutions_added) == (
        5, 5, 3)
    q1 = queries.claim_detail("q1")
    assert q1.status == "confirmed"
    assert q1.definition.tags == ("ai", "tech")
    assert q1.definition.url == "https://example.org/q1"
    assert sorted(f.probability for f in q1.forecasts) == [0.3, 0.8]
    assert queries.claim_detail("q2").resolution.value == 0.5  # type: ignore[union-attr]
    assert queries.claim_detail("q3").status == "open"
    assert queries.claim_detail("q4").status == "annulled"
    board = leaderboard(engine)
    assert {row.key: row.n for row in board.rows} == {"ann": 2, "bob": 1}


def test_reimport_changes_nothing(engine: Engine, ledger: Ledger, csv_file: Path) -> None:
    import_track_record(ledger, csv_file)
    before = dump(engine)
    summary = import_track_record(ledger, csv_file)
    assert (summary.questions_added, summary.forecasts_added, summary.resolutions_added) == (
        0, 0, 0)
    assert summary.unchanged_forecasts == 5
    assert dump(engine) == before


def test_changed_outcome_reopens_and_re_resolves(ledger: Ledger, queries: Queries,
                                                 csv_file: Path) -> None:
    import_track_record(ledger, csv_file)
    csv_file.write_text(CSV.replace("yes,2024-03-01", "no,2024-03-01"))
    summary = import_track_record(ledger, csv_file)
    assert summary.resolutions_added == 1
    assert summary.changed_outcome == (("q1", "confirmed", "refuted"),), "said by slug"
    q1 = queries.claim_detail("q1")
    assert q1.status == "refuted"
    assert [r.outcome for r in q1.resolutions] == ["yes", "no"], "history stays in the log"


def test_a_changed_outcome_keeps_the_moment_the_file_gives(
    engine: Engine, ledger: Ledger, queries: Queries, run_cli: Run, tmp_path: Path
) -> None:
    """The import's own reopening (recorded as it ran) came after the file's moment, so the
    new outcome was dated by its day: stored as observed that day, from midnight, and the
    forecast made that morning, before the outcome, lost its score."""
    row = "q1,Same day,ann,0.8,2024-03-01T10:00:00Z,{outcome},2024-03-01T15:00:00Z,,,2024-01-01"
    import_track_record(ledger, rows_file(tmp_path, row.format(outcome="yes")))
    summary = import_track_record(ledger, rows_file(tmp_path, row.format(outcome="no")))
    assert summary.changed_outcome == (("q1", "confirmed", "refuted"),)
    resolution = queries.claim_detail("q1").resolution
    assert resolution is not None and resolution.outcome == "no"
    assert (resolution.observed_on, resolution.recorded_at) == (
        None, datetime(2024, 3, 1, 15, tzinfo=UTC))
    assert [(row.key, row.n) for row in leaderboard(engine).rows] == [("ann", 1)]
    assert summary.after_outcome == ()
    folder = tmp_path / "claims"
    assert run_cli("export", str(folder)).exit_code == 0
    assert run_cli("check", str(folder)).exit_code == 0, "the log replays in recorded order"


def test_two_databases_importing_the_same_changed_outcome_agree_through_claim_files(
    engine: Engine, ledger: Ledger, queries: Queries, tmp_path: Path
) -> None:
    """Each database's reopening had an id of its own: a claim file from one carried its
    reopening into the other as new, merged after the other's new outcome (recorded at the
    same moment, so not refused as before it), and the claim was left open, unscored."""
    row = "q1,Same day,ann,0.8,2024-03-01T10:00:00Z,{outcome},2024-03-01T15:00:00Z,,,2024-01-01"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = rows_file(tmp_path / "a", row.format(outcome="yes"))
    second = rows_file(tmp_path / "b", row.format(outcome="no"))
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    for each in (ledger, Ledger(other, clock=Clock(datetime(2024, 6, 2, tzinfo=UTC)))):
        import_track_record(each, first)
        import_track_record(each, second)
    folder = tmp_path / "claims"
    export_claims(Ledger(other), folder)
    report = import_paths(ledger, claim_file_paths([folder]), reviewer="me")
    assert [(file.entries_added, file.entries_skipped) for file in report.files] == [(0, 0)]
    detail = queries.claim_detail("q1")
    assert detail.status == "refuted"
    assert [row.n for row in leaderboard(engine).rows] == [1]
    other.dispose()


def test_an_outcome_changed_back_and_forth_by_files_is_recorded_each_time(
    ledger: Ledger, queries: Queries, tmp_path: Path
) -> None:
    """The reopening an outcome change records has an id from the file's row and the claim's
    version: the same row's outcome given again after another (files imported out of order,
    then again) is a new reopening, not one already recorded."""
    row = "q1,Same day,ann,0.8,2024-03-01T10:00:00Z,{outcome},2024-03-01T15:00:00Z,,,2024-01-01"
    for outcome, status in (("yes", "confirmed"), ("no", "refuted"), ("yes", "confirmed"),
                            ("no", "refuted")):
        summary = import_track_record(ledger, rows_file(tmp_path, row.format(outcome=outcome)))
        assert summary.resolutions_added == 1
        assert queries.claim_detail("q1").status == status
    assert [r.outcome for r in queries.claim_detail("q1").resolutions] == [
        "yes", "no", "yes", "no"]


def test_an_older_file_does_not_replace_an_outcome_resolved_here_since(
    engine: Engine, ledger: Ledger, queries: Queries, csv_file: Path
) -> None:
    """Re-importing a file exported before carol reopened and resolved a claim again put the
    file's outcome back (and said "0 updated"): her resolution was undone."""
    import_track_record(ledger, csv_file)
    ledger.reopen("q1", reviewer="carol", reason="new information")
    ledger.resolve("q1", "no", reviewer="carol", note="it did not ship after all")
    before = dump(engine)
    summary = import_track_record(ledger, csv_file)
    assert summary.kept_outcome == ("q1",) and summary.resolutions_added == 0
    assert summary.changed_outcome == ()
    assert dump(engine) == before
    assert queries.claim_detail("q1").status == "refuted"


def test_what_earlier_files_set_a_later_file_may_change(
    ledger: Ledger, queries: Queries, tmp_path: Path
) -> None:
    """Only a resolution, reopening or edit made here by someone keeps a file's older value
    out: a status move here kept the importer's own outcome from being corrected ("kept as
    resolved here"), and a title an earlier file set could never be set back ("kept as
    edited here")."""
    rows = "qa,Will A happen?,alice,0.7,2024-01-10,{outcome},{day},econ{tags},,2024-01-01"
    import_track_record(ledger, rows_file(tmp_path, rows.format(outcome="", day="", tags="")))
    ledger.change_status("qa", "developing", reviewer="bob")
    for outcome, expected in (("yes", "confirmed"), ("no", "refuted")):
        summary = import_track_record(ledger, rows_file(
            tmp_path, rows.format(outcome=outcome, day="2024-03-01", tags="")))
        assert summary.resolutions_added == 1 and summary.kept_outcome == ()
        assert queries.claim_detail("qa").status == expected
    renamed = rows.format(outcome="no", day="2024-03-01", tags=";us").replace(
        "Will A happen?", "Will A happen by June?")
    assert import_track_record(ledger, rows_file(tmp_path, renamed)).questions_updated == 1
    summary = import_track_record(ledger, rows_file(
        tmp_path, rows.format(outcome="no", day="2024-03-01", tags="")))
    assert (summary.questions_updated, summary.kept_fields) == (1, ())
    definition = queries.claim_detail("qa").definition
    assert (definition.title, definition.tags) == ("Will A happen?", ("econ",))


def test_the_summary_names_what_an_older_file_left_and_what_a_newer_one_changed(
    run_cli: Run, csv_file: Path, tmp_path: Path
) -> None:
    assert run_cli("import-forecasts", str(csv_file)).exit_code == 0
    assert run_cli("--as", "carol", "reopen", "q1", "--note", "new information").exit_code == 0
    assert run_cli("--as", "carol", "resolve", "q1", "no").exit_code == 0
    assert run_cli("--as", "carol", "edit", "q2", "--title", "Will Y happen soon?").exit_code == 0
    result = run_cli("import-forecasts", str(csv_file))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        "kept as resolved here, after the other outcome the file gives (reopen and resolve "
        "with `tracker reopen` and `tracker resolve` if the file is right): q1",
        "kept as edited here, where the file gives what the claim had before (change them "
        "with `tracker edit` if the file is right): q2 (title)",
    ]
    newer = tmp_path / "newer.csv"
    newer.write_text(CSV.replace("0.5,2024-04-01", "no,2024-04-01"))
    result = run_cli("import-forecasts", str(newer))
    assert result.stdout.splitlines()[-1] == (
        "outcomes changed to the file's: q2 (partly -> refuted)")


def test_an_older_file_does_not_undo_an_edit_made_here_since(
    ledger: Ledger, queries: Queries, csv_file: Path
) -> None:
    """Re-importing a file exported before a title was clarified here put the old title
    back; a title the claim never had is still taken from the file."""
    import_track_record(ledger, csv_file)
    current = queries.claim_detail("q1").definition
    clarified = replace(current, title="Will X ship by March?",
                        statement="Will X ship by March?", tags=("ai",))
    ledger.edit_claim("q1", clarified, "carol", expected_version=2)
    summary = import_track_record(ledger, csv_file)
    assert summary.kept_fields == (("q1", ("title", "tags")),)
    assert summary.questions_updated == 0
    assert queries.claim_detail("q1").definition == clarified
    csv_file.write_text(CSV.replace("Will X ship?", "Will X ship in 2024?"))
    summary = import_track_record(ledger, csv_file)
    assert summary.questions_updated == 1 and summary.kept_fields == (("q1", ("tags",)),)
    assert queries.claim_detail("q1").definition.title == "Will X ship in 2024?"


def test_an_older_file_listing_a_question_as_open_does_not_reopen_it(
    run_cli: Run, csv_file: Path, tmp_path: Path
) -> None:
    """A file exported before carol resolved the claim reopened it on import, silently (the
    summary said nothing changed)."""
    assert run_cli("import-forecasts", str(csv_file)).exit_code == 0
    older = tmp_path / "older.csv"
    older.write_text(run_cli("export-forecasts").stdout)
    assert run_cli("--as", "carol", "resolve", "q3", "yes", "--note", "it happened").exit_code == 0
    result = run_cli("import-forecasts", str(older))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == (
        "kept resolved, though open in the file (reopen with `tracker reopen SLUG --note "
        "REASON` if the file is right): q3")
    assert "status     confirmed (version 2, changed by carol" in run_cli("show", "q3").stdout


def test_an_older_file_does_not_close_a_claim_reopened_since(
    run_cli: Run, tmp_path: Path
) -> None:
    """The import resolved it again with an entry dated before the reopening: the reopening
    was undone, and the exported claim files failed `tracker check`."""
    assert run_cli("add", "--slug", "q1", "--title", "Q1", "--statement", "s", "--criteria",
                   "c", "--made-on", "2026-01-01", "--deadline", "2026-06-30").exit_code == 0
    assert run_cli("--as", "bob", "forecast", "q1", "0.8").exit_code == 0
    assert run_cli("--as", "carol", "resolve", "q1", "yes", "--note", "looked done").exit_code == 0
    older = tmp_path / "older.csv"
    assert run_cli("export-forecasts", "-o", str(older)).exit_code == 0
    assert run_cli("--as", "carol", "reopen", "q1", "--note", "premature").exit_code == 0
    result = run_cli("import-forecasts", str(older))
    assert result.exit_code == 0, result.stderr
    assert "0 resolutions added" in result.stdout
    assert result.stdout.splitlines()[1].startswith("kept open, reopened here after the outcome")
    assert "status     open" in run_cli("show", "q1").stdout
    folder = tmp_path / "claims"
    assert run_cli("export", str(folder)).exit_code == 0
    assert run_cli("check", str(folder)).exit_code == 0


def test_a_different_outcome_dated_before_the_claims_last_change_is_not_back_dated(
    run_cli: Run, tmp_path: Path
) -> None:
    assert run_cli("add", "--slug", "q2", "--title", "Q2", "--statement", "s", "--criteria",
                   "c", "--made-on", "2026-01-01", "--deadline", "2026-06-30").exit_code == 0
    assert run_cli("status", "q2", "developing").exit_code == 0
    path = rows_file(tmp_path, "q2,Q2,bob,0.3,2026-01-05,no,2026-02-01T12:00:00+00:00,,,")
    result = run_cli("import-forecasts", str(path))
    assert result.exit_code == 0, result.stderr
    assert "1 resolution added" in result.stdout
    shown = run_cli("show", "q2").stdout
    assert "status     refuted" in shown
    folder = tmp_path / "claims"
    assert run_cli("export", str(folder)).exit_code == 0
    assert run_cli("check", str(folder)).exit_code == 0, "the log replays in recorded order"


def test_bad_rows_are_listed_by_line_and_nothing_is_imported(
    engine: Engine, ledger: Ledger, tmp_path: Path
) -> None:
    path = rows_file(tmp_path,
                     "Q1,Fine,ann,0.8,2024-01-01,,,,,",
                     "Q2,Bad p,ann,1.4,2024-01-01,,,,,",
                     "Q3,Bad date,ann,0.5,someday,,,,,",
                     "Q4,Bad outcome,ann,0.5,2024-01-01,maybe,2024-02-01,,,",
                     "Q5,No resolved_at,ann,0.5,2024-01-01,yes,,,,",
                     "Q6,No outcome,ann,0.7,2024-01-15,,2024-06-01,,,",
                     "Q7,Q seven,ann,0.7,2024-01-15,,,,,",
                     "Q7,Q seven (renamed),bob,0.2,2024-01-16,,,,,")
    error = refusal(engine, ledger, path)
    lines = [problem.split(":")[0] for problem in error.problems]
    assert lines == ["3", "4", "5", "6", "7", "8"]
    assert "outside [0, 1]" in str(error) and "someday" in str(error)
    # Taken silently before: an outcome's day without an outcome (the question stayed
    # open), and two titles for one question (the first won).
    assert "7: resolved_at is given but outcome is empty" in str(error)
    assert ("8: question 'Q7' has different titles on different rows (line 8 'Q seven', "
            "line 9 'Q seven (renamed)'); give one") in str(error)


def test_rows_of_one_question_with_different_urls_or_created_at_are_refused(
    engine: Engine, ledger: Ledger, tmp_path: Path
) -> None:
    """The first row's url or created_at was taken and the other dropped, without a word;
    a row that leaves the cell empty still takes the question's. A text given again is
    named by its first line (it was named by its last: 'line 8' ahead of line 3)."""
    path = rows_file(tmp_path,
                     "Q1,One,ann,0.8,2024-01-05,,,,https://a.example/q1,2024-01-01",
                     "Q1,One,bob,0.6,2024-01-06,,,,https://b.example/q1,2024-01-02",
                     "Q2,Two,ann,0.8,2024-01-05,,,,,2024-01-01",
                     "Q2,Two,bob,0.6,2024-01-06,,,,,2024-01-01T09:00:00+00:00",
                     "Q3,Three,ann,0.8,2024-01-05,,,,https://c.example/q3,2024-01-01",
                     "Q3,Three,bob,0.6,2024-01-06,,,,,",
                     "Q1,One,cat,0.6,2024-01-07,,,,https://a.example/q1,2024-01-01")
    assert refusal(engine, ledger, path).problems == [
        "2: question 'Q1' has different urls on different rows (line 2 "
        "'https://a.example/q1', line 3 'https://b.example/q1'); give one",
        "2: question 'Q1' has different created_at values on different rows (line 2 "
        "'2024-01-01', line 3 '2024-01-02'); give one",
        "4: question 'Q2' has different created_at values on different rows (line 4 "
        "'2024-01-01', line 5 '2024-01-01T09:00:00+00:00'); give one"]


def test_questions_named_in_letters_a_slug_cannot_hold_stay_apart(
    engine: Engine, ledger: Ledger, tmp_path: Path
) -> None:
    """Every id in Chinese or Japanese became claim 'question' (and '美国GDP', '中国GDP' both
    'gdp'): a second file's question replaced the first's title and outcome."""
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(CSV.splitlines()[0] + "\n日本経済,Japan grows?,ann,0.5,2024-01-01,yes,"
                     "2024-05-01,,,\n美国GDP,US grows?,ann,0.5,2024-01-01,,,,,\n")
    second.write_text(CSV.splitlines()[0] + "\n中国经济,China grows?,bob,0.7,2024-02-01,no,"
                      "2024-05-01,,,\n中国GDP,China GDP grows?,ann,0.5,2024-01-01,,,,,\n")
    import_track_record(ledger, first)
    summary = import_track_record(ledger, second)
    assert (summary.questions_added, summary.questions_updated) == (2, 0)
    titles = {row["question_id"]: (row["title"], row["outcome"]) for row in export_rows(engine)}
    assert sorted(titles.values()) == [("China GDP grows?", ""), ("China grows?", "no"),
                                       ("Japan grows?", "yes"), ("US grows?", "")]
    assert len(titles) == 4


@pytest.mark.parametrize(("question_id", "problem"), [
    ("q" * 300, "question_id is 300 characters long; the limit is 282: shorten it"),
    ("Q\x001", "question_id holds a NUL character: remove it"),
])
def test_a_question_id_the_claim_cannot_hold_is_named_as_such(
    tmp_path: Path, question_id: str, problem: str
) -> None:
    """It was refused as the claimant it makes ("imported question ..."), a field the file
    does not have: 'claimant is 318 characters long; the limit is 300'."""
    path = rows_file(tmp_path, f"{question_id},One,ann,0.8,2024-01-01,,,,,")
    with pytest.raises(TrackRecordError) as error:
        read_track_record(path)
    assert error.value.problems == [f"2: {problem}"]


def test_a_file_separated_by_semicolons_is_told_so(ledger: Ledger, tmp_path: Path) -> None:
    """A spreadsheet saved in a locale that separates with ';' was told that every column
    was missing, naming the columns its header has."""
    path = tmp_path / "record.csv"
    path.write_text(CSV.replace(",", ";"))
    with pytest.raises(TrackRecordError) as error:
        import_track_record(ledger, path)
    assert error.value.problems == [
        "1: the columns are separated by ';': save the file as comma-separated CSV"]


def test_a_column_given_twice_is_refused(tmp_path: Path) -> None:
    """The last of two columns of one name was read and the other dropped, without a word;
    columns without a name (a spreadsheet's empty ones) may come twice."""
    path = tmp_path / "record.csv"
    path.write_text(CSV.splitlines()[0] + ",tags,,\nQ1,One,ann,0.8,2024-01-01,,,ai,,,ml,,\n")
    with pytest.raises(TrackRecordError) as error:
        read_track_record(path)
    assert error.value.problems == [
        "1: the header names tags more than once: keep one column of it"]


def test_a_date_that_reads_either_way_round_is_refused_with_the_reason(
    ledger: Ledger, tmp_path: Path
) -> None:
    path = rows_file(tmp_path, "Q1,US date,ann,0.5,2024-01-01,yes,06/07/2024,,,")
    with pytest.raises(TrackRecordError) as error:
        import_track_record(ledger, path)
    assert error.value.problems == [
        "2: resolved_at: '06/07/2024' could be 6 July or June 7: write 2024-07-06 or 2024-06-07"]


def test_forecasts_made_at_or_after_the_outcome_are_named_by_line(
    engine: Engine, ledger: Ledger, run_cli: Run, tmp_path: Path
) -> None:
    """They are kept but never scored: a resolved_at typed a year early left every forecast
    on the question out of the scores without a word."""
    path = rows_file(tmp_path,
                     "Q1,Early,ann,0.8,2024-01-01,yes,2024-03-01,,,",
                     "Q1,Early,bob,0.6,2024-03-01T00:00:00Z,yes,2024-03-01,,,",  # at it
                     "Q1,Early,cat,0.7,2024-04-01,yes,2024-03-01,,,",
                     "Q2,Called off,ann,0.9,2024-05-01,annulled,2024-02-01,,,",  # never scored
                     "Q3,Open,bob,0.4,2024-05-01,,,,,")
    result = run_cli("import-forecasts", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == (
        "2 forecasts made at or after the question's outcome, kept but never scored (check "
        f"forecast_at and resolved_at): {path} lines 3, 4")
    assert {row.key: row.n for row in leaderboard(engine).rows} == {"ann": 1}


def test_a_reimport_does_not_name_again_the_lines_it_already_named(
    ledger: Ledger, run_cli: Run, tmp_path: Path
) -> None:
    """Every re-import of the same file named the same lines again, though it added nothing
    from them: only lines whose forecast an import adds, or whose forecast an outcome it
    records leaves unscored, are news."""
    row = "Q1,Early,{who},{p},{made},{outcome},2024-03-01,,,"
    rows = [row.format(who="ann", p=0.8, made="2024-01-01", outcome="yes"),
            row.format(who="cat", p=0.7, made="2024-04-01", outcome="yes")]
    path = rows_file(tmp_path, *rows)
    assert import_track_record(ledger, path).after_outcome == (3,)
    again = run_cli("import-forecasts", str(path))
    assert again.exit_code == 0, again.stderr
    assert again.stdout.splitlines() == [
        f"{path}: 0 questions added, 0 updated, 0 forecasts added (2 already there), "
        "0 resolutions added"]
    # A new line is named alone...
    path = rows_file(tmp_path, *rows, row.format(who="dan", p=0.6, made="2024-05-01",
                                                 outcome="yes"))
    assert import_track_record(ledger, path).after_outcome == (4,)
    # ...and a changed outcome names every forecast it leaves unscored, old or new.
    path = rows_file(tmp_path, *(line.replace(",yes,", ",no,") for line in rows))
    summary = import_track_record(ledger, path)
    assert summary.changed_outcome == (("q1", "confirmed", "refuted"),)
    assert summary.after_outcome == (3,)


def test_the_lines_named_are_those_scoring_leaves_out_not_those_the_file_dates_late(
    engine: Engine, ledger: Ledger, tmp_path: Path
) -> None:
    """The file's resolved_at is not always the outcome's moment here: a claim whose status
    changed here takes the outcome's day (a forecast earlier that day went unscored and
    unnamed), and a claim resolved here keeps its own resolution (forecasts the file dates
    late were named, yet scored)."""
    ledger.create_claim(definition("early", title="Early"), "ann")
    ledger.create_claim(definition("here", title="Here"), "ann")
    ledger.change_status("early", "developing", reviewer="ann")  # at the clock: 2024-06-01
    ledger.resolve("here", "yes", reviewer="ann", note="seen", observed_on=date(2024, 5, 1))
    path = rows_file(tmp_path,
                     "early,Early,ann,0.7,2024-05-30T10:00:00Z,yes,2024-05-30T15:00:00Z,,,",
                     "early,Early,bob,0.4,2024-05-29T10:00:00Z,yes,2024-05-30T15:00:00Z,,,",
                     "here,Here,cat,0.6,2024-04-15,yes,2024-04-01,,,")
    summary = import_track_record(ledger, path)
    assert summary.after_outcome == (2,)
    assert {row.key: row.n for row in leaderboard(engine).rows} == {"bob": 1, "cat": 1}


def test_a_question_without_created_at_is_open_from_its_first_forecast(
    engine: Engine, ledger: Ledger, queries: Queries, tmp_path: Path
) -> None:
    """It opened when imported, after every forecast: the open period was nil, so dave's
    time-averaged Brier was his final one and erin, who forecast in the last month, had full
    coverage. created_at, where given, still says when it was asked."""
    path = rows_file(tmp_path,
                     "Q1,Late,dave,0.8,2024-01-01,yes,2024-05-01,,,",
                     "Q1,Late,dave,0.9,2024-03-01,yes,2024-05-01,,,",
                     "Q1,Late,erin,0.3,2024-04-01,yes,2024-05-01,,,",
                     "Q2,Asked,dave,0.5,2024-02-01,,,,,2023-12-01")
    import_track_record(ledger, path)
    assert queries.claim_detail("q1").definition.made_on == date(2024, 1, 1)
    assert queries.claim_detail("q2").definition.made_on == date(2023, 12, 1)
    rows = {row.key: row for row in leaderboard(engine).rows}
    # dave: 60 days at 0.8 (0.04), then 61 days at 0.9 (0.01); erin: 30 of 121 days.
    assert rows["dave"].brier_time_averaged == pytest.approx((60 * 0.04 + 61 * 0.01) / 121)
    assert rows["erin"].coverage == pytest.approx(30 / 121)


def test_an_hour_without_minutes_is_not_dropped(
    engine: Engine, ledger: Ledger, tmp_path: Path
) -> None:
    """'2024-01-05 5 PM' (no colon) was read as the day, its hour dropped without a word,
    as --as-of did before e60b982: it is told to give an ISO timestamp."""
    path = rows_file(tmp_path, "Q1,One,ann,0.8,2024-01-05 5 PM,,,,,",
                     "Q2,Two,bob,0.6,2024-01-06,yes,1/15/2024 9am,,,")
    assert refusal(engine, ledger, path).problems == [
        "2: forecast_at '2024-01-05 5 PM' is not a date or ISO timestamp",
        "3: resolved_at '1/15/2024 9am' is not a date or ISO timestamp"]


def test_dates_after_the_import_are_refused_by_line(
    engine: Engine, ledger: Ledger, tmp_path: Path
) -> None:
    path = rows_file(tmp_path,
                     "Q1,Fine,ann,0.8,2024-01-01,yes,2024-05-01,,,",
                     "Q2,Later,ann,0.5,2024-01-01,,,,,",
                     "Q2,Later,bob,0.6,2024-08-02,no,2024-07-01,,,",  # the clock: 2024-06-01
                     "Q3,Tomorrow,bob,0.6,2024-06-02,,,,,",  # a day's grace for time zones
                     "Q4,Opens later,bob,0.6,2024-01-01,,,,,2024-07-01T10:00Z")
    assert refusal(engine, ledger, path).problems == [
        "4: forecast_at 2024-08-02 is after today (2024-06-01)",
        "4: resolved_at 2024-07-01 is after today (2024-06-01)",
        "6: created_at 2024-07-01 is after today (2024-06-01)",
    ]


def test_a_moment_later_today_is_refused_where_it_would_be_recorded(
    engine: Engine, ledger: Ledger, tmp_path: Path
) -> None:
    """A resolution (or a question's opening) given as a moment later the same day was
    recorded in the future: a reopening made now came before it, and `tracker check` refused
    the exported file ("nothing to reopen"). A day keeps its grace."""
    path = rows_file(tmp_path,  # the clock: 2024-06-01 12:00 UTC
                     "Q1,Later today,ann,0.8,2024-05-01,yes,2024-06-01T23:55:00Z,,,",
                     "Q2,Opens tonight,bob,0.6,2024-05-01,,,,,2024-06-01T20:00Z",
                     "Q3,Resolved today,ann,0.7,2024-05-01,no,2024-06-01,,,")
    assert refusal(engine, ledger, path).problems == [
        "2: resolved_at 2024-06-01 23:55 UTC has not come yet (it is 2024-06-01 12:00:01 UTC): "
        "give the moment it happened",
        "3: created_at 2024-06-01 20:00 UTC has not come yet (it is 2024-06-01 12:00:01 UTC): "
        "give the moment it happened"]


def test_a_refusal_from_the_ledger_names_the_line(
    engine: Engine, ledger: Ledger, tmp_path: Path
) -> None:
    path = rows_file(tmp_path, "Q1,Fine,ann,0.8,2024-01-01,,,,,",
                     f"Q2,Long name,{'x' * 121},0.5,2024-01-01,,,,,")
    assert refusal(engine, ledger, path).problems == [
        "3: reviewer name is 121 characters long; the limit is 120: shorten it"]


def test_every_forecasters_name_is_checked_before_the_import(tmp_path: Path) -> None:
    """The ledger refused the first bad name once the rows before it were written (then
    rolled back): one line a run, each after the writing of a long file."""
    path = rows_file(tmp_path, f"Q1,Long name,{'x' * 121},0.5,2024-01-01,,,,,",
                     "Q2,Fine,ann,0.8,2024-01-01,,,,,",
                     f"Q3,Long name,{'y' * 121},0.5,2024-01-01,,,,,")
    with pytest.raises(TrackRecordError) as error:
        read_track_record(path)
    assert error.value.problems == [
        "2: reviewer name is 121 characters long; the limit is 120: shorten it",
        "4: reviewer name is 121 characters long; the limit is 120: shorten it"]


def test_json_input_reports_lines(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    path.write_text('[\n {"question_id": "a", "title": "A", "forecaster": "ann",\n'
                    '  "probability": 0.5, "forecast_at": "2024-01-01", "outcome": "",\n'
                    '  "resolved_at": ""},\n {"question_id": "b", "title": "B",'
                    ' "forecaster": "ann", "probability": 2, "forecast_at": "2024-01-01",'
                    ' "outcome": "", "resolved_at": ""}\n]\n')
    with pytest.raises(TrackRecordError) as error:
        read_track_record(path)
    assert error.value.problems == ["5: probability 2 is outside [0, 1]: write a value from 0 "
                                    "to 1"]


@pytest.mark.parametrize(("cells", "problem"), [
    ('"tags": ["ai", "ml"]', "1: tags is an array; give text or a number: one text, the tags "
                            "separated by ';'"),
    ('"title": {"en": "A"}', "1: title is an object; give text or a number"),
])
def test_a_json_cell_that_is_not_one_value_is_refused(tmp_path: Path, cells: str,
                                                      problem: str) -> None:
    """An array or object was stored as Python's text of it: the tag "['ai', 'ml']", the
    title "{'en': 'A'}"."""
    path = tmp_path / "record.json"
    path.write_text('[{"question_id": "a", "title": "A", "forecaster": "ann", "probability": '
                    '0.5, "forecast_at": "2024-01-01", "outcome": "", "resolved_at": "", '
                    f"{cells}}}]")
    with pytest.raises(TrackRecordError) as error:
        read_track_record(path)
    assert error.value.problems == [problem]


@pytest.mark.parametrize(("cells", "problem"), [
    ('"probability": true', "'true' is not a probability: write 0.7, 70% or odds like 7:3"),
    ('"probability": false', "'false' is not a probability: write 0.7, 70% or odds like 7:3"),
    ('"probability": 1e1', "probability 1e1 is outside [0, 1]: write a value from 0 to 1"),
    ('"probability": 2.50', "probability 2.50 is outside [0, 1]: write a value from 0 to 1"),
    ('"probability": null', "probability is empty but forecaster is given: give the "
                            "forecast's probability, or leave both empty for a question "
                            "without forecasts"),
    ('"probability": 0.5, "outcome": true, "resolved_at": "2024-02-01"',
     "outcome 'true': use yes, no, a number in [0, 1], annulled, or leave it empty while open"),
    ('"probability": 0.5, "outcome": 1.5, "resolved_at": "2024-02-01"',
     "outcome 1.5 is outside [0, 1]"),
    ('"probability": 0.5, "outcome": "yes", "resolved_at": false',
     "resolved_at: cannot read 'false' as a date: give a date like 2025-06-30, 'June 2025', "
     "'2025-06', '2025-Q3' or '2025'"),
])
def test_a_json_value_is_quoted_as_written(tmp_path: Path, cells: str, problem: str) -> None:
    """Python's text of the value was quoted: 'True' for true, 10.0 for 1e1."""
    path = tmp_path / "record.json"
    path.write_text('[{"question_id": "a", "title": "A", "forecaster": "ann", '
                    f'"forecast_at": "2024-01-01", {cells}}}]')
    with pytest.raises(TrackRecordError) as error:
        read_track_record(path)
    assert error.value.problems == [f"1: {problem}"]


def test_json_numbers_and_text_read_alike(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    path.write_text('[{"question_id": 7, "title": "A", "forecaster": "ann", "probability": '
                    '0.25, "forecast_at": "2024-01-01", "outcome": 1, "resolved_at": '
                    '"2024-02-01"}]')
    [question] = read_track_record(path)
    assert (question.question_id, question.rows[0].probability, question.rows[0].outcome) == (
        "7", 0.25, "yes")


@pytest.mark.parametrize(("name", "content", "problem"), [
    ("object.json", b'{"a": 1}', "1: a JSON track record is an array of objects, one per row"),
    ("empty.json", b"", "1: a JSON track record is an array of objects, one per row"),
    ("open.json", b'[\n{"question_id": "a", "title": "A"}', "2: the JSON array is not closed"),
    ("latin1.csv", b"question_id,title\nQ1,Caf\xe9\n", "2: the file is not valid UTF-8 "
                                                        "(byte 24): save it as UTF-8"),
])
def test_a_file_that_is_not_a_track_record_says_why(tmp_path: Path, name: str, content: bytes,
                                                    problem: str) -> None:
    """They said "substring not found" or showed Python's codec error."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TrackRecordError) as error:
        read_track_record(path)
    assert error.value.problems[0].startswith(problem)
    assert str(error.value).startswith("1 problem, nothing was imported:")


@pytest.mark.parametrize("after", [
    '[{"question_id": "b", "title": "B"}]',  # two files joined with cat
    "trailing words",
])
def test_text_after_the_json_array_is_refused(tmp_path: Path, after: str) -> None:
    """Everything after the array's closing ] was dropped without a word: the second of two
    arrays joined into one file was never imported."""
    path = tmp_path / "record.json"
    path.write_text(f'[{{"question_id": "a", "title": "A"}}]\n{after}\n')
    with pytest.raises(TrackRecordError) as error:
        read_track_record(path)
    assert error.value.problems == [
        "2: text after the JSON array's closing ]: give every row in one array"]


def test_a_row_over_several_lines_is_named_by_its_first_line(tmp_path: Path) -> None:
    """A quoted cell holding a line break (a spreadsheet's wrapped text) made a row's
    problems name its last line."""
    path = rows_file(tmp_path, 'Q1,"Two\nlines",ann,1.4,2024-01-01,,,,,',
                     "Q2,Two,ann,1.5,2024-01-01,,,,,")
    with pytest.raises(TrackRecordError) as error:
        read_track_record(path)
    assert [problem.split(":")[0] for problem in error.value.problems] == ["2", "4"]


def test_a_spreadsheets_empty_rows_are_passed_over(tmp_path: Path) -> None:
    """A spreadsheet writes a row it once used as commas alone: it was refused as a row
    without a question_id, as a blank line is not."""
    path = rows_file(tmp_path, "Q1,One,ann,0.8,2024-01-01,,,,,", ",,,,,,,,,", " , ,",
                     "Q2,Two,ann,0.8,2024-01-01,,,,,")
    assert [(question.question_id, question.rows[0].line)
            for question in read_track_record(path)] == [("Q1", 2), ("Q2", 5)]


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-12:00"])
def test_a_moment_outside_the_calendar_is_refused_by_line(tmp_path: Path, moment: str) -> None:
    """Its offset moved it past year 1 or 9999 in UTC: the import failed with Python's
    OverflowError."""
    path = rows_file(tmp_path, f"Q1,One,ann,0.8,{moment},,,,,")
    with pytest.raises(TrackRecordError) as error:
        read_track_record(path)
    assert error.value.problems == [
        f"2: forecast_at: '{moment}' falls outside the calendar: give a date between the "
        "years 1 and 9998"]


def test_a_file_with_old_mac_line_ends_reads_by_line(tmp_path: Path) -> None:
    """Excel's "CSV (Macintosh)" ends lines with a carriage return alone: the import failed
    with the csv module's error, as a bug to report."""
    path = tmp_path / "record.csv"
    path.write_bytes(CSV.replace("\n", "\r").encode())
    assert [(question.question_id, question.rows[0].line)
            for question in read_track_record(path)][:2] == [("Q1", 2), ("Q2", 4)]


def test_a_row_the_csv_module_cannot_read_is_refused_by_line(tmp_path: Path) -> None:
    """A cell past the csv module's limit (an unclosed quote takes in the rest of a long
    file) failed the import with its error, as a bug to report."""
    path = rows_file(tmp_path, "Q1,One,ann,0.8,2024-01-01,,,,,",
                     f'Q2,"{"x" * 200_000}",ann,0.8,2024-01-01,,,,,')
    with pytest.raises(TrackRecordError) as error:
        read_track_record(path)
    assert error.value.problems == [
        "3: not valid CSV (field larger than field limit (131072))"]


def test_export_then_import_round_trips(run_cli: Run, csv_file: Path, tmp_path: Path,
                                        database_url: str) -> None:
    assert run_cli("import-forecasts", str(csv_file)).exit_code == 0
    exported = run_cli("export-forecasts")
    assert exported.exit_code == 0
    assert exported.stdout.splitlines()[0] == (
        "question_id,title,forecaster,probability,forecast_at,outcome,resolved_at,tags,url,"
        "created_at")
    again = tmp_path / "again.csv"
    again.write_text(exported.stdout)
    # Importing our own export changes nothing...
    assert "0 questions added" in run_cli("import-forecasts", str(again)).stdout
    # ...and a fresh database fed the export exports the same bytes.
    from tests.conftest import invoke_main

    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert invoke_main(["--db", fresh, "import-forecasts", str(again)]).exit_code == 0
    assert invoke_main(["--db", fresh, "export-forecasts"]).stdout == exported.stdout
    exported_json = run_cli("export-forecasts", "--format", "json").stdout
    as_json = json.loads(exported_json)
    assert {row["question_id"] for row in as_json} == {"q1", "q2", "q3", "q4", "q5"}
    assert {type(row["probability"]) for row in as_json} == {float, type(None)}
    json_file = tmp_path / "again.json"
    json_file.write_text(exported_json)
    fresher = f"sqlite:///{tmp_path / 'fresher.db'}"
    assert invoke_main(["--db", fresher, "import-forecasts", str(json_file)]).exit_code == 0
    assert invoke_main(["--db", fresher, "export-forecasts", "--format", "json"]).stdout == (
        exported_json)


def test_a_resolution_without_an_observed_day_keeps_its_moment_through_a_round_trip(
    engine: Engine, ledger: Ledger, clock: Clock, tmp_path: Path
) -> None:
    """Exported as a day, it came back as observed that day, from midnight: a forecast
    made that morning, before the resolution, lost its score."""
    clock.now = datetime(2024, 3, 1, 10, tzinfo=UTC)
    ledger.create_claim(definition("same-day", made_on=date(2024, 1, 1)), "ann")
    ledger.forecast("same-day", 0.8, reviewer="ann")
    clock.now = datetime(2024, 3, 1, 15, tzinfo=UTC)
    ledger.resolve("same-day", "yes", reviewer="bob")
    scores = leaderboard(engine).rows
    assert [(row.key, row.n) for row in scores] == [("ann", 1)]
    path = tmp_path / "record.csv"
    write_track_record(export_rows(engine), path, "csv")
    assert ",yes,2024-03-01T15:00:01+00:00," in path.read_text()
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(fresh)
    import_track_record(Ledger(fresh, clock=Clock(datetime(2024, 6, 1, tzinfo=UTC))), path)
    assert leaderboard(fresh).rows == scores
    again = tmp_path / "again.csv"
    write_track_record(export_rows(fresh), again, "csv")
    assert again.read_text() == path.read_text()
    fresh.dispose()


def test_a_claim_without_a_made_on_day_keeps_its_start_through_a_round_trip(
    engine: Engine, ledger: Ledger, clock: Clock, tmp_path: Path
) -> None:
    """Scored from the moment it was recorded, it was exported with no created_at and came
    back opened at its first forecast's midnight: every coverage changed."""
    clock.now = datetime(2024, 2, 10, 14, tzinfo=UTC)
    ledger.create_claim(definition("no-day", made_on=None), "ann")
    clock.now = datetime(2024, 2, 20, 9, tzinfo=UTC)
    ledger.forecast("no-day", 0.7, reviewer="ann")
    clock.now = datetime(2024, 3, 1, 9, tzinfo=UTC)
    ledger.resolve("no-day", "yes", reviewer="bob", observed_on=date(2024, 3, 1))
    scores = leaderboard(engine).rows
    assert 0.4 < scores[0].coverage < 0.6  # from Feb 20 of the time since Feb 10, 14:00
    path = tmp_path / "record.csv"
    write_track_record(export_rows(engine), path, "csv")
    assert path.read_text().rstrip().endswith(",2024-02-10T14:00:02+00:00")  # the clock ticks
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(fresh)
    import_track_record(Ledger(fresh, clock=Clock(datetime(2024, 6, 1, tzinfo=UTC))), path)
    assert leaderboard(fresh).rows == scores
    assert Queries(fresh).claim_detail("no-day").definition.made_on is None
    again = tmp_path / "again.csv"
    write_track_record(export_rows(fresh), again, "csv")
    assert again.read_text() == path.read_text()
    import_track_record(ledger, path)  # back into the database it came from: no change
    assert leaderboard(engine).rows == scores
    assert Queries(engine).claim_detail("no-day").version == 2  # created, resolved
    fresh.dispose()


def test_a_question_imported_later_is_not_scored_as_of_before_it_was(
    run_cli: Run, tmp_path: Path
) -> None:
    """A resolution given as a moment is recorded at that moment, before the import records
    its claim: `score --as-of` a day in between counted it while `show --as-of` and the
    report's statuses said the claim was not in the tracker yet."""
    path = rows_file(tmp_path, "k2,Will K happen?,alice,0.9,2025-09-01,yes,"
                               "2025-09-30T18:00:00+00:00,,,2025-08-01")
    assert run_cli("import-forecasts", str(path)).exit_code == 0
    before = run_cli("score", "--as-of", "2025-10-01")
    assert before.exit_code == 0 and "(0 resolved claims," in before.stdout
    assert "k2" not in run_cli("report", "--as-of", "2025-10-01", "--format", "md").stdout
    assert "(1 resolved claim," in run_cli("score").stdout
    # A changed outcome reopens the claim at that moment too: no change before it was here.
    path.write_text(path.read_text().replace(",yes,", ",no,"))
    assert run_cli("import-forecasts", str(path)).exit_code == 0
    assert "k2" not in run_cli("report", "--as-of", "2025-10-01", "--format", "md").stdout


def test_a_row_about_a_claim_made_here_changes_only_what_it_carries(
    engine: Engine, ledger: Ledger, queries: Queries, clock: Clock, tmp_path: Path
) -> None:
    """A forecast row without the optional columns replaced the claim's definition with a
    bare question's: criteria, deadline, source and tags gone, its source and tag scores
    changed."""
    clock.now = datetime(2024, 1, 1, tzinfo=UTC)
    ledger.create_claim(definition("made-here", made_on=date(2023, 6, 29),
                                   deadline_end=datetime(2025, 1, 1, tzinfo=UTC)), "ann")
    before = queries.claim_detail("made-here").definition
    clock.now = datetime(2024, 6, 1, 12, tzinfo=UTC)
    path = tmp_path / "one.csv"
    path.write_text("question_id,title,forecaster,probability,forecast_at,outcome,resolved_at\n"
                    f"made-here,{before.title},frank,0.5,2024-01-02,,\n")
    summary = import_track_record(ledger, path)
    assert (summary.questions_updated, summary.forecasts_added) == (0, 1)
    assert queries.claim_detail("made-here").definition == before
    path.write_text("question_id,title,forecaster,probability,forecast_at,outcome,resolved_at\n"
                    "made-here,A new title,frank,0.5,2024-01-02,,\n")
    assert import_track_record(ledger, path).questions_updated == 1
    after = queries.claim_detail("made-here").definition
    assert after.title == "A new title"
    assert (after.criteria, after.deadline_end, after.tags, after.made_on, after.statement) == (
        before.criteria, before.deadline_end, before.tags, before.made_on, before.statement)


def test_a_start_given_as_a_moment_leaves_a_claims_made_on_day(
    ledger: Ledger, queries: Queries, clock: Clock, tmp_path: Path
) -> None:
    """created_at as a moment (export-forecasts' for a claim without a made-on day, as
    another database may have it) opens a new question then; a claim here keeps its own
    made-on day, from which its scores count, rather than being left without one."""
    clock.now = datetime(2024, 1, 1, tzinfo=UTC)
    ledger.create_claim(definition("made-here", made_on=date(2023, 6, 29)), "ann")
    before = queries.claim_detail("made-here").definition
    clock.now = datetime(2024, 6, 1, 12, tzinfo=UTC)
    path = rows_file(tmp_path, f"made-here,{before.title},frank,0.5,2024-01-02,,,,,"
                               "2024-01-01T00:00:00+00:00")
    summary = import_track_record(ledger, path)
    assert (summary.questions_updated, summary.forecasts_added) == (0, 1)
    assert queries.claim_detail("made-here").definition == before


def test_two_forecasts_made_at_one_moment_keep_their_order_through_a_round_trip(
    engine: Engine, ledger: Ledger, clock: Clock, tmp_path: Path
) -> None:
    """The export listed them by id; the import recorded them in that order, so the one
    recorded first became the one that counts (Brier 0.81 became 0.01)."""
    clock.now = datetime(2026, 11, 1, 9, tzinfo=UTC)
    ledger.create_claim(definition("tie", made_on=date(2026, 1, 1)), "ann")
    moment = datetime(2026, 11, 1, tzinfo=UTC)
    ledger.forecast("tie", 0.9, reviewer="alice", made_at=moment,
                    stamp=EntryStamp("ffffffff-0000-4000-8000-000000000000"))
    ledger.forecast("tie", 0.1, reviewer="alice", made_at=moment,
                    stamp=EntryStamp("00000000-0000-4000-8000-000000000000"))
    ledger.resolve("tie", "yes", reviewer="bob")
    assert [row.brier for row in leaderboard(engine).rows] == [pytest.approx(0.81)]
    path = tmp_path / "record.csv"
    write_track_record(export_rows(engine), path, "csv")
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(fresh)
    import_track_record(Ledger(fresh, clock=Clock(datetime(2026, 11, 20, tzinfo=UTC))), path)
    assert [row.brier for row in leaderboard(fresh).rows] == [pytest.approx(0.81)]
    fresh.dispose()


def test_forecasts_made_in_the_tracker_are_not_added_again_from_its_export(
    run_cli: Run, ledger: Ledger, queries: Queries, tmp_path: Path
) -> None:
    """Only imported forecasts carried ids the import could recognise: every forecast made
    in the tracker itself came back a second time."""
    ledger.create_claim(definition("made-here"), "ann")
    ledger.forecast("made-here", 0.7, reviewer="ann")
    ledger.forecast("made-here", 0.4, reviewer="bob")
    exported = tmp_path / "ours.csv"
    assert run_cli("export-forecasts", "-o", str(exported)).exit_code == 0
    result = run_cli("import-forecasts", str(exported))
    assert result.exit_code == 0, result.stderr
    assert "0 forecasts added (2 already there)" in result.stdout
    assert sorted((item.reviewer, item.probability)
                  for item in queries.claim_detail("made-here").forecasts) == [
        ("ann", 0.7), ("bob", 0.4)]


def test_imported_questions_survive_a_claim_file_round_trip(
    run_cli: Run, csv_file: Path, tmp_path: Path
) -> None:
    """Claim files require criteria of a prediction: questions came without, so exporting
    and importing the claims after a track record refused every one of them."""
    assert run_cli("import-forecasts", str(csv_file)).exit_code == 0
    folder = tmp_path / "claims"
    assert run_cli("export", str(folder)).exit_code == 0
    result = run_cli("import", str(folder))
    assert result.exit_code == 0, result.stderr
    assert "Resolves as the imported track record's outcome column says." in run_cli(
        "show", "q1").stdout


def test_export_makes_the_folder_of_its_file(run_cli: Run, csv_file: Path,
                                             tmp_path: Path) -> None:
    """As `tracker report -o` does; it failed with "No such file or directory"."""
    assert run_cli("import-forecasts", str(csv_file)).exit_code == 0
    target = tmp_path / "exports" / "2026" / "forecasts.csv"
    result = run_cli("export-forecasts", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert target.read_text(encoding="utf-8").startswith("question_id,title,forecaster")


def test_export_prints_the_rows_for_an_output_of_a_dash(
        run_cli: Run, csv_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`-o -` wrote a file named "-" in the current folder; it means standard output, as
    for `tracker report`."""
    assert run_cli("import-forecasts", str(csv_file)).exit_code == 0
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    result = run_cli("export-forecasts", "--format", "json", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["question_id"] == "q1"
    assert list(here.iterdir()) == []


def test_cli_refusal_exit_code(run_cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("question_id,title\nQ1,T\n")
    result = run_cli("import-forecasts", str(path))
    assert result.exit_code == 1
    assert "missing columns" in result.stderr


def test_a_row_without_a_cell_it_needs_is_refused_with_what_it_lacks(tmp_path: Path) -> None:
    """A probability without its forecaster, or a forecast without its day, is not dropped."""
    path = rows_file(tmp_path, " ,No id,ann,0.8,2024-01-01,,,,,",
                     "Q1,No one,,0.8,2024-01-01,,,,,",
                     "Q2,No chance,ann,,2024-01-01,,,,,",
                     "Q3,No day,ann,0.8,,,,,,")
    assert [problem.split(" (")[0].split(": give")[0] for problem in read_refusal(path)] == [
        "2: question_id is empty",
        "3: forecaster is empty but a probability is given",
        "4: probability is empty but forecaster is given",
        "5: forecast_at is empty: say when the forecast was made"]


def test_cells_are_read_without_the_spaces_around_them(tmp_path: Path) -> None:
    path = rows_file(tmp_path, " Q1 , Will X ship? , ann , 0.8 , 2024-01-01 , YES , 2024-03-01 "
                     ", ai ; ml , https://example.org/q1 , 2024-01-01 ",
                     "Q1,Will X ship?,bob,0.3,2024-01-02,yes,2024-03-01,,,")
    [question] = read_track_record(path)
    first = question.rows[0]
    assert (question.question_id, question.slug, first.title, first.forecaster,
            first.outcome, first.tags, first.url) == (
        "Q1", "q1", "Will X ship?", "ann", "yes", ("ai", "ml"), "https://example.org/q1")


def test_a_spreadsheets_utf8_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" starts with a byte order mark, which is not part of the header."""
    path = tmp_path / "record.csv"
    path.write_bytes(b"\xef\xbb\xbf" + CSV.encode())
    assert [question.question_id for question in read_track_record(path)] == [
        "Q1", "Q2", "Q3", "Q4", "Q5"]


@pytest.mark.parametrize(("header", "problem"), [
    ("question_id,title,forecaster,probability,forecast_at,outcome",
     "1: missing column resolved_at; the header must name question_id, title, forecaster, "
     "probability, forecast_at, outcome, resolved_at"),
    ("question_id,title,forecaster,probability,forecast_at",
     "1: missing columns outcome, resolved_at; the header must name"),
    (CSV.splitlines()[0].replace(",", "\t"),
     "1: the columns are separated by tabs: save the file as comma-separated CSV"),
])
def test_a_header_without_the_columns_says_which_are_missing(
    tmp_path: Path, header: str, problem: str
) -> None:
    path = tmp_path / "record.csv"
    path.write_text(header + "\n")
    (given,) = read_refusal(path)
    assert given.startswith(problem)


def test_a_long_question_id_makes_a_slug_of_its_first_80_characters(tmp_path: Path) -> None:
    """Cut where a hash keeps a slug apart, the slug does not end in a '-' before it."""
    long_id = "a" * 70 + "-b" * 20
    unicode_id = "a" * 70 + " é" + "b" * 20
    path = rows_file(tmp_path, f"{long_id},Long,,,,,,,,", f"{unicode_id},Long in French,,,,,,,,")
    slugs = [question.slug for question in read_track_record(path)]
    assert slugs[0] == long_id[:80]
    assert slugs[1].startswith("a" * 70 + "-") and slugs[1][71] != "-", slugs[1]


@pytest.mark.parametrize(("cell", "outcome", "value"), [
    ("1", "yes", None), ("0", "no", None), ("0.0", "no", None), ("0.25", "partial", 0.25),
    ("No", "no", None), ("Annulled", "annulled", None),
])
def test_an_outcome_is_read_as_yes_no_a_part_or_annulled(
    tmp_path: Path, cell: str, outcome: str, value: float | None
) -> None:
    path = rows_file(tmp_path, f"Q1,One,ann,0.8,2024-01-01,{cell},2024-02-01,,,")
    [question] = read_track_record(path)
    assert (question.rows[0].outcome, question.rows[0].value) == (outcome, value)


def test_a_questions_title_url_and_tags_may_be_given_on_any_of_its_rows(
    engine: Engine, ledger: Ledger, tmp_path: Path
) -> None:
    """A spreadsheet often fills them in on the question's first row only; or not first."""
    import_track_record(ledger, rows_file(
        tmp_path, "Q1,,ann,0.8,2024-01-01,,,,,",
        "Q1,Will X ship?,bob,0.3,2024-01-02,,,ai,https://example.org/q1,",
        "Q1,,cid,0.5,2024-01-03,,,ml;ai,,"))
    assert {(row["title"], row["url"], row["tags"]) for row in export_rows(engine)} == {
        ("Will X ship?", "https://example.org/q1", "ai;ml")}


def test_an_export_keeps_every_digit_and_letter_as_given(
    engine: Engine, ledger: Ledger, tmp_path: Path
) -> None:
    """A part outcome or a probability of three decimals reads back as it was, and a title
    in other letters is written as itself, not as JSON escapes."""
    import_track_record(ledger, rows_file(
        tmp_path, "日本,日本は成長する?,ann,0.705,2024-01-01,0.125,2024-02-01,,,2024-01-01"))
    [row] = export_rows(engine)
    assert (row["probability"], row["outcome"]) == ("0.705", "0.125")
    target = tmp_path / "out.json"
    text = write_track_record([row], target, "json")
    assert '"title": "日本は成長する?"' in text and '"probability": 0.705' in text
    [question] = read_track_record(target)
    assert (question.rows[0].probability, question.rows[0].value) == (0.705, 0.125)


def test_a_row_without_a_url_or_tags_keeps_the_claims_own(
    engine: Engine, ledger: Ledger, tmp_path: Path
) -> None:
    """Only a cell that gives a url or tags changes them: an empty one is no value."""
    import_track_record(ledger, rows_file(
        tmp_path, "Q1,Will X ship?,ann,0.8,2024-01-01,,,ai,https://example.org/q1,"))
    summary = import_track_record(ledger, rows_file(
        tmp_path, "Q1,Will X ship soon?,ann,0.8,2024-01-01,,,,,"))
    assert summary.questions_updated == 1
    assert {(row["title"], row["url"], row["tags"]) for row in export_rows(engine)} == {
        ("Will X ship soon?", "https://example.org/q1", "ai")}


def test_questions_that_cannot_become_one_claim_each_are_refused_in_line_order(
    tmp_path: Path
) -> None:
    """Two outcomes for one question, an outcome below zero, two ids that make one claim
    (the second question's rows were added to the first's), a question without a title: by
    line, a question's problems among its rows' ones."""
    path = rows_file(tmp_path, "Q1,One,ann,0.8,2024-01-01,yes,2024-02-01,,,",
                     "Q1,One,bob,0.6,2024-01-01,no,2024-02-01,,,",
                     "Q2,Two,ann,0.8,2024-01-01,-0.5,2024-02-01,,,",
                     "Q-1,Three,ann,0.8,2024-01-01,,,,,",
                     "q 1,Other,ann,0.8,2024-01-01,,,,,",
                     "Q3,,ann,0.8,2024-01-01,,,,,")
    assert read_refusal(path) == [
        "2: question 'Q1' has different outcomes on different rows; give one",
        "4: outcome -0.5 is outside [0, 1]",
        "6: question_id 'q 1' and 'Q-1' both become claim 'q-1'; rename one",
        "7: question 'Q3' has no title on any row"]


def test_a_json_item_that_is_not_an_object_is_refused_by_line(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    path.write_text('[\n {"question_id": "a", "title": "A"},\n ["b", "B"]\n]\n')
    assert read_refusal(path) == ["3: each item must be an object with the columns as keys"]


def test_an_outcome_given_on_a_later_row_of_its_question_resolves_it(
    ledger: Ledger, queries: Queries, tmp_path: Path
) -> None:
    """A spreadsheet fills the outcome in on the row written when it came."""
    import_track_record(ledger, rows_file(tmp_path, "Q1,One,ann,0.8,2024-01-01,,,,,",
                                          "Q1,One,bob,0.6,2024-01-02,yes,2024-02-01,,,"))
    assert queries.claim_detail("q1").status == "confirmed"


def test_a_start_given_as_a_moment_on_a_later_row_opens_the_question_then(
    engine: Engine, ledger: Ledger, tmp_path: Path
) -> None:
    """The first row's empty created_at gives no start: the moment is the question's."""
    import_track_record(ledger, rows_file(
        tmp_path, "Q1,One,ann,0.8,2024-01-02,,,,,",
        "Q1,One,bob,0.6,2024-01-03,,,,,2024-01-01T09:00:00+00:00"))
    assert {row["created_at"] for row in export_rows(engine)} == {"2024-01-01T09:00:00+00:00"}
