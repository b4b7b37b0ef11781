"""Remapping keys from a TOML file: binding id = "key[,key...]".

Read from $TRACKER_KEYMAP, else `keymap.toml` in the user config folder (platformdirs).
A missing default file is normal; a broken one, or a missing file that $TRACKER_KEYMAP names,
is reported, never fatal. So are keys no keyboard can press, and a key given to one binding
that another binding in the same place still has (only one of them would work). Example:

    "claims.filter" = "ctrl+f"
    "claim.forecast" = "p,F"
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformdirs import user_config_path
from textual.binding import BindingsMap
from textual.dom import DOMNode
from textual.keys import REPLACED_KEYS, Keys, _character_to_key, key_to_character
from textual.screen import ModalScreen, Screen

KEYMAP_ENV = "TRACKER_KEYMAP"


def keymap_path() -> Path:
    if configured := os.environ.get(KEYMAP_ENV, "").strip():
        return Path(configured).expanduser()
    return user_config_path("tracker", appauthor=False) / "keymap.toml"


MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
NAMED_KEYS = frozenset(key.value.rsplit("+", 1)[-1] for key in Keys)
"""Textual's names of keys that are not characters: escape, f2, pageup, space..."""


def is_key(key: str) -> bool:
    """Whether Textual can match `key` ("ctrl+f", "F", "f2", "slash", "?") to a keypress."""
    *modifiers, base = key.split("+")
    if not base or not MODIFIERS.issuperset(modifiers):
        return False
    if len(base) == 1 or base in NAMED_KEYS:
        return True
    character = key_to_character(REPLACED_KEYS.get(base, base))  # "slash" -> "/"
    return character is not None and _character_to_key(character) == base  # not "Escape"


def _canonical(key: str) -> str:
    """The name Textual matches a key by: "?" and "question_mark" are one key."""
    key = key.strip()
    return _character_to_key(key) if len(key) == 1 else key


def _named_by_environment(path: Path) -> bool:
    configured = os.environ.get(KEYMAP_ENV, "").strip()
    return bool(configured) and Path(configured).expanduser() == path


@dataclass(frozen=True)
class LoadedKeymap:
    keys: dict[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


def load_keymap(path: Path, known_ids: Iterable[str]) -> LoadedKeymap:
    """The remappings in `path` that name a known binding id, and what was wrong with the rest."""
    if not path.is_file():
        if _named_by_environment(path):
            return LoadedKeymap(problems=(
                f"{KEYMAP_ENV} names {path}, which is not a file: no keys remapped",))
        return LoadedKeymap()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return LoadedKeymap(problems=(f"{path}: cannot read the keymap ({error}); ignored",))
    known = set(known_ids)
    keys: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, value in data.items():
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "? in the app lists every id"
            problems.append(f"{path}: unknown binding id '{binding_id}' ({hint})")
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"{path}: '{binding_id}' needs a key string like \"ctrl+f\"")
        elif unknown := [key for key in value.split(",") if not is_key(key.strip())]:
            problems.append(
                f"{path}: '{binding_id}': no key is called {', '.join(map(repr, unknown))} "
                "(write keys like \"ctrl+f\", \"F\", \"f2\", \"escape\"); not remapped")
        else:
            keys[binding_id] = value.strip()
    return LoadedKeymap(keys, tuple(problems))


def clashes(places: Mapping[str, Iterable[tuple[str, str]]], remapped: Mapping[str, str]
            ) -> list[str]:
    """Keys the keymap gives a binding while another binding in the same place (a screen
    with the app's keys) has it too: only one of them would work there.

    `places` maps a place's name to its (binding id, default keys) pairs."""
    places_by_clash: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for place, bindings in places.items():
        owners: dict[str, list[str]] = {}
        for binding_id, default in bindings:
            for key in {_canonical(key) for key in remapped.get(binding_id, default).split(",")}:
                owners.setdefault(key, []).append(binding_id)
        for key, ids in owners.items():
            if len(ids) > 1 and any(binding_id in remapped for binding_id in ids):
                places_by_clash.setdefault((key, tuple(ids)), []).append(place)
    return [f"key '{key}' is now both {' and '.join(ids)} (on {', '.join(where)}): "
            "only one of them works there"
            for (key, ids), where in places_by_clash.items()]


