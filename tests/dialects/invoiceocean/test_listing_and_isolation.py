"""Paging as clients walk it, list filters, and two accounts that cannot see each other."""
from __future__ import annotations

from starlette.testclient import TestClient

from tests.dialects.invoiceocean.conftest import create_invoice, post_json


def test_pages_are_full_until_a_short_last_page_then_empty(client: TestClient, token: str) -> None:
    ids = [create_invoice(client, token)["id"] for _ in range(7)]
    pages = [[i["id"] for i in client.get(f"/invoices.json?api_token={token}&period=all&per_page=3&page={n}").json()]
             for n in (1, 2, 3, 4)]
    assert pages == [ids[0:3], ids[3:6], ids[6:7], []]
    assert len(client.get(f"/invoices.json?api_token={token}&period=all&per_page=500").json()) == 7
    newest = client.get(f"/invoices.json?api_token={token}&period=all&per_page=2&order=id.desc").json()
    assert [i["id"] for i in newest] == [ids[6], ids[5]]


def test_default_period_hides_invoices_older_than_twelve_months(client: TestClient, token: str) -> None:
    old = create_invoice(client, token, issue_date="2013-01-16")
    recent = create_invoice(client, token)
    assert [i["id"] for i in client.get(f"/invoices.json?api_token={token}").json()] == [recent["id"]]
    more = client.get(f"/invoices.json?api_token={token}&period=more&date_from=2013-01-01&date_to=2013-01-31").json()
    assert [i["id"] for i in more] == [old["id"]]


def test_list_filters_number_oid_kind_and_positions(client: TestClient, token: str) -> None:
    vat = create_invoice(client, token, oid="order-1")
    proforma = create_invoice(client, token, kind="proforma")
    base = f"/invoices.json?api_token={token}&period=all"
    assert [i["id"] for i in client.get(f"{base}&oid=order-1").json()] == [vat["id"]]
    assert [i["id"] for i in client.get(f"{base}&number={vat['number']}").json()] == [vat["id"]]
    assert [i["id"] for i in client.get(f"{base}&kinds[]=proforma").json()] == [proforma["id"]]
    assert [i["id"] for i in client.get(f"{base}&invoice_ids={proforma['id']}").json()] == [proforma["id"]]
    listed = client.get(f"{base}&include_positions=true&kind=vat").json()
    assert listed[0]["positions"][0]["name"] == "Produkt A1"


def test_oid_unique_rejects_a_second_invoice(client: TestClient, token: str) -> None:
    create_invoice(client, token, oid="shop-7")
    response = post_json(client, "/invoices.json", {"api_token": token, "invoice": {
        "oid": "shop-7", "oid_unique": "yes", "buyer_name": "B", "positions": [{"name": "A", "total_price_gross": 1}]}})
    assert (response.status_code, response.json()["message"]) == (422, {"oid": ["has already been taken"]})


def test_lenient_values_and_month_sell_date_round_trip(client: TestClient, token: str) -> None:
    invoice = create_invoice(client, token, sell_date="2024-03", show_discount="yes", custom_field={"a": 1},
                             positions=[{"name": "A", "tax": "NP", "total_price_gross": "10,23", "quantity": "2"}])
    assert (invoice["sell_date"], invoice["show_discount"], invoice["custom_field"]) == ("2024-03", True, {"a": 1})
    assert (invoice["positions"][0]["tax"], invoice["price_gross"]) == ("np", "10.23")


def test_cancel_by_body_and_by_path(client: TestClient, token: str) -> None:
    first, second = create_invoice(client, token), create_invoice(client, token)
    by_body = post_json(client, "/invoices/cancel.json", {"api_token": token, "cancel_invoice_id": first["id"],
                                                          "cancel_reason": "duplicate"}).json()
    assert (by_body["status"], by_body["cancelled"], by_body["cancel_reason"]) == ("cancelled", True, "duplicate")
    by_path = client.post(f"/invoices/{second['id']}/cancel.json?api_token={token}").json()
    assert (by_path["status"], by_path["cancelled"]) == ("cancelled", True)


def test_status_by_put_and_by_json_body(client: TestClient, token: str) -> None:
    invoice = create_invoice(client, token)
    put = post_json(client, f"/invoices/{invoice['id']}.json", {"api_token": token, "invoice": {"status": "paid"}},
                    "PUT").json()
    assert (put["status"], put["paid"]) == ("paid", "10.23")
    body = post_json(client, f"/invoices/{invoice['id']}/change_status.json", {"api_token": token, "status": "sent"})
    assert body.json()["code"] == "success"


def test_accounts_cannot_see_or_change_each_others_records(client: TestClient, token: str,
                                                            other_token: str) -> None:
    invoice = create_invoice(client, token)
    buyer = post_json(client, "/clients.json", {"api_token": token, "client": {"name": "Mine", "tax_no": "123"}}).json()
    for path in (f"/invoices/{invoice['id']}.json", f"/clients/{buyer['id']}.json"):
        assert client.get(f"{path}?api_token={other_token}").status_code == 404
        assert client.delete(f"{path}?api_token={other_token}").status_code == 404
    changed = post_json(client, f"/invoices/{invoice['id']}.json",
                        {"api_token": other_token, "invoice": {"buyer_name": "Stolen"}}, "PUT")
    assert changed.status_code == 404
    assert client.get(f"/invoices.json?api_token={other_token}&period=all").json() == []
    assert client.get(f"/invoices.json?api_token={other_token}&client_id={buyer['id']}").json() == []
    assert client.get(f"/clients.json?api_token={other_token}&tax_no=123").json() == []
    stolen_client = post_json(client, "/invoices.json", {"api_token": other_token, "invoice": {
        "client_id": buyer["id"], "positions": [{"name": "A", "total_price_gross": 1}]}})
    assert (stolen_client.status_code, stolen_client.json()["message"]) == (422, {"client_id": ["no such client"]})
    mine = client.get(f"/invoices/{invoice['id']}.json?api_token={token}").json()
    assert mine["buyer_name"] == "Klient1 Sp. z o.o."
