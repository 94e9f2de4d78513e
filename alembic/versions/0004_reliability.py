"""idempotency keys remember their record; expired keys are pruned by creation time (issue K)

`idempotency_keys.record_id` is the record a key created, written in the same transaction, so a replay can
be answered (re-rendered) even when the process died between the commit and storing the response.
`ix_idempotency_keys_created_at` serves the 24-hour expiry sweep.

Revision ID: 0004
Revises: 0003
"""
from typing import Sequence, Union

import sqlalchemy as sa

from alembic import op

revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_idempotency_keys_created_at', ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_idempotency_keys_created_at')
        batch_op.drop_column('record_id')
