"""Read-modify-write clients (ActiveResource, wooyek's client): an invoice or record sent back as it
was answered is accepted and changes nothing; one changed value changes only that (issue 25)."""
from __future__ import annotations

import json
import re
from typing import Any

from starlette.testclient import TestClient

from tests.dialects.invoiceocean import seed_payloads as seed
from tests.dialects.invoiceocean.conftest import post_json, seed_body

XML = {"Content-Type": "application/xml", "Accept": "application/xml"}
DISCOUNTED = {"kind": "vat", "buyer_name": "Klient1 Sp. z o.o.", "show_discount": True, "positions": [
    {"name": "Produkt A1", "tax": 23, "price_net": "100", "quantity": 3, "discount_percent": 10},
    {"name": "Produkt A2", "tax": 8, "price_net": "50", "quantity": 1}]}


def _without_stamps(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "updated_at"}


def _created(client: TestClient, token: str, invoice: dict[str, Any] | bytes) -> dict[str, Any]:
    body = invoice if isinstance(invoice, bytes) else json.dumps({"api_token": token, "invoice": invoice}).encode()
    response = post_json(client, "/invoices.json", body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_seed_invoice_sent_back_as_answered_is_accepted_and_unchanged(client: TestClient, token: str) -> None:
    created = _created(client, token, seed_body(seed.INVOICE, token))
    response = post_json(client, f"/invoices/{created['id']}.json", {"api_token": token, "invoice": created}, "PUT")
    assert response.status_code == 200, response.text
    assert _without_stamps(response.json()) == _without_stamps(created)


def test_discounted_invoice_sent_back_with_one_quantity_changed_reprices_that_position(
        client: TestClient, token: str) -> None:
    created = _created(client, token, DISCOUNTED)
    sent = json.loads(json.dumps(created))
    sent["positions"][0]["quantity"] = "4"
    response = post_json(client, f"/invoices/{created['id']}.json", {"api_token": token, "invoice": sent}, "PUT")
    assert response.status_code == 200, response.text
    first, second = response.json()["positions"]
    assert (first["quantity"], first["price_net"], first["discount_percent"], first["total_price_net"]) == (
        "4.0", "90.00", "10", "360.00")
    assert second == created["positions"][1]
    assert response.json()["price_net"] == "410.00"


def test_changed_read_only_values_are_ignored_not_refused(client: TestClient, token: str) -> None:
    created = _created(client, token, DISCOUNTED)
    sent = {**created, "price_gross": "1.00", "token": "changed", "created_at": "2001-01-01T00:00:00+01:00",
            "positions": [{**created["positions"][0], "total_price_tax": "0.01"}, created["positions"][1]]}
    response = post_json(client, f"/invoices/{created['id']}.json", {"api_token": token, "invoice": sent}, "PUT")
    assert response.status_code == 200, response.text
    assert _without_stamps(response.json()) == _without_stamps(created)


def test_a_changed_discount_amount_is_still_checked(client: TestClient, token: str) -> None:
    created = _created(client, token, DISCOUNTED)
    sent = {**created, "positions": [{**created["positions"][0], "discount": "5.00"}]}
    response = post_json(client, f"/invoices/{created['id']}.json", {"api_token": token, "invoice": sent}, "PUT")
    assert response.status_code == 422
    assert response.json() == {"code": "error", "message": {
        "positions.0.discount": ["discount_amount needs discount_kind 'amount'"]}}


def test_activeresource_xml_body_with_one_position_changed(client: TestClient, token: str) -> None:
    """ActiveResource's save: the whole record as it was loaded, dasherized, typed, nested positions."""
    created = _created(client, token, DISCOUNTED)
    loaded = client.get(f"/invoices/{created['id']}.xml?api_token={token}").text
    first_id = created["positions"][0]["id"]
    position = re.search(rf'<position>\s*<id type="integer">{first_id}</id>.*?</position>', loaded, re.S)
    assert position is not None and '<positions type="array">' in loaded
    changed = position.group(0).replace("<quantity type=\"decimal\">3.0</quantity>",
                                        "<quantity type=\"decimal\">2.0</quantity>")
    body = loaded.replace(position.group(0), changed).replace("<buyer-city></buyer-city>",
                                                              "<buyer-city>Kraków</buyer-city>")
    response = client.put(f"/invoices/{created['id']}.xml?api_token={token}", content=body.encode(), headers=XML)
    assert response.status_code == 200, response.text
    after = client.get(f"/invoices/{created['id']}.json?api_token={token}").json()
    assert (after["buyer_city"], after["price_net"], after["price_gross"]) == ("Kraków", "230.00", "275.40")
    assert [(p["quantity"], p["price_net"], p["total_price_net"]) for p in after["positions"]] == [
        ("2.0", "90.00", "180.00"), ("1.0", "50.00", "50.00")]
    assert _without_stamps({**after, "buyer_city": "", "price_net": "", "price_tax": "", "price_gross": "",
                            "positions": []}) == _without_stamps({**created, "price_net": "", "price_tax": "",
                                                                  "price_gross": "", "positions": []})


def test_price_list_created_from_the_seed_is_accepted_back_as_xml(client: TestClient, token: str) -> None:
    product = post_json(client, "/products.json", seed_body(seed.PRODUCT, token)).json()
    created = post_json(client, "/price_lists.json", seed_body(
        seed.PRICE_LIST.replace('"Product ID"', str(product["id"])), token)).json()
    assert "price_list_positions_attributes" not in created  # the items, not an extra key to echo
    loaded = client.get(f"/price_lists/{created['id']}.xml?api_token={token}").content
    response = client.put(f"/price_lists/{created['id']}.xml?api_token={token}", content=loaded, headers=XML)
    assert response.status_code == 200, response.text
    after = client.get(f"/price_lists/{created['id']}.json?api_token={token}").json()
    assert _without_stamps(after) == _without_stamps(created)


def test_price_list_items_that_are_not_a_collection_are_a_422(client: TestClient, token: str) -> None:
    created = post_json(client, "/price_lists.json", {"api_token": token, "price_list": {"name": "Cennik"}}).json()
    response = post_json(client, f"/price_lists/{created['id']}.json",
                         {"api_token": token, "price_list": {"price_list_positions": "  "}}, "PUT")
    assert (response.status_code, response.json()) == (422, {"code": "error", "message": {
        "price_list_positions_attributes": ["is invalid"]}})
