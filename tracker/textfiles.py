"""Writing a text file whole: a reader, or a crash half-way, never sees half a file.

Claim files, report files and report series all go through `write_if_changed`: the bytes go
to a temporary file beside the target, are flushed to disk, and replace it in one rename; a
file that already holds the same bytes is left alone (so its modification time, and git, see
no change). Only regular files are written: a device or a pipe named as the target would be
read to compare (for ever, from /dev/zero) and then replaced by a file. `write_all_if_changed`
writes several files all or none, and can refuse to replace a file changed since it was read.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass
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
    return path in write_all_if_changed({path: text})


def write_all_if_changed(texts: Mapping[Path, str],
                         unchanged_since: Mapping[Path, bytes | None] | None = None
                         ) -> set[Path]:
    """`write_if_changed` for several files, all or none: each new text goes to a temporary
    file beside its target before any target is replaced, so a failure (a full disk) leaves
    every target as it was. `unchanged_since` holds what each target held when the caller
    read it (None: no file): if one has changed since (an editor saved it), nothing is
    written and CannotWrite says so. Returns the paths written. Raises CannotWrite."""
    staged: list[_Staged] = []
    try:
        for path, text in texts.items():
            try:
                if (file := _stage(path, text.encode("utf-8"))) is not None:
                    staged.append(file)
            except OSError as error:
                raise _cannot_write(path, error) from None
        since = unchanged_since or {}
        changed = [file.path for file in staged
                   if file.path in since and read_bytes(file.path) != since[file.path]]
        if changed:
            raise CannotWrite(f"cannot write {changed[0]}: it was changed while this was being "
                              "written (saved by an editor, or another run); nothing was "
                              "written: look at the change, then run this again")
        for file in staged:
            try:
                os.replace(file.temporary, file.target)
            except OSError as error:
                raise _cannot_write(file.path, error) from None
    finally:
        for file in staged:
            file.temporary.unlink(missing_ok=True)
    return {file.path for file in staged}


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


@dataclass(frozen=True)
class _Staged:
    """New bytes for `path`, on disk beside `target` (the file `path` names or links to)."""

    path: Path
    target: Path
    temporary: Path


def _stage(path: Path, data: bytes) -> _Staged | None:
    """Write `data` to a temporary file beside `path`'s target, flushed to disk and with
    the target's permissions; None if the target already holds exactly `data`."""
    status = refuse_non_file(path)
    if status is not None and status.st_size == len(data) and path.read_bytes() == data:
        return None
    target = path.resolve() if path.is_symlink() else path
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    with open(temporary, "xb") as stream:  # created as any new file would be
        try:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())  # on disk before it replaces the old file
            if status is not None:
                os.chmod(temporary, stat.S_IMODE(status.st_mode))
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    return _Staged(path, target, temporary)


def read_bytes(path: Path) -> bytes | None:
    """What `path` holds now, None if there is no file: for `write_all_if_changed`'s
    `unchanged_since`. CannotWrite if something other than a regular file is there: read
    first (export reads its targets before writing), a pipe blocked for ever."""
    if refuse_non_file(path) is None:
        return None
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _cannot_write(path, error) from None
