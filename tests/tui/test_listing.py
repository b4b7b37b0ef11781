"""What the claims table asks the database for: pure values, no terminal."""

from __future__ import annotations

from pathlib import Path

from tracker.queries import ClaimFilter
from tracker.tui.keymap import load_keymap
from tracker.tui.listing import ANY_CLOSED, ANY_OPEN, Listing


def test_without_filters_the_list_is_a_tree_of_top_level_claims() -> None:
    assert Listing().is_tree
    assert Listing().criteria() == ClaimFilter(top_level_only=True)
    assert not Listing(text="ev").is_tree
    assert Listing(text="  ev ").criteria() == ClaimFilter(text="ev")


def test_status_groups_and_facets_become_sql_filters() -> None:
    assert Listing(status=ANY_OPEN).criteria().statuses == ("developing", "open", "stalled")
    assert Listing(status=ANY_CLOSED).criteria().statuses == (
        "annulled", "confirmed", "partly", "refuted")
    assert Listing(status="stalled", tag="eu", source="iea", kind="fact").criteria() == (
        ClaimFilter(statuses=("stalled",), tag="eu", source="iea", kind="fact"))


def test_sorting_again_reverses_and_any_change_returns_to_the_first_page() -> None:
    listing = Listing(offset=200).sorted_by("deadline")
    assert (listing.sort, listing.descending, listing.offset) == ("deadline", False, 0)
    assert listing.sorted_by("deadline").descending
    assert Listing(offset=100).filtered(text="x").offset == 0
    assert Listing(sort="team").sql_sort == "slug" and not Listing(sort="team").sort_in_sql


def test_description_of_the_page() -> None:
    assert Listing(text="x", offset=100).describe(1234, 50) == (
        "101–150 of 1,234 claims · sorted by slug ↑")
    assert Listing().describe(None, 0).startswith("0–0 of … top-level claims")


def test_keymap_keeps_known_ids_and_reports_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "keymap.toml"
    path.write_text('"claims.filter" = "ctrl+f"\n"nope" = "x"\n"claim.forecast" = 3\n',
                    encoding="utf-8")
    loaded = load_keymap(path, {"claims.filter", "claim.forecast"})
    assert loaded.keys == {"claims.filter": "ctrl+f"}
    assert len(loaded.problems) == 2
    assert load_keymap(tmp_path / "missing.toml", set()).keys == {}
