"""Peppol BIS Billing 3.0 (UBL 2.1) from any ledger invoice: an Invoice, or a CreditNote for a correction
that lowers the amount due. Every dialect serves this one document; `peppol_check` validates it.

The totals are the ledger's, never recomputed: line net amounts are the stored ones, the VAT breakdown is
the ledger's per-rate table, Swedish öresavrundning is PayableRoundingAmount. Where a sum strategy makes a
rate's net differ from the sum of its lines' nets (keep_gross), the difference is a document-level
"Rounding" allowance or charge in that rate, which is how EN 16931 lets the breakdown equal the lines.

Identifiers follow the Peppol code lists (EAS): a GLN is 0088, a Swedish organisation number 0007 (Norwegian
0192, Danish CVR 0184), an EU VAT number its country's 99xx scheme (a Polish NIP is 9945, with its PL prefix).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from lxml import etree
from sqlmodel import Session

from core.documents.mail import pdf_filename
from core.errors import Invalid
from core.handlers.invoice_state import InvoiceView, view_of
from core.handlers.lines import COUNTED_KINDS, totals_of
from core.invoice_reads import invoice_view
from core.models import Client, Department, Invoice, InvoiceLine
from core.reader import Reader
from core.tax import TaxRate, parse_tax

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
MEDIA_TYPE = "application/xml"

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}

# Kinds that are not a claim for payment: Peppol BIS Billing carries invoices and credit notes only.
NOT_INVOICES = frozenset({"proforma", "estimate", "kp", "kw", "client_order", "accounting_note"})

# EAS of the VAT-number schemes (Peppol code list "eas", the "<country> VAT number" entries).
VAT_SCHEMES: dict[str, str] = {
    "HU": "9910", "AD": "9922", "AL": "9923", "BA": "9924", "BE": "9925", "BG": "9926", "CH": "9927", "CY": "9928",
    "CZ": "9929", "DE": "9930", "EE": "9931", "GB": "9932", "GR": "9933", "EL": "9933", "HR": "9934", "IE": "9935",
    "LI": "9936", "LT": "9937", "LU": "9938", "LV": "9939", "MC": "9940", "ME": "9941", "MK": "9942", "MT": "9943",
    "NL": "9944", "PL": "9945", "PT": "9946", "RO": "9947", "RS": "9948", "SI": "9949", "SK": "9950", "SM": "9951",
    "TR": "9952", "VA": "9953", "FR": "9957",
}
GLN_SCHEME = "0088"
# Nordic organisation numbers: country -> (EAS, digits, the VAT number a registered company has: prefix, suffix).
ORG_SCHEMES: dict[str, tuple[str, int, str, str]] = {
    "SE": ("0007", 10, "SE", "01"),  # Organisationsnummer; VAT number SE + number + 01
    "NO": ("0192", 9, "NO", "MVA"),  # Enhetsregisteret; VAT number NO + number + MVA
    "DK": ("0184", 8, "DK", ""),  # CVR; VAT number DK + number
}

# Country names clients type instead of ISO codes.
_COUNTRY_NAMES: dict[str, str] = {
    "polska": "PL", "poland": "PL", "sverige": "SE", "sweden": "SE", "deutschland": "DE", "niemcy": "DE",
    "germany": "DE", "norge": "NO", "norway": "NO", "danmark": "DK", "denmark": "DK", "suomi": "FI",
    "finland": "FI", "czechy": "CZ", "france": "FR", "francja": "FR", "united kingdom": "GB", "uk": "GB",
}

# UN/ECE Recommendation 20 codes for the units people write; anything else is a piece (C62).
_UNIT_CODES: dict[str, str] = {
    "h": "HUR", "godz": "HUR", "godz.": "HUR", "tim": "HUR", "timme": "HUR", "timmar": "HUR", "hour": "HUR",
    "hours": "HUR", "kg": "KGM", "g": "GRM", "t": "TNE", "m": "MTR", "km": "KMT", "m2": "MTK", "m²": "MTK",
    "m3": "MTQ", "m³": "MTQ", "l": "LTR", "litr": "LTR", "liter": "LTR", "dzień": "DAY", "dni": "DAY",
    "dag": "DAY", "dagar": "DAY", "day": "DAY", "days": "DAY", "mies.": "MON", "miesiąc": "MON", "mån": "MON",
    "månad": "MON", "month": "MON", "kwh": "KWH", "min": "MIN", "minut": "MIN",
}


@dataclass(frozen=True)
class Category:
    """A VAT category of EN 16931 (UNCL5305) with the exemption reason some of them must carry."""

    code: str
    percent: Decimal | None  # None: "not subject to VAT" carries no rate at all
    reason_code: str = ""
    reason: str = ""


def category_of(tax: TaxRate, invoice_kind: str) -> Category:
    """The ledger's rate as an EN 16931 VAT category: a real rate is S, 0 % is Z (K on an intra-EU supply,
    G on an export), zw is exempt, oo reverse charge, np not subject to VAT, ex an export."""
    if tax.code == "zw":
        return Category("E", Decimal(0), "", "Exempt from VAT")
    if tax.code == "oo":
        return Category("AE", Decimal(0), "VATEX-EU-AE", "Reverse charge")
    if tax.code in ("np", "disabled"):
        return Category("O", None, "VATEX-EU-O", "Not subject to VAT")
    if tax.code == "ex" or (tax.percent == 0 and invoice_kind == "export_products"):
        return Category("G", Decimal(0), "VATEX-EU-G", "Export outside the EU")
    if tax.percent == 0 and invoice_kind == "wdt":
        return Category("K", Decimal(0), "VATEX-EU-IC", "Intra-community supply")
    if tax.percent == 0:
        return Category("Z", Decimal(0))
    return Category("S", tax.percent)


def country_code(raw: str) -> str:
    text = " ".join(raw.split()).lower()
    if len(text) == 2 and text.isalpha():
        return "GR" if text == "el" else text.upper()
    return _COUNTRY_NAMES.get(text, "")


def _alnum(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


@dataclass(frozen=True)
class PartyIds:
    endpoint: tuple[str, str] | None  # (EAS scheme, identifier)
    vat: str  # the VAT identifier with its country prefix, or ""
    legal: tuple[str, str] | None  # (scheme or "", legal registration identifier)


def party_ids(country: str, tax_no: str, *, vat_eu: str = "", gln: str = "", company: bool = True) -> PartyIds:
    """The identifiers a party's country and numbers give: the Peppol endpoint, the VAT identifier and the
    legal registration. A private person has no VAT identifier and no registration."""
    number = _alnum(tax_no)
    prefix = number[:2] if number[:2].isalpha() else ""
    digits = number[len(prefix):]
    country = country or prefix
    vat = _alnum(vat_eu)
    legal: tuple[str, str] | None = None
    org = ORG_SCHEMES.get(country)
    if org and prefix == org[2] and org[3] and digits.endswith(org[3]) and len(digits) == org[1] + len(org[3]):
        digits = digits[:org[1]]  # a Nordic VAT number where the organisation number was asked for
    if company and digits:
        if org and len(digits) == org[1] and digits.isdigit():
            legal = (org[0], digits)
            vat = vat or f"{org[2]}{digits}{org[3]}"
        elif country == "PL" and len(digits) == 10 and digits.isdigit():
            vat = vat or f"PL{digits}"
            legal = ("", digits)
        elif prefix:
            vat = vat or number
        else:
            legal = ("", digits)
    if vat and not vat[:2].isalpha() and country:
        vat = f"{country}{vat}"
    endpoint: tuple[str, str] | None = None
    if gln.strip():
        endpoint = (GLN_SCHEME, _alnum(gln))
    elif legal and legal[0]:
        endpoint = legal
    elif vat and vat[:2] in VAT_SCHEMES:
        endpoint = (VAT_SCHEMES[vat[:2]], vat)
    return PartyIds(endpoint, vat, legal)


@dataclass(frozen=True)
class Party:
    name: str
    street: str
    city: str
    post_code: str
    country: str
    ids: PartyIds
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class PeppolSources:
    """What the document needs beyond the invoice: the corrected invoice's number, the buyer's client
    record (GLN, EU VAT number) and the seller's main department (for a snapshot without a country)."""

    corrected_number: str = ""
    buyer_gln: str = ""
    buyer_vat_eu: str = ""
    home_country: str = ""


