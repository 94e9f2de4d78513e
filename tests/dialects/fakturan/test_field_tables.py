"""fakturan.nu's client and product fields are declared once (dialects/fakturan/fields.py): what the table says
is what a request is read with, what an answer shows, what the OpenAPI document describes and what an error is
named. A field added to or renamed in the table changes all of them."""
from __future__ import annotations

from dataclasses import replace

import pytest

from dialects.fakturan import fields, openapi
from dialects.kit.fields import Field, FieldTable
from tests.dialects.fakturan.conftest import GOOGLE, Api


def test_a_product_field_added_to_the_table_is_read_shown_described_and_named_in_errors(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    memo = Field("memo", "notes", fields.text(40), schema=fields.STRING, input_schema={"type": "string",
                                                                                         "maxLength": 40})
    monkeypatch.setattr(fields, "PRODUCT", fields.PRODUCT.with_fields(memo))
    created = api.created("/api/v2/products", {"name": "Widget", "price": "10", "memo": "blue"})
    assert created["memo"] == "blue"
    assert api.get(f"/api/v2/products/{created['id']}").json()["data"]["memo"] == "blue"
    assert openapi.product_schema()["properties"]["memo"] == fields.STRING
    assert "memo" in openapi.product_schema()["required"]
    assert openapi.product_input()["properties"]["memo"] == {"type": "string", "maxLength": 40}
    refused = api.post("/api/v2/products", {"name": "Widget", "memo": "x" * 41})
    assert (refused.status_code, refused.json()) == (422, {"errors": {"memo": [{"error": "too_long", "count": 40}]}})


def test_a_product_field_renamed_in_the_table_is_renamed_in_requests_answers_schema_and_errors(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    renamed = FieldTable("product", tuple(replace(f, wire="cost") if f.wire == "price" else f
                                          for f in fields.PRODUCT))
    monkeypatch.setattr(fields, "PRODUCT", renamed)
    created = api.created("/api/v2/products", {"name": "Widget", "cost": "10"})
    assert (created["cost"], created["price_inc_tax"]) == ("10.0", "12.5")
    assert "price" not in created
    assert "cost" in openapi.product_schema()["properties"] and "price" not in openapi.product_schema()["properties"]
    assert "cost" in openapi.product_input()["properties"]
    refused = api.post("/api/v2/products", {"name": "Widget", "cost": "ten"})
    assert refused.json() == {"errors": {"cost": [{"error": "not_a_number"}]}}


def test_a_product_field_dropped_from_the_table_is_neither_read_nor_shown(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fields, "PRODUCT", fields.PRODUCT.without("unit"))
    created = api.created("/api/v2/products", {"name": "Widget", "price": "10", "unit": "h"})
    assert "unit" not in created
    assert "unit" not in openapi.product_schema()["properties"]
    monkeypatch.undo()
    assert api.get(f"/api/v2/products/{created['id']}").json()["data"]["unit"] == ""


def test_a_client_address_field_renamed_in_the_table_moves_in_the_nested_hash(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    renamed = FieldTable("client", tuple(replace(f, wire="address.town") if f.wire == "address.city" else f
                                         for f in fields.CLIENT))
    monkeypatch.setattr(fields, "CLIENT", renamed)
    body = {**GOOGLE, "address": {**GOOGLE["address"], "town": "Palo Alto"}}
    del body["address"]["city"]
    created = api.created("/api/v2/clients", body)
    assert created["address"]["town"] == "Palo Alto" and "city" not in created["address"]
    assert "town" in openapi.client_schema()["properties"]["address"]["properties"]
    refused = api.post("/api/v2/clients", {**body, "address": {**body["address"], "town": "x" * 256}})
    assert refused.json() == {"errors": {"address.town": [{"error": "too_long", "count": 255}]}}
