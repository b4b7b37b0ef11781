"""What the claims table asks the database for: pure values, no terminal."""

from __future__ import annotations

from tracker.queries import ClaimFilter
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
    assert Listing().describe(None, 0).startswith("0 of … top-level claims")
    assert Listing(text="x").describe(0, 0).startswith("0 of 0 claims ·")
    assert Listing(text="x").describe(1, 1).startswith("1 of 1 claim ·")  # not "1–1 ... claims"
    assert Listing(text="x", offset=50).describe(51, 1).startswith("51 of 51 claims ·")
