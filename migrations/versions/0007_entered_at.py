"""log entries note when they reached this database

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 09:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOG_TABLES = ('claim_revisions', 'evidence', 'evidence_retractions', 'status_changes',
              'resolutions', 'forecasts')


def upgrade() -> None:
    # Entries already here are taken as having entered when they were recorded: their import
    # moment was not kept. Added empty, filled, then required.
    for table in LOG_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('entered_at', sa.DateTime(timezone=True),
                                          nullable=True))
        op.execute(f'UPDATE {table} SET entered_at = recorded_at')
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('entered_at', existing_type=sa.DateTime(timezone=True),
                                  nullable=False)


def downgrade() -> None:
    for table in reversed(LOG_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('entered_at')
