"""Plain-SQL reads into plain records, for the paths every request takes.

Loading one invoice view through the ORM cost ~1.5 ms of CPU (session, identity map, instance state
for ~100 columns per row); the same rows through the DBAPI cursor cost ~0.1 ms. A Reader runs SQL on
the DBAPI connection behind a SQLAlchemy Connection (so it shares that connection's transaction) and
turns rows into records: objects with the model's column names as attributes and the model's
properties (Invoice.payable), each value converted as the ORM converts it: SQLAlchemy's own result
processors on PostgreSQL, C-speed constructors of the same result on SQLite (tests/core/test_plain_reads.py
holds the two equal). Presenters read records and ORM instances alike.

Records are for reading, and for the rows a create writes without the ORM (new_record, core.storage.writes).
Anything else that changes rows loads ORM instances in a unit of work.
"""
from __future__ import annotations

import threading
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Callable, Iterable, Sequence, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import SQLModel

from core.errors import NotFound
from core.storage import Storage, storage_for

M = TypeVar("M", bound=SQLModel)
# Statement texts kept per model: the IN lists of a page (1 to 100 ids) and a few dozen fixed reads.
MAX_STATEMENTS_PER_SHAPE = 512


class Record:
    """A read-only snapshot of a row; one subclass per model, made by `_record_class`."""

    __model__: type[SQLModel]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.__dict__.get('id')}>"


class _Shape:
    """How one model's rows become records on one database: the column list and their converters."""

    def __init__(self, model: type[SQLModel], storage: Storage, dialect: Any) -> None:
        table = model.__table__  # type: ignore[attr-defined]
        self.names = tuple(c.name for c in table.columns)
        self.columns = ", ".join(f"{table.name}.{name}" for name in self.names)
        self.table = table.name
        self._types = tuple(c.type.dialect_impl(dialect) for c in table.columns)
        self._dialect = dialect
        self._storage = storage
        self.processors: tuple[Callable[[Any], Any] | None, ...] | None = None
        self._make: Callable[[Sequence[Any]], Any] | None = None
        self.record_class = _record_class(model)
        self._statements: dict[tuple[str, str], str] = {}

    def select(self, where: str, order: str = "") -> str:
        """The statement's text, built once per (where, order): the same text each time also finds the
        driver's own prepared statement (sqlite3's statement cache, keyed by text)."""
        found = self._statements.get((where, order))
        if found is None:
            if len(self._statements) >= MAX_STATEMENTS_PER_SHAPE:  # a caller that varies its text is bounded
                self._statements.clear()
            found = self._statements[(where, order)] = (f"SELECT {self.columns} FROM {self.table} WHERE {where}"
                                                        + (f" ORDER BY {order}" if order else ""))
        return found

    def learn(self, description: Sequence[Sequence[Any]] | None) -> None:
        """Converters need the driver's type codes (psycopg's numeric OID, say): taken from the first
        cursor that returned these columns."""
        codes = [d[1] for d in description or ()] or [None] * len(self._types)
        self.processors = tuple(self._storage.converter(t, self._dialect, code)
                                for t, code in zip(self._types, codes, strict=True))
        self._make = None

    def make(self, row: Sequence[Any]) -> Any:
        if self._make is None:
            self._make = self._compile()
        return self._make(row)

    def _compile(self) -> Callable[[Sequence[Any]], Any]:
        """One generated function per shape: a dict display with a converter call only where the column
        has one. Twice as fast as zipping names, converters and values for every row."""
        assert self.processors is not None
        namespace: dict[str, Any] = {"new": object.__new__, "cls": self.record_class}
        items = []
        for i, (name, processor) in enumerate(zip(self.names, self.processors, strict=True)):
            if processor is None:
                items.append(f"{name!r}: row[{i}]")
            else:
                namespace[f"p{i}"] = processor
                items.append(f"{name!r}: None if row[{i}] is None else p{i}(row[{i}])")
        source = ("def make(row):\n    record = new(cls)\n    record.__dict__ = {" + ", ".join(items)
                  + "}\n    return record\n")
        exec(compile(source, f"<record {self.record_class.__name__}>", "exec"), namespace)  # noqa: S102
        return namespace["make"]  # type: ignore[no-any-return]


