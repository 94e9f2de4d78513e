"""An INVO invoice document (q of add/edit) as core header fields, an explicit counter and LineSpecs."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Mapping

from core.commands import LineSpec
from core.models import Client, Department
from dialects.invo.errors import InvoError, invalid
from dialects.invo.fields import (
    INVOICE_EXTRA,
    INVOICE_FIELDS,
    ITEM_EXTRA,
    ITEM_FIELDS,
    RECIPIENT,
    STATUS_TO_CORE,
    TYPE2,
    convert,
    to_core,
)
from dialects.invo.lookups import Dictionaries, payment_type_of
from dialects.invo.parse import as_flag, as_id, as_int, as_stored, as_str

LANGS = {"PL": "pl", "EN": "en", "DE": "de"}


@dataclass
class InvoiceInput:
    fields: dict[str, Any]
    seq: int | None = None
    lines: tuple[LineSpec, ...] | None = None
    recipient_id: int | None = None
    supplier_id: int | None = None  # cost invoices: c1id names the supplier
    extra: dict[str, Any] = field(default_factory=dict)


def type2_code(value: Any) -> str:
    """"+FV"; also " FV" and "FV", which is what an un-encoded "+" in a form body turns into."""
    code = "+" + as_str(value, "type2").strip().lstrip("+").upper()
    if code not in TYPE2:
        raise invalid("type2", f"unknown document type; known: {', '.join(TYPE2)}")
    return code


def header(q: Mapping[str, Any], dicts: Dictionaries, listed: frozenset[int] = frozenset()) -> InvoiceInput:
    """`listed`: on edit, the ids of the invoice's items; an item with one of them updates that item."""
    fields = to_core(q, INVOICE_FIELDS)
    out = InvoiceInput(fields)
    if "type2" in q:
        fields["kind"] = TYPE2[type2_code(q["type2"])]
    if "buy" in q:
        fields["income"] = not as_flag(q["buy"], "buy")
    if "status" in q:
        code = as_int(q["status"], "status")
        if code not in STATUS_TO_CORE:
            raise invalid("status", "must be 0 to 5")
        fields["status"] = STATUS_TO_CORE[code]
    if "lang" in q:
        lang = as_str(q["lang"], "lang").upper()
        if lang not in LANGS:
            raise invalid("lang", "must be PL, EN or DE")
        fields["lang"] = LANGS[lang]
    if q.get("nrx") not in (None, 0, "0", ""):
        out.seq = as_id(q["nrx"], "nrx")
    if "c2id" in q and q["c2id"] not in (None, 0, "0"):
        out.recipient_id = as_id(q["c2id"], "c2id")
    recipient = {k: as_str(q[f"c2{k}"], f"c2{k}") for k in RECIPIENT if f"c2{k}" in q}
    if recipient:
        fields["recipient"] = recipient
    if "ptid" in q:
        paytype = dicts.get("paytypes", q["ptid"], "ptid")
        fields["payment_type"] = payment_type_of(paytype)
        if "payment_to" not in fields:
            fields["payment_to_kind"] = str(int(paytype.data.get("days") or 0))
    if "bank_id" in q:
        bank = dicts.get("accounts", q["bank_id"], "bank_id")
        fields.setdefault("seller_bank", str(bank.data.get("bank_name", "")))
        fields.setdefault("seller_bank_account", str(bank.data.get("number", "")))
    out.extra = {name: as_stored(q[name], name) for name in INVOICE_EXTRA if name in q}
    if fields.get("income") is False and "client_id" in fields:
        out.supplier_id = fields.pop("client_id")
    if "items" in q:
        out.lines = items(q["items"], dicts, correction=fields.get("kind") == "correction", listed=listed)
    return out


