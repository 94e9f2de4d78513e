"""Peppol BIS Billing 3.0 (UBL 2.1) from any invoice in any dialect: InvoiceOcean's attachment?kind=peppol,
INVO's files get what=2 and fakturan's e_invoice send, each validated against the UBL 2.1 schema and the
official EN 16931 and Peppol rules (core/documents/peppol_check.py)."""
from __future__ import annotations

import base64
import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import pytest
from lxml import etree
from sqlalchemy import select
from starlette.testclient import TestClient

from core.accounts import create_account
from core.documents.peppol import NS, party_ids
from core.documents.peppol_check import check
from core.models import Attachment, OutboxMessage
from gateway.app import create_app
from gateway.settings import Settings
from tests.dialects.invoiceocean import seed_payloads as seed
from tests.dialects.invoiceocean.conftest import post_json, seed_body

SELLER_NIP = "5213017228"
SELLER_ORGNR = "5560360793"  # a Swedish organisation number with a valid Luhn check digit
BUYER_ORGNR = "5566778899"
POSITIONS = [{"name": "Szkolenie", "tax": 23, "total_price_gross": "123.00", "quantity": 1},
             {"name": "Książka", "tax": 8, "total_price_net": "50.00", "quantity": 2, "unit": "szt."},
             {"name": "Kurs zwolniony", "tax": "zw", "total_price_gross": "40.00", "quantity": 1}]


def xpath(xml: bytes, path: str) -> list[str]:
    return [str(v) for v in etree.fromstring(xml).xpath(path, namespaces=NS)]


def one(xml: bytes, path: str) -> str:
    [value] = xpath(xml, path)
    return value


def set_seller(client: TestClient, token: str, **fields: str) -> None:
    """The account's main department is the seller of its invoices: give it a tax number and a bank account."""
    [department] = client.get("/departments.json", params={"api_token": token}).json()
    response = post_json(client, f"/departments/{department['id']}.json", {"api_token": token, "department": fields},
                         method="PUT")
    assert response.status_code == 200, response.text


def io_invoice(client: TestClient, token: str, **fields: Any) -> dict[str, Any]:
    invoice = {"kind": "vat", "buyer_name": "Klient1 Sp. z o.o.", "buyer_tax_no": "5252445767",
               "buyer_city": "Warszawa", "payment_to": "2026-12-31", "positions": POSITIONS, **fields}
    response = post_json(client, "/invoices.json", {"api_token": token, "invoice": invoice})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def io_peppol(client: TestClient, token: str, invoice_id: int) -> Any:
    return client.get(f"/invoices/{invoice_id}/attachment", params={"kind": "peppol", "api_token": token})


def invo(client: TestClient, account: dict[str, Any], resource: str, q: dict[str, Any]) -> Any:
    response = client.post("/api.json", data={"r": resource, "q": json.dumps(q)},
                           auth=(account["invo"]["login"], account["invo"]["password"]))
    assert response.status_code == 200, response.text
    return response.json()


def invo_peppol(client: TestClient, account: dict[str, Any], invoice_id: int) -> bytes:
    answer = invo(client, account, "files", {"action": "get", "id": invoice_id, "what": 2})
    assert answer["ftype"] == ".xml" and answer["fname"].endswith(".xml"), answer
    return base64.b64decode(answer["file"])


def assert_valid(xml: bytes) -> None:
    report = check(xml)
    assert report.valid, report.messages()


@pytest.fixture
def io_token(account: dict[str, Any], client: TestClient) -> str:
    token = str(account["invoiceocean"]["api_token"])
    set_seller(client, token, tax_no=SELLER_NIP, street="Marszałkowska 1", post_code="00-001", city="Warszawa",
               bank_account="PL61 1090 1014 0000 0712 1981 2874")
    return token


