"""one full-text document per invoice, in its account, so a search pages and counts from the index (issue 20)

0002 indexed invoice headers and line names in two FTS5 tables. A search joined them back to invoices, so
every match was found, merged, looked up for its account, sorted and counted before the first page could
be cut: 721 ms for a needle in a quarter of a million-invoice ledger.

Here one SQLite FTS5 table (trigram, as before) holds one document per invoice:

- rowid = account id << 40 | invoice id, so an account's documents are one rowid range, in invoice id order.
  FTS5 seeks to a rowid range itself: a search in an account reads only that account's matches, counts
  them with no join back to invoices, and returns them in id order, so the lists' default order is the
  first rows of the match, with no sort;
- the header columns 0002 indexed (number, buyer name and tax no, description, oid);
- `lines`: the invoice's line names joined by a newline. A needle that contains a newline is searched
  with LIKE instead (core.queries), so a trigram match never spans two line names.

The table keeps its own copy of the text (not external content): a line's change rewrites its invoice's
document, and FTS5 reads the old one from that copy. That costs a create about 0.1-0.3 ms of CPU more than
0002's tables (five document rewrites for five lines instead of five line inserts).

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
DOC = "(({invoice}.account_id << 40) | {invoice}.id)"  # core.queries.FTS_ACCOUNT_SHIFT
# Every invoice's document, as the rebuild (and the large-ledger seed) writes it.
FILL = (f"INSERT INTO invoices_fts (rowid, {', '.join(HEADER)}, lines) "
        f"SELECT {DOC.format(invoice='invoices')}, {', '.join(f'invoices.{c}' for c in HEADER)}, "
        f"{LINES_OF.format(id='invoices.id')} FROM invoices")
# After a bulk fill, the index's segments merged into one: a query reads one doclist per trigram.
OPTIMIZE = "INSERT INTO invoices_fts (invoices_fts) VALUES ('optimize')"
_OLD_TRIGGERS = [f"{fts}_{event}" for fts in ("invoices_fts", "invoice_lines_fts") for event in ("ai", "ad", "au")]


def _relines(invoice_id: str) -> str:
    """The document of a line's invoice, its lines read again (none if the invoice is gone already)."""
    return (f"UPDATE invoices_fts SET lines = {LINES_OF.format(id=invoice_id)} WHERE rowid = "
            f"(SELECT {DOC.format(invoice='invoices')} FROM invoices WHERE invoices.id = {invoice_id});")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite" or not _migration_0002()._fts5_available():
        return
    for trigger in _OLD_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS invoice_lines_fts")
    op.execute("DROP TABLE IF EXISTS invoices_fts")
    header, new = ", ".join(HEADER), ", ".join(f"new.{c}" for c in HEADER)
    # columnsize=0: no per-document token counts (only ranking reads them, and a search is in id order), one
    # write fewer for each line a create adds.
    op.execute(f"CREATE VIRTUAL TABLE invoices_fts USING fts5({header}, lines, tokenize='trigram', columnsize=0)")
    op.execute(FILL)
    op.execute(OPTIMIZE)
    insert = (f"INSERT INTO invoices_fts (rowid, {header}, lines) VALUES ({DOC.format(invoice='new')}, {new}, "
              f"{LINES_OF.format(id='new.id')});")
    delete = f"DELETE FROM invoices_fts WHERE rowid = {DOC.format(invoice='old')};"
    op.execute(f"CREATE TRIGGER invoices_fts_ai AFTER INSERT ON invoices BEGIN {insert} END")
    op.execute(f"CREATE TRIGGER invoices_fts_ad AFTER DELETE ON invoices BEGIN {delete} END")
    # Only the indexed columns (and the account, part of the rowid): a status change or a payment must not
    # touch the index.
    op.execute(f"CREATE TRIGGER invoices_fts_au AFTER UPDATE OF {header}, account_id, id ON invoices BEGIN "
               f"{delete} {insert} END")
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
