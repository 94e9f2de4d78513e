"""Issue 24 item 6: invoices a late recurring run catches up are told apart by their sale date, in every
dialect that shows one, and each is due after the day it was really issued."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from starlette.testclient import TestClient

from core.ledger import Ledger
from core.recurring import run_due
from tests.parity.harness import Wire


def test_caught_up_recurring_invoices_show_their_periods_sale_date_in_every_dialect(
        client: TestClient, ledger: Ledger, account: dict[str, Any]) -> None:
    w = Wire(client, ledger, account)
    template = w.io("POST", "/invoices.json", {"invoice": {
        "kind": "vat", "issue_date": "2027-01-01", "sell_date": "2027-01", "payment_to_kind": 14,
        "buyer_name": "Klient1", "positions": [{"name": "Hosting", "quantity": 1, "tax": 23, "price_net": "100"}]}},
        status=201)
    w.io("POST", "/recurrings.json", {"recurring": {"name": "Hosting", "invoice_id": template["id"],
                                                    "start_date": "2027-01-01", "every": "1m",
                                                    "issue_working_day_only": False, "send_email": False}},
         status=201)

    issued = run_due(ledger.engine, date(2027, 5, 1))

    assert len(issued) == 5
    for month, run in enumerate(issued, start=1):
        io = w.io("GET", f"/invoices/{run.invoice_id}.json")
        assert (io["sell_date"], io["issue_date"], io["payment_to"]) == (f"2027-{month:02d}", "2027-05-01",
                                                                         "2027-05-15")
        row = w.invo("invoices", {"action": "list", "id": run.invoice_id})["rows"][0]
        assert (row["sdate"], row["mdate"], row["tdate"]) == (f"2027-{month:02d}-01", "2027-05-01", "2027-05-15")
        fk = w.fk("GET", f"/invoices/{run.invoice_id}")["data"]
        assert date.fromisoformat(fk["date"]) + timedelta(days=fk["days"]) == date(2027, 5, 15)
        w.assert_equivalent(run.invoice_id)
