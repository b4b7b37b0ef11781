"""claim revisions indexed by (recorded_at, version)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 06:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A report counts the claims created (revision 1) and edited (later revisions) in its
    # period. With the version in the index both are index-only range counts: in SQLite, with
    # 100k claims, 0.21 s and 0.22 s -> under 0.01 s each. (recorded_at, version) serves
    # every query the (recorded_at) index served, so it replaces it.
    with op.batch_alter_table('claim_revisions', schema=None) as batch_op:
        batch_op.drop_index('ix_claim_revisions_recorded_at')
        batch_op.create_index('ix_claim_revisions_recorded_at_version',
                              ['recorded_at', 'version'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('claim_revisions', schema=None) as batch_op:
        batch_op.drop_index('ix_claim_revisions_recorded_at_version')
        batch_op.create_index('ix_claim_revisions_recorded_at', ['recorded_at'], unique=False)
