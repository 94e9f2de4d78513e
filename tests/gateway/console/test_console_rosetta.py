"""The Rosetta view is each dialect's own answer, not a re-mapping: every pane equals what that
dialect's API returns for the invoice; lossy fields are listed and highlighted; the PDF is served."""
from __future__ import annotations

import html
import json
import re
import sys
import types
from decimal import Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.gateway.console.helpers import create_invoice, fakturan_get, invo_call, io_get, sign_in_as

PANE = re.compile(r'data-testid="pane-([a-z_]+)">.*?<div class="code">(.*?)</div>', re.S)


def panes_of(page: str) -> dict[str, str]:
    found = {}
    for key, body in PANE.findall(page):
        lines = re.findall(r"<span[^>]*>(.*?)</span>", body, re.S)
        found[key] = "\n".join(html.unescape(line) for line in lines)
    return found


def _json(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


def test_every_pane_is_exactly_what_its_dialect_answers(client: TestClient, account: dict[str, Any]) -> None:
    invoice = create_invoice(client, account)
    invoice_id = invoice["id"]
    sign_in_as(client, account, "invo")
    page = client.get(f"/console/invoices/{invoice_id}")
    assert page.status_code == 200
    panes = panes_of(page.text)
    assert set(panes) == {"invoiceocean", "invoiceocean_xml", "invo", "fakturan"}
    assert all(invoice["number"] in panes[key] for key in ("invoiceocean", "invoiceocean_xml", "invo"))
    seq = _json(panes["invo"])["rows"][0]["nrx"]  # fakturan.nu's number is the counter alone
    assert _json(panes["fakturan"])["data"]["number"] == seq

    assert _json(panes["invoiceocean"]) == _json(io_get(client, account, f"/invoices/{invoice_id}.json").text)
    assert panes["invoiceocean_xml"].strip() == io_get(client, account, f"/invoices/{invoice_id}.xml").text.strip()
    listed = invo_call(client, account, "invoices", json.dumps({"action": "list", "id": invoice_id, "items": 1}))
    assert _json(panes["invo"]) == _json(listed.text)
    assert _json(panes["fakturan"]) == _json(fakturan_get(client, account, f"/api/v2/invoices/{invoice_id}").text)
    # INVO's numbers keep their wire digits (no float detour): "vbrutto":60.23 as written by the dialect.
    assert re.search(r'"vbrutto": 60\.23\b', panes["invo"])


def test_lossy_fields_are_listed_and_highlighted_per_pane(client: TestClient, account: dict[str, Any],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    table = {"invo": {"sell_date": ("sdate", "kept, shown as a plain date")},
             "fakturan": {"sell_date": (None, "kept in the ledger, not shown")},
             "invoiceocean": {}, "invoiceocean_xml": {"status": ("invoice/status", "draft reads issued")}}
    fake = types.ModuleType("gateway.fidelity")
    fake.lossy_fields = lambda d: {name: note for name, (_, note) in table[d].items()}  # type: ignore[attr-defined]
    fake.wire_key = lambda name, d: table[d][name][0]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "gateway.fidelity", fake)
    invoice = create_invoice(client, account)
    sign_in_as(client, account)
    page = client.get(f"/console/invoices/{invoice['id']}").text
    invo = page[page.index('data-testid="pane-invo"'):page.index('data-testid="pane-fakturan"')]
    assert re.search(r'<span class="lossy" title="sell_date: kept, shown as a plain date">\s*&#34;sdate&#34;', invo)
    assert invo.count('class="lossy"') == 1
    fakturan = page[page.index('data-testid="pane-fakturan"'):]
    assert "<code>sell_date</code> <span class=\"pill\">not shown</span>: kept in the ledger, not shown" in fakturan
    xml = page[page.index('data-testid="pane-invoiceocean_xml"'):page.index('data-testid="pane-invo"')]
    assert re.search(r'class="lossy" title="status: draft reads issued">\s*&lt;status&gt;', xml)
    io = page[page.index('data-testid="pane-invoiceocean"'):page.index('data-testid="pane-invoiceocean_xml"')]
    assert 'class="lossy"' not in io and "No lossy fields recorded" in io


def test_the_pdf_preview_is_the_dialects_pdf(client: TestClient, account: dict[str, Any]) -> None:
    from io import BytesIO

    from pypdf import PdfReader
    invoice = create_invoice(client, account)
    sign_in_as(client, account)
    page = client.get(f"/console/invoices/{invoice['id']}").text
    assert f'src="/console/invoices/{invoice["id"]}.pdf"' in page
    preview = client.get(f"/console/invoices/{invoice['id']}.pdf")
    assert preview.status_code == 200 and preview.headers["content-type"] == "application/pdf"
    dialect = io_get(client, account, f"/invoices/{invoice['id']}.pdf")
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(preview.content)).pages)
    assert invoice["number"] in text
    assert len(PdfReader(BytesIO(preview.content)).pages) == len(PdfReader(BytesIO(dialect.content)).pages)


