"""The invoice fields of the seed's specification (seeds/001, "Invoice fields") are stored in their own
columns and come back with their documented types, in JSON and in Rails-style XML, and survive a client
writing back what it read. Booleans are lenient everywhere: "1", "yes", "true" and true all mean true."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from core.fields import column_types
from core.models import Category, Invoice, Warehouse
from dialects.invoiceocean.present import INVOICE_SAME
from dialects.invoiceocean.xml import parse_xml
from tests.dialects.invoiceocean import seed_payloads as seed
from tests.dialects.invoiceocean.conftest import post_json, seed_body

XML_HEADERS = {"Content-Type": "application/xml", "Accept": "application/xml"}

# field, as the seed's list writes a value (strings), as JSON answers it, the XML text and type attribute
SEED_FIELDS: list[tuple[str, Any, Any, str, str | None]] = [
    ("category_id", "7", 7, "7", "integer"),
    ("additional_info", "1", True, "true", "boolean"),
    ("additional_info_desc", "PKWiU", "PKWiU", "PKWiU", None),
    ("warehouse_id", "1090", 1090, "1090", "integer"),
    ("use_moss", "1", True, "true", "boolean"),
    ("exchange_currency_rate", "4,2718", "4.2718", "4.2718", "decimal"),
    ("invoice_template_id", "1", 1, "1", "integer"),
    ("description_footer", "Dziękujemy za zakupy", "Dziękujemy za zakupy", "Dziękujemy za zakupy", None),
    ("description_long", "Warunki: <30 dni> & odsetki", "Warunki: <30 dni> & odsetki",
     "Warunki: &lt;30 dni&gt; &amp; odsetki", None),
    ("delivery_date", "2013-01-16", "2013-01-16", "2013-01-16", "date"),
    ("disable_tax_no_validation", "1", True, "true", "boolean"),
    ("additional_invoice_field", "PO-2013/17", "PO-2013/17", "PO-2013/17", None),
]
FIELD_IDS = [f[0] for f in SEED_FIELDS]
BOOLEAN_FIELDS = sorted(name for name in INVOICE_SAME if column_types(Invoice)[name][0] is bool)


def _seed_invoice(token: str, **fields: Any) -> dict[str, Any]:
    body = json.loads(seed_body(seed.INVOICE, token))
    body["invoice"].update(fields)
    return body


def _get(client: TestClient, invoice_id: int, fmt: str = "json") -> Any:
    response = client.get(f"/invoices/{invoice_id}.{fmt}", params={"api_token": client.headers["x-test-token"]})
    assert response.status_code == 200, response.text
    return response.json() if fmt == "json" else response.text


def _seed_references(session: Any, account_id: int) -> None:
    """The category and warehouse the seed's example names (7 and 1090): references resolved in the account."""
    session.add(Category(id=7, account_id=account_id, name="Seed category"))
    session.add(Warehouse(id=1090, account_id=account_id, name="Seed warehouse"))


@pytest.fixture
def io(client: TestClient, token: str, ledger: Any, account: dict[str, Any]) -> TestClient:
    ledger.write(_seed_references, account["account_id"])
    client.headers["x-test-token"] = token
    return client


def _element(name: str, text: str, xml_type: str | None) -> str:
    tag = name.replace("_", "-")
    return f'<{tag}{f" type={chr(34)}{xml_type}{chr(34)}" if xml_type else ""}>{text}</{tag}>'


@pytest.mark.parametrize(("name", "sent", "shown", "xml_text", "xml_type"), SEED_FIELDS, ids=FIELD_IDS)
def test_seed_invoice_field_round_trips_in_json(io: TestClient, token: str, name: str, sent: Any, shown: Any,
                                               xml_text: str, xml_type: str | None) -> None:
    created = post_json(io, "/invoices.json", _seed_invoice(token, **{name: sent}))
    assert created.status_code == 201, created.text
    invoice = created.json()
    assert invoice[name] == shown
    assert _get(io, invoice["id"]) == invoice
    written_back = post_json(io, f"/invoices/{invoice['id']}.json", {"api_token": token, "invoice": invoice},
                             method="PUT")
    assert written_back.status_code == 200, written_back.text
    assert written_back.json()[name] == shown
    assert _element(name, xml_text, xml_type) in _get(io, invoice["id"], "xml")


