"""Find the line of a table or key in TOML text.

tomllib returns values without positions, so problems are located by scanning the text: each
table header (`[[claims]]`, `[[claims.evidence]]`, `[source]`...) is numbered the way TOML
numbers array elements, and the first line of every key inside it is remembered. Multi-line
strings are skipped so their contents are never mistaken for keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PathPart = str | int
TablePath = tuple[PathPart, ...]

_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([^\[\]]+?)\s*\]\]\s*(?:#.*)?$")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*([.=])(.*)$""")


@dataclass
class _Section:
    line: int
    keys: dict[str, int] = field(default_factory=dict)


def _key_name(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    return raw


def _opens_multiline(value: str) -> str | None:
    """The delimiter of a multi-line string that starts in `value` and does not end there."""
    stripped = value.lstrip()
    for delimiter in ('"""', "'''"):
        if stripped.startswith(delimiter):
            return None if delimiter in stripped[3:] else delimiter
    return None


class Locator:
    """Line numbers of the tables and keys of one TOML text (1-based)."""

    def __init__(self, text: str) -> None:
        self._sections: dict[TablePath, _Section] = {(): _Section(1)}
        self._counts: dict[TablePath, int] = {}
        current: TablePath = ()
        closing: str | None = None
        for number, line in enumerate(text.split("\n"), start=1):
            if closing is not None:
                if closing in line:
                    closing = None
                continue
            if match := _ARRAY_HEADER.match(line):
                current = self._array_element(match.group(1))
                self._sections[current] = _Section(number)
            elif match := _TABLE_HEADER.match(line):
                current = self._resolve(_split(match.group(1)))
                self._sections.setdefault(current, _Section(number))
            elif match := _KEY.match(line):
                self._sections[current].keys.setdefault(_key_name(match.group(1)), number)
                if match.group(2) == "=":
                    closing = _opens_multiline(match.group(3))

    def _resolve(self, parts: list[str]) -> TablePath:
        path: TablePath = ()
        for part in parts:
            path = (*path, part)
            if path in self._counts:
                path = (*path, self._counts[path] - 1)
        return path

    def _array_element(self, name: str) -> TablePath:
        parts = _split(name)
        array = (*self._resolve(parts[:-1]), parts[-1])
        index = self._counts.get(array, 0)
        self._counts[array] = index + 1
        return (*array, index)

    def line(self, path: TablePath, key: str | None = None) -> int:
        """The line of `key` in the table at `path`, else of the table's header.

        A table written inline (`retracted = { ... }`) has no header of its own: the line of
        the key that holds it is used instead.
        """
        section = self._sections.get(path)
        if section is None:
            if not path:
                return 1
            parent, last = path[:-1], path[-1]
            return self.line(parent, last) if isinstance(last, str) else self.line(parent)
        if key is not None and key in section.keys:
            return section.keys[key]
        return section.line

    def keys(self, path: TablePath) -> dict[str, int]:
        """Every key of the table at `path` with its line (empty for inline tables)."""
        section = self._sections.get(path)
        return dict(section.keys) if section is not None else {}


def _split(name: str) -> list[str]:
    return [_key_name(part) for part in name.split(".")]
