"""The engine factory's connections: what SQLite's promise about an acknowledged write, and how many connections
PostgreSQL's pool opens."""
from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, event

from gateway.app import create_app
from gateway.db import make_engine
from gateway.settings import SettingError, Settings

# PRAGMA synchronous answers a number: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
SYNCHRONOUS_LEVELS = {"OFF": 0, "NORMAL": 1, "FULL": 2, "EXTRA": 3}


def synchronous_of(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("PRAGMA synchronous").scalar_one()


def test_sqlite_connections_fsync_every_commit_by_default(database_url: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GATEWAY_SQLITE_SYNCHRONOUS", raising=False)
    assert synchronous_of(make_engine(database_url)) == SYNCHRONOUS_LEVELS["FULL"]
    app = create_app(Settings.from_env(database_url=database_url))
    assert synchronous_of(app.state.engine) == SYNCHRONOUS_LEVELS["FULL"]


@pytest.mark.parametrize("mode", ["normal", "FULL", "Extra", "OFF"])
def test_sqlite_synchronous_follows_the_setting(database_url: str, monkeypatch: pytest.MonkeyPatch,
                                                mode: str) -> None:
    monkeypatch.setenv("GATEWAY_SQLITE_SYNCHRONOUS", mode)
    assert synchronous_of(make_engine(database_url)) == SYNCHRONOUS_LEVELS[mode.upper()]
    app = create_app(Settings.from_env(database_url=database_url))
    assert synchronous_of(app.state.engine) == SYNCHRONOUS_LEVELS[mode.upper()]


def test_an_unknown_synchronous_mode_is_refused(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_SQLITE_SYNCHRONOUS", "sometimes")
    with pytest.raises(SettingError, match="GATEWAY_SQLITE_SYNCHRONOUS must be one of OFF, NORMAL, FULL, EXTRA"):
        Settings.from_env(database_url=database_url)
    with pytest.raises(SettingError):
        make_engine(database_url)


def test_serve_refuses_to_start_with_an_unknown_synchronous_mode(database_url: str) -> None:
    cli = str(Path(sys.executable).with_name("invoice-gateway"))
    env = {"PATH": str(Path(sys.executable).parent), "GATEWAY_SQLITE_SYNCHRONOUS": "2"}
    run = subprocess.run([cli, "serve", "--port", "0", "--database-url", database_url], env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "GATEWAY_SQLITE_SYNCHRONOUS must be one of OFF, NORMAL, FULL, EXTRA, not '2'" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.postgres
def test_postgres_keeps_the_connections_a_burst_of_requests_opened_for_the_next_burst(postgres_url: str) -> None:
    """Each of 16 threads holds a connection at once, three times over: the first burst opens 16 connections and
    the later ones reuse them. A pool that kept 10 closed 6 as they came back and opened 6 again every burst (a
    PostgreSQL backend forked for each)."""
    engine = make_engine(postgres_url)
    opened: list[object] = []
    event.listen(engine, "connect", lambda dbapi, _record: opened.append(dbapi))
    try:
        def hold(together: threading.Barrier) -> int:
            with engine.connect() as connection:
                together.wait(timeout=30)
                return int(connection.exec_driver_sql("SELECT 1").scalar_one())

        for _ in range(3):
            burst = threading.Barrier(16)
            with ThreadPoolExecutor(max_workers=16) as pool:
                assert list(pool.map(hold, [burst] * 16)) == [1] * 16
        assert len(opened) == 16
    finally:
        engine.dispose()
