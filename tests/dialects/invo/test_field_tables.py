"""INVO's customer and product fields are declared once (dialects/invo/fields.py): the table is what `add` and
`edit` read, what `list` shows, what the reference describes and what a code-8 answer names."""
from __future__ import annotations

from dataclasses import replace

import pytest

from dialects.invo import fields
from dialects.invo.openapi import render
from dialects.kit.fields import FieldTable
from tests.dialects.invo.conftest import Api


def test_a_product_field_added_to_the_table_is_read_listed_described_and_named_in_errors(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fields, "PRODUCT", fields.PRODUCT.with_fields(fields.wire_field("memo", "ean_code", "str")))
    made = api("products", {"action": "add", "name": "Widget", "memo": "5901234123457"})
    row = api("products", {"action": "list", "id": made["id"]})["rows"][0]
    assert row["memo"] == "5901234123457"
    assert "| `memo` | `ean_code` | str |" in render()
    refused = api("products", {"action": "add", "name": "Widget", "memo": {"not": "text"}})
    assert (refused["error"], list(refused["fields"])) == (8, ["memo"])


def test_a_core_refusal_is_named_by_the_products_table(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    answer = api("products", {"action": "add", "name": "Widget", "vatsm": "abc"})
    assert (answer["error"], list(answer["fields"])) == (8, ["vatsm"])
    renamed = FieldTable("products", tuple(replace(f, wire="vat") if f.wire == "vatsm" else f
                                           for f in fields.PRODUCT))
    monkeypatch.setattr(fields, "PRODUCT", renamed)
    answer = api("products", {"action": "add", "name": "Widget", "vat": "abc"})
    assert (answer["error"], list(answer["fields"])) == (8, ["vat"])


def test_a_customer_field_renamed_in_the_table_is_read_and_listed_under_its_new_name(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    renamed = FieldTable("customers", tuple(replace(f, wire="nip") if f.wire == "taxid" else f
                                            for f in fields.CUSTOMER))
    monkeypatch.setattr(fields, "CUSTOMER", renamed)
    made = api("customers", {"action": "add", "name": "Jan Kowalski", "nip": "645-123-45-67"})
    row = api("customers", {"action": "list", "id": made["id"]})["rows"][0]
    assert row["nip"] == "645-123-45-67" and "taxid" not in row
