"""The claims screen: a page of claims filtered and sorted in SQL, and the selected claim.

Every change of filter, facet, sort or page starts one exclusive worker; a serial number on
each request drops answers that arrive after a newer request was made, so typing fast never
shows a stale page. The page is shown as soon as it is read; its total is counted once the
typing pauses. The first page is the exception that waits: see `FIRST_PAGE_WAIT`.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, replace
from functools import partial
from typing import ClassVar

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Header, Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from tracker.queries import ClaimDetail, ClaimFilter, ClaimRow
from tracker.tui.dialogs.as_of import AsOfDialog
from tracker.tui.dialogs.facets import FacetDialog
from tracker.tui.keymap import key_for
from tracker.tui.listing import COLUMNS, PAGE_SIZE, Listing
from tracker.tui.messages import (
    ChildrenLoaded,
    ClaimLeftPage,
    ClaimsCounted,
    ClaimsLoaded,
    DetailLoaded,
    FacetsLoaded,
    WriteSaved,
)
from tracker.tui.screens.base import ClaimEditingScreen
from tracker.tui.widgets.claim_detail import ClaimDetailView
from tracker.tui.widgets.claims_table import ClaimsHeader, ClaimsTable, column_widths
from tracker.tui.widgets.facets import FacetBar, Facets
from tracker.tui.widgets.filter_input import FilterInput
from tracker.tui.widgets.footer import Footer
from tracker.tui.writes import NewClaim

COUNT_DELAY = 0.25
"""Seconds of quiet before the total is counted: a full count on every keystroke would
compete with the next keystroke's page for the database."""
FIRST_PAGE_WAIT = 0.1
"""Seconds the screen's first frame waits for its first page. Nothing is on screen yet, so
the wait holds up no work of the reviewer's (keys pressed meanwhile are queued); it opens the
screen with its rows instead of painting an empty table and then painting again. A slower
database opens on the empty table, filled when the page comes."""


def _page_value(column: str, row: ClaimRow) -> float | str | None:
    """A row's value in a column SQL cannot sort by."""
    if column == "next_review":
        return row.next_review.isoformat() if row.next_review else None
    return row.my_forecast if column == "mine" else row.team_forecast


def _sorted_in_page(rows: list[ClaimRow], column: str, descending: bool) -> list[ClaimRow]:
    """For the columns SQL cannot sort by: empty values last in either order, like the SQL
    sorts (reversing the whole order put them first), ties in slug order."""
    values = [(_page_value(column, row), row) for row in rows]
    filled = sorted(((value, row) for value, row in values if value is not None),
                    key=lambda pair: pair[0], reverse=descending)
    return [row for _, row in filled] + [row for value, row in values if value is None]


