"""Shared fixtures: a migrated database, the ASGI app, and accounts with their credentials."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient

from core.accounts import create_account
from core.ledger import Ledger
from gateway.app import create_app
from gateway.db import make_engine
from gateway.migrations import upgrade
from gateway.settings import Settings
from tests.support.fixtures import *  # noqa: F403  real PostgreSQL, SMTP, Chromium, live server


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'gateway.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, outbox_dir=tmp_path / "outbox")


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
def core_ledger(database_url: str) -> Ledger:
    """The ledger without HTTP, for core tests."""
    return Ledger(make_engine(database_url))
