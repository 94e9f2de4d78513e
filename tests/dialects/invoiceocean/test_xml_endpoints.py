"""XML twins: create by XML and read by JSON (and the reverse) give the same resource; a golden list."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from dialects.invoiceocean.xml import parse_xml
from tests.dialects.invoiceocean.conftest import create_invoice, post_json

GOLDEN = Path(__file__).parent / "golden" / "invoices_list.xml"
XML_HEADERS = {"Content-Type": "application/xml", "Accept": "application/xml"}

INVOICE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<invoice>
  <api-token>{token}</api-token>
  <kind>vat</kind>
  <issue-date type="date">2024-05-02</issue-date>
  <buyer-name>XML Buyer</buyer-name>
  <buyer-tax-no>5252445767</buyer-tax-no>
  <positions type="array">
    <position><name>Widget</name><tax>23</tax><quantity type="decimal">2</quantity>
      <total-price-gross type="decimal">24.60</total-price-gross></position>
  </positions>
</invoice>"""


def _xml_value(text: str) -> Any:
    return parse_xml(text.encode())[1]


def test_invoice_created_by_xml_reads_the_same_by_json(client: TestClient, token: str) -> None:
    created = client.post("/invoices.xml", content=INVOICE_XML.format(token=token).encode(), headers=XML_HEADERS)
    assert created.status_code == 201, created.text
    assert created.headers["content-type"].startswith("application/xml")
    as_xml = _xml_value(created.text)
    as_json = client.get(f"/invoices/{as_xml['id']}.json?api_token={token}").json()
    assert (as_json["buyer_name"], as_json["price_gross"], as_json["issue_date"]) == ("XML Buyer", "24.60",
                                                                                      "2024-05-02")
    for key in ("id", "number", "token", "client_id", "status", "view_url", "buyer_company"):
        assert as_xml[key] == as_json[key], key
    assert str(as_xml["price_net"]) == as_json["price_net"] == "20.00"
    assert str(as_xml["positions"][0]["quantity"]) == as_json["positions"][0]["quantity"] == "2.0"


def test_invoice_created_by_json_reads_the_same_by_xml(client: TestClient, token: str) -> None:
    invoice = create_invoice(client, token)
    as_xml = _xml_value(client.get(f"/invoices/{invoice['id']}.xml?api_token={token}").text)
    assert (as_xml["number"], str(as_xml["price_gross"]), as_xml["positions"][0]["name"]) == (
        invoice["number"], invoice["price_gross"], "Produkt A1")
    assert as_xml["paid_date"] is None and as_xml["cancelled"] is False


def test_xml_update_with_untyped_positions_and_underscored_tags(client: TestClient, token: str) -> None:
    invoice = create_invoice(client, token)
    line_id = invoice["positions"][0]["id"]
    body = (f"<invoice><api_token>{token}</api_token><buyer_name>Renamed</buyer_name><positions>"
            f"<position><id>{line_id}</id><quantity>3</quantity></position></positions></invoice>")
    response = client.put(f"/invoices/{invoice['id']}.xml", content=body.encode(), headers=XML_HEADERS)
    assert response.status_code == 200, response.text
    as_json = client.get(f"/invoices/{invoice['id']}.json?api_token={token}").json()
    assert (as_json["buyer_name"], as_json["positions"][0]["quantity"], as_json["price_gross"]) == (
        "Renamed", "3.0", "30.69")


def test_client_round_trip_between_xml_and_json(client: TestClient, token: str) -> None:
    body = (f"<client><api-token>{token}</api-token><name>Xml Client</name><tax-no>525-244-57-67</tax-no>"
            f"<street-no>4a</street-no><loyalty-tier>gold</loyalty-tier></client>")
    created = client.post("/clients.xml", content=body.encode(), headers=XML_HEADERS)
    assert created.status_code == 201, created.text
    as_xml = _xml_value(created.text)
    as_json = client.get(f"/clients/{as_xml['id']}.json?api_token={token}").json()
    assert (as_json["name"], as_json["tax_no"], as_json["street_no"], as_json["loyalty_tier"]) == (
        "Xml Client", "525-244-57-67", "4a", "gold")
    json_made = post_json(client, "/clients.json", {"api_token": token, "client": {"name": "Json Client",
                                                                                    "company": "0"}}).json()
    back = _xml_value(client.get(f"/clients/{json_made['id']}.xml?api_token={token}").text)
    assert (back["name"], back["company"], back["id"]) == ("Json Client", False, json_made["id"])


def _normalised(text: str) -> str:
    text = re.sub(r"<token>\w+</token>", "<token>TOKEN</token>", text)
    text = re.sub(r"/(f/[^/<]+|invoice/payment)/\w+<", r"/\1/TOKEN<", text)
    return re.sub(r'(<(created-at|updated-at) type="dateTime">)[^<]+<', r"\1STAMP<", text)


def test_invoice_list_xml_matches_golden_text(client: TestClient, token: str) -> None:
    create_invoice(client, token, issue_date="2024-05-02", sell_date="2024-05", number="FV 1/2024")
    response = client.get(f"/invoices.xml?api_token={token}&period=all&include_positions=1")
    assert response.status_code == 200
    assert _normalised(response.text) == GOLDEN.read_text(encoding="utf-8")
