"""The CLI end to end, in-process: output, exit codes (2 usage, 1 refused), no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import CliOutcome, invoke_main
from tests.helpers import dump
from tracker.cli import params
from tracker.db import head_revision
from tracker.definitions import SourceInfo
from tracker.ledger import Ledger

Run = Callable[..., CliOutcome]


def add_claim(run: Run, slug: str = "serving-shift", *extra: str) -> CliOutcome:
    result = run("add", "--slug", slug, "--title", "Serving shift",
                 "--statement", "80% of compute moves to serving.", "--criteria", "Crisp.",
                 "--deadline", "1-2 years", "--made-on", "2023-06-29", "--tag", "compute",
                 *extra)
    assert result.exit_code == 0, result.stderr
    return result


def test_full_claim_lifecycle(run_cli: Run) -> None:
    add_claim(run_cli, "serving-shift", "--review", "FREQ=MONTHLY;INTERVAL=3")
    assert "reviewed   FREQ=MONTHLY;INTERVAL=3" in run_cli("show", "serving-shift").stdout
    add_claim(run_cli, "serving-majority", "--parent", "serving-shift")
    assert run_cli("evidence", "serving-shift", "--url", "https://example.org/a",
                   "--title", "A report", "--summary", "Says so.", "--stance", "supports",
                   "--observed", "2024-05-01").exit_code == 0
    assert run_cli("--as", "ann", "forecast", "serving-shift", "70%", "--note", "likely"
                   ).exit_code == 0
    assert run_cli("status", "serving-shift", "developing", "--note", "signs").exit_code == 0
    resolved = run_cli("resolve", "serving-shift", "PARTIAL:40%", "--note", "half")
    assert resolved.exit_code == 0 and resolved.stdout.startswith(
        "resolved serving-shift partial:0.4 (version ")
    assert run_cli("reopen", "serving-shift", "--note", "new data").exit_code == 0
    assert run_cli("resolve", "serving-shift", "yes").exit_code == 0

    shown = json.loads(run_cli("show", "serving-shift", "--json").stdout)
    assert shown["status"] == "confirmed"
    assert shown["definition"]["deadline_start"].startswith("2024-06-29")
    assert shown["definition"]["deadline_end"].startswith("2025-06-29T23:59:59")
    assert [f["reviewer"] for f in shown["forecasts"]] == ["ann"]
    assert shown["children"][0]["slug"] == "serving-majority"

    text = run_cli("show", "serving-shift").stdout
    assert "confirmed" in text and "A report" in text and "serving-majority" in text

    history = run_cli("history", "serving-shift").stdout.splitlines()
    kinds = [line.split()[2] for line in history]
    assert kinds == ["revision", "evidence", "forecast", "status", "resolution", "status",
                     "resolution"]
    assert "tester" in history[0], "reviewer comes from TRACKER_REVIEWER"
    logged = json.loads(run_cli("history", "serving-shift", "--json").stdout)
    assert [entry["extra"] for entry in logged if entry["kind"] == "forecast"] == [
        {"probability": 0.7}], "the number, not only the text '70%'"
    # When entries reached this database is its own: JSON is the same from every database.
    listed = run_cli("list", "--json").stdout
    assert "entered_at" not in json.dumps([logged, shown]) and "news_at" not in listed
    assert set(logged[0]) == {"uuid", "kind", "recorded_at", "reviewer", "text", "occurred",
                              "extra"}


def test_typed_dates_may_say_yesterday(run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """'yesterday' is the UTC day before the clock's; --as-of reads it as that day's end."""
    monkeypatch.setattr(params, "utc_now", lambda: datetime(2025, 3, 1, 0, 30, tzinfo=UTC))
    add_claim(run_cli)
    assert run_cli("evidence", "serving-shift", "--title", "t", "--stance", "supports",
                   "--observed", "yesterday").exit_code == 0
    shown = json.loads(run_cli("show", "serving-shift", "--json").stdout)
    assert shown["evidence"][0]["observed_on"] == "2025-02-28"


def test_show_lists_evidence_by_the_day_it_speaks_of(run_cli: Run) -> None:
    add_claim(run_cli)
    for title, observed in (("May report", ("--observed", "2024-05-01")),
                            ("January report", ("--observed", "2024-01-10")),
                            ("Undated note", ())):
        assert run_cli("evidence", "serving-shift", "--title", title, "--stance", "supports",
                       *observed).exit_code == 0
    lines = run_cli("show", "serving-shift").stdout.splitlines()
    listed = lines[lines.index("evidence:") + 1:][:3]
    assert listed == ["  2024-01-10  supports  January report",
                      "  2024-05-01  supports  May report",
                      "  -           supports  Undated note"]  # by the day it was recorded


def test_retract_by_the_start_of_an_id_names_the_whole_entry(run_cli: Run) -> None:
    add_claim(run_cli)
    assert run_cli("evidence", "serving-shift", "--title", "Misread figure",
                   "--stance", "supports").exit_code == 0
    [entry] = json.loads(run_cli("show", "serving-shift", "--json").stdout)["evidence"]
    result = run_cli("retract", entry["uuid"][:8].upper(), "--note", "It was for 2026.")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"retracted evidence 'Misread figure' ({entry['uuid']})\n"
    [entry] = json.loads(run_cli("show", "serving-shift", "--json").stdout)["evidence"]
    assert entry["retraction"]["reason"] == "It was for 2026."


def test_resolve_observed_says_which_forecasts_will_not_be_scored(run_cli: Run) -> None:
    today = datetime.now(UTC).date()  # read first: the forecasts are made then or later
    add_claim(run_cli)
    add_claim(run_cli, "other-claim")
    assert run_cli("forecast", "serving-shift", "0.7").exit_code == 0
    assert run_cli("forecast", "other-claim", "0.7").exit_code == 0
    result = run_cli("resolve", "serving-shift", "yes", "--observed", today.isoformat())
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        f"note: 1 forecast made on or after {today} will not be scored: the outcome counts as "
        "known from that day's start"]
    # Without --observed the outcome counts from now: every forecast so far is scored.
    plain = run_cli("resolve", "other-claim", "no")
    assert plain.exit_code == 0 and "note:" not in plain.stdout
    assert run_cli("reopen", "other-claim", "--note", "Misread.").exit_code == 0
    annulled = run_cli("resolve", "other-claim", "annulled", "--observed", "2024-01-01")
    assert annulled.exit_code == 0 and "note:" not in annulled.stdout  # never scored anyway


def test_show_and_history_give_the_day_an_outcome_was_observed(run_cli: Run) -> None:
    """Scoring takes an outcome as known from its observed day, which only reports and JSON
    showed: `show` printed the day it was recorded as if it were the outcome's."""
    today = datetime.now(UTC).date()
    add_claim(run_cli)
    assert run_cli("status", "serving-shift", "developing", "--observed", "2024-03-01"
                   ).exit_code == 0
    assert run_cli("--as", "ann", "resolve", "serving-shift", "yes", "--observed", "2024-05-02",
                   "--note", "shipped").exit_code == 0
    shown = run_cli("show", "serving-shift").stdout.splitlines()
    assert shown[-1] == (f"resolved yes by ann, recorded {today}, observed 2024-05-02: shipped")
    history = run_cli("history", "serving-shift").stdout.splitlines()
    assert [line.split("  [")[0].split("  ")[-1].strip() for line in history[1:]] == [
        "status open -> developing (observed 2024-03-01)",
        "resolved yes: shipped (observed 2024-05-02)"]


