"""sources keep the text of their stored copy

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 01:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Empty (NULL) for sources imported before: their quotes are checked again once their
    # claim files are imported again (`tracker import` reads the copy beside each file).
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('copy_text', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_column('copy_text')