def test_the_invoice_list_links_to_the_rosetta_view(client: TestClient, account: dict[str, Any]) -> None:
    first, second = create_invoice(client, account, "First Buyer"), create_invoice(client, account, "Second Buyer")
    sign_in_as(client, account)
    listing = client.get("/console/invoices").text
    assert listing.index("Second Buyer") < listing.index("First Buyer")  # newest first
    assert f'href="/console/invoices/{first["id"]}"' in listing
    found = client.get("/console/invoices", params={"number": second["number"]}).text
    assert "Second Buyer" in found and "First Buyer" not in found
    assert client.get("/console/invoices/999999").status_code == 404
    assert client.get("/console/invoices/99999999999999999999999").status_code == 404
    assert client.get("/console/invoices/99999999999999999999999.pdf").status_code == 404


def test_the_console_gives_an_invoice_a_new_public_link_and_the_old_one_answers_404(
        client: TestClient, account: dict[str, Any], other_account: dict[str, Any]) -> None:
    from tests.gateway.console.helpers import csrf_of

    made = create_invoice(client, account)
    old_link = made["view_url"].replace("http://testserver", "")
    assert client.get(old_link).status_code == 200
    sign_in_as(client, other_account)  # another account's invoice: not found, the link untouched
    page = client.get("/console/traffic")
    assert client.post(f"/console/invoices/{made['id']}/rotate-link",
                       data={"csrf_token": csrf_of(page.text)}).status_code == 404
    assert client.get(old_link).status_code == 200
    sign_in_as(client, account)
    page = client.get(f"/console/invoices/{made['id']}")
    assert 'data-testid="rotate-link"' in page.text
    assert client.post(f"/console/invoices/{made['id']}/rotate-link", data={}).status_code == 403  # no CSRF token
    rotated = client.post(f"/console/invoices/{made['id']}/rotate-link", data={"csrf_token": csrf_of(page.text)})
    assert rotated.status_code == 200
    new_link = re.search(r"New public link: http://testserver(/f/[^ ]+) ", rotated.text)
    assert new_link and new_link.group(1) != old_link
    assert client.get(old_link).status_code == 404
    assert client.get(new_link.group(1)).status_code == 200


def test_the_pdf_preview_of_a_number_outside_latin_1_is_named_by_rfc_6266_filename_star(
        client: TestClient, account: dict[str, Any]) -> None:
    created = client.post("/invoices.json", json={"api_token": account["invoiceocean"]["api_token"], "invoice": {
        "kind": "vat", "number": "FV/ż/Ł-1", "buyer_name": "Klient1 Sp. z o.o.",
        "positions": [{"name": "Produkt A1", "tax": 23, "total_price_gross": "10.23", "quantity": 1}]}}).json()
    sign_in_as(client, account)
    preview = client.get(f"/console/invoices/{created['id']}.pdf")
    assert preview.status_code == 200 and preview.headers["content-type"] == "application/pdf"
    assert preview.headers["content-disposition"] == (
        "inline; filename=\"FV-_-_-1.pdf\"; filename*=UTF-8''FV-%C5%BC-%C5%81-1.pdf")
