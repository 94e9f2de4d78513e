"""One FA(3) document of each kind the ledger issues, valid against the official XSD, its sums per rate
equal to the invoice's totals."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from ksef_client.documents.fa3.xml import validate_fa3_xml_xsd
from starlette.testclient import TestClient

from tests.einvoice.conftest import QUICK_START, fa3_amounts, post, settled, wait_for

LINE = {"name": "Usługa", "quantity": 2, "total_price_gross": 246, "tax": 23}
CASES: dict[str, tuple[dict[str, Any], list[bytes]]] = {
    "advance": ({"kind": "advance"}, [b"<RodzajFaktury>ZAL</RodzajFaktury>"]),
    "wdt": ({"kind": "wdt", "buyer_tax_no": "DE123456789", "buyer_country": "DE",
             "positions": [{**LINE, "tax": 0, "total_price_gross": 200}]},
            [b"<P_12>0 WDT</P_12>", b"<P_13_6_2>200.00</P_13_6_2>"]),
    "export": ({"kind": "export_products", "buyer_tax_no": "CHE123456789", "buyer_tax_no_kind": "other",
                "buyer_country": "CH", "positions": [{**LINE, "tax": 0, "total_price_gross": 300}]},
               [b"<P_12>0 EX</P_12>", b"<KodKraju>CH</KodKraju><NrID>E123456789</NrID>"]),
    "np": ({"np_tax_kind": "export_service", "buyer_tax_no": "DE123456789", "buyer_country": "DE",
            "positions": [{**LINE, "tax": "np", "total_price_gross": 5000}]}, [b"<P_12>np I</P_12>"]),
    "np_eu": ({"np_tax_kind": "export_service_eu", "buyer_tax_no": "DE123456789", "buyer_country": "DE",
               "positions": [{**LINE, "tax": "np", "total_price_gross": 5000}]}, [b"<P_13_9>5000.00</P_13_9>"]),
    "reverse_charge": ({"positions": [{**LINE, "tax": "oo", "total_price_gross": 1000}]},
                       [b"<P_18>1</P_18>", b"<P_13_10>1000.00</P_13_10>"]),
    "zw_and_8": ({"exempt_tax_kind": "Zwolnienie na mocy rozporządzenia MF (art. 82 ust 3 ustawy o VAT)",
                  "positions": [{**LINE, "tax": "zw"}, {**LINE, "tax": 8, "total_price_gross": 108}]},
                 [b"<P_19>1</P_19><P_19A>", b"<P_13_2>100.00</P_13_2><P_14_2>8.00</P_14_2>"]),
    "margin": ({"kind": "vat_margin"}, [b"<P_PMarzy>1</P_PMarzy>", b"<P_13_11>"]),
    "euro": ({"currency": "EUR", "exchange_currency": "PLN", "exchange_rate": "4.2500"},
             [b"<KodWaluty>EUR</KodWaluty>", b"<P_14_1W>"]),
}


def sent_document(client: TestClient, token: str, invoice: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    created = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True, "invoice": invoice})
    assert created.status_code == 201, created.text
    body = wait_for(client, token, created.json()["id"], settled)
    assert body["gov_status"] == "demo_ok", body["gov_error_messages"]
    xml = client.get(f"/invoices/{body['id']}/attachment", params={"kind": "gov", "api_token": token}).content
    validate_fa3_xml_xsd(xml)
    return body, xml


def assert_sums_match(body: dict[str, Any], xml: bytes) -> None:
    amounts = fa3_amounts(xml)
    assert amounts.pop("P_15") == Decimal(body["price_gross"])
    vat = sum((v for k, v in amounts.items() if k.startswith("P_14") and not k.endswith("W")), Decimal(0))
    net = sum((v for k, v in amounts.items() if k.startswith("P_13") and k != "P_13_11"), Decimal(0))
    if "P_13_11" in amounts:  # a margin invoice states its gross
        assert amounts["P_13_11"] == Decimal(body["price_gross"])
    else:
        assert (net, vat) == (Decimal(body["price_net"]), Decimal(body["price_tax"]))


@pytest.mark.parametrize("case", sorted(CASES))
def test_fa3_of_each_kind_validates_and_states_the_invoice_totals(client: TestClient, token: str, case: str) -> None:
    fields, expected = CASES[case]
    body, xml = sent_document(client, token, {**QUICK_START, "positions": [LINE], **fields})
    for fragment in expected:
        assert fragment in xml, (fragment, xml.decode())
    assert_sums_match(body, xml)


def test_a_final_invoice_names_its_advance_by_ksef_number(client: TestClient, token: str) -> None:
    advance, _ = sent_document(client, token, {**QUICK_START, "kind": "advance"})
    final, xml = sent_document(client, token, {**QUICK_START, "kind": "final", "invoice_id": advance["id"]})
    assert b"<RodzajFaktury>ROZ</RodzajFaktury>" in xml
    assert f"<NrKSeFFaZaliczkowej>{advance['gov_id']}</NrKSeFFaZaliczkowej>".encode() in xml
    assert_sums_match(final, xml)
