"""The traffic log: one row per request, written in batches off the request path, and pruned by age.

Requests only append to an in-memory list; a background thread inserts the batch once a second
and, at most every `prune_every` seconds, deletes rows older than the retention period in bounded
batches (each its own short transaction, so a writer never waits long on SQLite's lock).

Where the storage group-commits (SQLite), both are jobs of the engine's writer thread: the log's rows
share a commit with the requests' writes instead of taking the write lock between them.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, TypeVar

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlmodel import col

from core.clock import now_utc
from core.models import Credential, TrafficEntry, User
from core.reader import placeholders, sqlite_value
from core.storage import storage_for

log = logging.getLogger("gateway.traffic")

PRUNE_BATCH = 5000  # rows per DELETE: small enough that a writer waits milliseconds, not seconds
PRUNE_EVERY_SECONDS = 600.0
MAX_PENDING = 100_000  # entries held in memory while the database refuses writes; older ones are dropped

T = TypeVar("T")


def _write(engine: Engine, work: Callable[[Connection], T]) -> T:
    """work(connection) committed: in the engine's next group commit where it has one."""
    committer = storage_for(engine).committer(engine)
    if committer is not None:
        return committer.run(lambda batch: work(batch.connection))
    with engine.begin() as conn:
        return work(conn)


@dataclass(frozen=True)
class PruneResult:
    deleted: int
    batches: int
    seconds: float
    cutoff: datetime


def prune_traffic(engine: Engine, retention_days: int, *, batch: int = PRUNE_BATCH,
                  now: datetime | None = None) -> PruneResult:
    """Delete traffic rows older than `retention_days`, oldest first, `batch` rows per transaction."""
    started = time.perf_counter()
    cutoff = (now or now_utc()) - timedelta(days=retention_days)
    oldest = (select(col(TrafficEntry.id)).where(col(TrafficEntry.created_at) < cutoff)
              .order_by(col(TrafficEntry.created_at)).limit(batch))
    deleted = batches = 0

    def prune(conn: Connection) -> list[Any]:
        ids = list(conn.execute(oldest).scalars())
        if ids:
            conn.execute(delete(TrafficEntry).where(col(TrafficEntry.id).in_(ids)))
        return ids

    while True:
        ids = _write(engine, prune)
        if not ids:
            break
        deleted += len(ids)
        batches += 1
        if len(ids) < batch:
            break
    return PruneResult(deleted, batches, time.perf_counter() - started, cutoff)


# A request's row, in the table's column order (id aside): TrafficRecorder.record_request takes its values
# positionally, so the request path builds one tuple and the batch insert binds it as it is.
COLUMNS = ("account_id", "credential_id", "user_id", "dialect", "method", "path", "endpoint", "status", "latency_ms",
           "request_id", "created_at")
_STATUS, _CREDENTIAL, _USER, _CREATED = (COLUMNS.index(c) for c in ("status", "credential_id", "user_id", "created_at"))
Entry = dict[str, Any] | tuple[Any, ...]  # record(**fields) keeps its dict: a missing field keeps its default


def _field(entry: Entry, index: int) -> Any:
    return entry[index] if isinstance(entry, tuple) else entry.get(COLUMNS[index])


def _insert_batch(conn: Connection, batch: list[Entry]) -> None:
    """The batch in one executemany. On SQLite straight to the driver with the values as SQLAlchemy would
    store them: through Core, binding each row cost 10-25 us, paid by the request loop's core at ~2,000
    requests a second."""
    if conn.dialect.name != "sqlite":
        conn.execute(insert(TrafficEntry), [dict(zip(COLUMNS, e, strict=True)) if isinstance(e, tuple) else e
                                            for e in batch])
        return
    sql = f"INSERT INTO traffic_log ({', '.join(COLUMNS)}) VALUES ({placeholders(COLUMNS)})"
    conn.exec_driver_sql(sql, [tuple(map(sqlite_value, e)) if isinstance(e, tuple)
                               else tuple(sqlite_value(e.get(c)) for c in COLUMNS) for e in batch])


class TrafficRecorder:
    def __init__(self, engine: Engine, interval: float = 1.0, retention_days: int = 30,
                 prune_every: float = PRUNE_EVERY_SECONDS) -> None:
        self.engine = engine
        self.interval = interval
        self.retention_days = retention_days
        self.prune_every = prune_every
        self._pending: list[Entry] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_prune: float | None = None  # monotonic; None: prune on the first round after start

    def record(self, **entry: Any) -> None:
        with self._lock:
            self._pending.append(entry)

    def record_request(self, account_id: int | None, credential_id: int | None, user_id: int | None, dialect: str,
                       method: str, path: str, endpoint: str, status: int, latency_ms: float, request_id: str,
                       created_at: datetime) -> None:
        """One request's row (the middleware's, once per request): the values in COLUMNS order, one tuple,
        where record() builds a dict of keyword arguments."""
        row = (account_id, credential_id, user_id, dialect, method, path, endpoint, status, latency_ms, request_id,
               created_at)
        with self._lock:
            self._pending.append(row)

    def flush(self) -> int:
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        # Last use per credential, and per user for logins that have no credential row (a login's Basic auth).
        credential_use: dict[int, Any] = {}
        user_use: dict[int, Any] = {}
        for entry in batch:
            if _field(entry, _STATUS) in (401, 403):
                continue  # a refused request is not a use of the credential
            if credential_id := _field(entry, _CREDENTIAL):
                credential_use[credential_id] = _field(entry, _CREATED)
            elif user_id := _field(entry, _USER):
                user_use[user_id] = _field(entry, _CREATED)

        def write(conn: Connection) -> None:
            _insert_batch(conn, batch)
            for credential_id, when in credential_use.items():
                conn.execute(update(Credential).where(col(Credential.id) == credential_id).values(last_used_at=when))
            for user_id, when in user_use.items():
                conn.execute(update(User).where(col(User.id) == user_id).values(last_used_at=when))
        try:
            _write(self.engine, write)
        except Exception:  # the log must never take requests down with it
            with self._lock:  # keep the batch for the next round (e.g. the database was locked), within bounds
                room = max(MAX_PENDING - len(self._pending), 0)
                self._pending[:0] = batch[-room:] if room else []
            log.exception("traffic log flush failed; %d entries kept for retry, %d dropped",
                          min(room, len(batch)), max(len(batch) - room, 0))
            return 0
        return len(batch)

    def prune_if_due(self) -> PruneResult | None:
        if self.retention_days <= 0:
            return None
        if self._last_prune is not None and time.monotonic() - self._last_prune < self.prune_every:
            return None
        self._last_prune = time.monotonic()
        try:
            result = prune_traffic(self.engine, self.retention_days)
        except Exception:  # pruning is housekeeping: try again next time
            log.exception("traffic log pruning failed")
            return None
        if result.deleted:
            log.info("traffic log pruned: %d rows older than %s in %.2f s", result.deleted,
                     result.cutoff.isoformat(), result.seconds)
        return result

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="traffic-log", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush()
            self.prune_if_due()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.flush()
