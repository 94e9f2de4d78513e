"""Translate in the console: the form and POST /console/api/translate, on gateway.translate."""
from __future__ import annotations

import json
import re
from typing import Any

from starlette.testclient import TestClient

from tests.gateway.console.helpers import sign_in_as

INVO_ADD = json.dumps({"action": "add", "type2": "+FV", "c1name": "Klient1", "mdate": "2025-05-01",
                       "items": [{"product": "Produkt A1", "count": 1, "pnetto": "10.00", "vatsm": "23%"}]})


def test_the_api_translates_an_invo_add_into_the_other_dialects(client: TestClient, account: dict[str, Any]) -> None:
    csrf = sign_in_as(client, account)
    response = client.post("/console/api/translate", headers={"X-CSRF-Token": csrf},
                           json={"from": "invo", "to": ["fakturan"], "request": {"r": "invoices", "q": INVO_ADD}})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["from"] == "invo" and result["command"] == "CreateInvoice"
    assert set(result["requests"]) == {"fakturan"}
    fakturan = result["requests"]["fakturan"]
    assert (fakturan["method"], fakturan["path"]) == ("POST", "/api/v2/invoices")
    assert "Produkt A1" in fakturan["curl"] and "$FAKTURAN_KEY_ID" in fakturan["curl"]
    assert account["fakturan"]["key_id"] not in fakturan["curl"]  # placeholders, never the account's secrets


def test_the_api_answers_422_with_the_engines_message_and_400_for_a_malformed_call(
        client: TestClient, account: dict[str, Any]) -> None:
    csrf = sign_in_as(client, account)
    refused = client.post("/console/api/translate", headers={"X-CSRF-Token": csrf},
                          json={"from": "invo", "request": {"r": "nonsense", "q": "{}"}})
    assert refused.status_code == 422 and "nonsense" in refused.json()["error"]
    for body in (b"not json", b"[1]", json.dumps({"from": "cobol", "request": {}}).encode(),
                 json.dumps({"from": "invo", "request": "r=invoices"}).encode(),
                 json.dumps({"from": "invo", "to": ["cobol"], "request": {"r": "invoices"}}).encode()):
        bad = client.post("/console/api/translate", headers={"X-CSRF-Token": csrf}, content=body)
        assert bad.status_code == 400, body


def test_the_translate_form_shows_curl_commands_for_both_other_dialects(client: TestClient,
                                                                        account: dict[str, Any]) -> None:
    csrf = sign_in_as(client, account)
    page = client.post("/console/translate", data={"csrf_token": csrf, "from": "invo", "r": "invoices",
                                                   "q": INVO_ADD})
    assert page.status_code == 200
    assert 'data-testid="translated-invoiceocean"' in page.text and 'data-testid="translated-fakturan"' in page.text
    assert re.search(r"curl -s -X POST .*?/invoices\.json\?api_token=\$API_TOKEN", page.text)
    assert "CreateInvoice" in page.text
    wrong = client.post("/console/translate", data={"csrf_token": csrf, "from": "invoiceocean", "method": "POST",
                                                    "path": "/nowhere.json", "body": "{}"})
    assert wrong.status_code == 422 and 'data-testid="translate-error"' in wrong.text
