"""What the app remembers between starts: the theme last picked (from the command palette).

Kept in `app.toml` in the user state folder (platformdirs), apart from the keymap, which is
the reviewer's own configuration: this file is the app's to rewrite. A file that cannot be
read, or a theme this Textual does not have, is reported and the default theme used.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_state_path

from tracker.textfiles import make_folder, write_if_changed


def settings_path() -> Path:
    return user_state_path("tracker", appauthor=False) / "app.toml"


@dataclass(frozen=True)
class RememberedTheme:
    name: str | None = None
    problem: str = ""


def load_theme(path: Path, available: set[str]) -> RememberedTheme:
    """The theme `path` remembers, if it is one of `available`; else why not (or nothing,
    when no theme was ever picked)."""
    if not path.is_file():
        return RememberedTheme()
    try:
        name = tomllib.loads(path.read_text(encoding="utf-8")).get("theme")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return RememberedTheme(problem=f"{path}: cannot read the app's settings ({error}); "
                                       "the default theme is used")
    if name is None:
        return RememberedTheme()
    if name not in available:
        return RememberedTheme(problem=f"{path}: no theme called {name!r} here; the default "
                                       "theme is used")
    return RememberedTheme(name)


def save_theme(path: Path, name: str) -> None:
    """Remember `name` for the next start (raises CannotWrite)."""
    make_folder(path.parent)
    write_if_changed(path, f"theme = {json.dumps(name)}\n")  # a JSON string is a TOML one