_record_classes: dict[type[SQLModel], type[Record]] = {}
_shapes: dict[tuple[type[SQLModel], str], _Shape] = {}
_lock = threading.Lock()


def _record_class(model: type[SQLModel]) -> type[Record]:
    """Record subclass named after the model, carrying the model's read-only properties."""
    found = _record_classes.get(model)
    if found is None:
        properties = {name: value for klass in reversed(model.__mro__) if klass.__module__.startswith("core.")
                      for name, value in vars(klass).items() if isinstance(value, property)}
        found = _record_classes[model] = type(f"{model.__name__}Record", (Record,), {"__model__": model, **properties})
    return found


_defaults: dict[type[SQLModel], tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...]]] = {}


def new_record(model: type[SQLModel], **values: Any) -> Any:
    """A row about to be written, as a record: the model's defaults (its default factories called, as its
    constructor calls them) overlaid with `values`. Building the SQLModel instance instead ran its
    constructor and SQLAlchemy's instrumentation, a quarter of a create's CPU (core.storage.writes writes
    records)."""
    found = _defaults.get(model)
    if found is None:
        plain = {name: info.default for name, info in model.model_fields.items()
                 if info.default_factory is None and not info.is_required()}
        factories: tuple[tuple[str, Callable[[], Any]], ...] = tuple(
            (name, info.default_factory) for name, info in model.model_fields.items()  # type: ignore[misc]
            if info.default_factory is not None)
        found = _defaults[model] = (plain, factories)
    plain, factories = found
    record = object.__new__(_record_class(model))
    record.__dict__ = {**plain, **{name: make() for name, make in factories if name not in values}, **values}
    return record


def shape(model: type[SQLModel], storage: Storage, dialect: Any) -> _Shape:
    key = (model, storage.backend)
    found = _shapes.get(key)
    if found is None:
        with _lock:
            found = _shapes.setdefault(key, _Shape(model, storage, dialect))
    return found


