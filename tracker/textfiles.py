"""Writing a text file whole: a reader, or a crash half-way, never sees half a file.

Claim files, report files and report series all go through `write_if_changed`: the bytes go
to a temporary file beside the target, are flushed to disk, and replace it in one rename; a
file that already holds the same bytes is left alone (so its modification time, and git, see
no change). Only regular files are written: a device or a pipe named as the target would be
read to compare (for ever, from /dev/zero) and then replaced by a file.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from tracker.errors import CannotWrite


def _cannot_write(path: Path, error: OSError) -> CannotWrite:
    return CannotWrite(f"cannot write {path}: {error.strerror or error}")


def make_folder(path: Path) -> None:
    """Make the folder `path` and its parents if missing."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # e.g. a file where a folder should be: "File exists"
        raise CannotWrite(f"cannot make the folder {path}: {error.strerror or error}") from None


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` as UTF-8 to `path` unless it already holds exactly that; True if written.
    A replaced file keeps its permissions, a new one gets the usual ones (umask); a symbolic
    link is written through, to the file it points at. Raises CannotWrite."""
    try:
        return _write_if_changed(path, text.encode("utf-8"))
    except OSError as error:
        raise _cannot_write(path, error) from None


def refuse_non_file(path: Path) -> os.stat_result | None:
    """`path`'s status (of the file a link points at), None if there is nothing there yet;
    CannotWrite if something other than a regular file is (see the module's docstring), or
    if it cannot be looked at (a folder on the way we may not enter, a name too long)."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _cannot_write(path, error) from None
    if not stat.S_ISREG(status.st_mode):
        kind = "a folder" if stat.S_ISDIR(status.st_mode) else "not a regular file"
        raise CannotWrite(f"cannot write {path}: it is {kind}")
    return status


def _write_if_changed(path: Path, data: bytes) -> bool:
    status = refuse_non_file(path)
    if status is None:
        mode = None
    else:
        mode = stat.S_IMODE(status.st_mode)
        if status.st_size == len(data) and path.read_bytes() == data:
            return False
    path = path.resolve() if path.is_symlink() else path
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
