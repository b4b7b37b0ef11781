"""A problem found in a claim file, located as `file:line` so an editor can jump to it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tracker.errors import TrackerError
from tracker.vocabulary import plural


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a claim file; `str()` gives `file:line: message`."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


IMPORT_REFUSED = "nothing was imported: fix them and run the command again"


class ProblemsFound(TrackerError):
    """Claim files had problems, so nothing was imported (or, for `outcome`, written)."""

    def __init__(self, problems: Iterable[Problem], outcome: str = IMPORT_REFUSED) -> None:
        self.problems = tuple(problems)
        self.outcome = outcome
        super().__init__(f"{summary(self.problems)}; {outcome}")


def summary(problems: Sequence[Problem]) -> str:
    """'3 problems in 2 files'."""
    files = len({problem.path for problem in problems})
    return f"{plural(len(problems), 'problem')} in {plural(files, 'file')}"
