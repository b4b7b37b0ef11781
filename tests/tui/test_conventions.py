"""Help, footer, command palette, remappable keys, and errors that never end the app."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.color import Color as RichColor
from sqlalchemy.exc import OperationalError
from textual.color import Color
from textual.command import CommandPalette
from textual.containers import VerticalScroll
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets._footer import FooterKey

from tests.tui.conftest import (
    SIZE,
    pane_text,
    settle,
    told_it_went_away,
    type_text,
    went_away,
    write_keymap,
)
from tracker.ledger import Ledger
from tracker.queries import Queries
from tracker.tui.app import TrackerApp
from tracker.tui.dialogs.forecast import ForecastDialog
from tracker.tui.dialogs.help import HelpDialog
from tracker.tui.keymap import KEYMAP_ENV, key_for
from tracker.tui.screens.claims import ClaimsScreen
from tracker.tui.screens.review import ReviewScreen
from tracker.tui.screens.scores import ScoresScreen
from tracker.tui.widgets.claim_detail import ClaimDetailView
from tracker.tui.widgets.claims_table import ClaimsTable
from tracker.tui.widgets.footer import Footer


def palette_prompts(app: TrackerApp) -> set[str]:
    """The first line of each entry the open command palette offers."""
    results = app.screen.query_one(OptionList)
    return {str(results.get_option_at_index(index).prompt).split("\n")[0]
            for index in range(results.option_count)}


def footer_actions(app: TrackerApp) -> set[str]:
    """The actions the footer offers now (enabled, shown bindings)."""
    return {active.binding.action for active in app.screen.active_bindings.values()
            if active.enabled and active.binding.show}


async def test_footer_and_help_follow_the_selected_claim(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert {"forecast", "resolve", "retract"} <= footer_actions(app)
        assert "reopen" not in footer_actions(app)
        app.claims_screen.show_claim("gdp-growth")
        await settle(pilot)
        assert "reopen" in footer_actions(app)
        assert not {"forecast", "resolve", "retract"} & footer_actions(app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpDialog)
        keys = {binding_id: description for _key, description, binding_id in app.screen.keys}
        assert keys["claim.reopen"] == "Reopen" and "claim.forecast" not in keys
        # The keys that do not work on a resolved claim are listed apart, with their ids: a
        # reviewer looking for the id to remap found nothing.
        not_now = {binding_id: key for key, _description, binding_id in app.screen.not_now}
        assert {"claim.forecast": "f", "claim.status": "c", "claim.resolve": "x"}.items() <= (
            not_now.items())
        assert not set(not_now) & set(keys)
        assert keys["app.blind"] == "Blind forecasting in reviews (on/off)"  # not just "Blind"
        await pilot.press("escape")
        assert isinstance(app.screen, ClaimsScreen)


async def test_a_key_named_in_text_is_one_that_works_now_unless_any_binding_is_asked_for(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """Text like "press o to reopen" names a key only while it works (the footer's rule); a
    hint about what a key will do later may name a binding that is off now."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert (key_for(app.screen, "forecast"), key_for(app.screen, "reopen")) == ("f", "")
        app.claims_screen.show_claim("gdp-growth")  # resolved: forecasting is off
        await settle(pilot)
        assert (key_for(app.screen, "forecast"), key_for(app.screen, "reopen")) == ("", "o")
        assert key_for(app.screen, "forecast", enabled_only=False) == "f"


def footer_keys_cut_off(app: TrackerApp) -> list[str]:
    """Keys the footer shows that do not fit before help and the palette's key, docked at its
    right."""
    footer = app.screen.query_one(Footer)
    end = footer.query_one(".footer-end")
    return [key.key for key in footer.query(FooterKey)
            if key.parent is not end and key.display
            and not (0 < key.region.right <= end.region.x)]


def footer_keys_hidden(app: TrackerApp) -> list[str]:
    """Keys the footer lists but hides, as there is no room for them whole."""
    return [key.key for key in app.screen.query_one(Footer).query(FooterKey) if not key.display]


def help_key_at_right_edge(app: TrackerApp, width: int) -> bool:
    """Whether ? Help is whole on screen, in the group docked at the footer's right edge."""
    footer = app.screen.query_one(Footer)
    end = footer.query_one(".footer-end")
    help_key = next(key for key in footer.query(FooterKey) if key.action == "help")
    return help_key.parent is end and end.region.right == width and help_key.region.right <= width


async def test_at_120_columns_the_footer_shows_every_key_it_lists(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # the first claim has evidence, so Retract is offered too
        assert {"retract", "start_review", "quit"} <= footer_actions(app)
        assert footer_keys_cut_off(app) == [] and footer_keys_hidden(app) == []
        app.claims_screen.show_claim("ev-share")  # a filter: esc clears it (not in the footer)
        await settle(pilot)
        assert footer_keys_cut_off(app) == []
        await pilot.press("r")
        await settle(pilot)
        assert "finish" in footer_actions(app)
        assert footer_keys_cut_off(app) == [] and footer_keys_hidden(app) == []
        assert help_key_at_right_edge(app, SIZE[0])


async def test_at_80_columns_help_is_in_the_footer_and_the_palette_key_is_not(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        keys = list(app.screen.query_one(Footer).query(FooterKey))
        assert not [key for key in keys if key.has_class("-command-palette")]
        assert help_key_at_right_edge(app, 80)
        # Too many keys: the screen's FOOTER_DROPS_FIRST go first, so Review and Scores stay.
        assert footer_keys_hidden(app) == ["w", "F", "q"]
        await pilot.press("ctrl+p")  # the palette still opens
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")
        await pilot.press("r")  # more keys than fit: the last are hidden whole, help is not
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert footer_keys_hidden(app) == ["q"]  # quit goes first: "esc End session" stays
        assert footer_keys_cut_off(app) == []
        assert help_key_at_right_edge(app, 80)
        await pilot.resize_terminal(120, 40)  # room again: every key is back
        await settle(pilot)
        assert footer_keys_hidden(app) == [] and footer_keys_cut_off(app) == []
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        await pilot.press("escape")  # ends the session (its summary first)
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ClaimsScreen)
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        keys = list(app.screen.query_one(Footer).query(FooterKey))
        assert [key for key in keys if key.has_class("-command-palette")]


async def test_a_footer_whose_screen_closed_skips_its_pending_redraw(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """The footer redraws after the next refresh; its screen may be closed by then (seen when
    the scores screen was left just as the test ended): nothing to redraw, and no error."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        footer = app.screen.query_one(Footer)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ClaimsScreen) and not footer.is_attached
        await footer._recompose_if_changed()


async def test_help_scrolls_by_keyboard_on_a_small_terminal(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """At 80x24 the keys do not all fit: the list scrolls under the title, by keyboard."""
    app = tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpDialog)
        keys = app.screen.query_one(VerticalScroll)
        assert app.focused is keys and keys.max_scroll_y > 0
        await pilot.press("end")
        await settle(pilot)
        assert keys.scroll_y == keys.max_scroll_y
        dialog = app.screen.query_one(".form")
        assert dialog.max_scroll_y == 0, "the title and closing line stay in view"


async def test_while_typing_in_a_field_the_palette_key_stands_alone(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """? types into a focused input, so help leaves the footer: no empty place is kept for
    it beside the palette's key."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("a")  # the as-of date field
        await settle(pilot)
        footer = app.screen.query_one(Footer)
        assert not footer.query(".footer-end")
        assert [key.key for key in footer.query(FooterKey)
                if key.has_class("-command-palette")] == ["ctrl+p"]


async def test_a_form_shows_its_own_keys_in_its_footer(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """Its Save button may be below the fold of a small terminal; the footer is not."""
    app = tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, ForecastDialog)
        keys = app.screen.query_one(Footer).query(FooterKey)
        assert [(key.key, key.description) for key in keys] == [
            ("escape", "Cancel"), ("ctrl+s", "Save")]


async def test_keymap_file_remaps_bindings_by_id(
    seeded: Ledger, tui: Callable[..., TrackerApp], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keymap = write_keymap(tmp_path, '"claim.forecast" = "p"\n"no.such.binding" = "z"\n'
                                    '"form.save" = "f2"\n"claims.filter" = "ctrl+f"\n')
    monkeypatch.setenv(KEYMAP_ENV, str(keymap))
    app = tui(keymap_file=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert any("unknown binding id 'no.such.binding'" in notice.message
                   for notice in app._notifications)
        assert not any("is now both" in notice.message for notice in app._notifications)
        # Text on screen that names a key names the remapped one.
        assert app.screen.query_one("#filter", Input).placeholder == "^f filter: slug, title"
        await pilot.press("f")
        assert isinstance(app.screen, ClaimsScreen)
        await pilot.press("p")
        assert isinstance(app.screen, ForecastDialog)
        assert str(app.screen.query_one("#save", Button).label) == "Save  f2"
        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpDialog)
        assert "Type ^f to filter" in app.screen.about


async def test_help_is_titled_in_words_over_every_screen(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """From the palette over a dialog, help was titled with its class: "Help: AsOfDialog"."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for opener, heading in (("", "Claims"), ("t", "As of"), ("F", "Facet"),
                                ("e", "Add evidence")):
            if opener:
                await pilot.press(opener)
                await settle(pilot)
            app.action_help()  # as the palette's Help runs it, over whatever is on top
            await settle(pilot)
            assert isinstance(app.screen, HelpDialog)
            assert str(app.screen.query_one(".form-title", Label).render()) == (
                f"Help: {heading}")
            await pilot.press("escape")
            await settle(pilot)
            if opener:
                await pilot.press("escape")
                await settle(pilot)
            assert isinstance(app.screen, ClaimsScreen)


async def test_help_texts_name_every_key_they_speak_of(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """Help texts name keys by the action they run (a keymap may change the key)."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for screen_key, expected in (("", "Type / to filter"), ("r", "or n to skip it")):
            if screen_key:
                await pilot.press(screen_key)
                await settle(pilot)
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpDialog)
            assert expected in app.screen.about and "no key>" not in app.screen.about
            assert str(app.screen.query_one("#help-keys", Static).render()) == (
                "esc closes · ^p opens the command palette")
            await pilot.press("escape")
        await pilot.press("escape")  # ends the review (its summary)
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("slash")  # the filter has the focus: it takes the letter keys
        app.action_help()
        await settle(pilot)
        assert isinstance(app.screen, HelpDialog)
        assert "F (or a click" in app.screen.about and "no key>" not in app.screen.about


async def test_a_remap_onto_another_bindings_key_is_reported(
    seeded: Ledger, tui: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    app = tui(keymap_file=write_keymap(tmp_path, '"claim.forecast" = "p,F"\n'))  # F: Facets
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert [notice.message for notice in app._notifications] == [
            "key 'F' is now both claims.facets and claim.forecast (on the claims screen): "
            "only one of them works there"]


async def test_help_names_the_id_of_a_binding_a_keymap_left_without_a_key(
    seeded: Ledger, tui: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    """With "s" given to claim.evidence, the help text read "<next_sort: no key>" and its key
    list left claims.sort out: nothing said which id to give a key back to."""
    app = tui(keymap_file=write_keymap(tmp_path, '"claim.evidence" = "s"\n'))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpDialog)
        assert "(no key: give claims.sort one in keymap.toml)" in app.screen.about
        assert "no key>" not in app.screen.about
        assert ("(none)", "Sort", "claims.sort") in app.screen.not_now


async def test_a_broken_keymap_file_is_reported_not_fatal(
    seeded: Ledger, tui: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    app = tui(keymap_file=write_keymap(tmp_path, "this is = not toml ="))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert any("cannot read the keymap" in notice.message for notice in app._notifications)
        assert app.screen.query_one(ClaimsTable).row_count == 4


async def test_palette_jumps_to_a_claim_found_in_the_database(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "China EV")
        await settle(pilot)
        results = app.screen.query_one(OptionList)
        prompts = [str(results.get_option_at_index(index).prompt)
                   for index in range(results.option_count)]
        assert any("ev-share-cn · China EV share over half" in prompt for prompt in prompts)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ClaimsScreen)
        assert app.screen.query_one(ClaimsTable).current_slug == "ev-share-cn"


async def test_palette_offers_only_commands_that_apply(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.claims_screen.show_claim("gdp-growth")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await type_text(pilot, "re")
        await settle(pilot)
        prompts = palette_prompts(app)
        assert "Reopen" in prompts and "Start review session" in prompts
        assert "Resolve" not in prompts and "Retract evidence" not in prompts


@pytest.mark.parametrize("opener", ["t", "F", "question_mark"])
async def test_views_the_palette_offers_over_a_dialog_open(
    seeded: Ledger, tui: Callable[..., TrackerApp], opener: str
) -> None:
    """Over the as-of view, the facets or the help, the palette offered the scores and the
    review session, and choosing one did nothing (they opened only from the list itself)."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for command, screen in (("View scores", ScoresScreen),
                                ("Start review session", ReviewScreen)):
            await pilot.press(opener)
            await settle(pilot)
            dialog = app.screen
            await pilot.press("ctrl+p")
            await type_text(pilot, command)
            await settle(pilot)
            assert command in palette_prompts(app)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, screen), (opener, command)
            assert dialog not in app.screen_stack
            await pilot.press("escape")  # back to the claims
            await settle(pilot)
            while not isinstance(app.screen, ClaimsScreen):  # the review's summary
                await pilot.press("escape")
                await settle(pilot)


async def test_a_jump_clears_the_facets_that_would_hide_the_claim(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """Under "any open", a jump to a resolved claim showed "0 of 0 claims", nothing selected."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.claims_screen
        screen.show_listing(screen.listing.filtered(status="any-open", tag="economy"))
        await settle(pilot)
        assert "gdp-growth" not in {row.slug for row in screen.rows}
        app.jump_to_claim("gdp-growth")
        await settle(pilot)
        assert screen.table.current_slug == "gdp-growth"
        assert (screen.listing.status, screen.listing.tag) == (None, None)
        assert "status any" in str(screen.query_one("#facets", Static).render())


async def test_a_form_is_not_thrown_away_by_the_palette(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    """A jump from the palette closed a half-filled form, and the typing was gone."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await type_text(pilot, "65%")
        await pilot.press("ctrl+p")
        await type_text(pilot, "view")
        await settle(pilot)
        assert not {"View scores", "View claims"} & palette_prompts(app)
        await pilot.press("escape")
        app.jump_to_claim("gdp-growth")  # what a claim found in the palette runs
        await settle(pilot)
        assert isinstance(app.screen, ForecastDialog)
        assert app.screen.query_one("#probability", Input).value == "65%"
        assert [notice.message for notice in app._notifications] == [
            "Save or close the form first (it would be lost): then jump to gdp-growth"]
        await pilot.press("enter")
        await settle(pilot)
    assert queries.claim_detail("ev-share").forecasts[-1].probability == 0.65


async def test_a_failing_query_is_shown_and_the_app_goes_on(
    seeded: Ledger, tui: Callable[..., TrackerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = tui()

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app.queries, "claim_detail", went_away)
        await pilot.press("down")
        await settle(pilot)
        assert told_it_went_away(app)
        assert app.is_running
        # The pane does not go on showing the claim before, nor its keys acting on it.
        assert app.claims_screen.detail is None
        assert "could not be loaded" in pane_text(app.claims_screen.query_one(ClaimDetailView))
        assert not {"forecast", "resolve", "change_status"} & footer_actions(app)
        await pilot.press("up")
        await settle(pilot)
        assert isinstance(app.screen, ClaimsScreen)


def _database_gone(*_args: object, **_kwargs: object) -> None:
    raise OperationalError("SELECT forecasts.uuid FROM forecasts WHERE forecasts.claim_id IN "
                           "(?, ?)", (1, 2), sqlite3.OperationalError("no such table: forecasts"))


async def test_a_database_error_is_one_line_without_the_sql(
    seeded: Ledger, tui: Callable[..., TrackerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app.queries, "claim_detail", _database_gone)
        await pilot.press("down")
        await settle(pilot)
        shown = [(notice.title, notice.message) for notice in app._notifications]
        assert ("Database error", "no such table: forecasts") in shown


async def test_the_palette_shows_a_failed_claim_search_not_no_matches(
    seeded: Ledger, tui: Callable[..., TrackerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app.queries, "list_claims", _database_gone)
        await pilot.press("ctrl+p")
        await type_text(pilot, "sales")
        for _ in range(100):  # the palette searches in the background: up to 5 s
            if app._notifications:
                break
            await pilot.pause(0.05)
        assert any(notice.message == "no such table: forecasts"
                   for notice in app._notifications)


async def test_palette_offers_a_screen_only_the_commands_it_has(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for screen_key, offered in (("", True), ("r", False)):  # claims, then the review
            if screen_key:
                await pilot.press(screen_key)
                await settle(pilot)
            await pilot.press("ctrl+p")
            await type_text(pilot, "as of a date")
            await settle(pilot)
            prompts = palette_prompts(app)
            assert ("Show claim as of a date" in prompts) is offered, screen_key
            await pilot.press("escape")
            await settle(pilot)


def test_app_css_colours_text_with_the_themes_readable_text_colours() -> None:
    """$accent, $error and $warning are made for backgrounds and borders: as text on a light
    theme's surface they come down to 1.4:1 (dialog titles in textual-light were unreadable).
    Textual's $text-* variants keep 3:1 or more."""
    css = (Path(__file__).parents[2] / "tracker" / "tui" / "app.tcss").read_text()
    text_colours = re.findall(r"^\s*color:\s*\$([\w-]+)", css, flags=re.MULTILINE)
    assert text_colours
    assert [name for name in text_colours if name in ("accent", "error", "warning", "primary",
                                                      "secondary", "success")] == []


def _contrast(one: Color, other: Color) -> float:
    """The WCAG contrast ratio of two colours."""
    def luminance(colour: Color) -> float:
        def channel(value: int) -> float:
            share = value / 255
            return share / 12.92 if share <= 0.03928 else ((share + 0.055) / 1.055) ** 2.4
        red, green, blue = colour.rgb
        return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)

    darker, lighter = sorted((luminance(one), luminance(other)))
    return (lighter + 0.05) / (darker + 0.05)


async def test_terminal_yellow_is_readable_on_light_themes(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """'stalled' and the blind label are terminal yellow, which Textual's light palette drew
    at 2:1 on a light theme's surface."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        light = [name for name, theme in app.available_themes.items()
                 if not theme.dark and not name.startswith("ansi")]
        assert len(light) >= 4
        for name in light:
            app.theme = name
            await pilot.pause()
            yellow = RichColor.parse("yellow").get_truecolor(app.ansi_theme)
            surface = Color.parse(app.theme_variables["surface"])
            assert _contrast(Color(*yellow), surface) >= 3.5, name


async def test_the_filters_own_keys_are_in_the_footer_while_it_is_typed_in(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """In the filter "/" is typed, not a key: the footer offers the way back instead (esc:
    back to the list, or clearing what was typed)."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "focus_filter" in footer_actions(app)
        assert not {"clear_filter", "leave_filter"} & footer_actions(app)
        await pilot.press("slash")
        await settle(pilot)
        assert {"leave_filter"} <= footer_actions(app) and "focus_filter" not in footer_actions(
            app)
        await type_text(pilot, "ev")
        await settle(pilot)
        assert "clear_filter" in footer_actions(app)
        assert "leave_filter" not in footer_actions(app)
        await pilot.press("escape")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClaimsScreen)
        assert screen.query_one("#filter", Input).value == "" and screen.listing.is_tree
        assert app.focused is screen.table
        await pilot.press("slash", "escape")  # nothing typed: back to the list
        await settle(pilot)
        assert app.focused is screen.table


async def test_the_theme_picked_is_the_theme_of_the_next_start(
    seeded: Ledger, tui: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    """Each start was back on the default theme, whatever the reviewer had picked."""
    settings = tmp_path / "state" / "app.toml"
    app = tui(settings_file=settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark" and not settings.exists()  # opening picks nothing
        app.theme = "textual-light"  # as the palette's theme picker sets it
        await settle(pilot)
    assert settings.read_text(encoding="utf-8") == 'theme = "textual-light"\n'
    again = tui(settings_file=settings)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "textual-light" and not again._notifications


async def test_a_theme_that_cannot_be_remembered_is_said_so_and_stays_in_use(
    seeded: Ledger, tui: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    """The settings file's folder cannot be made: the notice was the app's for a bug,
    "Error", "CannotWrite: cannot make the folder ..."."""
    (tmp_path / "state").write_text("a file where the folder should be", encoding="utf-8")
    app = tui(settings_file=tmp_path / "state" / "app.toml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "textual-light"
        await settle(pilot)
        [notice] = app._notifications
        assert (notice.title, notice.severity) == ("Theme not remembered", "warning")
        assert notice.message.startswith(f"cannot make the folder {tmp_path / 'state'}")
        assert "CannotWrite" not in notice.message and app.theme == "textual-light"


async def test_a_remembered_theme_that_is_gone_is_reported_not_fatal(
    seeded: Ledger, tui: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    settings = tmp_path / "app.toml"
    for text, problem in (('theme = "retro-green"\n', "no theme called 'retro-green' here"),
                          ("theme = \n", "cannot read the app's settings")):
        settings.write_text(text, encoding="utf-8")
        app = tui(settings_file=settings)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.theme == "textual-dark"
            [notice] = app._notifications
            assert problem in notice.message and "the default theme is used" in notice.message
