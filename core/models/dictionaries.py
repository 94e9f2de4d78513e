"""Reference dictionaries an account owns: tax rates, units, payment types, bank accounts,
employees, client and product groups; and exchange rates."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Field, SQLModel

from core.models.base import account_fk, json_field, money

# The dictionary kinds and the keys each entry carries in `data`; one table drives all of them.
DICTIONARY_KINDS: dict[str, tuple[str, ...]] = {
    "taxrates": ("name", "symbol", "rate"),
    "accounts": ("bank_name", "number", "swift"),
    "employees": ("first_name", "last_name"),
    "groupcu": ("name", "description"),
    "groupgs": ("name", "description"),
    "paytypes": ("name", "days", "cash_percent", "transfer", "card"),
    "units": ("name", "symbol", "precision"),
}


class DictionaryEntry(SQLModel, table=True):
    __tablename__ = "dictionary_entries"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    kind: str = Field(index=True)
    position: int = 0
    data: dict[str, Any] = json_field()


class ExchangeRate(SQLModel, table=True):
    __tablename__ = "exchange_rates"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    day: date = Field(index=True)
    currency: str
    rate: Decimal = money()
    table_no: str = ""
