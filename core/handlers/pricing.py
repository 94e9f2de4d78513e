"""Price lists applied to invoice lines: a listed product is priced from the list."""
from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, select

from core.errors import Invalid
from core.models import PriceList, PriceListItem, Product

CENT = Decimal("0.01")


def apply_price_list(session: Session, account_id: int, price_list_id: int,
                     products: dict[int, Product]) -> dict[int, Product]:
    """Copies of the products whose prices the list overrides (the catalogue stays as it is)."""
    price_list = session.get(PriceList, price_list_id)
    if price_list is None or price_list.account_id != account_id:
        raise Invalid.one("price_list_id", "not_found", "no such price list", value=price_list_id)
    items = session.execute(select(PriceListItem).where(PriceListItem.price_list_id == price_list_id)).scalars()
    priced = dict(products)
    for item in items:
        product = products.get(item.product_id or 0)
        if product is None:
            continue
        copy = Product.model_validate(product.model_dump())
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
