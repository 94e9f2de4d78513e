"""Loose InvoiceOcean input -> clean core fields and commands' parts, once, at the edge.

null and "" mean absent; read-only keys are ignored; keys the core has no column for are kept in
`extra` (so they round-trip); a value that cannot be read is a 422 under the client's field name.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Callable, Mapping

from sqlmodel import SQLModel

from core.commands import LineSpec
from core.errors import FieldError, Invalid
from core.fields import column_types
from core.models import BankAccount, Invoice, Payment, PriceListItem
from core.models.banking import SNAPSHOT_FIELDS
from core.money import to_decimal
from dialects.invoiceocean import fields
from dialects.invoiceocean.fields import STATUS_INPUT
from dialects.invoiceocean.ksef import GOV_READ_ONLY
from dialects.invoiceocean.present import INVOICE_SAME
from dialects.kit.lenient import absent, as_list, coerce, plain, to_bool, to_int, to_sell_date, to_tax, to_text

Convert = Callable[[Any], Any]

# Read-only or computed keys clients echo back from a GET (wooyek strips some of them before a PUT).
READ_ONLY = frozenset({
    "id", "token", "view_url", "payment_url", "price_net", "price_tax", "price_gross", "created_at", "updated_at",
    "account_id", "cancelled", "correction", "from_api", "origin", "sent_time", "paid", "pattern", "pattern_nr",
    "pattern_nr_m", "pattern_nr_d", "issue_year", "user_id", "app", "deleted", "attachments_count",
    "has_attachments", "search_data", "product_cache", "print_time", "email_status", "fiscal_status",
    "check_fiscal_print", "adjust_invoice_price", "sales_code", "api_token", "tax_no_check", "balance",
    "invoice_id_list", "number_counter", "invoice_ids", "stock_level_changed", "positions_count",
    "warehouse_document_id",
}) | GOV_READ_ONLY
# price_list_positions(_attributes) are a price list's items (price_list_children), not extra keys to keep.
RECORD_READ_ONLY = frozenset({"id", "created_at", "updated_at", "account_id", "api_token", "token", "tax_no_check",
                              "balance", "attachments_count", "price_list_positions",
                              "price_list_positions_attributes", "stock_level", "warehouse_quantity"})
INVOICE_COLUMNS = frozenset(INVOICE_SAME) - {"token"} | {"status", "payment_to_kind"}
POSITION_FIELDS: dict[str, tuple[str, Convert]] = {
    "id": ("id", to_int), "product_id": ("product_id", to_int), "name": ("name", to_text),
    "code": ("code", to_text), "description": ("description", to_text),
    "additional_info": ("additional_info", to_text), "quantity_unit": ("unit", to_text),
    "quantity": ("quantity", to_decimal), "tax": ("tax", to_tax), "price_net": ("price_net", to_decimal),
    "price_gross": ("price_gross", to_decimal), "total_price_net": ("total_net", to_decimal),
    "total_price_gross": ("total_gross", to_decimal), "discount_percent": ("discount_percent", to_decimal),
    "discount": ("discount_amount", to_decimal), "_destroy": ("destroy", to_bool),
}
POSITION_READ_ONLY = frozenset({"invoice_id", "price_tax", "total_price_tax", "created_at", "updated_at",
                                "account_id", "deleted"})
LINE_KINDS = {"normal": "normal", "text": "text", "correction": "correction"}


class Errors:
    """Collects every unreadable field so one 422 names them all."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def read(self, name: str, convert: Convert, value: Any) -> Any:
        try:
            return convert(value)
        except (ValueError, TypeError, ArithmeticError):
            self.items.append(FieldError(name, "invalid", "is invalid"))
            return None

    def check(self) -> None:
        if self.items:
            raise Invalid(self.items)


def wrapped(payload: Mapping[str, Any], *names: str) -> dict[str, Any]:
    for name in names:
        value = payload.get(name)
        if isinstance(value, dict):
            return value
    return {}


@dataclass
class InvoiceInput:
    fields: dict[str, Any]
    lines: tuple[LineSpec, ...] | None
    copy_from: int | None = None
    oid_unique: bool = False
    price_list_id: int | None = None
    use_price_lists: bool = False
    bank_accounts: tuple[dict[str, Any], ...] | None = None  # None: the department's