class ClaimsScreen(ClaimEditingScreen):
    HELP: ClassVar[str] = (  # {action}: the key that runs it (see keymap.with_keys)
        "Every claim, one page at a time (filtered, sorted and paged in the database). "
        "Without a filter the list is a tree: ▸ marks a parent claim, {toggle_children} shows "
        "its derived questions. Type {focus_filter} to filter by words of the slug or title, "
        "in any order; {pick_facets} (or a click on the facets line) narrows by status, tag, "
        "source and kind; "
        "any filter searches derived questions too. "
        "{next_sort} sorts by the next column and {reverse_sort} reverses the order; a click "
        "on a column header "
        "sorts by it (again to reverse). Mine is your latest "
        "forecast, Team the median of every reviewer's latest, Evid. the days since the "
        "latest evidence (its observed date, else the day it was recorded), Review when your "
        "next review is due. Moving past the last row loads the next page."
    )
    GATED_ACTIONS = ClaimEditingScreen.GATED_ACTIONS | {"clear_filter", "leave_filter",
                                                         "show_as_of"}
    AUTO_FOCUS = "#claims"
    """The table has the focus from the start (not the filter first, then the table)."""
    FOOTER_DROPS_FIRST = ("quit", "retract", "reopen", "pick_facets", "clear_filter")
    """Keys a narrow footer leaves out first: at 80 columns "r Review" and "l Scores" stay
    (the facets line above the table opens the facets on a click)."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filter", "Filter", id="claims.filter"),
        Binding("F", "pick_facets", "Facets", id="claims.facets"),
        Binding("escape", "clear_filter", "Clear filter", id="claims.clear"),
        Binding("escape", "leave_filter", "Back to list", id="claims.leave"),
        Binding("s", "next_sort", "Sort", id="claims.sort", show=False),
        Binding("S", "reverse_sort", "Reverse", id="claims.reverse", show=False),
        Binding("ctrl+r", "reload", "Reload", id="claims.reload", show=False),
        Binding("t", "show_as_of", "As of a date", id="claims.as_of", show=False),
        Binding("a", "new_claim", "New claim", id="claims.new", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.listing = Listing()
        self.serial = 0
        self.shown_serial = 0
        """The request whose page the table shows; equal to `serial` once it is up to date."""
        self.rows: list[ClaimRow] = []
        self.total: int | None = None
        self.expanded: dict[str, list[ClaimRow]] = {}
        self._cursor_target: str | int | None = None
        self._jump_to: str | None = None
        self._count_timer: Timer | None = None
        self._reloaded_for: tuple[str, int] | None = None
        self._page_read: Worker[ClaimsLoaded | None] | None = None
        """The read of the listing asked for last."""
        self._page_failed = False
        """That read failed: the status line says so until a page is shown, a resize too."""
        self._saved: tuple[str, Listing] | None = None
        """The claim written and the listing it was written under: if the next page shown of
        that listing does not hold it, the reviewer is told where it went."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filter-bar"):
            yield FilterInput(id="filter")  # its placeholder names the key: on_mount
            yield FacetBar(id="facets")
        yield ClaimsHeader(id="claims-header")
        yield ClaimsTable(id="claims")
        yield Static(id="listing-status")
        yield ClaimDetailView(id="detail")
        yield Footer()

    async def on_mount(self) -> None:
        self.tracker.steady_cursors(self)
        key = key_for(self, "focus_filter")
        self.query_one(FilterInput).offer_placeholders(f"{key} filter: slug, title".lstrip(),
                                                       f"{key} filter".lstrip())
        worker = self.show_listing(self.listing)
        first_page = asyncio.ensure_future(worker.wait())
        # Only the wait is bounded: the worker goes on, and its outcome (rows or an error)
        # arrives as its messages; the callback reads a late failure so asyncio does not log it.
        first_page.add_done_callback(lambda done: done.cancelled() or done.exception())
        await asyncio.wait([first_page], timeout=FIRST_PAGE_WAIT)
        if worker.state is WorkerState.SUCCESS and worker.result is not None:
            # Shown now, not when its message comes: the screen's first frame is queued ahead
            # of the message, and would be painted with an empty table, then painted again.
            self._claims_loaded(worker.result)

    @property
    def table(self) -> ClaimsTable:
        return self.query_one(ClaimsTable)

    # --- loading -----------------------------------------------------------------------
    def show_listing(
        self, listing: Listing, cursor: str | int | None = None
    ) -> Worker[ClaimsLoaded | None]:
        """Ask for `listing`; `cursor` is the slug (or row index) to put the cursor on."""
        self.serial += 1
        if listing.criteria() != self.listing.criteria():
            self.expanded = {}
        self.listing = listing
        self.query_one(FacetBar).show(
            Facets(listing.status, listing.tag, listing.source, listing.kind))
        self.total = None
        self._cursor_target = cursor
        self._page_read = self.load_claims(listing, self.serial)
        return self._page_read

    @work(thread=True, exclusive=True, group="claims", exit_on_error=False)
    def load_claims(self, listing: Listing, serial: int) -> ClaimsLoaded | None:
        rows = listing.read_page(self.tracker.queries, self.tracker.reviewer)
        if get_current_worker().is_cancelled:
            return None
        loaded = ClaimsLoaded(serial, listing, rows)
        self.post_message(loaded)
        return loaded

    @work(thread=True, exclusive=True, group="count", exit_on_error=False)
    def count_claims(self, listing: Listing, serial: int) -> None:
        total = self.tracker.queries.count_claims(listing.criteria())
        if not get_current_worker().is_cancelled:
            self.post_message(ClaimsCounted(serial, total))

    @work(thread=True, exit_on_error=False, group="children")
    def load_children(self, parent: str) -> None:
        rows = self.tracker.queries.list_claims(ClaimFilter(parent=parent),
                                                reviewer=self.tracker.reviewer)
        self.post_message(ChildrenLoaded(parent, rows))

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def load_detail(self, slug: str) -> None:
        detail = self.tracker.queries.claim_detail(slug)
        if not get_current_worker().is_cancelled:
            self.post_message(DetailLoaded(detail))

    @work(thread=True, exit_on_error=False, group="facets")
    def load_facets(self, focus: str) -> None:
        queries = self.tracker.queries
        self.post_message(FacetsLoaded(queries.tags(), queries.sources(), focus))

    # --- results -----------------------------------------------------------------------
    @work(thread=True, exit_on_error=False, group="left")
    def find_where_it_went(self, listing: Listing, slug: str) -> None:
        matches = self.tracker.queries.count_claims(replace(listing.criteria(), slug=slug)) > 0
        self.post_message(ClaimLeftPage(slug, matches))

    @on(ClaimLeftPage)
    def _claim_left_page(self, message: ClaimLeftPage) -> None:
        if message.matches:
            self.notify(f"'{message.slug}' moved to another page in this sort.")
        else:
            self.notify(f"'{message.slug}' no longer matches the filter, so it left the list: "
                        f"{key_for(self, 'clear_filter', enabled_only=False)} clears the filter.")

    def _check_saved_claim_shown(self, message: ClaimsLoaded) -> None:
        """Any page of the listing written under will do (only the latest request's page is
        shown, so it was asked for since the write): the write's own read is passed over
        when a newer one replaces it (the claim's detail, read beside it, can come first
        and ask for the page again)."""
        if self._saved is None:
            return
        slug, listing = self._saved
        self._saved = None
        if message.listing != listing:  # asked for since (a filter, another page): the
            return  # claim was not taken off it by the write
        shown = [*message.rows, *(row for rows in self.expanded.values() for row in rows)]
        if all(row.slug != slug for row in shown):
            self.find_where_it_went(message.listing, slug)

    @on(ClaimsLoaded)
    def _claims_loaded(self, message: ClaimsLoaded) -> None:
        if message.serial != self.serial or message.serial == self.shown_serial:
            return  # for an older request, or shown already (the first page: see on_mount)
        self._check_saved_claim_shown(message)
        rows = message.rows
        if not message.listing.sort_in_sql:
            column = message.listing.sort
            rows = _sorted_in_page(rows, column, message.listing.descending)
        self.rows = rows
        self.shown_serial = message.serial
        self._page_failed = False
        self._render_rows()
        if self._count_timer is not None:
            self._count_timer.stop()
        self._count_timer = self.set_timer(
            COUNT_DELAY, partial(self.count_claims, message.listing, message.serial)
        )
        self._describe()
        if not rows:
            self.detail = None
            self.query_one(ClaimDetailView).show_message(
                "no claims match" if not message.listing.is_tree or message.listing.offset
                else "No claims yet: press a to record one, or load claim files with "
                     "`tracker import claims/`")
        self.refresh_keys()

    def _render_rows(self) -> None:
        self.table.show(self.rows, self.tracker.now(), tree=self.listing.is_tree,
                        children=self.expanded, cursor=self._cursor_target)
        self._cursor_target = None
        self.query_one(ClaimsHeader).show_sort(self.listing.sort, self.listing.descending)

    @on(ClaimsCounted)
    def _claims_counted(self, message: ClaimsCounted) -> None:
        if message.serial == self.serial:
            self.total = message.total
            self._describe()

    def _describe(self) -> None:
        if self._page_failed:
            reload = key_for(self, "reload", enabled_only=False)
            self.query_one("#listing-status", Static).update(
                f"The claims could not be read (see the error message): press {reload} to "
                "try again.", layout=False)
            return
        within = not self.listing.sort_in_sql and (self.total is None
                                                   or self.total > len(self.rows))
        texts = [self.listing.describe(self.total, len(self.rows), hint=hint)
                 + (" (sorted within this page)" if within else "") for hint in (True, False)]
        room = self.app.size.width - 2  # the status line's padding
        text = next((text for text in texts if cell_len(text) <= room), texts[-1])
        self.query_one("#listing-status", Static).update(text, layout=False)

    def on_resize(self) -> None:
        self._describe()  # the hint comes and goes with the room

    @on(ChildrenLoaded)
    def _children_loaded(self, message: ChildrenLoaded) -> None:
        if self.listing.is_tree and any(row.slug == message.parent for row in self.rows):
            self.expanded[message.parent] = message.rows
            self._render_rows()

    @on(ClaimsTable.Highlighted)
    def _row_highlighted(self, message: ClaimsTable.Highlighted) -> None:
        # After the table's next frame: read at once, the detail's query would hold up the
        # frame that shows the new page or cursor (its thread competes for the interpreter).
        self.call_after_refresh(self.load_detail, message.slug)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A claim whose detail could not be read is not shown as the one before it: its
        keys would act on that one. Nor is a page that could not be read. (TrackerScreen's
        handler shows the error.)"""
        if event.state is WorkerState.ERROR and event.worker.group == "detail":
            self.detail = None
            self.query_one(ClaimDetailView).show_message(
                "This claim could not be loaded (see the error message): move to it again, "
                f"or press {key_for(self, 'reload', enabled_only=False)} to reload.")
            self.refresh_keys()
        if event.state is WorkerState.ERROR and event.worker is self._page_read:
            # Not the rows before: they would stand under a filter they do not match.
            self.rows, self.shown_serial, self.detail = [], self.serial, None
            self._page_failed = True
            self._render_rows()
            self._describe()
            self.query_one(ClaimDetailView).show_message("")
            self.refresh_keys()

    @on(DetailLoaded)
    def _detail_loaded(self, message: DetailLoaded) -> None:
        if message.detail.slug == self.table.current_slug:
            self.claim_changed(message.detail)

    def selected_slug(self) -> str | None:
        return self.table.current_slug

    def claim_changed(self, detail: ClaimDetail) -> None:
        self.detail = detail
        self.query_one(ClaimDetailView).show(detail)
        self.refresh_keys()
        self._refresh_row(detail)

    def _refresh_row(self, detail: ClaimDetail) -> None:
        """Changed by someone else: its row is read again too (a derived question's with its
        parent's other questions), once per version, so a row that still reads older cannot
        start a loop of reloads."""
        if self._reloaded_for == (detail.slug, detail.version):
            return

        def older(rows: list[ClaimRow]) -> bool:
            return any(row.slug == detail.slug and row.version < detail.version for row in rows)

        if older(self.rows):
            self._reloaded_for = (detail.slug, detail.version)
            self.show_listing(self.listing, cursor=detail.slug)
            return
        for parent, children in self.expanded.items():
            if older(children):
                self._reloaded_for = (detail.slug, detail.version)
                self.load_children(parent)

    @on(FacetsLoaded)
    def _facets_loaded(self, message: FacetsLoaded) -> None:
        listing = self.listing
        current = Facets(listing.status, listing.tag, listing.source, listing.kind)

        def chosen(facets: Facets | None) -> None:
            if facets is not None and facets != current:
                self.show_listing(self.listing.filtered(**asdict(facets)))

        self.app.push_screen(
            FacetDialog(current, message.tags, [source.key for source in message.sources],
                        focus=message.focus),
            chosen,
        )

    @on(WriteSaved)
    def _write_saved(self, message: WriteSaved) -> None:
        self.notify(f"Saved: {message.write.describe()}")
        if isinstance(message.write.change, NewClaim):
            self.show_claim(message.write.slug)  # wherever it sorts, even under a parent
            return
        self.reload(cursor=message.write.slug)
        self._saved = (message.write.slug, self.listing)
        self.load_detail(message.write.slug)

    # --- input -------------------------------------------------------------------------
    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.show_listing(self.listing.filtered(text=event.value), cursor=self._jump_to)
        self._jump_to = None

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    @on(FacetBar.PickRequested)
    def _facet_clicked(self, message: FacetBar.PickRequested) -> None:
        self.load_facets(message.facet)

    def action_pick_facets(self) -> None:
        self.load_facets("status")

    @on(ClaimsHeader.SortRequested)
    def _sort_requested(self, message: ClaimsHeader.SortRequested) -> None:
        self.show_listing(self.listing.sorted_by(message.column))

    @on(ClaimsTable.PageRequested)
    def _page_requested(self, message: ClaimsTable.PageRequested) -> None:
        offset = self.listing.offset + message.step * PAGE_SIZE
        more = len(self.rows) == PAGE_SIZE if self.total is None else offset < self.total
        if offset < 0 or (message.step > 0 and not more):
            return
        self.show_listing(self.listing.paged(offset), cursor=0 if message.step > 0 else -1)

    @on(ClaimsTable.ChildrenToggled)
    def _toggle_children(self) -> None:
        slug = self.table.current_slug
        if slug in self.expanded:
            del self.expanded[slug]
            self._render_rows()
        elif self.listing.is_tree and any(row.slug == slug and row.children
                                          for row in self.rows):
            self.load_children(slug)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        field = self.query_one("#filter", Input)
        typing = field.has_focus
        # In the field with nothing typed, esc only leaves it: facets picked stay.
        leaving = typing and not field.value.strip()
        if action == "clear_filter":
            return not self.listing.is_tree and not leaving
        if action == "leave_filter":
            return leaving
        if action == "focus_filter":  # "/" is typed into it then
            return not typing
        if action == "show_as_of":
            return self.detail is not None
        return super().check_action(action, parameters)

    def action_new_claim(self) -> None:
        self.open_new_claim()

    def action_show_as_of(self) -> None:
        if self.detail is not None and self.detail.slug == self.selected_slug():
            self.app.push_screen(AsOfDialog(self.detail))

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        self.show_listing(Listing(sort=self.listing.sort, descending=self.listing.descending))
        self.table.focus()

    def action_leave_filter(self) -> None:
        self.table.focus()

    def action_next_sort(self) -> None:
        """The next column the table shows (a narrow one leaves some out)."""
        widths = column_widths(self.table.scrollable_content_region.width)
        shown = [column.key for column, width in zip(COLUMNS, widths, strict=True)
                 if width or column.key == self.listing.sort]
        following = shown[(shown.index(self.listing.sort) + 1) % len(shown)]
        self.show_listing(self.listing.sorted_by(following))

    def action_reverse_sort(self) -> None:
        self.show_listing(self.listing.sorted_by(self.listing.sort))

    def action_reload(self) -> None:
        self.reload()

    def reload(self, cursor: str | None = None) -> None:
        """Read the page again, and the derived questions shown under their parents: a
        write or a review session may have changed any of them (the page read alone kept
        their rows as they were)."""
        self.show_listing(self.listing, cursor=cursor)
        for parent in self.expanded:
            self.load_children(parent)

    def show_claim(self, slug: str) -> None:
        """Jump to one claim: filter by its slug and put the cursor on it. The facets are
        cleared: one could hide it (a jump to a resolved claim under "any open")."""
        filter_input = self.query_one("#filter", Input)
        unfaceted = self.listing.filtered(status=None, tag=None, source=None, kind=None)
        if filter_input.value == slug:
            self.show_listing(unfaceted, cursor=slug)
        else:
            self.listing = unfaceted  # the filter's change starts from it
            self._jump_to = slug
            filter_input.value = slug
        self.table.focus()
