"""a create writes its invoice's search document once, not once per line (issue 20)

0014 keeps each invoice's FTS5 document current with a trigger per line: every line inserted rewrites the
whole document (the old text deleted from the index, the new one tokenized and inserted), so a 5-line create
rewrote it five times, a tenth of the create's CPU. A write that inserts many lines at once (the plain create
path, core.storage.writes.search_once) now marks the invoice in `invoices_fts_deferred` first: the line
trigger skips marked invoices, and deleting the mark rewrites the document once, with every line. Any other
writer (the ORM, a console, a script) is unaffected: with no mark, each line is indexed as before.

The mark lives and dies inside the writing transaction; a rolled-back write takes it with it. Its name
starts with `invoices_fts`, so the schema-drift test skips it with the index it serves.

Revision ID: 0015
Revises: 0014
"""
import importlib.util
from pathlib import Path
from typing import Any, Sequence, Union

from sqlalchemy import text

from alembic import op

revision: str = '0015'
down_revision: Union[str, None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

DEFERRED = "invoices_fts_deferred"  # core.storage.writes.SEARCH_DEFERRED


def _has_search_index() -> bool:
    bind = op.get_bind()
    return bind.dialect.name == "sqlite" and bool(bind.execute(text(
        "SELECT count(*) FROM sqlite_master WHERE name = 'invoices_fts'")).scalar())


def upgrade() -> None:
    if not _has_search_index():
        return  # PostgreSQL, or a SQLite without FTS5: no per-line index to defer
    relines = _migration_0014()._relines
    op.execute(f"CREATE TABLE {DEFERRED} (invoice_id INTEGER PRIMARY KEY)")
    op.execute("DROP TRIGGER IF EXISTS invoice_lines_fts_ai")
    op.execute("CREATE TRIGGER invoice_lines_fts_ai AFTER INSERT ON invoice_lines "
               f"WHEN NOT EXISTS (SELECT 1 FROM {DEFERRED} WHERE invoice_id = new.invoice_id) "
               f"BEGIN {relines('new.invoice_id')} END")
    op.execute(f"CREATE TRIGGER {DEFERRED}_ad AFTER DELETE ON {DEFERRED} BEGIN {relines('old.invoice_id')} END")


def downgrade() -> None:
    if not _has_search_index():
        return
    relines = _migration_0014()._relines
    op.execute(f"DROP TRIGGER IF EXISTS {DEFERRED}_ad")
    op.execute(f"DROP TABLE IF EXISTS {DEFERRED}")
    op.execute("DROP TRIGGER IF EXISTS invoice_lines_fts_ai")
    op.execute("CREATE TRIGGER invoice_lines_fts_ai AFTER INSERT ON invoice_lines "
               f"BEGIN {relines('new.invoice_id')} END")


def _migration_0014() -> Any:
    """0014's module (the document's SQL); a revision file is not importable by name."""
    spec = importlib.util.spec_from_file_location("_search_0014", Path(__file__).with_name("0014_search.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