@dataclass(frozen=True)
class UblDocument:
    number: str
    xml: bytes

    @property
    def filename(self) -> str:
        return str(PurePath(pdf_filename(self.number)).with_suffix(".xml"))


# -- reading --------------------------------------------------------------------------------------
def load_peppol(session: Session, account_id: int, invoice_id: int) -> UblDocument:
    """The UBL of one invoice, in a unit of work's session."""
    view = view_of(session, account_id, invoice_id)
    return UblDocument(view.invoice.number, build_peppol(view, _sources(Reader(session.connection()), account_id,
                                                                          invoice_id)))


def read_peppol(reader: Reader, account_id: int, invoice_id: int) -> UblDocument:
    """The UBL of one invoice in plain SQL, for endpoints that only read."""
    view = invoice_view(reader, account_id, invoice_id)
    return UblDocument(view.invoice.number, build_peppol(view, _sources(reader, account_id, invoice_id)))


def _sources(reader: Reader, account_id: int, invoice_id: int) -> PeppolSources:
    invoice = reader.owned(Invoice, account_id, invoice_id, "invoice")
    corrected = ""
    if invoice.kind == "correction" and invoice.from_invoice_id:
        corrected = reader.owned(Invoice, account_id, invoice.from_invoice_id, "invoice").number
    client = (reader.record(Client, "id = ? AND account_id = ?", (invoice.client_id, account_id))
              if invoice.client_id else None)
    departments = reader.records(Department, "departments.account_id = ?", (account_id,),
                                 "departments.main DESC, departments.id")
    home = next((country_code(d.country) for d in departments if country_code(d.country)), "")
    return PeppolSources(corrected_number=corrected, buyer_gln=client.gln if client else "",
                         buyer_vat_eu=client.vat_eu if client else "", home_country=home)


