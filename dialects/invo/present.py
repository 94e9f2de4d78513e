"""Core invoices and lines as INVO rows (the seed's field names)."""
from __future__ import annotations

from datetime import date
from typing import Any

from core.handlers.invoice_state import InvoiceView
from core.models import Invoice, InvoiceLine
from dialects.invo.fields import INVOICE_EXTRA, ITEM_EXTRA, KIND_TYPE2, RECIPIENT, STATUS_FROM_CORE
from dialects.invo.lookups import Dictionaries, tax_symbol

# c1 is the buyer on sales documents and the supplier on cost documents: INVO name -> party column.
PARTY_COLUMNS: dict[str, str] = {"name": "name", "street": "street", "code": "post_code", "city": "city",
                                 "taxid": "tax_no"}


def day(value: date | None) -> str:
    return value.isoformat() if value else ""


def party_prefix(invoice: Invoice) -> str:
    return "buyer_" if invoice.income else "seller_"


def invoice_row(view: InvoiceView) -> dict[str, Any]:
    inv = view.invoice
    prefix = party_prefix(inv)
    row: dict[str, Any] = {
        "id": inv.id, "type2": KIND_TYPE2.get(inv.kind, inv.kind), "buy": 0 if inv.income else 1,
        "lang": inv.lang.upper(), "kid": inv.from_invoice_id or 0 if inv.kind == "correction" else 0,
        "nrdoc": inv.number, "nrx": inv.seq or 0, "c1id": inv.client_id or 0,
        **{f"c1{k}": getattr(inv, prefix + column) for k, column in PARTY_COLUMNS.items()},
        "c2id": inv.recipient_id or 0, **{f"c2{k}": str((inv.recipient or {}).get(k, "")) for k in RECIPIENT},
        "mdate": day(inv.issue_date), "sdate": day(inv.sell_date), "tdate": day(inv.payment_to),
        "pdate": day(inv.paid_date), "place": inv.place, "currency": inv.currency,
        "currval": inv.exchange_rate if inv.exchange_rate is not None else 1,
        "brutto": 1 if inv.prices_gross else 0, "vnetto": inv.price_net, "vbrutto": inv.price_gross,
        "paid": inv.paid, "status": STATUS_FROM_CORE.get(inv.status, 4), "notices": inv.description,
        "notices_priv": inv.internal_note, "bank_name": inv.seller_bank, "bank_account": inv.seller_bank_account,
    }
    extra = inv.extra or {}
    row.update({name: extra[name] for name in INVOICE_EXTRA if name in extra})
    return row


def item_row(line: InvoiceLine, dicts: Dictionaries, kid: int | None = None) -> dict[str, Any]:
    tax_entry = dicts.tax_entry(line.tax)
    unit_entry = dicts.unit_entry(line.unit)
    row: dict[str, Any] = {
        "id": line.id, "did": line.invoice_id, "product": line.name, "pkwiu": line.additional_info,
        "discount": line.discount_percent or 0, "unitid": unit_entry.id if unit_entry else 0, "unitsm": line.unit,
        "count": line.quantity, "vatid": tax_entry.id if tax_entry else 0, "vatsm": tax_symbol(line.tax),
        "vatname": str(tax_entry.data.get("name", "")) if tax_entry else "",
        "pnetto": line.price_net, "pbrutto": line.price_gross, "vnetto": line.total_net, "vbrutto": line.total_gross,
    }
    if kid is not None:
        row["kid"] = kid
    extra = line.extra or {}
    row.update({name: extra[name] for name in ITEM_EXTRA if name in extra and name not in row})
    return row


def items_of(view: InvoiceView, dicts: Dictionaries, bef: bool | None = None) -> list[dict[str, Any]]:
    """Items as INVO lists them. On corrections the corrected (before) and correcting (after) states
    are both items of the correcting invoice; an after item's kid is its before item. bef=1 keeps
    the corrected ones, bef=0 the correcting ones. The core's difference rows stay internal."""
    lines = view.lines
    if view.invoice.kind != "correction":
        return [item_row(line, dicts) for line in lines if line.kind in ("normal", "text", "correction")]
    before_of = {line.parent_id: line.id for line in lines if line.kind == "correction_before"}
    parents = {line.parent_id for line in lines if line.parent_id is not None}
    rows: list[dict[str, Any]] = []
    for line in lines:
        if line.kind == "correction_before" and bef is not False:
            rows.append(item_row(line, dicts))
        elif line.kind == "correction_after" and bef is not True:
            rows.append(item_row(line, dicts, kid=before_of.get(line.parent_id, 0)))
        elif line.kind in ("normal", "text", "correction") and line.id not in parents and bef is not True:
            rows.append(item_row(line, dicts, kid=0))
    return rows
