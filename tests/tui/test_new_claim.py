"""Recording a new claim in the app, as `tracker add` does: each field checked, the claim
written, a taken slug refused with the input kept."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.conftest import Clock
from tests.tui.conftest import (
    SIZE,
    fill,
    keep_source_copy,
    pane_text,
    settle,
    told_it_went_away,
    went_away,
)
from tests.tui.test_forms import hint
from tracker.definitions import ClaimDefinition
from tracker.horizons import end_of_day, start_of_day
from tracker.ledger import Ledger
from tracker.queries import ClaimFilter, Queries
from tracker.tui.app import TrackerApp
from tracker.tui.dialogs.new_claim import NewClaimDialog
from tracker.tui.widgets.claim_detail import ClaimDetailView
from tracker.tui.widgets.claims_table import ClaimsTable


async def open_new_claim(pilot: Pilot[None], slug: str, title: str, statement: str) -> None:
    """Open the new-claim form from the claims screen and fill in the required fields."""
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
    await fill(pilot, "slug", slug)
    await fill(pilot, "title", title)
    await fill(pilot, "statement", statement)
    await fill(pilot, "criteria", "Resolves yes if it is reported.")


async def test_a_new_claim_is_checked_then_recorded_and_shown(
    seeded: Ledger, queries: Queries, clock: Clock, tui: Callable[..., TrackerApp]
) -> None:
    clock.advance(days=60)  # the claim is made on 2024-02-01: before it is recorded
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, NewClaimDialog)
        assert hint(app, "deadline") == ("no deadline", False)
        await pilot.press("ctrl+s")
        assert hint(app, "slug") == ("a slug is required: lowercase words joined by hyphens",
                                     True)
        await fill(pilot, "slug", "EV share US")
        assert hint(app, "slug")[1]
        await fill(pilot, "slug", "ev-share-us")
        await fill(pilot, "title", "US EV share over half")
        await fill(pilot, "statement", "EVs reach half of new car sales in the US.")
        await pilot.press("ctrl+s")  # a prediction without criteria could not be exported
        assert hint(app, "criteria") == (
            "a prediction needs resolution criteria: say how it resolves yes or no", True)
        assert isinstance(app.screen, NewClaimDialog)
        await fill(pilot, "criteria", "Resolves yes on the EIA's annual figures.")
        await fill(pilot, "deadline", "18 months")
        assert hint(app, "deadline") == (  # relative, and no made-on date yet
            "'18 months' is relative: it counts from the claim's made-on date, so give that "
            "date too", True)
        await fill(pilot, "made-on", "2024-02-01")
        assert hint(app, "deadline") == ("read as 2025-08-01", False)
        await fill(pilot, "deadline", "2030-Q2")
        await fill(pilot, "tags", "us, energy")
        await fill(pilot, "source", "iea-2023")
        await fill(pilot, "quote", "Half of US new car sales will be electric.")
        await fill(pilot, "confidence", "7:3")
        assert hint(app, "confidence") == ("read as 70.0%", False)
        await fill(pilot, "made-on", "")  # with a source, the day decides whether it is graded
        assert hint(app, "confidence") == (
            "read as 70.0%: without a made-on day its source is not graded on it", False)
        await fill(pilot, "made-on", "2024-02-01")
        assert hint(app, "confidence") == ("read as 70.0%", False)
        await fill(pilot, "parent", "ev-share")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, NewClaimDialog)
        assert app.screen.query_one(ClaimsTable).current_slug == "ev-share-us"
        shown = pane_text(app.screen.query_one("#detail", ClaimDetailView))
        assert re.search(r"implied confidence 70%\s*$", shown, re.MULTILINE)  # not (“-”)

    detail = queries.claim_detail("ev-share-us")
    d = detail.definition
    assert (detail.status, detail.version, detail.changed_by) == ("open", 1, "alice")
    assert (d.title, d.criteria) == ("US EV share over half",
                                     "Resolves yes on the EIA's annual figures.")
    assert d.deadline_end == end_of_day(date(2030, 6, 30)) and d.horizon == "2030-Q2"
    assert (d.made_on, d.tags, d.parent, d.source) == (date(2024, 2, 1), ("energy", "us"),
                                                       "ev-share", "iea-2023")
    assert (d.quote, d.implied_confidence) == ("Half of US new car sales will be electric.", 0.7)


async def test_a_taken_slug_reopens_the_form_with_the_input_and_the_reason(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    before = queries.claim_detail("ev-share")
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await open_new_claim(pilot, "ev-share", "Another claim", "Something else.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NewClaimDialog)
        assert app.screen.query_one("#title", Input).value == "Another claim"
        error = app.screen.query_one("#form-error", Static)
        assert "a claim with slug 'ev-share' already exists" in str(error.render())
        assert app.screen.query_one(".form").can_view_entire(error)  # not below the fold
        assert hint(app, "slug") == (  # not "ok": the slug reads, but it is taken
            "a claim with slug 'ev-share' already exists: pick another slug", True)
        assert app.focused is app.screen.query_one("#slug", Input)
        await fill(pilot, "slug", "ev-share-2")
        assert hint(app, "slug") == ("ok", False)
        assert not error.has_class("-visible"), "the banner goes with the reason it gave"
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert queries.claim_detail("ev-share") == before
    assert queries.claim_detail("ev-share-2").definition.title == "Another claim"


async def test_the_new_claim_key_types_into_the_filter_when_it_has_the_focus(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", "a")
        await settle(pilot)
        assert not isinstance(app.screen, NewClaimDialog)
        assert app.screen.query_one("#filter", Input).value == "a"


async def test_a_refused_new_claim_is_saved_on_retry_with_exactly_what_was_typed(
    seeded: Ledger, queries: Queries, clock: Clock, tui: Callable[..., TrackerApp]
) -> None:
    clock.advance(days=60)  # the claim is made on 2024-02-01: before it is recorded
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await open_new_claim(pilot, "ev-share-in", "India EV share over half",
                             "EVs reach half of new car sales in India.")
        await fill(pilot, "confidence", "150%")
        assert hint(app, "confidence")[1]
        await fill(pilot, "confidence", "1:2")
        await fill(pilot, "made-on", "2024-02-01")
        await fill(pilot, "deadline", "2-3 years")
        await fill(pilot, "parent", "no-such-claim")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NewClaimDialog)  # reopened with the ledger's reason
        assert "parent claim 'no-such-claim' does not exist" in str(
            app.screen.query_one("#form-error", Static).render())
        await fill(pilot, "parent", "ev-share")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, NewClaimDialog)
    d = queries.claim_detail("ev-share-in").definition
    assert d.implied_confidence == 1 / 3  # not 0.333333 from a rounded refill
    assert (d.deadline_start, d.deadline_end) == (
        start_of_day(date(2026, 2, 1)), end_of_day(date(2027, 2, 1)))
    assert d.parent == "ev-share"


async def test_a_missing_parent_is_shown_under_its_field(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    """The database finds the refusal (no such parent claim); the form reopens with the
    reason under the field it is about, and that field focused."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await open_new_claim(pilot, "fresh-claim", "A fresh claim", "Something new.")
        await fill(pilot, "parent", "no-such-parent")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NewClaimDialog)
        reason = "parent claim 'no-such-parent' does not exist: add it first"
        assert hint(app, "parent") == (reason, True)
        assert app.focused is app.screen.query_one("#parent", Input)
        await fill(pilot, "parent", "")
        assert not app.screen.query_one("#form-error", Static).has_class("-visible")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert queries.claim_detail("fresh-claim").definition.parent is None