# -- building -------------------------------------------------------------------------------------
Node = Any  # an lxml element (lxml ships no type information)


def _el(parent: Node, tag: str, text: object = None, **attrs: str) -> Node:
    prefix, _, name = tag.partition(":")
    child = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", attrs)
    if text is not None:
        child.text = str(text)
    return child


def _amount(parent: Node, tag: str, value: Decimal, currency: str) -> None:
    _el(parent, tag, f"{value.quantize(Decimal('0.01')):f}", currencyID=currency)


def _decimal_text(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text if text not in ("-0",) else "0"


def _parties(invoice: Any, sources: PeppolSources) -> tuple[Party, Party]:
    seller_country = country_code(invoice.seller_country) or sources.home_country
    buyer_country = country_code(invoice.buyer_country) or seller_country
    seller = Party(
        name=invoice.seller_name, street=invoice.seller_street, city=invoice.seller_city,
        post_code=invoice.seller_post_code, country=seller_country,
        ids=party_ids(seller_country, invoice.seller_tax_no), email=invoice.seller_email,
        phone=invoice.seller_phone)
    name = invoice.buyer_name or " ".join(p for p in (invoice.buyer_first_name, invoice.buyer_last_name) if p)
    buyer = Party(
        name=name, street=invoice.buyer_street, city=invoice.buyer_city, post_code=invoice.buyer_post_code,
        country=buyer_country, email=invoice.buyer_email, phone=invoice.buyer_phone,
        ids=party_ids(buyer_country, invoice.buyer_tax_no, vat_eu=sources.buyer_vat_eu, gln=sources.buyer_gln,
                      company=bool(invoice.buyer_company)))
    return seller, buyer


def _party(parent: Node, tag: str, party: Party) -> None:
    node = _el(_el(parent, tag), "cac:Party")
    if party.ids.endpoint:
        _el(node, "cbc:EndpointID", party.ids.endpoint[1], schemeID=party.ids.endpoint[0])
    if party.name:
        _el(_el(node, "cac:PartyName"), "cbc:Name", party.name)
    address = _el(node, "cac:PostalAddress")
    if party.street:
        _el(address, "cbc:StreetName", party.street)
    if party.city:
        _el(address, "cbc:CityName", party.city)
    if party.post_code:
        _el(address, "cbc:PostalZone", party.post_code)
    _el(_el(address, "cac:Country"), "cbc:IdentificationCode", party.country)
    if party.ids.vat:
        scheme = _el(node, "cac:PartyTaxScheme")
        _el(scheme, "cbc:CompanyID", party.ids.vat)
        _el(_el(scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = _el(node, "cac:PartyLegalEntity")
    _el(legal, "cbc:RegistrationName", party.name)
    if party.ids.legal:
        scheme_id, value = party.ids.legal
        if scheme_id:
            _el(legal, "cbc:CompanyID", value, schemeID=scheme_id)
        else:
            _el(legal, "cbc:CompanyID", value)
    if party.email or party.phone:
        contact = _el(node, "cac:Contact")
        if party.phone:
            _el(contact, "cbc:Telephone", party.phone)
        if party.email:
            _el(contact, "cbc:ElectronicMail", party.email)


def _tax_category(parent: Node, tag: str, category: Category, *, reason: bool) -> None:
    node = _el(parent, tag)
    _el(node, "cbc:ID", category.code)
    if category.percent is not None:
        _el(node, "cbc:Percent", _decimal_text(category.percent))
    if reason and category.reason_code:
        _el(node, "cbc:TaxExemptionReasonCode", category.reason_code)
    if reason and category.reason:
        _el(node, "cbc:TaxExemptionReason", category.reason)
    _el(_el(node, "cac:TaxScheme"), "cbc:ID", "VAT")


_BANKGIRO = re.compile(r"\d{3,4}-?\d{4}")


def _payment_means(parent: Node, invoice: Any, seller: Party, credit_note: bool) -> None:
    """Credit transfer (30) to the seller's account; cash 10, card 48. A transfer without an account
    says nothing rather than name a means the buyer could not use."""
    kind = (invoice.payment_type or "transfer").lower()
    account = (invoice.seller_bank_account or "").strip()
    code = {"cash": "10", "card": "48"}.get(kind, "30")
    if code == "30" and not account:
        return
    means = _el(parent, "cac:PaymentMeans")
    _el(means, "cbc:PaymentMeansCode", code)
    if credit_note and invoice.payment_to:
        _el(means, "cbc:PaymentDueDate", invoice.payment_to.isoformat())
    _el(means, "cbc:PaymentID", invoice.number)
    if code == "30":
        financial = _el(means, "cac:PayeeFinancialAccount")
        if seller.country == "SE" and _BANKGIRO.fullmatch(account):
            _el(financial, "cbc:ID", account.replace("-", ""))
            _el(_el(financial, "cac:FinancialInstitutionBranch"), "cbc:ID", "SE:BANKGIRO")
        else:
            _el(financial, "cbc:ID", _alnum(account))
            if invoice.seller_bank:
                _el(financial, "cbc:Name", invoice.seller_bank)


def _unit_code(unit: str) -> str:
    return _UNIT_CODES.get(" ".join(unit.split()).lower(), "C62")


def _line(parent: Node, tag: str, no: int, line: InvoiceLine, sign: Decimal, invoice: Any,
          currency: str) -> None:
    node = _el(parent, tag)
    _el(node, "cbc:ID", no)
    net = line.total_net * sign
    quantity = line.quantity * sign
    if quantity == 0:  # a correction of the price alone: one unit of the difference
        quantity = Decimal(1) if net >= 0 else Decimal(-1)
    elif (quantity < 0) != (net < 0) and net != 0:
        quantity = -quantity  # the price is never negative (BR-27): the sign travels with the quantity
    quantity_tag = "cbc:CreditedQuantity" if tag == "cac:CreditNoteLine" else "cbc:InvoicedQuantity"
    _el(node, quantity_tag, _decimal_text(quantity), unitCode=_unit_code(line.unit))
    _amount(node, "cbc:LineExtensionAmount", net, currency)
    item = _el(node, "cac:Item")
    if line.description:
        _el(item, "cbc:Description", line.description)
    _el(item, "cbc:Name", line.name or line.code or "-")
    if line.code:
        _el(_el(item, "cac:SellersItemIdentification"), "cbc:ID", line.code)
    _tax_category(item, "cac:ClassifiedTaxCategory", category_of(parse_tax(line.tax), invoice.kind), reason=False)
    price = (abs(net) / abs(quantity)).quantize(Decimal("0.000001"))
    _el(_el(node, "cac:Price"), "cbc:PriceAmount", _decimal_text(price), currencyID=currency)


def document_type(invoice: Any) -> str:
    """"CreditNote" for a correction that lowers the amount due, else "Invoice"."""
    return "CreditNote" if invoice.kind == "correction" and invoice.price_gross < 0 else "Invoice"


def build_peppol(view: InvoiceView, sources: PeppolSources) -> bytes:
    invoice = view.invoice
    if invoice.kind in NOT_INVOICES:
        raise Invalid.one("kind", "invalid", f"a {invoice.kind} is not an invoice: Peppol BIS Billing carries "
                          "invoices and credit notes only", value=invoice.kind)
    credit_note = document_type(invoice) == "CreditNote"
    sign = Decimal(-1) if credit_note else Decimal(1)
    currency = invoice.currency or "PLN"
    root_ns = NS["cn"] if credit_note else NS["inv"]
    root = etree.Element(f"{{{root_ns}}}{'CreditNote' if credit_note else 'Invoice'}",
                         nsmap={None: root_ns, "cac": NS["cac"], "cbc": NS["cbc"]})
    _el(root, "cbc:CustomizationID", CUSTOMIZATION_ID)
    _el(root, "cbc:ProfileID", PROFILE_ID)
    _el(root, "cbc:ID", invoice.number or str(invoice.id))
    _el(root, "cbc:IssueDate", invoice.issue_date.isoformat())
    if not credit_note and invoice.payment_to:
        _el(root, "cbc:DueDate", invoice.payment_to.isoformat())
    if credit_note:
        _el(root, "cbc:CreditNoteTypeCode", "381")
    else:
        _el(root, "cbc:InvoiceTypeCode", "386" if invoice.kind == "advance" else "380")
    note = " ".join(p for p in (invoice.correction_reason, invoice.description) if p).strip()
    if note:
        _el(root, "cbc:Note", note)
    _el(root, "cbc:DocumentCurrencyCode", currency)
    extra = invoice.extra or {}
    buyer_reference = str(extra.get("your_reference") or extra.get("buyer_reference") or "")
    if buyer_reference or not invoice.oid:
        # Peppol wants a buyer reference or an order number; without either the invoice number stands in.
        _el(root, "cbc:BuyerReference", buyer_reference or invoice.number or str(invoice.id))
    if invoice.oid:
        _el(_el(root, "cac:OrderReference"), "cbc:ID", invoice.oid)
    if sources.corrected_number:
        _el(_el(_el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference"), "cbc:ID",
            sources.corrected_number)
    seller, buyer = _parties(invoice, sources)
    _party(root, "cac:AccountingSupplierParty", seller)
    _party(root, "cac:AccountingCustomerParty", buyer)
    delivery_date = invoice.sell_date or invoice.issue_date
    delivery = _el(root, "cac:Delivery")
    _el(delivery, "cbc:ActualDeliveryDate", delivery_date.isoformat())
    if buyer.country:  # where the goods went: an intra-EU supply must say (BR-IC-12)
        address = _el(_el(delivery, "cac:DeliveryLocation"), "cac:Address")
        _el(_el(address, "cac:Country"), "cbc:IdentificationCode", buyer.country)
    _payment_means(root, invoice, seller, credit_note)
    if invoice.payment_to is None and invoice.payable - invoice.paid > 0:
        _el(_el(root, "cac:PaymentTerms"), "cbc:Note", "Payment on receipt")

    lines = [line for line in view.lines if line.kind in COUNTED_KINDS]
    totals = totals_of(invoice, view.lines)
    allowances = charges = Decimal(0)
    for rate in totals.per_rate:
        category = category_of(rate.tax, invoice.kind)
        lines_net = sum((line.total_net for line in lines if parse_tax(line.tax) == rate.tax), Decimal(0))
        difference = (rate.net - lines_net) * sign
        if difference:
            charge = difference > 0
            node = _el(root, "cac:AllowanceCharge")
            _el(node, "cbc:ChargeIndicator", "true" if charge else "false")
            _el(node, "cbc:AllowanceChargeReason", "Rounding")
            _amount(node, "cbc:Amount", abs(difference), currency)
            _tax_category(node, "cac:TaxCategory", category, reason=False)
            if charge:
                charges += difference
            else:
                allowances -= difference
    tax_total = _el(root, "cac:TaxTotal")
    _amount(tax_total, "cbc:TaxAmount", invoice.price_tax * sign, currency)
    for rate in totals.per_rate:
        subtotal = _el(tax_total, "cac:TaxSubtotal")
        _amount(subtotal, "cbc:TaxableAmount", rate.net * sign, currency)
        _amount(subtotal, "cbc:TaxAmount", rate.tax_amount * sign, currency)
        _tax_category(subtotal, "cac:TaxCategory", category_of(rate.tax, invoice.kind), reason=True)
    monetary = _el(root, "cac:LegalMonetaryTotal")
    line_total = sum((line.total_net for line in lines), Decimal(0)) * sign
    _amount(monetary, "cbc:LineExtensionAmount", line_total, currency)
    _amount(monetary, "cbc:TaxExclusiveAmount", invoice.price_net * sign, currency)
    _amount(monetary, "cbc:TaxInclusiveAmount", invoice.price_gross * sign, currency)
    if allowances:
        _amount(monetary, "cbc:AllowanceTotalAmount", allowances, currency)
    if charges:
        _amount(monetary, "cbc:ChargeTotalAmount", charges, currency)
    if invoice.paid:
        _amount(monetary, "cbc:PrepaidAmount", invoice.paid * sign, currency)
    if invoice.cash_rounding:
        _amount(monetary, "cbc:PayableRoundingAmount", invoice.cash_rounding * sign, currency)
    _amount(monetary, "cbc:PayableAmount", (invoice.payable - invoice.paid) * sign, currency)
    line_tag = "cac:CreditNoteLine" if credit_note else "cac:InvoiceLine"
    for no, line in enumerate(lines, start=1):
        _line(root, line_tag, no, line, sign, invoice, currency)
    return bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True))
