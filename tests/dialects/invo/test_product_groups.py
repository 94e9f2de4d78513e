"""INVO's product groups (r=dictionaries, what=groupgs, the seed's "Product groups" example) are the account's
categories: InvoiceOcean's /categories.json serves the same records, and a product's `group` is its category."""
from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.dialects.invo.conftest import Api

GROUP = {"c3": "Komputery", "c4": "komputery, monitory, urządzenia peryferyjne"}  # the seed's answer row


def test_a_product_group_added_in_invo_is_an_invoiceocean_category_and_back(api: Api, client: TestClient,
                                                                           account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    made = api("dictionaries", {"action": "add", "what": "groupgs", **GROUP})
    [category] = client.get(f"/categories.json?api_token={token}").json()
    assert (category["id"], category["name"], category["description"]) == (made["id"], GROUP["c3"], GROUP["c4"])
    other = client.post(f"/categories.json?api_token={token}", json={"category": {"name": "Sprzęt AGD"}}).json()
    assert api("dictionaries", {"action": "list", "what": "groupgs"}) == {"count": 2, "rows": [
        {"c1": made["id"], "c2": 0, **GROUP}, {"c1": other["id"], "c2": 0, "c3": "Sprzęt AGD", "c4": ""}]}
    api("dictionaries", {"action": "edit", "what": "groupgs", "id": other["id"], "c4": "pralki, lodówki"})
    assert client.get(f"/categories/{other['id']}.json?api_token={token}").json()["description"] == "pralki, lodówki"
    api("dictionaries", {"action": "delete", "what": "groupgs", "id": other["id"]})
    assert client.get(f"/categories/{other['id']}.json?api_token={token}").status_code == 404


def test_a_products_group_is_its_category_in_both_dialects(api: Api, client: TestClient,
                                                           account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    group = api("dictionaries", {"action": "add", "what": "groupgs", **GROUP})["id"]
    product = api("products", {"action": "add", "type": 0, "group": group, "name": "Laptop Dell Inspiron 3531",
                               "vatsm": "23%", "brutto": 1500.00})["id"]
    assert client.get(f"/products/{product}.json?api_token={token}").json()["category_id"] == group
    listed = client.get(f"/products.json?api_token={token}&category_id={group}").json()
    assert [p["id"] for p in listed] == [product]
    other = client.post(f"/products.json?api_token={token}", json={"product": {
        "name": "Monitor", "price_net": "10", "tax": "23", "category_id": group}}).json()["id"]
    assert api("products", {"action": "list", "id": other})["rows"][0]["group"] == group
    assert api("products", {"action": "edit", "id": other, "group": 0}) == {"id": other}
    assert client.get(f"/products/{other}.json?api_token={token}").json()["category_id"] is None


def test_an_unknown_product_group_is_error_8_on_group(api: Api) -> None:
    answer = api("products", {"action": "add", "name": "X", "group": 987654, "vatsm": "23%", "brutto": 1})
    assert answer["error"] == 8 and "group" in answer["fields"]
