"""Typed errors the core raises; each message tells the user what to do next.

Interfaces (CLI, TUI) show `str(error)` as is and never a traceback.
"""

from __future__ import annotations

from datetime import datetime


class TrackerError(Exception):
    """Base class: an operation was refused and nothing was written."""

    field: str = ""
    """The `ClaimDefinition` field the refusal is about, if there is one (a form shows the
    reason under it)."""

    def __init__(self, *args: object, field: str = "") -> None:
        super().__init__(*args)
        if field:
            self.field = field


class InvalidInput(TrackerError):
    """A value given by the user cannot be accepted (range, format, length)."""


class SlugTaken(InvalidInput):
    """A new claim's slug is already used."""

    field = "slug"


class CannotWrite(TrackerError):
    """A file or folder could not be written (permissions, a device, a missing disk)."""


class NotFound(TrackerError):
    """The claim, entry, source or reviewer named does not exist."""


class IllegalTransition(TrackerError):
    """The claim's status lifecycle does not allow this change."""


class Conflict(TrackerError):
    """Someone else changed the claim since the caller loaded it (optimistic concurrency)."""

    def __init__(
        self,
        slug: str,
        changed_by: str | None,
        changed_at: datetime | None,
        seen_version: int,
        current_version: int,
    ) -> None:
        self.slug = slug
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.seen_version = seen_version
        self.current_version = current_version
        when = changed_at.strftime("%Y-%m-%d %H:%M:%S UTC") if changed_at else "an unknown time"
        self.what_happened = (
            f"claim '{slug}' was changed by {changed_by or 'someone'} at {when} since you loaded "
            f"it (you saw version {seen_version}, it is now version {current_version})"
        )
        """The conflict without the advice, for an interface that offers its own way on."""
        super().__init__(f"{self.what_happened}; reload it, check the change, and try again")


class UnseenEntries(TrackerError):
    """Someone else recorded entries on the claim since the reviewer was shown it: marking it
    reviewed now would hide them from the reviewer's queue."""


class DatabaseUnavailable(TrackerError):
    """The database cannot be opened (a server down, no permission, a read-only folder)."""


class SchemaOutOfDate(TrackerError):
    """A shared database needs `tracker db upgrade`, which is never run implicitly."""
