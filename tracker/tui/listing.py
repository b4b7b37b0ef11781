"""What the claims table shows: filter text, facets, sort order and page, as one value.

Filtering, sorting and paging all happen in SQL (`Queries.list_claims`); the table only ever
holds one page. Without any filter the table is a tree: top-level claims, with the derived
questions of a parent shown under it on demand. Any filter searches every claim instead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from tracker.queries import ClaimFilter, ClaimRow, Queries
from tracker.vocabulary import CLOSED_STATUSES, OPEN_STATUSES, Status

PAGE_SIZE = 50

ANY_OPEN = "any-open"
ANY_CLOSED = "any-closed"
STATUS_FACETS: tuple[tuple[str, str], ...] = (
    ("any open", ANY_OPEN),
    ("any closed", ANY_CLOSED),
    *((status.value, status.value) for status in Status),
)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    sort_key: str | None
    """The `Queries.list_claims` sort key, or None when SQL cannot sort by this column."""
    counts_back: bool = False
    """Shows time since the sort key's date: ascending in days is descending in dates."""


COLUMNS = (
    Column("slug", "Slug", 26, "slug"),
    Column("title", "Title", 28, "title"),
    Column("status", "Status", 10, "status"),
    Column("deadline", "Deadline", 10, "deadline"),
    Column("mine", "Mine", 4, None),
    Column("team", "Team", 4, None),
    Column("evidence", "Evid.", 5, "evidence", counts_back=True),
    Column("next_review", "Review", 10, None),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}


@dataclass(frozen=True)
class Listing:
    text: str = ""
    status: str | None = None
    tag: str | None = None
    source: str | None = None
    kind: str | None = None
    sort: str = "slug"
    descending: bool = False
    offset: int = 0

    @property
    def is_tree(self) -> bool:
        return not (self.text.strip() or self.status or self.tag or self.source or self.kind)

    @property
    def sort_in_sql(self) -> bool:
        return COLUMN_BY_KEY[self.sort].sort_key is not None

    def criteria(self) -> ClaimFilter:
        if self.status == ANY_OPEN:
            statuses = tuple(sorted(status.value for status in OPEN_STATUSES))
        elif self.status == ANY_CLOSED:
            statuses = tuple(sorted(status.value for status in CLOSED_STATUSES))
        else:
            statuses = (self.status,) if self.status else ()
        return ClaimFilter(
            statuses=statuses, tag=self.tag, source=self.source, kind=self.kind,
            text=self.text.strip(), top_level_only=self.is_tree,
        )

    @property
    def sql_sort(self) -> str:
        """The SQL order: the chosen column if SQL can sort by it, else by slug."""
        return COLUMN_BY_KEY[self.sort].sort_key or "slug"

    def sorted_by(self, column: str) -> Listing:
        """Sort by `column`; choosing the current sort column again reverses it."""
        descending = not self.descending if column == self.sort else False
        return replace(self, sort=column, descending=descending, offset=0)

    def filtered(self, **facets: Any) -> Listing:
        """A new filter (text or facets) always starts again at the first page."""
        return replace(self, offset=0, **facets)

    def paged(self, offset: int) -> Listing:
        return replace(self, offset=max(0, offset))

    def read_page(self, queries: Queries, reviewer: str) -> list[ClaimRow]:
        """This listing's page of rows, read from the database (a blocking call)."""
        descending = self.descending != COLUMN_BY_KEY[self.sort].counts_back
        return queries.list_claims(
            self.criteria(), sort=self.sql_sort, descending=descending and self.sort_in_sql,
            limit=PAGE_SIZE, offset=self.offset, reviewer=reviewer,
        )

    def describe(self, total: int | None, shown: int, *, hint: bool = True) -> str:
        """"1–50 of 1,234 claims · sorted by slug ↑"; `hint` adds, for the tree, which key
        shows a parent's derived questions (left out where the line has no room for it)."""
        span = {0: "0", 1: f"{self.offset + 1:,}"}.get(
            shown, f"{self.offset + 1:,}–{self.offset + shown:,}")
        of = "…" if total is None else f"{total:,}"
        claims = "claim" if total == 1 else "claims"
        what = claims
        if self.is_tree:
            what = f"top-level {claims}" + (" (space shows derived questions)" if hint else "")
        column = COLUMN_BY_KEY[self.sort]
        arrow = "↓" if self.descending else "↑"
        return f"{span} of {of} {what} · sorted by {column.label.lower()} {arrow}"
