"""An INVO integration's whole day (httpx), the way a PHP shop talks to INVO: check the login, read the
dictionaries it needs, add a customer, issue an invoice with items in a tax rate and a unit taken from the
dictionaries, read the items back, mark it paid, and fetch its PDF.

Run with BASE_URL, INVO_LOGIN and INVO_PASSWORD (or the demo credentials file); exits non-zero on any
unexpected answer.
"""
from __future__ import annotations

import base64
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from flowlib import Invo, check, step  # noqa: E402

invo = Invo()

step("Login check")
login = invo("login", {})
check(login["cid"] >= 1 and login["uid"] >= 0, f"cid {login['cid']}, uid {login['uid']}")

step("Dictionaries: the tax rate, the unit and the payment terms the shop uses")
rates = invo("dictionaries", {"action": "list", "what": "taxrates"})["rows"]
vat23 = next(r for r in rates if r["c4"] == "23%")
check(vat23["c5"] == 0.23, f"23% is tax rate id {vat23['c1']}")
units = invo("dictionaries", {"action": "list", "what": "units"})["rows"]
hour = next(u for u in units if u["c4"] == "h")
check(hour["c3"] == "Godzina", f"hours are unit id {hour['c1']}")
paytypes = invo("dictionaries", {"action": "list", "what": "paytypes"})["rows"]
transfer14 = next(p for p in paytypes if p["c4"] == 14)
check(transfer14["c6"] == 1, f"14-day transfer is pay type id {transfer14['c1']}")

step("A customer")
symbol = f"SHOP{random.randrange(10**6)}"
customer = invo("customers", {"action": "add", "symbol": symbol, "name": "Sklep Internetowy Kowalski",
                              "street": "Korfantego 100", "code": "40-154", "city": "Katowice",
                              "taxid": "645-123-45-67", "email": "faktury@sklep-kowalski.example"})
found = invo("customers", {"action": "list", "symbol": symbol})
check([r["id"] for r in found["rows"]] == [customer["id"]], f"customer {customer['id']} found by its symbol")

step("An invoice: 12 hours of consulting at 150.00 net, and a licence at 1230.00 gross")
invoice = invo("invoices", {"action": "add", "type2": "+FV", "c1id": customer["id"], "ptid": transfer14["c1"],
                            "mdate": "2025-03-14", "sdate": "2025-03-14", "notices": "Zamówienie nr 4711",
                            "items": [{"product": "Konsultacje", "count": 12, "unitid": hour["c1"],
                                       "pnetto": 150.00, "vatid": vat23["c1"]},
                                      {"product": "Licencja roczna", "count": 1, "unitsm": "szt.",
                                       "pbrutto": 1230.00, "vatsm": "23%"}]})
check(invoice["vnetto"] == 2800.0 and invoice["vbrutto"] == 3444.0, "1800.00 + 1000.00 net, 3444.00 gross")
check(invoice["status"] == 4, f"invoice {invoice['nrdoc']} is issued, not paid (status 4)")
row = invo("invoices", {"action": "list", "id": invoice["id"], "items": 1})["rows"][0]
check(row["c1name"] == "Sklep Internetowy Kowalski" and row["tdate"] == "2025-03-28",
      "buyer from the customer, due 14 days after 2025-03-14")

step("Its items")
items = invo("items", {"action": "list", "did": invoice["id"]})["rows"]
check([(i["product"], i["count"], i["unitsm"], i["vatsm"]) for i in items]
      == [("Konsultacje", 12, "h", "23%"), ("Licencja roczna", 1, "szt.", "23%")], "both items, as given")
check([i["vbrutto"] for i in items] == [2214.0, 1230.0], "line gross 2214.00 and 1230.00")
check(items[0]["unitid"] == hour["c1"] and items[0]["vatid"] == vat23["c1"], "dictionary ids come back")

step("A status change: paid")
changed = invo("invoices", {"action": "status", "id": invoice["id"], "value": 3})
check(changed == {"id": invoice["id"], "status": 3}, "status 3")
row = invo("invoices", {"action": "list", "id": invoice["id"]})["rows"][0]
check(row["paid"] == row["vbrutto"] == 3444.0, "paid in full")

step("Its file")
file = invo("files", {"action": "get", "id": invoice["id"]})
pdf = base64.b64decode(file["file"])
check(file["ftype"] == ".pdf" and pdf.startswith(b"%PDF-"), f"{file['fname']}: a PDF of {len(pdf)} bytes")

step("(cleanup) the invoice and the customer")
check(invo("invoices", {"action": "delete", "id": invoice["id"]}) == {"id": invoice["id"]}, "invoice deleted")
check(invo("customers", {"action": "delete", "id": customer["id"]}) == {"id": customer["id"]}, "customer deleted")
print("invo/flow ok")