def test_list_names_the_parent_of_a_derived_question(run_cli: Run) -> None:
    """The list is in the order asked for, so a derived question does not follow its parent:
    it was indented under whichever claim it sorted after."""
    add_claim(run_cli, "b-parent")
    add_claim(run_cli, "a-other")
    add_claim(run_cli, "a-child", "--parent", "b-parent")
    lines = run_cli("list").stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["a-child", "a-other", "b-parent"]
    assert lines[0].endswith("Serving shift  (derived from b-parent)")
    assert not any(line.startswith(" ") for line in lines)
    assert "derived from" not in lines[1] + lines[2]


def test_a_new_made_on_date_moves_a_deadline_that_counts_from_it(run_cli: Run) -> None:
    """'2 years' after made-on: editing made-on kept the deadline of the old date."""
    add_claim(run_cli)  # made on 2023-06-29, deadline "1-2 years": a window from it
    assert run_cli("edit", "serving-shift", "--made-on", "2024-01-15").exit_code == 0
    shown = json.loads(run_cli("show", "serving-shift", "--json").stdout)["definition"]
    assert shown["deadline_start"].startswith("2025-01-15")
    assert shown["deadline_end"].startswith("2026-01-15")
    assert run_cli("edit", "serving-shift", "--deadline", "2030-06-30").exit_code == 0
    assert run_cli("edit", "serving-shift", "--made-on", "2024-02-01").exit_code == 0
    shown = json.loads(run_cli("show", "serving-shift", "--json").stdout)["definition"]
    assert shown["deadline_end"].startswith("2030-06-30")  # a date stays where it is


def test_edit_can_empty_tags_cadence_and_deadline_and_says_when_nothing_changes(
    run_cli: Run
) -> None:
    """`--tag ''` was refused, `--deadline ''` ignored, and an option giving what the claim
    already had was told "give at least one option"; the app's form can empty them."""
    add_claim(run_cli, "serving-shift", "--review", "FREQ=WEEKLY")
    same = run_cli("edit", "serving-shift", "--title", "Serving shift")
    assert same.exit_code == 2 and "nothing changes: 'serving-shift' already has what the " \
        "options give" in same.stderr
    assert run_cli("edit", "serving-shift", "--tag", "", "--review", "", "--deadline", ""
                   ).exit_code == 0
    shown = json.loads(run_cli("show", "serving-shift", "--json").stdout)["definition"]
    assert (shown["tags"], shown["review_cadence"]) == ([], "")
    assert (shown["deadline_start"], shown["deadline_end"], shown["horizon"]) == (None, None, "")
    bare = run_cli("edit", "serving-shift")
    assert bare.exit_code == 2 and "give at least one option to edit" in bare.stderr


