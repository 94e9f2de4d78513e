"""The transaction boundary. Nothing persists unless the handler calls commit().

A unit of work either owns its connection and transaction, or runs inside a group commit's batch
(core.storage.group_commit): there its session is a SAVEPOINT on the writer's connection, commit()
releases it, and the work that waits for the commit (webhook wake-ups) waits for the batch's.

A plain unit of work (a create, which writes plain values through core.storage.writes) goes further: its
"session" is a PlainSession that sends statements straight to the batch's connection, inside the batch's
own savepoint. A SQLAlchemy Session, its savepoint, its begin/flush/commit and its event listeners were
a third of a create's write; the ORM comes only when a rare step asks for it.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from functools import partial
from types import TracebackType
from typing import Any, Callable, Iterator, cast

from sqlalchemy import Connection, Engine, event
from sqlmodel import Session

from core import events, reference_cache, wakeup
from core.references import check_flush
from core.storage import Batch, Storage, storage_for

WEBHOOK_CHANNEL = "webhooks"  # the delivery channel (core/webhooks.py) that new events wake


def _watched(session: Session) -> Session:
    # Every id a row names is the row's own account's, checked in this transaction (core/references.py).
    event.listen(session, "before_flush", check_flush)
    events.watch(session)  # the transaction's changes become its domain events (core/events.py)
    return session


def _selects_entities(statement: Any) -> bool:
    """Whether a SELECT returns ORM instances (select(Model)): only a Session can run it; columns, counts,
    inserts and updates run on the connection as they are."""
    if not getattr(statement, "is_select", False):
        return False
    descriptions: list[dict[str, Any]] = getattr(statement, "column_descriptions", None) or []
    return any(d.get("entity") is not None and d.get("type") is d.get("entity") for d in descriptions)


class PlainSession:
    """What a plain unit of work hands its handler as the session, inside a group commit's job.

    Plain reads (core.reader), plain writes (core.storage.writes) and Core statements go to the batch's
    connection in the job's own savepoint: one savepoint level, no Session, no event listeners. `info`
    carries what a session's would (references resolved, pending events, the storage). A step that needs
    the ORM (an inline new client, webhook payloads, a stock document, idempotency keys being reused) gets
    a real Session on first use, made here on the same connection and sharing `info`, watched like any
    unit of work's; from then on every statement goes through it, so its autoflush sees them all."""

    def __init__(self, connection: Connection, storage: Storage) -> None:
        self._connection = connection
        self.info: dict[Any, Any] = {"storage": storage}
        self.orm: Session | None = None
        self._autoflush_off = 0

    def _session(self) -> Session:
        if self.orm is None:
            session = Session(bind=self._connection, expire_on_commit=False, autoflush=not self._autoflush_off,
                              join_transaction_mode="create_savepoint")
            session.__dict__["info"] = self.info  # Session.info is memoized per instance: this one is shared
            self.orm = _watched(session)
        return self.orm

    def __getattr__(self, name: str) -> Any:  # the ORM's API (get, add, delete, scalars, ...): a Session
        return getattr(self._session(), name)

    def connection(self, *_args: Any, **_kwargs: Any) -> Connection:
        return self._connection

    def get_bind(self, *_args: Any, **_kwargs: Any) -> Connection:
        return self._connection

    def execute(self, statement: Any, params: Any = None, **kwargs: Any) -> Any:
        if self.orm is not None or _selects_entities(statement):
            return self._session().execute(statement, params, **kwargs)
        return self._connection.execute(statement, params)

    def flush(self) -> None:
        if self.orm is not None:
            self.orm.flush()

    @property
    def identity_map(self) -> Any:
        return self.orm.identity_map if self.orm is not None else {}

    @property
    def no_autoflush(self) -> Any:
        return self.orm.no_autoflush if self.orm is not None else self._no_autoflush()

    @contextmanager
    def _no_autoflush(self) -> Iterator[None]:
        self._autoflush_off += 1
        try:
            yield
        finally:
            self._autoflush_off -= 1
            if self.orm is not None and not self._autoflush_off:
                self.orm.autoflush = True  # made inside the block: it was made without

    # The unit of work's own calls: they reach the Session a rare step made, and without one there is nothing
    # to do (the job's savepoint is the batch's to release or roll back).
    def _on_orm(name: str) -> Callable[[PlainSession], None]:  # type: ignore[misc]  # a class-body helper
        def call(self: PlainSession) -> None:
            if self.orm is not None:
                getattr(self.orm, name)()
        call.__name__ = name
        return call

    commit = _on_orm("commit")
    rollback = _on_orm("rollback")
    expunge_all = _on_orm("expunge_all")
    close = _on_orm("close")
    del _on_orm


