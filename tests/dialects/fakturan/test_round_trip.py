"""The fakturan.nu gem's `save`: a PUT of the whole record as it was read, nested rows and address
included. Records made through another dialect (a PLN account, Polish locale, 23 % VAT) hold values
fakturan would refuse as new input; sent back unchanged they are accepted (issue 25)."""
from __future__ import annotations

import json
from typing import Any

from starlette.testclient import TestClient

from tests.dialects.fakturan.conftest import Api
from tests.dialects.invoiceocean.conftest import create_invoice, post_json


def _polish(client: TestClient, account: dict[str, Any]) -> tuple[Api, str]:
    return Api(client, account), str(account["invoiceocean"]["api_token"])


def _read(api: Api, path: str) -> dict[str, Any]:
    response = api.get(path)
    assert response.status_code == 200, response.text
    return response.json()["data"]  # type: ignore[no-any-return]


def test_gem_save_of_a_polish_invoice_with_one_row_changed(client: TestClient, account: dict[str, Any]) -> None:
    api, token = _polish(client, account)
    created = create_invoice(client, token, lang="pl", positions=[
        {"name": "Produkt A1", "tax": 23, "price_net": "100", "quantity": 1},
        {"name": "Produkt A2", "tax": 8, "price_net": "10", "quantity": 2}])
    path = f"/api/v2/invoices/{created['id']}"
    loaded = _read(api, path)
    assert (loaded["locale"], [r["product_tax"] for r in loaded["rows"]]) == ("pl", [23, 8])
    saved = json.loads(json.dumps(loaded))
    saved["rows"][0]["amount"] = "3"
    saved["your_reference"] = "Anna"
    assert api.put(path, saved).status_code == 204
    after = _read(api, path)
    assert (after["rows"][0]["amount"], after["your_reference"], after["net"], after["sum"]) == (
        "3.0", "Anna", "320.0", "390.6")
    assert after["rows"][1] == loaded["rows"][1]
    unchanged = ("number", "date", "client_id", "days", "locale", "currency", "settings", "address")
    assert {k: after[k] for k in unchanged} == {k: loaded[k] for k in unchanged}


def test_gem_save_of_a_polish_client_is_accepted_unchanged(client: TestClient, account: dict[str, Any]) -> None:
    api, token = _polish(client, account)
    created = post_json(client, "/clients.json", {"api_token": token, "client": {
        "name": "Klient1 Sp. z o.o.", "tax_no": "5252445767", "city": "Kraków", "country": "PL"}}).json()
    path = f"/api/v2/clients/{created['id']}"
    loaded = _read(api, path)
    assert loaded["settings"]["currency"] is None  # not a currency fakturan would accept as input
    saved = {**loaded, "address": {**loaded["address"], "city": "Warszawa"}}
    assert api.put(path, saved).status_code == 204
    assert _read(api, path) == {**loaded, "address": {**loaded["address"], "city": "Warszawa"}}


def test_a_rate_fakturan_cannot_write_is_accepted_back_unchanged(client: TestClient, account: dict[str, Any]) -> None:
    api, token = _polish(client, account)
    created = post_json(client, "/products.json", {"api_token": token, "product": {
        "name": "Szkolenie", "price_net": "100", "tax": "23"}}).json()
    path = f"/api/v2/products/{created['id']}"
    loaded = _read(api, path)
    assert api.put(path, {**loaded, "name": "Szkolenie z API"}).status_code == 204
    assert _read(api, path) == {**loaded, "name": "Szkolenie z API"}


def test_a_changed_rate_is_still_checked(api: Api) -> None:
    product = api.created("/api/v2/products", {"name": "Konsult", "price": "100", "tax": 25})
    response = api.put(f"/api/v2/products/{product['id']}", {**product, "tax": 23})
    assert (response.status_code, response.json()) == (422, {"errors": {"tax": [{"error": "inclusion",
                                                                                   "value": 23}]}})


def test_a_name_written_through_another_dialect_survives_a_save(api: Api, client: TestClient,
                                                                 fakturan_account: dict[str, Any]) -> None:
    person = api.created("/api/v2/clients", {"client_type": "individual", "first_name": "Nils",
                                             "last_name": "Eriksson"})
    token = fakturan_account["invoiceocean"]["api_token"]
    renamed = post_json(client, f"/clients/{person['id']}.json",
                        {"api_token": token, "client": {"name": "Nils Eriksson (Karlstad)"}}, "PUT")
    assert renamed.status_code == 200, renamed.text
    path = f"/api/v2/clients/{person['id']}"
    loaded = _read(api, path)
    assert api.put(path, {**loaded, "phone": "054-123456"}).status_code == 204
    assert _read(api, path) == {**loaded, "name": "Nils Eriksson (Karlstad)", "phone": "054-123456"}


def test_a_changed_rate_keeps_the_price_fakturan_shows(client: TestClient, account: dict[str, Any]) -> None:
    """The seed's line is priced gross through InvoiceOcean; fakturan shows its net price, and a rate
    changed through fakturan applies to that net price."""
    api, token = _polish(client, account)
    created = create_invoice(client, token)  # "total_price_gross": "10.23", "tax": 23
    path = f"/api/v2/invoices/{created['id']}"
    loaded = _read(api, path)
    assert loaded["rows"][0]["product_price"] == "8.32"
    saved = json.loads(json.dumps(loaded))
    saved["rows"][0]["product_tax"] = 25
    assert api.put(path, saved).status_code == 204
    after = _read(api, path)
    assert (after["rows"][0]["product_price"], after["rows"][0]["product_tax"], after["net"], after["sum"]) == (
        "8.32", 25, "8.32", "10.4")
