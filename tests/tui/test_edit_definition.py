"""Editing a claim's definition in the app: each field checked, a new revision written, the
old one kept, and a concurrent edit shown as a conflict with nothing lost."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, Static

from tests.conftest import Clock
from tests.tui.conftest import SIZE, definition, fill, keep_source_copy, pane_text, settle
from tests.tui.test_forms import hint
from tracker import definitions
from tracker.horizons import end_of_day, parse_deadline
from tracker.ledger import Ledger
from tracker.queries import Queries
from tracker.tui.app import TrackerApp
from tracker.tui.dialogs.conflict import ConflictDialog
from tracker.tui.dialogs.edit import EditDialog
from tracker.tui.widgets.claim_detail import ClaimDetailView


async def open_edit(pilot: Pilot[None]) -> None:
    """From the claims screen as it opens, into the edit form of the claim selected."""
    await settle(pilot)
    await pilot.press("d")
    await settle(pilot)
    assert isinstance(pilot.app.screen, EditDialog)


async def test_edit_checks_each_field_then_records_a_new_revision(
    seeded: Ledger, queries: Queries, clock: Clock, tui: Callable[..., TrackerApp]
) -> None:
    before = queries.claim_detail("ev-share")
    clock.advance(days=30)  # the edit says the claim was made on 2024-01-15: before today
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await open_edit(pilot)
        assert app.screen.query_one("#title", Input).value == "EVs reach half of new car sales"
        assert hint(app, "deadline") == (
            "unchanged: 2030-12-31 ('none' removes it)", False)

        await pilot.press("ctrl+s")  # nothing changed yet
        assert isinstance(app.screen, EditDialog)
        assert hint(app, "title") == ("nothing changed: edit a field, or esc to cancel", True)
        await fill(pilot, "title", "EVs reach half of new car sales ")  # blanks change nothing
        await fill(pilot, "tags", "energy, energy")
        await pilot.press("ctrl+s")
        assert hint(app, "title") == ("nothing changed: edit a field, or esc to cancel", True)

        await fill(pilot, "title", "")
        await pilot.press("ctrl+s")
        assert hint(app, "title") == ("a title is required", True)
        await fill(pilot, "title", "EVs reach half of new car sales worldwide")
        await fill(pilot, "deadline", "someday")
        assert hint(app, "deadline")[1]
        await fill(pilot, "deadline", "30 months")  # relative: from the made-on field
        assert hint(app, "deadline") == ("read as 2025-12-01", False)
        await fill(pilot, "made-on", "2024-01-15")
        assert hint(app, "deadline") == ("read as 2026-07-15", False)
        await fill(pilot, "cadence", "every month")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, EditDialog) and hint(app, "cadence")[1]
        await fill(pilot, "cadence", "monthly")
        assert hint(app, "cadence") == (
            "review cadence 'monthly' is not an RRULE: write 'FREQ=MONTHLY'", True)
        await fill(pilot, "cadence", "FREQ=YEARLY;COUNT=0")
        assert "asks for no further review" in hint(app, "cadence")[0]
        await fill(pilot, "cadence", "FREQ=MONTHLY;UNTIL=20200101")  # a typo in its year
        assert hint(app, "cadence") == (
            "ok, but it ended on 2020-01-01: no review is due after that day", False)
        await fill(pilot, "cadence", "FREQ=MONTHLY;INTERVAL=3")
        await fill(pilot, "tags", "transport, energy, transport")
        app.screen.query_one("#kind", Select).value = "fact"
        await fill(pilot, "note", "world-wide, as the source meant")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, EditDialog)
        shown = pane_text(app.screen.query_one("#detail", ClaimDetailView))
        assert "review cadence FREQ=MONTHLY;INTERVAL=3" in shown

    detail = queries.claim_detail("ev-share")
    d = detail.definition
    assert detail.version == before.version + 1 and detail.changed_by == "alice"
    assert d.title == "EVs reach half of new car sales worldwide"
    assert (d.made_on, d.horizon) == (date(2024, 1, 15), "30 months")
    assert d.deadline_end == end_of_day(date(2026, 7, 15))
    assert d.tags == ("energy", "transport") and d.review_cadence == "FREQ=MONTHLY;INTERVAL=3"
    assert d.kind == "fact"
    assert (d.statement, d.quote, d.source) == (before.definition.statement,
                                                before.definition.quote, "iea-2023")
    revisions = detail.revisions
    assert [r.version for r in revisions][-2:] == [before.version, before.version + 1]
    assert revisions[-1].note == "world-wide, as the source meant"
    assert revisions[-2].definition == before.definition  # the old one kept


async def start_edit_then_bob_renames(
    pilot: Pilot[None], seeded: Ledger, queries: Queries, field: str = "criteria",
    typed: str = "Resolves yes on IEA Global EV Outlook figures.",
) -> None:
    """Alice opens the form and changes the criteria (or `field`); meanwhile bob renames
    the claim."""
    await open_edit(pilot)
    await fill(pilot, field, typed)
    current = queries.claim_detail("ev-share")
    seeded.edit_claim("ev-share", replace(current.definition, title="EVs: half of sales"),
                      "bob", expected_version=current.version, note="shorter")
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ConflictDialog)


async def test_a_concurrent_edit_applied_to_the_new_version_keeps_both_changes(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await start_edit_then_bob_renames(pilot, seeded, queries)
        await pilot.press("a")
        await settle(pilot)
    detail = queries.claim_detail("ev-share")
    assert detail.definition.title == "EVs: half of sales"  # bob's, not undone
    assert detail.definition.criteria == "Resolves yes on IEA Global EV Outlook figures."
    assert [r.reviewer for r in detail.revisions][-2:] == ["bob", "alice"]


async def test_a_made_on_applied_over_a_relative_deadline_set_meanwhile_moves_it(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    """Bob gave the claim a deadline of 18 months as alice changed its made-on day: applied
    to his version, her day stood beside a deadline counted from the old one (the form,
    and `tracker edit --made-on`, move such a deadline with the day)."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await open_edit(pilot)
        await fill(pilot, "made-on", "2023-07-01")
        current = queries.claim_detail("ev-share")
        seeded.edit_claim("ev-share", replace(current.definition, horizon="18 months",
                                              deadline_rule="").with_deadline(
            parse_deadline("18 months", date(2023, 6, 1))),
            "bob", expected_version=current.version)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        await pilot.press("a")
        await settle(pilot)
    d = queries.claim_detail("ev-share").definition
    assert (d.made_on, d.horizon) == (date(2023, 7, 1), "18 months")
    assert d.deadline_end == end_of_day(date(2025, 1, 1))
    assert d.deadline_rule == "18 months after made-on 2023-07-01"