def test_none_as_a_deadline_means_no_deadline_as_in_the_app(run_cli: Run) -> None:
    """The app's forms take 'none' for no deadline; the CLI refused it as a date."""
    add_claim(run_cli, "serving-shift")
    assert run_cli("edit", "serving-shift", "--deadline", "None").exit_code == 0
    shown = json.loads(run_cli("show", "serving-shift", "--json").stdout)["definition"]
    assert (shown["deadline_start"], shown["deadline_end"], shown["horizon"]) == (None, None, "")
    added = run_cli("add", "--slug", "no-date", "--title", "T", "--statement", "S",
                    "--criteria", "C", "--deadline", "none")
    assert added.exit_code == 0 and "note: no-date has no deadline" in added.stderr
    shown = json.loads(run_cli("show", "no-date", "--json").stdout)["definition"]
    assert (shown["deadline_end"], shown["horizon"]) == (None, "")


def test_a_review_cadence_that_does_not_read_is_a_usage_error(run_cli: Run) -> None:
    """It exited 1, as a refused operation, where a deadline that does not read exits 2."""
    claim = ("--title", "T", "--statement", "S", "--criteria", "C", "--deadline", "2030-01-01")
    added = run_cli("add", "--slug", "monthly", *claim, "--review", "monthly")
    assert added.exit_code == 2
    assert ("Invalid value for '--review': review cadence 'monthly' is not an RRULE: write "
            "'FREQ=MONTHLY'") in added.stderr
    assert run_cli("add", "--slug", "monthly", *claim).exit_code == 0
    edited = run_cli("edit", "monthly", "--review", "FREQ=HOURLY")
    assert edited.exit_code == 2 and "repeats within a day" in edited.stderr


def test_a_review_cadence_that_has_ended_is_accepted_with_a_note(run_cli: Run) -> None:
    """A past UNTIL (a typo in its year, most likely) asked for no review without a word."""
    ended = "FREQ=MONTHLY;UNTIL=20200101"
    added = run_cli("add", "--slug", "ended", "--title", "T", "--statement", "S",
                    "--criteria", "C", "--deadline", "2030-01-01", "--review", ended)
    assert added.exit_code == 0
    assert ("note: the review cadence of ended ended on 2020-01-01: it asks for no review "
            "after that day; give a later UNTIL with `tracker edit ended --review ...`"
            ) in added.stderr
    later = run_cli("edit", "ended", "--review", "FREQ=MONTHLY;UNTIL=20990101")
    assert later.exit_code == 0 and "note:" not in later.stderr
    again = run_cli("edit", "ended", "--review", ended)
    assert again.exit_code == 0 and "ended on 2020-01-01" in again.stderr
    title_only = run_cli("edit", "ended", "--title", "T2")  # the cadence is not being set
    assert title_only.exit_code == 0 and "note:" not in title_only.stderr


def test_a_review_cadence_with_a_dtstart_without_a_zone_still_lists(run_cli: Run) -> None:
    """`add` took it, then `list` failed "unexpectedly" (a TypeError) on every claim."""
    add_claim(run_cli, "dated", "--review", "DTSTART:20240115 RRULE:FREQ=MONTHLY")
    listed = run_cli("list")
    assert listed.exit_code == 0, listed.stderr
    assert "dated" in listed.stdout


def test_show_lines_up_a_review_cadence_written_on_two_lines(run_cli: Run) -> None:
    """A DTSTART on a line of its own left the RRULE under the labels' column."""
    add_claim(run_cli, "dated", "--review", "DTSTART:20240115T090000Z\nRRULE:FREQ=WEEKLY")
    lines = run_cli("show", "dated").stdout.splitlines()
    at = lines.index("reviewed   DTSTART:20240115T090000Z")
    assert lines[at + 1] == "           RRULE:FREQ=WEEKLY"


def test_add_says_a_confidence_without_a_made_on_day_is_not_graded(
    run_cli: Run, ledger: Ledger
) -> None:
    """The source's grade left such a claim out without a word."""
    ledger.upsert_source(SourceInfo(key="report", title="A report"))
    claim = ("--title", "T", "--statement", "S", "--criteria", "C", "--deadline", "2030-01-01",
             "--confidence", "0.8")
    result = run_cli("add", "--slug", "no-day", *claim, "--source", "report")
    assert result.exit_code == 0
    assert ("note: no-day has an implied confidence but no made-on day, so its source is not "
            "graded on it") in result.stderr
    dated = run_cli("add", "--slug", "a-day", *claim, "--source", "report", "--made-on",
                    "2024-01-01")
    assert dated.exit_code == 0 and "note:" not in dated.stderr
    unsourced = run_cli("add", "--slug", "no-source", *claim)  # no source to grade
    assert unsourced.exit_code == 0 and "note:" not in unsourced.stderr


