"""Writing a report from the app: the palette command, each field checked, the file written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select

import tracker.reports
from tests.conftest import Clock
from tests.tui.conftest import SIZE, fill, settle, type_text
from tests.tui.test_forms import hint
from tracker.horizons import end_of_day
from tracker.ledger import Ledger
from tracker.reports import build_report, render
from tracker.tui.app import TrackerApp
from tracker.tui.dialogs.report import ReportDialog


@pytest.fixture(autouse=True)
def _after_the_reports_dates(seeded: Ledger, clock: Clock) -> None:
    """The app's clock after the dates these reports are as of (a report cannot be about
    the future); after `seeded`, which starts the clock where its data left it."""
    clock.now = datetime(2024, 7, 10, 12, tzinfo=UTC)


async def open_report_form(pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+p")
    await type_text(pilot, "write report")
    results = pilot.app.screen.query_one(OptionList)
    for _ in range(250):  # the palette searches in the background: wait for its answer
        await pilot.pause(0.02)
        if results.highlighted is not None and "Write report" in str(
                results.get_option_at_index(results.highlighted).prompt):
            break
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ReportDialog)


async def test_write_report_checks_each_field_then_writes_the_file(
    seeded: Ledger, engine: Engine, tui: Callable[..., TrackerApp], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "work"  # where the app is started (the test database is beside it)
    folder.mkdir()
    monkeypatch.chdir(folder)
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_report_form(pilot)
        text, error = hint(app, "file")
        assert text.startswith(f"writes {folder / 'report-'}") and text.endswith(".html")
        assert not error

        await fill(pilot, "as-of", "2099-01-01")
        assert hint(app, "as-of") == (
            "a report as of 2099-01-01 would be about the future (today is 2024-07-10 in UTC; "
            "2024-07-11 is allowed for time zones ahead of UTC): give 2024-07-11 or an earlier "
            "date", True)
        await fill(pilot, "as-of", "2024-06-30")
        assert hint(app, "as-of") == ("read as 2024-06-30 (end of day UTC)", False)
        assert hint(app, "file") == (f"writes {folder / 'report-2024-06-30.html'}", False)
        await fill(pilot, "since", "someday")
        assert hint(app, "since")[1]
        await fill(pilot, "since", "2024-07-15")
        assert hint(app, "since") == ("give a date before the report's, 2024-06-30 (end of day "
                                      "UTC): the end of the previous period", True)
        await fill(pilot, "since", "2024-03-31")
        assert hint(app, "since") == ("read as 2024-03-31 (end of day UTC)", False)
        await fill(pilot, "file", "q2.md")
        assert hint(app, "file") == ("q2.md names a Markdown file but the format is HTML: "
                                     "change one of them", True)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ReportDialog)  # refused: nothing written
        assert list(folder.iterdir()) == []

        app.screen.query_one("#format", Select).value = "md"
        await pilot.pause()
        assert hint(app, "file") == (f"writes {folder / 'q2.md'}", False)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ReportDialog)
        expected = render(build_report(engine, end_of_day(date(2024, 6, 30)),
                                       since=end_of_day(date(2024, 3, 31))), "md")
        assert (folder / "q2.md").read_text(encoding="utf-8") == expected
        assert any(f"Written: {folder / 'q2.md'}" in notice.message
                   for notice in app._notifications)

        await open_report_form(pilot)  # the same report again: the file is left alone
        await fill(pilot, "as-of", "2024-06-30")
        await fill(pilot, "since", "2024-03-31")
        app.screen.query_one("#format", Select).value = "md"
        await fill(pilot, "file", "q2")
        assert hint(app, "file") == (f"writes {folder / 'q2.md'} (replacing the file there)",
                                     False)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any("Unchanged" in notice.message for notice in app._notifications)


async def test_a_report_that_cannot_be_written_is_shown_and_the_app_goes_on(
    seeded: Ledger, tui: Callable[..., TrackerApp], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The form checks what it can foresee; a write can still fail (a full disk, a folder
    made read-only meanwhile)."""
    monkeypatch.chdir(tmp_path)

    def disk_full(*args: object) -> bool:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tracker.reports, "write_report", disk_full)
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_report_form(pilot)
        await fill(pilot, "file", "report.html")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.is_running and not isinstance(app.screen, ReportDialog)
        assert any(notice.title == "Report not written" and "No space left" in notice.message
                   and "report.html" in notice.message for notice in app._notifications)
        assert not (tmp_path / "report.html").exists()


async def test_the_file_field_reads_folders_names_and_suffixes(
    seeded: Ledger, tui: Callable[..., TrackerApp], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "work"
    (folder / "reports").mkdir(parents=True)
    monkeypatch.chdir(folder)
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_report_form(pilot)
        await fill(pilot, "as-of", "2024-06-30")
        new = folder / "new"
        for typed, written in (
            ("reports", f"{folder / 'reports' / 'report-2024-06-30.html'}"),  # a folder
            ("new/", f"{new / 'report-2024-06-30.html'} (making the folder {new})"),
            ("new/2024/q2", f"{new / '2024' / 'q2.html'} (making the folder {new / '2024'})"),
            ("q2", f"{folder / 'q2.html'}"),
            ("q2.2024", f"{folder / 'q2.2024.html'}"),  # a dot is not a report suffix
            ("Q2.HTM", f"{folder / 'Q2.HTM'}"),
            (str(tmp_path / "elsewhere.html"), f"{tmp_path / 'elsewhere.html'}"),
        ):
            await fill(pilot, "file", typed)
            assert hint(app, "file") == (f"writes {written}", False), typed
        await fill(pilot, "file", "~no-such-user-here/q2.html")
        text, error = hint(app, "file")
        assert error and text.startswith("cannot use ~no-such-user-here/q2.html")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ReportDialog) and app.is_running

        (folder / "notes.txt").write_text("a file, not a folder", encoding="utf-8")
        for typed in ("notes.txt/q2", "notes.txt/", "notes.txt/deeper/q2.html"):
            await fill(pilot, "file", typed)
            text, error = hint(app, "file")
            assert error and text.startswith(f"cannot write {folder / 'notes.txt'}/"), typed
            assert text.endswith(f": {folder / 'notes.txt'} is a file, not a folder"), typed
        await pilot.press("ctrl+s")  # refused in the form, with what was typed kept
        assert isinstance(app.screen, ReportDialog)
        assert app.screen.query_one("#file", Input).value == "notes.txt/deeper/q2.html"

        await fill(pilot, "since", "2024-05-31")
        assert hint(app, "since") == ("read as 2024-05-31 (end of day UTC)", False)
        await fill(pilot, "as-of", "2024-04-30")  # now the since date is after it
        assert hint(app, "since")[1]
        await fill(pilot, "as-of", "not a date")  # its own error; the others still read
        assert hint(app, "as-of")[1]
        await fill(pilot, "file", "")
        text, error = hint(app, "file")
        assert text.startswith(f"writes {folder / 'report-'}") and not error


async def test_the_as_of_hint_lines_up_with_the_others(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """The scores screen's rule for its own as-of hint (same id) indented this one."""
    app = tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_report_form(pilot)
        lefts = {field: app.screen.query_one(f"#{field}-hint").content_region.x
                 for field in ("as-of", "since", "file")}
        assert len(set(lefts.values())) == 1, lefts
