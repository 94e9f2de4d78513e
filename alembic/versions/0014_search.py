"""one full-text document per invoice, in its account, so a search pages and counts from the index (issue 20)

0002 indexed invoice headers and line names in two FTS5 tables. A search joined them back to invoices, so
every match was found, merged, looked up for its account, sorted and counted before the first page could
be cut: 721 ms for a needle in a quarter of a million-invoice ledger.

Here one SQLite FTS5 table (trigram, as before) holds one row per invoice, rowid = the invoice id:

- the header columns 0002 indexed (number, buyer name and tax no, description, oid);
- `lines`: the invoice's line names joined by a newline. A needle that contains a newline is searched
  with LIKE instead (core.queries), so a trigram match never spans two line names;
- `account`: the token `x<account id>x`. A search matches it as a phrase, so the index itself answers
  "in this account": the count of matches is FTS5's own, with no join back to invoices.

FTS5 returns rowids in order, so the page in id order (the lists' default) is the first rows of the match,
with no sort. The table keeps its own copy of the text (not external content): a line's change rewrites
its invoice's document, and FTS5 reads the old one from that copy.

Not in the models (SQLAlchemy cannot declare FTS5); the schema-drift test skips `invoices_fts*` by name.
PostgreSQL is untouched: its search stays pg_trgm (0002).

Revision ID: 0014
Revises: 0013
"""
import importlib.util
from pathlib import Path
from typing import Any, Sequence, Union

from alembic import op

revision: str = '0014'
down_revision: Union[str, None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

HEADER = ("number", "buyer_name", "buyer_tax_no", "description", "oid")
LINES_OF = ("(SELECT group_concat(name, char(10)) FROM (SELECT name FROM invoice_lines "
            "WHERE invoice_lines.invoice_id = {id} ORDER BY invoice_lines.id))")
ACCOUNT = "'x' || {account} || 'x'"
# Every invoice's document, as the rebuild (and the large-ledger seed) writes it.
FILL = (f"INSERT INTO invoices_fts (rowid, {', '.join(HEADER)}, lines, account) "
        f"SELECT invoices.id, {', '.join(f'invoices.{c}' for c in HEADER)}, "
        f"{LINES_OF.format(id='invoices.id')}, {ACCOUNT.format(account='invoices.account_id')} FROM invoices")
# After a bulk fill, the index's segments merged into one: a query reads one doclist per trigram.
OPTIMIZE = "INSERT INTO invoices_fts (invoices_fts) VALUES ('optimize')"
_OLD_TRIGGERS = [f"{fts}_{event}" for fts in ("invoices_fts", "invoice_lines_fts") for event in ("ai", "ad", "au")]


def _relines(invoice_id: str) -> str:
    return f"UPDATE invoices_fts SET lines = {LINES_OF.format(id=invoice_id)} WHERE rowid = {invoice_id};"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite" or not _migration_0002()._fts5_available():
        return
    for trigger in _OLD_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS invoice_lines_fts")
    op.execute("DROP TABLE IF EXISTS invoices_fts")
    header, new = ", ".join(HEADER), ", ".join(f"new.{c}" for c in HEADER)
    op.execute(f"CREATE VIRTUAL TABLE invoices_fts USING fts5({header}, lines, account, tokenize='trigram')")
    op.execute(FILL)
    op.execute(OPTIMIZE)
    op.execute("CREATE TRIGGER invoices_fts_ai AFTER INSERT ON invoices BEGIN "
               f"INSERT INTO invoices_fts (rowid, {header}, lines, account) VALUES (new.id, {new}, "
               f"{LINES_OF.format(id='new.id')}, {ACCOUNT.format(account='new.account_id')}); END")
    op.execute("CREATE TRIGGER invoices_fts_ad AFTER DELETE ON invoices BEGIN "
               "DELETE FROM invoices_fts WHERE rowid = old.id; END")
    # Only the indexed columns: a status change or a payment must not touch the index.
    op.execute(f"CREATE TRIGGER invoices_fts_au AFTER UPDATE OF {header}, account_id ON invoices BEGIN "
               f"UPDATE invoices_fts SET {', '.join(f'{c} = new.{c}' for c in HEADER)}, "
               f"account = {ACCOUNT.format(account='new.account_id')} WHERE rowid = new.id; END")
    op.execute("CREATE TRIGGER invoice_lines_fts_ai AFTER INSERT ON invoice_lines BEGIN "
               f"{_relines('new.invoice_id')} END")
    op.execute("CREATE TRIGGER invoice_lines_fts_ad AFTER DELETE ON invoice_lines BEGIN "
               f"{_relines('old.invoice_id')} END")
    op.execute("CREATE TRIGGER invoice_lines_fts_au AFTER UPDATE OF name, invoice_id ON invoice_lines BEGIN "
               f"{_relines('old.invoice_id')} {_relines('new.invoice_id')} END")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in _OLD_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS invoices_fts")
    _migration_0002()._sqlite_fts()  # 0002's two tables, made and filled by 0002's own code


def _migration_0002() -> Any:
    """0002's module (its FTS5 probe and tables); a revision file is not importable by name."""
    spec = importlib.util.spec_from_file_location("_search_0002", Path(__file__).with_name("0002_search_indexes.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
