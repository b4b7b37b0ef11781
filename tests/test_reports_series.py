"""Periodic report series: period ends, one file per period, an index, rewrites only on change."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import CliOutcome, Clock
from tests.test_reports import build_dataset, record_later_entries
from tracker.errors import CannotWrite, InvalidInput
from tracker.horizons import end_of_day
from tracker.ledger import Ledger
from tracker.reports import build_report, period_ends, render, write_series

YEAR_END = end_of_day(date(2024, 12, 31))
QUARTER_ENDS = [end_of_day(date(2024, month, day))
                for month, day in ((3, 31), (6, 30), (9, 30), (12, 31))]


def names(paths: tuple[Path, ...]) -> list[str]:
    return sorted(path.name for path in paths)


@pytest.mark.parametrize(("every", "since", "until", "expected"), [
    ("month", date(2024, 1, 15), date(2024, 4, 10),
     [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)]),
    ("quarter", date(2024, 2, 10), date(2024, 12, 31),
     [date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31)]),
    ("year", date(2023, 6, 1), date(2025, 12, 30), [date(2023, 12, 31), date(2024, 12, 31)]),
    ("FREQ=WEEKLY;BYDAY=SU", date(2024, 1, 1), date(2024, 1, 31),
     [date(2024, 1, 7), date(2024, 1, 14), date(2024, 1, 21), date(2024, 1, 28)]),
    ("RRULE:FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=15", date(2024, 1, 1), date(2024, 6, 30),
     [date(2024, 1, 15), date(2024, 3, 15), date(2024, 5, 15)]),
])
def test_period_ends(every: str, since: date, until: date, expected: list[date]) -> None:
    ends = period_ends(every, since, end_of_day(until))
    assert ends == tuple(end_of_day(day) for day in expected)


def test_period_ends_refuses_sub_daily_and_bad_rules() -> None:
    with pytest.raises(InvalidInput, match="within a day"):
        period_ends("FREQ=HOURLY", date(2024, 1, 1), YEAR_END)
    with pytest.raises(InvalidInput, match="month, quarter or year"):
        period_ends("fortnightly", date(2024, 1, 1), YEAR_END)
    with pytest.raises(InvalidInput, match="leave DTSTART out"):
        period_ends("DTSTART:20200101T000000Z\nRRULE:FREQ=MONTHLY", date(2024, 1, 1), YEAR_END)


def test_cli_refuses_a_period_with_its_own_start_before_writing(
        run_cli: Run, year: Ledger, tmp_path: Path) -> None:
    """Pasted from a calendar, the rule's DTSTART counted the periods from 2020: the series
    was refused with "give an earlier --since" (the wrong advice) and left its folder made."""
    out = tmp_path / "series"
    refused = run_cli("report", "--every", "DTSTART:20200101T000000Z\nRRULE:FREQ=MONTHLY",
                      "--since", "2024-01-01", "--until", "2024-03-31", "--out-dir", str(out))
    assert refused.exit_code == 2
    assert "leave DTSTART out of --every" in refused.stderr
    assert not out.exists()


def test_a_period_that_never_comes_round_is_not_advised_an_earlier_since(
        engine: Engine, tmp_path: Path) -> None:
    """The fifth Monday of a week never comes: the series was refused with "give an earlier
    --since or a later --until", which no date could satisfy."""
    out = tmp_path / "series"
    with pytest.raises(InvalidInput, match=r"'FREQ=WEEKLY;BYDAY=MO;BYSETPOS=5' never comes "
                       r"round from 2024-01-01: no period ends at all \(check its BY parts\)"):
        write_series(engine, "FREQ=WEEKLY;BYDAY=MO;BYSETPOS=5", date(2024, 1, 1), YEAR_END, out)
    assert not out.exists()


def test_a_period_is_named_in_any_case() -> None:
    until = end_of_day(date(2024, 12, 31))
    for named in ("month", "quarter", "year"):
        expected = period_ends(named, date(2024, 1, 1), until)
        assert period_ends(named.capitalize(), date(2024, 1, 1), until) == expected
        assert period_ends(f" {named.upper()} ", date(2024, 1, 1), until) == expected


def test_a_series_may_have_as_many_periods_as_the_limit_and_not_one_more() -> None:
    from tracker.reports.series import MAX_PERIODS

    since = date(2020, 1, 1)
    last = since + timedelta(days=MAX_PERIODS - 1)
    assert len(period_ends("FREQ=DAILY", since, end_of_day(last))) == MAX_PERIODS
    with pytest.raises(InvalidInput, match=f"more than {MAX_PERIODS} periods"):
        period_ends("FREQ=DAILY", since, end_of_day(last + timedelta(days=1)))