class Fakturan:
    def __init__(self, client: TestClient, account: dict[str, Any]) -> None:
        self.client, self.account = client, account
        self.auth = (account["fakturan"]["key_id"], account["fakturan"]["password"])
        set_seller(client, account["invoiceocean"]["api_token"], tax_no=SELLER_ORGNR, street="Drottninggatan 1",
                   post_code="111 51", city="Stockholm", bank_account="5050-1055")

    def created(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(path, json=body, auth=self.auth)
        assert response.status_code == 201, response.text
        return response.json()["data"]  # type: ignore[no-any-return]

    def buyer(self, **more: Any) -> dict[str, Any]:
        return self.created("/api/v2/clients", {
            "company": "Region Stockholm", "org_number": BUYER_ORGNR, "email": "faktura@region.example",
            "address": {"street_address": "Box 225 00", "zip_code": "104 22", "city": "Stockholm", "country": "SE"},
            **more})

    def invoice(self, client_id: int) -> dict[str, Any]:
        # 5 x 153 at 25 %: 956.25, which öresavrundning makes 956 (fakturan's seed rounding)
        return self.created("/api/v2/invoices", {"client_id": client_id, "your_reference": "Anna Andersson", "rows": [
            {"product_name": "A simple product", "product_unit": "ST", "product_tax": 25, "product_price": "153",
             "amount": "5"}]})


@pytest.fixture
def fakturan(client: TestClient, fakturan_account: dict[str, Any]) -> Fakturan:
    return Fakturan(client, fakturan_account)


# -- the document -----------------------------------------------------------------------------------
def test_pln_invoice_from_invoiceocean_is_valid_peppol_with_the_ledgers_totals(client: TestClient,
                                                                             io_token: str) -> None:
    invoice = io_invoice(client, io_token, oid="PO-2026-17")
    response = io_peppol(client, io_token, invoice["id"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    assert ".xml" in response.headers["content-disposition"]
    xml = response.content
    assert_valid(xml)
    assert one(xml, "/*/cbc:ID/text()") == invoice["number"]
    assert one(xml, "//cbc:DocumentCurrencyCode/text()") == "PLN"
    assert one(xml, "//cac:OrderReference/cbc:ID/text()") == "PO-2026-17"
    assert one(xml, "//cac:AccountingSupplierParty//cbc:EndpointID/@schemeID") == "9945"
    assert one(xml, "//cac:AccountingSupplierParty//cac:PartyTaxScheme/cbc:CompanyID/text()") == f"PL{SELLER_NIP}"
    assert one(xml, "//cac:AccountingCustomerParty//cbc:EndpointID/text()") == "PL5252445767"
    assert one(xml, "//cac:PayeeFinancialAccount/cbc:ID/text()") == "PL61109010140000071219812874"
    assert one(xml, "//cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount/text()") == invoice["price_net"]
    assert one(xml, "//cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount/text()") == invoice["price_gross"]
    assert one(xml, "//cac:LegalMonetaryTotal/cbc:PayableAmount/text()") == invoice["price_gross"]
    assert one(xml, "/*/cac:TaxTotal/cbc:TaxAmount/text()") == invoice["price_tax"]
    subtotals = {(c, p): (n, t) for c, p, n, t in zip(
        xpath(xml, "//cac:TaxSubtotal/cac:TaxCategory/cbc:ID/text()"),
        xpath(xml, "//cac:TaxSubtotal/cac:TaxCategory/cbc:Percent/text()"),
        xpath(xml, "//cac:TaxSubtotal/cbc:TaxableAmount/text()"),
        xpath(xml, "//cac:TaxSubtotal/cbc:TaxAmount/text()"), strict=True)}
    assert subtotals == {("S", "23"): ("100.00", "23.00"), ("S", "8"): ("50.00", "4.00"),
                         ("E", "0"): ("40.00", "0.00")}
    assert xpath(xml, "//cac:TaxSubtotal/cac:TaxCategory[cbc:ID='E']/cbc:TaxExemptionReason/text()") == [
        "Exempt from VAT"]
    assert xpath(xml, "//cac:InvoiceLine/cbc:InvoicedQuantity/@unitCode") == ["C62", "C62", "C62"]


def test_sek_invoice_with_cash_rounding_validates_with_payable_rounding_amount(client: TestClient,
                                                                              fakturan: Fakturan) -> None:
    buyer = fakturan.buyer()
    invoice = fakturan.invoice(buyer["id"])
    assert invoice["sum"] == "956.0"
    token = fakturan.account["invoiceocean"]["api_token"]
    xml = io_peppol(client, token, invoice["id"]).content
    assert_valid(xml)
    assert one(xml, "//cbc:DocumentCurrencyCode/text()") == "SEK"
    assert one(xml, "//cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount/text()") == "956.25"
    assert one(xml, "//cac:LegalMonetaryTotal/cbc:PayableRoundingAmount/text()") == "-0.25"
    assert one(xml, "//cac:LegalMonetaryTotal/cbc:PayableAmount/text()") == "956.00"
    # The Swedish buyer's organisation number is its Peppol address, scheme 0007.
    assert one(xml, "//cac:AccountingCustomerParty//cbc:EndpointID/@schemeID") == "0007"
    assert one(xml, "//cac:AccountingCustomerParty//cbc:EndpointID/text()") == BUYER_ORGNR
    assert one(xml, "//cac:AccountingSupplierParty//cac:PartyTaxScheme/cbc:CompanyID/text()") == \
        f"SE{SELLER_ORGNR}01"
    assert one(xml, "//cbc:BuyerReference/text()") == "Anna Andersson"
    assert one(xml, "//cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID/text()") == "SE:BANKGIRO"


def test_correction_is_a_credit_note_that_names_the_corrected_invoice(client: TestClient, io_token: str) -> None:
    original = io_invoice(client, io_token)
    buyer = post_json(client, "/clients.json", {"api_token": io_token, "client": {
        "name": "Klient1", "tax_no": "5252445767", "city": "Warszawa"}}).json()
    payload = seed_body(seed.CORRECTION.replace("2432393", str(original["id"])), io_token, client_id=buyer["id"])
    correction = post_json(client, "/invoices.json", payload).json()
    xml = io_peppol(client, io_token, correction["id"]).content
    assert_valid(xml)
    assert etree.QName(etree.fromstring(xml)).localname == "CreditNote"
    assert one(xml, "//cbc:CreditNoteTypeCode/text()") == "381"
    assert one(xml, "//cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID/text()") == original["number"]
    # The ledger's -10.00 gross is a credit of 10.00, one unit credited.
    assert one(xml, "//cac:LegalMonetaryTotal/cbc:PayableAmount/text()") == "10.00"
    assert one(xml, "//cac:CreditNoteLine/cbc:CreditedQuantity/text()") == "1"


def test_reverse_charge_to_an_eu_business_names_the_buyers_vat_scheme(client: TestClient, io_token: str) -> None:
    invoice = io_invoice(client, io_token, buyer_name="Kunde GmbH", buyer_tax_no="DE123456789", buyer_country="DE",
                         buyer_city="Berlin", positions=[{"name": "Beratung", "tax": "oo", "total_price_net": "1000",
                                                          "quantity": 1}])
    xml = io_peppol(client, io_token, invoice["id"]).content
    assert_valid(xml)
    assert one(xml, "//cac:AccountingCustomerParty//cbc:EndpointID/@schemeID") == "9930"
    assert one(xml, "//cac:TaxSubtotal/cac:TaxCategory/cbc:ID/text()") == "AE"
    assert one(xml, "//cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode/text()") == "VATEX-EU-AE"
    assert one(xml, "//cac:LegalMonetaryTotal/cbc:PayableAmount/text()") == "1000.00"


def test_invoice_made_in_one_dialect_gives_the_same_ubl_in_the_others(client: TestClient, account: dict[str, Any],
                                                                     io_token: str) -> None:
    customer = invo(client, account, "customers", {"action": "add", "name": "Jan Kowalski Sp. z o.o.",
                                                   "city": "Katowice", "taxid": "645-123-45-67"})
    made = invo(client, account, "invoices", {"action": "add", "c1id": customer["id"], "items": [
        {"product": "Usługa", "count": 1, "pnetto": 100, "vatsm": "23%"}]})
    through_invo = invo_peppol(client, account, int(made["id"]))
    through_io = io_peppol(client, io_token, int(made["id"])).content
    assert through_invo == through_io
    assert_valid(through_invo)
    assert one(through_invo, "//cac:AccountingCustomerParty//cbc:EndpointID/text()") == "PL6451234567"
    assert one(through_invo, "//cac:LegalMonetaryTotal/cbc:PayableAmount/text()") == "123.00"


def test_fakturan_invoice_gives_its_ubl_through_invo_too(client: TestClient, fakturan: Fakturan) -> None:
    invoice = fakturan.invoice(fakturan.buyer()["id"])
    xml = invo_peppol(client, fakturan.account, invoice["id"])
    assert_valid(xml)
    assert one(xml, "//cac:LegalMonetaryTotal/cbc:PayableRoundingAmount/text()") == "-0.25"


# -- fakturan: e_invoice delivery -------------------------------------------------------------------
@pytest.fixture
def mail_client(database_url: str, tmp_path: Path, smtp_server: Any) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    app = create_app(Settings(database_url=database_url, smtp_url=smtp_server.url, outbox_dir=tmp_path / "outbox"))
    with TestClient(app, base_url="http://localhost") as client:  # a host GATEWAY_ALLOWED_HOSTS lists by default
        yield client, app.state.ledger.write(create_account, "Svensk AB", profile="fakturan").as_dict()


def test_fakturan_e_invoice_send_stores_the_ubl_and_mails_it_with_the_pdf(
        mail_client: tuple[TestClient, dict[str, Any]], smtp_server: Any) -> None:
    client, account = mail_client
    fakturan = Fakturan(client, account)
    buyer = fakturan.buyer(settings={"invoice_delivery_method": "e_invoice"})
    invoice = fakturan.invoice(buyer["id"])
    response = client.post(f"/api/v2/invoices/{invoice['id']}/send", auth=fakturan.auth)
    assert response.status_code == 200, response.text
    message = smtp_server.wait_for(1, timeout=15)[0].message
    types = [part.get_content_type() for part in message.iter_attachments()]
    assert types == ["application/pdf", "application/xml"]
    mailed = next(p for p in message.iter_attachments() if p.get_content_type() == "application/xml").get_content()
    mailed = mailed if isinstance(mailed, bytes) else mailed.encode()
    assert_valid(mailed)
    assert one(mailed, "//cac:LegalMonetaryTotal/cbc:PayableRoundingAmount/text()") == "-0.25"
    # Stored as the invoice's attachment: INVO lists and returns it.
    [scan] = invo(client, account, "files", {"action": "list", "id": invoice["id"]})["rows"]
    stored = invo(client, account, "files", {"action": "get", "id": scan["id"], "what": 1})
    assert (stored["ftype"], base64.b64decode(stored["file"])) == (".xml", mailed)


def test_fakturan_email_send_attaches_no_ubl(client: TestClient, fakturan: Fakturan, ledger: Any) -> None:
    invoice = fakturan.invoice(fakturan.buyer()["id"])
    assert client.post(f"/api/v2/invoices/{invoice['id']}/send", auth=fakturan.auth).status_code == 200
    message = ledger.read(lambda s: s.execute(select(OutboxMessage)).scalars().one())
    assert "attachments" not in message.meta
    assert ledger.read(lambda s: s.execute(select(Attachment)).scalars().all()) == []


def test_e_invoice_the_rules_refuse_is_422_and_nothing_is_queued_or_stored(client: TestClient, fakturan: Fakturan,
                                                                            ledger: Any) -> None:
    # A private person has no Peppol address: PEPPOL-EN16931-R010 (buyer electronic address) fails.
    person = fakturan.created("/api/v2/clients", {"first_name": "Sven", "last_name": "Svensson",
                                                  "client_type": "individual", "email": "sven@example.se",
                                                  "settings": {"invoice_delivery_method": "e_invoice"}})
    invoice = fakturan.invoice(person["id"])
    response = client.post(f"/api/v2/invoices/{invoice['id']}/send", auth=fakturan.auth)
    assert response.status_code == 422, response.text
    assert any("PEPPOL-EN16931-R010" in str(e) for e in response.json()["errors"]["peppol"])
    assert ledger.read(lambda s: s.execute(select(OutboxMessage)).scalars().all()) == []
    assert ledger.read(lambda s: s.execute(select(Attachment)).scalars().all()) == []
    assert fakturan.client.get(f"/api/v2/invoices/{invoice['id']}", auth=fakturan.auth).json()["data"]["sent"] is False


def test_invoice_the_rules_refuse_is_a_field_error_in_invoiceocean_and_invo(client: TestClient,
                                                                            account: dict[str, Any]) -> None:
    token = str(account["invoiceocean"]["api_token"])  # the seller has no tax number yet: BR-CO-26 fails
    invoice = io_invoice(client, token)
    response = io_peppol(client, token, invoice["id"])
    assert response.status_code == 422
    assert any(m.startswith("BR-CO-26") for m in response.json()["message"]["peppol"])
    answer = invo(client, account, "files", {"action": "get", "id": invoice["id"], "what": 2})
    assert answer["error"] == 8 and "BR-CO-26" in json.dumps(answer)


def test_attachment_kind_must_be_known_and_the_invoice_the_callers(client: TestClient, io_token: str,
                                                                   other_account: dict[str, Any]) -> None:
    invoice = io_invoice(client, io_token)
    unknown = client.get(f"/invoices/{invoice['id']}/attachment", params={"kind": "zip", "api_token": io_token})
    assert unknown.status_code == 422 and "kind" in unknown.json()["message"]
    foreign = io_peppol(client, other_account["invoiceocean"]["api_token"], invoice["id"])
    assert foreign.status_code == 404


def test_proforma_is_no_e_invoice(client: TestClient, io_token: str) -> None:
    proforma = io_invoice(client, io_token, kind="proforma")
    response = io_peppol(client, io_token, proforma["id"])
    assert response.status_code == 422 and "kind" in response.json()["message"]


# -- the validator can fail -------------------------------------------------------------------------
def test_broken_documents_are_reported_invalid(client: TestClient, io_token: str) -> None:
    xml = io_peppol(client, io_token, io_invoice(client, io_token)["id"]).content
    assert_valid(xml)
    wrong_total = xml.replace(b'<cbc:PayableAmount currencyID="PLN">', b'<cbc:PayableAmount currencyID="PLN">1')
    report = check(wrong_total)
    assert not report.valid and not report.schema_errors
    assert "BR-CO-16" in {f.rule for f in report.fatal}
    tree = etree.fromstring(xml)  # the due date after the type code: out of UBL's element order
    due, type_code = tree.find("cbc:DueDate", NS), tree.find("cbc:InvoiceTypeCode", NS)
    type_code.addnext(due)
    assert check(etree.tostring(tree)).schema_errors
    bad_rate = xml.replace(b"<cbc:Percent>23</cbc:Percent>", b"<cbc:Percent>22</cbc:Percent>", 1)
    assert not check(bad_rate).valid
    assert check(b"<Invoice>").schema_errors


# -- identifiers ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("country", "tax_no", "extra", "endpoint", "vat"), [
    ("SE", "556036-0793", {}, ("0007", "5560360793"), "SE556036079301"),
    ("PL", "521-301-72-28", {}, ("9945", "PL5213017228"), "PL5213017228"),
    ("PL", "PL5213017228", {}, ("9945", "PL5213017228"), "PL5213017228"),
    ("SE", "5560360793", {"gln": "7300010000001"}, ("0088", "7300010000001"), "SE556036079301"),
    ("DE", "", {"vat_eu": "DE123456789"}, ("9930", "DE123456789"), "DE123456789"),
    ("NO", "974 760 673", {}, ("0192", "974760673"), "NO974760673MVA"),
    ("SE", "SE556036079301", {}, ("0007", "5560360793"), "SE556036079301"),
    ("SE", "19121212-1212", {"company": False}, None, ""),
])
def test_party_identifiers_follow_the_peppol_code_lists(country: str, tax_no: str, extra: dict[str, Any],
                                                        endpoint: tuple[str, str] | None, vat: str) -> None:
    ids = party_ids(country, tax_no, **extra)
    assert (ids.endpoint, ids.vat) == (endpoint, vat)


def test_amounts_are_decimal_strings_with_two_places(client: TestClient, io_token: str) -> None:
    xml = io_peppol(client, io_token, io_invoice(client, io_token)["id"]).content
    amounts = xpath(xml, "//*[@currencyID and not(self::cbc:PriceAmount)]/text()")
    assert amounts and all(Decimal(a).as_tuple().exponent == -2 for a in amounts)


@pytest.mark.parametrize(("fields", "category"), [
    ({"positions": [{"name": "Usługa", "tax": 0, "total_price_net": "100", "quantity": 1}]}, "Z"),
    ({"buyer_name": "Kunde AS", "buyer_tax_no": "974760673", "buyer_country": "NO", "buyer_city": "Oslo",
      "positions": [{"name": "Export", "tax": "ex", "total_price_net": "100", "quantity": 1}]}, "G"),
    ({"kind": "wdt", "buyer_name": "Kunde GmbH", "buyer_tax_no": "DE123456789", "buyer_country": "DE",
      "buyer_city": "Berlin", "positions": [{"name": "Towar", "tax": 0, "total_price_net": "100", "quantity": 1}]},
     "K"),
])
def test_zero_rated_exported_and_intra_eu_supplies_validate(client: TestClient, io_token: str,
                                                            fields: dict[str, Any], category: str) -> None:
    xml = io_peppol(client, io_token, io_invoice(client, io_token, **fields)["id"]).content
    assert_valid(xml)
    assert xpath(xml, "//cac:TaxSubtotal/cac:TaxCategory/cbc:ID/text()") == [category]


def test_not_subject_to_vat_beside_taxed_lines_is_refused_as_the_rules_say(client: TestClient,
                                                                           io_token: str) -> None:
    invoice = io_invoice(client, io_token, positions=[*POSITIONS[:1], {"name": "Poza VAT", "tax": "np",
                                                                      "total_price_net": "10", "quantity": 1}])
    response = io_peppol(client, io_token, invoice["id"])
    assert response.status_code == 422
    assert any(m.startswith("BR-O-") for m in response.json()["message"]["peppol"])


def test_payments_made_are_prepaid_and_the_rest_is_payable(client: TestClient, fakturan: Fakturan) -> None:
    invoice = fakturan.invoice(fakturan.buyer()["id"])
    fakturan.created(f"/api/v2/invoices/{invoice['id']}/payments", {"paid_at": "2026-01-02", "amount": "500"})
    xml = io_peppol(client, fakturan.account["invoiceocean"]["api_token"], invoice["id"]).content
    assert_valid(xml)
    assert one(xml, "//cac:LegalMonetaryTotal/cbc:PrepaidAmount/text()") == "500.00"
    assert one(xml, "//cac:LegalMonetaryTotal/cbc:PayableAmount/text()") == "456.00"


def test_another_accounts_invoice_is_not_found_whatever_the_kind(client: TestClient, io_token: str,
                                                                  other_account: dict[str, Any]) -> None:
    invoice = io_invoice(client, io_token)
    b_token = other_account["invoiceocean"]["api_token"]
    for kind in ("peppol", "zip", ""):
        response = client.get(f"/invoices/{invoice['id']}/attachment", params={"kind": kind, "api_token": b_token})
        assert response.status_code == 404, kind
