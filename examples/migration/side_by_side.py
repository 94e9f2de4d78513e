"""Migration, step by step: a shop's old INVO integration and its new fakturan.nu integration run side by
side on one gateway account while the code is ported. Each sees and works on the other's invoices: one id
space, one set of numbers, one set of totals.

Run with BASE_URL, INVO_LOGIN, INVO_PASSWORD, FK_KEY and FK_PASSWORD (or the demo credentials file);
exits non-zero on any unexpected answer.
"""
from __future__ import annotations

import random
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from flowlib import Fakturan, Invo, check, step  # noqa: E402

invo, fk = Invo(), Fakturan()
step("Both integrations sign in to the same account")
account = invo("login", {})["cid"]
check(account >= 1, f"INVO: account {account}")
fk.call("GET", "/api/v2/clients?per_page=1", 200)

step("Old integration (INVO): a customer and an invoice")
tag = random.randrange(10**6)
customer = invo("customers", {"action": "add", "symbol": f"MIG{tag}", "name": f"Migracja {tag} Sp. z o.o.",
                              "street": "Długa 5", "code": "00-238", "city": "Warszawa",
                              "email": f"ksiegowosc+{tag}@migracja.example"})
old = invo("invoices", {"action": "add", "type2": "+FV", "c1id": customer["id"], "mdate": "2025-06-02",
                        "items": [{"product": "Abonament czerwiec", "count": 1, "unitsm": "szt.",
                                   "pnetto": 400.00, "vatsm": "23%"}]})
check((old["vnetto"], old["vbrutto"]) == (400.0, 492.0), f"INVO invoice {old['nrdoc']}: 400.00 + 92.00")

step("New integration (fakturan.nu) sees the INVO customer and invoice")
client = fk.call("GET", f"/api/v2/clients/{customer['id']}", 200).json()["data"]
check(client["name"] == f"Migracja {tag} Sp. z o.o." and client["email"] == f"ksiegowosc+{tag}@migracja.example",
      "the customer is a fakturan client with the same id")
seen = fk.call("GET", f"/api/v2/invoices?client_id={customer['id']}", 200).json()["data"]
check([i["id"] for i in seen] == [old["id"]], "the client's invoices: the INVO one")
mirrored = seen[0]
check(mirrored["number"] == old["nrx"] and mirrored["date"] == "2025-06-02", f"number {mirrored['number']}, same date")
check(Decimal(mirrored["net"]) == Decimal("400") and Decimal(mirrored["tax"]) == Decimal("92"), "same totals")
check([r["product_name"] for r in mirrored["rows"]] == ["Abonament czerwiec"], "same rows")

step("New integration (fakturan.nu): an invoice for the same client (fakturan's rates are 25, 12, 6 and 0 %)")
new = fk.call("POST", "/api/v2/invoices", 201, json={
    "client_id": customer["id"], "date": "2025-07-01",
    "rows": [{"product_name": "Abonament lipiec", "product_price": "400", "amount": "1", "product_tax": 25}]}
).json()["data"]
check(new["number"] >= 1, f"fakturan invoice number {new['number']}")

step("Old integration (INVO) sees the fakturan invoice")
rows = invo("invoices", {"action": "list", "include_customer": customer["id"], "sortby": "id"})["rows"]
check([r["id"] for r in rows] == [old["id"], new["id"]], "the customer's invoices: both")
listed = invo("invoices", {"action": "list", "id": new["id"], "items": 1})["rows"][0]
check((listed["type2"], listed["nrx"], listed["mdate"]) == ("+FV", new["number"], "2025-07-01"), f"{listed['nrdoc']}")
check((listed["vnetto"], listed["vbrutto"]) == (400.0, 500.0), "400.00 + 100.00")
check([(i["product"], i["vatsm"]) for i in listed["items"]] == [("Abonament lipiec", "25%")], "the row is an INVO item")

step("Each works on the other's invoice: fakturan pays the INVO invoice, INVO marks the fakturan one sent")
payment = fk.call("POST", f"/api/v2/invoices/{old['id']}/payments", 201, json={"paid_at": "2025-06-10"}).json()
check(Decimal(payment["data"]["amount"]) == Decimal("492"), "fakturan records 492.00 on the INVO invoice")
check(invo("invoices", {"action": "list", "id": old["id"]})["rows"][0]["status"] == 3, "INVO: status 3, paid")
check(invo("invoices", {"action": "status", "id": new["id"], "value": 1})["status"] == 1, "INVO: status 1, sent")
check(fk.call("GET", f"/api/v2/invoices/{new['id']}", 200).json()["data"]["sent"] is True, "fakturan: sent")
check(fk.call("GET", f"/api/v2/invoices/{old['id']}", 200).json()["data"]["paid_at"] == "2025-06-10",
      "fakturan: paid on 2025-06-10")

step("Both list the same number of invoices")
invo_total = invo("invoices", {"action": "list", "limit": 1})["total"]
fk_pages = fk.call("GET", "/api/v2/invoices?per_page=1", 200).json()["paging"]["total_pages"]
check(invo_total == fk_pages, f"{invo_total} invoices in both")
print("migration/side_by_side ok")
