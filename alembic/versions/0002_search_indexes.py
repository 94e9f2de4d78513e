"""indexes, keyset paging and full-text search for large ledgers (issue J)

Composite indexes for the list paths that a 1,000,000-invoice ledger makes slow (an account's page in id
order, a date range, a product filter), and full-text search for INVO `search`:

- SQLite: two external-content FTS5 tables with the trigram tokenizer (`invoices_fts` over number, buyer
  name and tax no, description and oid; `invoice_lines_fts` over line names), kept in sync by triggers.
  Trigrams answer substring queries, which is what `search` means. A SQLite built without FTS5 gets no
  tables, and core.queries falls back to LIKE.
- PostgreSQL: pg_trgm GIN indexes on lower(column), which serve the very `lower(x) LIKE '%...%'` the
  query already runs. Without the extension (no privilege) the search stays a scan.

The FTS tables and trigram indexes are not in the models (SQLAlchemy cannot declare either); the
schema-drift test skips them by name (`FTS_TABLES`, `TRGM_INDEXES`).

Revision ID: 0002
Revises: 0001
"""
from typing import Sequence, Union

import sqlalchemy as sa

from alembic import op

revision: str = '0002'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FTS_TABLES = {
    # fts table: (content table, indexed columns)
    "invoices_fts": ("invoices", ("number", "buyer_name", "buyer_tax_no", "description", "oid")),
    "invoice_lines_fts": ("invoice_lines", ("name",)),
}
TRGM_INDEXES = {
    "trgm_invoices_number": ("invoices", "number"),
    "trgm_invoices_buyer_name": ("invoices", "buyer_name"),
    "trgm_invoices_buyer_tax_no": ("invoices", "buyer_tax_no"),
    "trgm_invoices_description": ("invoices", "description"),
    "trgm_invoices_oid": ("invoices", "oid"),
    "trgm_invoice_lines_name": ("invoice_lines", "name"),
}


def upgrade() -> None:
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('ix_invoices_account_id_id', ['account_id', 'id'], unique=False)
        batch_op.create_index('ix_invoices_account_issue_date', ['account_id', 'issue_date', 'id'], unique=False)
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.create_index('ix_invoice_lines_product_id', ['product_id'], unique=False)
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_fts()
    elif dialect == "postgresql":
        _postgresql_trgm()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for fts in FTS_TABLES:
            for event in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{event}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
    elif dialect == "postgresql":
        for name in TRGM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_invoice_lines_product_id')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_account_issue_date')
        batch_op.drop_index('ix_invoices_account_id_id')


def _fts5_available() -> bool:
    bind = op.get_bind()
    try:
        bind.exec_driver_sql("CREATE VIRTUAL TABLE temp._fts5_probe USING fts5(x, tokenize='trigram')")
    except sa.exc.DBAPIError:
        return False
    bind.exec_driver_sql("DROP TABLE temp._fts5_probe")
    return True


def _sqlite_fts() -> None:
    if not _fts5_available():
        return
    for fts, (table, columns) in FTS_TABLES.items():
        cols = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', content_rowid='id', "
                   "tokenize='trigram')")
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # rows that exist already
        op.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
                   f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END")
        op.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
                   f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END")
        # Only the indexed columns: a status change or a payment must not touch the index.
        op.execute(f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {table} BEGIN "
                   f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
                   f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END")


def _postgresql_trgm() -> None:
    bind = op.get_bind()
    available = bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").scalar() is not None
    if not available:
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in TRGM_INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (lower({column}) gin_trgm_ops)")
