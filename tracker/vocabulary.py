"""The words of the domain: claim kinds, statuses and their lifecycle, stances, outcomes.

Kept in one place so the ledger, the claim files and the UIs agree on them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 claim', '2 claims'; `many` for irregular plurals ('entries')."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def with_article(noun: str) -> str:
    """`noun` after "a" or "an", for messages: "an evidence title", "a status entry"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


class Kind(StrEnum):
    PREDICTION = "prediction"
    FACT = "fact"
    OPINION = "opinion"


class Status(StrEnum):
    OPEN = "open"
    DEVELOPING = "developing"
    STALLED = "stalled"
    CONFIRMED = "confirmed"
    PARTLY = "partly"
    REFUTED = "refuted"
    ANNULLED = "annulled"

    @property
    def is_closed(self) -> bool:
        return self in CLOSED_STATUSES


OPEN_STATUSES = frozenset({Status.OPEN, Status.DEVELOPING, Status.STALLED})
CLOSED_STATUSES = frozenset({Status.CONFIRMED, Status.PARTLY, Status.REFUTED, Status.ANNULLED})


class Stance(StrEnum):
    SUPPORTS = "supports"
    REFUTES = "refutes"
    CONTEXT = "context"


class Outcome(StrEnum):
    YES = "yes"
    NO = "no"
    PARTIAL = "partial"
    ANNULLED = "annulled"

    @property
    def closing_status(self) -> Status:
        return _CLOSING_STATUS[self]


_CLOSING_STATUS = {
    Outcome.YES: Status.CONFIRMED,
    Outcome.NO: Status.REFUTED,
    Outcome.PARTIAL: Status.PARTLY,
    Outcome.ANNULLED: Status.ANNULLED,
}


def outcome_value(outcome: Outcome, partial_value: float | None = None) -> float | None:
    """The number a resolution scores against: 1, 0, the partial value, or None if annulled."""
    if outcome is Outcome.YES:
        return 1.0
    if outcome is Outcome.NO:
        return 0.0
    if outcome is Outcome.PARTIAL:
        return partial_value
    return None


E = TypeVar("E", bound=StrEnum)


def parse_choice(enum: type[E], text: str, what: str) -> E:
    """Read a vocabulary word, or fail with the list of words that are accepted."""
    try:
        return enum(text.strip().lower())
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ValueError(f"unknown {what} '{text}': use one of {allowed}") from None
