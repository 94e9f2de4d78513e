"""Engines. SQLite gets WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for writers,
so that concurrent writers queue on the lock instead of failing with `database is locked`; and
synchronous=FULL unless GATEWAY_SQLITE_SYNCHRONOUS relaxes it, so an acknowledged write is on disk."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from gateway import settings

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_POOL_SIZE = 5
SQLITE_MAX_OVERFLOW = 45
# PostgreSQL: at most 30 connections per process, as before, and now every one of them kept between bursts. With
# 10 kept and 20 more allowed, each burst past 10 reads at once closed its extra connections as they came back and
# opened them again for the next burst, a PostgreSQL backend forked each time: 16 connections of gets opened 1,038
# connections in a 36 s benchmark run. Kept, it opened 19, and a get took 0.92 ms of the gateway's CPU instead
# of 1.10 (tests/gateway/test_db.py).
PG_POOL_SIZE = 30
PG_MAX_OVERFLOW = 0


def normalise_url(url: str) -> str:
    """Accept postgres:// and postgresql:// and route them to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str, *, sqlite_synchronous: str | None = None, **kw: Any) -> Engine:
    """`sqlite_synchronous` defaults to GATEWAY_SQLITE_SYNCHRONOUS (FULL); an unknown mode raises SettingError."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=PG_POOL_SIZE, max_overflow=PG_MAX_OVERFLOW, **kw)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        # Each connection keeps its own page cache (up to 2 MiB) and SQLite has one writer at a time: keep
        # 5 between bursts (a burst's extra ones close, caches and all), and in all no more than anyio's
        # 40 worker threads plus the background threads (traffic log, outbox, scheduler) can use at once.
        pool_size=SQLITE_POOL_SIZE, max_overflow=SQLITE_MAX_OVERFLOW, **kw,
    )
    _configure_sqlite(engine, settings.sqlite_synchronous(sqlite_synchronous))
    return engine


def _configure_sqlite(engine: Engine, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute(f"PRAGMA synchronous={synchronous}")  # one of SQLITE_SYNCHRONOUS_MODES
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A writer takes the write lock up front; upgrading a read lock later can deadlock
        # and SQLite then fails at once instead of waiting out the busy timeout.
        immediate = conn.get_execution_options().get("sqlite_immediate", True)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
