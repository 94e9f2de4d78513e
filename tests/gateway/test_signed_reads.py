"""A get or a list looks its credential up in its own read's transaction (dialects.kit.context.read_signed), so
the endpoint runs before the caller is known. A refused caller still hears only of the refusal, in its
dialect's format, whatever else is wrong with the request; and a refusal counts once against the rate limit."""
from __future__ import annotations

import json
from typing import Any

from starlette.testclient import TestClient

from core.accounts import set_active
from dialects.kit.ratelimit import AuthLimiter

UNAUTHORIZED = {"code": "error", "message": "You must be logged in to gain access to the site"}
DEACTIVATED = {"code": "error", "message": "Account is deactivated"}


def test_invoiceocean_refuses_the_caller_before_a_missing_invoice_or_a_bad_filter(
        client: TestClient, account: dict[str, Any], ledger: Any) -> None:
    token = account["invoiceocean"]["api_token"]
    for path in ("/invoices/999999.json?api_token=wrong", "/invoices.json?api_token=wrong&period=more&date_from=x",
                 "/invoices/999999.json?send_to_ksef=maybe&api_token=wrong"):
        answer = client.get(path)
        assert (answer.status_code, answer.json()) == (401, UNAUTHORIZED), path
    assert client.get(f"/invoices/999999.json?api_token={token}").status_code == 404
    assert client.get(f"/invoices.json?api_token={token}&period=more&date_from=x").status_code == 422
    ledger.write(set_active, "Acme", False)
    for path in (f"/invoices/999999.json?api_token={token}",
                 f"/invoices.json?api_token={token}&period=more&date_from=x"):
        answer = client.get(path)
        assert (answer.status_code, answer.json()) == (401, DEACTIVATED), path


def test_invo_answers_1_before_a_bad_filter_or_a_missing_invoice(client: TestClient, account: dict[str, Any]) -> None:
    good = (account["invo"]["login"], account["invo"]["password"])
    for q in ({"action": "list", "status": 9}, {"action": "list", "id": 999999, "items": 1}):
        wrong = client.post("/api.json", auth=(good[0], "wrong"), data={"r": "invoices", "q": json.dumps(q)})
        assert wrong.json()["error"] == 1, (q, wrong.text)
        right = client.post("/api.json", auth=good, data={"r": "invoices", "q": json.dumps(q)})
        assert right.json()["error"] in (6, 8), (q, right.text)


def test_fakturan_refuses_the_caller_before_a_bad_filter_or_a_missing_invoice(
        client: TestClient, fakturan_account: dict[str, Any]) -> None:
    key_id, password = fakturan_account["fakturan"]["key_id"], fakturan_account["fakturan"]["password"]
    for path in ("/api/v2/invoices?start_date=someday", "/api/v2/invoices/999999", "/api/v2/clients/999999/invoices"):
        assert client.get(path, auth=(key_id, "wrong")).status_code == 401, path
        assert client.get(path, auth=(key_id, password)).status_code in (404, 422), path


def test_a_refused_get_counts_once_against_the_rate_limit(app: Any, client: TestClient,
                                                          account: dict[str, Any]) -> None:
    app.state.auth_limiter = AuthLimiter(3, 60.0, clock=lambda: 1000.0, spray_limit=100)
    login = account["invo"]["login"]
    for _ in range(3):  # each of these has a second fault, found before the credential was looked up
        assert client.get("/invoices/999999.json?period=more&date_from=x", auth=(login, "wrong")).status_code == 401
    assert client.get("/invoices/999999.json", auth=(login, "wrong")).status_code == 429
