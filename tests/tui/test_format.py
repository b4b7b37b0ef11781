"""How values are fitted into the app's fixed-width cells."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from tracker.tui.format import fit


def test_fit_pads_short_text_and_cuts_long_text_with_an_ellipsis() -> None:
    assert fit("slug", 6) == "slug  "
    assert fit("a-long-slug", 6) == "a-lon…"
    assert fit("exact", 5) == "exact"


@pytest.mark.parametrize("text", ["長期來看小版本更新", "🚀 to orbit 🚀", "mixed 中文 text"])
def test_fit_counts_terminal_cells_not_characters(text: str) -> None:
    for width in range(1, 25):
        assert cell_len(fit(text, width)) == width, width
    assert fit("長期來看", 6) == "長期 …"  # a wide character is never cut in half
    assert fit("長期", 6) == "長期  "
