"""Issuers (the parties an invoice can name as its issuer) and the account's bank accounts: which departments
show them on invoices, and the accounts each invoice carries."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Field, SQLModel

from core.models.base import account_fk, created_at, json_field, optional_money, updated_at

# own_bank_account_type: the three kinds of a bank's (or SKOK's) own account, API_RACHUNKI_BANKOWE.md section 9.
OWN_BANK_ACCOUNT_TYPES = ("debt_assignment", "debt_collection", "bank_own_business")


class Issuer(SQLModel, table=True):
    """A party that issues invoices for the account (KSeF: "Wystawca faktury", "Faktor", ...)."""

    __tablename__ = "issuers"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    tax_no: str = ""
    company: bool = True
    country: str = ""
    city: str = ""
    post_code: str = ""
    street: str = ""
    phone: str = ""
    email: str = ""
    note: str = ""
    role: str = ""
    participation: Decimal | None = optional_money()
    role_description: str = ""
    extra: dict[str, Any] = json_field()
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class BankAccountValues(SQLModel):
    """What a bank account says, and so what an invoice copies of it (API_RACHUNKI_BANKOWE.md's field table)."""

    name: str | None = None  # an internal note, never printed
    bank_name: str | None = None
    bank_account_number: str = ""  # as given
    bank_currency: str = ""
    bank_swift: str | None = None
    account_description: str | None = None  # printed on the invoice
    own_bank_account: bool = False
    own_bank_account_type: str | None = None
    factor_bank_account: bool = False


class BankAccount(BankAccountValues, table=True):
    __tablename__ = "bank_accounts"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    # Spaces and dashes dropped, upper case, PL in front of a bare 26-digit NRB: what deduplication compares.
    number_normalized: str = Field(default="", index=True)
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class BankAccountDepartment(SQLModel, table=True):
    """A bank account used by a department: shown on its invoices by default, and/or its main account."""

    __tablename__ = "bank_account_departments"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    bank_account_id: int = Field(foreign_key="bank_accounts.id", index=True)
    department_id: int = Field(foreign_key="departments.id", index=True)
    show_on_invoice: bool = False
    main_on_department: bool = False


class InvoiceBankAccount(BankAccountValues, table=True):
    """A bank account as an invoice carries it: the account's values when it was attached, so that editing or
    deleting the account later does not rewrite an issued document (the real service keeps account versions)."""

    __tablename__ = "invoice_bank_accounts"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    invoice_id: int = Field(foreign_key="invoices.id", index=True)
    bank_account_id: int | None = None  # the account it came from; kept after that account is deleted
    position: int = 0


# The values an invoice copies from a bank account (and shows under the same names).
SNAPSHOT_FIELDS = tuple(BankAccountValues.model_fields)
