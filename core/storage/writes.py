"""Plain writes: rows of plain values (core.reader.new_record records, or dicts) inserted with statements
prepared once per table and backend, in the session's own transaction.

A create wrote its invoice through the ORM: the instance's constructor, its instrumentation and the unit
of work's flush were half of its CPU. Here a row is a tuple of parameters, each converted by the column
type's own bind processor (the conversion SQLAlchemy applies, so the stored text is the same byte for
byte), sent on the DBAPI cursor under the session's connection. The SQL is built once per table, backend and
row count, in the backend's own placeholders (Storage.insert_sql: SQLite's `?`, PostgreSQL's `$n` on a raw
cursor), so the driver never rewrites it: psycopg re-parsed every statement of more than 50 parameters.

Writes that bypass the ORM bypass its flush hooks too: callers check references (core.references.check_rows)
and record domain events (core.events.record) themselves.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

from sqlalchemy import Connection, Table, update
from sqlmodel import Session, SQLModel

from core.storage import storage_for_dialect, storage_of

Row = dict[str, Any] | Any  # a dict, or a record whose attributes are the columns


class _Table:
    """One table's prepared inserts on one backend."""

    def __init__(self, table: Table, dialect: Any) -> None:
        columns = [c for c in table.columns if c.name != "id"]
        self.storage = storage_for_dialect(dialect.name)
        self.table = table
        self.names = tuple(c.name for c in columns)
        # Only the columns whose values need converting, by position: most (text, integers) go as they are.
        self.binds: tuple[tuple[int, Callable[[Any], Any]], ...] = tuple(
            (i, bind) for i, bind in enumerate(self.storage.binder(c.type, dialect) for c in columns)
            if bind is not None)
        self._sql: dict[int, str] = {}

    def params(self, row: Row) -> list[Any]:
        found = row if isinstance(row, dict) else row.__dict__  # (an ABC's isinstance cost as much as the rest)
        values = [found.get(name) for name in self.names]
        for i, bind in self.binds:
            value = values[i]
            if value is not None:
                values[i] = bind(value)
        return values

    def sql(self, count: int) -> str:
        """The INSERT of `count` rows, RETURNING their ids (Storage.insert_sql), built once per count."""
        found = self._sql.get(count)
        if found is None:
            found = self._sql[count] = self.storage.insert_sql(self.table, self.names, count)
        return found


_tables: dict[tuple[str, str], _Table] = {}
_lock = threading.Lock()


def _prepared(model: type[SQLModel], connection: Connection) -> _Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    key = (table.name, connection.dialect.name)
    found = _tables.get(key)
    if found is None:
        with _lock:
            found = _tables.setdefault(key, _Table(table, connection.dialect))
    return found


def _begun(connection: Connection) -> Connection:
    """The connection, in a transaction: a cursor's statements must run in the session's, not autocommit."""
    if not connection.in_transaction():
        connection.begin()
    return connection


def run(cursor: Any, sql: str, params: Sequence[Any]) -> Any:
    """Every plain write's one call into the DBAPI (tests count statements here)."""
    return cursor.execute(sql, params)


def insert_rows(session: Session, model: type[SQLModel], rows: Sequence[Row]) -> list[int]:
    """Insert the rows in one statement; their new ids in the order of rows, also set as each record's `id`.
    A constraint the rows break raises the DBAPI's IntegrityError (see integrity_error)."""
    if not rows:
        return []
    connection = session.connection()
    prepared = _prepared(model, connection)
    cursor = prepared.storage.plain_cursor(_begun(connection))
    try:
        params: list[Any] = []
        for row in rows:
            params += prepared.params(row)
        # Sorted, the returned ids are the rows' ids in order: each backend's statement gives its rows ascending
        # ids in the order they are listed (Storage.insert_sql says how).
        ids = sorted(row[0] for row in run(cursor, prepared.sql(len(rows)), params).fetchall())
    finally:
        cursor.close()
    for row, new_id in zip(rows, ids, strict=True):
        if not isinstance(row, dict):
            row.id = new_id
    return ids


def insert_row(session: Session, model: type[SQLModel], row: Row) -> int:
    return insert_rows(session, model, [row])[0]


SEARCH_DEFERRED = "invoices_fts_deferred"  # migrations 0015, 0016
SEARCH_PENDING = 0  # the mark of "the next invoice inserted" (0016): no invoice has id 0


@contextmanager
def search_once(session: Session, invoice: Any) -> Iterator[None]:
    """The invoice's full-text document written once, after its header and every line inserted inside this
    block: not once per line (migration 0015: the line trigger skips a marked invoice), and, for an invoice
    inserted inside the block, not once more by its own INSERT (0016: a pending mark makes the invoice trigger
    claim the mark instead of writing). Deleting the mark writes the document: at the end of the block, or,
    in a group commit's batch, once for all its jobs' marks before the batch's COMMIT (_write_batch_documents).
    A no-op where there is no such index (PostgreSQL, SQLite without FTS5). `invoice`: an Invoice or a record
    (core.reader.new_record), its id None until it is inserted."""
    connection = session.connection()
    if not storage_of(session).has_tables(connection, SEARCH_DEFERRED):
        yield
        return
    batch = session.info.get("batch")
    cursor = storage_of(session).plain_cursor(_begun(connection))
    try:
        # Only creates mark (core.handlers.invoices): no other job of a batch has marked this invoice.
        run(cursor, f"INSERT INTO {SEARCH_DEFERRED} (invoice_id) VALUES (?)", (invoice.id or SEARCH_PENDING,))
        done = False
        try:
            yield
            done = True
        finally:
            if done and batch is not None and invoice.id is not None:
                batch.before_commit(SEARCH_DEFERRED, _write_batch_documents)  # the mark, claimed, stays till then
            else:
                # Also after a failure: a caller that carries on in this transaction must not leave a mark behind
                # (a pending one would swallow the next invoice's document; a claimed one, its later lines').
                run(cursor, f"DELETE FROM {SEARCH_DEFERRED} WHERE invoice_id IN (?, ?)",
                    (SEARCH_PENDING, invoice.id or SEARCH_PENDING))
    finally:
        cursor.close()


def _write_batch_documents(connection: Connection) -> None:
    """Every document the batch's jobs marked, in one statement outside their savepoints. FTS5 writes the terms
    it holds as a new segment at every SAVEPOINT, so a document written inside its job was a segment of its own,
    merged again later: in SQLite alone (trigram, batches of 17) 145 µs a document, against 78 µs written together."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        run(cursor, f"DELETE FROM {SEARCH_DEFERRED}", ())
    finally:
        cursor.close()


def update_row(session: Session, model: type[SQLModel], row_id: int, **values: Any) -> None:
    """UPDATE one row by id (rare on the plain path: a create's stock document is linked after it is made)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    session.connection().execute(update(table).where(table.c.id == row_id).values(**values))


def integrity_error(session: Session) -> type[Exception]:
    """The DBAPI's IntegrityError, which a plain write raises where the ORM raised SQLAlchemy's."""
    error: type[Exception] = session.connection().dialect.dbapi.IntegrityError  # type: ignore[union-attr]
    return error