@pytest.mark.parametrize(("name", "sent", "shown", "xml_text", "xml_type"), SEED_FIELDS, ids=FIELD_IDS)
def test_seed_invoice_field_round_trips_in_xml(io: TestClient, token: str, name: str, sent: Any, shown: Any,
                                              xml_text: str, xml_type: str | None) -> None:
    body = (f"<invoice><api-token>{token}</api-token><buyer-name>Klient1 Sp. z o.o.</buyer-name>"
            f"{_element(name, xml_text, xml_type)}<positions type=\"array\"><position><name>Produkt A1</name>"
            f"<tax>23</tax><total-price-gross type=\"decimal\">10.23</total-price-gross></position></positions>"
            f"</invoice>")
    created = io.post("/invoices.xml", content=body.encode(), headers=XML_HEADERS)
    assert created.status_code == 201, created.text
    assert _element(name, xml_text, xml_type) in created.text
    _root, invoice = parse_xml(created.content)
    assert _get(io, invoice["id"])[name] == shown

    # A client writes back the document it read, unchanged: nothing moves.
    read = _get(io, invoice["id"], "xml")
    written = io.put(f"/invoices/{invoice['id']}.xml", params={"api_token": token}, content=read.encode(),
                     headers=XML_HEADERS)
    assert written.status_code == 200, written.text
    assert _element(name, xml_text, xml_type) in written.text
    assert _get(io, invoice["id"])[name] == shown


@pytest.mark.parametrize("name", ["category_id", "warehouse_id", "invoice_template_id", "exchange_currency_rate",
                                  "delivery_date"])
def test_unset_seed_field_is_a_typed_nil_in_xml_and_null_in_json(io: TestClient, token: str, name: str) -> None:
    invoice = post_json(io, "/invoices.json", _seed_invoice(token, **{name: ""})).json()
    assert invoice[name] is None
    xml_type = dict((f[0], f[4]) for f in SEED_FIELDS)[name]
    assert f'<{name.replace("_", "-")} type="{xml_type}" nil="true"/>' in _get(io, invoice["id"], "xml")


def test_the_boolean_invoice_fields_are_the_documented_ones() -> None:
    assert BOOLEAN_FIELDS == ["additional_info", "buyer_company", "disable_tax_no_validation", "income",
                              "show_discount", "use_moss"]


@pytest.mark.parametrize("name", BOOLEAN_FIELDS)
@pytest.mark.parametrize(("sent", "meant"), [("1", True), ("yes", True), ("true", True), (True, True),
                                             ("TRUE", True), (1, True), ("0", False), ("no", False),
                                             ("false", False), (False, False)])
def test_every_boolean_invoice_field_reads_lenient_values(io: TestClient, token: str, name: str, sent: Any,
                                                          meant: bool) -> None:
    created = post_json(io, "/invoices.json", _seed_invoice(token, **{name: sent}))
    assert created.status_code == 201, created.text
    assert created.json()[name] is meant
    updated = post_json(io, f"/invoices/{created.json()['id']}.json", {"api_token": token,
                                                                       "invoice": {name: sent}}, method="PUT")
    assert updated.json()[name] is meant


@pytest.mark.parametrize("name", BOOLEAN_FIELDS)
def test_every_boolean_invoice_field_reads_untyped_xml_yes(io: TestClient, token: str, name: str) -> None:
    tag = name.replace("_", "-")
    body = (f"<invoice><api-token>{token}</api-token><buyer-name>K</buyer-name><{tag}>yes</{tag}>"
            f"<positions><position><name>A</name><tax>23</tax><total-price-gross>1</total-price-gross></position>"
            f"</positions></invoice>")
    created = io.post("/invoices.xml", content=body.encode(), headers=XML_HEADERS)
    assert created.status_code == 201, created.text
    assert f'<{tag} type="boolean">true</{tag}>' in created.text


