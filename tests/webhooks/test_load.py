"""A burst of 1,000 creates produces 1,000 deliveries and no duplicate (the lag is measured by
benchmarks/webhook_lag.py, not here)."""
from __future__ import annotations

from typing import Any

from sqlmodel import select
from starlette.testclient import TestClient

from core.models import WebhookDelivery
from tests.webhooks.conftest import Receiver, subscribe

BURST = 1000


def test_a_burst_of_1000_creates_is_1000_deliveries_without_duplicates(
        client: TestClient, account: dict[str, Any], receiver: Receiver, ledger: Any) -> None:
    token = account["invoiceocean"]["api_token"]
    subscribe(client, token, "client:create", receiver.url)
    made = [client.post("/clients.json", json={"api_token": token, "client": {"name": f"Klient {i}"}}).json()["id"]
            for i in range(BURST)]

    received = receiver.wait_for(BURST, timeout=300)
    ids = [r.headers["webhook-id"] for r in received]
    assert len(ids) == len(set(ids)) == BURST
    assert sorted(r.json["client"]["id"] for r in received) == sorted(made)
    statuses = ledger.read(lambda s: [d.status for d in s.execute(select(WebhookDelivery)).scalars()])
    assert len(statuses) == BURST
