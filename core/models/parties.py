"""Departments (the seller companies of an account) and clients (buyers, and sellers of cost invoices)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Field, SQLModel

from core.models.base import account_fk, created_at, json_field, optional_money, updated_at


class Department(SQLModel, table=True):
    __tablename__ = "departments"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    name: str = ""
    shortcut: str = ""
    main: bool = False
    tax_no: str = ""
    street: str = ""
    post_code: str = ""
    city: str = ""
    country: str = ""
    email: str = ""
    phone: str = ""
    www: str = ""
    fax: str = ""
    person: str = ""
    bank: str = ""
    bank_account: str = ""
    bank_swift: str = ""
    invoice_lang: str = ""
    invoice_description: str = ""
    extra: dict[str, Any] = json_field()
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class Client(SQLModel, table=True):
    __tablename__ = "clients"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    number: int | None = Field(default=None, index=True)  # a per-account client number (one dialect shows it)
    name: str = Field(default="", index=True)
    shortcut: str = ""
    company: bool = True  # False: a private person (client_type individual)
    first_name: str = ""
    last_name: str = ""
    tax_no: str = Field(default="", index=True)
    tax_no_normalized: str = Field(default="", index=True)  # digits/letters only, no country prefix
    vat_eu: str = ""  # tueid, vat_number
    register_number: str = ""  # traid
    krs: str = ""
    gln: str = ""
    email: str = Field(default="", index=True)
    phone: str = ""
    mobile_phone: str = ""
    home_phone: str = ""
    fax: str = ""
    www: str = ""
    street: str = ""
    street_no: str = ""
    care_of: str = ""
    post_code: str = ""
    city: str = ""
    region: str = ""
    country: str = ""
    person: str = ""
    bank: str = ""
    bank_account: str = ""
    bank_swift: str = ""
    note: str = ""
    external_id: str = Field(default="", index=True)
    group_id: int | None = None
    is_buyer: bool = True   # c1
    is_seller: bool = False  # c2
    discount: Decimal | None = optional_money()
    default_tax: str = ""
    default_payment_type: str = ""
    payment_days: int | None = None
    price_list_id: int | None = None
    password_hash: str = ""  # only for the REST dialect's legacy clients/check call
    settings: dict[str, Any] = json_field()  # a dialect's client settings (currency, locale, template, ...)
    extra: dict[str, Any] = json_field()
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()
