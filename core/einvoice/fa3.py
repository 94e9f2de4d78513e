"""FA(3), the KSeF invoice structure, from any ledger invoice: VAT, corrections, advance and final invoices,
zw / np / reverse charge / 0 % rates, margin schemes and foreign currency.

The sums per rate (P_13_x net, P_14_x VAT, P_14_xW VAT in PLN) are the ledger's own per-rate totals
(core.money.compute_totals), so the document always states what the invoice states. Every document is
checked against the official XSD (core.einvoice.schema) before it is stored or sent.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Iterable, Mapping, Sequence
from xml.etree import ElementTree as ET

from core.einvoice.rules import ISSUER_ROLES, RECIPIENT_ROLES, bare_tax_no, tax_no_kind_of
from core.handlers.lines import totals_of
from core.money import round_money
from core.tax import TaxRate, parse_tax

NAMESPACE = "http://crd.gov.pl/wzor/2025/06/25/13775/"
SYSTEM_INFO = "Invoice Gateway"
COUNTED = ("normal", "correction")
MARGIN_KINDS = ("vat_margin", "vat_mp")
# FA(3) P_13_x / P_14_x buckets: which P_12 rates add up under which number.
BUCKETS = {"23": "1", "22": "1", "8": "2", "7": "2", "5": "3", "4": "4", "3": "4", "0 KR": "6_1",
           "0 WDT": "6_2", "0 EX": "6_3", "zw": "7", "np I": "8", "np II": "9", "oo": "10"}
WITH_VAT = ("1", "2", "3", "4")
BUCKET_ORDER = ("1", "2", "3", "4", "6_1", "6_2", "6_3", "7", "8", "9", "10", "11")


@dataclass
class Related:
    """What a document says about other invoices: the corrected one, the advances a final invoice settles."""

    corrected: Any = None  # the corrected invoice (number, issue_date, kind)
    corrected_ksef_number: str = ""
    advances: Sequence[tuple[Any, str]] = field(default_factory=tuple)  # (advance invoice, its KSeF number)


def p12(rate: TaxRate, kind: str, extra: Mapping[str, Any]) -> str:
    """The FA(3) rate code of a ledger rate."""
    if rate.code == "np":
        return "np II" if extra.get("np_tax_kind") == "export_service_eu" else "np I"
    if rate.code in ("zw", "oo"):
        return rate.code
    if rate.code == "ex" or (rate.code == "0" and kind == "export_products"):
        return "0 EX"
    if rate.code == "0":
        return "0 WDT" if kind == "wdt" else "0 KR"
    return rate.code


def amount(value: Decimal) -> str:
    return f"{round_money(value):.2f}"


def _plain(value: Decimal, places: int) -> str:
    text = f"{value.quantize(Decimal(1).scaleb(-places)):f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") else text


def _sub(parent: ET.Element, tag: str, text: Any = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NAMESPACE}}}{tag}")
    if text is not None:
        element.text = str(text)
    return element


def _country(value: str) -> str:
    text = (value or "").strip().upper()
    return text if len(text) == 2 and text.isalpha() else "PL"


def _address(parent: ET.Element, tag: str, street: str, post_code: str, city: str, country: str) -> None:
    line2 = " ".join(p for p in (post_code.strip(), city.strip()) if p)
    if not street.strip() and not line2:
        return
    node = _sub(parent, tag)
    _sub(node, "KodKraju", _country(country))
    _sub(node, "AdresL1", street.strip() or line2)
    if street.strip() and line2:
        _sub(node, "AdresL2", line2)


def _identity(parent: ET.Element, tax_no: str, kind: str, country: str, name: str, *, third: bool) -> None:
    ids = _sub(parent, "DaneIdentyfikacyjne")
    bare = bare_tax_no(tax_no, kind)
    if not tax_no or kind == "empty":
        _sub(ids, "BrakID", 1)
    elif kind == "":
        _sub(ids, "NIP", bare)
    elif kind == "nip_with_id":
        if third:
            _sub(ids, "IDWew", bare)
        else:
            _sub(ids, "NIP", bare.split("-")[0])
    elif kind == "nip_ue":
        prefix = bare[:2].upper() if bare[:2].isalpha() else _country(country)
        _sub(ids, "KodUE", prefix)
        _sub(ids, "NrVatUE", bare[2:] if bare[:2].isalpha() else bare)
    else:
        if bare[:2].isalpha() and len(bare) > 2:
            _sub(ids, "KodKraju", bare[:2].upper())
            bare = bare[2:]
        elif country:
            _sub(ids, "KodKraju", _country(country))
        _sub(ids, "NrID", bare)
    if name:
        _sub(ids, "Nazwa", name[:512])


def _contact(parent: ET.Element, email: str, phone: str) -> None:
    if email or phone:
        node = _sub(parent, "DaneKontaktowe")
        if email:
            _sub(node, "Email", email)
        if phone:
            _sub(node, "Telefon", phone)


def _buyer_name(invoice: Any) -> str:
    return str(invoice.buyer_name or " ".join(p for p in (invoice.buyer_first_name, invoice.buyer_last_name) if p))


def _third_party(root: ET.Element, entry: Mapping[str, Any], roles: Mapping[str, int]) -> None:
    node = _sub(root, "Podmiot3")
    tax_no = str(entry.get("tax_no") or "")
    kind = tax_no_kind_of(tax_no, str(entry.get("tax_no_kind") or ""), buyer=True)
    _identity(node, tax_no, kind, str(entry.get("country") or ""), str(entry.get("name") or ""), third=True)
    _address(node, "Adres", str(entry.get("street") or ""), str(entry.get("post_code") or ""),
             str(entry.get("city") or ""), str(entry.get("country") or ""))
    _contact(node, str(entry.get("email") or ""), str(entry.get("phone") or ""))
    role = roles.get(str(entry.get("role") or ""), 0)
    if role:
        _sub(node, "Rola", role)
    else:
        _sub(node, "RolaInna", 1)
        _sub(node, "OpisRoli", str(entry.get("role_description") or "Rola inna"))
    participation = entry.get("participation")
    if participation not in (None, "") and entry.get("role") == "Dodatkowy nabywca":
        _sub(node, "Udzial", _plain(Decimal(str(participation)), 6))


def _kind_code(invoice: Any, related: Related) -> str:
    if invoice.kind == "advance":
        return "ZAL"
    if invoice.kind == "final":
        return "ROZ"
    if invoice.kind == "correction":
        corrected_kind = getattr(related.corrected, "kind", "")
        return {"advance": "KOR_ZAL", "final": "KOR_ROZ"}.get(corrected_kind, "KOR")
    return "VAT"


def per_rate(invoice: Any, lines: Iterable[Any], extra: Mapping[str, Any]) -> dict[str, tuple[Decimal, Decimal]]:
    """(net, VAT) per FA(3) bucket, from the ledger's per-rate totals of the invoice."""
    sums: dict[str, tuple[Decimal, Decimal]] = {}
    for total in totals_of(invoice, lines).per_rate:
        bucket = "11" if invoice.kind in MARGIN_KINDS else BUCKETS[p12(total.tax, invoice.kind, extra)]
        net, vat = sums.get(bucket, (Decimal(0), Decimal(0)))
        if bucket == "11":  # a margin invoice states gross amounts only
            sums[bucket] = (net + total.gross, vat)
        else:
            sums[bucket] = (net + total.net, vat + total.tax_amount)
    return sums