async def test_edit_again_after_a_conflict_shows_the_new_version_with_my_changes(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await start_edit_then_bob_renames(pilot, seeded, queries)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, EditDialog)
        assert app.screen.query_one("#title", Input).value == "EVs: half of sales"
        assert app.screen.query_one("#criteria", Input).value == (
            "Resolves yes on IEA Global EV Outlook figures.")
        await fill(pilot, "note", "IEA figures")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, (EditDialog, ConflictDialog))
    detail = queries.claim_detail("ev-share")
    assert detail.definition.title == "EVs: half of sales"
    assert detail.definition.criteria == "Resolves yes on IEA Global EV Outlook figures."
    assert detail.revisions[-1].note == "IEA figures"


async def test_an_edit_someone_else_made_meanwhile_is_not_applied_again(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    """Bob renamed the claim as alice was renaming it, to the same title: applying hers
    recorded a revision that changes nothing (the form itself refuses one)."""
    app = tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await start_edit_then_bob_renames(pilot, seeded, queries, "title", "EVs: half of sales ")
        dialog = app.screen
        assert [button.id for button in dialog.query(Button)] == ["edit", "discard"]
        assert "nothing is left to apply" in str(
            dialog.query_one("#conflict-not-applicable", Static).render())
        await pilot.press("a")  # not offered: does nothing
        await settle(pilot)
        assert app.screen is dialog
    assert [r.reviewer for r in queries.claim_detail("ev-share").revisions] == ["alice", "bob"]


@pytest.mark.parametrize(("typed", "read", "saved"), [
    ("2031-06-30", "read as 2031-06-30", end_of_day(date(2031, 6, 30))),
    # 'none' reopened as an empty field, which keeps the deadline: saving again after fixing
    # the refused field kept the deadline the reviewer had removed.
    ("none", "no deadline", None),
])
async def test_a_refused_edit_reopens_with_the_typed_deadline_kept(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp], typed: str, read: str,
    saved: object
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await open_edit(pilot)
        await fill(pilot, "deadline", typed)
        await fill(pilot, "title", "x" * 400)  # the ledger refuses a title this long
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EditDialog)
        assert app.screen.query_one("#deadline", Input).value == typed
        assert hint(app, "deadline") == (read, False)
        assert "title" in str(app.screen.query_one("#form-error", Static).render())
        await fill(pilot, "title", "EVs reach half of new car sales")
        await fill(pilot, "note", "deadline")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, EditDialog)
    assert queries.claim_detail("ev-share").definition.deadline_end == saved


