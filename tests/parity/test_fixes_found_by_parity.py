"""Bugs the parity work found, pinned: each failed before its fix (see the report)."""
from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from core.ledger import Ledger
from tests.parity.harness import Wire


def test_an_amount_discount_on_a_percent_invoice_is_a_422_not_a_500(client: TestClient, ledger: Ledger,
                                                                    account: dict[str, Any]) -> None:
    w = Wire(client, ledger, account)
    answer = w.io("POST", "/invoices.json", {"invoice": {"buyer_name": "X", "positions": [
        {"name": "A", "quantity": 2, "price_net": "10", "tax": 23, "discount": "1.00"}]}}, status=422)
    assert "positions.0.discount" in answer["message"]
    assert w.io("GET", "/invoices.json?period=all") == []


def test_an_edit_that_sets_paid_with_other_fields_leaves_the_invoice_paid(client: TestClient, ledger: Ledger,
                                                                         account: dict[str, Any]) -> None:
    w = Wire(client, ledger, account)
    for n, change in enumerate(("invo", "invoiceocean")):
        invoice_id = w.io("POST", "/invoices.json", {"invoice": {"buyer_name": f"X{n}", "positions": [
            {"name": "A", "quantity": 1, "price_net": "10", "tax": 23}]}}, status=201)["id"]
        if change == "invo":
            w.invo("invoices", {"action": "edit", "id": invoice_id, "status": 3, "notices": "paid cash"})
        else:
            w.io("PUT", f"/invoices/{invoice_id}.json", {"invoice": {"status": "paid", "description": "paid cash"}})
        shown = w.io("GET", f"/invoices/{invoice_id}.json")
        assert (shown["status"], shown["paid"]) == ("paid", "12.30"), change
        w.assert_equivalent(invoice_id)
