"""Whole-file writes: the bytes change only when the text does, and never by halves."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from tracker.errors import CannotWrite
from tracker.textfiles import make_folder, read_bytes, write_if_changed


def test_writes_only_when_the_text_changes(tmp_path: Path) -> None:
    path = tmp_path / "claims.toml"
    assert write_if_changed(path, "title = \"ö\"\n") is True
    assert path.read_bytes() == "title = \"ö\"\n".encode()
    os.utime(path, (0, 0))
    assert write_if_changed(path, "title = \"ö\"\n") is False
    assert path.stat().st_mtime == 0  # left alone
    assert write_if_changed(path, "title = \"o\"\n") is True
    assert path.read_text(encoding="utf-8") == "title = \"o\"\n"
    assert [entry.name for entry in tmp_path.iterdir()] == ["claims.toml"]


def test_a_failed_write_leaves_the_old_file_whole_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "report.html"
    path.write_text("the old report", encoding="utf-8")

    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(CannotWrite, match=r"cannot write .*report.html: No space left"):
        write_if_changed(path, "the new report")
    assert path.read_text(encoding="utf-8") == "the old report"
    assert [entry.name for entry in tmp_path.iterdir()] == ["report.html"]


def test_a_replaced_file_keeps_its_permissions_and_a_new_one_follows_the_umask(
    tmp_path: Path,
) -> None:
    shared = tmp_path / "report.html"
    shared.write_text("old", encoding="utf-8")
    shared.chmod(0o640)  # not what a new file would get under umask 022
    write_if_changed(shared, "new")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640

    old_umask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.md"
        write_if_changed(fresh, "text")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644  # not a private 0o600 temp file


def test_a_symbolic_link_is_written_through(tmp_path: Path) -> None:
    target = tmp_path / "shared" / "report.md"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "report.md"
    link.symlink_to(target)
    assert write_if_changed(link, "new") is True
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "new"


def test_only_a_regular_file_is_written(tmp_path: Path) -> None:
    """A pipe named as the target was read to compare, which blocks for ever (and /dev/zero
    fills memory), then replaced by a file (as root, /dev/null became one)."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    outcome: list[BaseException] = []

    def write() -> None:
        try:
            write_if_changed(pipe, "a report")
        except BaseException as error:  # handed to the test's thread
            outcome.append(error)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    writer.join(timeout=5)
    assert not writer.is_alive(), "blocked reading the pipe"
    assert [str(error) for error in outcome] == [f"cannot write {pipe}: it is not a regular file"]
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    with pytest.raises(CannotWrite, match="it is a folder"):
        write_if_changed(tmp_path, "a report")


def test_a_pipe_is_not_read_for_what_it_holds(tmp_path: Path) -> None:
    """`read_bytes` (what export reads its targets with, before it checks and writes them)
    read a pipe named as a target: `tracker export` blocked for ever on one, and filled
    memory from a link to /dev/zero, before the write refused it."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    outcome: list[object] = []

    def read() -> None:
        try:
            outcome.append(read_bytes(pipe))
        except BaseException as error:  # handed to the test's thread
            outcome.append(error)

    def feed() -> None:  # without the check, the read gets this instead of blocking
        try:
            with open(pipe, "wb") as stream:
                stream.write(b"from the pipe")
        except BrokenPipeError:  # released unread (below)
            pass

    threading.Thread(target=feed, daemon=True).start()
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=5)
    os.close(os.open(pipe, os.O_RDONLY | os.O_NONBLOCK))  # lets the feeder go if unread
    assert not reader.is_alive(), "blocked reading the pipe"
    assert [str(item) for item in outcome] == [f"cannot write {pipe}: it is not a regular file"]
    assert read_bytes(tmp_path / "missing") is None


def test_a_file_where_a_folder_should_be_is_named(tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("", encoding="utf-8")
    with pytest.raises(CannotWrite, match=r"cannot make the folder .*notes/2026: "):
        make_folder(tmp_path / "notes" / "2026")
    with pytest.raises(CannotWrite, match=r"cannot write .*notes/x.md: Not a directory"):
        write_if_changed(tmp_path / "notes" / "x.md", "a report")
