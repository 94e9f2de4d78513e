"""a maintained invoice count per account on SQLite, for list totals (issue J)

fakturan's `total_pages` and INVO's `total` count the whole listing on every page. On SQLite that count
walks an index entry per invoice: 58 ms for an account with a million. `invoice_counts` holds each
account's number of invoices, kept exact by triggers in the writing transaction itself, so an
unfiltered total is one row read (core.queries.count_invoices). Filtered totals still count.

SQLite only. On PostgreSQL a row updated by every insert would be locked until each create commits,
serialising an account's writers (what core.numbering works to avoid); count(*) stays there.
Not in the models; the schema-drift test skips it by name, like the search tables of 0002.

Revision ID: 0005
Revises: 0004
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLE = "invoice_counts"
TRIGGERS = {
    "invoice_counts_ai": "AFTER INSERT ON invoices BEGIN "
                         "INSERT INTO invoice_counts (account_id, invoices) VALUES (new.account_id, 1) "
                         "ON CONFLICT (account_id) DO UPDATE SET invoices = invoices + 1; END",
    "invoice_counts_ad": "AFTER DELETE ON invoices BEGIN "
                         "UPDATE invoice_counts SET invoices = invoices - 1 WHERE account_id = old.account_id; END",
    "invoice_counts_au": "AFTER UPDATE OF account_id ON invoices WHEN new.account_id IS NOT old.account_id BEGIN "
                         "UPDATE invoice_counts SET invoices = invoices - 1 WHERE account_id = old.account_id; "
                         "INSERT INTO invoice_counts (account_id, invoices) VALUES (new.account_id, 1) "
                         "ON CONFLICT (account_id) DO UPDATE SET invoices = invoices + 1; END",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"CREATE TABLE {TABLE} (account_id INTEGER NOT NULL PRIMARY KEY, invoices INTEGER NOT NULL)")
    op.execute(f"INSERT INTO {TABLE} (account_id, invoices) SELECT account_id, count(*) FROM invoices "
               "GROUP BY account_id")
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(f"DROP TABLE IF EXISTS {TABLE}")
