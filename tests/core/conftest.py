"""Core tests run against both backends: the embedded SQLite and a real PostgreSQL server."""
from __future__ import annotations

from typing import Any, Iterator

import pytest
from sqlalchemy import event

from core.ledger import Ledger
from gateway.db import make_engine
from gateway.migrations import upgrade
from tests.core.sql_trace import Trace


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend_ledger(request: pytest.FixtureRequest, database_url: str) -> Ledger:
    if request.param == "sqlite":
        return Ledger(make_engine(database_url))
    url = request.getfixturevalue("postgres_url")
    upgrade(url)
    return Ledger(make_engine(url))


@pytest.fixture
def trace(app: Any) -> Iterator[Trace]:
    found = Trace()

    def connect(dbapi: Any, _record: Any) -> None:
        dbapi.set_trace_callback(found)

    event.listen(app.state.engine, "connect", connect)
    app.state.engine.dispose()  # every connection from here on is traced
    yield found
    event.remove(app.state.engine, "connect", connect)
