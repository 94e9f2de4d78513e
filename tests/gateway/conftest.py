"""Fixtures of the gateway's tests that more than one module uses."""
from __future__ import annotations

import threading
from typing import Any, Callable

import pytest

# The app's background threads: the traffic log's first round prunes old rows (a SELECT in the group-commit writer)
# and the outbox polls, whenever their timers say, which may be while a request runs. Not the request's statements.
BACKGROUND_THREADS = frozenset({"group-commit", "outbox-delivery", "traffic-log", "recurring-scheduler"})


class Statements:
    """Every statement SQLite runs on the app's connections (the pool's and the point readers' alike), from the
    threads that serve requests."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def trace(self, text: str) -> None:
        if threading.current_thread().name not in BACKGROUND_THREADS:
            self.texts.append(text)

    def reads_of(self, call: Callable[[], Any]) -> list[str]:
        """The SELECTs one request runs, after the same request once (caches warm); probes of the schema
        (is full-text search there?) are not reads of the page."""
        assert call().status_code == 200
        self.texts.clear()
        assert call().status_code == 200
        return [text for text in self.texts if text.lstrip().upper().startswith(("SELECT", "WITH"))
                and "sqlite_master" not in text]


@pytest.fixture
def statements(app: Any) -> Statements:
    from sqlalchemy import event

    seen = Statements()
    # Requested before the client and the accounts: every connection, the pool's and each thread's point-read
    # one, is opened after this.
    event.listen(app.state.engine, "connect", lambda dbapi, _record: dbapi.set_trace_callback(seen.trace))
    return seen
