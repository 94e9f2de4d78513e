"""fakturan.nu request bodies -> core fields and LineSpecs, checking fakturan's own rules on the way.

Every reader collects its problems in an ErrorBag instead of stopping at the first one, so a 422
names all of a request's faults (client_id and a row error together, as the seed shows).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Mapping

from starlette.requests import Request

from core.commands import LineSpec
from core.models import Client
from core.money import to_decimal
from core.queries import Page
from dialects.fakturan import fields as tables
from dialects.fakturan.errors import ROWS_BLANK, BadRequest, ErrorBag
from dialects.fakturan.fields import MAX_LENGTH, RECURRING_FIELDS, TAX_RATES, number_or_string
from dialects.kit.fields import MISSING, Field, get_path
from dialects.kit.http import loads_json, read_body
from dialects.kit.ids import MAX_ID, integer_text
from dialects.kit.lenient import blank, cast_bool, cast_date, cast_text, to_int

LOCALES = ("sv", "en", "da", "nb")
TEMPLATES = ("urban", "clean", "iconic", "foxy", "static", "original", "croatia")
CLIENT_TYPES = ("company", "individual")
DELIVERY_METHODS = ("email", "email_and_sms", "letter", "e_invoice")
SEND_METHODS = ("email", "letter", "auto")
PRICES_INC_TAX = ("yes", "no")
# An address, once given, must name its country (the seed's `client.address.country` blank); leaving the
# address out altogether is fine.
REQUIRED_WHEN_GIVEN = frozenset({"address.country"})
_EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_MISSING = MISSING  # what a reader that refused a value returns


def _read(bag: ErrorBag, key: str, value: Any, reader: Callable[[Any], Any], code: str = "invalid",
          row: int | None = None) -> Any:
    try:
        return reader(value)
    except (ValueError, ArithmeticError):
        bag.add(key, code, row)
        return _MISSING


def _text(bag: ErrorBag, key: str, value: Any, limit: int | None = None, row: int | None = None,
          short_key: str | None = None) -> Any:
    text = _read(bag, key, value, cast_text, row=row)
    limit = limit or MAX_LENGTH.get(short_key or key)
    if text is not _MISSING and limit is not None and len(text) > limit:
        bag.add(key, "too_long", row, count=limit)
        return _MISSING
    return text


def _choice(bag: ErrorBag, key: str, value: Any, allowed: tuple[Any, ...], row: int | None = None) -> Any:
    if value in allowed:
        return value
    bag.add(key, "inclusion", row, value=value)
    return _MISSING


def _tax(bag: ErrorBag, key: str, value: Any, row: int | None = None) -> Any:
    number = _read(bag, key, value, to_int, "inclusion", row)
    return number if number is _MISSING else _choice(bag, key, number, TAX_RATES, row)


def _hash(bag: ErrorBag, data: dict[str, Any], key: str, prefix: str = "") -> dict[str, Any]:
    value = data.get(key, {})
    if value is None:
        return {}
    if not isinstance(value, dict):
        bag.add(prefix + key, "invalid")
        return {}
    return value


def _currency(bag: ErrorBag, key: str, value: Any) -> Any:
    if isinstance(value, str) and _CURRENCY.fullmatch(value):
        return value.upper()
    bag.add(key, "invalid")
    return _MISSING


# -- clients ----------------------------------------------------------------------------------------
def _settings(bag: ErrorBag, given: dict[str, Any], prefix: str) -> dict[str, Any]:
    readers: dict[str, Callable[[str, Any], Any]] = {
        "invoice_delivery_method": lambda k, v: _choice(bag, k, v, DELIVERY_METHODS),
        "e_invoice": lambda k, v: _read(bag, k, v, cast_bool),
        "email_attach_pdf": lambda k, v: _read(bag, k, v, cast_bool),
        "show_product_code": lambda k, v: _read(bag, k, v, cast_bool),
        "invoice_days": lambda k, v: _read(bag, k, v, to_int),
        "locale": lambda k, v: _choice(bag, k, v, LOCALES),
        "invoice_template": lambda k, v: _choice(bag, k, v, TEMPLATES),
        "currency": lambda k, v: _currency(bag, k, v),
        "prices_inc_tax": lambda k, v: _choice(bag, k, ("yes" if v else "no") if isinstance(v, bool) else v,
                                               PRICES_INC_TAX),
        "discount": lambda k, v: _read(bag, k, v, lambda x: number_or_string(to_decimal(x))),
        "tax": lambda k, v: _tax(bag, k, v),
    }
    out = {}
    for name, value in given.items():
        if name in readers:
            parsed = readers[name](f"{prefix}settings.{name}", value)
            if parsed is not _MISSING:
                out[name] = parsed
    return out


def client_fields(bag: ErrorBag, data: Any, *, prefix: str = "", current: Client | None = None,
                  defaults: dict[str, Any] | None = None) -> dict[str, Any]:
    """Client columns from a fakturan client hash; `current` is the stored client on update,
    `defaults` the account's settings for a new one."""
    if not isinstance(data, dict):
        bag.add(prefix.rstrip(".") or "base", "invalid")
        return {}
    _hash(bag, data, "address", prefix)
    def blank_but_required(field: Field, value: Any) -> bool:
        return field.wire in REQUIRED_WHEN_GIVEN and blank(value)

    fields = tables.CLIENT.parse(data, lambda key, exc: bag.refused(prefix + key, exc), skip=blank_but_required)
    for key in REQUIRED_WHEN_GIVEN:
        if get_path(data, key) is not MISSING and blank(get_path(data, key)):
            bag.add(prefix + key, "blank")
    if "client_type" in data:
        kind = _choice(bag, prefix + "client_type", data["client_type"], CLIENT_TYPES)
        if kind is not _MISSING:
            fields["company"] = kind == "company"
    is_company = fields.get("company", current.company if current else True)
    if is_company:
        company = data.get("company") if "company" in data else (current.name if current and current.company
                                                                 else "")
        if blank(company):
            bag.add(prefix + "company", "blank")
        elif "company" in data or "company" in fields:
            fields["name"] = _text(bag, prefix + "company", company, limit=255)
    elif current is None or current.company or {"first_name", "last_name"} & fields.keys():
        # A person's name follows their first and last name; when neither changes, it stays as stored
        # (another dialect may have written it).
        names = {n: fields.get(n, getattr(current, n) if current else "") for n in ("first_name", "last_name")}
        for name, value in names.items():
            if blank(value):
                bag.add(prefix + name, "blank")
        fields["name"] = " ".join(str(v).strip() for v in names.values() if not blank(v))
    if fields.get("email") and not _EMAIL.fullmatch(fields["email"]):
        bag.add(prefix + "email", "invalid")
    given = _settings(bag, _hash(bag, data, "settings", prefix), prefix)
    if given or current is None:
        base = dict(current.settings or {}) if current is not None else dict(defaults or {})
        fields["settings"] = {**base, **given}
        if "invoice_days" in fields["settings"]:
            fields["payment_days"] = fields["settings"]["invoice_days"]
    return {k: v for k, v in fields.items() if v is not _MISSING}


