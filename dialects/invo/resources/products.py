"""r=products: goods and services, core products (field table: fields.PRODUCT).
"brutto" is the gross price, as in the seed's add example; the core derives net from gross and back."""
from __future__ import annotations

from typing import Any, Mapping

from core.models import Product
from dialects.invo import fields
from dialects.invo.fields import PRODUCT_SEARCH
from dialects.invo.lookups import Dictionaries
from dialects.invo.parse import as_id
from dialects.invo.resources.records import Kind, crud_actions, refused


def present(product: Product, dicts: Dictionaries) -> dict[str, Any]:
    tax = dicts.tax_entry(product.tax)
    unit = dicts.unit_entry(product.unit)
    ids = {"vatsm": ("vatid", tax.id if tax else 0), "unitsm": ("unitid", unit.id if unit else 0)}
    row: dict[str, Any] = {"id": product.id}
    for key, value in fields.PRODUCT.present(product).items():
        if key in ids:  # a dictionary entry's ID stands before its symbol
            row[ids[key][0]] = ids[key][1]
        row[key] = value
    return row


def fields_of(q: Mapping[str, Any], dicts: Dictionaries) -> dict[str, Any]:
    out = fields.PRODUCT.parse(q, refused)
    if "group" in q:  # a product group is a category (product_groups.py); the ledger checks it is the account's
        out["category_id"] = None if q["group"] in (0, "0", None, "") else as_id(q["group"], "group")
    if "vatid" in q and "vatsm" not in q:
        out["tax"] = str(dicts.get("taxrates", q["vatid"], "vatid").data.get("symbol", ""))
    if "unitid" in q and "unitsm" not in q:
        out["unit"] = str(dicts.get("units", q["unitid"], "unitid").data.get("symbol", ""))
    return out


KIND = Kind("product", Product, fields.PRODUCT, PRODUCT_SEARCH, present, fields_of)


ACTIONS = crud_actions(KIND)
