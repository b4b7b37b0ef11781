"""Remapping keys from a TOML file: binding id = "key[,key...]".

Read from $TRACKER_KEYMAP, else `keymap.toml` in the user config folder (platformdirs).
A missing file is normal; a broken one is reported and ignored, never fatal. Example:

    "claims.filter" = "ctrl+f"
    "claim.forecast" = "p,F"
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_config_path

KEYMAP_ENV = "TRACKER_KEYMAP"


def keymap_path() -> Path:
    if configured := os.environ.get(KEYMAP_ENV, "").strip():
        return Path(configured).expanduser()
    return user_config_path("tracker", appauthor=False) / "keymap.toml"


@dataclass(frozen=True)
class LoadedKeymap:
    keys: dict[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


def load_keymap(path: Path, known_ids: Iterable[str]) -> LoadedKeymap:
    """The remappings in `path` that name a known binding id, and what was wrong with the rest."""
    if not path.is_file():
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
            problems.append(
                f"{path}: unknown binding id '{binding_id}' (known: {', '.join(sorted(known))})"
            )
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"{path}: '{binding_id}' needs a key string like \"ctrl+f\"")
        else:
            keys[binding_id] = value.strip()
    return LoadedKeymap(keys, tuple(problems))