def key_for(screen: Screen[Any], action: str, *, enabled_only: bool = True) -> str:
    """The key that runs `action` on `screen`, as the footer shows it, or "": for text on
    screen that names a key a keymap may have changed. With `enabled_only`, only a key that
    works now; else any binding of the screen, its widgets or the app, whatever has the
    focus (a focused input takes letter keys away from the screen's bindings)."""
    for active in screen.active_bindings.values():
        if active.binding.action == action and (active.enabled or not enabled_only):
            return screen.app.get_key_display(active.binding)
    if enabled_only:
        return ""
    for node in _binding_nodes(screen):
        for found in _remapped(node).key_to_bindings.values():
            for binding in found:
                if binding.action == action:
                    return screen.app.get_key_display(binding)
    return ""


def _binding_nodes(screen: Screen[Any], *, app: bool = True) -> list[DOMNode]:
    """Where bindings that act on `screen` are declared: it, its widgets and the app."""
    return [screen, *screen.query("*"), *([screen.app] if app else [])]


def bindings_not_working_now(screen: Screen[Any], working: Iterable[str]
                             ) -> list[tuple[str, str, str]]:
    """(keys, description, id) of the bindings of the screen, its widgets and the app (not
    the app's on a dialog, where Textual does not look for them) whose id is not among
    `working`: help lists them apart, so every id to remap is there whatever is on screen."""
    listed = set(working)
    found: dict[str, tuple[list[str], str]] = {}
    for node in _binding_nodes(screen, app=not isinstance(screen, ModalScreen)):
        for bindings in _remapped(node).key_to_bindings.values():
            for binding in bindings:
                if binding.id and binding.id not in listed:
                    keys, _ = found.setdefault(binding.id, ([], binding.description))
                    shown = screen.app.get_key_display(binding)
                    if shown not in keys:
                        keys.append(shown)
        for bindings in node._bindings.key_to_bindings.values():  # a keymap took its key away
            for binding in bindings:
                if binding.id and binding.id not in listed:
                    found.setdefault(binding.id, ([NO_KEY], binding.description))
    return [(", ".join(keys), description, binding_id)
            for binding_id, (keys, description) in found.items()]


NO_KEY = "(none)"
"""Shown for a binding left without a key (a keymap gave its key to another binding)."""


def _binding_id(screen: Screen[Any], action: str) -> str:
    """The id of the binding that runs `action` on `screen`, its widgets or the app."""
    for node in _binding_nodes(screen):
        for bindings in node._bindings.key_to_bindings.values():
            for binding in bindings:
                if binding.action == action and binding.id:
                    return str(binding.id)
    return action


def bound_actions(screen: Screen[Any]) -> dict[str, str]:
    """Each key of the screen's own bindings (as remapped) and its action, whether or not it
    can run now: for saying why a key that does nothing here does nothing."""
    return {key: found[0].action
            for key, found in _remapped(screen).key_to_bindings.items() if found}


def _remapped(node: DOMNode) -> BindingsMap:
    """`node`'s bindings with the app's keymap applied (Textual keeps both private)."""
    bindings = node._bindings.copy()
    bindings.apply_keymap(node.app._keymap)
    return bindings


def labelled_with_key(label: str, screen: Screen[Any], action: str) -> str:
    """A button's label with the key that runs its action ("Save  ^s"), as remapped."""
    return f"{label}  {key_for(screen, action)}".rstrip()


def with_keys(text: str, screen: Screen[Any]) -> str:
    """`text` with each `{action}` replaced by the key that runs it on `screen` (a format
    string: a literal brace is written twice)."""

    class KeyNames(dict[str, str]):
        def __missing__(self, action: str) -> str:
            return key_for(screen, action, enabled_only=False) or (
                f"(no key: give {_binding_id(screen, action)} one in keymap.toml)")

    return text.format_map(KeyNames())
