"""The claims screen: tree, filter as you type, facets, sorting, paging and the detail pane."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import Input, Label, OptionList, Static

from tests.tui.conftest import (
    SIZE,
    add_claim,
    definition,
    fill,
    pane_text,
    settle,
    told_it_went_away,
    type_text,
    went_away,
)
from tracker.ledger import Ledger
from tracker.queries import Queries
from tracker.tui.app import TrackerApp
from tracker.tui.dialogs.facets import FacetDialog
from tracker.tui.format import stamp
from tracker.tui.listing import COLUMNS, PAGE_SIZE, Listing
from tracker.tui.screens import claims
from tracker.tui.screens.claims import COUNT_DELAY, ClaimsScreen
from tracker.tui.widgets.claim_detail import ClaimDetailView
from tracker.tui.widgets.claims_table import ClaimsHeader, ClaimsTable, column_widths
from tracker.tui.widgets.facets import FacetBar
from tracker.tui.widgets.filter_input import FilterInput


def slugs(app: TrackerApp) -> list[str]:
    return app.screen.query_one(ClaimsTable).slugs


def detail_text(app: TrackerApp) -> str:
    return pane_text(app.screen.query_one(ClaimDetailView))


async def test_tree_shows_top_level_claims_and_derived_questions_on_demand(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert slugs(app) == ["ev-share", "fusion-grid", "gdp-growth", "rates-cut"]
        table = app.screen.query_one(ClaimsTable)
        assert table.cell(0, "slug") == "▸ ev-share"
        await pilot.press("space")
        await settle(pilot)
        assert slugs(app)[:3] == ["ev-share", "ev-share-cn", "ev-share-eu"]
        await pilot.press("space")
        await settle(pilot)
        assert "ev-share-cn" not in slugs(app)


async def test_a_derived_question_changed_by_another_reviewer_is_read_again_once(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """Its detail is newer than its row under the expanded parent: the parent's questions are
    read again, once (a page reload kept the old child rows, and reloaded for ever)."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space")  # ev-share's derived questions
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClaimsScreen)
        reads: list[str] = []
        load_children, show_listing = screen.load_children, screen.show_listing
        screen.load_children = lambda parent: (reads.append(parent),  # type: ignore[method-assign]
                                               load_children(parent))[1]
        screen.show_listing = lambda *a, **k: (reads.append("page"),  # type: ignore[method-assign]
                                               show_listing(*a, **k))[1]
        seeded.change_status("ev-share-cn", "stalled", reviewer="bob", note="subsidies cut")
        await pilot.press("down")  # onto ev-share-cn
        for _ in range(5):
            await settle(pilot)
        assert reads == ["ev-share"]
        row = next(row for row in screen.expanded["ev-share"] if row.slug == "ev-share-cn")
        assert row.status == "stalled"


