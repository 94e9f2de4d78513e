"""Measure the traffic log at size (not a test; run by hand, numbers go to the README):

    .venv/bin/python -m tests.gateway.console.measure_traffic [--rows 1000000] [--requests 300]

1. request latency (fakturan GET, in-process, the recorder thread running) with an empty log and
   with ROWS rows in it;
2. the console's traffic queries (report + chart) and the whole /console/traffic page at that
   size, with ix_traffic_console and, for comparison, with only the old (account_id, created_at);
3. pruning: rows spread over 35 days, retention 30 days.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("GATEWAY_ARGON2_PROFILE", "test")

from sqlalchemy import func, insert, select, text  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from core.accounts import create_account  # noqa: E402
from core.clock import now_utc  # noqa: E402
from core.models import TrafficEntry  # noqa: E402
from gateway.app import create_app  # noqa: E402
from gateway.console.traffic_stats import traffic_report, traffic_series  # noqa: E402
from gateway.migrations import upgrade  # noqa: E402
from gateway.settings import Settings  # noqa: E402
from gateway.traffic import prune_traffic  # noqa: E402

ENDPOINTS = {"invoiceocean": ["invoices.list", "invoices.show", "invoices.create", "clients.list"],
             "invo": ["invo:invoices.list", "invo:invoices.add", "invo:customers.list"],
             "fakturan": ["invoices.list", "invoices.show", "invoices.create", "payments.create"]}


def _timed(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def fill(engine: Any, account_id: int, credential_ids: list[int], user_id: int, rows: int, days: int = 35) -> float:
    rng = random.Random(7)
    now = now_utc()
    started = time.perf_counter()
    batch: list[dict[str, Any]] = []
    # One transaction per 50,000 rows, so the server's own writers are not locked out meanwhile.
    for _ in range(rows):
        dialect = rng.choice(list(ENDPOINTS))
        batch.append({"account_id": account_id, "credential_id": rng.choice(credential_ids) if dialect != "invo"
                      else None, "user_id": user_id, "dialect": dialect, "method": "GET", "path": "/x",
                      "endpoint": rng.choice(ENDPOINTS[dialect]), "status": 200 if rng.random() > 0.03 else 422,
                      "latency_ms": 3.0, "request_id": "",
                      "created_at": now - timedelta(seconds=rng.random() * days * 86400)})
        if len(batch) == 50_000:
            with engine.begin() as conn:
                conn.execute(insert(TrafficEntry), batch)
            batch = []
    if batch:
        with engine.begin() as conn:
            conn.execute(insert(TrafficEntry), batch)
    return time.perf_counter() - started


def latencies(client: TestClient, auth: tuple[str, str], n: int) -> dict[str, float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        assert client.get("/api/v2/invoices", auth=auth).status_code == 200
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"p50": statistics.median(samples), "p95": samples[int(len(samples) * 0.95) - 1], "mean":
            statistics.fmean(samples)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="traffic-measure-"))
    url = f"sqlite:///{folder / 'gateway.sqlite3'}"
    upgrade(url)
    app = create_app(Settings(database_url=url, outbox_dir=folder / "outbox", console_secret="m" * 32))
    engine = app.state.engine
    creds = app.state.ledger.write(create_account, "Measure").as_dict()
    auth = (creds["fakturan"]["key_id"], creds["fakturan"]["password"])
    with engine.connect() as conn:
        credential_ids = list(conn.execute(text("select id from credentials")).scalars())
        user_id = conn.execute(text("select id from users")).scalar_one()
    account_id = creds["account_id"]
    with TestClient(app) as client:
        latencies(client, auth, 30)  # warm-up
        empty = latencies(client, auth, args.requests)
        seconds = fill(engine, account_id, credential_ids, user_id, args.rows)
        print(f"bulk insert of {args.rows:,} rows: {seconds:.1f} s")
        full = latencies(client, auth, args.requests)
        print(f"request latency, empty log: p50 {empty['p50']:.2f} ms p95 {empty['p95']:.2f} ms")
        print(f"request latency, {args.rows:,} rows: p50 {full['p50']:.2f} ms p95 {full['p95']:.2f} ms")

        def queries() -> Any:
            now = now_utc()
            app.state.ledger.read(traffic_report, account_id, now)
            return app.state.ledger.read(traffic_series, account_id, now, "week")
        q_time, _ = _timed(queries, 3)
        week = app.state.ledger.read(traffic_report, account_id, now_utc()).total.requests["week"]
        print(f"console traffic queries (report + week chart, {week:,} rows in the week): {q_time * 1000:.0f} ms")
        from tests.gateway.console.helpers import sign_in_as
        sign_in_as(client, creds)
        page_time, _ = _timed(lambda: client.get("/console/traffic?window=week"), 3)
        print(f"GET /console/traffic?window=week: {page_time * 1000:.0f} ms")
        with engine.begin() as conn:  # the same queries with only the index 0001 had
            conn.execute(text("drop index ix_traffic_console"))
            conn.execute(text("create index ix_traffic_account_time on traffic_log (account_id, created_at)"))
        old_time, _ = _timed(queries, 3)
        print(f"  ... with only (account_id, created_at): {old_time * 1000:.0f} ms")
        with engine.begin() as conn:
            conn.execute(text("drop index ix_traffic_account_time"))
            conn.execute(text("create index ix_traffic_console on traffic_log (account_id, created_at, dialect, "
                              "endpoint, credential_id, user_id, status)"))
        before = _count(engine)
        result = prune_traffic(engine, 30)
        print(f"prune (30 days) of {result.deleted:,} of {before:,} rows: {result.seconds:.1f} s in "
              f"{result.batches} batches ({result.seconds / max(result.batches, 1) * 1000:.0f} ms per batch)")


def _count(engine: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(TrafficEntry)).scalar_one())


if __name__ == "__main__":
    main()
