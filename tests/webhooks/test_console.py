"""The console's webhooks page: webhooks and recent deliveries of the signed-in account only, "send again"
(same webhook-id) and "send a test event"."""
from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.dialects.invoiceocean.conftest import create_invoice
from tests.gateway.console.helpers import sign_in_as
from tests.webhooks.conftest import Receiver, subscribe, verified, wait_until


def test_the_page_lists_deliveries_and_sends_again_with_the_same_webhook_id(
        client: TestClient, account: dict[str, Any], other_account: dict[str, Any], receiver: Receiver) -> None:
    token = account["invoiceocean"]["api_token"]
    hook = subscribe(client, token, "invoice:create", receiver.url)
    subscribe(client, other_account["invoiceocean"]["api_token"], "client:create", "http://127.0.0.1:9/elsewhere")
    receiver.answers = [503] * 1000  # it keeps failing until "send again" after the fix
    create_invoice(client, token)
    receiver.wait_for(1)
    csrf = sign_in_as(client, account)

    page = wait_until(lambda: (lambda p: p if "HTTP 503" in p.text else None)(client.get("/console/webhooks")))
    assert 'data-testid="webhook-1"' in page.text and receiver.url in page.text
    assert "elsewhere" not in page.text  # another account's webhook
    assert 'data-testid="delivery-1"' in page.text

    receiver.answers.clear()
    before = len(receiver.requests)
    resent = client.post("/console/webhooks/deliveries/1/resend", data={"csrf_token": csrf})
    assert resent.status_code == 200 and "is queued again" in resent.text
    received = receiver.wait_for(before + 1)
    assert received[-1].headers["webhook-id"] == received[0].headers["webhook-id"]
    verified(received[-1], hook["secret"])
    assert "delivered" in wait_until(lambda: (lambda p: p if "pill ok\">delivered" in p.text else None)(
        client.get("/console/webhooks"))).text


def test_a_test_event_shows_the_latest_record_of_the_webhooks_kind(
        client: TestClient, account: dict[str, Any], other_account: dict[str, Any], receiver: Receiver) -> None:
    token = account["invoiceocean"]["api_token"]
    created = create_invoice(client, token)
    hook = subscribe(client, token, "invoice:update", receiver.url)
    csrf = sign_in_as(client, account)
    answer = client.post(f"/console/webhooks/{hook['id']}/test", data={"csrf_token": csrf})
    assert answer.status_code == 200 and "test event is queued" in answer.text
    [received] = receiver.wait_for(1)
    body = verified(received, hook["secret"])
    assert (body["invoice"]["id"], body["test"]) == (created["id"], True)

    theirs = subscribe(client, other_account["invoiceocean"]["api_token"], "invoice:create", receiver.url)
    assert client.post(f"/console/webhooks/{theirs['id']}/test", data={"csrf_token": csrf}).status_code == 404
    assert client.post("/console/webhooks/1/test", data={}).status_code == 403  # no CSRF token