async def test_a_tag_the_ledger_would_refuse_is_shown_under_the_tags_as_typed(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    """Tags are typed separated by commas: a ';' in one read back as two tags wherever tags
    are listed with ';' (a track record), and the ledger refuses it."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await open_edit(pilot)
        await fill(pilot, "tags", "energy, china;us")
        reason, error = hint(app, "tags")
        assert error and "tag 'china;us' holds ';'" in reason
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EditDialog)
        await fill(pilot, "tags", "energy, china, us")
        assert hint(app, "tags") == ("", False)
    assert queries.claim_detail("ev-share").definition.tags == ("energy",)
    assert queries.claim_detail("ev-share").definition.deadline_end == end_of_day(
        date(2030, 12, 31))


@pytest.mark.parametrize("tags", [("ai;ml",), ("ai, ml", "energy")])
async def test_a_tag_stored_before_the_rule_stays_through_an_edit_in_the_app(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp],
    monkeypatch: pytest.MonkeyPatch, tags: tuple[str, ...]
) -> None:
    """The form refused the claim's own 'ai;ml' under its tags: no edit could be saved
    until the tags were given again (the ledger keeps such a tag through an edit). And it
    lists the tags joined by ', ', reading them back split at ',': 'ai, ml' came back as
    two tags when only the title changed, and saving with nothing changed recorded that."""
    stored = queries.claim_detail("ev-share").definition
    with monkeypatch.context() as before_the_rule:
        before_the_rule.setattr(definitions, "check_tag", lambda tag: tag)
        seeded.edit_claim("ev-share", replace(stored, tags=tags), "bob")
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await open_edit(pilot)
        assert hint(app, "tags") == ("", False)
        await pilot.press("ctrl+s")
        assert hint(app, "title") == ("nothing changed: edit a field, or esc to cancel", True)
        await fill(pilot, "title", "EVs: half of sales")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, EditDialog)
    edited = queries.claim_detail("ev-share").definition
    assert (edited.title, edited.tags) == ("EVs: half of sales", tags)


async def test_a_deadline_the_ledger_refuses_is_shown_under_the_deadline(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    """Each date reads on its own; together the deadline is before the made-on date, which
    the ledger refuses: saving keeps the form open, the reason under the deadline, focused."""
    before = queries.claim_detail("ev-share")
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        app.claims_screen.show_claim("ev-share")
        await open_edit(pilot)
        await fill(pilot, "made-on", "2023-06-01")
        await fill(pilot, "deadline", "2023-01-31")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EditDialog)
        text, is_error = hint(app, "deadline")
        assert is_error and text.startswith("deadline 2023-01-31 is before the made-on date")
        assert app.focused is app.screen.query_one("#deadline", Input)
    assert queries.claim_detail("ev-share") == before


async def test_a_deadline_before_the_made_on_date_is_refused_as_either_is_typed(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    """The form said so only on saving; now under the deadline as the dates are typed, for
    a typed deadline and for the kept one that a later made-on date passes."""
    before = queries.claim_detail("rates-cut")  # made on 2023-06-01, due 2023-11-30
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        app.claims_screen.show_claim("rates-cut")
        await open_edit(pilot)
        await fill(pilot, "deadline", "2023-05-31")
        assert hint(app, "deadline") == (
            "deadline 2023-05-31 is before the made-on date 2023-06-01: check both dates", True)
        await fill(pilot, "deadline", "")
        assert hint(app, "deadline") == ("unchanged: 2023-11-30 ('none' removes it)", False)
        await fill(pilot, "made-on", "2023-12-15")
        assert hint(app, "deadline") == (
            "deadline 2023-11-30 is before the made-on date 2023-12-15: check both dates", True)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EditDialog)
        assert hint(app, "deadline")[1]
        await fill(pilot, "deadline", "2024-06-30")
        assert hint(app, "deadline") == ("read as 2024-06-30", False)
        await fill(pilot, "made-on", "2023-06-01")
    assert queries.claim_detail("rates-cut") == before


async def test_none_in_the_deadline_field_removes_the_deadline(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    """An empty field keeps the deadline, so the form had no way to remove one (`tracker
    edit --deadline ''` has)."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        app.claims_screen.show_claim("rates-cut")
        await open_edit(pilot)
        await fill(pilot, "deadline", " None ")
        assert hint(app, "deadline") == ("no deadline", False)
        await fill(pilot, "note", "no date was given after all")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, EditDialog)
    edited = queries.claim_detail("rates-cut")
    assert (edited.definition.deadline_start, edited.definition.deadline_end,
            edited.definition.horizon) == (None, None, "")
    assert edited.revisions[-1].note == "no date was given after all"
    assert edited.revisions[-2].definition.deadline_end is not None  # the old one kept


