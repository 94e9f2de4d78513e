"""The transaction boundary. Nothing persists unless the handler calls commit().

A unit of work either owns its connection and transaction, or runs inside a group commit's batch
(core.storage.group_commit): there its session is a SAVEPOINT on the writer's connection, commit()
releases it, and the work that waits for the commit (webhook wake-ups) waits for the batch's.
"""
from __future__ import annotations

import threading
from functools import partial
from types import TracebackType
from typing import Callable

from sqlalchemy import Engine, event
from sqlmodel import Session

from core import events, wakeup
from core.references import check_flush
from core.storage import Batch, Storage, storage_for

WEBHOOK_CHANNEL = "webhooks"  # the delivery channel (core/webhooks.py) that new events wake


class UnitOfWork:
    def __init__(self, engine: Engine, *, write: bool = True, storage: Storage | None = None,
                 batch: Batch | None = None) -> None:
        self.engine = engine
        self.storage = storage if storage is not None else storage_for(engine)
        self.write = write
        self.batch = batch
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
        if self.batch is not None:
            self.connection = self.batch.connection
            self.session = Session(bind=self.connection, expire_on_commit=False, autoflush=True,
                                   info={"storage": self.storage}, join_transaction_mode="create_savepoint")
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
        # Every id a row names is the row's own account's, checked in this transaction (core/references.py).
        event.listen(self.session, "before_flush", check_flush)
        if self.write:
            events.watch(self.session)  # the transaction's changes become its domain events (core/events.py)
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
        queued = events.queued_after_commit(self.session)
        if not queued:
            return
        if self.batch is not None:
            self.batch.after_commit.append(partial(wakeup.wake, self.engine, WEBHOOK_CHANNEL, queued))
        else:
            wakeup.wake(self.engine, WEBHOOK_CHANNEL, queued)

    def rollback(self) -> None:
        self.session.rollback()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if not self._committed:
                # Detach first: a rollback would expire what a read returns to its caller.
                self.session.expunge_all()
                self.session.rollback()
        finally:
            try:
                self.session.close()
                if self.batch is None:
                    self.connection.close()
            finally:
                if self._lock is not None:
                    self._lock.release()


UnitOfWorkFactory = Callable[..., UnitOfWork]