def items(raw: Any, dicts: Dictionaries, *, correction: bool, listed: frozenset[int] = frozenset()
          ) -> tuple[LineSpec, ...]:
    if not isinstance(raw, list):
        raise invalid("items", "must be a list of items")
    specs: list[LineSpec] = []
    for i, item in enumerate(raw):
        after = item_spec(item, dicts, f"items.{i}.")
        if not correction:
            item_id = _listed_id(item, listed)
            specs.append(after if item_id is None else replace(after, id=item_id))
            continue
        # A correcting item without "before" adds a position: its state before is the same item at count 0.
        before = item_spec(item["before"], dicts, f"items.{i}.before.") if "before" in item else LineSpec(
            name=after.name, unit=after.unit, tax=after.tax, quantity=Decimal(0), price_net=after.price_net,
            price_gross=after.price_gross, additional_info=after.additional_info)
        specs.append(LineSpec(kind="correction", before=before, after=after))
    return tuple(specs)


def _listed_id(item: Any, listed: frozenset[int]) -> int | None:
    """The id of a listed item; any other id is not ours to update, so that item is a new one."""
    raw = item.get("id") if isinstance(item, dict) else None
    try:
        item_id = int(raw) if raw is not None and not isinstance(raw, bool) else None
    except (TypeError, ValueError):
        return None
    return item_id if item_id in listed else None


def item_spec(item: Any, dicts: Dictionaries, prefix: str) -> LineSpec:
    if not isinstance(item, dict):
        raise invalid(prefix.rstrip("."), "must be an object")
    values: dict[str, Any] = {}
    for name, (attr, kind) in ITEM_FIELDS.items():
        if name in item and item[name] is not None:
            values[attr] = convert(item[name], kind, prefix + name)
    if "vatid" in item and "vatsm" not in item:
        values["tax"] = str(dicts.get("taxrates", item["vatid"], prefix + "vatid").data.get("symbol", ""))
    if "unitid" in item and not {"unitsm", "unit"} & item.keys():
        values["unit"] = str(dicts.get("units", item["unitid"], prefix + "unitid").data.get("symbol", ""))
    if "price_net" in values or "price_gross" in values:
        # A unit price and the totals together would disagree after rounding: the unit price rules.
        values.pop("total_net", None)
        values.pop("total_gross", None)
    extra = {name: as_stored(item[name], prefix + name) for name in ITEM_EXTRA if name in item}
    return LineSpec(**values, extra=extra)


def supplier_snapshot(client: Client, department: Department | None, q: Mapping[str, Any]) -> dict[str, Any]:
    """Cost invoices: the supplier (c1) is the seller and the account's own company is the buyer;
    every buyer column is given so the core does not fill the buyer from the supplier."""
    seller = {"seller_name": client.name, "seller_tax_no": client.tax_no, "seller_street": client.street,
              "seller_post_code": client.post_code, "seller_city": client.city, "seller_country": client.country,
              "seller_email": client.email, "seller_phone": client.phone, "seller_bank": client.bank,
              "seller_bank_account": client.bank_account}
    d = department
    buyer = {"buyer_name": d.name if d else "", "buyer_tax_no": d.tax_no if d else "",
             "buyer_street": d.street if d else "", "buyer_post_code": d.post_code if d else "",
             "buyer_city": d.city if d else "", "buyer_country": d.country if d else "",
             "buyer_email": d.email if d else "", "buyer_phone": d.phone if d else "",
             "buyer_first_name": "", "buyer_last_name": "", "buyer_company": True, "buyer_care_of": "",
             "buyer_note": ""}
    return {**seller, **buyer}


def cost_party_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """On cost invoices the c1 fields describe the supplier: move buyer_* given by c1* to seller_*."""
    moved = {}
    for name in ("buyer_name", "buyer_street", "buyer_post_code", "buyer_city", "buyer_tax_no"):
        if name in fields:
            moved["seller_" + name[len("buyer_"):]] = fields.pop(name)
    return moved


def require_items_list(q: Mapping[str, Any]) -> None:
    if "items" in q and not q["items"]:
        raise InvoError(8, fields={"items": "an invoice must contain at least one item"})
