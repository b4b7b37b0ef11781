"""Test helpers shared by several test modules."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from tracker.definitions import ClaimDefinition
from tracker.models import Base


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: equal dumps mean an unchanged database."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for name, table in sorted(Base.metadata.tables.items()):
            rows = connection.execute(select(table)).all()
            result[name] = sorted((tuple(row) for row in rows), key=repr)
    return result


def definition(slug: str = "serving-shift", **changes: Any) -> ClaimDefinition:
    values: dict[str, Any] = {
        "slug": slug,
        "title": "80% of compute moves to serving",
        "statement": "Before long 80% of AI compute moves from training to serving.",
        "criteria": "Yes if a major provider reports inference above 80% of its compute.",
        "made_on": date(2023, 6, 29),
        "tags": ("compute",),
    }
    values.update(changes)
    return ClaimDefinition(**values)
