"""Domain -> InvoiceOcean objects with the real field names (public-api-notes 1.6, 1.10-1.12).

Values stay typed (Decimal, date, datetime, int, bool) so the JSON renderer can print money and
quantities as strings and the XML renderer can add type="decimal"/"date"; the presenters decide
only names, shapes and precision.

Status, core -> InvoiceOcean (the one table):
| core      | InvoiceOcean                      |
|-----------|-----------------------------------|
| draft     | issued (InvoiceOcean has no draft)|
| issued    | issued                            |
| sent      | sent                              |
| printed   | issued                            |
| partial   | partial                           |
| paid      | paid                              |
| rejected  | rejected                          |
| cancelled | cancelled, and "cancelled": true  |
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from operator import attrgetter
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlmodel import SQLModel

from core.fields import column_types
from core.handlers.invoice_state import InvoiceView
from core.handlers.payments import PaymentView
from core.models import (
    BankAccount,
    Category,
    Client,
    Department,
    Invoice,
    InvoiceBankAccount,
    InvoiceLine,
    Issuer,
    Payment,
    PriceList,
    PriceListItem,
    Product,
    Recurring,
    Warehouse,
    WarehouseAction,
    WarehouseDocument,
)
from core.models.banking import SNAPSHOT_FIELDS
from core.money import plain_text
from dialects.invoiceocean import fields
from dialects.invoiceocean.fields import STATUS

# Invoice columns shown under their own name.
INVOICE_SAME = (
    "number", "kind", "income", "issue_date", "place", "payment_to", "paid_date", "payment_type", "currency",
    "exchange_currency", "exchange_kind", "exchange_rate", "exchange_currency_rate", "lang", "show_discount",
    "discount_kind", "description", "description_footer", "description_long", "additional_info",
    "additional_info_desc", "additional_invoice_field", "use_moss", "disable_tax_no_validation", "delivery_date",
    "category_id", "warehouse_id", "warehouse_document_id", "invoice_template_id",
    "internal_note", "oid", "client_id", "recipient_id", "department_id", "from_invoice_id", "invoice_id",
    "recurring_id", "correction_reason", "cancel_reason", "token",
    "seller_name", "seller_tax_no", "seller_street", "seller_post_code", "seller_city", "seller_country",
    "seller_email", "seller_phone", "seller_www", "seller_fax", "seller_person", "seller_bank", "seller_bank_account",
    "buyer_name", "buyer_first_name", "buyer_last_name", "buyer_company", "buyer_tax_no", "buyer_street",
    "buyer_post_code", "buyer_city", "buyer_country", "buyer_email", "buyer_phone", "buyer_note",
)
# A position's keys and the InvoiceLine columns they show (position() below, the OpenAPI schema, XML types).
POSITION_COLUMNS: dict[str, str] = {
    "id": "id", "invoice_id": "invoice_id", "product_id": "product_id", "name": "name", "code": "code",
    "description": "description", "additional_info": "additional_info", "quantity": "quantity",
    "quantity_unit": "unit", "tax": "tax", "price_net": "price_net", "price_gross": "price_gross",
    "price_tax": "price_tax", "total_price_net": "total_net", "total_price_tax": "total_tax",
    "total_price_gross": "total_gross", "discount": "discount", "discount_percent": "discount_percent",
    "kind": "kind",
}
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Audience:
    """What presentation depends on besides the record: the account's timezone and the public base URL."""

    timezone: str
    base_url: str

    @functools.cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone or "UTC")


def _decimals(value: Decimal) -> int:
    """Digits after the point, from the text (as_tuple() built a tuple of every digit: a get paid it
    ~40 times); scientific forms ("1E+2") are left to as_tuple."""
    text = str(value)
    if "E" in text:
        return -value.as_tuple().exponent  # type: ignore[operator]
    dot = text.find(".")
    return 0 if dot < 0 else len(text) - dot - 1


def money(value: Decimal | None) -> Decimal | None:
    """At least two decimals, as InvoiceOcean prints amounts; more are kept."""
    if value is None:
        return None
    text = str(value)  # _decimals inlined: a get shows some 40 amounts
    if "E" in text:
        return value.quantize(CENT) if _decimals(value) < 2 else value
    dot = text.find(".")
    return value if dot >= 0 and len(text) - dot > 2 else value.quantize(CENT)


def quantity(value: Decimal) -> Decimal:
    return value.quantize(TENTH) if _decimals(value) < 1 else value


# JSON answers carry money as text. These write the text of money()/quantity() straight from str(value), which
# is format(value, "f") whenever it has no exponent: a third of the cost of money() and then the encoder's
# callback per Decimal (a get has ~50 of them). Exponent forms and non-finite values take the general way.

