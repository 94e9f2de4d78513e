"""PostgreSQL money and quantities keep their own scale, as SQLite's text does

Every core.models.types.DecimalType column was NUMERIC(24, 6) on PostgreSQL, which pads what it stores to
six decimals: an invoice total written as 419.00 came back as 419.000000, so InvoiceOcean printed
"419.000000" and INVO 419.000000 where the same invoice on SQLite (canonical text) printed 419.00.
Unconstrained NUMERIC stores the value exactly as written, scale included. Rows stored before this
migration lose their padding (trim_scale, PostgreSQL 13+): 419.000000 becomes 419, which the dialects
print as 419.00 (InvoiceOcean pads to two decimals; fakturan normalises anyway).

Found by tests/gateway/test_postgres_reads.py. SQLite: nothing to do.

Revision ID: 0006
Revises: 0005
"""
from typing import Sequence, Union

import sqlalchemy as sa

from alembic import op

revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_PADDED = ("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
           "AND data_type = 'numeric' AND numeric_precision = :precision AND numeric_scale = :scale "
           "ORDER BY table_name, column_name")


def _columns(bind: sa.engine.Connection, precision: int | None, scale: int | None) -> list[tuple[str, str]]:
    if precision is None:
        sql = _PADDED.replace("numeric_precision = :precision AND numeric_scale = :scale",
                              "numeric_precision IS NULL")
        return [tuple(r) for r in bind.execute(sa.text(sql))]  # type: ignore[misc]
    return [tuple(r) for r in bind.execute(sa.text(_PADDED), {"precision": precision, "scale": scale})]  # type: ignore[misc]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    trim = int(bind.execute(sa.text("SHOW server_version_num")).scalar() or 0) >= 130000
    for table, column in _columns(bind, 24, 6):
        using = f' USING trim_scale("{column}")' if trim else ""
        op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE NUMERIC{using}')


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table, column in _columns(bind, None, None):
        op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE NUMERIC(24, 6)')
