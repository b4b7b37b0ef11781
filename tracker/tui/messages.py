"""Messages that workers post back to the UI thread, each carrying plain, frozen data.

Named in the past tense: they report what a worker did. Widgets are only ever touched in
their handlers, on the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from textual.message import Message

from tracker.definitions import SourceInfo
from tracker.errors import Conflict
from tracker.queries import ClaimDetail, ClaimRow, TimelineEntry
from tracker.review_queue import ReviewItem
from tracker.scorebook import Leaderboard
from tracker.tui.listing import Listing
from tracker.tui.writes import PendingWrite


@dataclass
class ClaimsLoaded(Message):
    serial: int
    listing: Listing
    rows: list[ClaimRow]


@dataclass
class ClaimsCounted(Message):
    serial: int
    total: int


@dataclass
class ChildrenLoaded(Message):
    parent: str
    rows: list[ClaimRow]


@dataclass
class ClaimLeftPage(Message):
    """A claim just saved is not on the page read after the write: whether it still
    matches the filter (so the sort moved it to another page) or not."""

    slug: str
    matches: bool


@dataclass
class FacetsLoaded(Message):
    """The choices for the facet picker, to open it on `focus`."""

    tags: list[str]
    sources: list[SourceInfo]
    focus: str


@dataclass
class DetailLoaded(Message):
    detail: ClaimDetail


@dataclass
class WriteSaved(Message):
    write: PendingWrite


@dataclass
class WriteConflicted(Message):
    """Someone else changed the claim first; `fresh` is the claim as it is now."""

    write: PendingWrite
    error: Conflict
    fresh: ClaimDetail


@dataclass
class WriteRefused(Message):
    write: PendingWrite
    reason: str
    field: str = ""
    """The form field the reason is about, if the ledger said which."""
    fresh: ClaimDetail | None = None
    """The claim as it is now, if it could be read: the refusal may come from a change made
    by someone else (a forecast on a claim they resolved meanwhile)."""


@dataclass
class QueueBuilt(Message):
    items: list[ReviewItem]


@dataclass
class ReviewClaimLoaded(Message):
    item: ReviewItem
    detail: ClaimDetail
    changes: tuple[TimelineEntry, ...]
    seen_through: datetime
    """When the latest entry by someone else in the claim's log, as read, was recorded."""


@dataclass
class ScoresLoaded(Message):
    board: Leaderboard
    sources_scored: bool
    """The board is empty but the sources have scores (`scorebook.only_sources_scored`)."""


@dataclass
class ReportWritten(Message):
    path: Path
    changed: bool
    """False when the file already held this very report."""


@dataclass
class ReportFailed(Message):
    path: Path
    reason: str