# -- products ---------------------------------------------------------------------------------------
def product_fields(bag: ErrorBag, data: dict[str, Any], *, creating: bool, default_tax: int) -> dict[str, Any]:
    fields = tables.PRODUCT.parse(data, bag.refused)
    name = tables.PRODUCT.core_to_wire()["name"]
    if (creating or name in data) and blank(data.get(name)):
        bag.add(name, "blank")
    if creating:
        fields.setdefault("tax", str(default_tax))
    return fields


# -- invoices ---------------------------------------------------------------------------------------
@dataclass
class InvoiceInput:
    fields: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    seq: int | None = None
    new_client: dict[str, Any] | None = None
    lines: tuple[LineSpec, ...] | None = None
    recurring: dict[str, Any] | None = None  # Recurring columns, when any recurring attribute was given


def invoice_input(bag: ErrorBag, data: dict[str, Any], *, creating: bool,
                  client_defaults: dict[str, Any] | None = None) -> InvoiceInput:
    out = InvoiceInput()
    if creating and isinstance(data.get("client"), dict):
        out.new_client = client_fields(bag, data["client"], prefix="client.", defaults=client_defaults)
    elif creating or "client_id" in data:
        client_id = _read(bag, "client_id", data.get("client_id"), to_int, "blank")
        if client_id is _MISSING or client_id <= 0:
            if client_id is not _MISSING:
                bag.add("client_id", "blank")
        else:
            out.fields["client_id"] = client_id
    if not blank(data.get("number")):
        number = _read(bag, "number", data["number"], to_int, "not_a_number")
        if number is not _MISSING:
            out.seq = number
    if not blank(data.get("date")):
        day = _read(bag, "date", data["date"], cast_date)
        if isinstance(day, date):
            out.fields["issue_date"] = day
    if data.get("days") is not None:
        days = _read(bag, "days", data["days"], to_int, "not_a_number")
        if days is not _MISSING:
            out.fields["payment_to_kind"] = str(days)
    for key in ("our_reference", "your_reference"):
        if key in data:
            text = _text(bag, key, data[key], limit=255)
            if text is not _MISSING:
                out.extra[key] = text
    if "locale" in data:
        locale = _choice(bag, "locale", data["locale"], LOCALES)
        if locale is not _MISSING:
            out.fields["lang"] = locale
    if not blank(data.get("currency")):
        currency = _currency(bag, "currency", data["currency"])
        if currency is not _MISSING:
            out.fields["currency"] = currency
    settings = _settings(bag, _hash(bag, data, "settings"), "")
    for key in ("invoice_template", "show_product_code"):
        if key in settings:
            out.extra[key] = settings[key]
    if "prices_inc_tax" in settings:
        out.fields["prices_gross"] = settings["prices_inc_tax"] == "yes"
    out.lines = rows_input(bag, data, creating=creating)
    out.recurring = recurring_input(bag, data) or None
    return out