def _column(errors: Errors, name: str, value: Any) -> Any:
    expected, _nullable = column_types(Invoice)[name]
    return errors.read(name, lambda v: coerce(expected, v), value)


def invoice_input(data: Mapping[str, Any]) -> InvoiceInput:
    errors = Errors()
    fields: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    result = InvoiceInput(fields, None)
    for key, value in data.items():
        if absent(value) or key in READ_ONLY:
            continue
        if key == "positions":
            result.lines = errors.read("positions", lambda v: tuple(positions(v, errors)), value)
        elif key == "sell_date":
            parsed = errors.read(key, to_sell_date, value)
            if parsed is not None:
                fields["sell_date"], fields["sell_date_month"] = parsed
        elif key == "status":
            status = str(value).strip().lower()
            if status not in STATUS_INPUT:
                errors.items.append(FieldError("status", "inclusion", "is not included in the list"))
            fields["status"] = status
        elif key == "payment_to_kind":
            fields[key] = to_text(value).strip()
        elif key == "calculating_strategy" and isinstance(value, dict):
            _strategy(value, fields)
        elif key == "copy_invoice_from":
            result.copy_from = errors.read(key, to_int, value)
        elif key == "oid_unique":
            result.oid_unique = bool(errors.read(key, to_bool, value))
        elif key == "price_list_id":
            result.price_list_id = errors.read(key, to_int, value)
        elif key == "use_prices_from_price_lists":
            result.use_price_lists = bool(errors.read(key, to_bool, value))
        elif key == "bank_accounts":
            result.bank_accounts = invoice_bank_accounts(value)
        elif key in INVOICE_COLUMNS:
            fields[key] = _column(errors, key, value)
        else:
            extra[key] = plain(value)
    errors.check()
    if extra:
        fields["extra"] = extra
    if result.lines and fields.get("discount_kind") not in (None, "amount"):
        result.lines = tuple(_reported_discount_dropped(line) for line in result.lines)
    return result


def _reported_discount_dropped(line: LineSpec) -> LineSpec:
    """Under a percent discount_kind a position's `discount` is the amount a GET reported, not an input
    (the seed calculates an amount discount only under "amount"): a client writing back what it read."""
    return replace(line, discount_amount=None,
                   before=line.before and _reported_discount_dropped(line.before),
                   after=line.after and _reported_discount_dropped(line.after))


def _strategy(value: Mapping[str, Any], fields: dict[str, Any]) -> None:
    if not absent(value.get("position")):
        fields["calc_position"] = str(value["position"])
    if not absent(value.get("sum")):
        fields["calc_sum"] = str(value["sum"])
    if not absent(value.get("invoice_form_price_kind")):
        fields["prices_gross"] = str(value["invoice_form_price_kind"]) == "gross"


def with_position_list(data: Mapping[str, Any]) -> dict[str, Any]:
    """The invoice with its positions as a list, whichever of as_list's forms they came in, so that they
    can be matched by id against the stored ones; left as given when they are not a collection."""
    result = dict(data)
    try:
        if "positions" in result:
            result["positions"] = as_list(result["positions"], "position")
    except ValueError:
        pass  # invoice_input names the bad value
    return result


def positions(value: Any, errors: Errors) -> list[LineSpec]:
    return [position(item, f"positions.{i}", errors) for i, item in enumerate(as_list(value, "position"))]


def position(data: Any, path: str, errors: Errors) -> LineSpec:
    if not isinstance(data, dict):
        errors.items.append(FieldError(path, "invalid", "is invalid"))
        return LineSpec()
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in data.items():
        if absent(value) or key in POSITION_READ_ONLY:
            continue
        if key in POSITION_FIELDS:
            target, convert = POSITION_FIELDS[key]
            try:  # errors.read, its field's name made only for an error (a create reads ~25 of these)
                values[target] = convert(value)
            except (ValueError, TypeError, ArithmeticError):
                errors.items.append(FieldError(f"{path}.{key}", "invalid", "is invalid"))
                values[target] = None
        elif key == "kind":
            values["kind"] = LINE_KINDS.get(str(value))
        elif key in ("correction_before_attributes", "correction_after_attributes"):
            values["before" if "before" in key else "after"] = position(value, f"{path}.{key}", errors)
        else:
            extra[key] = plain(value)
    if "before" in values or "after" in values:
        values["kind"] = "correction"
    return LineSpec(**{k: v for k, v in values.items() if v is not None}, extra=extra)


