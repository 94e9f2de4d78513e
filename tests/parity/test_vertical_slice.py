"""One ledger, three dialects: an invoice created through any dialect reads back through the other
two with the same number, buyer, lines and totals."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Callable

import pytest
from starlette.testclient import TestClient


class Dialects:
    def __init__(self, client: TestClient, account: dict[str, Any]) -> None:
        self.client, self.account = client, account
        self.token = account["invoiceocean"]["api_token"]
        self.invo_auth = (account["invo"]["login"], account["invo"]["password"])
        self.fakturan_auth = (account["fakturan"]["key_id"], account["fakturan"]["password"])

    def invo(self, resource: str, query: dict[str, Any]) -> Any:
        response = self.client.post("/api.json", data={"r": resource, "q": json.dumps(query)}, auth=self.invo_auth)
        assert response.status_code == 200, response.text
        return response.json()

    def read_all(self, invoice_id: int) -> dict[str, Any]:
        """The invoice as each dialect shows it, reduced to comparable values."""
        io = self.client.get(f"/invoices/{invoice_id}.json?api_token={self.token}").json()
        invo = self.invo("invoices", {"action": "list", "id": invoice_id, "items": 1})["rows"][0]
        fk = self.client.get(f"/api/v2/invoices/{invoice_id}", auth=self.fakturan_auth).json()["data"]
        return {
            "invoiceocean": {"number": io["number"], "seq": None, "buyer": io["buyer_name"],
                             "lines": [(p["name"], Decimal(p["quantity"]), Decimal(p["total_price_gross"]))
                                       for p in io["positions"]],
                             "totals": (Decimal(io["price_net"]), Decimal(io["price_tax"]),
                                        Decimal(io["price_gross"]))},
            "invo": {"number": invo["nrdoc"], "seq": invo["nrx"], "buyer": invo["c1name"],
                     "lines": [(i["product"], Decimal(str(i["count"])), Decimal(str(i["vbrutto"])))
                               for i in invo["items"]],
                     "totals": (Decimal(str(invo["vnetto"])),
                                Decimal(str(invo["vbrutto"])) - Decimal(str(invo["vnetto"])),
                                Decimal(str(invo["vbrutto"])))},
            "fakturan": {"number": None, "seq": fk["number"], "buyer": fk["address"]["name"],
                         "lines": [(r["product_name"], Decimal(r["amount"]),
                                    None) for r in fk["rows"]],
                         "totals": (Decimal(fk["net"]), Decimal(fk["tax"]), Decimal(fk["sum"]))},
        }


@pytest.fixture
def dialects(client: TestClient, account: dict[str, Any]) -> Dialects:
    return Dialects(client, account)


def create_by_invoiceocean(d: Dialects) -> int:
    response = d.client.post("/invoices.json", json={"api_token": d.token, "invoice": {
        "kind": "vat", "number": None, "sell_date": "2013-01-16", "issue_date": "2013-01-16",
        "payment_to": "2013-01-23",
        "seller_name": "Wystawca Sp. z o.o.", "seller_tax_no": "5252445767", "buyer_name": "Klient1 Sp. z o.o.",
        "buyer_tax_no": "5252445767",
        "positions": [{"name": "Produkt A1", "tax": 23, "total_price_gross": 10.23, "quantity": 1},
                      {"name": "Produkt A2", "tax": 0, "total_price_gross": 50, "quantity": 3}]}})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def create_by_invo(d: Dialects) -> int:
    customer = d.invo("customers", {"action": "add", "symbol": "K1", "name": "Jan Kowalski", "street": "Korfantego 100",
                                    "code": "40-154", "city": "Katowice", "taxid": "645-123-45-67"})
    answer = d.invo("invoices", {"action": "add", "type2": "+FV", "c1id": customer["id"], "mdate": "2014-10-15",
                                 "items": [{"product": "cos tam", "pkwiu": "72/20", "count": 4, "unit": "szt.",
                                            "pnetto": 100.00, "vatsm": "23%"}]})
    return int(answer["id"])


def create_by_fakturan(d: Dialects) -> int:
    response = d.client.post("/api/v2/invoices", auth=d.fakturan_auth, json={
        "date": "2021-01-25",
        "client": {"company": "Google", "address": {"street_address": "1600 Amphitheatre Parkway", "zip_code": "94043",
                                                     "city": "Mountain View", "country": "SE"}},
        "rows": [{"product_name": "My product", "product_tax": 25, "product_price": "100", "amount": "10"}]})
    assert response.status_code == 201, response.text
    return int(response.json()["data"]["id"])


EXPECTED: dict[str, tuple[str, int, str, tuple[str, str, str]]] = {
    "invoiceocean": ("1/01/2013", 1, "Klient1 Sp. z o.o.", ("58.32", "1.91", "60.23")),
    "invo": ("1/10/2014", 1, "Jan Kowalski", ("400.00", "92.00", "492.00")),
    "fakturan": ("1/01/2021", 1, "Google", ("1000.00", "250.00", "1250.00")),
}
CREATORS: dict[str, Callable[[Dialects], int]] = {
    "invoiceocean": create_by_invoiceocean, "invo": create_by_invo, "fakturan": create_by_fakturan}


@pytest.mark.parametrize("origin", list(CREATORS))
def test_invoice_created_in_one_dialect_reads_the_same_in_all_three(dialects: Dialects, origin: str) -> None:
    invoice_id = CREATORS[origin](dialects)
    seen = dialects.read_all(invoice_id)
    number, seq, buyer, totals = EXPECTED[origin]
    expected_totals = tuple(Decimal(t) for t in totals)
    assert seen["invoiceocean"]["number"] == seen["invo"]["number"] == number
    assert seen["invo"]["seq"] == seen["fakturan"]["seq"] == seq
    for name, view in seen.items():
        assert view["buyer"] == buyer, name
        assert view["totals"] == expected_totals, name
    io_lines, invo_lines = seen["invoiceocean"]["lines"], seen["invo"]["lines"]
    assert io_lines == invo_lines
    assert [(n, q) for n, q, _ in seen["fakturan"]["lines"]] == [(n, q) for n, q, _ in io_lines]
