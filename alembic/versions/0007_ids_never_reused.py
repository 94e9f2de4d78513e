"""SQLite ids are never reused: every table with an `id` key becomes AUTOINCREMENT

An INTEGER PRIMARY KEY without AUTOINCREMENT takes the largest id + 1, so deleting the newest invoice,
payment, client, ... gave its id to the next record: a retried `DELETE /invoices/496` then deleted an
unrelated invoice, and every stored reference (an ERP's mapping, `from_invoice_id`, INVO's `kid`) pointed
at another document (issue 24). SQLite cannot add AUTOINCREMENT to a table, so each is rebuilt from its
own stored definition, rows copied with their ids; copying explicit ids sets `sqlite_sequence` to the
current largest one. Indexes and triggers (full-text search, invoice counts) are recreated as stored.

Foreign keys stay enforced (the migration runs in one transaction, where they cannot be switched off):
each table is copied aside, dropped and created again under its own name, so the other tables' foreign
keys never name a renamed copy, and the checks are deferred until every row is back.

PostgreSQL: nothing to do; identity and serial sequences never hand a value out twice.

Revision ID: 0007
Revises: 0006
"""
import re
from typing import Sequence, Union

from alembic import op

revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

PLAIN_KEY = re.compile(r",(\s*)PRIMARY KEY \(id\)")
PLAIN_ID = re.compile(r"\bid INTEGER NOT NULL,")
AUTO_ID = "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,"


def _autoincrement(sql: str) -> str | None:
    if not PLAIN_KEY.search(sql) or not PLAIN_ID.search(sql):
        return None
    return PLAIN_ID.sub(AUTO_ID, PLAIN_KEY.sub("", sql, count=1), count=1)


def _plain(sql: str) -> str | None:
    if AUTO_ID not in sql:
        return None
    sql = sql.replace(AUTO_ID, "id INTEGER NOT NULL,", 1)
    head, _, tail = sql.rpartition("\n)")
    return f"{head}, \n\tPRIMARY KEY (id)\n){tail}"


def _rebuild(convert) -> None:  # type: ignore[no-untyped-def]
    bind = op.get_bind()
    tables = bind.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                  "'sqlite_%' ORDER BY name").fetchall()
    bind.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # until the commit, or the end of this function
    for name, sql in tables:
        new_sql = convert(sql)
        if new_sql is None:
            continue
        attached = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') "
            "AND sql IS NOT NULL ORDER BY type, name", (name,)).scalars().all()
        columns = ", ".join(f'"{row[1]}"' for row in bind.exec_driver_sql(f'PRAGMA table_info("{name}")'))
        bind.exec_driver_sql(f'CREATE TEMP TABLE "_0007_{name}" AS SELECT * FROM "{name}"')
        # Dropping fires no triggers; the rows referring to this table count as deferred violations until the
        # same ids are back, in the table of the same name, below.
        bind.exec_driver_sql(f'DROP TABLE "{name}"')
        bind.exec_driver_sql(new_sql)
        bind.exec_driver_sql(f'INSERT INTO "{name}" ({columns}) SELECT {columns} FROM temp."_0007_{name}" ORDER BY id')
        bind.exec_driver_sql(f'DROP TABLE temp."_0007_{name}"')
        for statement in attached:
            bind.exec_driver_sql(statement)
    problems = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if problems:
        raise RuntimeError(f"rows left without their referenced row: {problems[:5]}")
    bind.exec_driver_sql("PRAGMA defer_foreign_keys = OFF")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(_autoincrement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM sqlite_sequence")
        _rebuild(_plain)
