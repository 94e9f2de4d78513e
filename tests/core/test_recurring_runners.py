"""Running the engine: the cron command and the in-process scheduler."""
from __future__ import annotations

import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from core.clock import today_in
from core.ledger import Ledger
from gateway.app import create_app
from gateway.scheduler import Scheduler, from_env
from gateway.settings import Settings
from tests.core.test_recurring import issued_of, make_account, make_recurring, make_template

CLI = Path(sys.executable).with_name("invoice-gateway")  # this checkout's, not another one's


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, timeout=120, check=False)


def test_cli_run_prints_each_issued_invoice_and_is_idempotent(core_ledger: Ledger, database_url: str) -> None:
    account_id = make_account(core_ledger)
    rid = make_recurring(core_ledger, account_id, make_template(core_ledger, account_id), date(2024, 1, 31))

    first = _cli("recurrings", "run", "--date", "2024-03-31", "--database-url", database_url)
    assert first.returncode == 0, first.stderr
    ids = [i.id for i in issued_of(core_ledger, rid)]
    assert first.stdout.splitlines() == [
        f"1/03/2024\trecurring={rid}\tperiod=2024-01-31\tinvoice_id={ids[0]}",
        f"2/03/2024\trecurring={rid}\tperiod=2024-02-29\tinvoice_id={ids[1]}",
        f"3/03/2024\trecurring={rid}\tperiod=2024-03-31\tinvoice_id={ids[2]}",
    ]

    again = _cli("recurrings", "run", "--date", "2024-03-31", "--database-url", database_url)
    assert (again.returncode, again.stdout) == (0, "")
    assert len(issued_of(core_ledger, rid)) == 3


def test_cli_rejects_a_malformed_date(database_url: str) -> None:
    result = _cli("recurrings", "run", "--date", "31.03.2024", "--database-url", database_url)
    assert result.returncode == 2
    assert "31.03.2024" in result.stderr


def _wait_for(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def test_scheduler_thread_issues_due_invoices_once_and_keeps_running(core_ledger: Ledger) -> None:
    account_id = make_account(core_ledger)
    today = today_in("Europe/Warsaw")
    rid = make_recurring(core_ledger, account_id, make_template(core_ledger, account_id), today)
    scheduler = Scheduler(core_ledger.engine, interval=0.05)
    scheduler.start()
    try:
        _wait_for(lambda: scheduler.runs >= 3)
    finally:
        scheduler.stop()
    assert [i.issue_date for i in issued_of(core_ledger, rid)] == [today]


def test_scheduler_survives_a_failing_run(core_ledger: Ledger) -> None:
    calls: list[int] = []

    def flaky(engine: object) -> list:  # type: ignore[type-arg]
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("database restarting")
        return []

    scheduler = Scheduler(core_ledger.engine, interval=0.01, run=flaky)
    scheduler.start()
    try:
        _wait_for(lambda: len(calls) >= 3)
    finally:
        scheduler.stop()
    assert scheduler.runs >= 3


def test_scheduler_is_off_unless_switched_on(core_ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GATEWAY_SCHEDULER", raising=False)
    assert from_env(core_ledger.engine) is None
    monkeypatch.setenv("GATEWAY_SCHEDULER", "1")
    monkeypatch.setenv("GATEWAY_SCHEDULER_INTERVAL", "42")
    scheduler = from_env(core_ledger.engine)
    assert scheduler is not None
    scheduler.stop()
    assert scheduler.interval == 42.0


def test_app_lifespan_runs_the_scheduler_when_enabled(database_url: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_SCHEDULER", "1")
    monkeypatch.setenv("GATEWAY_SCHEDULER_INTERVAL", "0.05")
    app = create_app(Settings(database_url=database_url, outbox_dir=tmp_path / "outbox"))
    ledger: Ledger = app.state.ledger
    account_id = make_account(ledger)
    rid = make_recurring(ledger, account_id, make_template(ledger, account_id), today_in("Europe/Warsaw"))
    with TestClient(app):
        _wait_for(lambda: len(issued_of(ledger, rid)) == 1)
    assert len(issued_of(ledger, rid)) == 1


def test_serve_documents_the_scheduler_flag_and_interval() -> None:
    result = _cli("serve", "--help")
    assert result.returncode == 0
    assert "--scheduler" in result.stdout and "GATEWAY_SCHEDULER_INTERVAL" in result.stdout
