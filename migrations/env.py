"""Alembic environment: the engine comes from tracker.db (config.attributes["engine"]) or,
for the plain `alembic` command line, from TRACKER_DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context

from tracker.db import make_engine
from tracker.models import Base

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Render our UTC type as the plain column type so migrations stay self-contained."""
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations() -> None:
    engine = config.attributes.get("engine")
    owns_engine = engine is None
    if engine is None:
        engine = make_engine(os.environ["TRACKER_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                render_item=_render_item,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
    finally:
        if owns_engine:
            engine.dispose()


run_migrations()
