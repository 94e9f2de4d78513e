"""Invoice behaviour beyond the seed examples: rounding, numbers, updates, round-trips, send, payments."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.ledger import Ledger
from core.models import OutboxMessage
from tests.dialects.fakturan.conftest import Api

ROW = {"product_name": "A simple product", "product_unit": "ST", "product_tax": 25, "product_price": "153",
       "amount": "5"}


def _invoice(api: Api, client_id: int, **more: Any) -> dict[str, Any]:
    return api.created("/api/v2/invoices", {"client_id": client_id, "rows": [ROW], **more})


def test_sek_sum_is_cash_rounded(api: Api, google: dict[str, Any]) -> None:
    created = _invoice(api, google["id"])
    assert (created["net"], created["tax"], created["sum"]) == ("765.0", "191.25", "956.0")
    assert created["tax_details"] == {"25": "191.25"}


def test_explicit_number_is_kept_and_numbering_continues_after_it(api: Api, google: dict[str, Any]) -> None:
    assert _invoice(api, google["id"], number=10)["number"] == 10
    assert _invoice(api, google["id"])["number"] == 11


def test_taken_number_is_422(api: Api, google: dict[str, Any]) -> None:
    _invoice(api, google["id"], number=5)
    response = api.post("/api/v2/invoices", {"client_id": google["id"], "number": 5, "rows": [ROW]})
    assert response.status_code == 422
    assert response.json() == {"errors": {"number": [{"error": "taken", "value": "5"}]}}
    assert len(api.get("/api/v2/invoices").json()["data"]) == 1


def test_lenient_date_amount_and_tax_deductable_spelling(api: Api, google: dict[str, Any]) -> None:
    created = api.created("/api/v2/invoices", {"client_id": google["id"], "date": "20230101", "rows": [
        {**ROW, "amount": "2 st", "tax_deductable": True}]})
    assert created["date"] == "2023-01-01"
    assert (created["rows"][0]["amount"], created["rows"][0]["tax_deductible"]) == ("2.0", True)


def test_fakturan_only_values_round_trip(api: Api, google: dict[str, Any]) -> None:
    created = _invoice(api, google["id"], our_reference="Anna", your_reference="Bo", locale="en", days=10,
                       date="2021-02-01", settings={"invoice_template": "foxy", "show_product_code": True})
    shown = api.get(f"/api/v2/invoices/{created['id']}").json()["data"]
    assert (shown["our_reference"], shown["your_reference"], shown["locale"], shown["days"]) == (
        "Anna", "Bo", "en", 10)
    assert shown["settings"] == {"invoice_template": "foxy", "prices_inc_tax": "no", "show_product_code": True}


def test_put_of_the_whole_object_updates_rows_adds_new_and_ignores_read_only(api: Api,
                                                                            google: dict[str, Any]) -> None:
    created = _invoice(api, google["id"])
    body = dict(created)
    body["our_reference"] = "Changed"
    body["sum"], body["tax_details"] = "1.0", {"6": "1.0"}
    body["address"] = {"name": "Ignored"}
    body["rows"] = [{**created["rows"][0], "amount": "2.0", "invoice_id": created["id"]},
                    {"product_name": "Added", "product_tax": 12, "product_price": "50", "amount": "1"}]
    response = api.put(f"/api/v2/invoices/{created['id']}", body)
    assert response.status_code == 204
    shown = api.get(f"/api/v2/invoices/{created['id']}").json()["data"]
    assert [(r["id"] == created["rows"][0]["id"], r["product_name"], r["amount"], r["sort_order"])
            for r in shown["rows"]] == [(True, "A simple product", "2.0", 0), (False, "Added", "1.0", 1)]
    assert (shown["net"], shown["tax"], shown["sum"]) == ("356.0", "82.5", "439.0")
    assert shown["tax_details"] == {"25": "76.5", "12": "6.0"}
    assert (shown["our_reference"], shown["address"]["name"], shown["number"]) == ("Changed", "Google Inc", 1)


def test_put_with_a_new_number_renumbers(api: Api, google: dict[str, Any]) -> None:
    created = _invoice(api, google["id"])
    assert api.put(f"/api/v2/invoices/{created['id']}", {"number": 42}).status_code == 204
    assert api.get(f"/api/v2/invoices/{created['id']}").json()["data"]["number"] == 42


def test_prices_inc_tax_reads_row_prices_as_gross(api: Api, google: dict[str, Any]) -> None:
    created = api.created("/api/v2/invoices", {"client_id": google["id"], "settings": {"prices_inc_tax": "yes"},
                                               "rows": [{"product_name": "G", "product_price": "125",
                                                         "amount": "2"}]})
    assert (created["net"], created["tax"], created["sum"]) == ("200.0", "50.0", "250.0")
    assert created["rows"][0]["product_price"] == "125.0"
    assert created["settings"]["prices_inc_tax"] == "yes"


def test_send_marks_sent_and_queues_email(api: Api, ledger: Ledger) -> None:
    client = api.created("/api/v2/clients", {"company": "Mail AB", "email": "ekonomi@mail.se"})
    created = _invoice(api, client["id"])
    response = api.post(f"/api/v2/invoices/{created['id']}/send", {"as_reminder": True})
    assert response.status_code == 200
    assert response.json()["data"]["sent"] is True
    messages = ledger.read(lambda s: list(s.execute(select(OutboxMessage)).scalars()))
    assert [(m.channel, m.recipients, m.meta["reminder"]) for m in messages] == [
        ("email", ["ekonomi@mail.se"], True)]


def test_send_auto_follows_the_clients_letter_setting(api: Api, ledger: Ledger) -> None:
    client = api.created("/api/v2/clients", {"company": "Brev AB",
                                             "settings": {"invoice_delivery_method": "letter"}})
    created = _invoice(api, client["id"])
    assert api.post(f"/api/v2/invoices/{created['id']}/send").status_code == 200
    messages = ledger.read(lambda s: list(s.execute(select(OutboxMessage)).scalars()))
    assert [m.channel for m in messages] == ["letter"]


def test_send_rejects_unknown_delivery_method(api: Api, google: dict[str, Any]) -> None:
    created = _invoice(api, google["id"])
    response = api.post(f"/api/v2/invoices/{created['id']}/send", {"delivery_method": "fax"})
    assert response.status_code == 422
    assert response.json() == {"errors": {"delivery_method": [{"error": "inclusion", "value": "fax"}]}}


def test_paid_at_is_set_only_once_fully_paid(api: Api, google: dict[str, Any]) -> None:
    created = _invoice(api, google["id"])
    path = f"/api/v2/invoices/{created['id']}/payments"
    assert api.created(path, {"paid_at": "2021-02-01", "amount": "500"})["amount"] == "500.0"
    assert api.get(f"/api/v2/invoices/{created['id']}").json()["data"]["paid_at"] is None
    rest = api.created(path, {"paid_at": "2021-02-03"})
    assert rest["amount"] == "456.0"
    assert api.get(f"/api/v2/invoices/{created['id']}").json()["data"]["paid_at"] == "2021-02-03"
    again = api.post(path, {"paid_at": "2021-02-04"})
    assert again.status_code == 422
    assert again.json() == {"errors": {"amount": [{"error": "greater_than", "count": 0}]}}


def test_put_row_with_destroy_removes_it(api: Api, google: dict[str, Any]) -> None:
    created = api.created("/api/v2/invoices", {"client_id": google["id"], "rows": [
        ROW, {"product_name": "Extra", "product_price": "100", "amount": "1"}]})
    extra_row = created["rows"][1]["id"]
    response = api.put(f"/api/v2/invoices/{created['id']}", {"rows": [{"id": extra_row, "_destroy": True}]})
    assert response.status_code == 204
    shown = api.get(f"/api/v2/invoices/{created['id']}").json()["data"]
    assert ([r["product_name"] for r in shown["rows"]], shown["sum"]) == (["A simple product"], "956.0")
