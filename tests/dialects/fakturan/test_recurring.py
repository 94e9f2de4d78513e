"""Recurring invoices as the fakturan.nu gem declares them (recurring, interval_period, auto_send,
start_recurring_from, last_day_of_month): the invoice becomes a recurring definition that the core's
engine runs, and reads back with those attributes."""
from __future__ import annotations

from datetime import date
from typing import Any

from core.ledger import Ledger
from core.recurring import run_due
from tests.dialects.fakturan.conftest import GOOGLE, Api

ROW = {"product_name": "Hosting", "amount": "1", "product_price": "400", "product_tax": 25}
ATTRIBUTES = ("recurring", "interval_period", "auto_send", "start_recurring_from", "last_day_of_month")


def _attributes(invoice: dict[str, Any]) -> dict[str, Any]:
    return {key: invoice[key] for key in ATTRIBUTES if key in invoice}


def _invoices(api: Api) -> list[dict[str, Any]]:
    return api.get("/api/v2/invoices", params={"per_page": "100", "sort": "+date"}).json()["data"]


def test_a_recurring_invoice_is_run_by_the_engine_and_reads_back_its_attributes(api: Api, ledger: Ledger) -> None:
    client = api.created("/api/v2/clients", {**GOOGLE, "email": "billing@google.example"})
    made = api.created("/api/v2/invoices", {"client_id": client["id"], "date": "2024-01-15", "recurring": True,
                                            "interval_period": 1, "auto_send": True,
                                            "start_recurring_from": "2024-02-15", "rows": [ROW]})
    expected = {"recurring": True, "interval_period": 1, "auto_send": True, "start_recurring_from": "2024-02-15",
                "last_day_of_month": False}
    assert _attributes(made) == expected
    assert _attributes(api.get(f"/api/v2/invoices/{made['id']}").json()["data"]) == expected

    assert run_due(ledger.engine, date(2024, 2, 14)) == []
    issued = run_due(ledger.engine, date(2024, 2, 15))
    assert [i.period_date for i in issued] == [date(2024, 2, 15)]
    assert run_due(ledger.engine, date(2024, 2, 15)) == []  # once per period

    template, copy = _invoices(api)
    assert template["id"] == made["id"] and _attributes(template) == expected
    assert copy["id"] == issued[0].invoice_id and _attributes(copy) == {}  # a copy does not recur itself
    assert (copy["date"], copy["number"], copy["client_id"], copy["sum"], copy["sent"]) == (
        "2024-02-15", made["number"] + 1, client["id"], made["sum"], True)  # auto_send mailed it
    assert [(r["product_name"], r["amount"], r["product_price"]) for r in copy["rows"]] == [
        ("Hosting", "1.0", "400.0")]


def test_last_day_of_month_issues_on_each_months_last_day(api: Api, google: dict[str, Any], ledger: Ledger) -> None:
    made = api.created("/api/v2/invoices", {"client_id": google["id"], "date": "2024-01-10", "recurring": "true",
                                            "interval_period": "1", "last_day_of_month": True, "rows": [ROW]})
    # without start_recurring_from the copies start one interval after the invoice's own date
    assert _attributes(made) == {"recurring": True, "interval_period": 1, "auto_send": False,
                                 "start_recurring_from": "2024-02-29", "last_day_of_month": True}
    issued = []
    for day in (date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 30), date(2024, 3, 31), date(2024, 4, 30)):
        issued += run_due(ledger.engine, day)  # the daily run, moved through the months
    assert [i.period_date for i in issued] == [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]
    assert [i["date"] for i in _invoices(api)] == ["2024-01-10", "2024-02-29", "2024-03-31", "2024-04-30"]
    assert not any(i["sent"] for i in _invoices(api))


def test_put_changes_the_interval_and_stops_the_recurrence(api: Api, google: dict[str, Any], ledger: Ledger) -> None:
    made = api.created("/api/v2/invoices", {"client_id": google["id"], "date": "2024-01-31", "recurring": True,
                                            "rows": [ROW]})
    assert _attributes(made)["start_recurring_from"] == "2024-02-29"  # one month, clamped
    assert [i.period_date for i in run_due(ledger.engine, date(2024, 3, 1))] == [date(2024, 2, 29)]

    assert api.put(f"/api/v2/invoices/{made['id']}", {"interval_period": 3}).status_code == 204
    shown = api.get(f"/api/v2/invoices/{made['id']}").json()["data"]
    assert _attributes(shown) == {"recurring": True, "interval_period": 3, "auto_send": False,
                                  "start_recurring_from": "2024-02-29", "last_day_of_month": False}
    # the next period follows the new interval from the last one issued
    assert [i.period_date for i in run_due(ledger.engine, date(2024, 5, 29))] == [date(2024, 5, 29)]

    assert api.put(f"/api/v2/invoices/{made['id']}", {"recurring": False}).status_code == 204
    assert api.get(f"/api/v2/invoices/{made['id']}").json()["data"]["recurring"] is False
    assert run_due(ledger.engine, date(2025, 1, 1)) == []
    assert len(_invoices(api)) == 3


def test_plain_invoices_carry_no_recurring_attributes(api: Api, google: dict[str, Any], ledger: Ledger) -> None:
    made = api.created("/api/v2/invoices", {"client_id": google["id"], "recurring": False, "interval_period": 2,
                                            "rows": [ROW]})
    assert _attributes(made) == {}
    assert api.put(f"/api/v2/invoices/{made['id']}", {"interval_period": 2}).status_code == 204
    assert _attributes(api.get(f"/api/v2/invoices/{made['id']}").json()["data"]) == {}
    assert run_due(ledger.engine, date(2030, 1, 1)) == []


def test_bad_recurring_attributes_are_422_and_write_nothing(api: Api, google: dict[str, Any]) -> None:
    response = api.post("/api/v2/invoices", {"client_id": google["id"], "recurring": "maybe", "interval_period": 0,
                                             "start_recurring_from": "someday", "auto_send": "x", "rows": [ROW]})
    assert response.status_code == 422
    assert response.json() == {"errors": {"recurring": [{"error": "invalid"}],
                                          "interval_period": [{"error": "greater_than", "count": 0}],
                                          "auto_send": [{"error": "invalid"}],
                                          "start_recurring_from": [{"error": "invalid"}]}}
    assert _invoices(api) == []