def test_a_derived_question_is_made_on_its_parents_day_unless_told(run_cli: Run) -> None:
    """Without --made-on it had none, so it was scored from the moment it was recorded and an
    export of forecasts read back differently (claims/README: children inherit it)."""
    add_claim(run_cli, "parent-claim")  # made on 2023-06-29
    result = run_cli("add", "--slug", "child", "--title", "C", "--statement", "S",
                     "--criteria", "C", "--parent", "parent-claim", "--deadline", "18 months")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(run_cli("show", "child", "--json").stdout)["definition"]
    assert shown["made_on"] == "2023-06-29" and shown["deadline_end"].startswith("2024-12-29")
    add_claim(run_cli, "own-day", "--parent", "parent-claim", "--made-on", "2024-01-01")
    shown = json.loads(run_cli("show", "own-day", "--json").stdout)["definition"]
    assert shown["made_on"] == "2024-01-01"


def test_list_on_an_empty_database_says_how_to_fill_it(run_cli: Run) -> None:
    """"no claims match" on a database with no claims at all read as a filter gone wrong."""
    empty = run_cli("list")
    assert (empty.exit_code, empty.stdout) == (0, "")
    assert empty.stderr == ("no claims yet: `tracker import` loads claim files, "
                            "`tracker add` records one\n")
    add_claim(run_cli, "a-claim")
    assert run_cli("list", "--tag", "robots").stderr == "no claims match\n"


def test_list_filters_and_json(run_cli: Run) -> None:
    add_claim(run_cli, "a-claim")
    add_claim(run_cli, "b-claim", "--tag", "robots")
    run_cli("status", "b-claim", "stalled")
    rows = json.loads(run_cli("list", "--json").stdout)
    assert [row["slug"] for row in rows] == ["a-claim", "b-claim"]
    assert [r["slug"] for r in json.loads(run_cli("list", "--status", "stalled", "--json").stdout)
            ] == ["b-claim"]
    assert [r["slug"] for r in json.loads(run_cli("list", "--tag", "robots", "--json").stdout)
            ] == ["b-claim"]
    assert json.loads(run_cli("list", "--source", "nowhere", "--json").stdout) == []
    due = json.loads(run_cli("list", "--due", "2025-12-31", "--json").stdout)
    assert [r["slug"] for r in due] == ["a-claim", "b-claim"]
    assert json.loads(run_cli("list", "--due", "2024-01-01", "--json").stdout) == []
    assert "a-claim" in run_cli("list").stdout


