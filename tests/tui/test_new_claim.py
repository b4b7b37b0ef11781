"""Recording a new claim in the app, as `tracker add` does: each field checked, the claim
written, a taken slug refused with the input kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual.widgets import Input, Static

from tests.tui.conftest import SIZE, fill, settle
from tests.tui.test_forms import hint
from tracker.horizons import end_of_day
from tracker.ledger import Ledger
from tracker.queries import Queries
from tracker.tui.app import TrackerApp
from tracker.tui.dialogs.new_claim import NewClaimDialog
from tracker.tui.widgets.claims_table import ClaimsTable


async def test_a_new_claim_is_checked_then_recorded_and_shown(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
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
        await fill(pilot, "criteria", "Resolves yes on the EIA's annual figures.")
        await fill(pilot, "deadline", "18 months")
        assert hint(app, "deadline")[1]  # relative, and no made-on date yet
        await fill(pilot, "made-on", "2024-02-01")
        assert hint(app, "deadline") == ("read as 2025-08-01", False)
        await fill(pilot, "deadline", "2030-Q2")
        await fill(pilot, "tags", "us, energy")
        await fill(pilot, "parent", "ev-share")
        await fill(pilot, "source", "iea-2023")
        await fill(pilot, "quote", "Half of US new car sales will be electric.")
        await fill(pilot, "confidence", "7:3")
        assert hint(app, "confidence") == ("read as 70.0%", False)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, NewClaimDialog)
        assert app.screen.query_one(ClaimsTable).current_slug == "ev-share-us"

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
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await fill(pilot, "slug", "ev-share")
        await fill(pilot, "title", "Another claim")
        await fill(pilot, "statement", "Something else.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NewClaimDialog)
        assert app.screen.query_one("#title", Input).value == "Another claim"
        error = str(app.screen.query_one("#form-error", Static).render())
        assert "a claim with slug 'ev-share' already exists" in error
    assert queries.claim_detail("ev-share") == before


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
