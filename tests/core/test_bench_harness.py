"""The benchmark harness starts the gateway with its defaults, whatever the shell that runs it has set, plus only
the settings a run names (`--server-env`, benchmarks/harness.py): a figure always says what it measured."""
from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import harness


def test_the_server_gets_the_settings_a_run_names_and_none_of_the_callers_own(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GATEWAY_LOG_LEVEL", "DEBUG")  # the shell's: must not reach the server
    monkeypatch.setenv("GATEWAY_SQLITE_SYNCHRONOUS", "OFF")
    settings = harness.server_settings(["GATEWAY_LOG_LEVEL=WARNING", "GATEWAY_TRUSTED_PROXIES=10.0.0.0/8,::1"])
    assert settings == {"GATEWAY_LOG_LEVEL": "WARNING", "GATEWAY_TRUSTED_PROXIES": "10.0.0.0/8,::1"}
    server = harness.gateway_server(f"sqlite:///{tmp_path / 'b.sqlite3'}", [], settings=settings)
    gateway = {k: v for k, v in server.env.items() if k.startswith("GATEWAY_")}
    assert gateway.pop("GATEWAY_DATABASE_URL") == f"sqlite:///{tmp_path / 'b.sqlite3'}"
    assert gateway.pop("GATEWAY_OUTBOX_DIR")
    assert gateway == settings
    plain = harness.gateway_server(f"sqlite:///{tmp_path / 'b.sqlite3'}", [])
    assert sorted(k for k in plain.env if k.startswith("GATEWAY_")) == ["GATEWAY_DATABASE_URL", "GATEWAY_OUTBOX_DIR"]


@pytest.mark.parametrize("pair", ["LOG_LEVEL=WARNING", "GATEWAY_LOG_LEVEL", "PATH=/tmp",
                                  "GATEWAY_DATABASE_URL=sqlite:///x", "GATEWAY_OUTBOX_DIR=/tmp"])
def test_a_setting_that_is_not_the_gateways_own_is_refused_before_anything_runs(pair: str) -> None:
    with pytest.raises(harness.HarnessError, match="--server-env"):
        harness.server_settings([pair])
