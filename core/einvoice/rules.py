"""What KSeF refuses, checked before an invoice is sent: Fakturownia's KSeF guide, field by field.

Each finding names the API field, the guide's message ("- nie może być puste") and the field's label,
so a dialect can answer the guide's 422 ({"buyer_tax_no": ["- nie może być puste"]}) or keep the
readable form in gov_error_messages ("NIP nabywcy - nie może być puste").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from core.errors import FieldError, Invalid
from core.tax import parse_tax

# Only these kinds go to KSeF; others get the status not_applicable (the guide's "Typy faktur").
KSEF_KINDS = frozenset({"vat", "correction", "vat_mp", "vat_margin", "wdt", "export_products", "advance", "final"})
TAX_NO_KINDS = ("", "nip_ue", "other", "empty", "nip_with_id")
EU = frozenset("AT BE BG CY CZ DE DK EE EL ES FI FR GR HR HU IE IT LT LU LV MT NL PT RO SE SI SK XI".split())
TAX_NO_PATTERNS = {
    "": re.compile(r"[1-9]((\d[1-9])|([1-9]\d))\d{7}"),
    "nip_ue": re.compile(r"(\d|[A-Z]|\+|\*){1,12}"),
    "other": re.compile(r"[a-zA-Z0-9]{1,50}"),
    "nip_with_id": re.compile(r"[1-9]((\d[1-9])|([1-9]\d))\d{7}-\d{5}"),
}
ISSUER_ROLES = {"Wystawca faktury": 5, "Faktor": 1, "Podmiot pierwotny": 3, "JST – wystawca": 7,
                "Członek GV – wystawca": 9, "Rola inna": 0}
RECIPIENT_ROLES = {"Odbiorca": 2, "Dodatkowy nabywca": 4, "Dokonujący płatności": 6, "JST – odbiorca": 8,
                   "Członek GV – odbiorca": 10, "Pracownik": 11, "Rola inna": 0}
NP_TAX_KINDS = ("export_service", "export_service_eu")
BLANK = "- nie może być puste"
INVALID = "- jest nieprawidłowe"


def too_long(limit: int) -> str:
    return f"- pole jest za długie (maksymalna ilość znaków: {limit})"


LABELS = {
    "seller_tax_no": "NIP sprzedawcy", "seller_name": "Nazwa sprzedawcy", "seller_street": "Ulica sprzedawcy",
    "seller_post_code": "Kod pocztowy sprzedawcy", "seller_city": "Miasto sprzedawcy",
    "seller_country": "Kraj sprzedawcy", "seller_phone": "Telefon sprzedawcy", "seller_email": "Email sprzedawcy",
    "buyer_name": "Nazwa nabywcy", "buyer_tax_no": "NIP nabywcy", "buyer_phone": "Telefon klienta",
    "buyer_email": "Email klienta", "buyer_first_name": "Imię nabywcy", "buyer_last_name": "Nazwisko nabywcy",
    "buyer_tax_no_kind": "Rodzaj identyfikatora nabywcy", "seller_tax_no_kind": "Rodzaj identyfikatora sprzedawcy",
    "exempt_tax_kind": "podstawa zwolnienia z podatku VAT", "np_tax_kind": "podstawa niepodlegania VAT",
    "correction_reason": "Powód korekty", "positions.name": "Nazwa pozycji", "positions.tax": "Stawka VAT",
    "positions.additional_info": "PKWiU/PKOB/CN", "issuers": "Wystawca faktury", "recipients": "Odbiorca faktury",
    "invoice_id": "Faktura korygowana", "currency": "Waluta",
}


@dataclass(frozen=True)
class Finding:
    field: str  # the API field (positions.N.name for a position)
    message: str  # the guide's "- ..." part

    @property
    def readable(self) -> str:
        key = re.sub(r"\.\d+\.", ".", self.field)
        return f"{LABELS.get(key, key)} {self.message}"


def tax_no_kind_of(tax_no: str, given: str | None, *, buyer: bool) -> str:
    """The guide's default: empty means a Polish NIP; for a buyer, an EU prefix other than PL means nip_ue
    and another country's prefix means other."""
    if given:
        return given
    prefix = tax_no[:2].upper()
    if buyer and prefix.isalpha() and len(tax_no) > 2 and prefix != "PL":
        return "nip_ue" if prefix in EU else "other"
    return ""


def bare_tax_no(tax_no: str, kind: str) -> str:
    """The identifier without spaces, dashes of formatting and (for a NIP) the PL prefix."""
    text = re.sub(r"[\s]", "", tax_no)
    if kind in ("", "nip_with_id"):
        text = text[2:] if text[:2].upper() == "PL" else text
        return text.replace("-", "") if kind == "" else text
    return text


def _check_tax_no(field: str, tax_no: str, kind: str) -> Iterable[Finding]:
    if kind not in TAX_NO_KINDS:
        yield Finding(f"{field}_kind", INVALID)
        return
    if kind == "empty":
        if tax_no:
            yield Finding(field, "- musi być puste")
        return
    pattern = TAX_NO_PATTERNS[kind]
    bare = bare_tax_no(tax_no, kind)
    if kind in ("nip_ue", "other") and bare[:2].isalpha():
        bare = bare[2:] or bare
    if bare and not pattern.fullmatch(bare):
        yield Finding(field, INVALID)


