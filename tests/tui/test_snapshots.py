"""Pictures of the main screens at a fixed size, on the test clock, with still cursors.

Update them after a deliberate change with `pytest tests/tui --snapshot-update` and look at
the report before committing.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from tests.tui.conftest import SIZE, settle, type_text
from tracker.ledger import Ledger
from tracker.tui.app import TrackerApp
from tracker.tui.screens.claims import COUNT_DELAY

SnapCompare = Callable[..., bool]


async def ready(pilot: Pilot[None]) -> None:
    """Settled, with the claims total counted (it waits for a pause in typing)."""
    await settle(pilot)
    await pilot.pause(COUNT_DELAY + 0.1)
    await settle(pilot)


def test_claims_screen(snap_compare: SnapCompare, seeded: Ledger,
                       tui: Callable[..., TrackerApp]) -> None:
    async def expand_parent(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("space")
        await settle(pilot)

    assert snap_compare(tui(), terminal_size=SIZE, run_before=expand_parent)


def test_review_session_with_the_team_hidden(
    snap_compare: SnapCompare, seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    async def reach_ev_share(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)

    assert snap_compare(tui(), terminal_size=SIZE, run_before=reach_ev_share)


def test_forecast_form_with_an_error(
    snap_compare: SnapCompare, seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    async def mistype(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("f")
        await type_text(pilot, "150%")
        await pilot.press("enter")

    assert snap_compare(tui(), terminal_size=SIZE, run_before=mistype)
