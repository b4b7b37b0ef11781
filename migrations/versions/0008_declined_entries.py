"""claim-file entries an import did not merge are remembered

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'declined_entries',
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('claim_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('entry', sa.JSON(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('declined_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['claim_id'], ['claims.id'],
                                name=op.f('fk_declined_entries_claim_id_claims')),
        sa.PrimaryKeyConstraint('uuid', name=op.f('pk_declined_entries')),
    )
    with op.batch_alter_table('declined_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declined_entries_claim_id'), ['claim_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('declined_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declined_entries_claim_id'))
    op.drop_table('declined_entries')
