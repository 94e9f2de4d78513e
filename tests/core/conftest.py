"""Core tests run against both backends: the embedded SQLite and a real PostgreSQL server."""
from __future__ import annotations

import pytest

from core.ledger import Ledger
from gateway.db import make_engine
from gateway.migrations import upgrade


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend_ledger(request: pytest.FixtureRequest, database_url: str) -> Ledger:
    if request.param == "sqlite":
        return Ledger(make_engine(database_url))
    url = request.getfixturevalue("postgres_url")
    upgrade(url)
    return Ledger(make_engine(url))
