"""The JSON shapes fakturan.nu answers with, built from core rows through the field tables in fields.py."""
from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal
from typing import Any, Hashable, Mapping, Sequence
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response

from core.handlers.invoice_state import InvoiceView
from core.handlers.lines import COUNTED_KINDS
from core.models import Account, Client, Invoice, InvoiceLine, Payment, Product, Recurring
from core.money import rate_amounts
from core.queries import Page
from core.recurring_schedule import parse_every
from dialects.fakturan import fields
from dialects.fakturan.fields import (
    CLIENT_SETTINGS_OUTPUT,
    INVOICE_EXTRA,
    INVOICE_FIELDS,
    INVOICE_SETTINGS_EXTRA,
    PAYMENT_FIELDS,
    RECURRING_FIELDS,
    ROW_FIELDS,
    decimal_string,
    number_or_string,
    tax_integer,
)
from dialects.kit.fields import set_path as path_set
from dialects.kit.http import JSONResponse

_SWEDISH_ZIP = re.compile(r"(\d{3})\s?(\d{2})")
# The lines shown as rows: a correction's before/after snapshots stay internal.
_ROW_KINDS = frozenset({"normal", "text", "correction"})


def zip_code(raw: str, country: str) -> str:
    """Swedish postal codes print as "940 43"; others are left as given."""
    found = _SWEDISH_ZIP.fullmatch(raw.strip())
    if found and country.upper() in ("SE", ""):
        return f"{found.group(1)} {found.group(2)}"
    return raw


def client_settings_defaults(account: Account) -> dict[str, Any]:
    """What a new client's settings start as: the account's defaults."""
    settings = account.settings or {}
    return {"currency": account.currency, "discount": 0, "email_attach_pdf": False,
            "invoice_days": int(settings.get("payment_days", 30)),
            "invoice_delivery_method": settings.get("invoice_delivery_method", "email"),
            "invoice_template": settings.get("invoice_template", "croatia"), "locale": account.lang,
            "prices_inc_tax": settings.get("prices_inc_tax", "no"), "show_product_code": False,
            "tax": settings.get("tax", 25)}


def client_json(client: Client) -> dict[str, Any]:
    return fields.CLIENT.present(client)


def product_json(product: Product) -> dict[str, Any]:
    return fields.PRODUCT.present(product)


_CENT = Decimal("0.01")


def row_json(line: InvoiceLine, prices_inc_tax: bool) -> dict[str, Any]:
    # The price before the row discount: core stores discounted unit prices.
    price = line.price_gross if prices_inc_tax else line.price_net
    text_row = line.kind == "text"
    if not text_row and line.quantity and line.discount:
        price += (line.discount / line.quantity).quantize(_CENT)
    return {"id": line.id, "product_id": line.product_id or 0, "discount": number_or_string(line.discount_percent),
            "amount": decimal_string(line.quantity), "text": line.description, "product_code": line.code or None,
            "product_name": line.name, "product_unit": line.unit, "product_price": decimal_string(price),
            "product_tax": tax_integer(line.tax), "text_row": text_row, "sort_order": line.position,
            "tax_deductible": line.tax_deductible}


def days_of(invoice: Invoice) -> int | None:
    if invoice.payment_to_kind.isdigit():
        return int(invoice.payment_to_kind)
    if invoice.payment_to is not None:
        return (invoice.payment_to - invoice.issue_date).days
    return None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def interval_months(every: str) -> int | None:
    """"3m" -> 3, "1y" -> 12; None for a day or week period (set through another dialect)."""
    try:
        count, unit = parse_every(every)
    except ValueError:
        return None
    return {"m": count, "y": 12 * count}.get(unit)


def recurring_json(recurring: Recurring) -> dict[str, Any]:
    values = {key: getattr(recurring, column) for key, column in RECURRING_FIELDS.items()}
    values["interval_period"] = interval_months(recurring.every)
    values["start_recurring_from"] = _iso(recurring.start_date)
    return values


def invoice_key(account: Account) -> Hashable:
    """Everything invoice_json reads besides the invoice's own rows (its view and recurring definition): the
    account's settings. Lists and gets keep an invoice's JSON under it (dialects.kit.kept)."""
    return settings_key(account.settings)


def settings_key(settings: Mapping[str, Any] | None) -> Hashable:
    """invoice_key from the account's settings alone (a get reads them along with the invoice's key)."""
    return "fakturan.invoice", orjson.dumps(settings or {}, option=orjson.OPT_SORT_KEYS)


