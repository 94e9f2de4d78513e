"""invoice lines indexed in document order: (invoice_id, position, id) replaces (invoice_id) (issue 20)

Every get and list reads lines ORDER BY invoice_id, position, id. With an index on invoice_id alone SQLite
found the lines by it and then sorted each invoice's lines in a temporary b-tree ("USE TEMP B-TREE FOR RIGHT
PART OF ORDER BY"), a sixth of a page's lines statement. The index in that order hands them over sorted. Its
first column serves everything the old index served (lookups by invoice, the foreign key's checks), so the old
one goes: a create keeps maintaining one index per line, not two.

Revision ID: 0017
Revises: 0016
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0017'
down_revision: Union[str, None] = '0016'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_invoice_lines_order", "invoice_lines", ["invoice_id", "position", "id"])
    op.drop_index("ix_invoice_lines_invoice_id", table_name="invoice_lines")


def downgrade() -> None:
    op.create_index("ix_invoice_lines_invoice_id", "invoice_lines", ["invoice_id"])
    op.drop_index("ix_invoice_lines_order", table_name="invoice_lines")
