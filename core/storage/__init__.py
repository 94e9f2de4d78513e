"""What differs between the SQL backends the ledger runs on, behind one object per backend.

Core names the backend (SQLite, PostgreSQL) only here and in core/storage/{sqlite,postgres}.py: the rest
asks the ledger's Storage what to do. "Backend", not "dialect": in this project a dialect is a wire API.

The ledger picks its storage once, from its engine (Ledger.storage), and every unit of work hands it to
its session (storage_of). Sessions and connections made outside a unit of work find the same object
through storage_for, which reads the backend from the engine they are bound to.
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, Protocol, TypeVar

from sqlalchemy import Connection, Engine, Select, Table

from core.storage import postgres, sqlite
from core.storage.expressions import like_case_sensitive
from core.storage.group_commit import Batch, GroupCommitter

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
    from sqlmodel import Session

__all__ = ["Batch", "GroupCommitter", "Storage", "like_case_sensitive", "storage_for", "storage_for_dialect",
           "storage_of"]

S = TypeVar("S", bound=Select[Any])


class Storage(Protocol):
    """The backend-specific parts of the ledger's reads and writes."""

    backend: str
    """The backend's name as SQLAlchemy spells it: "sqlite" or "postgresql"."""

    numbers_last: bool
    """Whether create takes the invoice number as its last statement before the commit (core.numbering)."""

    point_reads: bool
    """Whether key lookups run on a per-thread connection of their own (core.reader.PointReads)."""

    narrow_dated_pages: bool
    """Whether an id-ordered page with an issue_date range starts from the range's first id (core.queries)."""

    def writer_lock(self, engine: Engine) -> threading.RLock | None:
        """A lock that writers of this process take before they begin, or None when the database queues them."""

    def committer(self, engine: Engine) -> GroupCommitter | None:
        """The engine's group committer, through which the ledger's writes share durable commits
        (core.storage.group_commit); None where each write commits on its own connection."""

    def prepare(self, connection: Connection, *, write: bool) -> Connection:
        """The connection, set up for a read or write transaction before it begins."""

    def for_update(self, stmt: S) -> S:
        """The SELECT, locking the rows it reads until the commit where a lock is needed to queue writers."""

    def insert(self, table: Any) -> SqliteInsert | PostgresInsert:
        """An INSERT that supports on_conflict_do_nothing / on_conflict_do_update."""

    def insert_sql(self, table: Table, names: tuple[str, ...], count: int) -> str:
        """An INSERT of `count` rows of these columns, parameters by position row after row, RETURNING the new
        ids: ascending in the order the rows are listed (core.storage.writes sorts them back onto the rows)."""

    def plain_cursor(self, connection: Connection) -> Any:
        """A DBAPI cursor on the connection that takes insert_sql's statements as they are."""

    def has_tables(self, connection: Connection, *tables: str) -> bool:
        """Whether these tables, which migrations make only on SQLite (full text, counts), exist here."""

    def binder(self, column_type: Any, dialect: Any) -> Callable[[Any], Any] | None:
        """How a value of this column type becomes the DBAPI's parameter, as SQLAlchemy would bind it
        (None: as it is); core.storage.writes binds plain rows with it."""

    def converter(self, column_type: Any, dialect: Any, code: Any) -> Callable[[Any], Any] | None:
        """How a raw DBAPI value of this column becomes what the ORM would give (None: as it comes)."""


_BACKENDS: dict[str, Storage] = {"sqlite": sqlite.STORAGE, "postgresql": postgres.STORAGE}


def storage_for(bind: Engine | Connection) -> Storage:
    """The storage of the backend an engine or connection talks to."""
    return storage_for_dialect(bind.dialect.name)


def storage_for_dialect(name: str) -> Storage:
    """The storage of the backend SQLAlchemy names `name` ("sqlite", "postgresql")."""
    try:
        return _BACKENDS[name]
    except KeyError:
        raise ValueError(f"no storage for the {name} backend") from None


def storage_of(session: Session) -> Storage:
    """The storage a unit of work gave this session, else the one its connection needs."""
    found: Storage | None = session.info.get("storage")
    if found is not None:
        return found
    bind = session.get_bind()
    assert isinstance(bind, (Engine, Connection))
    return storage_for(bind)
