"""One demo ledger per module, filled through every dialect, and the counts in the terminal summary.

A round-trip test records what it tried with `record_property("round_trips", "...")`; the summary
prints those lines (also under pytest-xdist, whose workers hand user properties back)."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.settings import Settings
from tests.roundtrip.world import World, fill
from tests.support.summary import write_recorded


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("roundtrip")
    shutil.copyfile(migrated_template, folder / "gateway.sqlite3")
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'gateway.sqlite3'}", outbox_dir=folder / "outbox"))
    with TestClient(app, base_url="http://testserver") as client:
        yield fill(app, client)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    write_recorded(terminalreporter, "round_trips", "round trips")
