"""How values are fitted into the app's fixed-width cells."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from rich.cells import cell_len
from rich.style import Style
from rich.terminal_theme import TerminalTheme
from textual._ansi_theme import ALABASTER, MONOKAI

from tracker.tui.format import (
    day,
    days_since,
    fit,
    fit_marked_slug,
    fit_slug,
    percent,
    read_as_percent,
    stamp,
)
from tracker.tui.widgets.claim_detail import STATUS_STYLE


def test_fit_pads_short_text_and_cuts_long_text_with_an_ellipsis() -> None:
    assert fit("slug", 6) == "slug  "
    assert fit("a-long-slug", 6) == "a-lon…"
    assert fit("exact", 5) == "exact"


def test_fit_slug_keeps_a_third_of_the_room_for_the_start_and_the_rest_for_the_end() -> None:
    assert fit_slug("hallucination-causes", 10) == "hal…causes"
    assert fit_slug("hallucination-scale-down", 12) == "hal…ale-down"
    assert fit_slug("ev-share", 10) == "ev-share  "
    assert fit_slug("ev-share", 8) == "ev-share"  # a slug that just fits is not cut
    for width in range(2, 30):
        assert len(fit_slug("privacy-permission-embedding-minor-versions", width)) == width


def test_a_slug_cell_keeps_its_tree_marker_and_cuts_the_slug_in_its_middle() -> None:
    assert fit_marked_slug("  ↳ hallucination-causes", 14) == "  ↳ hal…causes"
    assert fit_marked_slug("▸ hallucination-causes", 12) == "▸ hal…causes"
    assert fit_marked_slug("▸ ev-share", 12) == "▸ ev-share  "


@pytest.mark.parametrize("text", ["長期來看小版本更新", "🚀 to orbit 🚀", "mixed 中文 text"])
def test_fit_counts_terminal_cells_not_characters(text: str) -> None:
    for width in range(1, 25):
        assert cell_len(fit(text, width)) == width, width
    assert fit("長期來看", 6) == "長期 …"  # a wide character is never cut in half
    assert fit("長期", 6) == "長期  "


@pytest.mark.parametrize("palette", [MONOKAI, ALABASTER], ids=["dark", "light"])
def test_each_coloured_status_has_its_own_colour_in_textuals_terminal_palettes(
    palette: TerminalTheme,
) -> None:
    """Statuses are styled with terminal colour names; Textual's dark palette maps red and
    magenta to the same colour, so partly and refuted looked alike."""
    names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]
    shown = {}
    for status, style in STATUS_STYLE.items():
        color = Style.parse(style).color
        if color is not None:
            shown[status] = tuple(palette.ansi_colors[names.index(color.name)])
    assert len(shown) == 5 and len(set(shown.values())) == len(shown), shown


@pytest.mark.parametrize(("value", "shown"), [
    (0.7, "70.0%"), (0.705, "70.5%"), (0.005, "0.5%"), (0.9996, ">99.9%"), (1.0, "100%"),
    (0.99, "99.0%"), (0.01, "1.0%"),  # at the bounds, still one decimal
])
def test_a_form_reads_a_probability_back_without_rounding_it_to_a_certainty(
        value: float, shown: str) -> None:
    assert read_as_percent(value) == shown


def test_a_missing_value_shows_a_dash() -> None:
    assert (percent(None), day(None), days_since(None, datetime(2024, 3, 1, tzinfo=UTC))) == (
        "–", "–", "–")


def test_days_since_counts_whole_days_to_nows_day_and_never_below_zero() -> None:
    now = datetime(2024, 3, 13, 23, 59, tzinfo=UTC)
    assert days_since(date(2024, 3, 1), now) == "12d"
    assert days_since(date(2024, 3, 13), now) == "0d"
    assert days_since(date(2024, 3, 14), now) == "0d"  # another clock's tomorrow


def test_a_moment_shows_to_the_minute_and_a_day_as_its_date() -> None:
    moment = datetime(2024, 3, 1, 15, 4, 59, tzinfo=UTC)
    assert stamp(moment) == "2024-03-01 15:04"
    assert (day(moment), day(date(2024, 3, 1))) == ("2024-03-01", "2024-03-01")
