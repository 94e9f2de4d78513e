"""Recurring definitions can fall on the last day of each month

fakturan.nu's recurring invoices carry `last_day_of_month`; the engine keeps it as `recurrings.month_end`.
Existing definitions keep their schedule (false).

Revision ID: 0009
Revises: 0008
"""
from typing import Sequence, Union

import sqlalchemy as sa

from alembic import op

revision: str = '0009'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('recurrings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('month_end', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('recurrings', schema=None) as batch_op:
        batch_op.drop_column('month_end')
