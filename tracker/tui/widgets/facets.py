"""The facets line under the filter: which status, tag, source and kind the list is narrowed to.

One line of text rather than four Select widgets: four Selects cost more to mount than a page
of claims. Clicking a facet (or the facets key) opens the facet picker.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static

FACET_NAMES = ("status", "tag", "source", "kind")


@dataclass(frozen=True)
class Facets:
    """The chosen facet values; None means any."""

    status: str | None = None
    tag: str | None = None
    source: str | None = None
    kind: str | None = None


class FacetBar(Static):
    @dataclass
    class PickRequested(Message):
        """Open the picker on this facet."""

        facet: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str]] = []
        self._shown: Facets | None = None

    def show(self, facets: Facets) -> None:
        """Show `facets`; the same ones again cost nothing (each filter keystroke asks:
        redrawing would also lay the screen out again before its new page is painted)."""
        if facets == self._shown:
            return
        self._shown = facets
        line = Text()
        self._spans = []
        for name in FACET_NAMES:
            if line:
                line.append("  ")
            value = getattr(facets, name)
            start = line.cell_len  # in cells, as a click's x is: a CJK tag takes two each
            line.append(f"{name} ", style="dim")
            shown = value or "any"
            if name == "status":  # any-open -> any open; a tag or source as it is named
                shown = shown.replace("-", " ")
            line.append(f"{shown} ▾", style="bold reverse" if value else "")
            self._spans.append((start, line.cell_len, name))
        self.update(line)

    def on_click(self, event: events.Click) -> None:
        for start, end, name in self._spans:
            if start <= event.x - self.styles.padding.left < end:
                self.post_message(self.PickRequested(name))
                return
