"""Products and price lists."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Field, SQLModel

from core.models.base import account_fk, created_at, json_field, money, optional_money, updated_at


class Product(SQLModel, table=True):
    __tablename__ = "products"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    name: str = Field(default="", index=True)
    code: str = Field(default="", index=True)
    ean_code: str = ""
    description: str = ""
    pkwiu: str = ""
    sww: str = ""
    service: bool = False  # the form API's type: 0 good, 1 service
    category_id: int | None = None  # a Category (core.references); the form API shows it as the product's group
    unit: str = ""
    price_net: Decimal = money()
    price_gross: Decimal = money()
    tax: str = "23"  # canonical tax code, see core.money.parse_tax
    currency: str = ""
    notes: str = ""
    website: str = ""
    stock_level: Decimal | None = optional_money()
    extra: dict[str, Any] = json_field()
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class PriceList(SQLModel, table=True):
    __tablename__ = "price_lists"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    name: str = ""
    description: str = ""
    currency: str = ""
    extra: dict[str, Any] = json_field()
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class PriceListItem(SQLModel, table=True):
    __tablename__ = "price_list_items"
    id: int | None = Field(default=None, primary_key=True)
    price_list_id: int = Field(foreign_key="price_lists.id", index=True)
    account_id: int = account_fk()
    product_id: int | None = Field(default=None, foreign_key="products.id")
    product_name: str = ""
    use_percentage: bool = False
    percentage: Decimal | None = optional_money()
    price_net: Decimal = money()
    price_gross: Decimal = money()
    use_tax: bool = True
    tax: str = "23"
