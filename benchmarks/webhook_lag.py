"""Webhook delivery lag under a burst (issue 21): N invoice creates, as fast as 8 clients can send them, to a
gateway served as `make run` serves it (the CLI, uvicorn, SQLite), with one invoice:create webhook.

    .venv/bin/python -m benchmarks.webhook_lag            # 1,000 creates
    .venv/bin/python -m benchmarks.webhook_lag --creates 200

Lag is the time from the event's commit (events.created_at, written in the create's transaction) to the
receiver having the delivery. Prints the counts (deliveries, distinct webhook-ids, duplicates) and the lag
percentiles as JSON; a benchmark, never part of `make test`.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from tests.support.live_server import LiveServer  # noqa: E402
from tests.webhooks.conftest import Receiver  # noqa: E402  (the tests' real HTTP receiver)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(creates: int) -> dict[str, Any]:
    receiver = Receiver()
    with LiveServer(env={"GATEWAY_WEBHOOK_ALLOW_HOSTS": "127.0.0.1"}) as server:
        token = json.loads(server.run_cli("accounts", "create", "Acme", "--json").stdout)["invoiceocean"]["api_token"]
        api = httpx.Client(base_url=server.base_url, timeout=60)
        api.post("/webhooks.json", json={"api_token": token, "webhook": {
            "kind": "invoice:create", "url": receiver.url, "api_token": "RECEIVER"}}).raise_for_status()
        body = {"api_token": token, "invoice": {"kind": "vat", "buyer_name": "Klient1 Sp. z o.o.",
                                                "positions": [{"name": "A", "tax": 23, "total_price_gross": "10.23",
                                                               "quantity": 1}]}}

        def create(_i: int) -> None:
            with httpx.Client(base_url=server.base_url, timeout=60) as client:
                client.post("/invoices.json", json=body).raise_for_status()

        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(create, range(creates)))
        burst_s = time.monotonic() - started
        receiver.wait_for(creates, timeout=300)
        engine = create_engine(server.database_url)
        with engine.connect() as conn:
            committed = {row[0]: row[1] for row in conn.execute(text(
                "SELECT d.message_id, e.created_at FROM webhook_deliveries d JOIN events e ON e.id = d.event_id"))}
        engine.dispose()
    receiver.stop()
    seen = [(r.headers["webhook-id"], r.at) for r in receiver.requests]
    lags = [received - _epoch(committed[message]) for message, received in seen if message in committed]
    ids = [message for message, _t in seen]
    return {"creates": creates, "burst_seconds": round(burst_s, 2), "creates_per_second": round(creates / burst_s, 1),
            "deliveries_received": len(ids), "distinct_webhook_ids": len(set(ids)),
            "duplicates": len(ids) - len(set(ids)),
            "lag_ms": {"p50": round(percentile(lags, 50) * 1000, 1), "p99": round(percentile(lags, 99) * 1000, 1),
                       "max": round(max(lags) * 1000, 1), "mean": round(statistics.mean(lags) * 1000, 1)}}


def _epoch(stamp: Any) -> float:
    value = datetime.fromisoformat(str(stamp))
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creates", type=int, default=1000)
    print(json.dumps(run(parser.parse_args().creates), indent=2))


if __name__ == "__main__":
    main()