def _exemption(parent: ET.Element, grounds: str) -> None:
    node = _sub(parent, "Zwolnienie")
    if not grounds:
        _sub(node, "P_19N", 1)
        return
    _sub(node, "P_19", 1)
    tag = "P_19B" if "Dyrektywy" in grounds else "P_19A" if "ustawy" in grounds else "P_19C"
    _sub(node, tag, grounds[:256])


def _annotations(fa: ET.Element, invoice: Any, codes: set[str], extra: Mapping[str, Any]) -> None:
    node = _sub(fa, "Adnotacje")
    _sub(node, "P_16", 2)
    _sub(node, "P_17", 2)
    _sub(node, "P_18", 1 if "oo" in codes else 2)
    _sub(node, "P_18A", 2)
    _exemption(node, str(extra.get("exempt_tax_kind") or "").strip() if "zw" in codes else "")
    transport = _sub(node, "NoweSrodkiTransportu")
    _sub(transport, "P_22N", 1)
    _sub(node, "P_23", 2)
    margin = _sub(node, "PMarzy")
    if invoice.kind in MARGIN_KINDS:
        _sub(margin, "P_PMarzy", 1)
        _sub(margin, "P_PMarzy_3_1", 1)  # used goods, the margin scheme Fakturownia's vat_margin prints
    else:
        _sub(margin, "P_PMarzyN", 1)


