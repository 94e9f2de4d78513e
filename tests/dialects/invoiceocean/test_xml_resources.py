"""XML for every resource: what XML creates, JSON reads the same (and the reverse); attacks are refused fast."""
from __future__ import annotations

import statistics
import time
from typing import Any, Callable

import pytest
from starlette.testclient import TestClient

from dialects.invoiceocean.xml import parse_xml
from tests.dialects.invoiceocean.conftest import create_invoice

XML = {"Content-Type": "application/xml"}

# resource path -> (wrapper, XML body fields, JSON body fields, keys compared)
RESOURCES: dict[str, tuple[str, Callable[[dict[str, Any]], str], dict[str, Any], tuple[str, ...]]] = {
    "clients": ("client", lambda ctx: "<name>Klient XML</name><tax-no>5252445767</tax-no><city>Kraków</city>",
                {"name": "Klient JSON", "tax_no": "5252445767", "city": "Kraków"}, ("name", "tax_no", "city")),
    "products": ("product", lambda ctx: "<name>Produkt</name><code>P-1</code><price-net>100</price-net><tax>23</tax>",
                 {"name": "Produkt", "code": "P-1", "price_net": "100", "tax": "23"},
                 ("name", "code", "price_net", "price_gross", "tax")),
    "departments": ("department", lambda ctx: "<name>Oddział</name><shortcut>ODD</shortcut><tax-no>-</tax-no>",
                    {"name": "Oddział", "shortcut": "ODD", "tax_no": "-"}, ("name", "shortcut", "tax_no")),
    "price_lists": ("price-list", lambda ctx: "<name>Cennik</name><currency>EUR</currency>",
                    {"name": "Cennik", "currency": "EUR"}, ("name", "currency")),
    "recurrings": ("recurring", lambda ctx: (f"<name>Co miesiąc</name><invoice-id type=\"integer\">{ctx['invoice']}"
                                             "</invoice-id><start-date>2026-01-31</start-date><every>1m</every>"),
                   {"name": "Co miesiąc", "invoice_id": None, "start_date": "2026-01-31", "every": "1m"},
                   ("name", "invoice_id", "start_date", "every", "next_invoice_date")),
    "banking/payments": ("banking-payment", lambda ctx: "<name>Wpłata</name><price>100.05</price><paid>true</paid>",
                         {"name": "Wpłata", "price": "100.05", "paid": True}, ("name", "price", "paid")),
}


def _xml(text: str) -> Any:
    return parse_xml(text.encode())[1]


def _comparable(value: Any) -> str:
    return "" if value is None else str(value).lower()


@pytest.mark.parametrize("path", list(RESOURCES))
def test_resource_created_by_xml_reads_the_same_by_json_and_back(path: str, client: TestClient, token: str) -> None:
    wrapper, xml_fields, json_fields, keys = RESOURCES[path]
    invoice_id = create_invoice(client, token)["id"]
    body = f"<{wrapper}><api-token>{token}</api-token>{xml_fields({'invoice': invoice_id})}</{wrapper}>"
    by_xml = client.post(f"/{path}.xml", content=body.encode(), headers=XML)
    assert by_xml.status_code == 201, by_xml.text
    made = _xml(by_xml.text)
    single = path.replace("payments", "payment")
    read = client.get(f"/{single}/{made['id']}.json?api_token={token}").json()
    assert {k: _comparable(made[k]) for k in keys} == {k: _comparable(read[k]) for k in keys}

    fields = {k: (invoice_id if v is None else v) for k, v in json_fields.items()}
    by_json = client.post(f"/{path}.json", json={"api_token": token, wrapper.replace("-", "_"): fields})
    assert by_json.status_code == 201, by_json.text
    made_json = by_json.json()
    read_xml = _xml(client.get(f"/{path}/{made_json['id']}.xml?api_token={token}").text)
    assert {k: _comparable(made_json[k]) for k in keys} == {k: _comparable(read_xml[k]) for k in keys}


ATTACKS = {
    "billion laughs": b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                      + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                                 for i in range(1, 10)) + b"]><invoice><name>&lol9;</name></invoice>",
    "quadratic blowup": b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "' + b"x" * 50_000 + b'">]><invoice><name>'
                        + b"&a;" * 5_000 + b"</name></invoice>",
    "external file": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                     b"<invoice><name>&e;</name></invoice>",
    "network entity": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "http://127.0.0.1:9/x">]>'
                      b"<invoice><name>&e;</name></invoice>",
    "parameter entity": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>'
                        b"<invoice/>",
    "deep nesting": b"<invoice>" + b"<a>" * 50_000 + b"</a>" * 50_000 + b"</invoice>",
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_xml_attack_is_refused_within_50_ms_and_the_server_stays_healthy(attack: str, client: TestClient,
                                                                        token: str) -> None:
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        response = client.post(f"/invoices.xml?api_token={token}", content=ATTACKS[attack], headers=XML)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 400 and "<code>error</code>" in response.text
    assert statistics.median(timings) < 0.050, timings
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get(f"/invoices.json?api_token={token}").json() == []
