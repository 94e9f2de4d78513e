"""PostgreSQL: concurrent writers queued by row locks, native types, ordered RETURNING."""
from __future__ import annotations

import threading
from typing import Any, Callable, TypeVar

from sqlalchemy import Connection, Engine, Select, Table, insert
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import Insert

from core.storage.group_commit import GroupCommitter

S = TypeVar("S", bound=Select[Any])


class PostgresStorage:
    backend = "postgresql"
    # The counter row stays locked from the allocation to the commit, so every writer of a series queues
    # behind whatever follows the allocation. Taken last, the lock covers one UPDATE and the commit
    # instead of most of the create (8 writers on one series: 6.2 of them waited on it before).
    numbers_last = True
    point_reads = False
    narrow_dated_pages = False

    def writer_lock(self, engine: Engine) -> threading.RLock | None:
        return None  # row locks queue the writers that meet

    def committer(self, engine: Engine) -> GroupCommitter | None:
        return None  # each command commits on its own pooled connection: the server overlaps their flushes

    def prepare(self, connection: Connection, *, write: bool) -> Connection:
        return connection

    def for_update(self, stmt: S) -> S:
        return stmt.with_for_update()

    def insert(self, table: Any) -> Insert:
        return postgresql.insert(table)

    def insert_ordered(self, connection: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
        # insertmanyvalues keeps the order with a sentinel, in one statement
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(connection.execute(stmt, rows).scalars().all())

    def has_tables(self, connection: Connection, *tables: str) -> bool:
        return False  # the full-text and count tables are SQLite's (migrations 0002, 0005)

    def binder(self, column_type: Any, dialect: Any) -> Callable[[Any], Any] | None:
        processor: Callable[[Any], Any] | None = column_type.dialect_impl(dialect).bind_processor(dialect)
        return processor

    def converter(self, column_type: Any, dialect: Any, code: Any) -> Callable[[Any], Any] | None:
        processor: Callable[[Any], Any] | None = column_type.result_processor(dialect, code)
        return processor


STORAGE = PostgresStorage()
