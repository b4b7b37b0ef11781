"""The status lifecycle, replayed over a claim's history entries.

`check` replays a file's history from `open`; `import` replays the new entries from the
database's current status. Both use these rules, which are the ledger's: a status change only
to an open status and only from an open claim, a resolution only of an open claim, a reopening
only of a closed one.
"""

from __future__ import annotations

from collections.abc import Iterable

from tracker.claimfiles.entries import HistoryEntry
from tracker.vocabulary import OPEN_STATUSES, Outcome, Status

ACTIONS = ("status", "resolve", "reopen")


class LifecycleError(ValueError):
    """A history entry that the status lifecycle does not allow at that point."""


def in_order(entries: Iterable[HistoryEntry]) -> list[HistoryEntry]:
    """History in recorded_at order; entries recorded at the same instant keep their order."""
    return sorted(entries, key=lambda entry: entry.recorded_at)


def _status(word: str) -> Status | None:
    try:
        return Status(word.strip().lower())
    except ValueError:
        return None


def apply(current: Status, entry: HistoryEntry) -> Status:
    """The status after `entry`; raise LifecycleError if the lifecycle forbids it.

    Unknown words (action, status, outcome) leave the status as it is: they are reported
    separately, with their own line.
    """
    action = entry.action.strip().lower()
    if action == "status":
        target = _status(entry.to)
        if target is None:
            return current
        if target not in OPEN_STATUSES:
            raise LifecycleError(
                f"a status entry can only move a claim to open, developing or stalled, not "
                f"'{target}': close a claim with action = \"resolve\""
            )
        if current.is_closed:
            raise LifecycleError(
                f"the claim is {current} (closed) at this point: a status change needs a "
                "reopen entry before it"
            )
        if target == current:
            raise LifecycleError(f"the claim is already {current} at this point")
        return target
    if action == "resolve":
        try:
            outcome = Outcome(entry.outcome.strip().lower())
        except ValueError:
            return current
        if current.is_closed:
            raise LifecycleError(
                f"the claim is already {current} at this point: add a reopen entry before "
                "resolving it again"
            )
        return outcome.closing_status
    if action == "reopen":
        target = _status(entry.to) if entry.to else Status.OPEN
        if target is None:
            return current
        if target not in OPEN_STATUSES:
            raise LifecycleError("a reopened claim must be open, developing or stalled")
        if not current.is_closed:
            raise LifecycleError(f"the claim is {current}, not closed: nothing to reopen")
        return target
    return current


def replay(
    entries: Iterable[HistoryEntry], start: Status = Status.OPEN
) -> tuple[Status, list[tuple[HistoryEntry, str]]]:
    """Replay in recorded_at order; returns the final status and each entry that breaks the
    lifecycle (that entry is then ignored and the replay goes on)."""
    status = start
    broken: list[tuple[HistoryEntry, str]] = []
    for entry in in_order(entries):
        try:
            status = apply(status, entry)
        except LifecycleError as error:
            broken.append((entry, str(error)))
    return status, broken
