"""How values read in cells and panes: short, fixed-width where it helps the eye."""

from __future__ import annotations

from datetime import date, datetime

from rich.cells import cell_len, set_cell_size

from tracker.probability import percent_text


def percent(value: float | None) -> str:
    return "–" if value is None else percent_text(value)


def read_as_percent(value: float) -> str:
    """How a form read a probability: one decimal (70.5%), never rounded to 0% or 100%."""
    return percent_text(value) if value < 0.01 or value > 0.99 else f"{value:.1%}"


def day(moment: datetime | date | None) -> str:
    if moment is None:
        return "–"
    return (moment.date() if isinstance(moment, datetime) else moment).isoformat()


def deadline(start: datetime | None, end: datetime | None, *, between: str = "..") -> str:
    """A deadline, or a window's days joined by `between` (" .. " lets a narrow column break
    it between its days, not inside one)."""
    if start is not None:
        return f"{day(start)}{between}{day(end)}"
    return day(end)


def days_since(day: date | None, now: datetime) -> str:
    """Whole days from `day` to `now`'s day, as '12d' (never negative: clocks may disagree)."""
    if day is None:
        return "–"
    return f"{max(0, (now.date() - day).days)}d"


def stamp(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


def fit(text: str, width: int) -> str:
    """`text` in exactly `width` terminal cells, cut with an ellipsis or padded. Counted in
    cells, not characters: a CJK character or an emoji takes two."""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def fit_slug(slug: str, width: int) -> str:
    """`slug` in exactly `width` cells, cut in its middle: slugs that begin alike and differ
    at the end ("hallucination-causes", "hallucination-remedies", "...-by-2026") all read
    "hallucina…" when cut at the end. A third of the room keeps its start, the rest its end
    ("hal…causes"). Slugs are ASCII: a character is a cell."""
    if len(slug) <= width:
        return slug.ljust(width)
    start = (width - 1) // 3
    return f"{slug[:start]}…{slug[len(slug) - (width - 1 - start):]}"


def fit_marked_slug(cell: str, width: int) -> str:
    """A slug cell ("▸ slug", "  ↳ slug": the tree's marker, then the slug) in exactly
    `width` cells, the slug cut in its middle (`fit_slug`); slugs hold no spaces."""
    slug = cell.rsplit(" ", 1)[-1]
    marker = cell[:len(cell) - len(slug)]
    room = width - cell_len(marker)
    return marker + fit_slug(slug, room) if room > 1 else fit(cell, width)
