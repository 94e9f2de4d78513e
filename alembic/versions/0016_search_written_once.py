"""a create writes its invoice's search document once in all, not once for the header and again for its lines

0015 deferred the per-line rewrites of an invoice's FTS5 document to one, at the end of the lines. The
invoice's own INSERT trigger still wrote the document first (header, no lines), so a create tokenized and
indexed it twice: once empty of lines, then once with them (about 0.25 ms of a create's CPU).

Here a writer that inserts an invoice with its lines (core.storage.writes.search_once) marks "the next
invoice inserted" before the invoice exists: a mark with invoice_id 0 (PENDING; no invoice has id 0). The
invoice's INSERT trigger, seeing it, writes no document and claims the mark for the new invoice's id
instead; the line trigger skips the marked invoice as in 0015; deleting the mark writes the whole
document, header and lines, once (INSERT OR REPLACE: a mark on an invoice that already had its document,
0015's use, replaces it). A writer that sets no mark (the ORM, a console, a script) is indexed as before.

PostgreSQL has no per-row search triggers (its search is 0002's pg_trgm expression indexes, maintained by
the index itself): nothing to change there, as in 0014 and 0015.

Revision ID: 0016
Revises: 0015
"""
import importlib.util
from pathlib import Path
from typing import Any, Sequence, Union

from alembic import op

revision: str = '0016'
down_revision: Union[str, None] = '0015'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

PENDING = 0  # core.storage.writes.SEARCH_PENDING: the mark of an invoice not inserted yet


def upgrade() -> None:
    deferral = _migration_0015()
    if not deferral._has_search_index():
        return  # PostgreSQL, or a SQLite without FTS5: 0015 made no mark table
    search, marks = deferral._migration_0014(), deferral.DEFERRED
    header = ", ".join(search.HEADER)
    pending = f"EXISTS (SELECT 1 FROM {marks} WHERE invoice_id = {PENDING})"
    # Marked: pending, or already claimed (SQLite runs an event's triggers in no order one may rely on).
    marked = f"EXISTS (SELECT 1 FROM {marks} WHERE invoice_id IN ({PENDING}, new.id))"
    document = (f"INSERT INTO invoices_fts (rowid, {header}, lines) VALUES ({search.DOC.format(invoice='new')}, "
                f"{', '.join(f'new.{c}' for c in search.HEADER)}, {search.LINES_OF.format(id='new.id')});")
    op.execute("DROP TRIGGER IF EXISTS invoices_fts_ai")
    op.execute(f"CREATE TRIGGER invoices_fts_ai AFTER INSERT ON invoices WHEN NOT {marked} BEGIN {document} END")
    op.execute(f"CREATE TRIGGER {marks}_claim AFTER INSERT ON invoices WHEN {pending} "
               f"BEGIN UPDATE {marks} SET invoice_id = new.id WHERE invoice_id = {PENDING}; END")
    op.execute(f"DROP TRIGGER IF EXISTS {marks}_ad")
    op.execute(f"CREATE TRIGGER {marks}_ad AFTER DELETE ON {marks} BEGIN "
               f"INSERT OR REPLACE INTO invoices_fts (rowid, {header}, lines) "
               f"SELECT {search.DOC.format(invoice='invoices')}, {', '.join(f'invoices.{c}' for c in search.HEADER)}, "
               f"{search.LINES_OF.format(id='invoices.id')} FROM invoices WHERE invoices.id = old.invoice_id; END")


def downgrade() -> None:
    deferral = _migration_0015()
    if not deferral._has_search_index():
        return
    search, marks = deferral._migration_0014(), deferral.DEFERRED
    header, new = ", ".join(search.HEADER), ", ".join(f"new.{c}" for c in search.HEADER)
    op.execute(f"DROP TRIGGER IF EXISTS {marks}_claim")
    op.execute("DROP TRIGGER IF EXISTS invoices_fts_ai")
    op.execute("CREATE TRIGGER invoices_fts_ai AFTER INSERT ON invoices BEGIN "
               f"INSERT INTO invoices_fts (rowid, {header}, lines) VALUES ({search.DOC.format(invoice='new')}, {new}, "
               f"{search.LINES_OF.format(id='new.id')}); END")
    op.execute(f"DROP TRIGGER IF EXISTS {marks}_ad")
    op.execute(f"CREATE TRIGGER {marks}_ad AFTER DELETE ON {marks} "
               f"BEGIN {search._relines('old.invoice_id')} END")


def _migration_0015() -> Any:
    """0015's module (its mark table, its check for the index, and through it 0014's document SQL); a revision
    file is not importable by name."""
    spec = importlib.util.spec_from_file_location("_search_0015", Path(__file__).with_name(
        "0015_search_once_per_create.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
