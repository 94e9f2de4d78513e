"""Delivery: at least once with retries and the same webhook-id, in order per resource, 410 deactivates,
private targets refused, accounts isolated, nothing lost across a restart."""
from __future__ import annotations

import json
from typing import Any

import httpx
from sqlmodel import col, select
from starlette.testclient import TestClient

from core.ledger import Ledger
from core.models import EventRecord, Webhook, WebhookDelivery
from gateway.db import make_engine
from tests.dialects.invoiceocean.conftest import create_invoice
from tests.support.live_server import LiveServer
from tests.webhooks.conftest import RECEIVER_TOKEN, Receiver, subscribe, verified, wait_until


def _deliveries(ledger: Any) -> list[WebhookDelivery]:
    return ledger.read(lambda s: list(s.execute(select(WebhookDelivery).order_by(col(WebhookDelivery.id))).scalars()))


def test_two_500s_then_200_is_three_attempts_with_one_webhook_id_and_delivered(
        client: TestClient, account: dict[str, Any], receiver: Receiver, ledger: Any) -> None:
    token = account["invoiceocean"]["api_token"]
    hook = subscribe(client, token, "invoice:create", receiver.url)
    receiver.answers = [500, 500]
    create_invoice(client, token)

    attempts = receiver.wait_for(3)
    assert len(attempts) == 3
    assert len({a.headers["webhook-id"] for a in attempts}) == 1
    assert len({a.body for a in attempts}) == 1
    for attempt in attempts:
        verified(attempt, hook["secret"])
    [delivery] = wait_until(lambda: [d for d in _deliveries(ledger) if d.status == "delivered"])
    assert (delivery.attempts, delivery.last_status, delivery.last_error) == (3, 200, "")
    assert delivery.message_id == attempts[0].headers["webhook-id"]


def test_a_410_deactivates_the_webhook_and_nothing_more_is_sent(
        client: TestClient, account: dict[str, Any], receiver: Receiver, ledger: Any) -> None:
    token = account["invoiceocean"]["api_token"]
    hook = subscribe(client, token, "client:create", receiver.url)
    receiver.answers = [410]
    client.post("/clients.json", json={"api_token": token, "client": {"name": "Pierwszy"}})
    receiver.wait_for(1)
    assert wait_until(lambda: not client.get(f"/webhooks/{hook['id']}.json?api_token={token}").json()["active"])
    [delivery] = wait_until(lambda: [d for d in _deliveries(ledger) if d.status != "queued"])
    assert (delivery.status, delivery.last_status) == ("failed", 410)

    client.post("/clients.json", json={"api_token": token, "client": {"name": "Drugi"}})
    assert len(_deliveries(ledger)) == 1  # an inactive webhook gets no delivery
    assert len(receiver.requests) == 1


def test_a_webhook_pointing_at_an_unlisted_private_address_is_refused_at_creation(
        client: TestClient, account: dict[str, Any], ledger: Any) -> None:
    token = account["invoiceocean"]["api_token"]
    for url in ("http://10.0.0.7/hook", "http://192.168.1.20:8080/hook", "http://169.254.169.254/latest",
                "http://[::1]:9000/hook", "http://0.0.0.0/hook", "ftp://example.com/hook"):
        response = client.post("/webhooks.json", json={"api_token": token, "webhook": {
            "kind": "invoice:create", "url": url, "api_token": "X"}})
        assert response.status_code == 422, url
        assert list(response.json()["message"]) == ["url"]
    assert ledger.read(lambda s: s.execute(select(Webhook)).first()) is None


