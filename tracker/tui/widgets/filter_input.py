"""The claims screen's filter field, whose placeholder reads whole at any width."""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Input


class FilterInput(Input):
    """An Input showing the longest of its placeholder wordings that fits: cut at the
    field's edge, "/ filter: slug, title" read "/ filter: slug," (at 80 columns a facet set
    leaves the field that narrow)."""

    wordings: tuple[str, ...] = ()

    def offer_placeholders(self, *wordings: str) -> None:
        """The placeholder's wordings, longest first; the last is shown when none fits."""
        self.wordings = wordings
        self._fit_placeholder()

    def on_resize(self) -> None:
        self._fit_placeholder()

    def _fit_placeholder(self) -> None:
        if self.wordings:
            room = self.content_size.width
            self.placeholder = next((text for text in self.wordings if cell_len(text) <= room),
                                    self.wordings[-1])