def test_unreadable_seed_fields_are_one_422_and_no_invoice_is_written(io: TestClient, token: str) -> None:
    response = post_json(io, "/invoices.json", _seed_invoice(
        token, category_id="books", use_moss="maybe", delivery_date="soon", exchange_currency_rate="4.2.1"))
    assert response.status_code == 422
    assert response.json() == {"code": "error", "message": {
        "category_id": ["is invalid"], "use_moss": ["is invalid"], "delivery_date": ["is invalid"],
        "exchange_currency_rate": ["is invalid"]}}
    listed = io.get("/invoices.json", params={"api_token": token, "period": "all"}).json()
    assert listed == []


def test_seed_fields_sent_by_the_seed_example_are_columns_not_extra(io: TestClient, token: str) -> None:
    """Every key of the seed's invoice field list that the gateway stores comes back typed, never as the
    raw string the client sent (which is how unknown keys are echoed)."""
    sent = {name: value for name, value, *_ in SEED_FIELDS}
    invoice = post_json(io, "/invoices.json", _seed_invoice(token, **sent)).json()
    assert {name: invoice[name] for name in sent} == {name: shown for name, _s, shown, *_ in SEED_FIELDS}
    xml = _get(io, invoice["id"], "xml")
    assert all(_element(name, text, kind) in xml for name, _s, _j, text, kind in SEED_FIELDS)
    assert not re.search(r"<extra\b", xml)


def test_a_discounted_invoice_written_back_as_read_keeps_its_positions_and_totals(io: TestClient,
                                                                                  token: str) -> None:
    """A position's `discount` under a percent discount_kind is the amount the invoice reports, so the
    document a client read can be written back as it is."""
    made = post_json(io, "/invoices.json", _seed_invoice(token, show_discount="1", positions=[
        {"name": "Licencja", "quantity": 16, "price_net": "348.35", "tax": 23, "discount_percent": 4}])).json()
    assert (made["discount_kind"], made["positions"][0]["discount"]) == ("percent_unit", "222.88")
    written = post_json(io, f"/invoices/{made['id']}.json", {"api_token": token, "invoice": made}, method="PUT")
    assert written.status_code == 200, written.text
    after = written.json()
    totals = ("total_price_net", "total_price_tax", "total_price_gross", "discount_percent", "quantity", "name")
    assert (after["price_net"], after["price_gross"]) == (made["price_net"], made["price_gross"])
    assert [{k: p[k] for k in totals} for p in after["positions"]] == [
        {k: p[k] for k in totals} for p in made["positions"]]


def test_exchange_currency_rate_is_the_rate_used_when_exchange_kind_is_own(io: TestClient, token: str) -> None:
    own = post_json(io, "/invoices.json", _seed_invoice(token, currency="EUR", exchange_currency="PLN",
                                                       exchange_kind="own", exchange_currency_rate="4,2718")).json()
    assert (own["exchange_currency_rate"], own["exchange_rate"]) == ("4.2718", "4.2718")
    bank = post_json(io, "/invoices.json", _seed_invoice(token, currency="EUR", exchange_currency="PLN",
                                                        exchange_kind="nbp", exchange_currency_rate="4,2718")).json()
    assert (bank["exchange_currency_rate"], bank["exchange_rate"]) == ("4.2718", None)
    changed = post_json(io, f"/invoices/{bank['id']}.json", {"api_token": token, "invoice": {
        "exchange_kind": "own", "exchange_currency_rate": "4.3"}}, method="PUT").json()
    assert (changed["exchange_currency_rate"], changed["exchange_rate"]) == ("4.3", "4.3")
