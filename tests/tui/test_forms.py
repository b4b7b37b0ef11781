"""Every form, driven by keys: what it writes, each validation error, conflicts and refusals."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, Static
from textual.widgets._footer import FooterKey

from tests.tui.conftest import SIZE, fill, pane_text, settle, type_text, write_keymap
from tracker.errors import InvalidInput
from tracker.ledger import Ledger
from tracker.queries import Queries
from tracker.tui.app import TrackerApp
from tracker.tui.dialogs.conflict import ConflictDialog
from tracker.tui.dialogs.evidence import EvidenceDialog
from tracker.tui.dialogs.forecast import ForecastDialog
from tracker.tui.dialogs.reopen import ReopenDialog
from tracker.tui.dialogs.retract import RetractDialog
from tracker.tui.dialogs.status import StatusDialog
from tracker.tui.screens.claims import ClaimsScreen
from tracker.tui.widgets.claim_detail import ClaimDetailView
from tracker.tui.widgets.claims_table import ClaimsTable


def hint(app: TrackerApp, field: str) -> tuple[str, bool]:
    """The text under a field, and whether it shows an error."""
    widget = app.screen.query_one(f"#{field}-hint", Static)
    return str(widget.render()), widget.has_class("-error")


async def open_claim(pilot: Pilot[None], slug: str) -> None:
    pilot.app.claims_screen.show_claim(slug)  # type: ignore[attr-defined]
    await settle(pilot)


def my_forecasts(queries: Queries, slug: str) -> list[float]:
    return [item.probability for item in queries.claim_detail(slug).forecasts
            if item.reviewer == "alice"]


async def test_forecast_errors_inline_then_odds_are_recorded(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f", "enter")
        assert hint(app, "probability") == ("give a probability: 0.7, 70% or 7:3", True)
        for typed, message in (("150%", "outside [0, 1]"), ("lots", "is not a probability")):
            await type_text(pilot, typed)
            await pilot.press("enter")
            text, is_error = hint(app, "probability")
            assert is_error and message in text
            assert isinstance(app.screen, ForecastDialog)
            app.screen.query_one("#probability", Input).clear()
        assert my_forecasts(queries, "ev-share") == [0.6]  # nothing written yet
        await pilot.press(*"7:3")
        assert hint(app, "probability") == ("read as 70.0%", False)
        await pilot.press("tab")
        await type_text(pilot, "base rate")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClaimsScreen)
    assert my_forecasts(queries, "ev-share") == [0.6, 0.7]
    assert queries.claim_detail("ev-share").forecasts[-1].rationale == "base rate"


async def test_forecast_says_why_0_0_odds_do_not_read_then_takes_a_plain_decimal(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await type_text(pilot, "0:0")
        await pilot.press("enter")
        assert hint(app, "probability") == (
            "odds '0:0' say nothing: one side must be above 0, as in 7:3", True)
        assert isinstance(app.screen, ForecastDialog)
        await fill(pilot, "probability", "0.35")
        assert hint(app, "probability") == ("read as 35.0%", False)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClaimsScreen)
    assert my_forecasts(queries, "ev-share") == [0.6, 0.35]


async def test_evidence_errors_each_field_then_is_recorded_with_the_date_as_read(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e", "ctrl+s")
        assert hint(app, "title") == ("a title is required", True)
        await type_text(pilot, "Q3 sales")
        await pilot.press("tab")
        await type_text(pilot, "iea.org")
        assert hint(app, "url")[1]
        await pilot.press("ctrl+s")
        assert "is not a web address" in hint(app, "url")[0]
        app.screen.query_one("#url", Input).value = "https://iea.org/q 3"
        await pilot.press("ctrl+s")
        assert "is not a web address" in hint(app, "url")[0]
        app.screen.query_one("#url", Input).value = "https://iea.org/q3"
        await pilot.press("ctrl+s")
        assert hint(app, "stance") == ("choose the stance", True)
        await pilot.press("enter", "down", "down", "enter", "tab")  # stance: refutes
        await type_text(pilot, "someday")
        assert "cannot read 'someday' as a date" in hint(app, "observed")[0]
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, EvidenceDialog)
        assert len(queries.claim_detail("ev-share").evidence) == 1  # nothing written yet
        await fill(pilot, "observed", "3 Mar 2024")  # the app's clock: 2024-01-01
        assert hint(app, "observed") == (
            "observed on 2024-03-03 is more than a day after it is recorded (2024-01-01): give "
            "the day it was published or happened", True)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, EvidenceDialog)
        await fill(pilot, "observed", "3 Dec 2023")
        assert hint(app, "observed") == ("read as Sunday 3 December 2023", False)
        await pilot.press("tab")
        await type_text(pilot, "flat")
        await pilot.press("ctrl+s")
        await settle(pilot)
    added = queries.claim_detail("ev-share").evidence[-1]
    assert (added.title, added.url, added.stance, added.observed_on, added.summary,
            added.reviewer) == ("Q3 sales", "https://iea.org/q3", "refutes", date(2023, 12, 3),
                                "flat", "alice")


async def test_status_change(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c", "ctrl+s")
        assert hint(app, "status") == ("choose the status", True)
        await pilot.press("enter", "down", "enter", "tab")
        await type_text(pilot, "pilots")
        await pilot.press("tab")
        await type_text(pilot, "the ides of March")
        await pilot.press("ctrl+s")
        assert "cannot read 'the ides of March' as a date" in hint(app, "observed")[0]
        await fill(pilot, "observed", "2024-03-15")
        await pilot.press("ctrl+s")
        assert "is more than a day after it is recorded (2024-01-01)" in hint(app, "observed")[0]
        await fill(pilot, "observed", "2023-12-15")
        assert hint(app, "observed") == ("read as Friday 15 December 2023", False)
        await fill(pilot, "observed", "yesterday")  # by the app's clock: 2024-01-01
        assert hint(app, "observed") == ("read as Sunday 31 December 2023", False)
        await pilot.press("ctrl+s")
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)  # the screen shows what was saved
        assert table.cell(table.slugs.index("ev-share"), "status") == "developing"
        assert "[developing]  v2" in pane_text(app.screen.query_one("#detail", ClaimDetailView))
    detail = queries.claim_detail("ev-share")
    assert (detail.status, detail.version) == ("developing", 2)
    change = detail.status_changes[-1]
    assert (change.note, change.observed_on) == ("pilots", date(2023, 12, 31))


async def test_resolving_as_observed_before_the_forecasts_says_they_will_not_be_scored(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """Scoring takes the observed day as when the outcome was known: ev-share's two
    forecasts (made 2024-01-01) would silently drop out of the scores."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await fill(pilot, "observed", "2023-12-01")
        assert hint(app, "observed") == (
            "read as Friday 1 December 2023 · 2 forecasts made on or after that day will not "
            "be scored (the outcome counts as known from its start)", False)
        await fill(pilot, "observed", "2023-06-01")
        assert "2 forecasts" in hint(app, "observed")[0]
        await fill(pilot, "observed", "")
        assert hint(app, "observed") == ("", False)


