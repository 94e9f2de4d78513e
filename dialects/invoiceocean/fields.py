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
from core.models import Client, Department, Payment, PriceList, PriceListItem, Product, Recurring
from dialects.kit.fields import Field, FieldTable
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
                                     "recurring": Recurring, "payment": Payment}
TABLES: dict[str, FieldTable] = {entity: record_table(entity, model) for entity, model in MODELS.items()}
