"""The real transport (KSeF API v2 through ksef-client), end to end against a local fake of the endpoints."""
from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any, Iterator

import pytest
from ksef_client.utils.ksef_number import validate_ksef_number
from sqlmodel import select
from starlette.testclient import TestClient

from core import delivery
from core.clock import now_utc
from core.einvoice.outbox import MAX_ATTEMPTS, ksef_channel
from core.models import KsefDocument, KsefSend
from gateway.ksef_client_transport import KsefClientTransport
from gateway.settings import Settings
from tests.einvoice.conftest import QUICK_START, post, settled, wait_for
from tests.einvoice.fake_ksef import FakeKsef, Served


@pytest.fixture
def fake_ksef() -> Iterator[FakeKsef]:
    with Served(FakeKsef()) as fake:
        yield fake


@pytest.fixture
def settings(settings: Settings, fake_ksef: FakeKsef) -> Settings:
    return dataclasses.replace(settings, ksef_url=fake_ksef.url, ksef_token=fake_ksef.token, ksef_poll_seconds=0.05)


def test_an_invoice_goes_through_the_ksef_api_and_comes_back_with_its_number_and_upo(
        client: TestClient, token: str, fake_ksef: FakeKsef) -> None:
    assert isinstance(client.app.state.ksef_transport, KsefClientTransport)  # type: ignore[attr-defined]
    created = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True, "invoice": QUICK_START})
    assert created.status_code == 201, created.text
    body = wait_for(client, token, created.json()["id"], settled)
    assert body["gov_status"] == "demo_ok", body["gov_error_messages"]
    assert validate_ksef_number(body["gov_id"]).is_valid
    sent = client.get(f"/invoices/{body['id']}/attachment", params={"kind": "gov", "api_token": token}).content
    assert fake_ksef.received == [sent]  # what KSeF decrypted is the document the gateway shows
    upo = client.get(f"/invoices/{body['id']}/attachment", params={"kind": "gov_upo", "api_token": token}).text
    assert body["gov_id"] in upo


def test_a_refused_ksef_token_leaves_the_invoice_not_connected(client: TestClient, token: str,
                                                               fake_ksef: FakeKsef) -> None:
    fake_ksef.token = "not-the-token-the-gateway-has"
    created = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True, "invoice": QUICK_START})
    body = wait_for(client, token, created.json()["id"], settled)
    assert body["gov_status"] == "demo_not_connected" and body["gov_id"] is None
    assert "450" in body["gov_error_messages"][0] and fake_ksef.received == []


def test_an_unavailable_ksef_is_retried_by_the_queue(client: TestClient, token: str, fake_ksef: FakeKsef,
                                                     app: Any) -> None:
    fake_ksef.fail_next_session = 1
    created = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True, "invoice": QUICK_START})
    invoice_id = created.json()["id"]

    def queued(session: Any) -> Any:
        return session.execute(select(KsefSend)).scalars().one()
    deadline = wait_for(client, token, invoice_id, lambda body: app.state.ledger.read(queued).attempts >= 1)
    assert deadline["gov_status"] == "demo_processing"
    send = app.state.ledger.read(queued)
    assert send.status == "queued" and send.next_attempt_at > now_utc() and "503" in send.last_error
    delivery.deliver_due(app.state.engine, ksef_channel(app.state.ksef_transport), now=now_utc() + timedelta(hours=1))
    body = wait_for(client, token, invoice_id, settled)
    assert body["gov_status"] == "demo_ok"
    document = app.state.ledger.read(lambda session: session.execute(select(KsefDocument)).scalars().one())
    assert document.gov_id == body["gov_id"] and len(fake_ksef.received) == 1


def test_a_ksef_unreachable_for_five_tries_gives_the_invoice_server_error_and_is_not_tried_again(
        client: TestClient, token: str, fake_ksef: FakeKsef, app: Any) -> None:
    fake_ksef.fail_next_session = MAX_ATTEMPTS + 1
    created = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True, "invoice": QUICK_START})
    invoice_id = created.json()["id"]

    def queued(session: Any) -> Any:
        return session.execute(select(KsefSend)).scalars().one()
    wait_for(client, token, invoice_id, lambda body: app.state.ledger.read(queued).attempts >= 1)
    channel = ksef_channel(app.state.ksef_transport)
    for tried in range(2, MAX_ATTEMPTS + 1):  # each retry when its backoff has passed (at most an hour)
        assert app.state.ledger.read(queued).status == "queued"
        report = delivery.deliver_due(app.state.engine, channel, now=now_utc() + timedelta(hours=tried))
        assert list(report.statuses.values()) == ["failed" if tried == MAX_ATTEMPTS else "queued"]
    send = app.state.ledger.read(queued)
    assert (send.status, send.attempts, send.next_attempt_at) == ("failed", MAX_ATTEMPTS, None)
    body = client.get(f"/invoices/{invoice_id}.json", params={"api_token": token}).json()
    assert body["gov_status"] == "demo_server_error" and body["gov_id"] is None
    assert body["gov_error_messages"] == [send.last_error] and "503" in send.last_error
    assert delivery.deliver_due(app.state.engine, channel, now=now_utc() + timedelta(days=1)).statuses == {}
    assert fake_ksef.fail_next_session == 1 and fake_ksef.received == []


def test_a_send_left_queued_by_a_process_that_ended_after_ksef_answered_is_not_sent_again(
        client: TestClient, token: str, fake_ksef: FakeKsef, app: Any) -> None:
    created = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True, "invoice": QUICK_START})
    body = wait_for(client, token, created.json()["id"], settled)
    assert body["gov_status"] == "demo_ok" and len(fake_ksef.received) == 1

    def requeue(session: Any) -> None:  # the row as a crash between KSeF's answer and recording it leaves it
        send = session.execute(select(KsefSend)).scalars().one()
        send.status, send.next_attempt_at = "queued", now_utc()
    app.state.ledger.write(requeue)
    report = delivery.deliver_due(app.state.engine, ksef_channel(app.state.ksef_transport),
                                  now=now_utc() + timedelta(hours=1))
    assert list(report.statuses.values()) == ["done"] and len(fake_ksef.received) == 1
    after = client.get(f"/invoices/{body['id']}.json", params={"api_token": token}).json()
    assert (after["gov_status"], after["gov_id"]) == ("demo_ok", body["gov_id"])
