"""The traffic page's numbers, last use per credential, and retention pruning."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
from click.testing import CliRunner
from sqlalchemy import func, insert, select
from starlette.testclient import TestClient

from core.accounts import create_account
from core.clock import now_utc
from core.models import TrafficEntry
from gateway.cli import main
from gateway.traffic import TrafficRecorder, prune_traffic
from tests.gateway.console.helpers import create_invoice, fakturan_get, invo_call, sign_in_as


def _mixed_traffic(client: TestClient, account: dict[str, Any]) -> None:
    create_invoice(client, account)                                           # invoiceocean 201
    client.get("/invoices/999999.json", params={"api_token": account["invoiceocean"]["api_token"]})  # 404
    for _ in range(2):
        invo_call(client, account, "invoices", '{"action":"list"}')           # invo x2
    for _ in range(3):
        fakturan_get(client, account, "/api/v2/invoices")                     # fakturan x3


def test_counts_per_dialect_endpoint_and_credential_with_error_rates(client: TestClient, app: Any,
                                                                     account: dict[str, Any]) -> None:
    _mixed_traffic(client, account)
    app.state.traffic.flush()
    sign_in_as(client, account)
    report = client.get("/console/api/traffic").json()
    dialects = report["dialects"]
    assert {d: dialects[d]["hour"]["requests"] for d in dialects} == {"invoiceocean": 2, "invo": 2, "fakturan": 3}
    assert dialects["invoiceocean"]["week"]["errors"] == 1 and dialects["invoiceocean"]["day"]["error_rate"] == 0.5
    assert dialects["fakturan"]["week"]["error_rate"] == 0
    assert report["total"]["week"]["requests"] == 7
    by_ref = {c["ref"]: c for c in report["credentials"]}
    login = next(c for c in by_ref.values() if c["dialect"] == "invo")
    key = next(c for c in by_ref.values() if c["dialect"] == "fakturan")
    token = next(c for c in by_ref.values() if c["dialect"] == "invoiceocean")
    assert (token["week"]["requests"], login["week"]["requests"], key["week"]["requests"]) == (2, 2, 3)
    assert all(c["last_used_at"] for c in (token, login, key))  # INVO logins too (users.last_used_at)
    endpoints = {(e["dialect"], e["endpoint"]): e["week"]["requests"] for e in report["endpoints"]}
    assert sum(endpoints.values()) == 7 and len(endpoints) >= 3

    page = client.get("/console/traffic?window=hour").text
    assert 'data-testid="count-fakturan-hour">3<' in page
    assert 'data-testid="count-invo-week">2<' in page
    assert "<svg" in page and page.count("<rect") >= 3  # a bar per dialect in the current bucket


def test_traffic_outside_the_window_is_not_counted(client: TestClient, app: Any, account: dict[str, Any]) -> None:
    now = now_utc()
    rows = [dict(account_id=account["account_id"], credential_id=None, user_id=None, dialect="invo", method="POST",
                 path="/api.json", endpoint="invo:invoices.list", status=200, latency_ms=1.0, request_id="x",
                 created_at=now - age) for age in (timedelta(minutes=30), timedelta(hours=5), timedelta(days=3),
                                                   timedelta(days=8))]
    with app.state.engine.begin() as conn:
        conn.execute(insert(TrafficEntry), rows)
    sign_in_as(client, account)
    invo = client.get("/console/api/traffic").json()["dialects"]["invo"]
    assert (invo["hour"]["requests"], invo["day"]["requests"], invo["week"]["requests"]) == (1, 2, 3)


def _old_and_new(engine: Any, old: int, new: int) -> None:
    now = now_utc()
    base = dict(account_id=1, credential_id=None, user_id=None, dialect="fakturan", method="GET", path="/api/v2/x",
                endpoint="x", status=200, latency_ms=1.0, request_id="r")
    rows = [{**base, "created_at": now - timedelta(days=31, minutes=i)} for i in range(old)]
    rows += [{**base, "created_at": now - timedelta(days=29, minutes=i)} for i in range(new)]
    with engine.begin() as conn:
        conn.execute(insert(TrafficEntry), rows)


def _count(engine: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(TrafficEntry)).scalar_one())


def test_pruning_deletes_only_rows_past_retention_in_bounded_batches(app: Any) -> None:
    engine = app.state.engine
    _old_and_new(engine, 25, 7)
    result = prune_traffic(engine, 30, batch=10)
    assert (result.deleted, result.batches) == (25, 3)
    assert _count(engine) == 7
    assert prune_traffic(engine, 30).deleted == 0


def test_the_recorder_prunes_in_its_own_thread_at_most_every_interval(app: Any) -> None:
    engine = app.state.engine
    recorder = TrafficRecorder(engine, retention_days=30, prune_every=3600)
    _old_and_new(engine, 4, 2)
    assert recorder.prune_if_due() is not None and _count(engine) == 2
    _old_and_new(engine, 4, 0)
    assert recorder.prune_if_due() is None and _count(engine) == 6  # not due again within the interval
    assert TrafficRecorder(engine, retention_days=0).prune_if_due() is None  # 0 keeps everything


def test_the_app_recorder_uses_the_configured_retention(settings: Any) -> None:
    from dataclasses import replace

    from gateway.app import create_app
    app = create_app(replace(settings, traffic_retention_days=7))
    assert app.state.traffic.retention_days == 7


def test_cli_traffic_prune(app: Any, database_url: str) -> None:
    _old_and_new(app.state.engine, 6, 3)
    result = CliRunner().invoke(main, ["traffic", "prune", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("pruned 6 traffic rows") and "(30 days)" in result.output
    assert _count(app.state.engine) == 3
    result = CliRunner().invoke(main, ["traffic", "prune", "--days", "0", "--database-url", database_url])
    assert "pruned 3 traffic rows" in result.output and _count(app.state.engine) == 0


def test_refused_requests_do_not_count_as_a_use(client: TestClient, app: Any, account: dict[str, Any]) -> None:
    fakturan_get(client, account, "/api/v2/invoices", auth=(account["fakturan"]["key_id"], "wrong"))
    app.state.traffic.flush()
    sign_in_as(client, account)
    creds = client.get("/console/api/credentials").json()
    assert all(c["last_used_at"] is None for c in creds)
    assert orjson.dumps(creds)


def test_the_traffic_queries_run_on_postgresql(postgres_url: str) -> None:
    from core.ledger import Ledger
    from gateway.console.traffic_stats import traffic_report, traffic_series
    from gateway.db import make_engine
    from gateway.migrations import upgrade

    upgrade(postgres_url)
    ledger = Ledger(make_engine(postgres_url))
    account = ledger.write(create_account, "Pg AB")
    now = now_utc()
    base = dict(account_id=account.account_id, credential_id=None, user_id=None, method="GET", path="/x",
                endpoint="x", latency_ms=1.0, request_id="r")
    with ledger.engine.begin() as conn:
        conn.execute(insert(TrafficEntry), [
            {**base, "dialect": "invo", "status": 200, "created_at": now - timedelta(minutes=2)},
            {**base, "dialect": "invo", "status": 500, "created_at": now - timedelta(hours=2, minutes=1)},
            {**base, "dialect": "fakturan", "status": 200, "created_at": now - timedelta(days=2)}])
    report = ledger.read(traffic_report, account.account_id, now)
    assert report.per_dialect["invo"].requests == {"hour": 1, "day": 2, "week": 2}
    assert report.per_dialect["invo"].errors == {"hour": 0, "day": 1, "week": 1}
    day = ledger.read(traffic_series, account.account_id, now, "day")
    assert day.counts["invo"][-1] == 1 and day.counts["invo"][-3] == 1 and sum(day.counts["fakturan"]) == 0
    ledger.engine.dispose()


def test_a_failed_flush_keeps_the_batch_for_the_next_round(app: Any) -> None:
    engine = app.state.engine

    class Locked:  # what a SQLite database held by a long writer looks like to the recorder
        def begin(self) -> Any:
            raise RuntimeError("database is locked")

    recorder = TrafficRecorder(Locked())  # type: ignore[arg-type]
    entry = dict(account_id=None, credential_id=None, user_id=None, dialect="invo", method="POST", path="/api.json",
                 endpoint="x", status=200, latency_ms=1.0, request_id="r", created_at=now_utc())
    recorder.record(**entry)
    recorder.record(**entry)
    assert recorder.flush() == 0
    recorder.engine = engine
    recorder.record(**entry)
    assert recorder.flush() == 3 and _count(engine) == 3
