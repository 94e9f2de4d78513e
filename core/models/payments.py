"""Payments and how each is allocated across the invoices it settles."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Field, SQLModel

from core.models.base import account_fk, created_at, json_field, money, updated_at


class Payment(SQLModel, table=True):
    __tablename__ = "payments"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    name: str = ""
    amount: Decimal = money()
    currency: str = ""
    paid: bool = True
    paid_date: date | None = None
    kind: str = "api"
    description: str = ""
    client_id: int | None = None
    email: str = ""
    oid: str = ""
    origin: str = ""
    extra: dict[str, Any] = json_field()  # payer address, provider fields, generated-invoice fields
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class PaymentAllocation(SQLModel, table=True):
    __tablename__ = "payment_allocations"
    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payments.id", index=True)
    invoice_id: int = Field(foreign_key="invoices.id", index=True)
    account_id: int = account_fk()
    amount: Decimal = money()
    position: int = 0  # the order the invoices were settled in
