"""Core invoices and lines as INVO rows (the seed's field names)."""
from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Any

import orjson

from core.handlers.invoice_state import InvoiceView
from core.models import Invoice, InvoiceLine
from core.money import plain_text
from dialects.invo.fields import INVOICE_EXTRA, ITEM_EXTRA, KIND_TYPE2, RECIPIENT, STATUS_FROM_CORE
from dialects.invo.lookups import Dictionaries, tax_symbol

# c1 is the buyer on sales documents and the supplier on cost documents: INVO name -> party column.
PARTY_COLUMNS: dict[str, str] = {"name": "name", "street": "street", "code": "post_code", "city": "city",
                                 "taxid": "tax_no"}


def day(value: date | None) -> str:
    return value.isoformat() if value else ""


def party_prefix(invoice: Invoice) -> str:
    return "buyer_" if invoice.income else "seller_"


def number(value: Any) -> Any:
    """A Decimal as the JSON number of its own digits, made here (an orjson Fragment) rather than by the
    encoder's callback; a non-finite one is left to that callback, which refuses it (dumps_numbers)."""
    if type(value) is Decimal and value.is_finite():
        return orjson.Fragment(plain_text(value))
    return value


def _same(value: Any) -> Any:
    return value


# The c1*/c2* party fields, compiled once: c1 reads the buyer or the seller columns in one C call.
_C1_KEYS = tuple(f"c1{k}" for k in PARTY_COLUMNS)
_C1_OF = {prefix: attrgetter(*(prefix + column for column in PARTY_COLUMNS.values()))
          for prefix in ("buyer_", "seller_")}
_C2_KEYS = tuple((f"c2{k}", k) for k in RECIPIENT)


def invoice_row(view: InvoiceView, *, json: bool = False) -> dict[str, Any]:
    """`json`: amounts as JSON numbers already (the answer's encoding); else Decimals, as updates compare them."""
    inv = view.invoice
    n = number if json else _same
    row: dict[str, Any] = {
        "id": inv.id, "type2": KIND_TYPE2.get(inv.kind, inv.kind), "buy": 0 if inv.income else 1,
        "lang": inv.lang.upper(), "kid": inv.from_invoice_id or 0 if inv.kind == "correction" else 0,
        "nrdoc": inv.number, "nrx": inv.seq or 0, "c1id": inv.client_id or 0,
    }
    row.update(zip(_C1_KEYS, _C1_OF[party_prefix(inv)](inv), strict=True))
    row["c2id"] = inv.recipient_id or 0
    recipient = inv.recipient or {}
    for key, name in _C2_KEYS:
        row[key] = str(recipient.get(name, ""))
    row.update({
        "mdate": day(inv.issue_date), "sdate": day(inv.sell_date), "tdate": day(inv.payment_to),
        "pdate": day(inv.paid_date), "place": inv.place, "currency": inv.currency,
        "currval": n(inv.exchange_rate) if inv.exchange_rate is not None else 1,
        "brutto": 1 if inv.prices_gross else 0, "vnetto": n(inv.price_net), "vbrutto": n(inv.price_gross),
        "paid": n(inv.paid), "status": STATUS_FROM_CORE.get(inv.status, 4), "notices": inv.description,
        "notices_priv": inv.internal_note, "bank_name": inv.seller_bank, "bank_account": inv.seller_bank_account,
    })
    extra = inv.extra
    if extra:
        row.update({name: extra[name] for name in INVOICE_EXTRA if name in extra})
    return row


def item_row(line: InvoiceLine, dicts: Dictionaries, kid: int | None = None, *, json: bool = False,
             tax_entries: dict[str, Any] | None = None) -> dict[str, Any]:
    """`tax_entries`: the rate entries already looked up for this invoice's lines, by code."""
    n = number if json else _same
    code = line.tax
    if tax_entries is None:
        tax_entry = dicts.tax_entry(code)
    elif code in tax_entries:
        tax_entry = tax_entries[code]
    else:
        tax_entry = tax_entries[code] = dicts.tax_entry(code)
    unit_entry = dicts.unit_entry(line.unit)
    row: dict[str, Any] = {
        "id": line.id, "did": line.invoice_id, "product": line.name, "pkwiu": line.additional_info,
        "discount": n(line.discount_percent or 0), "unitid": unit_entry.id if unit_entry else 0,
        "unitsm": line.unit, "count": n(line.quantity), "vatid": tax_entry.id if tax_entry else 0,
        "vatsm": _tax_symbol(code), "vatname": str(tax_entry.data.get("name", "")) if tax_entry else "",
        "pnetto": n(line.price_net), "pbrutto": n(line.price_gross), "vnetto": n(line.total_net),
        "vbrutto": n(line.total_gross),
    }
    if kid is not None:
        row["kid"] = kid
    extra = line.extra
    if extra:
        row.update({name: extra[name] for name in ITEM_EXTRA if name in extra and name not in row})
    return row


_tax_symbol = functools.lru_cache(maxsize=256)(tax_symbol)  # the same few codes on every line


def items_of(view: InvoiceView, dicts: Dictionaries, bef: bool | None = None, *,
             json: bool = False) -> list[dict[str, Any]]:
    """Items as INVO lists them. On corrections the corrected (before) and correcting (after) states
    are both items of the correcting invoice; an after item's kid is its before item. bef=1 keeps
    the corrected ones, bef=0 the correcting ones. The core's difference rows stay internal."""
    lines = view.lines
    entries: dict[str, Any] = {}
    if view.invoice.kind != "correction":
        return [item_row(line, dicts, json=json, tax_entries=entries) for line in lines
                if line.kind in ("normal", "text", "correction")]
    before_of = {line.parent_id: line.id for line in lines if line.kind == "correction_before"}
    parents = {line.parent_id for line in lines if line.parent_id is not None}
    rows: list[dict[str, Any]] = []
    for line in lines:
        if line.kind == "correction_before" and bef is not False:
            rows.append(item_row(line, dicts, json=json, tax_entries=entries))
        elif line.kind == "correction_after" and bef is not True:
            rows.append(item_row(line, dicts, kid=before_of.get(line.parent_id, 0), json=json,
                                 tax_entries=entries))
        elif line.kind in ("normal", "text", "correction") and line.id not in parents and bef is not True:
            rows.append(item_row(line, dicts, kid=0, json=json, tax_entries=entries))
    return rows
