"""InvoiceOcean's record fields are declared once (dialects/invoiceocean/fields.py: the core columns under their
InvoiceOcean names): the table is what a request is read with, what an answer shows, what the OpenAPI document
describes and what a 422 names."""
from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from core.models import Client
from dialects.invoiceocean import fields, openapi
from dialects.kit.fields import Field
from dialects.kit.lenient import to_text
from tests.dialects.invoiceocean.conftest import post_json


def test_a_product_field_added_to_the_table_is_read_shown_described_and_named_in_errors(
        client: TestClient, token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    memo = Field("memo", "ean_code", to_text, schema={"type": "string"}, input_schema={"type": "string"})
    monkeypatch.setitem(fields.TABLES, "product", fields.TABLES["product"].with_fields(memo))
    made = post_json(client, "/products.json", {"api_token": token, "product": {"name": "Widget", "memo": "590"}})
    assert made.status_code == 201, made.text
    shown = client.get(f"/products/{made.json()['id']}.json?api_token={token}").json()
    assert (shown["memo"], shown["ean_code"]) == ("590", "590")
    assert openapi.record_schema("product")["properties"]["memo"] == {"type": "string"}
    assert openapi.record_input("product")["properties"]["memo"] == {"type": "string"}
    refused = post_json(client, "/products.json", {"api_token": token, "product": {"name": "W", "memo": [1]}})
    assert (refused.status_code, refused.json()) == (422, {"code": "error", "message": {"memo": ["is invalid"]}})


def test_a_client_column_renamed_in_the_table_is_read_shown_described_and_named_under_its_wire_name(
        client: TestClient, token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    made = post_json(client, "/clients.json", {"api_token": token, "client": {"name": "A", "payment_to_kind": 14}})
    assert made.json()["payment_to_kind"] == 14 and "payment_days" not in made.json()
    monkeypatch.setitem(fields.RENAMES, "client", {"payment_days": "days"})
    monkeypatch.setitem(fields.TABLES, "client", fields.record_table("client", Client))
    made = post_json(client, "/clients.json", {"api_token": token, "client": {"name": "B", "days": 21}})
    assert made.json()["days"] == 21 and "payment_to_kind" not in made.json()
    assert "days" in openapi.record_schema("client")["properties"]
    assert "days" in openapi.record_input("client")["properties"]
    refused = post_json(client, "/clients.json", {"api_token": token, "client": {"name": "C", "days": "soon"}})
    assert refused.json() == {"code": "error", "message": {"days": ["is invalid"]}}
