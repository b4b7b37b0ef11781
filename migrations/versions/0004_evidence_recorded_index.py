"""evidence recorded-at index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 03:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Reports count the evidence recorded in a period and list the latest: with 500k entries
    # in SQLite the count went from a 0.47 s table scan to 0.03 s, the latest from 0.15 s.
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_recorded_at', ['recorded_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_recorded_at')