def money_text(value: Decimal | None) -> str | None:
    """format(money(value), "f")."""
    if value is None:
        return None
    text = plain_text(value)
    dot = text.find(".")
    if dot < 0:
        return text + ".00" if text[-1].isdigit() else text
    return text + "0" if len(text) - dot == 2 else text


def quantity_text(value: Decimal) -> str:
    """format(quantity(value), "f")."""
    text = plain_text(value)
    return text if "." in text or not text[-1].isdigit() else text + ".0"


def decimal_text(value: Decimal | None) -> str | None:
    """A Decimal that is not money (a rate, a percentage) as JSON writes it."""
    return None if value is None else plain_text(value)


def day_text(value: date | None) -> Any:
    """A date as JSON writes it; anything else (None, a datetime) is left to the encoder."""
    return value.isoformat() if type(value) is date else value


def stamp(value: datetime | None, audience: Audience) -> datetime | None:
    return value.astimezone(audience.zone) if value is not None else None


def stamp_text(value: datetime) -> str:
    """A timestamp in JSON: InvoiceOcean prints milliseconds, 2018-01-04T19:59:15.000+01:00."""
    text = value.isoformat(timespec="milliseconds")
    return text[:-6] + "Z" if value.utcoffset() is None else text


def _json_stamp(value: datetime | None, audience: Audience) -> str | None:
    """stamp_text(stamp(value)): a time put in a ZoneInfo always has an offset, so it never reads "Z"."""
    return None if value is None else value.astimezone(audience.zone).isoformat(timespec="milliseconds")


_MILLISECOND = timedelta(milliseconds=1)


def _json_stamp_pair(first: datetime | None, second: datetime | None, audience: Audience
                     ) -> tuple[str | None, str | None]:
    """_json_stamp of both. An invoice never changed since it was made has its two timestamps microseconds
    apart, in one millisecond: one text then serves both (the shift into a zone is whole seconds, so the
    millisecond and the offset are the same for both). Only for UTC values, as records carry them: two values in
    one zone subtract as wall times, and around a clock change equal wall times are different instants."""
    text = _json_stamp(first, audience)
    if (first is not None and second is not None and first.tzinfo is timezone.utc and second.tzinfo is timezone.utc
            and first.microsecond // 1000 == second.microsecond // 1000
            and -_MILLISECOND < second - first < _MILLISECOND):
        return text, text
    return text, _json_stamp(second, audience)