def test_show_as_of(run_cli: Run) -> None:
    add_claim(run_cli)
    today = datetime.now(UTC).date().isoformat()  # the CLI runs on the real clock
    past = json.loads(run_cli("show", "serving-shift", "--as-of", today, "--json").stdout)
    assert past["status"] == "open"
    assert f"\nas of      {today} (end of day UTC)\n" in run_cli(
        "show", "serving-shift", "--as-of", today).stdout
    missing = run_cli("show", "serving-shift", "--as-of", "2001-01-01")
    assert missing.exit_code == 1 and (
        "claim 'serving-shift' was not in the tracker yet as of 2001-01-01 (end of day UTC): "
        "it was recorded on ") in missing.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("forecast", "serving-shift", "1.5"), 2, "outside [0, 1]"),
        (("forecast", "serving-shift", "likely"), 2, "not a probability"),
        (("forecast", "ghost", "0.5"), 1, "no claim 'ghost'"),
        (("resolve", "serving-shift", "maybe"), 2, "use one of"),
        (("resolve", "serving-shift", "partial"), 2, "partial:0.4"),
        (("resolve", "serving-shift", "yes:"), 2, "only partial takes a value, not 'yes'"),
        (("status", "serving-shift", "confirmed"), 2, "Invalid value"),
        (("status", "serving-shift", "open"), 1, "already open"),
        (("reopen", "serving-shift", "--note", "x"), 1, "not closed"),
        (("evidence", "serving-shift", "--title", "t", "--stance", "supports", "--observed",
          "someday"), 2, "cannot read"),
        (("evidence", "serving-shift", "--title", " ", "--stance", "supports"), 1,
         "evidence title is empty: give an evidence title"),
        (("evidence", "serving-shift", "--title", "t", "--stance", "supports", "--observed",
          "2099-01-01"), 1, "observed on 2099-01-01 is more than a day after it is recorded"),
        (("resolve", "serving-shift", "partial:1"), 1, "a partial value of 1 is a full 'yes'"),
        (("resolve", "serving-shift", "partial:1.4"), 2,
         "partial value 1.4 is outside [0, 1]: write a value from 0 to 1"),
        (("resolve", "serving-shift", "partial:lots"), 2,
         "'lots' is not a partial value: write 0.4 or 40%"),
        (("report", "--as-of", "2099-01-01"), 2, "a report as of 2099-01-01 would be about "
                                                 "the future"),
        (("report", "--every", "month", "--since", "2024-01-01", "--until", "2099-01-01",
          "--out-dir", "out"), 2, "a report as of 2099-01-01 would be about the future"),
        (("report", "--until", "2099-01-01"), 2, "--until goes with --every"),
        (("report", "--every", "monthly", "--since", "2024-01-01", "--out-dir", "out"), 2,
         "Invalid value for '--every': period 'monthly' is not an RRULE: write 'FREQ=MONTHLY'; "
         "or use month, quarter or year"),
        (("report", "--every", "FREQ=HOURLY", "--since", "2024-01-01", "--out-dir", "out"), 2,
         "Invalid value for '--every': 'FREQ=HOURLY' repeats within a day"),
        (("report", "--every", "month", "--since", "2024-06-01", "--until", "2024-01-01",
          "--out-dir", "out"), 2, "--until 2024-01-01 is before --since 2024-06-01"),
        (("add", "--slug", "x", "--title", "t", "--statement", "s", "--deadline", "2 years"),
         2, "counts from the claim's made-on date, so give that date too with --made-on"),
        (("add", "--slug", "Bad Slug", "--title", "t", "--statement", "s"), 1, "not valid"),
        (("add", "--slug", "no-criteria", "--title", "t", "--statement", "s"), 1,
         "prediction 'no-criteria' has no resolution criteria: say how it resolves yes or no"),
        (("edit", "serving-shift", "--criteria", " "), 1, "has no resolution criteria"),
        (("show", "serving-shift", "--as-of", "soon"), 2, "cannot read"),
        (("show", "serving-shift", "--as-of", "2000-01-01"), 1,
         "claim 'serving-shift' was not in the tracker yet as of 2000-01-01"),
        (("show", "serving-shift", "--as-of", "2099-01-01"), 2,
         "the claim as of 2099-01-01 would be about the future"),
        (("history", "serving-shift", "--as-of", "2099-01-01"), 2,
         "the history as of 2099-01-01 would be about the future"),
        (("--as", " ", "forecast", "serving-shift", "0.5"), 2,
         "Invalid value for '--as': the name is empty: give the reviewer's name"),
        (("--as", "", "forecast", "serving-shift", "0.5"), 2, "the name is empty"),
        (("review", "--as", ""), 2, "Invalid value for '--as': the name is empty"),
        (("--as", "bob\nevil", "forecast", "serving-shift", "0.5"), 2,
         "holds a line break or another control character: give the name on one line"),
        (("--as", "x" * 300, "forecast", "serving-shift", "0.5"), 2,
         "reviewer name is 300 characters long"),
        (("score", "--as-of", "2099-01-01"), 2,
         "scores as of 2099-01-01 would be about the future"),
        (("status", "serving-shift", "developing", "--note", "x", "--expect-version", "5"), 1,
         "claim 'serving-shift' has no version 5: it is at version 1 (`tracker show "
         "serving-shift` prints it)"),
        (("retract", "no-such-id", "--note", "x"), 1, "no evidence entry"),
        (("retract", "2732", "--note", "x"), 1,
         "evidence id '2732' is too short: give at least its first 8 characters"),
        (("frobnicate",), 2, "No such command"),
    ],
)
def test_refusals_and_usage_errors(run_cli: Run, engine: Engine, args: tuple[str, ...],
                                   code: int, message: str) -> None:
    add_claim(run_cli)
    before = dump(engine)
    result = run_cli(*args)
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert dump(engine) == before


def test_every_command_has_help() -> None:
    from tracker.cli.main import cli

    commands = [[name] for name in cli.commands] + [["db", sub] for sub in
                                                     cli.commands["db"].commands]  # type: ignore[attr-defined]
    for command in [[], *commands]:
        result = invoke_main([*command, "--help"])
        assert result.exit_code == 0, command
        assert "Usage:" in result.stdout


def test_version() -> None:
    result = invoke_main(["--version"])
    assert result.exit_code == 0 and "0.1.0" in result.stdout


def test_default_database_lives_in_the_user_data_dir(tmp_path: Path) -> None:
    path = invoke_main(["db", "path"]).stdout.strip()
    assert path.startswith(str(tmp_path / "xdg-data")) and path.endswith("tracker.db")
    first = invoke_main(["list"])
    assert first.exit_code == 0
    assert Path(path).exists(), "the default database is created and migrated on first use"
    # ...and filled with the shipped claims, statuses included.
    assert "serving-shift-80pct" in first.stdout
    statuses = {row["status"] for row in json.loads(invoke_main(["list", "--json"]).stdout)}
    assert {"confirmed", "refuted", "partly"} <= statuses
    seeded = len(json.loads(invoke_main(["list", "--json"]).stdout))
    assert invoke_main(["add", "--slug", "mine", "--title", "t", "--statement", "s",
                        "--criteria", "c"]).exit_code == 0
    assert len(json.loads(invoke_main(["list", "--json"]).stdout)) == seeded + 1
    assert "(current)" in invoke_main(["db", "current"]).stdout
    assert "0001" in invoke_main(["db", "history"]).stdout