async def test_a_forecast_on_a_derived_question_shows_in_its_row_under_the_parent(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """After a write the page was read again, but not the derived questions shown under
    their parent: ev-share-cn's row still said "–" under Mine after alice's 70%."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space")  # ev-share's derived questions, read by a worker
        await settle(pilot)
        await pilot.press("down")  # onto ev-share-cn
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        assert table.current_slug == "ev-share-cn"
        assert table.cell(table.cursor_row, "mine") == "–"
        await pilot.press("f")
        await type_text(pilot, "70%")
        await pilot.press("enter")
        await settle(pilot)
        assert table.current_slug == "ev-share-cn"
        assert table.cell(table.cursor_row, "mine") == "70%"


async def test_filter_as_you_type_searches_every_claim_and_escape_clears_it(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "china")
        await settle(pilot)
        assert slugs(app) == ["ev-share-cn"]
        await pilot.pause(COUNT_DELAY + 0.1)  # the total is counted once typing pauses
        await settle(pilot)
        assert str(app.screen.query_one("#listing-status", Static).render()).startswith(
            "1 of 1 claim ·")
        await pilot.press("enter", "escape")
        await settle(pilot)
        assert slugs(app) == ["ev-share", "fusion-grid", "gdp-growth", "rates-cut"]
        await pilot.press("slash", "escape")  # nothing to clear: escape leaves the field
        await settle(pilot)
        assert app.focused is app.claims_screen.table
        await pilot.press("down")  # moves in the table, not typed into the filter
        await settle(pilot)
        assert app.claims_screen.query_one("#filter", Input).value == ""
        assert app.claims_screen.table.current_slug == "fusion-grid"


async def test_wide_characters_in_titles_keep_the_columns_in_line(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    add_claim(seeded, "cjk-title", "長期來看小版本更新會更頻繁，大版本更新每1-2年一次和更多的字")
    add_claim(seeded, "emoji-title", "🚀🚀🚀 rockets to orbit every week of the year 🚀🚀🚀")
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        lines = [table.render_line(y) for y in range(table.row_count)]
        status_at = set()
        for index, line in enumerate(lines):
            assert line.cell_length == table.scrollable_content_region.width
            text = line.text
            before_status = text[:text.index(f" {table.cell(index, 'status')} ")]
            status_at.add(cell_len(before_status))
        assert len(status_at) == 1, status_at  # every Status cell starts in the same column
        assert "cjk-title" in table.slugs and "emoji-title" in table.slugs


def test_a_narrow_table_narrows_the_slug_then_leaves_out_columns_not_the_title() -> None:
    keys = [column.key for column in COLUMNS]

    def layout(total: int) -> dict[str, int]:
        widths = column_widths(total)
        assert sum(width + 2 for width in widths if width) == total  # fills the row exactly
        return dict(zip(keys, widths, strict=True))

    assert layout(119) == {"slug": 26, "title": 34, "status": 10, "deadline": 10, "mine": 4,
                           "team": 4, "evidence": 5, "next_review": 10}
    assert layout(90)["slug"] == 15 and layout(90)["title"] == 16 and all(layout(90).values())
    assert layout(79)["next_review"] == 0 and layout(79)["evidence"] == 5
    assert layout(70)["evidence"] == 0 and layout(70)["title"] >= 16


def test_a_wide_table_gives_the_slug_room_too() -> None:
    """At 200 columns the title had 80 empty columns while every long slug was cut."""
    for total, slug, title in ((140, 33, 48), (200, 48, 93), (300, 48, 193)):
        widths = dict(zip([column.key for column in COLUMNS], column_widths(total), strict=True))
        assert sum(width + 2 for width in widths.values()) == total
        assert (widths["slug"], widths["title"]) == (slug, title)


async def test_at_80_columns_every_line_fits_and_the_header_matches_the_cells(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        header = app.screen.query_one(ClaimsHeader).render_line(0).text
        assert "Evid." in header and "Review" not in header
        for y in range(table.row_count):
            line = table.render_line(y)
            assert line.cell_length == table.scrollable_content_region.width
            status = table.cell(y, "status")
            assert line.text.index(f" {status}") == header.index(" Status")
        filter_input = app.screen.query_one("#filter", Input)  # its hint whole: "/ filter by"
        assert filter_input.content_size.width > cell_len(filter_input.placeholder)
        await pilot.press("s", "s", "s", "S")  # by deadline, latest first: a longer line
        await settle(pilot)
        status = app.screen.query_one("#listing-status", Static)
        text = str(status.render())
        assert text.endswith("top-level claims · sorted by deadline ↓")  # not "· sorted by"
        assert cell_len(text) <= status.content_size.width
        await pilot.resize_terminal(120, 40)  # room again: the hint is back
        await settle(pilot)
        assert "(space shows derived questions) · sorted by deadline ↓" in str(status.render())


async def test_at_80_columns_slugs_that_begin_alike_are_cut_in_the_middle(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """Cut at the end, all three read "hallucina…"; the detail pane has the whole slug of
    the claim under the cursor."""
    slugs = ["hallucination-causes", "hallucination-remedies", "hallucination-scale-down"]
    for slug in slugs:
        add_claim(seeded, slug, "Hallucinations")
    app = tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        rows = [table.slugs.index(slug) for slug in slugs]
        shown = [table.render_line(row).text.split()[0] for row in rows]  # not scrolled
        assert len(set(shown)) == 3, shown
        for cut, slug in zip(shown, slugs, strict=True):
            start, end = cut.split("…")
            assert slug.startswith(start) and slug.endswith(end), cut
        table.move_cursor(rows[0])
        await settle(pilot)
        assert detail_text(app).startswith(slugs[0])


async def test_an_empty_database_says_how_to_add_claims_and_a_filter_says_none_match(
    tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert slugs(app) == []
        assert "No claims yet: press a to record one" in detail_text(app)
        await pilot.press("slash")
        await type_text(pilot, "zzz")
        await settle(pilot)
        assert detail_text(app).strip() == "no claims match"


async def test_sorting_by_evid_goes_by_days_and_narrow_headers_keep_the_arrow(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    seeded.add_evidence("fusion-grid", title="Pilot plant", stance="context", reviewer="bob",
                        observed_on=date(2023, 12, 1))
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.claims_screen
        screen.show_listing(Listing(sort="evidence"))
        await settle(pilot)
        table = screen.query_one(ClaimsTable)
        days = [table.cell(row, "evidence") for row in range(table.row_count)]
        assert days[:2] == ["31d", "122d"]  # ascending in days: the latest evidence first
        assert set(days[2:]) == {"–"}  # none last
        header = screen.query_one(ClaimsHeader).render_line(0).text
        assert "Evid↑" in header
        for key, label in (("mine", "Min↑"), ("team", "Tea↑"), ("slug", "Slug ↑")):
            screen.show_listing(Listing(sort=key))
            await settle(pilot)
            assert label in screen.query_one(ClaimsHeader).render_line(0).text


async def test_facets_narrow_by_status_tag_source_and_kind(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        picks = {  # keys in the picker (delete: any for all first) -> what the list shows
            ("down",) * 5: ["fusion-grid"],  # status: stalled
            ("tab",) + ("down",) * 4: ["ev-share-eu"],  # tag: eu
            ("tab",) * 2 + ("down",): ["ev-share", "ev-share-cn", "ev-share-eu",
                                       "fusion-grid", "gdp-growth", "rates-cut"],  # source
            ("tab",) * 3 + ("down",) * 2: ["gdp-growth"],  # kind: fact
            ("down",) * 2: ["gdp-growth"],  # status: closed, any outcome
        }
        for keys, expected in picks.items():
            await pilot.press("F")
            await settle(pilot)
            assert isinstance(app.screen, FacetDialog)
            await pilot.press("delete", *keys, "enter")
            await settle(pilot)
            assert slugs(app) == expected, keys
        assert "status any closed" in str(app.screen.query_one(FacetBar).render())
        # Escape in the filter field with nothing typed only leaves it: it cleared the
        # facets too, which the help says it does not.
        await pilot.press("slash", "escape")
        await settle(pilot)
        assert app.focused is app.claims_screen.table
        assert slugs(app) == ["gdp-growth"]
        await pilot.press("escape")  # from the list, escape clears them
        await settle(pilot)
        assert slugs(app) == ["ev-share", "fusion-grid", "gdp-growth", "rates-cut"]


async def test_a_tag_called_any_is_a_facet_like_any_other(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """The picker's own "any" choice had the id "any": a tag (or source) of that name made
    two options with one id, and the facets key crashed the app."""
    add_claim(seeded, "any-tag", "Tagged any", tags=("any",))
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)
        assert isinstance(app.screen, FacetDialog)
        await pilot.press("tab", "down", "enter")  # tag: the first after "any", "any"
        await settle(pilot)
        assert slugs(app) == ["any-tag"]
        await pilot.press("F")
        await settle(pilot)
        await pilot.press("tab", "tab", "down", "enter")  # source: iea-2023
        await settle(pilot)
        # As named: "iea 2023" would be another source (the status's any-open reads as words).
        assert "source iea-2023 ▾" in str(app.screen.query_one(FacetBar).render())
        await pilot.press("F")
        await settle(pilot)
        await pilot.press("enter")  # the picker reopens on the tag: applying keeps it
        await settle(pilot)
        assert slugs(app) == ["any-tag"]
        await pilot.press("F")
        await settle(pilot)
        await pilot.press("tab", "up", "enter")  # the picker's own "any"
        await settle(pilot)
        assert "any-tag" in slugs(app) and "ev-share" in slugs(app)


async def test_a_click_on_the_facets_line_opens_the_facet_under_it_after_a_wide_tag(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """The line measured its parts in characters, the click in cells: after a tag in CJK
    (two cells a character) a click on "source" opened the tag's picker."""
    add_claim(seeded, "grid-cn", "Grid in China", tags=("能源",))
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.claims_screen
        screen.show_listing(screen.listing.filtered(tag="能源"))
        await settle(pilot)
        bar = screen.query_one(FacetBar)
        text = str(bar.render())
        source_mark = cell_len(text[:text.index("▾", text.index("source"))])  # its ▾
        await pilot.click(bar, offset=(bar.styles.padding.left + source_mark, 0))
        await settle(pilot)
        assert isinstance(app.screen, FacetDialog)
        assert app.screen.focused is not None and app.screen.focused.id == "pick-source"


async def test_facet_choices_keep_to_one_line_each_in_a_small_terminal(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """At 80x24 a long tag wrapped mid-word ("application" / "s"), which read as two tags."""
    add_claim(seeded, "long-tag", "A claim with a long tag", tags=("applications-of-agents",))
    app = tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)
        tags = app.screen.query_one("#pick-tag", OptionList)
        assert tags.virtual_size.height == tags.option_count
        await pilot.press("escape")


async def test_the_facet_pickers_title_and_names_stay_in_view_in_a_small_terminal(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """At 80x24 the pickers do not fit: the whole form scrolled to the focused one, and its
    title went out of view above; then the pickers scrolled under the title, and their names
    above them went out of view."""
    app = tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)
        form = app.screen.query_one(".form")
        for keys in ((), ("tab",) * 3):  # first and last picker focused
            await pilot.press(*keys)
            await settle(pilot)
            title = app.screen.query_one(".form-title").region
            assert title.height == 1 and form.content_region.contains_region(title), keys
            keys_line = app.screen.query_one(".form > .field-hint").region  # its keys too,
            assert keys_line.height == 1, keys  # over none of the pickers' rows
            assert form.content_region.contains_region(keys_line), keys
            assert not keys_line.overlaps(app.screen.query_one(".form VerticalScroll").region)
            for picker in app.screen.query(OptionList):
                name = next(label for label in app.screen.query(Label)
                            if picker.id == f"pick-{label.render()}")
                shown, _ = app.screen.get_widget_at(*name.region.offset)
                assert shown is name, (picker.id, keys)  # not hidden under the title
                assert name.region.x == picker.region.x and name.region.y < picker.region.y
        await pilot.press("escape")


async def test_a_facet_set_at_80_columns_shortens_the_filters_placeholder_to_whole_words(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """The facets line grows with a facet set, and the filter field narrows: its placeholder
    was cut to "/ filter: slug,"."""
    app = tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        filter_input = app.screen.query_one("#filter", Input)
        assert filter_input.render_line(0).text.strip() == "/ filter: slug, title"
        await pilot.press("F")  # the facet dialog opens once a worker has read the tags
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # status: any closed
        await settle(pilot)
        assert filter_input.render_line(0).text.strip() == "/ filter"
        await pilot.press("escape")  # the facets cleared: room again
        await settle(pilot)
        assert filter_input.render_line(0).text.strip() == "/ filter: slug, title"
        assert isinstance(filter_input, FilterInput)
        room = filter_input.content_size.width  # a wording exactly as wide fits whole
        filter_input.offer_placeholders("x" * room, "short")
        assert filter_input.placeholder == "x" * room
        await pilot.pause()
        assert filter_input.render_line(0).text.strip() == "x" * room


async def test_sorting_by_header_and_keys(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s", "s", "s")  # slug -> title -> status -> deadline
        await settle(pilot)
        assert app.screen.listing.sort == "deadline"
        assert slugs(app) == ["rates-cut", "gdp-growth", "ev-share", "fusion-grid"]
        await pilot.press("S")
        await settle(pilot)
        assert slugs(app) == ["fusion-grid", "ev-share", "gdp-growth", "rates-cut"]
        await pilot.click("#claims-header", offset=(90, 0))  # "Mine": sorted in the page
        await settle(pilot)
        assert app.screen.listing.sort == "mine"
        assert slugs(app)[0] == "ev-share"


async def test_a_column_sorted_in_the_page_keeps_empty_values_last_both_ways(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """Mine reversed put the claims alice never forecast first and her forecast last: the
    whole order was reversed, empty values too, where the SQL sorts keep them last. Those
    with a value are reversed."""
    seeded.forecast("fusion-grid", 0.3, reviewer="alice")  # ev-share has her 60%
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s", "s", "s", "s")  # slug -> title -> status -> deadline -> mine
        await settle(pilot)
        assert app.screen.listing.sort == "mine"
        assert slugs(app) == ["fusion-grid", "ev-share", "gdp-growth", "rates-cut"]
        await pilot.press("S")
        await settle(pilot)
        assert app.screen.listing.descending
        assert slugs(app) == ["ev-share", "fusion-grid", "gdp-growth", "rates-cut"]


async def test_the_sort_key_goes_only_through_the_columns_shown(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """At 80 columns the table leaves out Review: `s` went on to sort by it, and the status
    line said "sorted by review" with no such column in sight."""
    app = tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        sorts = []
        for _ in range(7):
            await pilot.press("s")
            await settle(pilot)
            sorts.append(app.screen.listing.sort)
        assert sorts == ["title", "status", "deadline", "mine", "team", "evidence", "slug"]


async def test_moving_past_the_last_row_loads_the_next_page(
    ledger: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    with ledger.transaction() as tx:
        for number in range(PAGE_SIZE + 5):
            tx.create_claim(definition(f"claim-{number:03d}", f"Claim {number}", source=None),
                            "alice")
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        assert table.row_count == PAGE_SIZE
        table.move_cursor(PAGE_SIZE - 1)
        await pilot.press("down")
        await settle(pilot)
        assert slugs(app) == [f"claim-{number:03d}" for number in range(PAGE_SIZE, PAGE_SIZE + 5)]
        assert table.current_slug == f"claim-{PAGE_SIZE:03d}"
        await pilot.press("up")
        await settle(pilot)
        assert table.row_count == PAGE_SIZE
        assert table.current_slug == f"claim-{PAGE_SIZE - 1:03d}"


async def test_clearing_the_filter_keeps_the_claim_chosen_in_sight(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """The cursor stayed on the claim found (row 32 of 43) with the table scrolled to the top:
    the keys then acted on a claim nobody could see."""
    for number in range(40):
        add_claim(seeded, f"zz-claim-{number:02d}", f"Filler {number}")
    app = tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "zz-claim-35")
        await settle(pilot)
        await pilot.press("enter", "escape")
        await settle(pilot)
        table = app.claims_screen.table
        assert table.current_slug == "zz-claim-35" and len(slugs(app)) > 40
        top = int(table.scroll_offset.y)
        assert top <= table.cursor_row < top + table.scrollable_content_region.height


async def test_detail_pane_shows_the_whole_claim(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    seeded.reopen("gdp-growth", reason="IMF revised", reviewer="bob")
    seeded.change_status("gdp-growth", "developing", reviewer="bob",
                         observed_on=date(2023, 10, 2))
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = detail_text(app)
        for expected in ("EVs reach half of new car sales", "It is claimed that",
                         "“EVs reach half of new car sales, we expect.”",
                         "World Energy Outlook, IEA", "Resolves yes if the official figures",
                         "deadline 2030-12-31", "Derived questions (2)", "Sales up 30%",
                         "team median", "alice", "bob"):
            assert expected in text, expected
        await pilot.press("down", "down")
        await settle(pilot)
        text = detail_text(app)
        assert "Status history" in text and "reopened confirmed → open" in text
        assert "status open → developing (bob), observed 2023-10-02" in text
        assert "Resolution" in text and "IMF figures" in text
        assert "Definition history" not in text  # only its creation: nothing to tell


async def test_detail_pane_says_who_changed_the_definition_and_why(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """An edit of what a claim says (in the app, the CLI or taken from a claim file, with
    its author) was in no part of the pane: who changed which fields, when, and why."""
    current = Queries(seeded.engine).claim_detail("ev-share").definition
    seeded.edit_claim("ev-share", replace(current, title="EVs: half of sales",
                                          criteria="Yes if the IEA says so."), "bob",
                      note="the IEA is the source")
    revision = Queries(seeded.engine).claim_detail("ev-share").revisions[-1]
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = detail_text(app)
        assert "Definition history" in text
        assert (f"  {stamp(revision.recorded_at)}  v2 changed title, criteria (bob): the IEA is "
                "the source") in text


async def test_the_pane_indents_a_cadence_written_on_two_lines(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """A DTSTART on a line of its own left the RRULE at the pane's edge, like a fact."""
    add_claim(seeded, "dated", "Dated cadence", cadence="DTSTART:20240115\nRRULE:FREQ=WEEKLY")
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        app.claims_screen.show_claim("dated")
        await settle(pilot)
        lines = detail_text(app).splitlines()
        column = next(line.index("deadline") for line in lines if "deadline" in line)
        facts = [line[column:].rstrip() for line in lines]  # the pane's right-hand column
        at = facts.index("review cadence DTSTART:20240115")
        assert facts[at + 1] == "  RRULE:FREQ=WEEKLY"


async def test_the_pane_lists_evidence_by_the_day_it_speaks_of(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """Evidence found later about an earlier day is read in its place, not at the end."""
    seeded.add_evidence("ev-share", title="Later news", stance="supports", reviewer="bob",
                        observed_on=date(2023, 11, 1))
    seeded.add_evidence("ev-share", title="Older news", stance="context", reviewer="bob",
                        observed_on=date(2023, 2, 1))
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = detail_text(app)
        assert text.index("2023-02-01  context   Older news") < text.index("Later news")


async def test_a_quote_with_no_space_to_wrap_at_is_shown_whole(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """A Chinese quote (or a URL) longer than the pane is folded onto more lines, not cut
    with an ellipsis: a verbatim quote cut short is no longer the quote."""
    quote = "長期來看,小版本迭代的角度:隱私/權限的增強、更多的圖片/文件/聲音格式的" * 4
    seeded.create_claim(replace(definition("aaa-quote", "A long quote"), quote=quote,
                                quote_lang="zh"), "alice")
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = detail_text(app)
        assert "aaa-quote" in text

        def chinese(shown: str) -> str:  # the other column shares the lines, in ASCII
            return "".join(char for char in shown if ord(char) >= 0x2E80)

        assert chinese(text) == chinese(quote)  # every character, in order, across the lines


async def test_the_cursor_row_shows_the_status_in_the_cursors_colours(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """Status colours are for the other rows: green "confirmed" on the cursor's orange was
    1.2:1 in textual-dark."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        statuses = [line.status for line in table.lines]
        for row in (statuses.index("confirmed"), statuses.index("stalled")):
            table.move_cursor(row)
            await settle(pilot)
            cursor = list(table.render_line(row - table.scroll_offset.y))
            status_cell = next(segment for segment in cursor
                               if segment.text.strip() == statuses[row])
            assert status_cell.style is not None and not status_cell.style.bold
            assert status_cell.style.color == cursor[0].style.color  # the slug's colour
            other = table.render_line((row + 1) % len(statuses) - table.scroll_offset.y)
            assert any(segment.style is not None and segment.style.bold for segment in other
                       if segment.text.strip() == statuses[(row + 1) % len(statuses)])


async def test_the_screen_opens_with_its_first_page_when_it_comes_in_time(
    seeded: Ledger, tui: Callable[..., TrackerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(claims, "FIRST_PAGE_WAIT", 30.0)  # any machine reads 4 rows in time
    rows_when_painted: list[int] = []
    render_line = ClaimsTable.render_line

    def render_and_note(table: ClaimsTable, y: int) -> Any:
        rows_when_painted.append(table.row_count)
        return render_line(table, y)

    monkeypatch.setattr(ClaimsTable, "render_line", render_and_note)
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert slugs(app) == ["ev-share", "fusion-grid", "gdp-growth", "rates-cut"]
    # The table's very first frame shows the rows: it is not painted empty, then again.
    assert rows_when_painted and set(rows_when_painted) == {4}


async def test_a_slow_first_page_does_not_hold_the_screen(
    seeded: Ledger, tui: Callable[..., TrackerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    page_may_come = threading.Event()
    read_page = Listing.read_page

    def slow_read_page(listing: Listing, *args: Any) -> Any:
        page_may_come.wait(timeout=30)
        return read_page(listing, *args)

    monkeypatch.setattr(Listing, "read_page", slow_read_page)
    monkeypatch.setattr(claims, "FIRST_PAGE_WAIT", 0.05)
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        assert slugs(app) == []  # open, while the page is still being read
        page_may_come.set()
        await settle(pilot)
        assert slugs(app) == ["ev-share", "fusion-grid", "gdp-growth", "rates-cut"]


async def test_a_failing_first_page_is_shown_and_the_screen_opens(
    seeded: Ledger, tui: Callable[..., TrackerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Listing, "read_page", went_away)
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.is_running and slugs(app) == []
        assert told_it_went_away(app)


async def test_a_filtered_page_that_cannot_be_read_does_not_leave_the_last_page_shown(
    seeded: Ledger, tui: Callable[..., TrackerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows of the unfiltered page stayed under the filter "fusion", with its status
    line, and the keys acted on them, once the error notice had gone."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert slugs(app) == ["ev-share", "fusion-grid", "gdp-growth", "rates-cut"]

        monkeypatch.setattr(Listing, "read_page", went_away)
        await pilot.press("slash")
        await type_text(pilot, "fusion")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClaimsScreen)
        assert slugs(app) == [] and screen.detail is None
        status = str(screen.query_one("#listing-status", Static).render())
        assert status.startswith("The claims could not be read")
        assert told_it_went_away(app)
        await pilot.resize_terminal(100, 40)  # the status line is written again to fit
        await settle(pilot)
        assert str(screen.query_one("#listing-status", Static).render()) == status


async def test_a_first_page_failing_after_the_wait_is_shown_and_nothing_else_logged(
    seeded: Ledger, tui: Callable[..., TrackerApp], monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    page_may_fail = threading.Event()

    def late_failure(*_args: object) -> None:
        page_may_fail.wait(timeout=30)
        raise RuntimeError("database went away")

    monkeypatch.setattr(Listing, "read_page", late_failure)
    monkeypatch.setattr(claims, "FIRST_PAGE_WAIT", 0.05)
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        page_may_fail.set()
        for _ in range(100):
            await pilot.pause(0.02)
            if app._notifications:
                break
        assert app.is_running
        assert told_it_went_away(app)
    gc.collect()  # an unread task exception is logged when the task is collected
    assert "never retrieved" not in caplog.text


def notices(app: TrackerApp) -> list[str]:
    return [notice.message for notice in app._notifications]


async def edit_title(pilot: Pilot[None], slug: str, title: str) -> None:
    """Edit the title of `slug`, on the page shown, through the edit form."""
    table = pilot.app.screen.query_one(ClaimsTable)
    table.focus()
    table.move_cursor(row=table.slugs.index(slug))
    await settle(pilot)
    await pilot.press("d")
    await settle(pilot)
    await fill(pilot, "title", title)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def show_bank_claims_by_title(pilot: Pilot[None], app: TrackerApp) -> None:
    """Filter by "bank" and sort by title: the first page holds the fifty bank-NN claims
    (added by the test), "Central banks cut rates" is on the next."""
    await settle(pilot)
    await pilot.press("slash", *"bank")
    await settle(pilot)
    app.claims_screen.show_listing(app.claims_screen.listing.sorted_by("title"))
    await settle(pilot)


async def test_a_claim_saved_out_of_the_filter_says_where_it_went(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """Edited so it no longer matches the filter, a claim left the list with just "Saved";
    one that still matches but sorts onto another page is said to have moved."""
    for number in range(PAGE_SIZE):
        add_claim(seeded, f"bank-{number:02}", f"Bank claim {number:02}")
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await show_bank_claims_by_title(pilot, app)
        assert slugs(app)[0] == "bank-00" and len(slugs(app)) == PAGE_SIZE
        assert "rates-cut" not in slugs(app)  # "Central banks cut rates": the next page

        await edit_title(pilot, "bank-05", "Bank claim 05, revised")  # on this page still
        assert "bank-05" in slugs(app)
        assert notices(app)[-1].startswith("Saved")

        await edit_title(pilot, "bank-00", "Zed bank claim")  # sorts after the others
        assert "bank-00" not in slugs(app)
        assert notices(app)[-1] == "'bank-00' moved to another page in this sort."

        assert "rates-cut" in slugs(app)  # up from the next page
        await edit_title(pilot, "rates-cut", "Central lenders cut rates")
        assert "rates-cut" not in slugs(app)
        assert notices(app)[-1] == (
            "'rates-cut' no longer matches the filter, so it left the list: esc clears the "
            "filter.")


async def test_a_saved_claim_is_said_to_have_moved_when_its_detail_comes_first(
    seeded: Ledger, tui: Callable[..., TrackerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page read after a write and the claim's detail are read side by side; the detail,
    newer than the row still shown, asks for the page again. The notice still comes."""
    for number in range(PAGE_SIZE):
        add_claim(seeded, f"bank-{number:02}", f"Bank claim {number:02}")
    after_write, detail_read = threading.Event(), threading.Event()
    read_page, claim_detail = Listing.read_page, Queries.claim_detail

    def page_after_detail(listing: Listing, *args: Any) -> Any:
        if after_write.is_set():
            detail_read.wait(timeout=30)
        return read_page(listing, *args)

    def noted_detail(queries: Queries, *args: Any) -> Any:
        detail = claim_detail(queries, *args)
        if after_write.is_set():
            detail_read.set()
        return detail

    monkeypatch.setattr(Listing, "read_page", page_after_detail)
    monkeypatch.setattr(Queries, "claim_detail", noted_detail)
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await show_bank_claims_by_title(pilot, app)
        table = app.screen.query_one(ClaimsTable)
        table.focus()
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await fill(pilot, "title", "Zed bank claim")  # sorts after the page's others
        after_write.set()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert detail_read.is_set()
        assert "bank-00" not in slugs(app)
        assert notices(app)[-1] == "'bank-00' moved to another page in this sort."


async def test_a_saved_claim_whose_page_failed_is_not_said_to_have_left_a_later_page(
    seeded: Ledger, tui: Callable[..., TrackerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page read after a write failed; a page the reviewer asked for afterwards (by a
    filter) said the claim had left the list, as if the write had moved it."""
    read_page = Listing.read_page
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(Listing, "read_page", went_away)
        await edit_title(pilot, "ev-share", "EV share, renamed")
        assert told_it_went_away(app)
        monkeypatch.setattr(Listing, "read_page", read_page)
        await pilot.press("slash", *"fusion")
        await settle(pilot)
        assert slugs(app) == ["fusion-grid"]
        assert not any("'ev-share'" in notice for notice in notices(app)), notices(app)


async def test_a_saved_claim_is_not_said_to_have_left_a_page_asked_for_since(
    seeded: Ledger, tui: Callable[..., TrackerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A filter typed while the page read after a write was still on its way: the filtered
    page, which the write never could have left, said the claim had left the list."""
    after_write, filtered = threading.Event(), threading.Event()
    read_page = Listing.read_page

    def held_after_write(listing: Listing, *args: Any) -> Any:
        if after_write.is_set() and not listing.text:  # the write's own read
            filtered.wait(timeout=30)
        return read_page(listing, *args)

    monkeypatch.setattr(Listing, "read_page", held_after_write)
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        table.focus()
        table.move_cursor(row=table.slugs.index("ev-share"))
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await fill(pilot, "title", "EV share, renamed")
        after_write.set()
        await pilot.press("ctrl+s")
        await pilot.press("slash", *"fusion")
        for _ in range(50):  # not settle: it would wait for the read held
            await pilot.pause(0.02)
            if slugs(app) == ["fusion-grid"]:
                break
        filtered.set()
        await settle(pilot)
        assert slugs(app) == ["fusion-grid"]
        assert not any("'ev-share'" in notice for notice in notices(app)), notices(app)
