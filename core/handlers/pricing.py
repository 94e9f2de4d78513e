"""Price lists applied to invoice lines: a listed product is priced from the list."""
from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session

from core.errors import Invalid
from core.models import PriceList, PriceListItem, Product
from core.reader import Reader, new_record

CENT = Decimal("0.01")


def apply_price_list(session: Session, account_id: int, price_list_id: int,
                     products: dict[int, Product]) -> dict[int, Product]:
    """Copies of the products whose prices the list overrides (the catalogue stays as it is). The products
    are plain records (core.reader), and so are the list and its items: a create reads them, writes none."""
    rows = Reader(session.connection())
    price_list = rows.record(PriceList, "price_lists.id = ? AND price_lists.account_id = ?",
                             (price_list_id, account_id))
    if price_list is None:
        raise Invalid.one("price_list_id", "not_found", "no such price list", value=price_list_id)
    items = rows.records(PriceListItem, "price_list_items.price_list_id = ?", (price_list_id,),
                         "price_list_items.id")
    priced = dict(products)
    for item in items:
        product = products.get(item.product_id or 0)
        if product is None:
            continue
        copy = new_record(Product, **product.__dict__)
        if item.use_percentage and item.percentage is not None:
            factor = 1 + item.percentage / 100
            copy.price_net = (product.price_net * factor).quantize(CENT)
            copy.price_gross = (product.price_gross * factor).quantize(CENT)
        else:
            copy.price_net, copy.price_gross = item.price_net, item.price_gross
        if item.use_tax:
            copy.tax = item.tax
        priced[product.id or 0] = copy
    return priced
