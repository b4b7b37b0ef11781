"""Textual's Footer, recomposed only when the keys it shows change, and compact when narrow.

Textual's Footer recomposes (mounting a widget per key) on every bindings signal: several
times while a screen starts, and on every focus change, even when the keys it shows are the
same. Recomposing is the single largest cost of opening and closing a form, so this one
coalesces the signals of one refresh and skips the recompose when nothing it shows changed.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter

COMPACT_BELOW = 140
"""Columns under which the keys are packed closer (at 120, the claims screen's keys need it)."""
PALETTE_FROM = 100
"""Columns from which the command palette's key is shown too. Narrower, its place on the right
goes to the screen's keys (at 80 columns it hid '? Help'); ctrl+p works at any width, and ?
lists it."""


class Footer(TextualFooter):
    _recompose_pending = False
    _shown: tuple[Any, ...] | None = None

    def on_resize(self) -> None:
        self.compact = self.size.width < COMPACT_BELOW
        self.show_command_palette = self.size.width >= PALETTE_FROM
        self.bindings_changed(self.screen)

    def bindings_changed(self, screen: Screen[object]) -> None:
        # Same conditions as Textual 8's Footer.bindings_changed, with one pending recompose.
        self._bindings_ready = True
        if not screen.app.app_focus or self._recompose_pending:
            return
        if self.is_attached and screen is self.screen:
            self._recompose_pending = True
            self.call_after_refresh(self._recompose_if_changed)

    def _keys(self) -> tuple[Any, ...]:
        return self.show_command_palette, *(
            (key, active.binding.action, active.binding.description, active.enabled,
             active.binding.show)
            for key, active in self.screen.active_bindings.items()
        )

    async def _recompose_if_changed(self) -> None:
        self._recompose_pending = False
        keys = self._keys()
        if keys != self._shown:
            self._shown = keys
            await self.recompose()