def _line(fa: ET.Element, number: int, line: Any, invoice: Any, extra: Mapping[str, Any], before: bool) -> None:
    node = _sub(fa, "FaWiersz")
    _sub(node, "NrWierszaFa", number)
    if line.name:
        _sub(node, "P_7", line.name[:512])
    if line.code:
        _sub(node, "Indeks", line.code[:50])
    if line.additional_info and invoice.additional_info_desc in ("PKWiU", "CN", "PKOB", "GTIN"):
        _sub(node, invoice.additional_info_desc, line.additional_info[:50 if invoice.additional_info_desc != "GTIN"
                                                                      else 20])
    if line.unit:
        _sub(node, "P_8A", line.unit[:256])
    _sub(node, "P_8B", _plain(line.quantity, 6))
    if invoice.kind in MARGIN_KINDS or invoice.prices_gross or line.priced_gross:
        _sub(node, "P_9B", _plain(line.price_gross, 8))
        _sub(node, "P_11A", amount(line.total_gross))
    else:
        _sub(node, "P_9A", _plain(line.price_net, 8))
        _sub(node, "P_11", amount(line.total_net))
    if invoice.kind not in MARGIN_KINDS:
        _sub(node, "P_12", p12(parse_tax(line.tax), invoice.kind, extra))
    if invoice.currency != "PLN" and invoice.exchange_rate:
        _sub(node, "KursWaluty", _plain(invoice.exchange_rate, 6))
    if before:
        _sub(node, "StanPrzed", 1)


