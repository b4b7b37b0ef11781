"""Writing a text file whole: a reader, or a crash half-way, never sees half a file.

Claim files, report files and report series all go through `write_if_changed`: the bytes go
to a temporary file beside the target and replace it in one rename, and a file that already
holds the same bytes is left alone (so its modification time, and git, see no change).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` as UTF-8 to `path` unless it already holds exactly that; True if written."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True