def test_an_unknown_kind_is_a_validation_error(client: TestClient, account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    response = client.post("/webhooks.json", json={"api_token": token, "webhook": {
        "kind": "invoice:explode", "url": "http://127.0.0.1:9/hook"}})
    assert response.status_code == 422
    assert list(response.json()["message"]) == ["kind"]


def test_crud_answers_in_json_and_xml_and_shows_the_secret_only_once(
        client: TestClient, account: dict[str, Any], receiver: Receiver) -> None:
    token = account["invoiceocean"]["api_token"]
    created = subscribe(client, token, "invoice:create", receiver.url)
    assert created["secret"].startswith("whsec_")
    assert {k: created[k] for k in ("kind", "url", "api_token", "active")} == {
        "kind": "invoice:create", "url": receiver.url, "api_token": RECEIVER_TOKEN, "active": True}
    shown = client.get(f"/webhooks/{created['id']}.json?api_token={token}").json()
    assert shown == {k: v for k, v in created.items() if k != "secret"}
    assert client.get(f"/webhooks.json?api_token={token}").json() == [shown]

    xml = client.get(f"/webhooks/{created['id']}.xml?api_token={token}")
    assert xml.status_code == 200 and "<webhook>" in xml.text and "secret" not in xml.text
    updated = client.put(f"/webhooks/{created['id']}.xml?api_token={token}",
                         content="<webhook><kind>invoice:update</kind><api-token>NEW</api-token></webhook>",
                         headers={"Content-Type": "application/xml"})
    assert updated.status_code == 200, updated.text
    again = client.get(f"/webhooks/{created['id']}.json?api_token={token}").json()
    assert (again["kind"], again["api_token"]) == ("invoice:update", "NEW")

    deleted = client.delete(f"/webhooks/{created['id']}.json?api_token={token}")
    assert deleted.json() == {"code": "success", "message": "Webhook deleted"}
    assert client.get(f"/webhooks/{created['id']}.json?api_token={token}").status_code == 404
    assert client.get("/webhooks.json").status_code == 401


def test_account_b_receiver_sees_nothing_of_account_a(
        client: TestClient, account: dict[str, Any], other_account: dict[str, Any], receiver: Receiver,
        other_receiver: Receiver) -> None:
    token, other = account["invoiceocean"]["api_token"], other_account["invoiceocean"]["api_token"]
    mine = subscribe(client, token, "invoice:create", receiver.url)
    theirs = subscribe(client, other, "invoice:create", other_receiver.url)
    assert client.get(f"/webhooks/{mine['id']}.json?api_token={other}").status_code == 404
    assert client.delete(f"/webhooks/{mine['id']}.json?api_token={other}").status_code == 404

    created = create_invoice(client, token)
    [received] = receiver.wait_for(1)
    assert verified(received, mine["secret"])["invoice"]["id"] == created["id"]
    other_invoice = create_invoice(client, other)
    [seen] = other_receiver.wait_for(1)
    assert verified(seen, theirs["secret"])["invoice"]["id"] == other_invoice["id"]
    assert len(receiver.requests) == 1


def test_deliveries_of_one_resource_keep_their_order_through_retries(
        client: TestClient, account: dict[str, Any], receiver: Receiver, ledger: Any) -> None:
    token = account["invoiceocean"]["api_token"]
    hook = subscribe(client, token, "client:update", receiver.url)
    made = client.post("/clients.json", json={"api_token": token, "client": {"name": "Klient"}}).json()
    receiver.answers = [500, 500]
    for city in ("Gdańsk", "Poznań", "Opole"):
        client.put(f"/clients/{made['id']}.json", json={"api_token": token, "client": {"city": city}})

    received = receiver.wait_for(5)
    cities = [verified(r, hook["secret"])["client"]["city"] for r in received]
    assert cities == ["Gdańsk", "Gdańsk", "Gdańsk", "Poznań", "Opole"]


def test_each_change_is_one_event_in_its_own_transaction(client: TestClient, account: dict[str, Any],
                                                         ledger: Any) -> None:
    token = account["invoiceocean"]["api_token"]
    created = create_invoice(client, token)  # creates its buyer as a client too
    client.delete(f"/invoices/{created['id']}.json?api_token={token}")
    bad = client.post("/invoices.json", json={"api_token": token, "invoice": {"kind": "vat", "positions": []}})
    assert bad.status_code == 422
    kinds = ledger.read(lambda s: [(e.kind, e.record_id) for e in s.execute(
        select(EventRecord).order_by(col(EventRecord.id))).scalars()])
    assert sorted(kinds[:2]) == [("client:create", created["client_id"]), ("invoice:create", created["id"])]
    assert kinds[2:] == [("invoice:destroy", created["id"])]


def test_a_restart_mid_retry_loses_no_event(live_server_factory: Any, receiver: Receiver) -> None:
    server: LiveServer = live_server_factory(env={"GATEWAY_WEBHOOK_ALLOW_HOSTS": "127.0.0.1",
                                                  "GATEWAY_WEBHOOK_RETRY_BASE": "1"})
    token = json.loads(server.run_cli("accounts", "create", "Acme", "--json").stdout)["invoiceocean"]["api_token"]
    api = httpx.Client(base_url=server.base_url)
    hook = api.post("/webhooks.json", json={"api_token": token, "webhook": {
        "kind": "product:create", "url": receiver.url, "api_token": RECEIVER_TOKEN}}).json()
    receiver.answers = [500] * 1000  # every attempt before the crash fails
    made = api.post("/products.json", json={"api_token": token, "product": {"name": "P", "price_net": "1"}}).json()
    receiver.wait_for(1)
    ledger = Ledger(make_engine(server.database_url))
    assert wait_until(lambda: any(d.attempts for d in _deliveries(ledger)))  # between two attempts: mid-retry
    server.kill()
    failed = len(receiver.requests)
    receiver.answers.clear()

    server.restart()
    received = receiver.wait_for(failed + 1)
    assert len(received) == failed + 1
    assert received[-1].headers["webhook-id"] == received[0].headers["webhook-id"]
    assert verified(received[-1], hook["secret"])["product"]["id"] == made["id"]
    assert wait_until(lambda: [d.status for d in _deliveries(ledger)] == ["delivered"])
    ledger.engine.dispose()
