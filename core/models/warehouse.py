"""Categories, warehouses, warehouse documents (PZ receipt, WZ issue, MM transfer) and the stock they move.

`Stock` holds the one stored quantity of a product in a warehouse. Only core.stock changes it, in the same
transaction as the document whose actions move it; nothing else keeps a copy (products, listings and the
dialects read it from here).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.base import account_fk, created_at, json_field, money, optional_money, updated_at

DOCUMENT_KINDS = ("pz", "wz", "mm")


class Category(SQLModel, table=True):
    """Categories of invoices and products; the form dialect's product groups are the same records."""

    __tablename__ = "categories"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    name: str = ""
    description: str | None = None
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class Warehouse(SQLModel, table=True):
    __tablename__ = "warehouses"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    name: str = ""
    kind: str | None = None
    description: str | None = None
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class WarehouseDocument(SQLModel, table=True):
    __tablename__ = "warehouse_documents"
    __table_args__ = (Index("ix_warehouse_documents_account_id_id", "account_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    kind: str = "pz"  # pz | wz | mm
    number: str = ""
    warehouse_id: int = Field(foreign_key="warehouses.id", index=True)
    issue_date: date
    department_id: int | None = Field(default=None, foreign_key="departments.id")
    department_name: str = ""
    client_id: int | None = Field(default=None, foreign_key="clients.id")
    client_name: str = ""
    description: str = ""
    # The invoice that made this document (core.handlers.warehouse.sync_invoice); set by the ledger only.
    invoice_id: int | None = Field(default=None, index=True)
    extra: dict[str, Any] = json_field()
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class WarehouseAction(SQLModel, table=True):
    """One position of a warehouse document: `quantity` of a product into (pz), out of (wz) or from the
    document's warehouse to `warehouse2_id` (mm)."""

    __tablename__ = "warehouse_actions"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    warehouse_document_id: int = Field(foreign_key="warehouse_documents.id", index=True)
    position: int = 0
    kind: str = "pz"
    product_id: int = Field(foreign_key="products.id", index=True)
    product_name: str = ""
    warehouse_id: int = Field(foreign_key="warehouses.id", index=True)
    warehouse2_id: int | None = Field(default=None, foreign_key="warehouses.id")
    quantity: Decimal = money(Decimal("1"))
    price_net: Decimal | None = optional_money()
    tax: str | None = None
    purchase_price_net: Decimal | None = optional_money()
    purchase_tax: str | None = None
    created_at: datetime = created_at()


class Stock(SQLModel, table=True):
    __tablename__ = "stock"
    __table_args__ = (UniqueConstraint("product_id", "warehouse_id", name="uq_stock_product_warehouse"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    product_id: int = Field(foreign_key="products.id")
    warehouse_id: int = Field(foreign_key="warehouses.id", index=True)
    quantity: Decimal = money()