def invoice_json(view: InvoiceView, account: Account, recurring: Recurring | None = None) -> dict[str, Any]:
    """The recurring attributes appear on invoices that are (or were) a recurring template only: the
    recorded answers for plain invoices carry none of them."""
    invoice, extra = view.invoice, view.invoice.extra or {}
    defaults = account.settings or {}
    # The VAT summary from the lines as read (core.money's own sums, no LineAmounts built per line).
    per_rate = rate_amounts([line for line in view.lines if line.kind in COUNTED_KINDS], invoice.calc_sum or "sum")
    gross = invoice.prices_gross
    return {
        "id": invoice.id, "number": invoice.seq, "date": _iso(invoice.issue_date), "client_id": invoice.client_id,
        "days": days_of(invoice), **{key: extra.get(key, "") for key in INVOICE_EXTRA},
        "sent": invoice.sent_at is not None,
        "paid_at": _iso(invoice.paid_date) if invoice.status == "paid" else None,
        **(recurring_json(recurring) if recurring is not None else {}),
        "locale": invoice.lang, "currency": invoice.currency,
        "settings": {"invoice_template": extra.get("invoice_template", defaults.get("invoice_template", "croatia")),
                     "prices_inc_tax": "yes" if invoice.prices_gross else "no",
                     "show_product_code": bool(extra.get("show_product_code", False))},
        "sum": decimal_string(invoice.payable), "net": decimal_string(invoice.price_net),
        "tax": decimal_string(invoice.price_tax),
        "tax_details": {rate.code: decimal_string(tax) for rate, _net, tax, _gross in per_rate},
        "address": {"name": invoice.buyer_name, "street_address": invoice.buyer_street,
                    "care_of": invoice.buyer_care_of, "zip_code": zip_code(invoice.buyer_post_code,
                                                                           invoice.buyer_country),
                    "city": invoice.buyer_city, "country": invoice.buyer_country},
        "rows": [row_json(line, gross) for line in view.lines if line.kind in _ROW_KINDS],
    }


def payment_json(payment: Payment, amount: Decimal, invoice_id: int) -> dict[str, Any]:
    return {"id": payment.id, "paid_at": _iso(payment.paid_date), "amount": decimal_string(amount),
            "invoice_id": invoice_id}


# -- answers: the data envelope, and list pages with absolute links -----------------------------------
PAGING_KEYS = ("page", "per_page")


def data(payload: Any, status: int = 200, location: str | None = None,
         request: Request | None = None) -> JSONResponse:
    headers = {"Location": f"{base_url(request)}{location}"} if location and request is not None else None
    return JSONResponse({"data": payload}, status_code=status, headers=headers)


def no_content() -> Response:
    return Response(status_code=204)


def base_url(request: Request) -> str:
    configured = str(request.app.state.settings.public_base_url or "").rstrip("/")
    return configured or f"{request.url.scheme}://{request.url.netloc}"


def _link(request: Request, params: Mapping[str, Any], page: Page, number: int) -> str:
    # Filters and sort travel along, so following `next` walks the same result set.
    others = {k: v for k, v in params.items() if k not in PAGING_KEYS and isinstance(v, (str, int))
              and not isinstance(v, bool)}
    query = urlencode({"page": number, "per_page": page.per_page, **others})
    return f"{base_url(request)}{request.url.path}?{query}"


def paging_json(request: Request, params: Mapping[str, Any], page: Page, total: int) -> dict[str, Any]:
    total_pages = max(1, math.ceil(total / page.per_page))
    current = page.page
    return {
        "total_pages": total_pages, "current_page": current,
        "next": _link(request, params, page, current + 1) if current < total_pages else None,
        "previous": _link(request, params, page, min(current - 1, total_pages)) if current > 1 else None,
    }


def listing(request: Request, params: Mapping[str, Any], page: Page, total: int,
            items: Sequence[Any]) -> dict[str, Any]:
    return {"data": items, "paging": paging_json(request, params, page, total)}


__all__ = ["CLIENT_SETTINGS_OUTPUT", "INVOICE_EXTRA", "INVOICE_FIELDS", "INVOICE_SETTINGS_EXTRA", "RECURRING_FIELDS",
           "ROW_FIELDS", "PAYMENT_FIELDS", "decimal_string", "number_or_string", "tax_integer", "client_json",
           "product_json", "invoice_json", "invoice_key", "settings_key", "recurring_json", "payment_json",
           "client_settings_defaults", "zip_code", "path_set", "data", "no_content", "listing", "base_url"]
