"""Writing a text file whole: a reader, or a crash half-way, never sees half a file.

Claim files, report files and report series all go through `write_if_changed`: the bytes go
to a temporary file beside the target, are flushed to disk, and replace it in one rename; a
file that already holds the same bytes is left alone (so its modification time, and git, see
no change).
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` as UTF-8 to `path` unless it already holds exactly that; True if written.
    A replaced file keeps its permissions, a new one gets the usual ones (umask); a symbolic
    link is written through, to the file it points at."""
    data = text.encode("utf-8")
    path = path.resolve() if path.is_symlink() else path
    try:
        if path.read_bytes() == data:
            return False
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = None
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with open(temporary, "xb") as stream:  # created as any new file would be
        try:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())  # on disk before it replaces the old file
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    try:
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return True