async def test_the_forecast_form_says_when_the_deadline_has_passed(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """A forecast after the deadline is scored like any other, though it may know the
    outcome: the form says so (rates-cut was due 2023-11-30; ev-share is due 2030)."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await open_claim(pilot, "rates-cut")
        await pilot.press("f")
        subject = str(app.screen.query_one(".form-subject", Static).render())
        assert "its deadline passed on 2023-11-30: the outcome may be known already" in subject
        await pilot.press("escape")
        await open_claim(pilot, "ev-share")
        await pilot.press("f")
        assert "deadline passed" not in str(app.screen.query_one(".form-subject",
                                                                  Static).render())


async def test_resolve_partial_with_its_value_and_the_errors_before(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x", "ctrl+s")
        assert hint(app, "outcome") == ("choose the outcome", True)
        await pilot.press("enter", "down", "enter", "tab", *"0.4", "ctrl+s")  # yes + value
        assert hint(app, "value") == ("only a partial outcome takes a value, not yes", True)
        await fill(pilot, "value", "100%")  # while typed too, under "yes"
        assert hint(app, "value") == ("only a partial outcome takes a value, not yes", True)
        await pilot.press("shift+tab", "enter", "down", "down", "enter")  # partial
        assert hint(app, "value") == (  # checked again for the new outcome
            "a partial value of 1 is a full 'yes': resolve it as yes, or give a value between "
            "0 and 1", True)
        await fill(pilot, "value", "140%")  # a value, not a probability
        assert hint(app, "value") == (
            "partial value 140% is outside [0, 1]: write a value from 0 to 1", True)
        app.screen.query_one("#value", Input).clear()
        await pilot.press("tab", "ctrl+s")
        assert hint(app, "value") == ("a partial outcome needs a value: 0.4 or 40%", True)
        await type_text(pilot, "100%")  # said while typed, and again on save
        full = ("a partial value of 1 is a full 'yes': resolve it as yes, or give a value "
                "between 0 and 1", True)
        assert hint(app, "value") == full
        await pilot.press("ctrl+s")
        assert hint(app, "value") == full
        await fill(pilot, "value", "40%")
        assert hint(app, "value") == ("read as 40.0%", False)
        await pilot.press("tab")
        await type_text(pilot, "half")
        await pilot.press("tab")
        await type_text(pilot, "someday")
        await pilot.press("ctrl+s")
        assert "cannot read 'someday' as a date" in hint(app, "observed")[0]
        await fill(pilot, "observed", "1 Feb 2025")
        await pilot.press("ctrl+s")
        assert "is more than a day after it is recorded" in hint(app, "observed")[0]
        await fill(pilot, "observed", "1 Dec 2023")
        await pilot.press("ctrl+s")
        await settle(pilot)
    detail = queries.claim_detail("ev-share")
    assert detail.status == "partly"
    assert detail.resolution is not None
    resolution = detail.resolution
    assert (resolution.outcome, resolution.value, resolution.note, resolution.observed_on) == (
        "partial", 0.4, "half", date(2023, 12, 1))


async def test_retracting_evidence_and_reopening_ask_for_a_reason(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w", "tab", "enter")
        assert hint(app, "reason") == ("a reason is required", True)
        await type_text(pilot, "misread")
        await pilot.press("enter")
        await settle(pilot)
        await open_claim(pilot, "gdp-growth")
        await pilot.press("o", "enter")
        assert hint(app, "reason") == ("a reason is required", True)
        assert isinstance(app.screen, ReopenDialog)
        await type_text(pilot, "revised")
        await pilot.press("enter")
        await settle(pilot)
    retraction = queries.claim_detail("ev-share").evidence[0].retraction
    assert retraction is not None and retraction.reason == "misread"
    detail = queries.claim_detail("gdp-growth")
    assert detail.status == "open"
    assert detail.status_changes[-1].is_reopen and detail.status_changes[-1].note == "revised"


async def test_a_form_key_that_cannot_apply_says_why_instead_of_nothing(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    """On a resolved claim f, c and x are left out of the footer; pressed anyway, they did
    nothing at all. They say why now, and name the key that reopens (as remapped)."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_claim(pilot, "gdp-growth")
        for key in ("f", "c", "x"):
            app._notifications.clear()
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, ClaimsScreen), "no form opens"
            assert [notice.message for notice in app._notifications] == [
                "gdp-growth is confirmed, closed: press o to reopen it first"]
        await open_claim(pilot, "ev-share")
        app._notifications.clear()
        await pilot.press("o")
        await settle(pilot)
        assert [notice.message for notice in app._notifications] == [
            "ev-share is open: there is nothing to reopen"]
        app._notifications.clear()
        await pilot.press("f")  # a key that applies opens its form, without a notice
        await settle(pilot)
        assert isinstance(app.screen, ForecastDialog)
        assert not app._notifications
    assert queries.claim_detail("gdp-growth").status == "confirmed"


