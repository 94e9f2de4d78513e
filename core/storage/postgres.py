"""PostgreSQL: concurrent writers queued by row locks, native types, ordered RETURNING."""
from __future__ import annotations

import functools
import re
import threading
from typing import Any, Callable, TypeVar

from sqlalchemy import Connection, Engine, Select, Table, insert
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import Insert
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

from core.storage.group_commit import GroupCommitter

S = TypeVar("S", bound=Select[Any])


@functools.cache
def _numbered() -> PGDialect_psycopg:
    """SQLAlchemy's psycopg dialect compiling `$1, $2, …` (its compiler's casts, PostgreSQL's own placeholders).
    Made on first use, as psycopg is imported: a SQLite-only process never loads the driver (~9 MB)."""
    return PGDialect_psycopg(paramstyle="numeric_dollar")  # type: ignore[no-untyped-call]


_PLACEHOLDER = re.compile(r"\$(\d+)")


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

    def insert_sql(self, table: Table, names: tuple[str, ...], count: int) -> str:
        """The statement SQLAlchemy sends for `count` rows, in `$n` placeholders for a raw cursor (plain_cursor):
        psycopg converts `%(name)s` to `$n` by parsing the query, and caches that only for statements of at most
        50 parameters; an invoice (88) and its five lines (125) were parsed again on every create, ~17 % of the
        gateway's CPU for one. The casts are SQLAlchemy's own (its compiler, `numeric_dollar` placeholders).
        Several rows go as SQLAlchemy's insertmanyvalues sends them with sort_by_parameter_order: INSERT ..
        SELECT .. ORDER BY a counter, so the sequence gives the rows ascending ids in the order they are listed,
        and the sorted ids returned are theirs in order (its implicit sentinel for an autoincrement key)."""
        compiled = insert(table).returning(table.c.id).compile(dialect=_numbered(), column_keys=list(names))
        assert compiled.positiontup == list(names), "the placeholders follow the columns"
        single = str(compiled)
        if count == 1:
            return single
        head, _, rest = single.partition(" VALUES (")
        values, _, returning = rest.rpartition(") RETURNING ")
        width = len(names)
        rows = ", ".join(f"({_shifted(values, i * width)}, {i})" for i in range(count))
        casts = ", ".join(f"p{i}::{table.c[name].type.compile(dialect=_numbered())}" for i, name in enumerate(names))
        labels = ", ".join(f"p{i}" for i in range(width))
        return (f"{head} SELECT {casts} FROM (VALUES {rows}) AS imp_sen({labels}, sen_counter) "
                f"ORDER BY sen_counter RETURNING {returning}")

    def plain_cursor(self, connection: Connection) -> Any:
        """A psycopg RawCursor: the query is sent as written, `$n` and all, never parsed on our side."""
        import psycopg  # here: see _numbered

        raw: psycopg.Connection[Any] = connection.connection.dbapi_connection  # type: ignore[assignment]
        return psycopg.RawCursor(raw)

    def has_tables(self, connection: Connection, *tables: str) -> bool:
        return False  # the full-text and count tables are SQLite's (migrations 0002, 0005)

    def binder(self, column_type: Any, dialect: Any) -> Callable[[Any], Any] | None:
        processor: Callable[[Any], Any] | None = column_type.dialect_impl(dialect).bind_processor(dialect)
        return processor

    def converter(self, column_type: Any, dialect: Any, code: Any) -> Callable[[Any], Any] | None:
        processor: Callable[[Any], Any] | None = column_type.result_processor(dialect, code)
        return processor


def _shifted(values: str, shift: int) -> str:
    """`$1, $2::INTEGER` as `$(1 + shift), $(2 + shift)::INTEGER`: one row's placeholders, for a later row."""
    return _PLACEHOLDER.sub(lambda found: f"${int(found[1]) + shift}", values)


STORAGE = PostgresStorage()
