"""Each fakturan error shape, and that a failed request writes nothing."""
from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from core.accounts import create_account, set_active
from core.ledger import Ledger
from tests.dialects.fakturan.conftest import GOOGLE, Api

ROW = {"product_name": "Thing", "product_tax": 25, "product_price": "100", "amount": "1"}


@pytest.mark.parametrize("auth", [None, ("nobody", "wrong"), "wrong-password"])
def test_bad_credentials_get_rails_basic_auth_401(client: TestClient, fakturan_account: dict[str, Any],
                                                   auth: Any) -> None:
    if auth == "wrong-password":
        auth = (fakturan_account["fakturan"]["key_id"], "not-the-password")
    response = client.get("/api/v2/invoices", auth=auth)
    assert response.status_code == 401
    assert response.content == b"HTTP Basic: Access denied.\n"
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["www-authenticate"] == 'Basic realm="Application"'


def test_deactivated_account_gets_401(api: Api, ledger: Ledger) -> None:
    ledger.write(set_active, "Svensk AB", False)
    response = api.get("/api/v2/clients")
    assert (response.status_code, response.content) == (401, b"HTTP Basic: Access denied.\n")


def test_unknown_record_is_404_json(api: Api) -> None:
    for response in (api.get("/api/v2/invoices/999"), api.get("/api/v2/clients/999"),
                     api.put("/api/v2/products/999", {"name": "x"}), api.delete("/api/v2/products/999"),
                     api.get("/api/v2/invoices/999/payments"), api.get("/api/v2/nothing-here")):
        assert response.status_code == 404
        assert response.json() == {"error": "404 Not Found"}
        assert response.headers["content-type"] == "application/json"


def test_malformed_json_is_400(api: Api) -> None:
    response = api.client.post("/api/v2/clients", content=b'{"company": "A"', auth=api.auth,
                               headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"error": "400 Bad request"}
    assert api.get("/api/v2/clients").json()["data"] == []


def test_too_large_body_is_413_json(api: Api, app: Any) -> None:
    limit = app.state.settings.max_body_bytes
    response = api.client.post("/api/v2/clients", content=b"x" * (limit + 1), auth=api.auth)
    assert response.status_code == 413
    assert response.json() == {"error": "413 Request Entity Too Large"}


def test_invoice_without_rows_is_base_error(api: Api, google: dict[str, Any]) -> None:
    response = api.post("/api/v2/invoices", {})
    assert response.status_code == 422
    assert response.json() == {"errors": {"client_id": [{"error": "blank"}],
                                          "base": [{"error": "Invoice_must_contain_rows"}]}}


def test_nested_client_errors_use_dotted_paths(api: Api) -> None:
    response = api.post("/api/v2/invoices", {"date": "2021-13-45", "client": {"company": "", "email": "nope"},
                                             "rows": [ROW]})
    assert response.status_code == 422
    assert response.json() == {"errors": {"client.company": [{"error": "blank"}],
                                          "client.email": [{"error": "invalid"}], "date": [{"error": "invalid"}]}}
    assert api.get("/api/v2/clients").json()["data"] == []


def test_nested_client_with_blank_country_reports_the_dotted_has_one_path(api: Api) -> None:
    response = api.post("/api/v2/invoices", {"client": {"company": "", "address": {"country": ""}}, "rows": [ROW]})
    assert response.status_code == 422
    assert response.json() == {"errors": {"client.company": [{"error": "blank"}],
                                          "client.address.country": [{"error": "blank"}]}}
    assert api.get("/api/v2/clients").json()["data"] == []
    assert api.get("/api/v2/invoices").json()["data"] == []


def test_every_nested_path_of_an_invoice_client_is_dotted(api: Api) -> None:
    response = api.post("/api/v2/invoices", {"client": {"company": "A", "address": {"country": None, "zip_code": 5},
                                                        "settings": {"locale": "fi"}},
                                             "rows": [ROW, {**ROW, "product_tax": 7}]})
    assert response.status_code == 422
    assert response.json() == {"errors": {"client.address.country": [{"error": "blank"}],
                                          "client.settings.locale": [{"error": "inclusion", "value": "fi"}],
                                          "rows": [{"1": {"rows.product_tax": [{"error": "inclusion", "value": 7}]}}]}}