def test_a_rule_that_comes_round_twice_a_day_ends_one_period_that_day() -> None:
    """Hours in a rule are read as their day: two occurrences on one day end one period,
    not two reports for the same period end."""
    ends = period_ends("FREQ=DAILY;BYHOUR=9,18", date(2024, 1, 1), end_of_day(date(2024, 1, 3)))
    assert ends == tuple(end_of_day(date(2024, 1, day)) for day in (1, 2, 3))


@pytest.fixture
def year(ledger: Ledger, clock: Clock) -> Ledger:
    build_dataset(ledger, clock)
    record_later_entries(ledger, clock)
    return ledger


def test_quarterly_series(engine: Engine, year: Ledger, clock: Clock, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    first = write_series(engine, "quarter", date(2024, 1, 1), YEAR_END, out)
    files = ["index.html"] + [f"report-{end.date()}.html" for end in QUARTER_ENDS]
    assert names(first.written) == sorted(files) and first.unchanged == ()
    assert sorted(path.name for path in out.iterdir()) == sorted(files)
    # Report k is exactly the stand-alone report for its period.
    previous = end_of_day(date(2023, 12, 31))
    for end in QUARTER_ENDS:
        expected = render(build_report(engine, end, since=previous), "html")
        assert (out / f"report-{end.date()}.html").read_text(encoding="utf-8") == expected
        previous = end
    index = (out / "index.html").read_text(encoding="utf-8")
    assert [index.index(f'href="report-{end.date()}.html"') for end in reversed(QUARTER_ENDS)] \
        == sorted(index.index(f'href="report-{end.date()}.html"') for end in QUARTER_ENDS)
    assert "7 claims: 1 confirmed, 1 partly, 1 annulled, 4 open, 2 overdue" in index
    assert "<script" not in index

    # Re-running writes nothing.
    stamps = {path.name: path.stat().st_mtime_ns for path in out.iterdir()}
    again = write_series(engine, "quarter", date(2024, 1, 1), YEAR_END, out)
    assert again.written == () and names(again.unchanged) == sorted(files)
    assert {path.name: path.stat().st_mtime_ns for path in out.iterdir()} == stamps

    # An entry recorded in the fourth quarter changes only that report and the index.
    clock.now = datetime(2024, 11, 5, 9, tzinfo=UTC)
    year.add_evidence("fusion-pilot", title="Permit filed", stance="supports",
                      observed_on=date(2024, 11, 1), reviewer="ann")
    third = write_series(engine, "quarter", date(2024, 1, 1), YEAR_END, out)
    assert names(third.written) == ["index.html", "report-2024-12-31.html"]

    # One recorded in the third quarter leaves the first two untouched.
    clock.now = datetime(2024, 8, 1, 9, tzinfo=UTC)
    year.forecast("fusion-pilot", 0.2, reviewer="bob")
    fourth = write_series(engine, "quarter", date(2024, 1, 1), YEAR_END, out)
    assert "report-2024-09-30.html" in names(fourth.written)
    assert {"report-2024-03-31.html", "report-2024-06-30.html"} <= set(names(fourth.unchanged))


def test_series_in_markdown_and_json(engine: Engine, year: Ledger, tmp_path: Path) -> None:
    until = end_of_day(date(2024, 6, 30))
    markdown = write_series(engine, "quarter", date(2024, 1, 1), until, tmp_path, "md")
    assert names(markdown.written) == ["index.md", "report-2024-03-31.md",
                                       "report-2024-06-30.md"]
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert ("| [2024-06-30](report-2024-06-30.md) | 6 claims: 1 partly, 1 refuted, 1 annulled, "
            "3 open, 1 overdue | 1 new, 3 resolved, 1 reopened, 1 status change, 1 edit, 2 "
            "evidence entries, 1 retraction, 2 forecasts |") in index
    write_series(engine, "quarter", date(2024, 1, 1), until, tmp_path, "json")
    document = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert [entry["file"] for entry in document["reports"]] == [
        "report-2024-03-31.json", "report-2024-06-30.json"]
    second = json.loads((tmp_path / "report-2024-06-30.json").read_text(encoding="utf-8"))
    assert second["since"] == "2024-03-31T23:59:59.999999Z"
    assert second["previous_status"]["as_of"] == "2024-03-31T23:59:59.999999Z"


@pytest.mark.parametrize("name", ["report-2024-06-30.md", "index.md"])
def test_a_folder_in_the_way_is_refused_before_any_report_is_written(
    engine: Engine, year: Ledger, tmp_path: Path, name: str
) -> None:
    """The March report was written and then June's place was found to be a folder: the
    series stopped half-way, with no index, and said only that June's could not be written.
    (The index's place likewise: every report was written, and then no index.)"""
    out = tmp_path / "reports"
    (out / name).mkdir(parents=True)
    with pytest.raises(CannotWrite) as refused:
        write_series(engine, "quarter", date(2024, 1, 1), end_of_day(date(2024, 6, 30)),
                     out, "md")
    assert str(refused.value).endswith("it is a folder; nothing of the series was written")
    assert sorted(path.name for path in out.iterdir()) == [name]


def test_a_report_place_that_cannot_be_looked_at_is_refused_before_any_is_written(
    engine: Engine, year: Ledger, tmp_path: Path
) -> None:
    """A link to itself in June's place: the check before writing passed it by, so March's
    report was written, and then the series stopped with no index."""
    out = tmp_path / "reports"
    out.mkdir()
    (out / "report-2024-06-30.md").symlink_to("report-2024-06-30.md")
    with pytest.raises(CannotWrite) as refused:
        write_series(engine, "quarter", date(2024, 1, 1), end_of_day(date(2024, 6, 30)),
                     out, "md")
    assert str(refused.value).startswith(f"cannot write {out / 'report-2024-06-30.md'}: ")
    assert str(refused.value).endswith("; nothing of the series was written")
    assert sorted(path.name for path in out.iterdir()) == ["report-2024-06-30.md"]


def test_the_first_report_covers_its_own_period(engine: Engine, year: Ledger,
                                                 tmp_path: Path) -> None:
    write_series(engine, "month", date(2024, 4, 1), end_of_day(date(2024, 4, 30)), tmp_path,
                 "json")
    april = json.loads((tmp_path / "report-2024-04-30.json").read_text(encoding="utf-8"))
    start = end_of_day(date(2024, 3, 31))
    assert april["since"] == start.isoformat().replace("+00:00", "Z")
    assert april["changes"]["counts"]["evidence"] == 2  # both recorded on April 10
    assert datetime.fromisoformat(april["since"]) + timedelta(microseconds=1) == datetime(
        2024, 4, 1, tzinfo=UTC)


Run = Callable[..., CliOutcome]


def test_cli_series(run_cli: Run, year: Ledger, tmp_path: Path) -> None:
    out = tmp_path / "series"
    args = ("report", "--every", "quarter", "--since", "2024-01-01", "--until", "2024-12-31",
            "--out-dir", str(out))
    first = run_cli(*args)
    assert first.exit_code == 0, first.stderr
    assert first.stdout.count("wrote ") == 5
    assert "4 reports: 5 files written, 0 unchanged" in first.stdout
    second = run_cli(*args)
    assert second.exit_code == 0 and "wrote " not in second.stdout
    assert "4 reports: 0 files written, 5 unchanged" in second.stdout
    one = run_cli("report", "--every", "quarter", "--since", "2024-01-01", "--until",
                  "2024-03-31", "--out-dir", str(tmp_path / "one"))
    assert "1 report: 2 files written, 0 unchanged" in one.stdout  # not "1 reports"
    assert "1 report, newest first" in (tmp_path / "one" / "index.html").read_text("utf-8")
    weekly = run_cli("report", "--every", "FREQ=WEEKLY;BYDAY=SU", "--since", "2024-06-01",
                     "--until", "2024-06-30", "--out-dir", str(tmp_path / "weekly"),
                     "--format", "md")
    assert weekly.exit_code == 0, weekly.stderr
    assert sorted(path.name for path in (tmp_path / "weekly").iterdir()) == [
        "index.md", "report-2024-06-02.md", "report-2024-06-09.md", "report-2024-06-16.md",
        "report-2024-06-23.md", "report-2024-06-30.md"]


def test_a_series_from_the_first_day_of_the_calendar_is_written(run_cli: Run,
                                                                tmp_path: Path) -> None:
    """--since 0001-01-01 has no instant before it to be the previous period's end: the
    series failed with "tracker failed unexpectedly (OverflowError ...)"."""
    out = tmp_path / "series"
    first = run_cli("report", "--every", "year", "--since", "0001-01-01", "--until",
                    "0001-12-31", "--out-dir", str(out), "--format", "json")
    assert first.exit_code == 0, first.stderr
    report = json.loads((out / "report-0001-12-31.json").read_text(encoding="utf-8"))
    assert report["since"] == "0001-01-01T00:00:00Z"

