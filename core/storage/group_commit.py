"""Group commit: one writer thread per engine runs the writes of its process, many to one durable COMMIT.

On SQLite every commit is an fsync (synchronous=FULL, ~10 ms on a plain disk) and one writer holds the
database at a time, so commits one by one cap writes at the disk's fsync rate whatever the CPU does. Here
callers hand their write to the engine's writer thread and block until it is durable (run), or await
its future from an event loop (submit: a create holds no worker thread while its batch runs). The thread
takes the first job, then whatever else is already queued (up to MAX_BATCH) without waiting for more, and
runs them in one transaction, each in its own SAVEPOINT:

    BEGIN IMMEDIATE; SAVEPOINT; job 1; RELEASE; SAVEPOINT; job 2; ROLLBACK TO (it failed); ...; COMMIT

The savepoints are sent on the DBAPI connection (Savepoint), so a job's savepoint is its only one when it
writes there itself (core.unit_of_work.PlainSession).
A failed job rolls back only itself (its numbers, idempotency keys, events); the one COMMIT makes the
others durable together, and only then is any of them answered. If the COMMIT fails, every job of the
batch gets the error: none was acknowledged. A lone write pays one commit and no wait.

What runs a job is the job's business (a unit of work, a traffic-log insert): it gets the batch's
connection inside its savepoint, and defers what must wait for the commit (wake-ups) to
Batch.after_commit. A job must not commit or roll back the connection's transaction itself.

The thread exits after IDLE_SECONDS without work (tests make hundreds of engines) and starts again with
the next job. Writers that do not come through here (delivery worker, CLI, scheduler) still queue on the
storage's writer lock, which the writer thread holds from BEGIN to COMMIT; other processes meet SQLite's
busy timeout as before.
"""
from __future__ import annotations

import contextvars
import logging
import os
import queue
import threading
import weakref
from concurrent.futures import Future
from typing import Callable, Generic, TypeVar

from sqlalchemy import Connection, Engine

log = logging.getLogger("core.storage.group_commit")

T = TypeVar("T")

MAX_BATCH = 64  # jobs per COMMIT: bounds how long a batch holds the write lock and its callers wait
IDLE_SECONDS = 1.0


class Savepoint:
    """A job's SAVEPOINT, sent on the DBAPI connection: SQLAlchemy's NestedTransaction cost as much as the
    job's header INSERT, twice per job. SQLAlchemy does not see it, and needs not: a session a job opens
    (core.unit_of_work) takes its own savepoint inside, and is closed before this one ends."""

    __slots__ = ("_cursor", "_name", "active")

    def __init__(self, connection: Connection, depth: int) -> None:
        self._cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        self._name = f"job_{depth}"
        self._cursor.execute(f"SAVEPOINT {self._name}")
        self.active = True

    def release(self) -> None:
        if self.active:
            self.active = False
            self._cursor.execute(f"RELEASE {self._name}")
            self._cursor.close()

    def rollback(self) -> None:
        if self.active:
            self.active = False
            self._cursor.execute(f"ROLLBACK TO {self._name}")
            self._cursor.execute(f"RELEASE {self._name}")  # ROLLBACK TO keeps the savepoint open
            self._cursor.close()


class Batch:
    """What a job sees: the writer's connection, inside the job's savepoint."""

    __slots__ = ("connection", "after_commit", "savepoint", "closing")

    def __init__(self, connection: Connection, savepoint: Savepoint,
                 closing: dict[str, Callable[[Connection], None]] | None = None) -> None:
        self.connection = connection
        self.after_commit: list[Callable[[], None]] = []  # run once the batch is durable; dropped if the job fails
        self.savepoint = savepoint
        self.closing = {} if closing is None else closing  # the transaction's: every job of the batch shares it

    def before_commit(self, key: str, work: Callable[[Connection], None]) -> None:
        """work(connection) once per batch, however many of its jobs ask (by `key`): after its last job, outside
        every job's savepoint, before its COMMIT. For work that costs less done once for many jobs (the search
        documents, core.storage.writes.search_once). It must not depend on its job having succeeded: a failed
        job's rows are gone, its request stays. If it fails, the batch fails, as a failed COMMIT does."""
        self.closing.setdefault(key, work)

    def rollback(self) -> None:
        """Undo the job's writes so far: a job that writes on the connection itself (a plain unit of work,
        core.unit_of_work) and ends without committing leaves nothing, as a session's rollback would."""
        self.savepoint.rollback()
        self.after_commit.clear()


class WriterSettings:
    """Per-connection settings the writer's connection holds while the writer has it, and gives back (to their
    default) before the pool hands the connection to anybody else; a storage's own (core.storage.sqlite)."""

    __slots__ = ("pragmas",)

    def __init__(self, pragmas: dict[str, str] | None = None) -> None:
        self.pragmas = dict(pragmas or {})

    def apply(self, connection: Connection) -> Connection:
        self._send(connection, self.pragmas)
        return connection

    def reset(self, connection: Connection) -> None:
        self._send(connection, dict.fromkeys(self.pragmas, "DEFAULT"))

    @staticmethod
    def _send(connection: Connection, pragmas: dict[str, str]) -> None:
        """On the DBAPI connection, as Savepoint does: through SQLAlchemy the statement would begin a
        transaction (and, gateway.db, take the write lock) just to set a connection's option."""
        if pragmas:
            cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                for name, value in pragmas.items():
                    cursor.execute(f"PRAGMA {name}={value}")
            finally:
                cursor.close()


