"""one index on invoices.account_id, not two: ix_invoices_account_id goes (issue 20)

0001 indexed `invoices.account_id` (every table's account column is indexed, core.models.base.account_fk) and
0002 added `(account_id, id)` for an account's pages in id order. On SQLite an index holds each row's rowid
after its columns, and an invoice's id is its rowid, so the two were the same entries in the same order:
every create wrote both, for nothing. On PostgreSQL `(account_id, id)` serves every lookup by account_id the
single-column index served (the account's foreign key checks included). Every other index stays.

Revision ID: 0020
Revises: 0019
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0020'
down_revision: Union[str, None] = '0019'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.drop_index("ix_invoices_account_id", table_name="invoices")


def downgrade() -> None:
    op.create_index("ix_invoices_account_id", "invoices", ["account_id"])
