"""First run: fill an empty database with the claims shipped with the package."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from tracker.claimfiles.importer import ImportReport, import_if_empty
from tracker.claimfiles.paths import claim_file_paths
from tracker.db import shipped_claims_dir
from tracker.horizons import utc_now
from tracker.ledger import Ledger
from tracker.queries import Queries

SEED_REVIEWER = "tracker-seed"


def seed_if_empty(engine: Engine, *, reviewer: str = SEED_REVIEWER,
                  clock: Callable[[], datetime] = utc_now) -> ImportReport | None:
    """Import the shipped claims if the database has no claims; None if nothing was done.

    Safe to call on every start: two processes starting at once seed only once (emptiness is
    checked again inside the import's transaction). Raises ProblemsFound if a shipped file is
    broken, which is a packaging bug.
    """
    directory = shipped_claims_dir()
    paths = claim_file_paths([directory]) if directory.is_dir() else []
    if not paths or not Queries(engine).is_empty():
        return None
    return import_if_empty(Ledger(engine, clock=clock), paths, reviewer=reviewer)