async def test_a_remapped_form_key_says_why_by_its_new_keys(
    seeded: Ledger, tui: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    app = tui(keymap_file=write_keymap(tmp_path,
                                       '"claim.forecast" = "p"\n"claim.reopen" = "ctrl+o"\n'))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_claim(pilot, "gdp-growth")
        await pilot.press("f")  # no longer the forecast key: nothing to say
        await settle(pilot)
        assert not app._notifications
        await pilot.press("p")
        await settle(pilot)
        assert [notice.message for notice in app._notifications] == [
            "gdp-growth is confirmed, closed: press ^o to reopen it first"]


async def test_a_remapped_form_key_typed_in_the_filter_stays_the_fields_own(
    seeded: Ledger, tui: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    """With retract on ctrl+w, ctrl+w in the filter said "no evidence left to retract"
    instead of deleting the word before the cursor, as the field does."""
    app = tui(keymap_file=write_keymap(tmp_path, '"claim.retract" = "ctrl+w"\n'))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_claim(pilot, "rates-cut")  # open, no evidence: retract cannot apply
        await pilot.press("slash")
        field = app.claims_screen.query_one("#filter", Input)
        field.value = ""  # it holds the slug jumped to
        await type_text(pilot, "rates cut")
        await pilot.press("ctrl+w")
        await settle(pilot)
        assert field.value == "rates "
        assert not app._notifications


async def test_retracting_the_entry_chosen_from_several(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    for title in ("Sales flat", "Subsidy cut"):
        seeded.add_evidence("ev-share", title=title, stance="refutes", reviewer="bob")
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w", "down", "enter")  # the second entry; enter moves to the reason
        await type_text(pilot, "duplicate")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClaimsScreen)
    retracted = {item.title: item.retraction and item.retraction.reason
                 for item in queries.claim_detail("ev-share").evidence}
    assert retracted == {"Sales up 30%": None, "Sales flat": "duplicate", "Subsidy cut": None}


async def test_the_entries_to_retract_come_in_the_detail_panes_order(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    """The pane lists evidence by the day it speaks of, the form listed it as recorded: the
    entry first in one was not first in the other."""
    seeded.add_evidence("ev-share", title="Old census", stance="context", reviewer="bob",
                        observed_on=date(2020, 1, 1))
    pane = [item.title for item in queries.claim_detail("ev-share").evidence_by_day]
    assert pane[0] == "Old census" != queries.claim_detail("ev-share").evidence[0].title
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        entries = app.screen.query_one("#entry", OptionList)
        shown = [str(entries.get_option_at_index(index).prompt)
                 for index in range(entries.option_count)]
        assert [next(title for title in pane if title in line) for line in shown] == pane
        await pilot.press("escape")


async def test_an_entry_retracted_meanwhile_is_named_and_no_other_is_chosen_for_retry(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    """Bob retracts the entry alice chose: her form comes back saying so, by title and
    name, with no entry chosen, so saving again cannot retract another one with her
    reason (it chose the first remaining entry, and a second ctrl+s retracted it)."""
    for title in ("Sales flat", "Subsidy cut"):
        seeded.add_evidence("ev-share", title=title, stance="refutes", reviewer="bob")
    first = queries.claim_detail("ev-share").evidence[0]
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        seeded.retract_evidence(first.uuid, reason="dup", reviewer="bob")
        await pilot.press("tab")
        await type_text(pilot, "misread")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RetractDialog)
        banner = str(app.screen.query_one("#form-error", Static).render())
        assert f"evidence '{first.title}' ({first.uuid[:8]}) was already retracted by bob" in (
            banner)
        assert app.screen.query_one("#entry", OptionList).highlighted is None
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RetractDialog)
        assert hint(app, "entry") == ("choose the entry to retract", True)
    retracted = {item.title: item.retraction and item.retraction.reviewer
                 for item in queries.claim_detail("ev-share").evidence}
    assert retracted == {first.title: "bob", "Sales flat": None, "Subsidy cut": None}


async def save_status_developing(pilot: Pilot[None], note: str) -> None:
    """In the status form of the claim on screen: developing, with `note`, saved."""
    await pilot.press("c", "enter", "down", "enter", "tab")
    await type_text(pilot, note)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_conflict_shows_the_fresh_claim_and_applies_the_kept_change(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seeded.change_status("ev-share", "stalled", reviewer="bob", note="supply issues")
        await save_status_developing(pilot, "pilots")
        assert isinstance(app.screen, ConflictDialog)
        reason = str(app.screen.query_one("#conflict-reason", Static).render())
        assert "changed by bob" in reason and "version 1" in reason
        assert "try again" not in reason  # the CLI's advice; the dialog has its own buttons
        fresh = str(app.screen.query_one("#conflict-mine", Static).render())
        assert fresh == "Your change, kept: ev-share is now developing"
        await pilot.press("a")
        await settle(pilot)
    detail = queries.claim_detail("ev-share")
    assert (detail.status, detail.version, detail.changed_by) == ("developing", 3, "alice")


async def test_conflict_edit_again_keeps_the_input_and_escape_writes_nothing(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seeded.change_status("ev-share", "stalled", reviewer="bob")
        await save_status_developing(pilot, "pilots")
        await pilot.press("e")
        assert isinstance(app.screen, StatusDialog)
        assert app.screen.query_one("#note", Input).value == "pilots"
        assert "now stalled" in str(app.screen.query_one(".field-label").render())
        await pilot.press("escape")
        await settle(pilot)
    assert queries.claim_detail("ev-share").version == 2


async def test_conflict_shows_the_claim_as_it_is_now_and_discard_writes_nothing(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seeded.change_status("ev-share", "stalled", reviewer="bob", note="supply issues")
        await save_status_developing(pilot, "pilots")
        assert isinstance(app.screen, ConflictDialog)
        fresh = pane_text(app.screen.query_one("#conflict-fresh", ClaimDetailView))
        assert "[stalled]" in fresh and "v2, changed by bob" in fresh
        changes = str(app.screen.query_one("#conflict-changes", Static).render())
        assert changes == "bob: status open -> stalled: supply issues"  # what, not only who
        behind = pane_text(app.claims_screen.query_one("#detail", ClaimDetailView))
        assert "[stalled]" in behind  # the screen behind shows the fresh claim too
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ClaimsScreen)
        assert any(notice.message == "Discarded: ev-share is now developing"
                   for notice in app._notifications)
        # The row agrees with the pane: the list is read again, not left at "open".
        assert [row.status for row in app.screen.rows if row.slug == "ev-share"] == ["stalled"]
        assert app.screen.table.current_slug == "ev-share"
    detail = queries.claim_detail("ev-share")
    assert (detail.version, detail.status, detail.changed_by) == (2, "stalled", "bob")


@pytest.mark.parametrize(("size", "expected"), [
    ((80, 24), ["… 5 earlier changes (tracker history)", "bob: status stalled -> open"]),
    (SIZE, ["… 3 earlier changes (tracker history)", "bob: status stalled -> developing",
            "bob: status developing -> stalled", "bob: status stalled -> open"]),
])
async def test_a_conflict_after_many_changes_lists_the_latest_that_fit(
    seeded: Ledger, tui: Callable[..., TrackerApp], size: tuple[int, int],
    expected: list[str]
) -> None:
    """The latest changes made the claim as it is; at 80x24 the dialog still fits whole
    (with six changes listed its title scrolled away)."""
    app = tui()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for status in ("stalled", "developing", "stalled", "developing", "stalled", "open"):
            seeded.change_status("ev-share", status, reviewer="bob")
        await save_status_developing(pilot, "pilots")
        assert isinstance(app.screen, ConflictDialog)
        changes = app.screen.query_one("#conflict-changes", Static)
        assert str(changes.render()).splitlines() == expected
        form = app.screen.query_one(".form")
        for part in (".form-title", "#conflict-reason", "#conflict-changes", "#discard"):
            assert form.can_view_entire(app.screen.query_one(part)), part


async def test_conflict_with_a_resolution_offers_no_apply_and_fits_80_columns(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    """Applying a status change to a claim resolved meanwhile could only be refused."""
    app = tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        seeded.resolve("ev-share", "no", reviewer="bob", note="sales fell")
        await save_status_developing(pilot, "pilots")
        dialog = app.screen
        assert isinstance(dialog, ConflictDialog)
        assert not dialog.query("#apply") and not dialog.query("#edit")  # any edit is refused
        assert "no longer applies to the claim as it is now (refuted)" in str(
            dialog.query_one("#conflict-not-applicable", Static).render())
        assert str(dialog.query_one("#conflict-mine", Static).render()) == (
            "Your change: ev-share is now developing")  # not "kept": nothing can use it
        form = dialog.query_one(".form")
        for part in (".form-title", "#conflict-reason", "#conflict-mine", "#discard"):
            assert form.can_view_entire(dialog.query_one(part)), part  # nothing scrolled away
        keys = {key.action for key in dialog.query(FooterKey)}  # its own footer, not the screen's
        assert "discard" in keys and not {"choose('apply')", "choose('edit')"} & keys
        assert "forecast" not in keys
        await pilot.press("a", "e")  # not offered: they do nothing
        await settle(pilot)
        assert app.screen is dialog
        await pilot.press("escape")
        await settle(pilot)
    assert queries.claim_detail("ev-share").status == "refuted"


async def test_a_conflict_taller_than_the_terminal_opens_at_its_heading(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """Focusing the claim in it scrolled the dialog past "Changed by someone else"."""
    app = tui()
    async with app.run_test(size=(80, 20)) as pilot:
        await settle(pilot)
        seeded.change_status("ev-share", "stalled", reviewer="bob", note="supply issues")
        await save_status_developing(pilot, "pilots")
        dialog = app.screen
        assert isinstance(dialog, ConflictDialog)
        form = dialog.query_one(".form")
        assert form.max_scroll_y > 0, "taller than the terminal: it must scroll"
        assert form.scroll_y == 0
        assert form.can_view_entire(dialog.query_one(".form-title"))


async def test_a_conflict_over_the_same_status_offers_to_edit_with_the_note_kept(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    """Bob set the status alice was choosing: hers cannot apply, and the form she may edit
    again no longer offers that status (it crashed preselecting it)."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seeded.change_status("ev-share", "stalled", reviewer="bob")
        await pilot.press("c", "enter", "down", "down", "enter", "tab")  # stalled
        await type_text(pilot, "supply issues")
        await pilot.press("ctrl+s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConflictDialog)
        assert not dialog.query("#apply") and dialog.query("#edit")
        assert str(dialog.query_one("#conflict-not-applicable", Static).render()) == (
            "It no longer applies to the claim as it is now (stalled).")
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, StatusDialog)
        assert form.query_one("#note", Input).value == "supply issues"
        assert form.query_one("#status", Select).is_blank()
        await pilot.press("enter", "down", "down", "enter")  # has the focus: open, developing
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ClaimsScreen)
    detail = queries.claim_detail("ev-share")
    assert (detail.status, detail.changed_by, detail.status_changes[-1].note) == (
        "developing", "alice", "supply issues")


async def test_a_conflict_whose_fresh_claim_cannot_be_read_keeps_the_input(
    seeded: Ledger, tui: Callable[..., TrackerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = tui()

    def locked(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("SELECT ...", (), sqlite3.OperationalError("database is locked"))

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seeded.change_status("ev-share", "stalled", reviewer="bob")
        monkeypatch.setattr(app.queries, "claim_detail", locked)
        await save_status_developing(pilot, "pilots")
        assert isinstance(app.screen, StatusDialog)
        assert app.screen.query_one("#note", Input).value == "pilots"
        assert "changed by bob" in str(app.screen.query_one("#form-error", Static).render())


async def test_a_refusal_after_the_reviewer_moved_on_stays_with_the_claim_now_shown(
    seeded: Ledger, tui: Callable[..., TrackerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No form reopens over the next claim, and the pane keeps showing the claim the cursor
    is on; the notification says what was not saved."""
    app = tui()
    moved_on = threading.Event()

    def refusal_once_moved_on(*_args: object, **_kwargs: object) -> None:
        moved_on.wait(10)  # the refusal arrives after the cursor moved, however slow the machine
        raise InvalidInput("refused for a test")

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app.ledger, "forecast", refusal_once_moved_on)
        await pilot.press("f", *"30%")
        await pilot.press("enter")  # saving: the write waits in its worker
        while not isinstance(app.screen, ClaimsScreen):
            await pilot.pause(0.01)
        await pilot.press("down")
        while app.claims_screen.table.current_slug != "fusion-grid":
            await pilot.pause(0.01)
        moved_on.set()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClaimsScreen)
        assert screen.table.current_slug == "fusion-grid"
        assert screen.detail is not None and screen.detail.slug == "fusion-grid"
        assert any(notice.message == "forecast 30% on ev-share: refused for a test"
                   for notice in app._notifications)


async def test_a_database_error_on_saving_reopens_the_form_with_the_input(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    app = tui()

    def failing(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT INTO forecasts (rationale) VALUES (?)",
                               ("my careful reasoning",),
                               sqlite3.OperationalError("disk I/O error"))

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app.ledger, "forecast", failing)
        await pilot.press("f", *"30%")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ForecastDialog)
        assert app.screen.query_one("#probability", Input).value == "30%"  # as typed
        error = str(app.screen.query_one("#form-error", Static).render())
        assert error == "the database could not save this: disk I/O error"
    assert my_forecasts(queries, "ev-share") == [0.6]


async def test_a_refused_write_reopens_the_form_with_the_input_and_the_reason(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f", *"30%")
        seeded.resolve("ev-share", "no", reviewer="bob")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ForecastDialog)
        assert app.screen.query_one("#probability", Input).value == "30%"  # as typed
        error = str(app.screen.query_one("#form-error", Static).render())
        assert "ev-share is refuted now (changed meanwhile)" in error
        assert "press o to reopen it first" in error and "tracker reopen" not in error
        assert "refuted" in str(app.screen.query_one(".form-subject", Static).render())
        await pilot.press("escape")
        await settle(pilot)  # the screen shows the claim as it is now: Reopen, not Resolve
        assert app.claims_screen.detail is not None
        assert app.claims_screen.detail.status == "refuted"
        assert app.claims_screen.check_action("reopen", ())
        assert not app.claims_screen.check_action("resolve", ())
    assert my_forecasts(queries, "ev-share") == [0.6]


async def test_a_form_fits_a_small_terminal_and_scrolls_to_each_field_in_turn(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    width, height = 80, 24
    app = tui()
    async with app.run_test(size=(width, height)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen.query_one(".form")
        assert form.region.right <= width and form.region.bottom <= height
        assert form.scroll_y == 0  # opens at its top: heading and claim in view
        assert form.can_view_entire(app.screen.query_one(".form-subject"))
        seen = []
        for _ in range(12):
            focused = app.focused
            assert focused is not None and form.can_view_entire(focused), focused
            seen.append(focused.id)
            if focused.id == "save":
                break
            await pilot.press("tab")
            await pilot.pause()
        assert seen == ["title", "url", "stance", "observed", "summary", "save"]


async def test_a_reason_under_a_field_stays_in_view_in_a_form_that_scrolls(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, EvidenceDialog)
        await pilot.press("tab", "tab", "tab")  # title, URL, stance: to the date, as typed
        assert app.focused is app.screen.query_one("#observed")
        await type_text(pilot, "2099-01-01")  # two lines of reason at 80 columns
        await settle(pilot)
        form, reason = app.screen.query_one(".form"), app.screen.query_one("#observed-hint")
        assert reason.has_class("-error") and reason.region.height == 2
        assert form.can_view_entire(reason)