def build(invoice: Any, lines: Sequence[Any], extra: Mapping[str, Any], related: Related | None = None,
          created: datetime | None = None) -> bytes:
    """The FA(3) document of `invoice` (a ledger Invoice) with its `lines`, as UTF-8 XML bytes."""
    related = related or Related()
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(f"{{{NAMESPACE}}}Faktura")
    head = _sub(root, "Naglowek")
    code = _sub(head, "KodFormularza", "FA")
    code.set("kodSystemowy", "FA (3)")
    code.set("wersjaSchemy", "1-0E")
    _sub(head, "WariantFormularza", 3)
    stamp = (created or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    _sub(head, "DataWytworzeniaFa", stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))
    _sub(head, "SystemInfo", SYSTEM_INFO)

    seller = _sub(root, "Podmiot1")
    seller_ids = _sub(seller, "DaneIdentyfikacyjne")
    _sub(seller_ids, "NIP", bare_tax_no(invoice.seller_tax_no, ""))
    _sub(seller_ids, "Nazwa", invoice.seller_name[:512])
    _address(seller, "Adres", invoice.seller_street, invoice.seller_post_code, invoice.seller_city,
             invoice.seller_country)
    _contact(seller, invoice.seller_email, invoice.seller_phone)

    buyer = _sub(root, "Podmiot2")
    buyer_kind = tax_no_kind_of(invoice.buyer_tax_no, extra.get("buyer_tax_no_kind"), buyer=True)
    _identity(buyer, invoice.buyer_tax_no, buyer_kind, invoice.buyer_country, _buyer_name(invoice), third=False)
    _address(buyer, "Adres", invoice.buyer_street, invoice.buyer_post_code, invoice.buyer_city, invoice.buyer_country)
    _contact(buyer, invoice.buyer_email, invoice.buyer_phone)
    _sub(buyer, "JST", 2)
    _sub(buyer, "GV", 2)
    for key, roles in (("issuers", ISSUER_ROLES), ("recipients", RECIPIENT_ROLES)):
        for entry in extra.get(key) or ():
            _third_party(root, entry, roles)

    fa = _sub(root, "Fa")
    _sub(fa, "KodWaluty", invoice.currency.upper())
    _sub(fa, "P_1", invoice.issue_date.isoformat())
    if invoice.place:
        _sub(fa, "P_1M", invoice.place[:256])
    _sub(fa, "P_2", invoice.number[:256])
    if invoice.sell_date and invoice.sell_date != invoice.issue_date and invoice.kind != "advance":
        _sub(fa, "P_6", invoice.sell_date.isoformat())
    sums = per_rate(invoice, lines, extra)
    foreign = invoice.currency.upper() != "PLN" and invoice.exchange_rate
    for bucket in BUCKET_ORDER:
        if bucket not in sums:
            continue
        net, vat = sums[bucket]
        _sub(fa, f"P_13_{bucket}", amount(net))
        if bucket in WITH_VAT:
            _sub(fa, f"P_14_{bucket}", amount(vat))
            if foreign:
                _sub(fa, f"P_14_{bucket}W", amount(vat * invoice.exchange_rate))
    _sub(fa, "P_15", amount(invoice.price_gross))
    codes = {p12(parse_tax(line.tax), invoice.kind, extra) for line in lines if line.kind in COUNTED}
    _annotations(fa, invoice, codes, extra)
    kind_code = _kind_code(invoice, related)
    _sub(fa, "RodzajFaktury", kind_code)
    if kind_code.startswith("KOR"):
        if invoice.correction_reason:
            _sub(fa, "PrzyczynaKorekty", invoice.correction_reason[:256])
        corrected = _sub(fa, "DaneFaKorygowanej")
        original = related.corrected
        _sub(corrected, "DataWystFaKorygowanej", (original.issue_date if original else invoice.issue_date).isoformat())
        _sub(corrected, "NrFaKorygowanej", (original.number if original else "") or "-")
        if related.corrected_ksef_number:
            _sub(corrected, "NrKSeF", 1)
            _sub(corrected, "NrKSeFFaKorygowanej", related.corrected_ksef_number)
        else:
            _sub(corrected, "NrKSeFN", 1)
    for description in _descriptions(invoice, extra):
        node = _sub(fa, "DodatkowyOpis")
        _sub(node, "Klucz", description[0])
        _sub(node, "Wartosc", description[1])
    if kind_code == "ROZ":
        for advance, number in related.advances:
            node = _sub(fa, "FakturaZaliczkowa")
            if number:
                _sub(node, "NrKSeFFaZaliczkowej", number)
            else:
                _sub(node, "NrKSeFZN", 1)
                _sub(node, "NrFaZaliczkowej", advance.number)
    row = 0
    for line in lines:
        if line.kind in ("normal", "correction_after", "correction_before"):
            row += 1
            _line(fa, row, line, invoice, extra, before=line.kind == "correction_before")
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _descriptions(invoice: Any, extra: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Notes (DodatkowyOpis): the guide's `descriptions`, else the old `description` as one entry."""
    found = [(str(d.get("kind") or "Uwagi")[:256], str(d.get("content") or "")[:256])
             for d in extra.get("descriptions") or () if isinstance(d, Mapping) and str(d.get("content") or "")]
    if not found and invoice.description.strip():
        found.append(("Uwagi", " ".join(invoice.description.split())[:256]))
    return found


def issue_day(invoice: Any) -> date:
    return invoice.issue_date  # type: ignore[no-any-return]
