"""The OpenAPI documents: valid OpenAPI 3.1, served as built, covering exactly the routes the app mounts,
and describing the error bodies the dialects really send."""
from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate
from starlette.routing import Route
from starlette.testclient import TestClient

from dialects.fakturan.openapi import document as fakturan_document
from dialects.invoiceocean.openapi import document as invoiceocean_document

_CONVERTOR = re.compile(r"{(\w+):\w+}")


def mounted(app: Any, belongs: Any) -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every route the app mounts that `belongs` to a dialect."""
    found = set()
    for route in app.routes:
        if isinstance(route, Route) and belongs(route):
            path = _CONVERTOR.sub(r"{\1}", route.path.replace("{fmt:iofmt}", "json"))
            found |= {(method.lower(), path) for method in route.methods or () if method != "HEAD"}
    return found


def documented(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method, path) for path, item in doc["paths"].items() for method in item}


def test_every_mounted_invoiceocean_route_is_in_its_document_and_nothing_else(app: Any) -> None:
    routes = mounted(app, lambda route: (route.name or "").startswith("io:"))
    assert len(routes) >= 50  # the whole table, not an empty walk
    assert documented(invoiceocean_document()) == routes


def test_every_mounted_fakturan_route_is_in_its_document_and_nothing_else(app: Any) -> None:
    routes = mounted(app, lambda route: route.path.startswith("/api/v2/"))
    assert len(routes) >= 19
    assert documented(fakturan_document()) == routes


@pytest.mark.parametrize("name", ["invoiceocean", "fakturan"])
def test_served_documents_are_valid_openapi_3_1_and_equal_the_built_ones(client: TestClient, name: str) -> None:
    response = client.get(f"/openapi/{name}.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    doc = response.json()
    validate(doc)  # openapi-spec-validator picks the 3.1 validator from "openapi": "3.1.0"
    assert doc["openapi"] == "3.1.0"
    assert doc == {"invoiceocean": invoiceocean_document, "fakturan": fakturan_document}[name]()


def test_unknown_document_is_404(client: TestClient) -> None:
    assert client.get("/openapi/invo.json").status_code == 404


def test_security_schemes_are_the_dialects_own(client: TestClient) -> None:
    io = client.get("/openapi/invoiceocean.json").json()["components"]["securitySchemes"]
    assert io["apiToken"] == {"type": "apiKey", "in": "query", "name": "api_token",
                              "description": io["apiToken"]["description"]}
    fk = client.get("/openapi/fakturan.json").json()["components"]["securitySchemes"]
    assert fk == {"basic": {"type": "http", "scheme": "basic", "description": "key_id:password"},
                  "token": {"type": "apiKey", "in": "header", "name": "Authorization",
                            "description": fk["token"]["description"]}}


def _validator(doc: dict[str, Any], method: str, path: str, status: int) -> tuple[Any, str]:
    """A JSON Schema validator for the documented body of one response, $refs resolved in the document."""
    response = doc["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    media, content = next(iter(response["content"].items()))
    schema = {**content["schema"], "components": doc["components"]}
    return jsonschema.Draft202012Validator(schema), media


def _conforms(doc: dict[str, Any], method: str, path: str, response: Any) -> None:
    validator, media = _validator(doc, method, path, response.status_code)
    assert response.headers["content-type"].startswith(media)
    body = response.json() if media == "application/json" else response.text
    errors = [e.message for e in validator.iter_errors(body)]
    assert not errors, (response.status_code, body, errors[:5])


def test_invoiceocean_answers_match_their_documented_schemas(client: TestClient, account: dict[str, Any]) -> None:
    doc, token = invoiceocean_document(), account["invoiceocean"]["api_token"]
    created = client.post("/invoices.json", params={"api_token": token}, json={"invoice": {
        "kind": "vat", "buyer_name": "Klient1", "positions": [{"name": "A", "tax": 23, "total_price_gross": "10.23",
                                                               "quantity": 1}]}})
    assert created.status_code == 201
    _conforms(doc, "post", "/invoices.json", created)
    _conforms(doc, "get", "/invoices/{id}.json",
              client.get(f"/invoices/{created.json()['id']}.json", params={"api_token": token}))
    _conforms(doc, "get", "/invoices.json", client.get("/invoices.json", params={"api_token": token}))
    _conforms(doc, "get", "/invoices.json", client.get("/invoices.json", params={"api_token": "wrong"}))
    _conforms(doc, "get", "/invoices/{id}.json", client.get("/invoices/999999.json", params={"api_token": token}))
    _conforms(doc, "post", "/invoices.json", client.post("/invoices.json", params={"api_token": token},
                                                         json={"invoice": {"kind": "vat"}}))
    _conforms(doc, "post", "/invoices.json", client.post("/invoices.json", params={"api_token": token},
                                                         content=b"{not json", headers={"content-type":
                                                                                        "application/json"}))
    client_row = client.post("/clients.json", params={"api_token": token}, json={"client": {"name": "K"}})
    _conforms(doc, "post", "/clients.json", client_row)


def test_fakturan_answers_match_their_documented_schemas(client: TestClient,
                                                         fakturan_account: dict[str, Any]) -> None:
    doc = fakturan_document()
    auth = (fakturan_account["fakturan"]["key_id"], fakturan_account["fakturan"]["password"])
    made = client.post("/api/v2/invoices", auth=auth, json={"client": {"company": "Google Inc"}, "rows": [
        {"product_name": "Timme", "amount": 2, "product_price": 1000, "product_tax": 25}]})
    assert made.status_code == 201
    _conforms(doc, "post", "/api/v2/invoices", made)
    _conforms(doc, "get", "/api/v2/invoices", client.get("/api/v2/invoices", auth=auth))
    _conforms(doc, "get", "/api/v2/clients", client.get("/api/v2/clients", auth=auth))
    _conforms(doc, "get", "/api/v2/invoices/{id}", client.get("/api/v2/invoices/99999", auth=auth))
    _conforms(doc, "get", "/api/v2/invoices", client.get("/api/v2/invoices", auth=("nobody", "wrong")))
    _conforms(doc, "post", "/api/v2/invoices", client.post("/api/v2/invoices", auth=auth, json={"client_id": 0}))
    _conforms(doc, "post", "/api/v2/products", client.post("/api/v2/products", auth=auth, content=b"[1]"))
    recurring = client.post("/api/v2/invoices", auth=auth, json={
        "client_id": made.json()["data"]["client_id"], "recurring": True, "interval_period": 3,
        "last_day_of_month": True, "rows": [{"product_name": "Hosting", "product_price": 100, "product_tax": 25}]})
    _conforms(doc, "post", "/api/v2/invoices", recurring)
    _conforms(doc, "get", "/api/v2/clients/{id}/invoices",
              client.get(f"/api/v2/clients/{made.json()['data']['client_id']}/invoices", auth=auth))
    token = {"Authorization": 'Token token="wrong"'}
    _conforms(doc, "get", "/api/v2/clients/{id}/invoices", client.get("/api/v2/clients/1/invoices", headers=token))


# --- regressions the fuzzer found -------------------------------------------------------------------

def test_ids_too_long_for_the_database_are_not_found_not_a_crash(client: TestClient, account: dict[str, Any],
                                                                 fakturan_account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    response = client.put("/invoices/454401035088330817536.json", params={"api_token": token},
                          json={"invoice": {"buyer_name": "x"}})
    assert response.status_code == 404
    assert response.json() == {"code": "error", "message": "Not found"}
    auth = (fakturan_account["fakturan"]["key_id"], fakturan_account["fakturan"]["password"])
    response = client.get("/api/v2/invoices/99999999999999999999999/payments", auth=auth)
    assert response.status_code == 404
    assert response.json() == {"error": "404 Not Found"}


def test_integer_fields_beyond_64_bits_are_validation_errors(client: TestClient, account: dict[str, Any],
                                                             fakturan_account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    response = client.post("/invoices.json", params={"api_token": token}, json={"invoice": {
        "kind": "vat", "client_id": 10**30, "buyer_name": "K",
        "positions": [{"name": "A", "tax": 23, "total_price_gross": 1, "quantity": 1}]}})
    assert response.status_code == 422
    assert response.json()["message"] == {"client_id": ["is invalid"]}
    auth = (fakturan_account["fakturan"]["key_id"], fakturan_account["fakturan"]["password"])
    response = client.post("/api/v2/invoices", auth=auth, json={"client_id": 10**30, "rows": [
        {"product_name": "A", "amount": 1, "product_price": 1}]})
    assert response.status_code == 422
    assert response.json() == {"errors": {"client_id": [{"error": "blank"}]}}


def test_page_numbers_beyond_the_database_range_answer_an_empty_page(client: TestClient, account: dict[str, Any],
                                                                     fakturan_account: dict[str, Any]) -> None:
    huge = "9" * 30
    token = account["invoiceocean"]["api_token"]
    for path in ("/invoices.json", "/clients.json", "/banking/payments.json"):
        response = client.get(path, params={"api_token": token, "page": huge})
        assert (response.status_code, response.json()) == (200, []), path
    response = client.get("/invoices.json", params={"api_token": token, "invoice_ids": huge})
    assert response.status_code == 200  # an unreadable filter filters nothing, as InvoiceOcean's do
    auth = (fakturan_account["fakturan"]["key_id"], fakturan_account["fakturan"]["password"])
    for path in ("/api/v2/invoices", "/api/v2/clients", "/api/v2/products"):
        response = client.get(path, params={"page": huge}, auth=auth)
        assert response.status_code == 200, path
        assert response.json()["paging"]["current_page"] == 1  # unreadable, so the default


def test_amounts_too_large_to_compute_are_validation_errors(client: TestClient, account: dict[str, Any],
                                                            fakturan_account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    auth = (fakturan_account["fakturan"]["key_id"], fakturan_account["fakturan"]["password"])
    for huge in (1e300, 123456789012345678901234567890):
        response = client.post("/products.json", params={"api_token": token},
                               json={"product": {"name": "x", "price_gross": huge}})
        assert (response.status_code, response.json()["message"]) == (422, {"price_gross": ["is invalid"]})
        response = client.post("/api/v2/products", auth=auth, json={"name": "x", "price": huge})
        assert (response.status_code, response.json()) == (422, {"errors": {"price": [{"error": "not_a_number"}]}})


def test_updating_an_invoice_to_an_unknown_client_is_a_validation_error(client: TestClient,
                                                                        account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    made = client.post("/invoices.json", params={"api_token": token}, json={"invoice": {
        "kind": "vat", "buyer_name": "K", "positions": [{"name": "A", "tax": 23, "total_price_gross": 1,
                                                         "quantity": 1}]}}).json()
    response = client.patch(f"/invoices/{made['id']}.json", params={"api_token": token},
                            json={"invoice": {"client_id": -4581, "buyer_city": "X"}})
    assert response.status_code == 422
    assert response.json()["message"] == {"client_id": ["no such client"]}


def test_unknown_keys_with_integers_beyond_64_bits_round_trip_as_text(client: TestClient,
                                                                      account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    made = client.post("/invoices.json", params={"api_token": token}, json={"invoice": {
        "kind": "vat", "buyer_name": "K", "custom": [-11019844426989502464, True],
        "positions": [{"name": "A", "tax": 23, "total_price_gross": 1, "quantity": 1}]}})
    assert made.status_code == 201, made.text
    assert made.json()["custom"] == ["-11019844426989502464", True]


def test_unreadable_products_date_from_is_a_validation_error(client: TestClient, account: dict[str, Any]) -> None:
    response = client.get("/products.json", params={"api_token": account["invoiceocean"]["api_token"],
                                                    "date_from": "not-a-date"})
    assert response.status_code == 422
    assert response.json() == {"code": "error", "message": {"date_from": ["is invalid"]}}


def test_payment_days_past_year_9999_are_validation_errors(client: TestClient,
                                                          fakturan_account: dict[str, Any]) -> None:
    auth = (fakturan_account["fakturan"]["key_id"], fakturan_account["fakturan"]["password"])
    made = client.post("/api/v2/invoices", auth=auth, json={"client": {"company": "Google Inc"}, "rows": [
        {"product_name": "Timme", "amount": 1, "product_price": 100}]}).json()["data"]
    response = client.patch(f"/api/v2/invoices/{made['id']}", auth=auth, json={"days": 99_999_999_999})
    assert response.status_code == 422, response.text
    assert response.json() == {"errors": {"days": [{"error": "invalid"}]}}
