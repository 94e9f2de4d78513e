"""Every error shape in JSON and XML, and that nothing is written when a request fails."""
from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from core.accounts import set_active
from tests.dialects.invoiceocean.conftest import create_invoice, post_json

UNAUTHORIZED = {"code": "error", "message": "You must be logged in to gain access to the site"}


def test_bad_token_is_401_in_json(client: TestClient) -> None:
    response = client.get("/invoices.json?api_token=nope")
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_bad_token_is_401_in_xml(client: TestClient) -> None:
    response = client.get("/invoices.xml?api_token=nope")
    assert response.status_code == 401
    assert response.text == ('<?xml version="1.0" encoding="UTF-8"?>\n<hash>\n  <code>error</code>\n'
                             '  <message>You must be logged in to gain access to the site</message>\n</hash>\n')


def test_token_is_accepted_bare_with_prefix_bearer_and_in_body(client: TestClient, token: str) -> None:
    bare = token.split("/")[0]
    assert client.get(f"/invoices.json?api_token={bare}").status_code == 200
    assert client.get("/invoices.json", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get(f"/invoices.json?api_token={bare}/other-prefix").status_code == 401


def test_host_prefix_must_match_the_account(client: TestClient, token: str) -> None:
    assert client.get(f"/invoices.json?api_token={token}", headers={"Host": "acme.localhost"}).status_code == 200
    assert client.get(f"/invoices.json?api_token={token}", headers={"Host": "evil.localhost"}).status_code == 401
    behind_proxy = TestClient(client.app, client=("127.0.0.1", 40000))  # X-Forwarded-Host from a trusted proxy
    assert behind_proxy.get(f"/invoices.json?api_token={token}",
                            headers={"X-Forwarded-Host": "evil.invoiceocean.com"}).status_code == 401
    assert client.get(f"/invoices.json?api_token={token}", headers={"Host": "127.0.0.1:8000"}).status_code == 200


def test_deactivated_account_is_401(client: TestClient, token: str, ledger: Any) -> None:
    ledger.write(set_active, "Acme", False)
    response = client.get(f"/invoices.json?api_token={token}")
    assert (response.status_code, response.json()) == (401, {"code": "error", "message": "Account is deactivated"})


def test_unknown_id_is_404_in_json_and_xml(client: TestClient, token: str) -> None:
    response = client.get(f"/invoices/999.json?api_token={token}")
    assert (response.status_code, response.json()) == (404, {"code": "error", "message": "Not found"})
    xml = client.get(f"/clients/999.xml?api_token={token}")
    assert xml.status_code == 404 and "<message>Not found</message>" in xml.text


def test_unknown_path_is_404_in_dialect_format(client: TestClient) -> None:
    response = client.get("/nothing-here.json")
    assert (response.status_code, response.json()) == (404, {"code": "error", "message": "Not found"})


def test_validation_is_422_with_invoiceocean_field_names(client: TestClient, token: str) -> None:
    response = post_json(client, "/invoices.json", {"api_token": token, "invoice": {
        "positions": [{"name": "A", "tax": "23", "total_price_gross": "1"}]}})
    assert (response.status_code, response.json()) == (
        422, {"code": "error", "message": {"buyer_name": ["can't be blank"]}})
    response = post_json(client, "/invoices.json", {"api_token": token, "invoice": {
        "buyer_name": "X", "positions": [{"name": "A", "tax": "bogus", "total_price_gross": "1"}]}})
    assert (response.status_code, response.json()) == (
        422, {"code": "error", "message": {"positions.0.tax": ["is invalid"]}})
    assert client.get(f"/invoices.json?api_token={token}&period=all").json() == []


def test_validation_in_xml_is_rails_errors(client: TestClient, token: str) -> None:
    body = b"<invoice><api-token>" + token.encode() + b"</api-token><kind>vat</kind></invoice>"
    response = client.post("/invoices.xml", content=body, headers={"Content-Type": "application/xml"})
    assert response.status_code == 422
    assert response.text == ('<?xml version="1.0" encoding="UTF-8"?>\n<errors>\n'
                             "  <error>buyer_name can't be blank</error>\n</errors>\n")


def test_malformed_json_is_400_and_writes_nothing(client: TestClient, token: str) -> None:
    response = client.post(f"/invoices.json?api_token={token}", content=b'{"invoice": {"buyer_name": "X",',
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == "error" and response.json()["message"].startswith("Malformed JSON")
    assert client.get(f"/invoices.json?api_token={token}").json() == []


def test_oversized_body_is_413(client: TestClient, token: str, app: Any) -> None:
    limit = app.state.settings.max_body_bytes
    response = client.post(f"/invoices.json?api_token={token}", content=b" " * (limit + 1),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["code"] == "error"
    xml = client.post(f"/invoices.xml?api_token={token}", content=b" " * (limit + 1),
                      headers={"Content-Type": "application/xml"})
    assert xml.status_code == 413 and xml.text.startswith("<?xml")


def test_xml_entities_dtd_and_deep_nesting_are_400(client: TestClient, token: str) -> None:
    bombs = [
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><invoice>&b;</invoice>',
        b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "file:///etc/passwd"><invoice/>',
        b"<invoice>" + b"<a>" * 100 + b"</a>" * 100 + b"</invoice>",
        b"<invoice><unclosed></invoice>",
    ]
    for bomb in bombs:
        response = client.post(f"/invoices.xml?api_token={token}", content=bomb,
                               headers={"Content-Type": "application/xml"})
        assert response.status_code == 400, bomb
        assert "<code>error</code>" in response.text
    assert client.get(f"/invoices.json?api_token={token}").json() == []


def test_unknown_status_is_422_and_status_unchanged(client: TestClient, token: str) -> None:
    invoice = create_invoice(client, token)
    response = client.post(f"/invoices/{invoice['id']}/change_status.json?api_token={token}&status=bogus")
    assert (response.status_code, response.json()) == (
        422, {"code": "error", "message": {"status": ["is not included in the list"]}})
    assert client.get(f"/invoices/{invoice['id']}.json?api_token={token}").json()["status"] == "issued"