async def test_a_deadline_counted_from_made_on_moves_with_it(
    seeded: Ledger, queries: Queries, clock: Clock, tui: Callable[..., TrackerApp]
) -> None:
    """'18 months' after made-on: with the deadline field left empty ("unchanged"), a new
    made-on date kept the deadline of the old one."""
    seeded.create_claim(replace(definition("aaa-relative", "A relative deadline",
                                           deadline="18 months"), horizon="18 months"), "alice")
    clock.advance(days=400)
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await open_edit(pilot)
        assert hint(app, "deadline") == (
            "unchanged: 2024-12-01 ('none' removes it)", False)
        await fill(pilot, "made-on", "2024-01-15")
        assert hint(app, "deadline") == ("read as 2025-07-15", False)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, EditDialog)
    d = queries.claim_detail("aaa-relative").definition
    assert (d.made_on, d.deadline_end, d.horizon) == (
        date(2024, 1, 15), end_of_day(date(2025, 7, 15)), "18 months")


async def test_the_quote_is_edited_and_checked_against_the_sources_copy(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    """`tracker edit --quote` could change a quote; the app's edit form had no field for it."""
    copy = "Electric cars reach half of new car sales by 2030."
    keep_source_copy(seeded, copy)
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await open_edit(pilot)
        assert app.screen.query_one("#quote", Input).value == (
            queries.claim_detail("ev-share").definition.quote)
        await fill(pilot, "quote", "Half of new cars will be electric.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EditDialog)
        assert hint(app, "quote") == (
            "the quote is not in the stored copy of source 'iea-2023' (whitespace ignored): "
            "copy it verbatim from the source", True)
        await fill(pilot, "quote", copy)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, EditDialog)
    assert queries.claim_detail("ev-share").definition.quote == copy
