"""Invoices: a header with buyer and seller snapshots, and its lines.

The snapshots are copies, not references: an issued invoice keeps the parties as they were.
`extra` keeps dialect fields the core has no column for, so nothing written is ever dropped.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.base import account_fk, created_at, json_field, money, optional_money, timestamp, updated_at


class Invoice(SQLModel, table=True):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("account_id", "series", "number", name="uq_invoice_number_in_series"),
        UniqueConstraint("account_id", "series", "period_key", "seq", name="uq_invoice_seq_in_period"),
        UniqueConstraint("token", name="uq_invoice_token"),
        # An account's pages in id order, and date ranges (id breaks ties) without sorting (migration 0002).
        Index("ix_invoices_account_id_id", "account_id", "id"),
        Index("ix_invoices_account_issue_date", "account_id", "issue_date", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    # Indexed by ix_invoices_account_id_id alone (migration 0020): on SQLite an index on account_id holds the
    # same entries in the same order, the id being the rowid.
    account_id: int = Field(foreign_key="accounts.id")
    kind: str = Field(default="vat", index=True)
    income: bool = True
    series: str = "vat"
    period_key: str = ""
    seq: int | None = None  # the counter within series+period (nrx, or a plain number)
    number: str = Field(default="", index=True)
    status: str = Field(default="issued", index=True)
    issue_date: date = Field(index=True)
    sell_date: date | None = None
    sell_date_month: bool = False  # sell_date was given as YYYY-MM
    payment_to: date | None = None
    payment_to_kind: str = ""  # a number of days, "other_date" or "off"
    paid_date: date | None = None
    payment_type: str = ""
    place: str = ""
    currency: str = "PLN"
    exchange_currency: str = ""
    exchange_kind: str = ""
    exchange_rate: Decimal | None = optional_money()
    exchange_currency_rate: Decimal | None = optional_money()  # the client's own rate (exchange_kind "own")
    lang: str = "pl"
    calc_position: str = "default"
    calc_sum: str = "sum"
    prices_gross: bool = False  # the unit price shown on the document is gross
    show_discount: bool = False
    discount_kind: str = "percent_unit"
    description: str = ""
    description_footer: str = ""
    description_long: str = ""
    additional_info: bool = False  # show the positions' additional column, headed additional_info_desc
    additional_info_desc: str = ""
    additional_invoice_field: str = ""
    use_moss: bool = False
    disable_tax_no_validation: bool = False
    delivery_date: date | None = None  # when a cost document was received
    # References checked within the account by core.references (no schema foreign key: 0008 made them plain).
    category_id: int | None = None
    warehouse_id: int | None = None  # the warehouse the invoice issues its goods from (core.stock)
    warehouse_document_id: int | None = None  # the warehouse document the invoice made or was linked to
    invoice_template_id: int | None = None
    internal_note: str = ""
    oid: str = Field(default="", index=True)
    client_id: int | None = Field(default=None, foreign_key="clients.id", index=True)
    recipient_id: int | None = Field(default=None, foreign_key="clients.id")
    department_id: int | None = Field(default=None, foreign_key="departments.id")
    from_invoice_id: int | None = Field(default=None, index=True)  # corrected invoice, or proforma source
    invoice_id: int | None = None  # connected document (the REST dialect's invoice_id)
    recurring_id: int | None = None
    correction_reason: str = ""
    seller_name: str = ""
    seller_tax_no: str = ""
    seller_street: str = ""
    seller_post_code: str = ""
    seller_city: str = ""
    seller_country: str = ""
    seller_email: str = ""
    seller_phone: str = ""
    seller_www: str = ""
    seller_fax: str = ""
    seller_person: str = ""
    seller_bank: str = ""
    seller_bank_account: str = ""
    buyer_name: str = Field(default="", index=True)
    buyer_first_name: str = ""
    buyer_last_name: str = ""
    buyer_company: bool = True
    buyer_tax_no: str = ""
    buyer_street: str = ""
    buyer_care_of: str = ""
    buyer_post_code: str = ""
    buyer_city: str = ""
    buyer_country: str = ""
    buyer_email: str = ""
    buyer_phone: str = ""
    buyer_note: str = ""
    recipient: dict[str, Any] = json_field()  # the recipient (c2*) snapshot a dialect may send
    price_net: Decimal = money()
    price_tax: Decimal = money()
    price_gross: Decimal = money()
    cash_rounding: Decimal = money()
    paid: Decimal = money()
    token: str = ""
    origin: str = ""  # the dialect that created it
    sent_at: datetime | None = timestamp()
    cancel_reason: str = ""
    extra: dict[str, Any] = json_field()
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()

    @property
    def payable(self) -> Decimal:
        return self.price_gross + self.cash_rounding


class InvoiceLine(SQLModel, table=True):
    """A position. Correction invoices hold difference lines (kind "correction") whose
    before/after states are their own rows (kinds correction_before / correction_after)
    pointing back through parent_id; only normal and correction lines count in totals."""

    __tablename__ = "invoice_lines"
    __table_args__ = (Index("ix_invoice_lines_product_id", "product_id"),  # include_product reads (0002)
                      # lines in document order, unsorted (core.invoice_reads; 0017): also every lookup by invoice
                      Index("ix_invoice_lines_order", "invoice_id", "position", "id"))
    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoices.id")
    account_id: int = account_fk()
    position: int = 0
    kind: str = "normal"  # normal | text | correction | correction_before | correction_after
    parent_id: int | None = None
    corrected_line_id: int | None = None
    product_id: int | None = None
    name: str = ""
    code: str = ""
    description: str = ""
    additional_info: str = ""  # PKWiU / the additional column
    quantity: Decimal = money(Decimal("1"))
    unit: str = ""
    price_net: Decimal = money()
    price_gross: Decimal = money()
    price_tax: Decimal = money()
    tax: str = "23"
    discount_percent: Decimal | None = optional_money()
    discount: Decimal = money()
    total_net: Decimal = money()
    total_tax: Decimal = money()
    total_gross: Decimal = money()
    priced_gross: bool = False
    tax_deductible: bool = False
    extra: dict[str, Any] = json_field()


class NumberCounter(SQLModel, table=True):
    """The last number taken in a series and period. Its row lock serialises writers."""

    __tablename__ = "number_counters"
    account_id: int = Field(foreign_key="accounts.id", primary_key=True)
    series: str = Field(primary_key=True)
    period_key: str = Field(primary_key=True)
    last_seq: int = 0