def test_environment_selects_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    url = f"sqlite:///{tmp_path / 'team.db'}"
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    assert invoke_main(["db", "path"]).stdout.strip() == url
    assert invoke_main(["db", "upgrade"]).exit_code == 0
    assert "already at" in invoke_main(["db", "upgrade"]).stdout


def test_upgrade_says_already_done_when_another_process_upgraded_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'team.db'}"
    assert invoke_main(["--db", url, "db", "upgrade"]).stdout.startswith(
        "upgraded from an empty database to ")
    # As a second process sees it: the revision read before waiting for the first one's lock
    # is the old one, and the first has upgraded by the time the lock is free.
    from tracker.cli import db_commands
    seen = iter(["0006", head_revision()])
    monkeypatch.setattr(db_commands, "current_revision", lambda engine: next(seen))
    result = invoke_main(["--db", url, "db", "upgrade"])
    assert result.stdout == f"already at {head_revision()}\n", result.stderr


def test_bad_database_url_is_a_usage_error() -> None:
    result = invoke_main(["--db", "not a url", "list"])
    assert result.exit_code == 2
    assert "Invalid value for '--db': cannot read database URL" in result.stderr
    bad_port = invoke_main(["--db", "postgresql://u:s3cret@h:abc/db", "list"])
    assert bad_port.exit_code == 2 and "(a port must be a number)" in bad_port.stderr
    assert "s3cret" not in bad_port.stderr and "bug" not in bad_port.stderr


def test_db_current_does_not_make_the_database_it_reports_on(tmp_path: Path) -> None:
    missing = tmp_path / "not-yet.db"
    result = invoke_main(["--db", f"sqlite:///{missing}", "db", "current"])
    assert result.exit_code == 1
    assert f"there is no database at {missing} yet" in result.stderr
    assert not missing.exists()  # it made an empty file before


