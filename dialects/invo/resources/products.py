"""r=products: goods and services, core products (field table: mapping.PRODUCT_FIELDS).
"brutto" is the gross price, as in the seed's add example; the core derives net from gross and back."""
from __future__ import annotations

from typing import Any, Mapping

from core.models import Product
from dialects.invo.lookups import Dictionaries, tax_symbol
from dialects.invo.mapping import PRODUCT_FIELDS, PRODUCT_SEARCH, to_core
from dialects.invo.parse import as_id
from dialects.invo.resources.records import Kind, crud_actions


def present(product: Product, dicts: Dictionaries) -> dict[str, Any]:
    tax = dicts.tax_entry(product.tax)
    unit = dicts.unit_entry(product.unit)
    return {"id": product.id, "type": 1 if product.service else 0, "group": product.category_id or 0,
            "symbol": product.code, "name": product.name, "desc": product.description, "pkwiu": product.pkwiu,
            "sww": product.sww, "vatid": tax.id if tax else 0, "vatsm": tax_symbol(product.tax),
            "unitid": unit.id if unit else 0, "unitsm": product.unit, "pnetto": product.price_net,
            "pbrutto": product.price_gross, "currency": product.currency, "notices": product.notes,
            "website": product.website}


def fields_of(q: Mapping[str, Any], dicts: Dictionaries) -> dict[str, Any]:
    fields = to_core({k: v for k, v in q.items() if k != "group"}, PRODUCT_FIELDS)
    if "group" in q:  # a product group is a category (product_groups.py); the ledger checks it is the account's
        fields["category_id"] = None if q["group"] in (0, "0", None, "") else as_id(q["group"], "group")
    if "vatid" in q and "vatsm" not in q:
        fields["tax"] = str(dicts.get("taxrates", q["vatid"], "vatid").data.get("symbol", ""))
    if "unitid" in q and "unitsm" not in q:
        fields["unit"] = str(dicts.get("units", q["unitid"], "unitid").data.get("symbol", ""))
    return fields


KIND = Kind("product", Product, PRODUCT_FIELDS, PRODUCT_SEARCH, present, fields_of)


ACTIONS = crud_actions(KIND)