def _length(field: str, value: Any, limit: int) -> Iterable[Finding]:
    if len(str(value or "")) > limit:
        yield Finding(field, too_long(limit))


def check(invoice: Any, lines: Iterable[Any], extra: Mapping[str, Any]) -> list[Finding]:
    """Every finding for this invoice; empty when KSeF would take it. `extra`: the KSeF inputs the invoice
    carries beside its columns (tax_no kinds, exemption grounds, issuers, recipients)."""
    found: list[Finding] = []
    for name in ("seller_tax_no", "seller_name", "seller_street", "seller_post_code", "seller_city"):
        if not str(getattr(invoice, name) or "").strip():
            found.append(Finding(name, BLANK))
    seller_kind = str(extra.get("seller_tax_no_kind") or "")
    if invoice.seller_tax_no:
        found += _check_tax_no("seller_tax_no", invoice.seller_tax_no, seller_kind or "")
    buyer_kind = tax_no_kind_of(invoice.buyer_tax_no, extra.get("buyer_tax_no_kind"), buyer=True)
    if invoice.buyer_company:
        if not invoice.buyer_name:
            found.append(Finding("buyer_name", BLANK))
        if not invoice.buyer_tax_no and buyer_kind != "empty":
            found.append(Finding("buyer_tax_no", BLANK))
    elif not invoice.buyer_name and not (invoice.buyer_first_name and invoice.buyer_last_name):
        found += [Finding(name, BLANK) for name in ("buyer_first_name", "buyer_last_name")
                  if not getattr(invoice, name)]
    if invoice.buyer_tax_no or buyer_kind == "empty":
        found += _check_tax_no("buyer_tax_no", invoice.buyer_tax_no, buyer_kind)
    for side in ("buyer", "seller"):
        found += _length(f"{side}_phone", getattr(invoice, f"{side}_phone"), 16)
        found += _length(f"{side}_email", getattr(invoice, f"{side}_email"), 255)
    if invoice.kind == "correction":
        found += _length("correction_reason", invoice.correction_reason, 256)
        if not invoice.from_invoice_id and not invoice.invoice_id:
            found.append(Finding("invoice_id", BLANK))
    symbols: set[str] = set()
    for i, line in enumerate(lines):
        if line.kind not in ("normal", "correction", "correction_after", "correction_before"):
            continue
        found += _length(f"positions.{i}.name", line.name, 256)
        found += _length(f"positions.{i}.additional_info", line.additional_info, 50)
        try:
            rate = parse_tax(line.tax)
        except ValueError:
            found.append(Finding(f"positions.{i}.tax", INVALID))
            continue
        if rate.is_symbolic:
            symbols.add(rate.code)
            if rate.code == "disabled":
                found.append(Finding(f"positions.{i}.tax", INVALID))
        elif str(rate.code) not in ("23", "22", "8", "7", "5", "4", "3", "0"):
            found.append(Finding(f"positions.{i}.tax", INVALID))
    if "zw" in symbols and not str(extra.get("exempt_tax_kind") or "").strip():
        found.append(Finding("exempt_tax_kind", BLANK))
    if "np" in symbols and str(extra.get("np_tax_kind") or "") not in NP_TAX_KINDS:
        found.append(Finding("np_tax_kind", BLANK if not extra.get("np_tax_kind") else INVALID))
    for key, roles in (("issuers", ISSUER_ROLES), ("recipients", RECIPIENT_ROLES)):
        found += _third_parties(key, extra.get(key), roles)
    for i, description in enumerate(extra.get("descriptions") or ()):
        if isinstance(description, Mapping):
            found += _length(f"descriptions.{i}.kind", description.get("kind"), 256)
            found += _length(f"descriptions.{i}.content", description.get("content"), 256)
    return found


def _third_parties(key: str, entries: Any, roles: Mapping[str, int]) -> Iterable[Finding]:
    if entries in (None, "", []):
        return
    if not isinstance(entries, list):
        yield Finding(key, INVALID)
        return
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            yield Finding(f"{key}.{i}", INVALID)
            continue
        if not str(entry.get("name") or "").strip():
            yield Finding(f"{key}.{i}.name", BLANK)
        role = str(entry.get("role") or "")
        if role not in roles:
            yield Finding(f"{key}.{i}.role", INVALID if role else BLANK)
        elif role == "Rola inna":
            description = str(entry.get("role_description") or "")
            yield from ([Finding(f"{key}.{i}.role_description", BLANK)] if not description else
                        _length(f"{key}.{i}.role_description", description, 25))
        kind = str(entry.get("tax_no_kind") or "")
        tax_no = str(entry.get("tax_no") or "")
        if tax_no or kind == "empty":
            yield from _check_tax_no(f"{key}.{i}.tax_no", tax_no, tax_no_kind_of(tax_no, kind, buyer=True))


def as_invalid(findings: list[Finding]) -> Invalid:
    return Invalid([FieldError(f.field, "ksef", f.message) for f in findings])
