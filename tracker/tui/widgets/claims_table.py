"""The claims table: a page of rows drawn with Textual's line API, and its header.

Textual's DataTable measures and re-renders every cell through Rich whenever its rows change
(tens of milliseconds for a page), which is most of a keystroke's cost when filtering. This
table draws only the visible lines, each from a few pre-formatted segments (the approach of
Textualize/toolong). It holds one page; moving past the last or first row posts
`PageRequested` so the screen loads the next page in a worker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from tracker.queries import ClaimRow
from tracker.tui.format import day, days_since, fit, fit_marked_slug, percent
from tracker.tui.listing import COLUMNS
from tracker.tui.widgets.claim_detail import STATUS_STYLE

FLEXIBLE = "title"
"""The column that takes whatever width the others leave."""
MIN_TITLE = 16
"""Below this the title is shortened no further: the slug narrows, then columns are hidden."""
MIN_SLUG = 12
ROOMY_TITLE = 40
"""Beyond this width the title shares its room with the slug, half each, up to `WIDE_SLUG`:
at 200 columns the title had 80 empty columns while every long slug was cut short."""
WIDE_SLUG = 48
"""A slug cell this wide shows most slugs whole (the shipped ones reach 43 characters)."""
HIDDEN_FIRST = ("next_review", "evidence")
"""The columns a narrow table leaves out, in this order (their values are in the detail)."""


def column_widths(total: int) -> list[int]:
    """Cell widths (without the one-space padding each side; 0 for a column left out) for a
    table `total` cells wide, in `COLUMNS` order."""
    widths = {column.key: column.width for column in COLUMNS}

    def title_room() -> int:
        others = sum(width + 2 for key, width in widths.items() if width and key != FLEXIBLE)
        return total - others - 2

    if title_room() < MIN_TITLE:
        widths["slug"] = max(MIN_SLUG, widths["slug"] - (MIN_TITLE - title_room()))
    for key in HIDDEN_FIRST:
        if title_room() >= MIN_TITLE:
            break
        widths[key] = 0
    widths[FLEXIBLE] = max(8, title_room())
    grow = min(max(0, widths[FLEXIBLE] - ROOMY_TITLE) // 2, WIDE_SLUG - widths["slug"])
    if grow > 0:
        widths["slug"] += grow
        widths[FLEXIBLE] -= grow
    return [widths[column.key] for column in COLUMNS]


@dataclass(frozen=True)
class TableLine:
    """One claim as the table shows it: its cells in `COLUMNS` order, already formatted."""

    slug: str
    cells: tuple[str, ...]
    status: str


def _slug_cell(row: ClaimRow, tree: bool, expanded: bool, depth: int) -> str:
    if depth:
        return f"  ↳ {row.slug}"
    if not tree:
        return f"↳ {row.slug}" if row.parent else row.slug
    if row.children:
        return f"{'▾' if expanded else '▸'} {row.slug}"
    return f"  {row.slug}"


def table_line(row: ClaimRow, now: datetime, *, tree: bool = False, expanded: bool = False,
               depth: int = 0) -> TableLine:
    return TableLine(row.slug, (
        _slug_cell(row, tree, expanded, depth), row.title, row.status, day(row.deadline_end),
        percent(row.my_forecast), percent(row.team_forecast),
        days_since(row.last_evidence_on, now), day(row.next_review),
    ), row.status)


@dataclass(frozen=True)
class FrameStyles:
    """What every line of one frame is drawn with, read once per frame: Textual works a
    widget's style out from its ancestors on each read, which was half the cost of painting
    a new page when read for every line."""

    plain: Style
    zebra: Style
    cursor: Style
    width: int
    widths: list[int]


class ClaimsHeader(Widget):
    """Column labels with the sort arrow; clicking a label asks to sort by that column."""

    DEFAULT_CSS = """
    ClaimsHeader {
        height: 1;
        background: $panel;
        text-style: bold;
        padding-right: 1;  /* the table's scrollbar gutter, so the columns line up */
    }
    """

    @dataclass
    class SortRequested(Message):
        column: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sort = ("slug", False)

    def show_sort(self, column: str, descending: bool) -> None:
        self.sort = (column, descending)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        segments = []
        for column, width in zip(COLUMNS, column_widths(self.size.width), strict=True):
            if not width:
                continue
            label = column.label
            if column.key == self.sort[0]:  # the arrow is kept; a narrow label gives way
                arrow = "↓" if self.sort[1] else "↑"
                label = (f"{label} {arrow}" if cell_len(label) + 2 <= width
                         else set_cell_size(label, width - 1) + arrow)
            segments.append(Segment(f" {fit(label, width)} "))
        return Strip(segments).adjust_cell_length(self.size.width, self.rich_style)

    def on_click(self, event: events.Click) -> None:
        edge = 0
        for column, width in zip(COLUMNS, column_widths(self.size.width), strict=True):
            if not width:
                continue
            edge += width + 2
            if event.x < edge:
                self.post_message(self.SortRequested(column.key))
                return


class ClaimsTable(ScrollView, can_focus=True):
    """Rows keyed by slug, so the cursor can be put back on the same claim after a reload."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"claims-table--cursor", "claims-table--zebra"}
    DEFAULT_CSS = """
    ClaimsTable {
        background: $surface;
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
    }
    ClaimsTable > .claims-table--zebra {
        background: $surface-lighten-1;
    }
    ClaimsTable > .claims-table--cursor {
        background: $secondary 50%;
    }
    ClaimsTable:focus > .claims-table--cursor {
        background: $accent;
        color: $text;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", id="claims.up", show=False),
        Binding("down", "cursor(1)", "Down", id="claims.down", show=False),
        Binding("pageup", "page(-1)", "Page up", id="claims.page_up", show=False),
        Binding("pagedown", "page(1)", "Page down", id="claims.page_down", show=False),
        Binding("home", "edge(0)", "First claim", id="claims.first", show=False),
        Binding("end", "edge(-1)", "Last claim", id="claims.last", show=False),
        Binding("space,enter", "toggle_children", "Show or hide derived questions",
                id="claims.expand", show=False),
    ]

    @dataclass
    class Highlighted(Message):
        slug: str

    @dataclass
    class PageRequested(Message):
        """The cursor tried to leave the page: +1 for the next page, -1 for the previous."""

        step: int

    @dataclass
    class ChildrenToggled(Message):
        slug: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[TableLine] = []
        self.cursor_row = 0
        self._frame_styles: FrameStyles | None = None

    # --- content -----------------------------------------------------------------------
    def show(
        self,
        rows: Sequence[ClaimRow],
        now: datetime,
        *,
        tree: bool,
        children: Mapping[str, Sequence[ClaimRow]],
        cursor: str | int | None = None,
    ) -> None:
        """Replace the rows; `children` holds the derived questions of expanded parents.
        `cursor` is the slug or row index (negative counts from the end) to put it on."""
        keep = self.current_slug if cursor is None else cursor
        lines = []
        for row in rows:
            lines.append(table_line(row, now, tree=tree, expanded=row.slug in children))
            lines.extend(table_line(child, now, depth=1) for child in children.get(row.slug, ()))
        self.lines = lines
        self.virtual_size = Size(self.size.width, len(lines))
        slugs = self.slugs
        if isinstance(keep, str) and keep in slugs:
            index = slugs.index(keep)
        elif isinstance(keep, int) and lines:
            index = keep % len(lines)
        else:
            index = 0
        self.cursor_row = -1
        self.move_cursor(index)
        # Scrolled again once laid out: moving at once was held to the old rows' height (one
        # row after a filter), and the cursor's row stayed out of sight when it was cleared.
        self.call_after_refresh(self.scroll_to_region, Region(0, self.cursor_row, 1, 1),
                                animate=False)
        self.refresh()

    @property
    def slugs(self) -> list[str]:
        return [line.slug for line in self.lines]

    @property
    def row_count(self) -> int:
        return len(self.lines)

    @property
    def current_slug(self) -> str | None:
        if 0 <= self.cursor_row < len(self.lines):
            return self.lines[self.cursor_row].slug
        return None

    def cell(self, row: int, column: str) -> str:
        keys = [column.key for column in COLUMNS]
        return self.lines[row].cells[keys.index(column)]

    # --- cursor ------------------------------------------------------------------------
    def move_cursor(self, row: int) -> None:
        """Put the cursor on `row` (clamped to the page), scroll to it, announce the claim."""
        if not self.lines:
            self.cursor_row = 0
            return
        row = max(0, min(row, len(self.lines) - 1))
        if row == self.cursor_row:
            return
        self.cursor_row = row
        self.scroll_to_region(Region(0, row, 1, 1), animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Highlighted(self.lines[row].slug))

    def action_cursor(self, step: int) -> None:
        target = self.cursor_row + step
        if target < 0 or target >= len(self.lines):
            self.post_message(self.PageRequested(step))
        else:
            self.move_cursor(target)

    def action_page(self, step: int) -> None:
        at_edge = self.cursor_row == (len(self.lines) - 1 if step > 0 else 0)
        if at_edge:
            self.post_message(self.PageRequested(step))
        else:
            self.move_cursor(self.cursor_row + step * max(1, self.size.height - 1))

    def action_edge(self, row: int) -> None:
        self.move_cursor(row % len(self.lines) if self.lines else 0)

    def action_toggle_children(self) -> None:
        if (slug := self.current_slug) is not None:
            self.post_message(self.ChildrenToggled(slug))

    def on_click(self, event: events.Click) -> None:
        self.move_cursor(self.scroll_offset.y + event.y)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.lines))

    # --- drawing -----------------------------------------------------------------------
    def _read_frame_styles(self) -> FrameStyles:
        base = self.rich_style
        # Without the scrollbar's column (the header leaves the same room for it).
        width = self.scrollable_content_region.width
        return FrameStyles(
            base, base + self.get_component_rich_style("claims-table--zebra"),
            base + self.get_component_rich_style("claims-table--cursor"),
            width, column_widths(width),
        )

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame_styles = self._read_frame_styles()
        try:
            return super().render_lines(crop)
        finally:
            self._frame_styles = None

    def render_line(self, y: int) -> Strip:
        frame = self._frame_styles or self._read_frame_styles()
        index = self.scroll_offset.y + y
        width = frame.width
        if index >= len(self.lines):
            return Strip.blank(width, frame.plain)
        if index == self.cursor_row:
            style = frame.cursor
        elif index % 2:
            style = frame.zebra
        else:
            style = frame.plain
        line = self.lines[index]
        segments = []
        for column, text, cell_width in zip(COLUMNS, line.cells, frame.widths, strict=True):
            if not cell_width:
                continue
            cell_style = style
            if column.key == "status" and style is not frame.cursor:  # green on the cursor's
                cell_style = style + Style.parse(STATUS_STYLE.get(line.status, ""))  # orange: 1.2:1
            fitted = fit_marked_slug(text, cell_width) if column.key == "slug" else fit(
                text, cell_width)
            segments.append(Segment(f" {fitted} ", cell_style))
        return Strip(segments).adjust_cell_length(width, style)