async def test_a_made_on_date_in_the_future_is_refused_while_typed(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await open_new_claim(pilot, "future-claim", "A claim from the future", "Not yet.")
        later = app.now().date().replace(year=app.now().year + 3)
        await fill(pilot, "made-on", later.isoformat())
        text, is_error = hint(app, "made-on")
        assert is_error and "is more than a day after it is recorded" in text
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NewClaimDialog)
        assert app.focused is app.screen.query_one("#made-on", Input)
    assert not queries.list_claims(ClaimFilter(text="future-claim"))


async def test_a_quote_not_in_the_sources_stored_copy_is_shown_under_its_field(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    """The ledger checks a quote against the copy of its source kept at import, as
    `tracker check` checks a claim file's: the form shows the refusal at the quote."""
    copy = "Electric cars reach half of new car sales by 2030."
    keep_source_copy(seeded, copy)
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await open_new_claim(pilot, "ev-half", "EVs at half of sales", "EVs reach half.")
        await fill(pilot, "source", "iea-2023")
        await fill(pilot, "quote", "Half of new cars will be electric.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NewClaimDialog)
        assert hint(app, "quote") == (
            "the quote is not in the stored copy of source 'iea-2023' (whitespace ignored): "
            "copy it verbatim from the source", True)
        assert app.focused is app.screen.query_one("#quote", Input)
        await fill(pilot, "quote", "Electric cars reach half of new car sales by 2030.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, NewClaimDialog)
        pane = pane_text(app.screen.query_one(ClaimDetailView))
        # The form asks no quote language: "Quote", not "Quote (?)".
        assert [line.split("  ")[0] for line in pane.splitlines() if "Quote" in line] == [
            "Quote"]
    assert queries.claim_detail("ev-half").definition.quote == (
        "Electric cars reach half of new car sales by 2030.")


async def test_a_derived_question_without_a_made_on_day_takes_its_parents(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    """As `tracker add --parent` does: it is asked when its parent was made, and scored from
    then (without a day it was scored from the moment it was recorded)."""
    parents_day = queries.claim_detail("ev-share").definition.made_on
    assert parents_day is not None
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await open_new_claim(pilot, "ev-share-jp", "Japan EV share over half",
                             "EVs reach half of new car sales in Japan.")
        await fill(pilot, "source", "iea-2023")
        await fill(pilot, "confidence", "70%")
        assert hint(app, "confidence") == (
            "read as 70.0%: without a made-on day its source is not graded on it", False)
        await fill(pilot, "parent", "ev-share")
        await settle(pilot)  # the parent's day is read by a worker
        assert hint(app, "made-on") == (f"no date: its parent's, {parents_day}", False)
        assert hint(app, "confidence") == ("read as 70.0%", False)
        await fill(pilot, "deadline", "2 years")  # relative: from the parent's day
        assert hint(app, "deadline") == (
            f"read as {parents_day.replace(year=parents_day.year + 2)}", False)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, NewClaimDialog)
    d = queries.claim_detail("ev-share-jp").definition
    assert d.made_on == parents_day
    assert d.deadline_end == end_of_day(parents_day.replace(year=parents_day.year + 2))


async def test_a_parent_whose_day_cannot_be_read_is_shown_as_a_failure(
    seeded: Ledger, monkeypatch: pytest.MonkeyPatch, tui: Callable[..., TrackerApp]
) -> None:
    """The worker reading the parent's day failed unseen: the form went on as if it was
    still being read."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await open_new_claim(pilot, "ev-share-jp", "Japan EV share over half",
                             "EVs reach half of new car sales in Japan.")
        monkeypatch.setattr(app.queries, "made_on", went_away)
        await fill(pilot, "parent", "ev-share")
        await settle(pilot)
        assert told_it_went_away(app)
        assert isinstance(app.screen, NewClaimDialog)


async def test_a_derived_question_of_a_parent_without_a_day_or_of_none_says_so(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    seeded.create_claim(ClaimDefinition(slug="undated", title="Undated", statement="S.",
                                        criteria="C."), "bob")
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await open_new_claim(pilot, "undated-child", "Child", "A child.")
        await fill(pilot, "source", "iea-2023")
        await fill(pilot, "confidence", "70%")
        await fill(pilot, "parent", "undated")
        await settle(pilot)
        assert hint(app, "made-on") == ("no date (its parent has none)", False)
        assert hint(app, "confidence") == (  # still not graded: no day to grade it from
            "read as 70.0%: without a made-on day its source is not graded on it", False)
        await fill(pilot, "parent", "no-such-claim")
        await settle(pilot)
        assert hint(app, "parent") == (
            "no claim 'no-such-claim': add it first, or leave this empty", True)
        assert hint(app, "made-on") == ("no date", False)
        await fill(pilot, "parent", "undated")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, NewClaimDialog)
    assert queries.claim_detail("undated-child").definition.made_on is None
