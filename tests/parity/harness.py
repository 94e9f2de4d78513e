"""A client of all three dialects for the parity suite, and readers that turn each dialect's view of
an invoice into the core-level fields of gateway.fidelity (only those the dialect can show).

The readers know wire names the way an integrator would (from the seeds); what "equivalent" means
per field and dialect comes from gateway.fidelity, never from here.
"""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from starlette.testclient import TestClient

from core.handlers.invoice_state import InvoiceView, view_of
from core.ledger import Ledger
from gateway.fidelity import COMPARED, DIALECTS


def _day(text: str | None) -> date | None:
    if not text:
        return None
    return date.fromisoformat(text + "-01" if len(text) == 7 else text)


def _dec(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _nonzero_by_rate(rows: list[tuple[str, Decimal]]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for code, amount in rows:
        sums[code] += amount
    return {code: total for code, total in sums.items() if total}


class Wire:
    """The three dialects as one account's client sees them."""

    def __init__(self, client: TestClient, ledger: Ledger, account: dict[str, Any]) -> None:
        self.client, self.ledger, self.account = client, ledger, account
        self.token = account["invoiceocean"]["api_token"]
        self.invo_auth = (account["invo"]["login"], account["invo"]["password"])
        self.fakturan_auth = (account["fakturan"]["key_id"], account["fakturan"]["password"])

    # -- calls --------------------------------------------------------------------------------
    def io(self, method: str, path: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
        sep = "&" if "?" in path else "?"
        response = self.client.request(method, f"{path}{sep}api_token={self.token}", json=body)
        assert response.status_code == status, response.text
        return response.json()

    def invo(self, resource: str, q: dict[str, Any], *, error: int | None = None) -> Any:
        response = self.client.post("/api.json", data={"r": resource, "q": json.dumps(q, default=str)},
                                    auth=self.invo_auth)
        answer = json.loads(response.text, parse_float=Decimal)
        if error is None:
            assert response.status_code == 200 and "error" not in answer, response.text
        else:
            assert answer.get("error") == error, response.text
        return answer

    def fk(self, method: str, path: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
        response = self.client.request(method, f"/api/v2{path}", json=body, auth=self.fakturan_auth)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    # -- reading ------------------------------------------------------------------------------
    def truth(self, invoice_id: int) -> InvoiceView:
        return self.ledger.read(view_of, self.account["account_id"], invoice_id)

    def read(self, dialect: str, invoice_id: int) -> dict[str, Any]:
        return {"invoiceocean": self.read_io, "invo": self.read_invo, "fakturan": self.read_fakturan}[dialect](
            invoice_id)

    def read_io(self, invoice_id: int) -> dict[str, Any]:
        io = self.io("GET", f"/invoices/{invoice_id}.json")
        positions = io["positions"]
        lines = [(p["name"], Decimal(p["quantity"]), p["quantity_unit"], str(p["tax"]),
                  Decimal(p["total_price_net"]), Decimal(p["total_price_gross"])) for p in positions]
        return {
            "number": io["number"], "kind": io["kind"], "issue_date": _day(io["issue_date"]),
            "sell_date": _day(io["sell_date"]), "payment_to": _day(io["payment_to"]),
            "buyer": (io["buyer_name"], io["buyer_street"], io["buyer_post_code"].replace(" ", ""), io["buyer_city"]),
            "buyer_tax_no": io["buyer_tax_no"], "client_id": io["client_id"],
            "seller": (io["seller_name"], io["seller_tax_no"]), "lines": lines,
            "discount": [_dec(p["discount_percent"]) or Decimal(0) for p in positions],
            "totals": (Decimal(io["price_net"]), Decimal(io["price_tax"]), Decimal(io["price_gross"])),
            "per_rate": _nonzero_by_rate([(line[3], line[4]) for line in lines]),
            "paid": Decimal(io["paid"]), "paid_date": _day(io["paid_date"]), "status": io["status"],
            "currency": io["currency"], "exchange_rate": _dec(io["exchange_rate"]), "lang": io["lang"],
            "prices_gross": io["calculating_strategy"]["invoice_form_price_kind"] == "gross",
            "description": io["description"], "internal_note": io["internal_note"], "place": io["place"],
            "from_invoice_id": io["from_invoice_id"],
        }

    def read_invo(self, invoice_id: int) -> dict[str, Any]:
        row = self.invo("invoices", {"action": "list", "id": invoice_id, "items": 1})["rows"][0]
        items = row["items"]
        correction = row["type2"] == "+KOR"
        lines = [(i["product"], _dec(i["count"]), i["unitsm"], str(i["vatsm"]).rstrip("%"), _dec(i["vnetto"]),
                  _dec(i["vbrutto"])) for i in items]
        # A correction's items are its before (no kid) and after states: the difference counts.
        signed = [(line[3], line[4] if not correction or "kid" in item else -line[4])  # type: ignore[operator]
                  for line, item in zip(lines, items, strict=False)]
        net, gross = _dec(row["vnetto"]), _dec(row["vbrutto"])
        return {
            "number": row["nrdoc"], "kind": row["type2"], "issue_date": _day(row["mdate"]),
            "sell_date": _day(row["sdate"]), "payment_to": _day(row["tdate"]),
            "buyer": (row["c1name"], row["c1street"], row["c1code"].replace(" ", ""), row["c1city"]),
            "buyer_tax_no": row["c1taxid"], "client_id": row["c1id"], "lines": lines,
            "discount": [_dec(i["discount"]) for i in items],
            "totals": (net, gross - net, gross),  # type: ignore[operator]
            "per_rate": _nonzero_by_rate(signed),  # type: ignore[arg-type]
            "paid": _dec(row["paid"]), "paid_date": _day(row["pdate"]), "status": row["status"],
            "currency": row["currency"], "exchange_rate": _dec(row["currval"]), "lang": row["lang"],
            "prices_gross": row["brutto"] == 1, "description": row["notices"], "internal_note": row["notices_priv"],
            "place": row["place"], "from_invoice_id": row["kid"],
        }

    def read_fakturan(self, invoice_id: int) -> dict[str, Any]:
        fk = self.fk("GET", f"/invoices/{invoice_id}")["data"]
        payments = self.fk("GET", f"/invoices/{invoice_id}/payments")["data"]
        rows = fk["rows"]
        address = fk["address"]
        issued = _day(fk["date"])
        return {
            "number": fk["number"], "issue_date": issued,
            "payment_to": issued + timedelta(days=fk["days"]) if issued and fk["days"] is not None else None,
            "buyer": (address["name"], address["street_address"], address["zip_code"].replace(" ", ""),
                      address["city"]),
            "client_id": fk["client_id"],
            "lines": [(r["product_name"], Decimal(r["amount"]), r["product_unit"], str(r["product_tax"]))
                      for r in rows],
            "discount": [Decimal(str(r["discount"])) for r in rows],
            "totals": (Decimal(fk["net"]), Decimal(fk["tax"]), Decimal(fk["sum"])),
            "per_rate": {code: Decimal(tax) for code, tax in fk["tax_details"].items()},
            "paid": sum((Decimal(p["amount"]) for p in payments), Decimal(0)),
            "paid_date": _day(fk["paid_at"]), "status": (fk["sent"], fk["paid_at"] is not None),
            "currency": fk["currency"], "lang": fk["locale"],
            "prices_gross": fk["settings"]["prices_inc_tax"] == "yes",
        }

    # -- the parity check ---------------------------------------------------------------------
    def assert_equivalent(self, invoice_id: int) -> InvoiceView:
        """Every dialect shows every compared field as gateway.fidelity says it must."""
        truth = self.truth(invoice_id)
        problems = []
        for dialect in DIALECTS:
            seen = self.read(dialect, invoice_id)
            for rule in COMPARED:
                if rule.fidelity[dialect] == "absent":
                    assert rule.name not in seen, f"{dialect} claims to show {rule.name}, fidelity says absent"
                    continue
                expected = rule.expected(dialect, truth)
                if seen.get(rule.name, "<missing>") != expected:
                    problems.append(f"{dialect}.{rule.name}: shows {seen.get(rule.name, '<missing>')!r}, "
                                    f"expected {expected!r}")
        assert not problems, "\n".join(problems)
        return truth

    def assert_gone(self, invoice_id: int) -> None:
        self.io("GET", f"/invoices/{invoice_id}.json", status=404)
        self.invo("invoices", {"action": "list", "id": invoice_id}, error=6)
        self.fk("GET", f"/invoices/{invoice_id}", status=404)