class _Job(Generic[T]):
    __slots__ = ("work", "context", "future", "after_commit")

    def __init__(self, work: Callable[[Batch], T]) -> None:
        self.work = work
        # The caller's context variables (request id in log lines, a request's secrets) hold in the writer too.
        self.context = contextvars.copy_context()
        self.future: Future[T] = Future()
        self.after_commit: list[Callable[[], None]] = []


_STOP = object()  # a queue entry: leave once the queue is empty, rather than after the idle time


class GroupCommitter:
    """The writer thread of one engine in this process."""

    def __init__(self, engine: Engine, lock: threading.RLock | None = None, *, max_batch: int = MAX_BATCH,
                 idle_seconds: float = IDLE_SECONDS, settings: WriterSettings | None = None) -> None:
        # Weak: the registry is keyed by the engine, and an idle committer must not keep it alive.
        self._engine = weakref.ref(engine)
        self._writer_lock = lock
        self.settings = settings or WriterSettings()
        self.max_batch = max_batch
        self.idle_seconds = idle_seconds
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._mutex = threading.Lock()  # orders "queue a job" against "the thread leaves for want of jobs"
        self._queue: queue.SimpleQueue[_Job[object] | object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._current: Batch | None = None  # the job the writer thread is running (touched by that thread only)
        self._depth = 0  # how many jobs started by jobs (_inline) are running inside the current one

    # ---- the callers' side ----
    def run(self, work: Callable[[Batch], T]) -> T:
        """work(batch) in the writer's next batch; its result once that batch is committed, or its error."""
        if self.in_writer():
            return self._inline(work)
        return self.submit(work).result()

    def submit(self, work: Callable[[Batch], T]) -> Future[T]:
        """work(batch) queued for the writer's next batch, without waiting: the future is done once that batch
        is committed (its result) or failed (its error). An event loop awaits it (asyncio.wrap_future) instead
        of parking a worker thread on run(). Not from the writer thread itself: that would wait for itself."""
        if self.in_writer():
            raise RuntimeError("the writer thread cannot queue a job for itself: run() nests it instead")
        if self._pid != os.getpid():
            self._reset()  # a forked child: the parent's thread, queue and connection are not ours
        job: _Job[T] = _Job(work)
        with self._mutex:
            self._queue.put(job)
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="group-commit", daemon=True)
                self._thread.start()
        return job.future

    def pending(self) -> int:
        """Jobs queued for the writer and not yet taken into a batch."""
        return self._queue.qsize()

    @property
    def running(self) -> bool:
        return self._thread is not None

    def in_writer(self) -> bool:
        return threading.current_thread() is self._thread

    def current(self) -> Batch | None:
        """The batch of the job the calling thread runs, when it is this writer."""
        return self._current if self.in_writer() else None

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread once the queue is empty (the next job starts it again)."""
        with self._mutex:
            thread = self._thread
            if thread is None:
                return
            self._queue.put(_STOP)
        if thread is not threading.current_thread():
            thread.join(timeout)

    def _inline(self, work: Callable[[Batch], T]) -> T:
        """A write started by a job (a handler calling the ledger again): a savepoint inside that job.
        Queueing it would wait for the very batch that waits for it."""
        outer = self._current
        if outer is None:  # after-commit work (wake-ups) on this thread: its batch is over, the next waits on it
            raise RuntimeError("a write from the writer thread's after-commit work would wait for itself")
        self._depth += 1
        savepoint = Savepoint(outer.connection, self._depth)
        nested = Batch(outer.connection, savepoint, outer.closing)
        self._current = nested
        try:
            result = work(nested)
        except BaseException:
            savepoint.rollback()
            raise
        else:
            savepoint.release()
        finally:
            self._current = outer
            self._depth -= 1
        outer.after_commit.extend(nested.after_commit)
        return result

    # ---- the writer thread ----
    def _serve(self) -> None:
        connection: Connection | None = None
        try:
            while True:
                jobs, stopping = self._take()
                if jobs:
                    connection = self._commit(connection, jobs)
                if stopping or not jobs:
                    with self._mutex:
                        if self._queue.empty():
                            self._thread = None
                            return
        except BaseException as exc:  # the thread dies (e.g. SystemExit in a job): nobody may wait on it
            with self._mutex:
                self._thread = None
                while not self._queue.empty():
                    job = self._queue.get_nowait()
                    if isinstance(job, _Job):
                        job.future.set_exception(exc)
            raise
        finally:
            if connection is not None:
                self.settings.reset(connection)
                connection.close()

    def _take(self) -> tuple[list[_Job[object]], bool]:
        """The first job (waiting up to the idle time for it), then what is queued already."""
        try:
            first = self._queue.get(timeout=self.idle_seconds)
        except queue.Empty:
            return [], False
        taken = [first]
        while len(taken) < self.max_batch:
            try:
                taken.append(self._queue.get_nowait())
            except queue.Empty:
                break
        jobs = [job for job in taken if isinstance(job, _Job)]
        return jobs, len(jobs) < len(taken)

    def _commit(self, connection: Connection | None, jobs: list[_Job[object]]) -> Connection | None:
        """One transaction for the jobs; the connection to use next (None after a failure: a fresh one).

        A failed job's error goes to its future with its traceback, whose frames link back (f_back) to this frame
        and _run_job's: neither may still hold a job when it ends, or every refused write (a validation error, a
        credential refused in the write's own job) would leave a reference cycle, job -> future -> error ->
        traceback -> frame -> job, for the cyclic collector (gateway/memory.py). So _run_job gets what it runs,
        not the job, and the jobs are let go of here before the end."""
        done: list[tuple[_Job[object], object]] = []
        failed: list[tuple[_Job[object], BaseException]] = []
        lock = self._writer_lock
        if lock is not None:
            lock.acquire()
        try:
            try:
                if connection is None:
                    engine = self._engine()
                    if engine is None:
                        raise RuntimeError("the engine of this group committer is gone")
                    connection = self.settings.apply(engine.connect())
                transaction = connection.begin()  # BEGIN IMMEDIATE (gateway.db): the write lock up front
                closing: dict[str, Callable[[Connection], None]] = {}
                for position in range(len(jobs)):
                    outcome = self._run_job(connection, jobs[position].work, jobs[position].context, closing)
                    if isinstance(outcome, BaseException):
                        failed.append((jobs[position], outcome))
                    else:
                        jobs[position].after_commit = outcome[1]
                        done.append((jobs[position], outcome[0]))
                    del outcome
                for work in closing.values():  # Batch.before_commit
                    work(connection)
                transaction.commit()
            except BaseException as exc:  # the batch as a whole: nobody's write is durable
                _discard(connection, self.settings)
                connection = None
                done.clear()
                failed[:] = _all_failed(jobs, exc)
                if not isinstance(exc, Exception):
                    _settle(done, failed)
                    raise
        finally:
            self._current = None
            if lock is not None:
                lock.release()
        _settle(done, failed)
        del jobs, done, failed
        return connection

    def _run_job(self, connection: Connection, work: Callable[[Batch], object], context: contextvars.Context,
                 closing: dict[str, Callable[[Connection], None]]
                 ) -> tuple[object, list[Callable[[], None]]] | Exception:
        """A job's work in its savepoint: (result, its after-commit work) or the error it was rolled back for. An
        error the savepoint cannot undo (the rollback itself fails) propagates and fails the batch."""
        savepoint = Savepoint(connection, 0)
        batch = Batch(connection, savepoint, closing)
        self._current = batch
        try:
            result = context.run(work, batch)
        except Exception as exc:
            savepoint.rollback()
            return exc
        finally:
            self._current = None
        savepoint.release()  # a no-op for a job that rolled itself back (Batch.rollback)
        return result, batch.after_commit


def _all_failed(jobs: list[_Job[object]], error: BaseException) -> list[tuple[_Job[object], BaseException]]:
    """A failed batch: every job not answered yet gets its error."""
    return [(job, error) for job in jobs if not job.future.done()]


def _settle(done: list[tuple[_Job[object], object]], failed: list[tuple[_Job[object], BaseException]]) -> None:
    """After the commit, and only then: the jobs' after-commit work (before the answers, as a lone commit did),
    then their futures."""
    for job, _result in done:
        for hook in job.after_commit:
            try:
                hook()
            except Exception:  # the write is durable: a failed wake-up only delays what the worker scans
                log.exception("after-commit work failed")
    for job, result in done:
        job.future.set_result(result)
    for job, error in failed:
        job.future.set_exception(error)


def _discard(connection: Connection | None, settings: WriterSettings) -> None:
    """After a failed batch: roll back what is left and let the next batch start on a fresh connection."""
    if connection is not None:
        try:
            connection.rollback()
            settings.reset(connection)
            connection.close()
        except Exception:
            log.exception("closing the writer's connection after a failed batch")
    return None


class Committers:
    """One committer per engine of this process."""

    def __init__(self, settings: WriterSettings | None = None) -> None:
        self._by_engine: weakref.WeakKeyDictionary[Engine, GroupCommitter] = weakref.WeakKeyDictionary()
        self._registry = threading.Lock()
        self._settings = settings

    def get(self, engine: Engine, lock: threading.RLock | None) -> GroupCommitter:
        committer = self._by_engine.get(engine)
        if committer is None:
            with self._registry:
                committer = self._by_engine.get(engine)
                if committer is None:
                    committer = self._by_engine[engine] = GroupCommitter(engine, lock, settings=self._settings)
        return committer