class Reader:
    """SQL with `?` placeholders on a DBAPI connection, rows out as records. Either on the connection
    under a SQLAlchemy Connection (sharing its transaction, and Core statements can run on
    `connection`), or on a bare DBAPI connection in a transaction its owner began (every read of the
    ledger on SQLite: PointReads)."""

    def __init__(self, connection: Connection | None, *, dbapi: Any = None, engine: Engine | None = None,
                 info: dict[str, Any] | None = None) -> None:
        self._connection = connection
        self._info = info if info is not None else {}  # what a bare DBAPI connection remembers (has_tables)
        bind: Connection | Engine | None = connection if connection is not None else engine
        assert bind is not None, "a Reader reads through a connection, or a DBAPI connection of an engine"
        self.engine: Engine = bind.engine  # the database: what a cache of what it read is kept per
        self.dialect = bind.dialect
        self.storage = storage_for(bind)
        self._dbapi = dbapi
        self._cursor: Any = None
        self._qmark = self.dialect.paramstyle == "qmark"

    @property
    def connection(self) -> Connection:
        """The SQLAlchemy Connection this reader shares; a reader on a bare DBAPI connection has none."""
        if self._connection is None:
            raise RuntimeError("this reader runs plain SQL only: it has no SQLAlchemy Connection")
        return self._connection

    def has_tables(self, *tables: str) -> bool:
        """Whether these tables exist here, remembered per DBAPI connection (a migration's optional tables)."""
        if self._connection is not None:
            return self.storage.has_tables(self._connection, *tables)
        key = "has:" + ",".join(tables)
        found = self._info.get(key)
        if found is None:  # on a cursor of its own: the reader's may hold rows not fetched yet
            count = self._dbapi.execute(f"SELECT count(*) FROM sqlite_master WHERE name IN ({placeholders(tables)})",
                                        tables).fetchone()[0]
            found = self._info[key] = count == len(tables)
        return bool(found)

    def _sql(self, sql: str) -> str:
        return sql if self._qmark else _to_format(sql)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if self._cursor is None:
            if self._dbapi is None:
                if not self.connection.in_transaction():
                    self.connection.begin()
                self._dbapi = self.connection.connection.dbapi_connection
            self._cursor = self._dbapi.cursor()
        self._cursor.execute(self._sql(sql), _sqlite_params(params) if self._qmark else tuple(params))
        return self._cursor

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self.execute(sql, params).fetchall())

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def records(self, model: type[M], where: str, params: Sequence[Any] = (), order: str = "") -> list[Any]:
        """`SELECT <model's columns> FROM <its table> WHERE <where> [ORDER BY <order>]` as records."""
        s = shape(model, self.storage, self.dialect)
        cursor = self.execute(s.select(where, order), params)
        if s.processors is None:
            s.learn(cursor.description)
        return [s.make(row) for row in cursor.fetchall()]

    def record(self, model: type[M], where: str, params: Sequence[Any] = ()) -> Any | None:
        found = self.records(model, where, params)
        return found[0] if found else None

    def owned(self, model: type[M], account_id: int, record_id: int, what: str) -> Any:
        """The account's record by id, or NotFound (another account's id is just as absent)."""
        found = self.record(model, "id = ? AND account_id = ?", (record_id, account_id))
        if found is None:
            raise NotFound(what, record_id)
        return found

    def make(self, model: type[M], row: Sequence[Any], start: int = 0) -> Any:
        """A record from a row of the last statement, which held the model's columns in order (see `columns`)
        from position `start`; anything around them is left out."""
        s = shape(model, self.storage, self.dialect)
        end = start + len(s.names)
        if s.processors is None:
            s.learn((self._cursor.description or ())[start:end])
        return s.make(row if start == 0 else row[start:end])  # make reads its own positions: no copy from 0

    def width(self, model: type[M]) -> int:
        """How many columns `columns` lists."""
        return len(shape(model, self.storage, self.dialect).names)

    def columns(self, model: type[M]) -> str:
        return shape(model, self.storage, self.dialect).columns

    def converter(self, model: type[M], name: str, position: int) -> Callable[[Any], Any]:
        """How column `position` of the last statement, which holds the model's column `name`, becomes
        what the ORM would give."""
        s = shape(model, self.storage, self.dialect)
        code = (self._cursor.description or ())[position][1]
        processor = s._types[s.names.index(name)].result_processor(self.dialect, code)
        return (lambda v: v) if processor is None else (lambda v: None if v is None else processor(v))

    def close(self) -> None:
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None


def sqlite_value(value: Any) -> Any:
    """A parameter as SQLAlchemy stores it on SQLite (core.models.types), so comparisons match."""
    kind = type(value)
    if kind is bool:
        return int(value)
    if kind is datetime:
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if kind is date:
        return value.isoformat()
    if kind is Decimal:
        return format(value, "f")
    return value


_STORED_AS_GIVEN = frozenset({int, str, float, bytes, type(None)})  # what sqlite_value returns unchanged


def _sqlite_params(params: Sequence[Any]) -> Sequence[Any]:
    # A point read's parameters are ids and text: looked over, not copied (2-6 µs of a get in process).
    for value in params:
        if type(value) not in _STORED_AS_GIVEN:
            return tuple(sqlite_value(v) for v in params)
    return params


_format_sql: dict[str, str] = {}


def _to_format(sql: str) -> str:
    """`?` placeholders as psycopg's `%s` (the hot SQL here holds no literal `?` or `%`)."""
    found = _format_sql.get(sql)
    if found is None:
        found = _format_sql[sql] = sql.replace("%", "%%").replace("?", "%s")
    return found