# --- simple records ------------------------------------------------------------------------

def record_fields(entity: str, model: type[SQLModel], data: Mapping[str, Any], *,
                  keep_extra: bool = True) -> dict[str, Any]:
    """Core columns from a record's keys, through its field table (fields.TABLES); a key may also be the core
    column's own name. Keys of no writable field are kept in `extra`."""
    table = fields.TABLES[entity]
    by_wire, by_core = table.by_wire(), {field.core: field for field in table}
    types = column_types(model)
    errors = Errors()
    out: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in data.items():
        if key in RECORD_READ_ONLY:
            continue
        field = by_wire.get(key) or by_core.get(key)
        name = field.core if field is not None else key
        if absent(value) or (value == "null" and name in types and types[name][0] is not str):
            continue  # null, "" and the recurring's "end_date": "null" all mean absent
        if field is not None and field.writable:
            out[name] = errors.read(key, field.parse, value)
        elif keep_extra:
            extra[key] = plain(value)
    errors.check()
    if extra and "extra" in types:
        out["extra"] = extra
    return out


def price_list_children(data: Mapping[str, Any]) -> tuple[dict[str, Any], ...] | None:
    raw = data.get("price_list_positions_attributes", data.get("price_list_positions"))
    if raw is None:
        return None
    try:
        items = as_list(raw, "price_list_position")
    except ValueError:
        raise Invalid.one("price_list_positions", "invalid", "is invalid") from None
    return tuple(record_fields("price_list_item", PriceListItem,
                               {k: v for k, v in item.items() if k not in ("priceable_type", "_destroy", "id")},
                               keep_extra=False)
                 for item in items if isinstance(item, dict))


def invoice_bank_accounts(value: Any) -> tuple[dict[str, Any], ...] | None:
    """An invoice's `bank_accounts`: each item needs its number (API_RACHUNKI_BANKOWE.md, section 8: the
    error is reported on bank_accounts); an empty list gives none, so the department's apply."""
    try:
        items = as_list(value, "bank_account")
    except ValueError:
        raise Invalid.one("bank_accounts", "invalid", "is invalid") from None
    result = []
    for item in items:
        if not isinstance(item, dict):
            raise Invalid.one("bank_accounts", "invalid", "is invalid")
        fields = record_fields("bank_account", BankAccount, {k: v for k, v in item.items() if k in SNAPSHOT_FIELDS},
                               keep_extra=False)
        if not str(fields.get("bank_account_number") or "").strip():
            raise Invalid.one("bank_accounts", "blank", "can't be blank")
        result.append(fields)
    return tuple(result) or None


@dataclass
class PaymentInput:
    fields: dict[str, Any]
    amount: Any = None
    invoice_ids: tuple[int, ...] | None = None
    paid_date: Any = None
    generate_invoice: bool = False


PAYMENT_COLUMNS = frozenset({"name", "currency", "paid", "kind", "description", "client_id", "email", "oid"})


def payment_input(data: Mapping[str, Any]) -> PaymentInput:
    errors = Errors()
    result = PaymentInput({})
    extra: dict[str, Any] = {}
    types = column_types(Payment)
    for key, value in data.items():
        if absent(value) or key in RECORD_READ_ONLY:
            continue
        if key == "price":
            result.amount = errors.read(key, to_decimal, value)
        elif key == "invoice_id":
            result.invoice_ids = (errors.read(key, to_int, value),)
        elif key == "invoice_ids":
            ids = errors.read(key, lambda v: tuple(to_int(i) for i in
                                                   (v.split(",") if isinstance(v, str) else as_list(v, "invoice_id"))),
                              value)
            result.invoice_ids = ids
        elif key == "paid_date":
            result.paid_date = errors.read(key, partial(coerce, types["paid_date"][0]), value)
        elif key == "generate_invoice":
            result.generate_invoice = bool(errors.read(key, to_bool, value))
        elif key in PAYMENT_COLUMNS:
            result.fields[key] = errors.read(key, partial(coerce, types[key][0]), value)
        else:
            extra[key] = plain(value)
    errors.check()
    if extra:
        result.fields["extra"] = extra
    return result
