"""SQLite's reads off the event loop (core.reader.PointReads.pooled): raw BEGIN ... ROLLBACK on connections
detached from the engine's pool, and never more of them than that pool allows."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from core.reader import PointReads, PoolTimeout, Reader

SIZE, OVERFLOW = 2, 1


@pytest.fixture
def reads(tmp_path: Path) -> Any:
    engine = create_engine(f"sqlite:///{tmp_path / 'reads.sqlite'}", pool_size=SIZE, max_overflow=OVERFLOW,
                           pool_timeout=0.2, connect_args={"check_same_thread": False})
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        connection.execute(text("INSERT INTO t (id) VALUES (1), (2), (3)"))
    points = PointReads(engine)
    yield points
    points.close()
    engine.dispose()


def test_pooled_reads_never_hold_more_connections_than_the_engines_pool_allows_and_keep_its_size_idle(
        reads: PointReads) -> None:
    used: set[int] = set()
    inside, lock, full, release = [0], threading.Lock(), threading.Event(), threading.Event()
    most = [0]

    def query(reader: Reader) -> int:
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            used.add(id(reader._dbapi))
            if inside[0] == SIZE + OVERFLOW:
                full.set()
        release.wait(10)  # every read holds its connection until the pool is full
        with lock:
            inside[0] -= 1
        return int(reader.scalar("SELECT count(*) FROM t"))

    with ThreadPoolExecutor(6) as threads:
        counts = [threads.submit(reads.pooled, query) for _ in range(6)]
        assert full.wait(10)
        release.set()
        assert [c.result() for c in counts] == [3] * 6
    assert most[0] == SIZE + OVERFLOW
    assert len(used) == SIZE + OVERFLOW
    assert len(reads._idle) == SIZE
    assert all(not taken.dbapi.in_transaction for taken in reads._idle)


def test_a_pooled_read_past_the_bound_waits_out_the_pools_timeout_and_a_failed_read_gives_its_connection_back(
        reads: PointReads) -> None:
    held, release = threading.Barrier(SIZE + OVERFLOW + 1), threading.Event()

    def hold(reader: Reader) -> None:
        held.wait(10)
        release.wait(10)

    with ThreadPoolExecutor(SIZE + OVERFLOW) as threads:
        holding = [threads.submit(reads.pooled, hold) for _ in range(SIZE + OVERFLOW)]
        held.wait(10)
        with pytest.raises(PoolTimeout):
            reads.pooled(lambda reader: reader.scalar("SELECT 1"))
        release.set()
        for h in holding:
            h.result()

    def failing(reader: Reader) -> None:
        reader.execute("SELECT id FROM t")
        raise LookupError("the read failed")

    with pytest.raises(LookupError):
        reads.pooled(failing)
    assert len(reads._idle) == SIZE and all(not taken.dbapi.in_transaction for taken in reads._idle)
    assert reads.pooled(lambda reader: reader.has_tables("t")) is True
    assert reads.pooled(lambda reader: reader.has_tables("t", "missing")) is False
