"""A synthetic database for benchmarks: claims, reviewers, forecasts, evidence, resolutions.

Bulk Core inserts into a migrated SQLite file; deterministic for a given seed.
"""

from __future__ import annotations

import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from tracker.db import make_engine, upgrade
from tracker.definitions import ClaimDefinition
from tracker.models import (
    Claim,
    ClaimRevision,
    ClaimTag,
    Evidence,
    Forecast,
    Resolution,
    Reviewer,
)

START = datetime(2021, 1, 1, tzinfo=UTC)
"""Early enough that every entry (the latest: a resolution at a deadline about 1,600 days on)
is recorded in the past, as the ledger would have it; a report "as of now" sees it all."""
TAGS = ("compute", "alignment", "robots", "open-source", "agents", "serving", "policy", "chips")


def build(path: Path, claims: int, forecasts: int, reviewers: int, evidence: int,
          seed: int = 7) -> None:
    """Create `path` with the given numbers of rows (about half the claims resolved)."""
    rng = random.Random(seed)
    path.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(insert(Reviewer), [
            {"id": i + 1, "name": f"reviewer-{i:03d}", "created_at": START}
            for i in range(reviewers)
        ])
        claim_rows, revision_rows, tag_rows, resolution_rows = [], [], [], []
        for i in range(1, claims + 1):
            made = START + timedelta(days=rng.randrange(0, 700))
            deadline = made + timedelta(days=rng.randrange(30, 900))
            resolved = rng.random() < 0.5
            outcome = rng.choice(("yes", "no", "no", "partial", "annulled")) if resolved else None
            status = {"yes": "confirmed", "no": "refuted", "partial": "partly",
                      "annulled": "annulled", None: "open"}[outcome]
            slug = f"claim-{i:06d}"
            claim_rows.append({
                "id": i, "uuid": str(uuid.UUID(int=rng.getrandbits(128))), "slug": slug,
                "title": f"Synthetic claim {i}", "statement": "A synthetic statement.",
                "made_on": made.date(), "deadline_end": deadline, "status": status,
                "version": 2 if resolved else 1, "created_at": made,
                "changed_at": deadline if resolved else made,
                "changed_by_id": 1, "implied_confidence": round(rng.random(), 2),
            })
            revision_rows.append({
                "uuid": str(uuid.UUID(int=rng.getrandbits(128))), "claim_id": i, "version": 1,
                "definition": ClaimDefinition(
                    slug=slug, title=f"Synthetic claim {i}", statement="A synthetic statement.",
                    made_on=made.date(), deadline_end=deadline,
                ).to_json(),
                "reviewer_id": 1, "recorded_at": made, "entered_at": made,
            })
            tag_rows.append({"claim_id": i, "tag": rng.choice(TAGS)})
            if resolved:
                value = {"yes": 1.0, "no": 0.0, "partial": 0.5, "annulled": None}[outcome]
                resolution_rows.append({
                    "uuid": str(uuid.UUID(int=rng.getrandbits(128))), "claim_id": i,
                    "version": 2, "outcome": outcome, "value": value,
                    "observed_on": deadline.date(), "reviewer_id": 1, "recorded_at": deadline,
                    "entered_at": deadline,
                })
        for table, rows in ((Claim, claim_rows), (ClaimRevision, revision_rows),
                            (ClaimTag, tag_rows), (Resolution, resolution_rows)):
            for chunk in range(0, len(rows), 20000):
                connection.execute(insert(table), rows[chunk:chunk + 20000])
        made_on = {row["id"]: row["created_at"] for row in claim_rows}
        batch: list[dict[str, object]] = []
        for _ in range(forecasts):
            claim_id = rng.randrange(1, claims + 1)
            at = made_on[claim_id] + timedelta(hours=rng.randrange(0, 24 * 600))
            batch.append({
                "uuid": str(uuid.UUID(int=rng.getrandbits(128))), "claim_id": claim_id,
                "probability": round(rng.random(), 3), "made_at": at,
                "reviewer_id": rng.randrange(1, reviewers + 1), "recorded_at": at, "entered_at": at,
            })
            if len(batch) == 50000:
                connection.execute(insert(Forecast), batch)
                batch = []
        if batch:
            connection.execute(insert(Forecast), batch)
        batch = []
        for _ in range(evidence):
            claim_id = rng.randrange(1, claims + 1)
            at = made_on[claim_id] + timedelta(days=rng.randrange(0, 600))
            batch.append({
                "uuid": str(uuid.UUID(int=rng.getrandbits(128))), "claim_id": claim_id,
                "title": "Synthetic evidence", "stance": rng.choice(("supports", "refutes")),
                "observed_on": at.date(), "reviewer_id": 1, "recorded_at": at, "entered_at": at,
                "url": "", "summary": "",
            })
            if len(batch) == 50000:
                connection.execute(insert(Evidence), batch)
                batch = []
        if batch:
            connection.execute(insert(Evidence), batch)
    engine.dispose()
    print(f"built {path} in {time.perf_counter() - started:.1f}s", file=sys.stderr)

