"""Textual's Footer, recomposed only when the keys it shows change, compact when narrow, with
? Help always at its right edge and no key cut mid-word.

Textual's Footer recomposes (mounting a widget per key) on every bindings signal: several
times while a screen starts, and on every focus change, even when the keys it shows are the
same. Recomposing is the single largest cost of opening and closing a form, so this one
coalesces the signals of one refresh and skips the recompose when nothing it shows changed.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

COMPACT_BELOW = 140
"""Columns under which the keys are packed closer (at 120, the claims screen's keys need it)."""
PALETTE_FROM = 100
"""Columns from which the command palette's key is shown too. Narrower, its place goes to the
screen's keys; ctrl+p works at any width, and ? lists it."""
HELP_ACTION = "help"
"""The key that lists every other one: kept at the right edge, where a narrow footer does not
cut it off (at 80 columns the review screen's keys fill the line)."""


class Footer(TextualFooter):
    _recompose_pending = False
    _shown: tuple[Any, ...] | None = None

    def compose(self) -> ComposeResult:
        """Textual's keys, with help and the palette's key together at the right edge."""
        end: list[FooterKey] = []
        for widget in super().compose():
            if isinstance(widget, FooterKey) and (
                    widget.action == HELP_ACTION or widget.has_class("-command-palette")):
                end.append(widget)
            else:
                yield widget
        if any(key.action == HELP_ACTION for key in end):
            yield Horizontal(*end, classes="footer-end")
        else:  # ? types into a focused input: the palette's key docks alone, as in Textual
            yield from end

    def on_resize(self) -> None:
        self.compact = self.size.width < COMPACT_BELOW
        self.show_command_palette = self.size.width >= PALETTE_FROM
        self.bindings_changed(self.screen)
        for widget in self.children:  # the room changed: measure every key again
            widget.display = True
        self.call_after_refresh(self._hide_keys_cut_off)

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
        if not self.is_attached:  # its screen closed before this refresh came round
            return
        keys = self._keys()
        if keys != self._shown:
            self._shown = keys
            await self.recompose()
            self.call_after_refresh(self._hide_keys_cut_off)

    def _hide_keys_cut_off(self) -> None:
        """Hide the keys the line cannot hold whole: first those of the screen's
        FOOTER_DROPS_FIRST actions, then from the first key that does not fit (a key cut
        mid-word, "e" of "esc End", reads as another key). ? lists them all."""
        if not self.is_attached:  # its screen closed before this refresh came round
            return
        docked = [widget for widget in self.children if widget.styles.dock != "none"]
        room = self.size.width - sum(widget.outer_size.width for widget in docked)
        keys = [widget for widget in self.children if widget not in docked]
        for action in getattr(self.screen, "FOOTER_DROPS_FIRST", ()):
            if _line_width(keys) <= room:
                break
            for widget in keys:
                if isinstance(widget, FooterKey) and widget.action == action:
                    widget.display = False
        right, cut = 0, False
        for widget in keys:
            if widget.display:
                cut = cut or right + widget.outer_size.width > room
                right += widget.outer_size.width + widget.styles.margin.right
                widget.display = not cut


def _line_width(keys: list[Widget]) -> int:
    """Columns the shown keys take, up to the last one's edge (its margin is not needed)."""
    shown = [widget for widget in keys if widget.display]
    return sum(widget.outer_size.width + widget.styles.margin.right for widget in shown) - (
        shown[-1].styles.margin.right if shown else 0)
