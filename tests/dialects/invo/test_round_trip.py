"""A `list` row (with `items:1`) sent back as `edit`: unchanged it changes nothing, with one value
changed it changes that value only; a listed discounted item is not discounted twice (issue 25)."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from starlette.testclient import TestClient

from tests.dialects.invo.conftest import Api
from tests.dialects.invoiceocean.conftest import post_json

SEED_ITEM = {"product": "cos tam", "pkwiu": "72/20", "count": 4, "unit": "szt.", "pnetto": Decimal("100.00"),
             "vatsm": "23%"}
DISCOUNTED = {**SEED_ITEM, "product": "z rabatem", "discount": 10}


def _add(api: Api, customer_id: int, *items: dict[str, Any], **header: Any) -> int:
    answer = api("invoices", {"action": "add", "type2": "+FV", "c1id": customer_id, "mdate": "2014-10-20",
                              "items": list(items), **header})
    assert "error" not in answer, answer
    return int(answer["id"])


def _listed(api: Api, invoice_id: int) -> dict[str, Any]:
    return api("invoices", {"action": "list", "id": invoice_id, "items": 1})["rows"][0]  # type: ignore[no-any-return]


def _edit(api: Api, row: dict[str, Any]) -> Any:
    return api("invoices", {**row, "action": "edit"})


def test_listed_row_sent_back_as_edit_changes_nothing(api: Api, customer_id: int) -> None:
    invoice_id = _add(api, customer_id, SEED_ITEM, DISCOUNTED)
    row = _listed(api, invoice_id)
    assert row["kid"] == 0  # what a new invoice could not be given
    assert _edit(api, row) == {"id": invoice_id, "nrdoc": row["nrdoc"], "nrx": row["nrx"], "vnetto": row["vnetto"],
                               "vbrutto": row["vbrutto"], "status": row["status"]}
    assert _listed(api, invoice_id) == row


def test_listed_discounted_item_sent_back_is_not_discounted_twice(api: Api, customer_id: int) -> None:
    invoice_id = _add(api, customer_id, DISCOUNTED)
    row = _listed(api, invoice_id)
    [item] = row["items"]
    assert (item["pnetto"], item["vnetto"]) == (Decimal("90.00"), Decimal("360.00"))
    _edit(api, {**row, "notices": "Dziękujemy"})
    after = _listed(api, invoice_id)
    assert (after["notices"], after["items"], after["vnetto"]) == ("Dziękujemy", row["items"], Decimal("360.00"))


def test_listed_discounted_item_with_its_count_changed_keeps_price_and_discount(api: Api, customer_id: int) -> None:
    invoice_id = _add(api, customer_id, SEED_ITEM, DISCOUNTED)
    row = _listed(api, invoice_id)
    plain, discounted = row["items"]
    _edit(api, {**row, "items": [plain, {**discounted, "count": 2}]})
    after = _listed(api, invoice_id)
    assert after["items"] == [plain, {**discounted, "count": 2, "vnetto": Decimal("180.00"),
                                      "vbrutto": Decimal("221.40")}]
    assert (after["vnetto"], after["vbrutto"]) == (Decimal("580.00"), Decimal("713.40"))


def test_items_left_out_are_removed_and_items_without_an_id_added(api: Api, customer_id: int) -> None:
    invoice_id = _add(api, customer_id, SEED_ITEM, DISCOUNTED)
    row = _listed(api, invoice_id)
    kept = row["items"][0]
    _edit(api, {**row, "items": [kept, {"product": "nowy", "count": 1, "pnetto": 5, "vatsm": "23%"}]})
    items = _listed(api, invoice_id)["items"]
    assert items[0] == kept
    assert [(i["product"], i["count"], i["pnetto"]) for i in items[1:]] == [("nowy", 1, Decimal("5.00"))]


def test_listed_item_keeps_what_invo_cannot_show(api: Api, client: TestClient, account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    created = post_json(client, "/invoices.json", {"api_token": token, "invoice": {
        "kind": "vat", "buyer_name": "Klient1", "positions": [
            {"name": "Szkolenie", "code": "TRAIN-1", "description": "dwa dni", "tax": 23, "price_net": "100",
             "quantity": 1}]}}).json()
    row = _listed(api, created["id"])
    _edit(api, {**row, "items": [{**row["items"][0], "count": 2}]})
    [position] = client.get(f"/invoices/{created['id']}.json?api_token={token}").json()["positions"]
    assert (position["code"], position["description"], position["quantity"], position["total_price_net"]) == (
        "TRAIN-1", "dwa dni", "2.0", "200.00")


def test_a_changed_kid_is_still_checked(api: Api, customer_id: int) -> None:
    fv = _add(api, customer_id, SEED_ITEM)
    kor = api("invoices", {"action": "add", "type2": "+KOR", "kid": fv, "c1id": customer_id, "mdate": "2014-10-25",
                           "items": [{**SEED_ITEM, "before": {**SEED_ITEM, "count": 3}}]})
    row = _listed(api, int(kor["id"]))
    assert _edit(api, row)["id"] == kor["id"]
    assert _edit(api, {**row, "kid": 0}) == {"error": 8, "message": "validation error",
                                             "fields": {"kid": "must be 1 or more"}}


def test_listed_customer_and_product_sent_back_change_nothing(api: Api, customer_id: int) -> None:
    product = api("products", {"action": "add", "name": "Drukarka HP", "symbol": "D3531", "pbrutto": "1249.00",
                               "vatsm": "23%"})
    for resource, record_id in (("customers", customer_id), ("products", product["id"])):
        [row] = api(resource, {"action": "list", "id": record_id})["rows"]
        assert api(resource, {**row, "action": "edit", "name": "Nowa nazwa"}) == {"id": record_id}
        assert api(resource, {"action": "list", "id": record_id})["rows"] == [{**row, "name": "Nowa nazwa"}]


def test_listed_dictionary_entry_sent_back_changes_nothing(api: Api) -> None:
    entry = api("dictionaries", {"action": "add", "what": "units", "c3": "paleta"})
    [row] = [r for r in api("dictionaries", {"action": "list", "what": "units"})["rows"] if r["c1"] == entry["id"]]
    assert api("dictionaries", {**row, "action": "edit", "what": "units", "id": row["c1"]}) == {"id": entry["id"]}
    assert json.dumps(api("dictionaries", {"action": "list", "what": "units"})["rows"][-1], default=str) == \
        json.dumps(row, default=str)
