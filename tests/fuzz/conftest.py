"""Fuzzing support: one live gateway per test module, and the case counts in the terminal summary.

A fuzz test records its counts with `record_property("fuzz_cases", "...")`; the summary prints them
(also under pytest-xdist, whose workers hand user properties back to the controller).
"""
from __future__ import annotations

from typing import Any, Iterator

import pytest

from tests.support.fixtures import _require_cli
from tests.support.live_server import LiveServer
from tests.support.summary import write_recorded


@pytest.fixture(scope="module")
def module_live_server() -> Iterator[LiveServer]:
    """The same CLI-run uvicorn as `live_server`, shared by a module's tests: starting one costs
    more than a short fuzzing profile, and several dialects' tests may share one ledger."""
    _require_cli()
    # No failed-sign-in throttling: the fuzzer posts thousands of random logins to /login.json, and over the
    # limit every later request from its address (api_token or not) would get 429 instead of being exercised.
    with LiveServer(env={"GATEWAY_AUTH_FAIL_LIMIT": "0", "GATEWAY_AUTH_SPRAY_LIMIT": "0"}) as server:
        yield server


def pytest_terminal_summary(terminalreporter: Any) -> None:
    write_recorded(terminalreporter, "fuzz_cases", "fuzz cases")
