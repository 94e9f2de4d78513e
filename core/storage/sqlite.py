"""SQLite: one writer at a time, values stored as text, AUTOINCREMENT ids, FTS5 and count tables."""
from __future__ import annotations

import json
import threading
import weakref
from datetime import date, datetime, timezone
from decimal import Decimal
from functools import partial
from typing import Any, Callable, TypeVar

import orjson
from sqlalchemy import JSON, Boolean, Connection, Date, DateTime, Engine, Integer, Select, String, Table
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.sqlite import Insert
from sqlalchemy.ext.compiler import compiles

from core.models.types import DecimalType, UTCDateTime
from core.storage.expressions import like_case_sensitive
from core.storage.group_commit import Committers, GroupCommitter, WriterSettings

S = TypeVar("S", bound=Select[Any])

_SQLITE = sqlite.dialect()


def _json(value: str) -> Any:
    if value == "{}":  # nearly every line's `extra`: a fresh dict (callers may change it), no parser call
        return {}
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:  # NaN/Infinity, or integers past 64 bits: what SQLAlchemy itself reads
        return json.loads(value)


def _utc(value: str) -> datetime:
    """Stored naive UTC text as an aware datetime. Parsed with the offset appended (fromisoformat then hands back
    the timezone.utc singleton itself): a fifth of the cost of parsing and then replace(); a record of a page
    carries two of these per invoice. Text that carries an offset already, or a date alone, takes the old way."""
    try:
        found = datetime.fromisoformat(value + "+00:00")
    except ValueError:
        found = None
    # A date alone with "+00:00" appended parses, to a naive midnight: the old way then.
    return found if found is not None and found.tzinfo is timezone.utc else (
        datetime.fromisoformat(value).replace(tzinfo=timezone.utc))


@compiles(like_case_sensitive, "sqlite")
def _glob_case_sensitive(element: like_case_sensitive, compiler: Any, **kw: Any) -> str:
    """SQLite's LIKE ignores case: GLOB matches case-sensitively."""
    column, _like, glob = list(element.clauses)
    return f"{compiler.process(column, **kw)} GLOB {compiler.process(glob, **kw)}"


def _decimal_text(value: Any) -> str:
    return format(value if isinstance(value, Decimal) else Decimal(str(value)), "f")  # as DecimalType stores it


def _utc_text(fallback: Callable[[Any], Any], value: Any) -> Any:
    if type(value) is not datetime:
        return fallback(value)
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")  # SQLAlchemy's SQLite DATETIME storage format


def _json_text(fallback: Callable[[Any], Any], value: Any) -> Any:
    # An empty object is what nearly every line's `extra` and every listener-less event's payload holds: the
    # text json.dumps gives it, without the serializer's call chain (a create binds about eight of them).
    return "{}" if type(value) is dict and not value else fallback(value)


def _date_text(fallback: Callable[[Any], Any], value: Any) -> Any:
    return value.isoformat() if type(value) is date else fallback(value)


# The writer's savepoint journals in memory. Every job of a batch runs in its own SAVEPOINT (group_commit),
# so SQLite keeps the old image of each page a job first changes; a create changes about 31 pages, past the
# 64 KiB that SQLite keeps in memory before it spills that journal to a temp file. With the default, each
# create wrote ~175 KB to a fresh /var/tmp file (about 75 pwrite calls; an open, unlink and close per batch)
# that nobody ever reads unless a job fails. Only the writer's connection: a reader's large sort may still
# spill to disk rather than into the server's memory (RSS at a million invoices). Durability is the WAL's
# and is untouched: the journal only undoes a failed job within its batch.
WRITER_SETTINGS = WriterSettings({"temp_store": "MEMORY"})