def with_extra(result: dict[str, Any], extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """Unknown keys a client sent come back as they were given, never over a real field."""
    for key, value in (extra or {}).items():
        result.setdefault(key, value)
    return result


# What quote(..., safe="") leaves as it is: most numbers ("FV-7-2024") need no quoting at all.
_UNQUOTED = re.compile(r"[A-Za-z0-9_.~-]*\Z")


def public_urls(invoice: Invoice, audience: Audience) -> dict[str, str]:
    base = audience.base_url.rstrip("/")
    number = invoice.number.replace("/", "-")
    if not _UNQUOTED.match(number):
        number = quote(number, safe="")
    return {"view_url": f"{base}/f/{number}/{invoice.token}",
            "payment_url": f"{base}/invoice/payment/{invoice.token}"}


def position(line: InvoiceLine, children: Iterable[InvoiceLine] = (), *, json: bool = False) -> dict[str, Any]:
    """`json`: amounts as the JSON answer's text (money_text), not Decimals."""
    m = money_text if json else money
    result: dict[str, Any] = {
        "id": line.id, "invoice_id": line.invoice_id, "product_id": line.product_id, "name": line.name,
        "code": line.code, "description": line.description, "additional_info": line.additional_info,
        "quantity": (quantity_text if json else quantity)(line.quantity), "quantity_unit": line.unit,
        "tax": line.tax, "price_net": m(line.price_net), "price_gross": m(line.price_gross),
        "price_tax": m(line.price_tax), "total_price_net": m(line.total_net), "total_price_tax": m(line.total_tax),
        "total_price_gross": m(line.total_gross), "discount": m(line.discount),
        "discount_percent": decimal_text(line.discount_percent) if json else line.discount_percent,
        "kind": line.kind,
    }
    for child in children:
        key = "correction_before_attributes" if child.kind == "correction_before" else "correction_after_attributes"
        result[key] = position(child, json=json)
    extra = line.extra
    return with_extra(result, extra) if extra else result


def positions(lines: list[InvoiceLine], *, json: bool = False) -> list[dict[str, Any]]:
    children: dict[int, list[InvoiceLine]] = {}
    for line in lines:
        if line.parent_id is not None:
            children.setdefault(line.parent_id, []).append(line)
    if not children:
        return [position(line, json=json) for line in lines]
    return [position(line, children.get(line.id or 0, ()), json=json) for line in lines if line.parent_id is None]


# The invoice columns shown under their own name.
_SAME_KEYS = ("id", "account_id", *INVOICE_SAME)
_SAME_TYPES = column_types(Invoice)
_SAME_DATES = frozenset(key for key in _SAME_KEYS if _SAME_TYPES[key][0] is date)
_SAME_DECIMALS = frozenset(key for key in _SAME_KEYS if _SAME_TYPES[key][0] is Decimal)


def _same_columns(json: bool) -> Callable[[Any], dict[str, Any]]:
    """A function from an invoice to its same-named columns, written as one dict display over attribute reads
    (and, for JSON, its dates and rates written as text in the same expression): a list shows ~70 of them per
    invoice, and a display with constant keys builds the dict at a third of zip()'s and a loop's cost. The
    source is made from the constant column names above and nothing else."""
    def read(key: str) -> str:
        if json and key in _SAME_DATES:
            return f"day_text(invoice.{key})"
        if json and key in _SAME_DECIMALS:
            return f"decimal_text(invoice.{key})"
        return f"invoice.{key}"
    assert all(key.isidentifier() for key in _SAME_KEYS)
    source = "lambda invoice: {" + ", ".join(f"{key!r}: {read(key)}" for key in _SAME_KEYS) + "}"
    made: Callable[[Any], dict[str, Any]] = eval(source, {"day_text": day_text, "decimal_text": decimal_text})
    return made


_same_typed = _same_columns(json=False)
_same_text = _same_columns(json=True)
_bank_values = attrgetter("bank_account_id", *SNAPSHOT_FIELDS)
_BANK_KEYS = ("id", *SNAPSHOT_FIELDS)


def invoice(view: InvoiceView, audience: Audience, *, with_positions: bool = True,
            json: bool = False) -> dict[str, Any]:
    """`json`: amounts and timestamps as the JSON answer writes them (text), so that the encoder needs no
    callback; otherwise typed values (the XML renderer types them; updates compare input with them)."""
    inv = view.invoice
    m = money_text if json else money
    shown_at = _json_stamp if json else stamp
    result = _same_text(inv) if json else _same_typed(inv)
    kind_days = inv.payment_to_kind
    origin = inv.origin
    sell_date = inv.sell_date
    result["sell_date"] = (sell_date.strftime("%Y-%m") if sell_date and inv.sell_date_month
                           else day_text(sell_date) if json else sell_date)
    result["payment_to_kind"] = int(kind_days) if kind_days.isdigit() else (kind_days or None)
    result["status"] = STATUS.get(inv.status, inv.status)
    result["cancelled"] = inv.status == "cancelled"
    result["correction"] = inv.kind == "correction"
    result["price_net"] = m(inv.price_net)
    result["price_tax"] = m(inv.price_tax)
    result["price_gross"] = m(inv.price_gross)
    result["paid"] = m(inv.paid)
    result["calculating_strategy"] = {"position": inv.calc_position, "sum": inv.calc_sum,
                                      "invoice_form_price_kind": "gross" if inv.prices_gross else "net"}
    result["from_api"] = origin == "invoiceocean"
    result["origin"] = "api" if origin == "invoiceocean" else origin
    result["sent_time"] = shown_at(inv.sent_at, audience)
    if json:
        result["created_at"], result["updated_at"] = _json_stamp_pair(inv.created_at, inv.updated_at, audience)
    else:
        result["created_at"] = stamp(inv.created_at, audience)
        result["updated_at"] = stamp(inv.updated_at, audience)
    result.update(public_urls(inv, audience))
    result["bank_accounts"] = [bank_account_on_invoice(copy) for copy in view.bank_accounts]
    if with_positions:
        result["positions"] = positions(view.lines, json=json)
    extra = inv.extra
    return with_extra(result, extra) if extra else result


# --- simple records ----------------------------------------------------------------------

def record(entity: str, row: SQLModel, audience: Audience, hidden: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The resource's shown fields (fields.TABLES), timestamps in the account's zone, money with two decimals."""
    result: dict[str, Any] = {}
    for field in fields.TABLES[entity]:
        if not field.shown or field.core in hidden:
            continue
        value = field.present(getattr(row, field.core))
        if isinstance(value, datetime):
            value = stamp(value, audience)
        elif isinstance(value, Decimal):
            value = money(value)
        result[field.wire] = value
    return with_extra(result, getattr(row, "extra", None))


def product(row: SQLModel, audience: Audience, *, with_stock: bool, in_stock: Decimal | None = None) -> dict[str, Any]:
    """With ?warehouse_id: `stock_level` and `warehouse_quantity` are the product's stock in that warehouse
    (core.stock, the one stored value; null where the product never moved there). The column a client once
    wrote stock_level into is not shown: stock comes from warehouse documents only."""
    shown = record("product", row, audience, frozenset({"stock_level"}))
    if with_stock:
        level = quantity(in_stock) if in_stock is not None else None
        shown["stock_level"] = shown["warehouse_quantity"] = level
    return shown


def price_list(row: PriceList, items: list[PriceListItem], audience: Audience) -> dict[str, Any]:
    result = record("price_list", row, audience)
    result["price_list_positions"] = [
        {**record("price_list_item", item, audience, frozenset({"price_list_id"})), "priceable_type": "Product"}
        for item in items]
    return result


def payment(view: PaymentView, audience: Audience) -> dict[str, Any]:
    result = record("payment", view.payment, audience)
    ids = view.invoice_ids
    result["invoice_id"] = ids[0] if ids else (view.payment.extra or {}).get("invoice_id")
    result["invoice_ids"] = ids
    return result


def bank_account_on_invoice(copy: Any) -> dict[str, Any]:
    """An invoice's bank account as the invoice carries it; `id` is the bank account's own id."""
    return dict(zip(_BANK_KEYS, _bank_values(copy), strict=True))


def bank_account(row: Any, links: Iterable[Any]) -> dict[str, Any]:
    """BankAccountSerializer's fields, exactly (API_RACHUNKI_BANKOWE.md section 4): no timestamps."""
    return {"id": row.id, **{name: getattr(row, name) for name in SNAPSHOT_FIELDS}, "bank_account_id": row.id,
            "bank_account_version_departments": [
                {"department_id": link.department_id, "show_on_invoice": link.show_on_invoice,
                 "main_on_department": link.main_on_department} for link in links]}


# --- XML types of null values -------------------------------------------------------------
# Rails' to_xml says what a nil attribute would have been: <payment-to type="date" nil="true"/>. The
# renderer types a present value from the value itself; a null one from these tables, built from the
# same core column types the values come from.

_XML_TYPE: dict[type, str] = {bool: "boolean", int: "integer", Decimal: "decimal", date: "date",
                              datetime: "dateTime"}


def _xml_types(model: type[SQLModel], names: Mapping[str, str]) -> dict[str, str]:
    """wire key -> XML type, for the wire keys `names` maps to columns of `model`."""
    types = column_types(model)
    return {key: _XML_TYPE[types[column][0]] for key, column in names.items() if types[column][0] in _XML_TYPE}


def _record_xml_types(entity: str, model: type[SQLModel]) -> dict[str, str]:
    return _xml_types(model, {field.wire: field.core for field in fields.TABLES[entity] if field.shown})


_INVOICE_XML = {**_xml_types(InvoiceBankAccount, {name: name for name in SNAPSHOT_FIELDS}),
                **_xml_types(InvoiceLine, POSITION_COLUMNS),
                **_xml_types(Invoice, {name: name for name in ("id", "account_id", *INVOICE_SAME)}),
                "sell_date": "date", "paid": "decimal", "sent_time": "dateTime", "created_at": "dateTime",
                "updated_at": "dateTime",
                # KSeF (dialects/invoiceocean/ksef.py); its text fields are untyped when null, as Rails writes them
                "gov_send_date": "dateTime", "gov_sell_date": "dateTime", "gov_error_messages": "array"}
# A payment's own keys win over those of the invoices it may include (include=invoices).
_PAYMENT_XML = {**_INVOICE_XML, **_record_xml_types("payment", Payment), "invoice_id": "integer"}
_PRICE_LIST_XML = {**_record_xml_types("price_list_item", PriceListItem), **_record_xml_types("price_list", PriceList)}
_ACTION_XML = {**_record_xml_types("warehouse_action", WarehouseAction), "from_warehouse_document_id": "integer",
               "to_warehouse_document_id": "integer"}
XML_TYPES: dict[str, Mapping[str, str]] = {
    "invoice": _INVOICE_XML, "banking_payment": _PAYMENT_XML, "price_list": _PRICE_LIST_XML,
    "client": _record_xml_types("client", Client), "product": _record_xml_types("product", Product),
    "department": _record_xml_types("department", Department),
    "recurring": _record_xml_types("recurring", Recurring),
    "issuer": _record_xml_types("issuer", Issuer),
    "bank_account": {**_xml_types(BankAccount, {name: name for name in ("id", *SNAPSHOT_FIELDS)}),
                     "bank_account_id": "integer", "department_id": "integer", "show_on_invoice": "boolean",
                     "main_on_department": "boolean"},
    "category": _record_xml_types("category", Category), "warehouse": _record_xml_types("warehouse", Warehouse),
    "warehouse_document": {**_ACTION_XML, **_record_xml_types("warehouse_document", WarehouseDocument)},
    "warehouse_action": _ACTION_XML,
}
XML_TYPES.update({f"{root}s": types for root, types in list(XML_TYPES.items())})
XML_TYPES["categories"] = XML_TYPES["category"]
