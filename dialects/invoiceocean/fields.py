"""InvoiceOcean's wire fields for its simple records (clients, products, departments, price lists and their
positions, recurring definitions, payments): every core column under its own name but for RENAMES, read
leniently into the column's type, shown unless HIDDEN, writable unless the core protects it or the API does not
set it (NOT_SETTABLE). One FieldTable per resource (dialects.kit.fields), which parse.record_fields,
present.record, the OpenAPI record schemas and the error names read."""
from __future__ import annotations

from functools import partial
from typing import Any, Callable

from sqlmodel import SQLModel

from core.fields import PROTECTED, column_types
from core.models import (
    BankAccount,
    Category,
    Client,
    Department,
    Issuer,
    Payment,
    PriceList,
    PriceListItem,
    Product,
    Recurring,
    Warehouse,
    WarehouseAction,
    WarehouseDocument,
)
from dialects.invoiceocean.xml import dasherize
from dialects.kit.fields import KEPT, FidelityColumn, Field, FieldTable, Shown
from dialects.kit.lenient import coerce, to_tax
from dialects.kit.openapi import INPUT_TYPES, column_schema

# Core column -> InvoiceOcean key, where they differ.
RENAMES: dict[str, dict[str, str]] = {
    "client": {"payment_days": "payment_to_kind"},
    "product": {"unit": "quantity_unit"},
    "price_list_item": {"product_id": "priceable_id", "product_name": "priceable_name"},
    "payment": {"amount": "price"},
}
HIDDEN = frozenset({"account_id", "extra", "password_hash", "tax_no_normalized", "settings"})
# Columns the API does not set even though the core has them.
NOT_SETTABLE = frozenset({"settings", "number", "main", "active", "price_list_id_locked"})
PARSERS: dict[str, Callable[[Any], Any]] = {"tax": to_tax, "default_tax": to_tax}


def record_table(entity: str, model: type[SQLModel]) -> FieldTable:
    types = column_types(model)
    renames = RENAMES.get(entity, {})
    return FieldTable(entity, tuple(
        Field(renames.get(name, name), name, PARSERS.get(name) or partial(coerce, types[name][0]),
              writable=name not in PROTECTED and name not in NOT_SETTABLE and name != "extra",
              shown=name not in HIDDEN, schema=column_schema(model, name),
              input_schema=column_schema(model, name, INPUT_TYPES))
        for name in model.model_fields))


MODELS: dict[str, type[SQLModel]] = {"client": Client, "product": Product, "department": Department,
                                     "price_list": PriceList, "price_list_item": PriceListItem,
                                     "recurring": Recurring, "payment": Payment, "issuer": Issuer,
                                     "bank_account": BankAccount, "category": Category, "warehouse": Warehouse,
                                     "warehouse_document": WarehouseDocument, "warehouse_action": WarehouseAction}
TABLES: dict[str, FieldTable] = {entity: record_table(entity, model) for entity, model in MODELS.items()}


# --- invoices: status, and how InvoiceOcean shows an invoice (its column of gateway.fidelity's table) -------
STATUS: dict[str, str] = {"draft": "issued", "issued": "issued", "sent": "sent", "printed": "issued",
                          "partial": "partial", "paid": "paid", "rejected": "rejected", "cancelled": "cancelled"}
# What a client may ask for (change_status, PUT status): InvoiceOcean's names, which are core names too.
STATUS_INPUT = frozenset(STATUS.values())

# field -> its keys in JSON (the invoice's core columns under their own names) and in XML (Rails' dashed tags)
_KEYS: dict[str, tuple[str, ...]] = {
    "buyer": ("buyer_name", "buyer_street", "buyer_post_code", "buyer_city"),
    "seller": ("seller_name", "seller_tax_no"),
    "totals": ("price_net", "price_tax", "price_gross"), "recipient": ("recipient_id",),
    **{name: (name,) for name in ("number", "kind", "issue_date", "sell_date", "payment_to", "buyer_tax_no",
                                  "client_id", "paid", "paid_date", "status", "currency", "exchange_rate", "lang",
                                  "description", "internal_note", "place", "from_invoice_id", "payment_type",
                                  "cancel_reason")},
}


def _json(name: str) -> str:
    return ", ".join(_KEYS[name])


def _xml(name: str) -> str:
    keys = _KEYS[name]
    return f"invoice/{dasherize(keys[0])}" + (", ..." if len(keys) > 1 else "")


FIDELITY = FidelityColumn(
    shows={
        **{name: Shown(_json(name)) for name in _KEYS},
        "sell_date": Shown(_json("sell_date"), "exact", "`YYYY-MM` when given as a month"),
        "payment_to": Shown(_json("payment_to"), "exact", "plus `payment_to_kind` (days)"),
        "buyer": Shown(_json("buyer"), "exact", "all buyer_* fields, country, e-mail and phone too"),
        "lines": Shown("positions[]"),
        "discount": Shown("positions[].discount_percent", "exact",
                          "percent, or an amount (`discount`); `show_discount` on the document"),
        "per_rate": Shown("positions[].total_price_net by tax", "approximate",
                          "not a field: the net per rate is the sum of the positions' net totals"),
        "cash_rounding": Shown(None, "absent", "`price_gross` is before rounding; the rounding line is on the PDF"),
        "status": Shown(_json("status"), "approximate", "draft and printed read `issued`; cancelled adds "
                                                        "`\"cancelled\": true`",
                        lambda v: STATUS.get(v.invoice.status, v.invoice.status)),
        "exchange_rate": Shown(_json("exchange_rate"), "exact", "with `exchange_currency` and `exchange_kind`"),
        "prices_gross": Shown("calculating_strategy.invoice_form_price_kind"),
        "recipient": Shown(_json("recipient"), "approximate", "the id only; INVO's recipient snapshot is " + KEPT),
        "references": Shown("our_reference, your_reference", "approximate", "shown as extra keys, as given"),
        "correction_reason": Shown("correction_reason, positions[].correction_before_attributes"),
        "category_id": Shown("category_id"),
        "warehouse_id": Shown("warehouse_id, warehouse_document_id"),
    },
    panes={"invoiceocean_xml": {
        **{name: _xml(name) for name in _KEYS},
        "lines": "invoice/positions/position", "discount": "position/discount-percent", "per_rate": None,
        "cash_rounding": None, "prices_gross": "invoice/calculating-strategy/invoice-form-price-kind",
        "references": None, "correction_reason": "position/correction-before-attributes",
        "category_id": "invoice/category-id", "warehouse_id": "invoice/warehouse-id"}},
)
