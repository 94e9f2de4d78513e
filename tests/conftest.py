"""Shared fixtures: a migrated database, the ASGI app, and accounts with their credentials."""
from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import event

os.environ.setdefault("GATEWAY_ARGON2_PROFILE", "test")  # before core.security is imported
from starlette.testclient import TestClient

from core.accounts import create_account
from core.ledger import Ledger
from gateway.app import create_app
from gateway.db import make_engine
from gateway.migrations import upgrade
from gateway.settings import Settings
from tests.core.sql_trace import Trace
from tests.support.fixtures import *  # noqa: F403  real PostgreSQL, SMTP, Chromium, live server


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once per test process; each test gets a copy (migrations have their own tests)."""
    path = tmp_path_factory.mktemp("template") / "gateway.sqlite3"
    upgrade(f"sqlite:///{path}")
    with contextlib.closing(sqlite3.connect(path)) as raw:  # fold the WAL in, so one file is the whole DB
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def database_url(tmp_path: Path, migrated_template: Path) -> str:
    target = tmp_path / "gateway.sqlite3"
    shutil.copyfile(migrated_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # The in-process client calls itself "testserver": a host the suite's mails may link to, as a deployment
    # lists its own in GATEWAY_ALLOWED_HOSTS.
    return Settings(database_url=database_url, outbox_dir=tmp_path / "outbox",
                    allowed_hosts=Settings().allowed_hosts + ", testserver")


@pytest.fixture
def app(settings: Settings) -> Any:
    return create_app(settings)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def ledger(app: Any) -> Ledger:
    return app.state.ledger  # type: ignore[no-any-return]


@pytest.fixture
def account(ledger: Ledger) -> dict[str, Any]:
    """Account A: credentials for all three dialects, as `accounts create --json` prints them."""
    return ledger.write(create_account, "Acme", profile="invoiceocean").as_dict()


@pytest.fixture
def other_account(ledger: Ledger) -> dict[str, Any]:
    """Account B, to prove that A's data stays invisible to it."""
    return ledger.write(create_account, "Other Corp", profile="invoiceocean").as_dict()


@pytest.fixture
def fakturan_account(ledger: Ledger) -> dict[str, Any]:
    """An account created with fakturan's defaults (SEK, Europe/Stockholm, plain numbers)."""
    return ledger.write(create_account, "Svensk AB", profile="fakturan").as_dict()


@pytest.fixture
def trace(app: Any) -> Iterator[Trace]:
    """SQLite's own trace of every statement the app sends (tests.core.sql_trace); ask for it before any fixture
    that writes, so the connections those writes use are traced too."""
    found = Trace()

    def connect(dbapi: Any, _record: Any) -> None:
        dbapi.set_trace_callback(found)

    event.listen(app.state.engine, "connect", connect)
    app.state.engine.dispose()  # every connection from here on is traced
    yield found
    event.remove(app.state.engine, "connect", connect)


@pytest.fixture
def core_ledger(database_url: str) -> Ledger:
    """The ledger without HTTP, for core tests."""
    return Ledger(make_engine(database_url))
