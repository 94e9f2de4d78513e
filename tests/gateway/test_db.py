"""The engine factory's SQLite connections: what they promise about an acknowledged write."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

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
