"""Reading a keymap file: pure values, no terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.tui.app import _binding_places
from tracker.tui.keymap import KEYMAP_ENV, clashes, is_key, keymap_path, load_keymap

KNOWN = {"claims.filter", "claim.forecast", "claims.facets"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "keymap.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_keymap_keeps_known_ids_and_reports_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path, '"claims.filter" = "ctrl+f"\n"nope" = "x"\n"claim.forecast" = 3\n')
    loaded = load_keymap(path, KNOWN)
    assert loaded.keys == {"claims.filter": "ctrl+f"}
    assert len(loaded.problems) == 2
    assert load_keymap(tmp_path / "missing.toml", set()).keys == {}


def test_an_unknown_id_gets_a_short_suggestion_not_the_list_of_every_id(tmp_path: Path) -> None:
    loaded = load_keymap(write(tmp_path, '"claims.filtre" = "ctrl+g"\n'), KNOWN)
    (problem,) = loaded.problems
    assert problem.endswith("unknown binding id 'claims.filtre' (did you mean 'claims.filter'?)")
    (problem,) = load_keymap(write(tmp_path, '"zzz" = "ctrl+g"\n'), KNOWN).problems
    assert "? in the app lists every id" in problem and "claims.facets" not in problem


@pytest.mark.parametrize("key", ["ctrl+f", "F", "f2", "slash", "?", "escape", "shift+tab",
                                 "question_mark", "ctrl+shift+up", "space", "pageup"])
def test_keys_textual_can_match(key: str) -> None:
    assert is_key(key)


@pytest.mark.parametrize("key", ["control-f", "Q Q", "ctrl+", "ctlr+f", "escap", "",
                                 "Escape", "Backspace", "DELETE", "Tab", "Space"])
def test_keys_no_keyboard_can_press(key: str) -> None:
    assert not is_key(key)


def test_a_key_no_keyboard_can_press_is_reported_and_not_remapped(tmp_path: Path) -> None:
    path = write(tmp_path, '"claims.filter" = "control-f"\n"claim.forecast" = "p, Q Q"\n')
    loaded = load_keymap(path, KNOWN)
    assert loaded.keys == {}
    assert [problem.split(": ", 1)[1].split(" (")[0] for problem in loaded.problems] == [
        "'claims.filter': no key is called 'control-f'",
        "'claim.forecast': no key is called ' Q Q'",
    ]


def test_keys_listed_with_spaces_after_the_commas_are_remapped_and_checked_for_clashes(
    tmp_path: Path,
) -> None:
    loaded = load_keymap(write(tmp_path, '"claim.forecast" = " p, F "\n'), KNOWN)
    assert (loaded.keys, loaded.problems) == ({"claim.forecast": "p, F"}, ())
    assert clashes({"the claims screen": [("claims.facets", "F"), ("claim.forecast", "f")]},
                   loaded.keys) == [
        "key 'F' is now both claims.facets and claim.forecast (on the claims screen): "
        "only one of them works there"]


def test_an_empty_key_is_asked_for_as_a_key_string(tmp_path: Path) -> None:
    (problem,) = load_keymap(write(tmp_path, '"claims.filter" = " "\n'), KNOWN).problems
    assert problem.endswith("'claims.filter' needs a key string like \"ctrl+f\"")


def test_a_keymap_file_that_is_not_utf8_is_reported_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "keymap.toml"
    path.write_bytes(b'"claims.filter" = "\xff"\n')
    loaded = load_keymap(path, KNOWN)
    assert loaded.keys == {}
    (problem,) = loaded.problems
    assert problem.startswith(f"{path}: cannot read the keymap (") and problem.endswith("ignored")


def test_the_environment_names_the_keymap_file_with_a_home_folder_as_a_tilde(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(KEYMAP_ENV, " ~/keys.toml ")
    assert keymap_path() == tmp_path / "keys.toml"
    monkeypatch.setenv(KEYMAP_ENV, "  ")  # set but blank: the default file
    assert keymap_path().name == "keymap.toml"


def test_a_missing_file_named_by_the_environment_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typo = tmp_path / "typo.toml"
    monkeypatch.setenv(KEYMAP_ENV, str(typo))
    (problem,) = load_keymap(typo, KNOWN).problems
    assert problem == f"{KEYMAP_ENV} names {typo}, which is not a file: no keys remapped"
    assert load_keymap(tmp_path / "default.toml", KNOWN).problems == ()  # the default: silent


def test_a_key_taken_from_another_binding_in_the_same_place_is_a_clash() -> None:
    places = {
        "the claims screen": [("claims.facets", "F"), ("claim.forecast", "f")],
        "the review screen": [("claim.forecast", "f"), ("review.skip", "n")],
    }
    assert clashes(places, {"claim.forecast": "p,F"}) == [
        "key 'F' is now both claims.facets and claim.forecast (on the claims screen): "
        "only one of them works there"]
    assert clashes(places, {"claim.forecast": "p"}) == []
    assert clashes(places, {"review.skip": "F"}) == []  # F is free on the review screen
    assert clashes(places, {}) == []
    # One key however it is written; a key listed twice is no clash with itself.
    assert clashes({"here": [("app.help", "question_mark"), ("claim.forecast", "f")]},
                   {"claim.forecast": "?"}) == [
        "key 'question_mark' is now both app.help and claim.forecast (on here): only one of "
        "them works there"]
    assert clashes(places, {"claim.forecast": "f,f"}) == []


def test_remapping_one_of_two_bindings_sharing_esc_warns_though_it_keeps_esc() -> None:
    """esc leaves the scores' date field, else the screen. Textual's keymap keeps one binding
    per key: remapped to "escape,b", scores.back takes esc from scores.leave, so the warning
    is true (keeping the pair needs no keymap entry at all)."""
    assert clashes(_binding_places(), {"scores.back": "escape,b"}) == [
        "key 'escape' is now both scores.leave and scores.back (on the scores screen): only "
        "one of them works there"]


def test_the_apps_places_leave_the_apps_keys_out_of_dialogs() -> None:
    """A dialog is modal: the app's keys (q quits) do not act in it, so q is free there."""
    assert clashes(_binding_places(), {"conflict.edit": "q"}) == []
    assert clashes(_binding_places(), {"claim.forecast": "?"}) == [
        "key 'question_mark' is now both app.help and claim.forecast (on the claims screen, "
        "the review screen): only one of them works there"]
