"""r=files (PDF, e-mail, scans), r=bookkeeping (VAT registers) and r=reports."""
from __future__ import annotations

import base64
import io
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core.models import Attachment, OutboxMessage
from tests.dialects.invo.conftest import Api

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture
def invoice_id(api: Api, customer_id: int) -> int:
    made = api("invoices", {"action": "add", "c1id": customer_id, "mdate": "2015-04-10", "items": [
        {"product": "Usługa", "count": 1, "pnetto": 100, "vatsm": "23%"}]})
    return int(made["id"])


def test_seed_get_invoice_pdf(api: Api, invoice_id: int) -> None:
    answer = api("files", {"action": "get", "id": invoice_id})
    assert (answer["id"], answer["ftype"]) == (invoice_id, ".pdf")
    pdf = PdfReader(io.BytesIO(base64.b64decode(answer["file"])))
    assert "Usługa" in pdf.pages[0].extract_text()


def test_get_unknown_invoice_is_error_6(api: Api) -> None:
    assert api("files", {"action": "get", "id": 424242}) == {"error": 6, "message": "incorrect ID"}


def test_seed_send_invoice_queues_mail(api: Api, invoice_id: int, ledger: Any) -> None:
    assert api("files", {"action": "send", "id": invoice_id, "email": "biuro@mojklient.pl"}) == {
        "id": invoice_id, "email": "biuro@mojklient.pl"}
    message = ledger.read(lambda s: s.execute(select(OutboxMessage)).scalars().one())
    assert (message.invoice_id, message.recipients) == (invoice_id, ["biuro@mojklient.pl"])
    assert api("invoices", {"action": "list", "id": invoice_id})["rows"][0]["status"] == 1


def test_send_without_any_address_is_validation_error(api: Api, invoice_id: int) -> None:
    assert api("files", {"action": "send", "id": invoice_id}) == {
        "error": 8, "message": "validation error", "fields": {"email": "You must select at least one recipient."}}


def test_seed_cost_scan_and_lists(api: Api, invoice_id: int, ledger: Any) -> None:
    stored = api("files", {"action": "cost", "id": invoice_id, "fname": "FV/50/04/2015", "ftype": ".jpg",
                           "file": base64.b64encode(JPEG).decode(), "idate": "2015-04-12"})
    loose = api("files", {"action": "cost", "fname": "paragon", "ftype": ".png", "file": base64.b64encode(PNG).decode(),
                          "idate": "2015-05-02"})
    assert stored == {"id": stored["id"], "did": invoice_id, "size": len(JPEG)}
    by_invoice = api("files", {"action": "list", "id": invoice_id})
    assert by_invoice["rows"] == [{"id": stored["id"], "did": invoice_id, "fname": "FV/50/04/2015", "ftype": ".jpg",
                                   "idate": "2015-04-12", "size": len(JPEG)}]
    by_date = api("files", {"action": "list", "idate": "2015-03-01|2015-04-30"})
    assert [r["id"] for r in by_date["rows"]] == [stored["id"]]
    assert [r["id"] for r in api("files",
                                 {"action": "list", "idate": "2015-05-01|2015-05-31"})["rows"]] == [loose["id"]]
    saved = ledger.read(lambda s: s.get(Attachment, stored["id"]))
    assert (saved.data, saved.content_type) == (JPEG, "image/jpeg")


def test_scan_whose_content_is_not_its_type_is_refused(api: Api) -> None:
    answer = api("files", {"action": "cost", "fname": "x", "ftype": ".pdf", "file": base64.b64encode(PNG).decode()})
    assert answer == {"error": 8, "message": "validation error", "fields": {"file": "the content is not a .pdf file"}}
    assert api("files",
               {"action": "cost", "ftype": ".jpg", "file": "not base64!"})["fields"] == {"file": "is not base64"}


def test_sales_and_purchase_registers_group_per_rate(api: Api, customer_id: int) -> None:
    api("invoices", {"action": "add", "c1id": customer_id, "mdate": "2015-04-10", "items": [
        {"product": "A", "count": 2, "pnetto": 100, "vatsm": "23%"}, {"product": "B", "count": 1, "pnetto": 50,
                                                                      "vatsm": "7%"}]})
    api("invoices", {"action": "add", "c1id": customer_id, "mdate": "2015-04-20", "items": [
        {"product": "C", "count": 1, "pnetto": 10, "vatsm": "23%"}]})
    api("invoices", {"action": "add", "c1id": customer_id, "mdate": "2015-05-02", "items": [
        {"product": "D", "count": 1, "pnetto": 999, "vatsm": "23%"}]})
    api("invoices", {"action": "add", "type2": "+PRO", "c1id": customer_id, "mdate": "2015-04-15", "items": [
        {"product": "E", "count": 1, "pnetto": 777, "vatsm": "23%"}]})
    api("invoices", {"action": "add", "buy": 1, "nrdoc": "ZAK/1", "c1id": customer_id, "mdate": "2015-04-11",
                     "items": [{"product": "Papier", "count": 1, "pnetto": 20, "vatsm": "23%"}]})
    sales = api("bookkeeping", {"action": "list", "what": "sales", "mdate": "2015-04-01|2015-04-30"})
    assert (sales["count"], sales["sums"]) == (2, [
        {"vatsm": "23%", "vnetto": Decimal("210.00"), "vvat": Decimal("48.30"), "vbrutto": Decimal("258.30")},
        {"vatsm": "7%", "vnetto": Decimal("50.00"), "vvat": Decimal("3.50"), "vbrutto": Decimal("53.50")}])
    assert sales["rows"][0]["rates"] == [
        {"vatsm": "23%", "vnetto": Decimal("200.00"), "vvat": Decimal("46.00"), "vbrutto": Decimal("246.00")},
        {"vatsm": "7%", "vnetto": Decimal("50.00"), "vvat": Decimal("3.50"), "vbrutto": Decimal("53.50")}]
    purchases = api("bookkeeping", {"action": "list", "what": "purchases", "mdate": "2015-04-01|2015-04-30"})
    assert [(r["nrdoc"], r["c1name"], r["vbrutto"]) for r in purchases["rows"]] == [
        ("ZAK/1", "Jan Kowalski", Decimal("24.60"))]


def test_seed_bookkeeping_zus_is_documented_unavailable(api: Api) -> None:
    assert api("bookkeeping", {"action": "list", "what": "zus"}) == {
        "error": 10, "message": "not available: the gateway keeps no zus data"}
    assert api("bookkeeping", {"action": "list", "what": "weather"})["error"] == 4


def test_reports_are_in_preparation(api: Api) -> None:
    assert api("reports", {"action": "list"}) == {"error": 10, "message": "not available: reports are in preparation"}


def test_stored_scan_downloads_again_byte_for_byte(api: Api, invoice_id: int, other_api: Api) -> None:
    stored = api("files", {"action": "cost", "id": invoice_id, "fname": "skan", "ftype": ".jpg",
                           "file": base64.b64encode(JPEG).decode(), "idate": "2015-04-12"})
    fetched = api("files", {"action": "get", "id": stored["id"], "what": 1})
    assert base64.b64decode(fetched["file"]) == JPEG
    assert (fetched["fname"], fetched["ftype"], fetched["size"]) == ("skan", ".jpg", len(JPEG))
    assert other_api("files", {"action": "get", "id": stored["id"], "what": 1}) == {"error": 6,
                                                                                  "message": "incorrect ID"}
