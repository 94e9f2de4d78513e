"""Recurring definitions and the ledger of periods already issued (the exactly-once key)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import UniqueConstraint, false
from sqlmodel import Field, SQLModel

from core.models.base import account_fk, created_at, json_field, updated_at


class Recurring(SQLModel, table=True):
    __tablename__ = "recurrings"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    name: str = ""
    invoice_id: int = Field(foreign_key="invoices.id")
    start_date: date
    every: str = "1m"
    issue_working_day_only: bool = False
    # Every period falls on the last day of its month, whatever the anchor's day; months and years only.
    month_end: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    send_email: bool = False
    buyer_email: str = ""
    end_date: date | None = None
    next_invoice_date: date | None = None
    active: bool = True
    extra: dict[str, Any] = json_field()
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class RecurringRun(SQLModel, table=True):
    __tablename__ = "recurring_runs"
    __table_args__ = (UniqueConstraint("recurring_id", "period_date", name="uq_recurring_period"),)
    id: int | None = Field(default=None, primary_key=True)
    recurring_id: int = Field(foreign_key="recurrings.id", index=True)
    account_id: int = account_fk()
    period_date: date
    invoice_id: int | None = None
    created_at: datetime = created_at()
