"""Account B's login never reaches account A's records: every attempt is "incorrect ID"."""
from __future__ import annotations

from typing import Any

from core.handlers.invoice_state import view_of
from tests.dialects.invo.conftest import Api

NOT_FOUND = {"error": 6, "message": "incorrect ID"}


def test_other_account_cannot_list_edit_or_delete_invoices(api: Api, other_api: Api, customer_id: int, ledger: Any,
                                                           account: dict[str, Any]) -> None:
    made = api("invoices", {"action": "add", "c1id": customer_id, "items": [
        {"product": "x", "count": 1, "pnetto": 10, "vatsm": "23%"}]})
    assert other_api("invoices", {"action": "list", "id": made["id"]}) == NOT_FOUND
    assert other_api("invoices", {"action": "list"})["rows"] == []
    assert other_api("invoices", {"action": "edit", "id": made["id"], "notices": "hacked"}) == NOT_FOUND
    assert other_api("invoices", {"action": "status", "id": made["id"], "value": 5}) == NOT_FOUND
    assert other_api("invoices", {"action": "delete", "id": made["id"]}) == NOT_FOUND
    assert other_api("items", {"action": "list", "did": made["id"]}) == NOT_FOUND
    assert other_api("files", {"action": "send", "id": made["id"], "email": "a@b.pl"}) == NOT_FOUND
    view = ledger.read(view_of, account["account_id"], made["id"])
    assert (view.invoice.description, view.invoice.status) == ("", "issued")


def test_other_account_cannot_touch_customers_or_products(api: Api, other_api: Api, customer_id: int) -> None:
    product = api("products", {"action": "add", "name": "Drukarka", "pnetto": 10})
    for resource, record_id in (("customers", customer_id), ("products", product["id"])):
        assert other_api(resource, {"action": "list", "id": record_id}) == NOT_FOUND
        assert other_api(resource, {"action": "edit", "id": record_id, "name": "x"}) == NOT_FOUND
        assert other_api(resource, {"action": "delete", "id": record_id}) == NOT_FOUND
        assert api(resource, {"action": "list", "id": record_id})["rows"][0]["name"] in ("Jan Kowalski", "Drukarka")


def test_other_account_cannot_bill_a_customer_of_another(other_api: Api, customer_id: int) -> None:
    answer = other_api("invoices", {"action": "add", "c1id": customer_id, "items": [
        {"product": "x", "count": 1, "pnetto": 10, "vatsm": "23%"}]})
    assert answer == {"error": 8, "message": "validation error", "fields": {"c1id": "no such client"}}


def test_other_account_cannot_edit_dictionary_entries(api: Api, other_api: Api) -> None:
    unit = api("dictionaries", {"action": "add", "what": "units", "c3": "Kilogram", "c4": "kg", "c5": 3})
    assert other_api("dictionaries", {"action": "edit", "what": "units", "id": unit["id"], "c3": "x"}) == NOT_FOUND
    assert other_api("dictionaries", {"action": "delete", "what": "units", "id": unit["id"]}) == NOT_FOUND