def recurring_input(bag: ErrorBag, data: dict[str, Any]) -> dict[str, Any]:
    """The gem's recurring attributes as Recurring columns (see present.RECURRING_FIELDS)."""
    readers: dict[str, Callable[[Any], Any]] = {"recurring": cast_bool, "auto_send": cast_bool,
                                                "last_day_of_month": cast_bool, "start_recurring_from": cast_date,
                                                "interval_period": to_int}
    out: dict[str, Any] = {}
    for key, column in RECURRING_FIELDS.items():
        if key not in data or blank(data[key]) and not isinstance(data[key], bool):
            continue
        value = _read(bag, key, data[key], readers[key], "not_a_number" if key == "interval_period" else "invalid")
        if value is _MISSING:
            continue
        if key == "interval_period":
            if value <= 0:
                bag.add(key, "greater_than", count=0)
                continue
            value = f"{value}m"
        out[column] = value
    return out


def rows_input(bag: ErrorBag, data: dict[str, Any], *, creating: bool) -> tuple[LineSpec, ...] | None:
    rows = data.get("rows")
    if rows is None and not creating:
        return None
    if rows is not None and not isinstance(rows, list):
        bag.add("rows", "invalid")
        return None
    if creating and not rows:
        bag.add("base", ROWS_BLANK)
        return None
    return tuple(spec for i, row in enumerate(rows or []) if (spec := row_spec(bag, row, i)) is not None)


# A row's non-text values, in the order their errors are named: (LineSpec attribute, key, reader, error code).
_ROW_VALUES: tuple[tuple[str, str, Callable[[Any], Any], str], ...] = (
    ("id", "id", to_int, "invalid"), ("product_id", "product_id", to_int, "invalid"),
    ("discount_percent", "discount", to_decimal, "not_a_number"), ("quantity", "amount", to_decimal, "not_a_number"),
    ("price_net", "product_price", to_decimal, "not_a_number"), ("position", "sort_order", to_int, "invalid"),
    ("destroy", "_destroy", cast_bool, "invalid"), ("tax_deductible", "tax_deductable", cast_bool, "invalid"),
    ("tax_deductible", "tax_deductible", cast_bool, "invalid"),
)


def row_spec(bag: ErrorBag, row: Any, index: int) -> LineSpec | None:
    if not isinstance(row, dict):
        bag.add("rows", "invalid", index)
        return None
    spec: dict[str, Any] = {}
    for attr, key, reader, code in _ROW_VALUES:  # a loop over one table: no closure made per row, no call per key
        value = row.get(key)
        if value is not None:
            try:
                spec[attr] = reader(value)
            except (ValueError, ArithmeticError):  # as _read: the error named, the value left out
                bag.add(f"rows.{key}", code, index)
    for attr, key in (("description", "text"), ("code", "product_code"), ("name", "product_name"),
                      ("unit", "product_unit")):
        if row.get(key) is not None:
            text = _text(bag, f"rows.{key}", row[key], row=index, short_key=key)
            if text is not _MISSING:
                spec[attr] = text
    if row.get("product_tax") is not None:
        tax = _tax(bag, "rows.product_tax", row["product_tax"], index)
        if tax is not _MISSING:
            spec["tax"] = str(tax)
    text_row = _read(bag, "rows.text_row", row.get("text_row", False), cast_bool, row=index)
    if spec.get("product_id") == 0:
        del spec["product_id"]
    if "id" not in spec:
        spec["kind"] = "text" if text_row is True else "normal"
        if spec["kind"] == "normal" and "product_id" not in spec:
            spec.setdefault("price_net", Decimal(0))  # a new row without a price costs nothing
    return LineSpec(**spec)