class SqliteStorage:
    backend = "sqlite"
    # SQLite lets one writer in at a time anyway: a later UPDATE would only cost a statement and a second
    # write of the full-text row, so the number comes first and goes in with the INSERT.
    numbers_last = False
    # Checking a pooled connection out and in cost more than the reads themselves (core.reader.PointReads).
    point_reads = True
    # SQLite answers "a date range, oldest id first" by sorting the range or walking every id; the
    # range's first id, found by a skip-scan, lets the page start there (core.queries._FIRST_DATED_ID).
    narrow_dated_pages = True

    def __init__(self) -> None:
        # Writers of one process queue on a lock here rather than on SQLite's busy handler, which polls
        # with growing sleeps: under 16 concurrent creates that left the database idle between polls and
        # gave p99s of seconds. Other processes (workers > 1) still meet the busy timeout.
        self._writers: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
        self._registry = threading.Lock()
        self._committers = Committers(WRITER_SETTINGS)

    def committer(self, engine: Engine) -> GroupCommitter | None:
        # An fsync per commit capped writes at the disk's rate (16 connections of creates: 84/s, CPU idle):
        # the ledger's writes share commits through one writer thread instead (core.storage.group_commit).
        return self._committers.get(engine, self.writer_lock(engine))

    def writer_lock(self, engine: Engine) -> threading.RLock | None:
        with self._registry:
            lock = self._writers.get(engine)
            if lock is None:
                lock = self._writers[engine] = threading.RLock()
            return lock

    def prepare(self, connection: Connection, *, write: bool) -> Connection:
        # BEGIN IMMEDIATE for writes (gateway.db): the write lock from the first statement, not a
        # deadlock between two readers upgrading; reads begin deferred and block nobody.
        return connection.execution_options(sqlite_immediate=write)

    def for_update(self, stmt: S) -> S:
        return stmt  # the write transaction (BEGIN IMMEDIATE) already serialises writers

    def insert(self, table: Any) -> Insert:
        return sqlite.insert(table)

    def insert_sql(self, table: Table, names: tuple[str, ...], count: int) -> str:
        """One multi-row INSERT (SQLAlchemy has no ordered RETURNING for SQLite and would send one per row). It
        stores its rows in order, each with an id one above the largest ever given (AUTOINCREMENT, migration
        0007: never a free id below it), while this transaction holds the write lock: sorted, the returned ids
        are the rows' ids in order."""
        one = "(" + ", ".join("?" for _ in names) + ")"
        return (f"INSERT INTO {table.name} ({', '.join(names)}) VALUES " + ", ".join(one for _ in range(count))
                + " RETURNING id")

    def plain_cursor(self, connection: Connection) -> Any:
        return connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]

    def has_tables(self, connection: Connection, *tables: str) -> bool:
        """Remembered per DBAPI connection."""
        key = "has:" + ",".join(tables)
        if key not in connection.info:
            marks = ", ".join("?" for _ in tables)
            found = connection.exec_driver_sql(f"SELECT count(*) FROM sqlite_master WHERE name IN ({marks})",
                                               tables).scalar()
            connection.info[key] = found == len(tables)
        return bool(connection.info[key])

    def binder(self, column_type: Any, dialect: Any) -> Callable[[Any], Any] | None:
        """How a value of this column becomes SQLite's text, as SQLAlchemy's bind processor makes it, by one
        Python call where SQLAlchemy's went through two or three (a create binds ~40 such values).
        tests/core/test_plain_binds.py holds both to the same text."""
        fallback: Callable[[Any], Any] | None = column_type.dialect_impl(dialect).bind_processor(dialect)
        if fallback is None:
            return None
        if isinstance(column_type, DecimalType):
            return _decimal_text
        if isinstance(column_type, UTCDateTime):
            return partial(_utc_text, fallback)
        if isinstance(column_type, Date) and not isinstance(column_type, DateTime):
            return partial(_date_text, fallback)
        if isinstance(column_type, JSON):
            return partial(_json_text, fallback)
        return fallback

    def converter(self, column_type: Any, dialect: Any, code: Any) -> Callable[[Any], Any] | None:
        """SQLite's text for this column type as the ORM gives it, by a C-speed constructor where one fits
        (SQLAlchemy's processors went through two Python calls per value; 125 lines took 1.3 ms).
        tests/core/test_plain_reads.py holds both to the same values and types."""
        if isinstance(column_type, DecimalType):
            return Decimal  # stored as canonical text
        if isinstance(column_type, UTCDateTime):
            return _utc  # naive UTC text
        if isinstance(column_type, JSON):
            return _json
        if isinstance(column_type, Boolean):
            return bool
        if isinstance(column_type, DateTime):
            return datetime.fromisoformat
        if isinstance(column_type, Date):
            return date.fromisoformat
        if isinstance(column_type, (Integer, String)):
            return None
        processor: Callable[[Any], Any] | None = column_type.result_processor(_SQLITE, None)
        return processor


STORAGE = SqliteStorage()
