"""Client updates merge with what is stored; settings round-trip."""
from __future__ import annotations

from typing import Any

from tests.dialects.fakturan.conftest import Api


def test_put_settings_merges_with_stored_settings(api: Api, google: dict[str, Any]) -> None:
    response = api.put(f"/api/v2/clients/{google['id']}", {"settings": {"locale": "en", "invoice_days": 10},
                                                           "unknown_key": 1})
    assert response.status_code == 204
    settings = api.get(f"/api/v2/clients/{google['id']}").json()["data"]["settings"]
    assert (settings["locale"], settings["invoice_days"], settings["currency"]) == ("en", 10, "SEK")
    invoice = api.created("/api/v2/invoices", {"client_id": google["id"], "rows": [
        {"product_name": "X", "product_price": "10", "amount": "1"}]})
    assert (invoice["locale"], invoice["days"]) == ("en", 10)


def test_switching_to_individual_needs_names_and_renames(api: Api, google: dict[str, Any]) -> None:
    path = f"/api/v2/clients/{google['id']}"
    refused = api.put(path, {"client_type": "individual", "first_name": "Eva"})
    assert refused.json() == {"errors": {"last_name": [{"error": "blank"}]}}
    assert api.put(path, {"client_type": "individual", "first_name": "Eva", "last_name": "Ek"}).status_code == 204
    shown = api.get(path).json()["data"]
    assert (shown["name"], shown["client_type"]) == ("Eva Ek", "individual")
    assert api.put(path, {"last_name": "Berg"}).status_code == 204
    assert api.get(path).json()["data"]["name"] == "Eva Berg"


def test_update_with_invalid_email_changes_nothing(api: Api, google: dict[str, Any]) -> None:
    path = f"/api/v2/clients/{google['id']}"
    response = api.put(path, {"company": "New name", "email": "not-an-address"})
    assert response.json() == {"errors": {"email": [{"error": "invalid"}]}}
    assert api.get(path).json()["data"]["name"] == "Google Inc"
