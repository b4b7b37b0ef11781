"""The command palette: jump to a claim by slug or title, and the commands that can run now
(views, review, report, and the claim actions).

Claims are searched in the database (off the UI thread), so the palette finds any of 100k
claims without loading them. A command is offered only if its action is enabled on the
screen the palette was opened from (the same `check_action` that drives the footer).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, cast

from sqlalchemy.exc import SQLAlchemyError
from textual.command import DiscoveryHit, Hit, Provider

from tracker.queries import ClaimFilter

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp

CLAIM_MATCHES = 12


@dataclass(frozen=True)
class PaletteCommand:
    name: str
    help: str
    action: str
    on_app: bool = False
    """True for app actions; else the action runs on the screen the palette was opened from."""


COMMANDS = (
    PaletteCommand("Start review session", "go through the claims that need your attention",
                   "start_review", on_app=True),
    PaletteCommand("View claims", "back to the list of claims", "show_claims", on_app=True),
    PaletteCommand("View scores", "the leaderboard and calibration, as of any date",
                   "show_scores", on_app=True),
    PaletteCommand("Write report", "statuses, changes, scores and timelines as of a date, "
                   "to a Markdown, HTML or JSON file", "write_report", on_app=True),
    PaletteCommand("Toggle blind forecasting", "hide or show the team's forecasts in reviews",
                   "toggle_blind", on_app=True),
    PaletteCommand("Help", "what this screen does and its keys", "help", on_app=True),
    PaletteCommand("Forecast", "record your probability for this claim", "forecast"),
    PaletteCommand("Add evidence", "add an evidence entry to this claim", "add_evidence"),
    PaletteCommand("Change status", "open, developing or stalled", "change_status"),
    PaletteCommand("Resolve", "close this claim with its outcome", "resolve"),
    PaletteCommand("Reopen", "undo this claim's resolution, with a reason", "reopen"),
    PaletteCommand("Retract evidence", "withdraw an evidence entry, with a reason", "retract"),
    PaletteCommand("New claim", "record a claim as `tracker add` does", "new_claim"),
    PaletteCommand("Show claim as of a date", "the claim as it stood then: only what had "
                   "been recorded by that date", "show_as_of"),
    PaletteCommand("Edit definition", "title, statement, criteria, deadline, tags...: a new "
                   "revision, the old one kept", "edit_definition"),
)


class TrackerCommands(Provider):
    @property
    def tracker(self) -> TrackerApp:
        return cast("TrackerApp", self.app)

    def _available(self) -> list[tuple[PaletteCommand, Callable[[], object]]]:
        available: list[tuple[PaletteCommand, Callable[[], object]]] = []
        for command in COMMANDS:
            target = self.app if command.on_app else self.screen
            if (hasattr(target, f"action_{command.action}")  # not every screen has every one
                    and target.check_action(command.action, ()) is True):
                available.append((command, partial(target.run_action, command.action)))
        return available

    async def discover(self) -> AsyncIterator[DiscoveryHit]:
        for command, callback in self._available():
            yield DiscoveryHit(command.name, callback, help=command.help)

    async def search(self, query: str) -> AsyncIterator[Hit]:
        matcher = self.matcher(query)
        for command, callback in self._available():
            if score := matcher.match(command.name):
                yield Hit(score, matcher.highlight(command.name), callback, help=command.help)
        text = query.strip()
        if not text:
            return
        app = self.tracker
        try:
            rows = await asyncio.to_thread(app.queries.list_claims, ClaimFilter(text=text),
                                           limit=CLAIM_MATCHES)
        except SQLAlchemyError as error:  # the palette would only say "No matches found"
            app.show_failure(error)
            return
        for row in rows:
            label = f"{row.slug} · {row.title}"
            yield Hit(max(matcher.match(label), 0.5), matcher.highlight(label),
                      partial(app.jump_to_claim, row.slug), help=f"jump to this {row.status} claim")
