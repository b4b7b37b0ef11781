"""Which files a command works on: files as given, directories as their `*.toml` files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tracker.db import shipped_claims_dir

LOCAL_CLAIMS_DIR = Path("claims")


def claim_file_paths(paths: Iterable[Path]) -> list[Path]:
    """Expand directories to their `*.toml` files (sorted, hidden ones skipped); each file once,
    in the order given."""
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        members = (sorted(item for item in path.glob("*.toml")
                          if item.is_file() and not item.name.startswith("."))
                   if path.is_dir() else [path])
        for member in members:
            resolved = member.resolve()
            if resolved not in seen:
                seen.add(resolved)
                found.append(member)
    return found


def default_claims_dir() -> Path:
    """`claims/` in the current directory if there is one, else the claims shipped with the
    package (`claims/` in a checkout, `tracker/_claims` in a wheel)."""
    return LOCAL_CLAIMS_DIR if LOCAL_CLAIMS_DIR.is_dir() else shipped_claims_dir()