T = TypeVar("T")


def read_plain(engine: Engine, query: Callable[..., T], *args: Any, storage: Storage | None = None,
               **kwargs: Any) -> T:
    """Run query(reader, ...) in one read transaction on a pooled connection, without an ORM session."""
    with engine.connect() as connection:
        connection = (storage or storage_for(engine)).prepare(connection, write=False)
        reader = Reader(connection)
        try:
            return query(reader, *args, **kwargs)
        finally:
            reader.close()
            if connection.in_transaction():
                connection.rollback()


class _Detached:
    """A DBAPI connection taken out of the engine's pool for good (configured by its connect hooks: WAL, ...),
    and what a Reader remembers about it."""
    __slots__ = ("dbapi", "info")

    def __init__(self, engine: Engine) -> None:
        pooled = engine.raw_connection()
        pooled.detach()
        self.dbapi: Any = pooled.dbapi_connection
        self.info: dict[str, Any] = {}

    def run(self, engine: Engine, query: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
        """query(reader, ...) wrapped in BEGIN ... ROLLBACK: idle between reads, the connection holds no
        snapshot and blocks no checkpoint."""
        reader = Reader(None, dbapi=self.dbapi, engine=engine, info=self.info)
        self.dbapi.execute("BEGIN")
        try:
            return query(reader, *args, **kwargs)
        finally:
            reader.close()
            self.dbapi.execute("ROLLBACK")


class PointReads:
    """Reads on SQLite without SQLAlchemy: checking a pooled connection out and in through a SQLAlchemy
    Connection (pool events, its BEGIN event, the reset on return) cost more than the reads themselves,
    ~140 µs against ~6 µs for a sign-in statement. Every read is BEGIN ... ROLLBACK on a connection
    detached from the pool:
    - a point read (`run`) on a connection of the asking thread's own (in the server, the event loop's);
    - any other read (`pooled`, a list in a worker thread) on one of a small pool's, bounded as the engine's
      pool is: at most its size plus overflow in use, at most its size kept idle (each one carries its own
      page cache), a caller past the bound waits for one to come back as the engine's pool makes it wait."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._local = threading.local()
        pool: Any = engine.pool
        self._keep = int(pool.size()) if hasattr(pool, "size") else 1
        self._slots = threading.BoundedSemaphore(self._keep + max(int(getattr(pool, "_max_overflow", 0)), 0))
        self._timeout = float(getattr(pool, "_timeout", 30.0))
        self._idle: list[_Detached] = []
        self._idle_lock = threading.Lock()

    def run(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        own: _Detached | None = getattr(self._local, "connection", None)
        if own is None:
            own = self._local.connection = _Detached(self.engine)
        return own.run(self.engine, query, args, kwargs)

    def pooled(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if not self._slots.acquire(timeout=self._timeout):
            raise PoolTimeout(f"no read connection came free in {self._timeout:g} s")
        try:
            with self._idle_lock:
                taken = self._idle.pop() if self._idle else None
            if taken is None:
                taken = _Detached(self.engine)
            try:
                return taken.run(self.engine, query, args, kwargs)
            finally:
                self._give_back(taken)
        finally:
            self._slots.release()

    def _give_back(self, taken: _Detached) -> None:
        """Kept idle if its transaction ended (a failed ROLLBACK leaves it open: closed instead) and the
        idle ones are fewer than the pool's size."""
        with self._idle_lock:
            if not taken.dbapi.in_transaction and len(self._idle) < self._keep:
                self._idle.append(taken)
                return
        taken.dbapi.close()

    def close(self) -> None:
        """Close the idle pooled connections (each thread's own closes with it)."""
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for taken in idle:
            taken.dbapi.close()


def placeholders(values: Iterable[Any]) -> str:
    return ", ".join("?" for _ in values)