def test_client_address_country_once_given_must_not_be_blank(api: Api, google: dict[str, Any]) -> None:
    created = api.post("/api/v2/clients", {"company": "A", "address": {"city": "Karlstad", "country": " "}})
    assert created.status_code == 422
    assert created.json() == {"errors": {"address.country": [{"error": "blank"}]}}
    updated = api.put(f"/api/v2/clients/{google['id']}", {"address": {"country": ""}})
    assert updated.json() == {"errors": {"address.country": [{"error": "blank"}]}}
    assert api.get(f"/api/v2/clients/{google['id']}").json()["data"]["address"]["country"] == "SE"
    assert api.post("/api/v2/clients", {"company": "Utan adress"}).status_code == 201


def test_row_limits_and_enumerations_are_all_reported(api: Api, google: dict[str, Any]) -> None:
    response = api.post("/api/v2/invoices", {"client_id": google["id"], "locale": "de",
                                             "settings": {"invoice_template": "fancy"}, "rows": [
        ROW, {**ROW, "product_tax": 7, "product_unit": "u" * 31},
        {**ROW, "text": "t" * 256, "product_name": "n" * 256}]})
    assert response.status_code == 422
    assert response.json() == {"errors": {
        "locale": [{"error": "inclusion", "value": "de"}],
        "settings.invoice_template": [{"error": "inclusion", "value": "fancy"}],
        "rows": [{"1": {"rows.product_unit": [{"error": "too_long", "count": 30}],
                        "rows.product_tax": [{"error": "inclusion", "value": 7}]}},
                 {"2": {"rows.text": [{"error": "too_long", "count": 255}],
                        "rows.product_name": [{"error": "too_long", "count": 255}]}}]}}
    assert api.get("/api/v2/invoices").json()["data"] == []


def test_core_row_error_is_reported_under_the_row(api: Api, google: dict[str, Any]) -> None:
    response = api.post("/api/v2/invoices", {"client_id": google["id"], "rows": [ROW, {"amount": "2"}]})
    assert response.status_code == 422
    assert response.json() == {"errors": {"rows": [{"1": {"rows.product_name": [{"error": "blank"}]}}]}}


def test_client_enumerations_and_individual_names(api: Api) -> None:
    response = api.post("/api/v2/clients", {"client_type": "individual", "first_name": "Nils",
                                            "settings": {"invoice_delivery_method": "pigeon", "locale": "fi"}})
    assert response.status_code == 422
    assert response.json() == {"errors": {
        "last_name": [{"error": "blank"}],
        "settings.invoice_delivery_method": [{"error": "inclusion", "value": "pigeon"}],
        "settings.locale": [{"error": "inclusion", "value": "fi"}]}}
    bad_type = api.post("/api/v2/clients", {"company": "A", "client_type": "robot"})
    assert bad_type.json() == {"errors": {"client_type": [{"error": "inclusion", "value": "robot"}]}}


def test_name_is_not_an_input_company_is(api: Api) -> None:
    response = api.post("/api/v2/clients", {"name": False})
    assert response.json() == {"errors": {"company": [{"error": "blank"}]}}


def test_another_accounts_key_sees_404(client: TestClient, api: Api, ledger: Ledger,
                                       google: dict[str, Any]) -> None:
    invoice = api.created("/api/v2/invoices", {"client_id": google["id"], "rows": [ROW]})
    product = api.created("/api/v2/products", {"name": "Mine", "price": "10"})
    other = Api(client, ledger.write(create_account, "Annan AB", profile="fakturan").as_dict())
    for response in (other.get(f"/api/v2/invoices/{invoice['id']}"), other.get(f"/api/v2/clients/{google['id']}"),
                     other.put(f"/api/v2/invoices/{invoice['id']}", {"date": "2020-01-01"}),
                     other.put(f"/api/v2/clients/{google['id']}", {"company": "Stolen"}),
                     other.delete(f"/api/v2/products/{product['id']}"),
                     other.post(f"/api/v2/invoices/{invoice['id']}/send"),
                     other.post(f"/api/v2/invoices/{invoice['id']}/payments", {"paid_at": "2021-01-01"}),
                     other.get(f"/api/v2/invoices/{invoice['id']}/payments")):
        assert response.status_code == 404
        assert response.json() == {"error": "404 Not Found"}
    assert other.get("/api/v2/invoices").json()["data"] == []
    billed = other.post("/api/v2/invoices", {"client_id": google["id"], "rows": [ROW]})
    assert billed.json() == {"errors": {"client_id": [{"error": "blank"}]}}
    assert api.get(f"/api/v2/invoices/{invoice['id']}").json()["data"]["date"] != "2020-01-01"
    assert api.get(f"/api/v2/clients/{google['id']}").json()["data"]["name"] == GOOGLE["company"]
    assert api.get(f"/api/v2/products/{product['id']}").status_code == 200