def with_row_prices(changed: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """A row's product_price is the price its rate applies to (net, or gross with prices_inc_tax), so a row
    whose product_tax changed keeps the product_price it was sent with, unchanged or not: otherwise the
    core would keep the line's own basis, and a line priced gross elsewhere would show a new net price."""
    rows = changed.get("rows")
    sent = {row.get("id"): row for row in given.get("rows") or [] if isinstance(row, dict)}
    if not isinstance(rows, list):
        return changed
    kept = [{**row, "product_price": sent[row["id"]]["product_price"]}
            if isinstance(row, dict) and row.get("id") is not None and "product_tax" in row
            and "product_price" not in row and sent.get(row["id"], {}).get("product_price") is not None
            else row for row in rows]
    return {**changed, "rows": kept}


def with_gross_prices(lines: tuple[LineSpec, ...] | None) -> tuple[LineSpec, ...] | None:
    """With prices_inc_tax "yes" a row's product_price is the gross unit price."""
    if lines is None:
        return None
    return tuple(replace(s, price_gross=s.price_net, price_net=None) if s.price_net is not None else s
                 for s in lines)


# -- payments and sending ---------------------------------------------------------------------------
def payment_input(bag: ErrorBag, data: dict[str, Any]) -> tuple[Decimal | None, date | None]:
    amount = paid = None
    if not blank(data.get("amount")):
        value = _read(bag, "amount", data["amount"], to_decimal, "not_a_number")
        if value is not _MISSING:
            amount = value
            if amount <= 0:
                bag.add("amount", "greater_than", count=0)
    if not blank(data.get("paid_at")):
        value = _read(bag, "paid_at", data["paid_at"], cast_date)
        if value is not _MISSING:
            paid = value
    return amount, paid


def send_input(bag: ErrorBag, data: dict[str, Any]) -> tuple[str, bool]:
    method = data.get("delivery_method") or "auto"
    if _choice(bag, "delivery_method", method, SEND_METHODS) is _MISSING:
        method = "auto"
    reminder = _read(bag, "as_reminder", data.get("as_reminder", False), cast_bool)
    return method, reminder is True


# -- the request: body, path id, list parameters and pages ---------------------------------------
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100


def read_json(body: bytes) -> dict[str, Any]:
    """The request object; money arrives as Decimal (never float). An empty body is {}."""
    if not body.strip():
        return {}
    try:
        data = loads_json(body)  # exact decimals, bounded depth
    except (ValueError, UnicodeDecodeError):
        raise BadRequest() from None
    if not isinstance(data, dict):
        raise BadRequest()
    return data


def list_params(query: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """List parameters from a JSON body on GET (as the PHP client sends them) and the query string;
    the query string wins where both give a key."""
    return {**read_json(body), **dict(query)}


async def body_of(request: Request) -> dict[str, Any]:
    return read_json(await read_body(request))


def path_id(request: Request, key: str = "id") -> int:
    return int(request.path_params[key])


def _positive(value: Any, default: int) -> int:
    number = integer_text(str(value).strip())  # ASCII digits only: int() also reads "٣" and "1_0"
    return number if number is not None and 0 < number <= MAX_ID else default  # past 64 bits: cannot be rendered back


def page_of(params: Mapping[str, Any]) -> Page:
    """Lenient like the real service: a missing or unreadable value falls back to the default."""
    per_page = min(_positive(params.get("per_page"), DEFAULT_PER_PAGE), MAX_PER_PAGE)
    return Page(page=_positive(params.get("page"), 1), per_page=per_page)


def sort_order(bag: ErrorBag, raw: Any, allowed: Mapping[str, str],
               default: tuple[tuple[str, bool], ...] = (("id", False),)) -> list[tuple[str, bool]]:
    """"+number,-name" -> [(core column, descending)]. A "+" that arrives URL-decoded as a space
    still means ascending."""
    if raw is None or not str(raw).strip():
        return list(default)
    order = []
    for part in str(raw).split(","):
        part = part.strip()
        if not part:
            continue
        name = part.lstrip("+-").strip()
        if name not in allowed:
            bag.add("sort", "inclusion", value=name)
            continue
        order.append((allowed[name], part.startswith("-")))
    return order or list(default)
