"""The console: the account's KSeF mode, and the Rosetta view's KSeF status, number and documents."""
from __future__ import annotations

from typing import Any

from ksef_client.documents.fa3.xml import validate_fa3_xml_xsd
from starlette.testclient import TestClient

from tests.einvoice.conftest import QUICK_START, post, settled, wait_for
from tests.gateway.console.helpers import csrf_of, sign_in_as


def test_console_sets_the_ksef_mode_and_the_rosetta_view_shows_status_number_and_documents(
        client: TestClient, account: dict[str, Any], token: str) -> None:
    csrf = sign_in_as(client, account)
    listing = client.get("/console/invoices")
    assert '<option value="demo" selected>' in listing.text
    changed = client.post("/console/ksef-mode", data={"csrf_token": csrf, "mode": "production", "validate": "on"},
                          follow_redirects=False)
    assert changed.status_code == 303
    assert '<option value="production" selected>' in client.get("/console/invoices").text
    created = post(client, "/invoices.json", {"api_token": token, "invoice": QUICK_START}).json()
    page = client.get(f"/console/invoices/{created['id']}")
    assert 'data-testid="ksef-status">not sent<' in page.text
    sent = client.post(f"/console/invoices/{created['id']}/ksef", data={"csrf_token": csrf_of(page.text)},
                       follow_redirects=False)
    assert sent.status_code == 303
    body = wait_for(client, token, created["id"], settled)
    assert body["gov_status"] == "ok"
    page = client.get(f"/console/invoices/{created['id']}")
    assert f'data-testid="ksef-number">{body["gov_id"]}<' in page.text
    assert 'data-testid="ksef-status">ok<' in page.text
    fa3 = client.get(f"/console/invoices/{created['id']}/ksef/fa3.xml")
    assert fa3.status_code == 200
    validate_fa3_xml_xsd(fa3.content)
    assert body["gov_id"] in client.get(f"/console/invoices/{created['id']}/ksef/upo.xml").text


def test_console_refuses_an_unknown_mode(client: TestClient, account: dict[str, Any]) -> None:
    csrf = sign_in_as(client, account)
    assert client.post("/console/ksef-mode", data={"csrf_token": csrf, "mode": "sideways"}).status_code == 422
