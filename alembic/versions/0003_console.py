"""the migration console's schema needs (issue G)

INVO logins (users) become revocable credentials with a last-use time, like tokens and keys;
the traffic log names the user behind a Basic login (INVO has no credential row), and gets the
indexes the console's traffic page and the retention pruner read by.

Revision ID: 0003
Revises: 0002
"""
from typing import Sequence, Union

import sqlalchemy as sa

import core.models.types
from alembic import op

revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The console's aggregates (per dialect, endpoint, credential and status over a time range) are
# answered from this index alone, without touching the table rows.
CONSOLE_COLUMNS = ['account_id', 'created_at', 'dialect', 'endpoint', 'credential_id', 'user_id', 'status']


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label', sa.String(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('last_used_at', core.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', core.models.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table('traffic_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.drop_index('ix_traffic_account_time')
        batch_op.create_index('ix_traffic_console', CONSOLE_COLUMNS, unique=False)
        batch_op.create_index('ix_traffic_created_at', ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('traffic_log', schema=None) as batch_op:
        batch_op.drop_index('ix_traffic_created_at')
        batch_op.drop_index('ix_traffic_console')
        batch_op.create_index('ix_traffic_account_time', ['account_id', 'created_at'], unique=False)
        batch_op.drop_column('user_id')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('label')
