"""Commands: one frozen dataclass per intent. Dialects build them from parsed input.

Header and record fields use the core's column names (see core.models) and clean Python
types (Decimal, date, bool, int, str); only the fields a request gave are present, which is
what lets an update change exactly those.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Mapping

Fields = Mapping[str, Any]


@dataclass(frozen=True)
class LineSpec:
    """One position as a request gave it. None means "not given"."""

    id: int | None = None
    destroy: bool = False
    kind: str | None = None  # normal | text | correction
    product_id: int | None = None
    name: str | None = None
    code: str | None = None
    description: str | None = None
    additional_info: str | None = None
    unit: str | None = None
    quantity: Decimal | None = None
    tax: str | int | Decimal | None = None  # a rate or a symbol, parsed by core.money.parse_tax
    price_net: Decimal | None = None
    price_gross: Decimal | None = None
    total_net: Decimal | None = None
    total_gross: Decimal | None = None
    discount_percent: Decimal | None = None
    discount_amount: Decimal | None = None
    tax_deductible: bool | None = None
    position: int | None = None
    corrected_line_id: int | None = None
    before: "LineSpec | None" = None  # corrections: the state before
    after: "LineSpec | None" = None   # corrections: the state after
    extra: Fields = field(default_factory=dict)


@dataclass(frozen=True)
class CreateInvoice:
    account_id: int
    origin: str
    fields: Fields = field(default_factory=dict)
    lines: tuple[LineSpec, ...] = ()
    new_client: Fields | None = None  # create this client and bill it (client_id -1, or a nested client)
    match_client: bool = True  # without client_id: find the client by buyer name/tax no, else create one
    copy_from: int | None = None
    oid_unique: bool = False
    price_list_id: int | None = None
    use_price_lists: bool = False
    seq: int | None = None  # an explicit counter (the form API's nrx)
    # Recurring columns: the invoice becomes the template of a recurring definition (core.handlers.schedules)
    recurring: Fields | None = None
    bank_accounts: tuple[Fields, ...] | None = None  # None: the department's accounts (core.handlers.banking)


@dataclass(frozen=True)
class UpdateInvoice:
    account_id: int
    invoice_id: int
    fields: Fields = field(default_factory=dict)
    lines: tuple[LineSpec, ...] | None = None
    replace_lines: bool = False  # True: the given lines are the whole new set
    seq: int | None = None
    recurring: Fields | None = None  # start, change or (active False) stop the invoice's recurring definition
    bank_accounts: tuple[Fields, ...] | None = None  # None: keep the invoice's; given: replace them


@dataclass(frozen=True)
class ChangeInvoiceStatus:
    account_id: int
    invoice_id: int
    status: str


@dataclass(frozen=True)
class CancelInvoice:
    account_id: int
    invoice_id: int
    reason: str = ""


@dataclass(frozen=True)
class DeleteInvoice:
    account_id: int
    invoice_id: int


@dataclass(frozen=True)
class SendInvoice:
    account_id: int
    invoice_id: int
    origin: str
    channel: str = "email"  # email | letter
    recipients: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    print_option: str = "original"
    force: bool = False
    as_reminder: bool = False
    use_buyer_email: bool = True  # without recipients, send to the buyer's address
    public_base_url: str = ""  # "https://host" the mail's links start with; empty: the gateway's setting
    max_recipients: int = 10  # To + Cc together (the gateway's GATEWAY_MAX_RECIPIENTS)
    e_invoice: bool = False  # also attach the Peppol UBL, validated and kept as the invoice's attachment


@dataclass(frozen=True)
class RecordPayment:
    account_id: int
    origin: str
    amount: Decimal | None = None  # None: the unpaid remainder of the invoices
    invoice_ids: tuple[int, ...] = ()
    paid_date: date | None = None
    fields: Fields = field(default_factory=dict)
    generate_invoice: bool = False


@dataclass(frozen=True)
class UpdatePayment:
    account_id: int
    payment_id: int
    fields: Fields = field(default_factory=dict)
    amount: Decimal | None = None
    paid_date: date | None = None
    invoice_ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class DeletePayment:
    account_id: int
    payment_id: int


@dataclass(frozen=True)
class CreateRecord:
    """Create a client, product, department, price list, recurring definition or dictionary entry."""

    entity: str
    account_id: int
    fields: Fields = field(default_factory=dict)
    children: tuple[Fields, ...] | None = None  # price list items


@dataclass(frozen=True)
class UpdateRecord:
    entity: str
    account_id: int
    record_id: int
    fields: Fields = field(default_factory=dict)
    children: tuple[Fields, ...] | None = None


@dataclass(frozen=True)
class DeleteRecord:
    entity: str
    account_id: int
    record_id: int


@dataclass(frozen=True)
class StoreAttachment:
    account_id: int
    data: bytes
    name: str = ""
    file_type: str = ""
    invoice_id: int | None = None
    attached_on: date | None = None


@dataclass(frozen=True)
class CreateWebhook:
    account_id: int
    fields: Fields = field(default_factory=dict)  # kind, url, api_token, active


@dataclass(frozen=True)
class UpdateWebhook:
    account_id: int
    webhook_id: int
    fields: Fields = field(default_factory=dict)


@dataclass(frozen=True)
class DeleteWebhook:
    account_id: int
    webhook_id: int


@dataclass(frozen=True)
class StockActionSpec:
    """One position of a warehouse document as a request gave it. None means "not given"."""

    product_id: int | None = None
    product_name: str | None = None
    quantity: Decimal | None = None
    price_net: Decimal | None = None
    tax: str | None = None
    purchase_price_net: Decimal | None = None
    purchase_tax: str | None = None
    warehouse2_id: int | None = None  # mm: the warehouse the goods move to


@dataclass(frozen=True)
class CreateWarehouseDocument:
    account_id: int
    fields: Fields = field(default_factory=dict)
    actions: tuple[StockActionSpec, ...] = ()
    invoice_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class UpdateWarehouseDocument:
    account_id: int
    document_id: int
    fields: Fields = field(default_factory=dict)
    actions: tuple[StockActionSpec, ...] | None = None  # given: the whole new set (stock moves by the difference)
    invoice_ids: tuple[int, ...] | None = None  # given: the invoices linked to the document


@dataclass(frozen=True)
class DeleteWarehouseDocument:
    account_id: int
    document_id: int