def test_unknown_database_backend_is_named_not_reported_as_a_bug(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    result = invoke_main(["--db", "nonsense://x", "list"])
    assert result.exit_code == 2
    assert "does not support the database backend 'nonsense'" in result.stderr
    monkeypatch.setenv("TRACKER_DATABASE_URL", "nonsense://x")  # configured, not typed: exit 1
    result = invoke_main(["list"])
    assert result.exit_code == 1
    assert "does not support the database backend 'nonsense'" in result.stderr
    assert "bug" not in result.stderr
    # SQLAlchemy knows MySQL, but the tracker is not made for it: not "driver not installed"
    result = invoke_main(["--db", "mysql://root@127.0.0.1/x", "list"])
    assert result.exit_code == 2
    assert "does not support the database backend 'mysql'" in result.stderr
    assert "not installed" not in result.stderr
    result = invoke_main(["--db", "postgresql+nonsense://x", "list"])
    assert "unknown database backend 'postgresql+nonsense'" in result.stderr


def test_a_missing_database_driver_is_named_with_its_install_command(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as without the postgres extra
    result = invoke_main(["--db", "postgresql://nobody@127.0.0.1/x", "list"])
    assert result.exit_code == 2
    assert ("the driver for 'postgresql+psycopg' in 'postgresql+psycopg://nobody@127.0.0.1/x' "
            "is not installed (in the tracker checkout: pip install -e '.[postgres]')"
            ) in result.stderr


def test_a_home_relative_sqlite_path_is_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert invoke_main(["--db", "sqlite:///~/mine.db", "list"]).exit_code == 0
    assert (tmp_path / "mine.db").exists()


def test_an_empty_db_option_is_refused_but_an_empty_environment_variable_means_unset(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`--db "$TEAM_DB"` with the variable unset used the personal default database."""
    result = invoke_main(["--db", "", "db", "path"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "Invalid value for '--db': it is empty: give a database URL" in result.stderr
    monkeypatch.setenv("TRACKER_DATABASE_URL", "")
    result = invoke_main(["db", "path"])
    assert result.exit_code == 0 and result.stdout.strip().endswith("tracker.db")


def test_a_database_path_in_a_missing_folder_is_refused_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "deeper"
    result = invoke_main(["--db", f"sqlite:///{missing / 'x.db'}", "list"])
    assert result.exit_code == 1
    assert f"no folder '{missing}'" in result.stderr
    assert not (tmp_path / "typo").exists()
    result = invoke_main(["--db", f"sqlite:///{tmp_path / 'new.db'}", "list"])  # a new file
    assert result.exit_code == 0 and (tmp_path / "new.db").exists()


def test_unreachable_server_is_a_clear_error() -> None:
    result = invoke_main(["--db", "postgresql+psycopg://nobody@127.0.0.1:1/x", "list"])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: cannot open the database postgresql+psycopg://nobody@127.0.0.1:1/x (")
    assert "Traceback" not in result.stderr


def test_an_unusable_data_folder_or_database_file_is_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """They were "a bug" (NotADirectoryError), or "unable to open database file" naming no
    file."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    (tmp_path / "data").write_text("a file where the data folder goes")
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    result = invoke_main(["list"])
    assert result.exit_code == 1 and result.stderr.startswith(
        f"error: cannot make the data folder {tmp_path / 'data' / 'tracker'} (")
    assert "--db URL or TRACKER_DATABASE_URL" in result.stderr and "bug" not in result.stderr
    folder = tmp_path / "a-folder.db"
    folder.mkdir()  # a folder where the database file goes: SQLite cannot open it
    result = invoke_main(["--db", f"sqlite:///{folder}", "list"])
    assert result.exit_code == 1 and result.stderr.startswith(
        f"error: cannot open the database sqlite:///{folder} (unable to open database file): "
        "check that the file and its folder can be read and written")


def test_a_bad_url_from_the_environment_names_the_variable(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", "nonsense")
    result = invoke_main(["list"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: TRACKER_DATABASE_URL: cannot read database URL "
                                    "'nonsense'")


def test_named_choices_are_read_in_any_case(run_cli: Run, tmp_path: Path) -> None:
    """`--format HTML`, `--every Month` and `--stance Supports` were refused, where a status
    and an outcome ('PARTIAL:40%') are read in any case: every named choice is now."""
    add_claim(run_cli, "serving-shift", "--kind", "Prediction")
    assert run_cli("evidence", "serving-shift", "--title", "A report", "--stance", "Supports"
                   ).exit_code == 0
    shown = json.loads(run_cli("show", "serving-shift", "--json").stdout)
    assert (shown["definition"]["kind"], shown["evidence"][0]["stance"]) == (
        "prediction", "supports")
    assert run_cli("report", "--format", "HTML").stdout.startswith("<!DOCTYPE html>")
    series = run_cli("report", "--every", "Month", "--since", "2024-01-01", "--until",
                     "2024-02-29", "--out-dir", str(tmp_path / "monthly"), "--format", "MD")
    assert series.exit_code == 0, series.stderr
    assert sorted(path.name for path in (tmp_path / "monthly").iterdir()) == [
        "index.md", "report-2024-01-31.md", "report-2024-02-29.md"]
    assert run_cli("list", "--sort", "Deadline").exit_code == 0
    assert run_cli("score", "--by", "Tag").exit_code == 0


def test_console_script_runs_outside_the_checkout(tmp_path: Path) -> None:
    """The installed entry point works and refusals exit 1 without a traceback."""
    script = Path(sys.executable).parent / "tracker"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path),
           "TRACKER_REVIEWER": "ci"}
    done = subprocess.run([str(script), "show", "ghost"], capture_output=True, text=True,
                          cwd=tmp_path, env=env, check=False)
    assert done.returncode == 1
    assert "no claim 'ghost'" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_output_to_a_full_disk_says_so_not_that_it_is_a_bug(tmp_path: Path) -> None:
    """`tracker show X > file` on a full disk said "tracker failed unexpectedly (OSError:
    [Errno 28] ...); this is a bug": the machine's doing, and the advice was wrong."""
    script = Path(sys.executable).parent / "tracker"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)}
    with open("/dev/full", "w") as full:
        done = subprocess.run([str(script), "--version"], stdout=full, stderr=subprocess.PIPE,
                              text=True, cwd=tmp_path, env=env, check=False)
    assert done.returncode == 1
    assert done.stderr == ("error: could not write: No space left on device: free some space "
                           "(or write elsewhere) and run the command again\n")


def test_reviewer_falls_back_to_git_then_os_user(monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.cli import context

    monkeypatch.delenv("TRACKER_REVIEWER")
    monkeypatch.setattr(context.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(
        a, 0, stdout="Grace Hopper\n", stderr=""))
    assert context.default_reviewer() == "Grace Hopper"
    monkeypatch.setattr(context.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(
        a, 1, stdout="", stderr=""))
    monkeypatch.setattr(context.getpass, "getuser", lambda: "osuser")
    assert context.default_reviewer() == "osuser"


def test_an_unexpected_failure_is_reported_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tracker.queries import Queries

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(Queries, "list_claims", broken)
    result = invoke_main(["list"])
    assert result.exit_code == 1
    assert "this is a bug" in result.stderr and "RuntimeError: boom" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def opened_apps(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """The options each `tracker review` (or bare `tracker`) opened the app with; the app
    itself is not run."""
    import tracker.tui.app
    from tracker.cli import app_commands

    opened: list[dict[str, object]] = []

    class NotRun:
        def run(self) -> None:
            pass

    def record(engine: Engine, reviewer: str, **options: object) -> NotRun:
        opened.append({"reviewer": reviewer, **options})
        return NotRun()

    monkeypatch.setattr(tracker.tui.app, "make_app", record)
    monkeypatch.setattr(app_commands, "on_a_terminal", lambda: True)
    return opened


def test_the_app_is_not_opened_without_a_terminal(run_cli: Run) -> None:
    """`tracker > out` (or a script) started the app, which then waited for ever."""
    result = run_cli("--as", "ann")  # the test runner's streams are not terminals
    assert result.exit_code == 2
    assert "the review app needs a terminal, and standard input or output is not one" in (
        result.stderr)


@pytest.mark.parametrize(("args", "env", "blind"), [
    ((), None, True),
    (("review",), None, True),
    (("review", "--no-blind"), None, False),
    ((), "0", False),
    (("review",), "off", False),
    (("review", "--blind"), "no", True),
    (("review",), "yes", True),
])
def test_blind_forecasting_is_on_unless_a_setting_turns_it_off(
    run_cli: Run, opened_apps: list[dict[str, object]], monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...], env: str | None, blind: bool,
) -> None:
    if env is not None:
        monkeypatch.setenv("TRACKER_BLIND", env)
    result = run_cli("--as", "ann", *args)
    assert result.exit_code == 0, result.stderr
    assert opened_apps == [{"reviewer": "ann", "blind": blind}]


def test_review_takes_the_reviewer_after_the_command_too(
    run_cli: Run, opened_apps: list[dict[str, object]]
) -> None:
    """`tracker review --as bob` is what people type (the app says "pass --as NAME")."""
    assert run_cli("--as", "ann", "review", "--as", "bob").exit_code == 0
    assert run_cli("--as", "ann", "review").exit_code == 0
    assert [options["reviewer"] for options in opened_apps] == ["bob", "ann"]


@pytest.mark.parametrize("args", [(), ("review",)])
def test_a_blind_setting_that_is_neither_on_nor_off_is_a_usage_error(
    run_cli: Run, opened_apps: list[dict[str, object]], monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
) -> None:
    monkeypatch.setenv("TRACKER_BLIND", "sometimes")
    result = run_cli(*args)
    assert result.exit_code == 2 and opened_apps == []
    assert "TRACKER_BLIND='sometimes' is neither on nor off" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_cli_spells_out_the_report_formats_it_offers() -> None:
    from tracker.cli.report_commands import FORMAT_CHOICES
    from tracker.reports import FORMATS

    assert FORMAT_CHOICES == FORMATS


def test_db_upgrade_makes_the_default_database_folder_on_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker import db

    default = tmp_path / "fresh" / "tracker" / "tracker.db"
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.setattr(db, "default_database_path", lambda: default)
    result = invoke_main(["db", "upgrade"])
    assert result.exit_code == 0, result.stderr
    assert default.exists()


def test_an_empty_reviewer_variable_is_refused_not_replaced(
        run_cli: Run, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """An exported but empty TRACKER_REVIEWER is a mistake, as an empty --as is: entries
    are not recorded under git's or the OS user's name instead."""
    add_claim(run_cli)
    before = dump(engine)
    for blank in ("", "  "):
        monkeypatch.setenv("TRACKER_REVIEWER", blank)
        result = run_cli("forecast", "serving-shift", "0.5")
        assert result.exit_code == 2
        assert "TRACKER_REVIEWER is set but empty: set it to your name, or unset it" in (
            result.stderr)
    monkeypatch.setenv("TRACKER_REVIEWER", "bo\tb")
    result = run_cli("forecast", "serving-shift", "0.5")
    assert result.exit_code == 2
    assert "TRACKER_REVIEWER: reviewer name 'bo\\tb' holds a line break" in result.stderr
    assert dump(engine) == before


def test_a_reviewer_name_is_recorded_and_echoed_trimmed(run_cli: Run) -> None:
    add_claim(run_cli)
    result = run_cli("--as", " bob ", "forecast", "serving-shift", "0.5")
    assert result.exit_code == 0 and result.stdout.rstrip().endswith(" by bob")


def test_show_never_rounds_a_forecast_to_a_certainty(run_cli: Run) -> None:
    """`tracker forecast` said 0.5% and 99.6%; `tracker show` listed them as 0% and 100%."""
    add_claim(run_cli)
    assert run_cli("--as", "alice", "forecast", "serving-shift", "0.5%").exit_code == 0
    assert run_cli("--as", "bob", "forecast", "serving-shift", "0.996").exit_code == 0
    lines = run_cli("show", "serving-shift").stdout.splitlines()
    assert [line.split()[1:] for line in lines if line.endswith(("alice", "bob"))] == [
        ["0.5%", "alice"], ["99.6%", "bob"]]


def test_a_prediction_added_without_a_deadline_is_pointed_out(run_cli: Run) -> None:
    result = run_cli("add", "--slug", "open-ended", "--title", "T", "--statement", "S.",
                     "--criteria", "C.")
    assert (result.exit_code, result.stdout) == (0, "added open-ended\n")
    assert result.stderr == ("note: open-ended has no deadline, so it is never due or overdue: "
                             "give it one with `tracker edit open-ended --deadline ...`\n")
    assert run_cli("add", "--slug", "a-fact", "--title", "T", "--statement", "S.",
                   "--kind", "fact").stderr == ""
