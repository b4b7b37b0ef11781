"""A claim as of a past date, from the claims screen: only what had been recorded by then."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from textual.widgets._footer import FooterKey

from tests.conftest import Clock
from tests.tui.conftest import SIZE, fill, settle
from tests.tui.test_claims_screen import detail_text
from tests.tui.test_forms import hint
from tracker.horizons import instant_text
from tracker.ledger import Ledger
from tracker.queries import Queries
from tracker.tui.app import TrackerApp
from tracker.tui.dialogs.as_of import AsOfDialog
from tracker.tui.screens.claims import ClaimsScreen
from tracker.tui.widgets.footer import Footer


async def test_a_claim_as_of_a_date_shows_only_what_was_recorded_by_then(
    seeded: Ledger, queries: Queries, clock: Clock, tui: Callable[..., TrackerApp]
) -> None:
    entered = queries.claim_detail("ev-share").revisions[0].recorded_at
    seeded_on = clock.now
    clock.advance(days=30)
    seeded.add_evidence("ev-share", title="Late report", stance="refutes", reviewer="bob")
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, AsOfDialog)
        shown = [(key.key, key.description) for key in app.screen.query_one(Footer).query(
            FooterKey) if not key.has_class("-command-palette")]
        assert shown == [("escape", "Close")]  # its own keys, not the claims screen's
        text = detail_text(app)  # as it is now, to start
        assert "Late report" in text and "Sales up 30%" in text

        await fill(pilot, "as-of-date", "someday")
        assert hint(app, "as-of-date")[1]
        await fill(pilot, "as-of-date", seeded_on.date().isoformat())
        assert hint(app, "as-of-date") == (f"read as {seeded_on:%Y-%m-%d} (end of day UTC)", False)
        await pilot.press("enter")
        await settle(pilot)
        assert "Late report" not in detail_text(app) and "Sales up 30%" in detail_text(app)
        assert hint(app, "as-of-date") == (
            f"showing the claim as of {seeded_on:%Y-%m-%d} (end of day UTC)", False)

        await fill(pilot, "as-of-date", "2020-01-01")
        await pilot.press("enter")
        await settle(pilot)
        assert hint(app, "as-of-date") == ("nothing recorded by then: ev-share entered the "
                                           f"tracker on {seeded_on:%Y-%m-%d}", True)
        # A moment earlier on the day it entered: "entered on" that day read as a
        # contradiction; the time says what to type.
        await fill(pilot, "as-of-date", f"{seeded_on:%Y-%m-%d}T00:00Z")
        await pilot.press("enter")
        await settle(pilot)
        assert hint(app, "as-of-date") == ("nothing recorded by then: ev-share entered the "
                                           f"tracker at {instant_text(entered)}", True)
        # A day after tomorrow is refused as `tracker show --as-of` refuses it: it showed
        # today's claim under the later date's name.
        later = (clock.now + timedelta(days=10)).date().isoformat()
        await fill(pilot, "as-of-date", later)
        message = f"the claim as of {later} would be about the future"
        assert hint(app, "as-of-date")[1] and hint(app, "as-of-date")[0].startswith(message)
        await pilot.press("enter")
        await settle(pilot)
        assert hint(app, "as-of-date")[0].startswith(message)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ClaimsScreen)