class UnitOfWork:
    def __init__(self, engine: Engine, *, write: bool = True, storage: Storage | None = None,
                 batch: Batch | None = None, plain: bool = False) -> None:
        self.engine = engine
        self.storage = storage if storage is not None else storage_for(engine)
        self.write = write
        self.batch = batch
        # Whether the handler may work without a Session (a create: core.handlers.invoices._plain); only
        # inside a batch, whose savepoint is then the job's one.
        self.plain = plain
        self._committed = False
        # Set by the ledger when it has more to write after the handler (idempotency keys): the
        # handler's commit() then only flushes, and the ledger commits once, with everything.
        self.defer_commit = False
        self.commit_requested = False

    def __enter__(self) -> "UnitOfWork":
        if self.write and self.batch is None:
            committer = self.storage.committer(self.engine)
            # A write the writer thread starts joins its batch: a connection of its own would wait for the
            # write lock that very thread holds.
            self.batch = committer.current() if committer is not None else None
        self._lock: threading.RLock | None = None
        self._plain_session: PlainSession | None = None
        if self.batch is not None and self.plain and self.write:
            self.connection = self.batch.connection
            self._plain_session = PlainSession(self.connection, self.storage)
            self._plain_session.info["batch"] = self.batch
            # Typed as the Session it stands in for: handlers use only the part PlainSession has.
            self.session = cast(Session, self._plain_session)
            return self
        if self.batch is not None:
            self.connection = self.batch.connection
            self.session = Session(bind=self.connection, expire_on_commit=False, autoflush=True,
                                   info={"storage": self.storage, "batch": self.batch},
                                   join_transaction_mode="create_savepoint")
        else:
            self._lock = self.storage.writer_lock(self.engine) if self.write else None
            if self._lock is not None:
                self._lock.acquire()
            try:
                self.connection = self.engine.connect()
            except BaseException:
                if self._lock is not None:
                    self._lock.release()
                raise
            self.connection = self.storage.prepare(self.connection, write=self.write)
            self.session = Session(bind=self.connection, expire_on_commit=False, autoflush=True,
                                   info={"storage": self.storage})
        if self.write:
            _watched(self.session)
        else:
            event.listen(self.session, "before_flush", check_flush)
        return self

    def commit(self) -> None:
        if self.write:
            events.publish(self.session)
        if self.defer_commit:
            self.session.flush()
            self.commit_requested = True
            return
        self.session.commit()
        self._committed = True
        # Rows read in this transaction are kept for later ones only once it is durable (core.reference_cache).
        self._after_commit(reference_cache.keep, reference_cache.keep_committed(self.session))
        self._after_commit(partial(wakeup.wake, self.engine, WEBHOOK_CHANNEL), events.queued_after_commit(self.session))

    def _after_commit(self, work: Callable[[Any], None], what: list[Any]) -> None:
        """work(what), once the commit is durable: the batch's, or this one's (already)."""
        if not what:
            return
        if self.batch is not None:
            self.batch.after_commit.append(partial(work, what))
        else:
            work(what)

    def rollback(self) -> None:
        self.session.rollback()
        if self._plain_session is not None and self.batch is not None:
            self.batch.rollback()  # its statements ran in the job's savepoint, not a session's

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if not self._committed:
                # Detach first: a rollback would expire what a read returns to its caller.
                self.session.expunge_all()
                self.rollback()
        finally:
            try:
                self.session.close()
                if self.batch is None:
                    self.connection.close()
            finally:
                if self._lock is not None:
                    self._lock.release()


UnitOfWorkFactory = Callable[..., UnitOfWork]
