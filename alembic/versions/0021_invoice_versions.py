"""a version per invoice on SQLite, so a list presents an unchanged invoice once per change (issue 20)

A list page of 25 spent most of its CPU reading the same invoices' ~90 columns (and, for fakturan, their
rows) again and turning them into the same JSON again. `invoice_versions` holds a number per invoice that
triggers raise in the transaction of every change to a row its answer is made from: the invoice, its lines,
payment allocations, bank account copies, recurring definitions and KSeF documents (also those of the invoice
a correction names in from_invoice_id, which the correction shows). A process keeps what it presented of an
invoice under the number it read it at (core.invoice_versions), and a page reads the numbers, not the rows.

SQLite only, like 0005, 0018 and 0019: on PostgreSQL every change would also lock one more row, and pages
read rows as before. Not in the models; the schema-drift test skips it by name. An invoice with no row
(made before this revision, and not changed since) is at 0.

Revision ID: 0021
Revises: 0020
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0021'
down_revision: Union[str, None] = '0020'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLE = "invoice_versions"  # core.invoice_versions.TABLE
# Each table an invoice's answer is read from besides invoices itself, by the column naming the invoice.
WATCHED = ("invoice_lines", "payment_allocations", "invoice_bank_accounts", "recurrings", "ksef_documents")


def _bump(invoice: str) -> str:
    return (f"INSERT INTO {TABLE} (invoice_id, version) VALUES ({invoice}, 1) "
            f"ON CONFLICT (invoice_id) DO UPDATE SET version = version + 1;")


def _bump_corrections(row: str) -> str:
    """The invoices that name this KSeF document's invoice as theirs (from_invoice_id) show the document too."""
    return (f"INSERT INTO {TABLE} (invoice_id, version) SELECT invoices.id, 1 FROM invoices "
            f"WHERE invoices.from_invoice_id = {row}.invoice_id AND invoices.account_id = {row}.account_id "
            f"ON CONFLICT (invoice_id) DO UPDATE SET version = version + 1;")


def _triggers() -> dict[str, str]:
    found = {f"{TABLE}_invoices_ai": f"AFTER INSERT ON invoices BEGIN {_bump('new.id')} END",
             f"{TABLE}_invoices_au": f"AFTER UPDATE ON invoices BEGIN {_bump('new.id')} END",  # any column
             f"{TABLE}_invoices_ad": f"AFTER DELETE ON invoices BEGIN {_bump('old.id')} END"}
    for table in WATCHED:
        also_new = _bump_corrections("new") if table == "ksef_documents" else ""
        also_old = _bump_corrections("old") if table == "ksef_documents" else ""
        found[f"{TABLE}_{table}_ai"] = (f"AFTER INSERT ON {table} WHEN new.invoice_id IS NOT NULL "
                                        f"BEGIN {_bump('new.invoice_id')} {also_new} END")
        found[f"{TABLE}_{table}_ad"] = (f"AFTER DELETE ON {table} WHEN old.invoice_id IS NOT NULL "
                                        f"BEGIN {_bump('old.invoice_id')} {also_old} END")
        found[f"{TABLE}_{table}_au"] = (f"AFTER UPDATE ON {table} WHEN new.invoice_id IS NOT NULL "
                                        f"BEGIN {_bump('new.invoice_id')} {also_new} END")
        # A row moved to another invoice changes the one it left too.
        found[f"{TABLE}_{table}_am"] = (f"AFTER UPDATE OF invoice_id ON {table} WHEN old.invoice_id IS NOT NULL "
                                        f"AND old.invoice_id IS NOT new.invoice_id "
                                        f"BEGIN {_bump('old.invoice_id')} {also_old} END")
    return found


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"CREATE TABLE {TABLE} (invoice_id INTEGER NOT NULL PRIMARY KEY, version INTEGER NOT NULL)")
    for name, body in _triggers().items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in _triggers():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(f"DROP TABLE IF EXISTS {TABLE}")
