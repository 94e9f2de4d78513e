"""fakturan.nu's wire fields, one table per resource: the fakturan key (dotted for the nested address hash), the
core column, and for clients and products how a value is read, written and described (dialects.kit.fields).
parse.py reads requests through these tables, present.py writes answers, errors.py names core errors and
openapi.py describes them, so a field is renamed in exactly one place."""
from __future__ import annotations

import functools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from core.money import plain_text, to_decimal
from dialects.kit.fields import KEPT, SHOWN_LINE_KINDS, FidelityColumn, Field, FieldTable, Refusal, Schema, Shown
from dialects.kit.lenient import cast_text, to_int
from dialects.kit.openapi import nullable

TAX_RATES = (25, 12, 6, 0)
MAX_LENGTH = {"text": 255, "product_name": 255, "product_code": 30, "product_unit": 30, "name": 255, "unit": 30}
CLIENT_SETTINGS_OUTPUT = ("currency", "discount", "email_attach_pdf", "invoice_days", "invoice_delivery_method",
                          "invoice_template", "locale", "prices_inc_tax", "show_product_code", "tax")

STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}
DECIMAL: Schema = {"type": "string", "pattern": r"^-?\d+\.\d+$", "examples": ["2370.0", "191.25"]}
NUMBER_IN: Schema = {"type": ["number", "string"]}
INTEGER_IN: Schema = {"type": ["integer", "string"]}
TAX_IN: Schema = {"type": ["integer", "string"], "enum": [*TAX_RATES, *(str(t) for t in TAX_RATES)]}
BOOL_IN: Schema = {"type": ["boolean", "string", "integer"]}


def closed(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    """An object fakturan answers with exactly these keys."""
    return {"type": "object", "properties": properties,
            "required": sorted(properties) if required is None else required, "additionalProperties": False}


# -- values as fakturan writes and reads them ---------------------------------------------------------

# decimal_string's texts by value: a page repeats its amounts (prices, quantities, totals), and the text depends on
# the value alone (trailing zeros are cut, so 1.5 and 1.50 print alike). Bounded: emptied when full.
_TEXTS: dict[Decimal, str] = {}
_MAX_TEXTS = 4096


def decimal_string(value: Decimal | int | None) -> str | None:
    """Ruby BigDecimal#to_s as Rails renders it: "2370.0", "191.25", "10.0"."""
    if value is None:
        return None
    if type(value) is Decimal and value.is_finite():
        text = _TEXTS.get(value)
        if text is not None:
            return text
        # The plain text with its trailing zeros cut: what normalize() then format() give, at a third of the
        # cost. Long texts take the general way: normalize() rounds to the context's 28 digits, and is not kept.
        text = plain_text(value)
        if len(text) < 24:
            if "." in text:
                text = text.rstrip("0")
                text = text + "0" if text.endswith(".") else text
            else:
                text += ".0"
            if text.startswith("-") and not text.strip("-0."):
                text = text[1:]
            if len(_TEXTS) >= _MAX_TEXTS:
                _TEXTS.clear()
            _TEXTS[value] = text
            return text
    return _normalized_string(value)


def _normalized_string(value: Decimal | int) -> str:
    text = format(Decimal(value).normalize(), "f")
    if text.startswith("-") and Decimal(text) == 0:
        text = text[1:]
    return text if "." in text else text + ".0"


def number_or_string(value: Decimal | None) -> int | str:
    """Whole numbers as integers (the recorded `discount: 0`), fractions as decimal strings."""
    if value is None:
        return 0
    return int(value) if value == value.to_integral_value() else decimal_string(value) or "0.0"


@functools.lru_cache(maxsize=256)
def tax_integer(code: str) -> int | str:
    try:
        value = Decimal(code)
    except ArithmeticError:
        return code
    return int(value) if value == value.to_integral_value() else decimal_string(value) or code


def text(limit: int) -> Any:
    """A string column: Rails' cast, then its length validation."""
    def read(value: Any) -> str:
        cast = cast_text(value)
        if len(cast) > limit:
            raise Refusal("too_long", count=limit)
        return cast
    return read


def amount(value: Any) -> Decimal:
    try:
        return to_decimal(value)
    except (ValueError, ArithmeticError):
        raise Refusal("not_a_number") from None


def tax_rate(value: Any) -> int:
    """One of fakturan.nu's rates; anything else is "inclusion" (with the value when it was a number)."""
    try:
        number = to_int(value)
    except (ValueError, ArithmeticError):
        raise Refusal("inclusion") from None
    if number not in TAX_RATES:
        raise Refusal("inclusion", value=number)
    return number


def _company_type(company: bool) -> str:
    return "company" if company else "individual"


def _settings(stored: dict[str, Any] | None) -> dict[str, Any]:
    return {key: (stored or {}).get(key) for key in CLIENT_SETTINGS_OUTPUT}


def _shown_only(wire: str, core: str, schema: Schema, present: Any = None) -> Field:
    return Field(wire, core, writable=False, schema=schema, **({"present": present} if present else {}))


def _client_text(wire: str, core: str, shown: bool = True) -> Field:
    return Field(wire, core, text(255), shown=shown, schema=STRING, input_schema={"type": "string", "maxLength": 255})


SETTING_TYPES: dict[str, Schema] = {
    "currency": STRING, "discount": {"type": ["integer", "string"]}, "email_attach_pdf": BOOLEAN,
    "invoice_days": INTEGER, "invoice_delivery_method": STRING, "invoice_template": STRING, "locale": STRING,
    "prices_inc_tax": STRING, "show_product_code": BOOLEAN, "tax": {"type": ["integer", "string"]},
}

# Client, in the real service's order. `company` (the name of a company), `client_type` and `settings` are
# read by parse.client_fields (they depend on each other); web, vat_number and gln are accepted, never shown.
CLIENT = FieldTable("client", (
    _shown_only("id", "id", INTEGER),
    Field("number", "number", lambda value: None if value is None else to_int(value), schema=nullable(INTEGER),
          input_schema=nullable(INTEGER_IN)),
    _shown_only("name", "name", STRING),
    *(_client_text(key, key) for key in ("first_name", "last_name", "email", "fax", "phone", "home_phone",
                                         "mobile_phone")),
    _shown_only("client_type", "company", {"type": "string", "enum": ["company", "individual"]}, _company_type),
    _client_text("org_number", "tax_no"),
    _client_text("web", "www", shown=False), _client_text("vat_number", "vat_eu", shown=False),
    _client_text("gln", "gln", shown=False),
    _shown_only("settings", "settings", closed({key: nullable(SETTING_TYPES[key]) for key in CLIENT_SETTINGS_OUTPUT}),
                _settings),
    _client_text("address.street_address", "street"), _client_text("address.care_of", "care_of"),
    _client_text("address.zip_code", "post_code"), _client_text("address.city", "city"),
    _client_text("address.country", "country"),
))

# Product (price_inc_tax is computed by core as price_gross).
PRODUCT = FieldTable("product", (
    _shown_only("id", "id", INTEGER),
    Field("product_code", "code", text(MAX_LENGTH["product_code"]), lambda code: code or None,
          schema=nullable(STRING), input_schema={"type": "string", "maxLength": MAX_LENGTH["product_code"]}),
    Field("name", "name", text(MAX_LENGTH["name"]), schema=STRING,
          input_schema={"type": "string", "minLength": 1, "maxLength": MAX_LENGTH["name"]}),
    Field("unit", "unit", text(MAX_LENGTH["unit"]), schema=STRING,
          input_schema={"type": "string", "maxLength": MAX_LENGTH["unit"]}),
    Field("price", "price_net", amount, decimal_string, schema=DECIMAL, input_schema=NUMBER_IN),
    _shown_only("price_inc_tax", "price_gross", DECIMAL, decimal_string),
    Field("tax", "tax", lambda value: str(tax_rate(value)), tax_integer, schema={"type": ["integer", "string"]},
          input_schema=TAX_IN),
))

# Invoice header: fakturan key -> Invoice column; our_reference, your_reference and the settings
# invoice_template/show_product_code have no column and live in Invoice.extra under the same names.
INVOICE_FIELDS: dict[str, str] = {"number": "number", "date": "issue_date", "client_id": "client_id",
                                  "days": "payment_to_kind", "locale": "lang", "currency": "currency",
                                  "settings.prices_inc_tax": "prices_gross"}
INVOICE_EXTRA = ("our_reference", "your_reference")
INVOICE_SETTINGS_EXTRA = ("invoice_template", "show_product_code")

# A recurring invoice's attributes (the gem's): fakturan key -> Recurring column of the definition the
# invoice is the template of. interval_period counts months; core keeps it as `every` ("3m").
RECURRING_FIELDS: dict[str, str] = {"interval_period": "every", "auto_send": "send_email", "recurring": "active",
                                    "last_day_of_month": "month_end", "start_recurring_from": "start_date"}

# Invoice row: fakturan key -> InvoiceLine column / LineSpec attribute.
ROW_FIELDS: dict[str, str] = {"id": "id", "product_id": "product_id", "discount": "discount_percent",
                              "amount": "quantity", "text": "description", "product_code": "code",
                              "product_name": "name", "product_unit": "unit", "product_price": "price_net",
                              "product_tax": "tax", "text_row": "kind", "sort_order": "position",
                              "tax_deductible": "tax_deductible"}

# Payment: fakturan key -> Payment column.
PAYMENT_FIELDS: dict[str, str] = {"paid_at": "paid_date", "amount": "amount", "invoice_id": "invoice_id"}


# -- fidelity: how fakturan.nu shows an invoice (its column of gateway.fidelity's table) -------------------
_WIRE = {core: wire for wire, core in INVOICE_FIELDS.items()}
_ROW_WIRE = {core: wire for wire, core in ROW_FIELDS.items()}
_ONE_KIND = "fakturan.nu has one document kind, a plain invoice"


def _due(view: Any) -> date | None:
    """fakturan shows `days`; date + days is the due date (a fixed date shows as its distance)."""
    invoice = view.invoice
    if invoice.payment_to_kind.isdigit():
        return invoice.issue_date + timedelta(days=int(invoice.payment_to_kind))
    return invoice.payment_to


def _tax_per_rate(view: Any) -> dict[str, Decimal]:
    from core.handlers.lines import totals_of  # the ledger's models: only when the parity suite asks
    return {rate.tax.code: rate.tax_amount for rate in totals_of(view.invoice, view.lines).per_rate}


FIDELITY = FidelityColumn(
    shows={
        "number": Shown(_WIRE["number"], "approximate", "an integer: the series counter (`nrx`); equal to the number "
                                                        "on accounts with plain `nr` numbering (`--profile fakturan`)",
                        lambda v: v.invoice.seq),
        "kind": Shown(None, "absent", "every document reads as a plain invoice; the kind is " + KEPT),
        "issue_date": Shown(_WIRE["issue_date"]),
        "sell_date": Shown(None, "absent", KEPT + " (new fakturan invoices get the issue date)"),
        "payment_to": Shown(_WIRE["payment_to_kind"], "approximate",
                            "`days` after `date`; a fixed due date shows as its distance in days", _due),
        "buyer": Shown("address.name, address.street_address, address.zip_code, address.city", "approximate",
                       "`address` (Swedish zip codes print as `940 43`); e-mail and phone are " + KEPT),
        "buyer_tax_no": Shown(None, "absent", "on the client (`org_number`), not on the invoice; the invoice's copy "
                                              "is " + KEPT),
        "client_id": Shown(_WIRE["client_id"]),
        "seller": Shown(None, "absent", "the account's own company; " + KEPT),
        "lines": Shown("rows[]", "approximate", "`rows` with name, amount, unit and tax; no line totals "
                                                "(`product_price` is the unit price before discount, gross when "
                                                "`prices_inc_tax`); `code`/`description` as `product_code`/`text`",
                       lambda v: [(line.name, line.quantity, line.unit, line.tax) for line in v.lines
                                  if line.kind in SHOWN_LINE_KINDS]),
        "discount": Shown(f"rows[].{_ROW_WIRE['discount_percent']}", "approximate",
                          "percent only; an amount discount shows as its effect on the prices"),
        "totals": Shown("net, tax, sum", "approximate",
                        "`sum` is the amount payable, i.e. gross plus SEK cash rounding",
                        lambda v: (v.invoice.price_net, v.invoice.price_tax, v.invoice.payable)),
        "per_rate": Shown("tax_details", "approximate", "`tax_details` gives the tax per rate, not the net",
                          _tax_per_rate),
        "cash_rounding": Shown("sum", "approximate", "included in `sum` (öresavrundning)"),
        "paid": Shown("GET /invoices/:id/payments", "approximate",
                      "the sum of the invoice's payments, each the share applied to this invoice; marking an invoice "
                      "paid (any dialect) records a payment of the balance, so the sum is `paid`"),
        "paid_date": Shown("paid_at", "approximate", "`paid_at` only once the invoice is fully paid (null before)",
                           lambda v: v.invoice.paid_date if v.invoice.status == "paid" else None),
        "status": Shown("sent, paid_at", "approximate",
                        "`sent` (true once sent) and `paid_at`; cancelled and partial have no fakturan form, so a "
                        "cancelled invoice reads as unpaid; the status is " + KEPT,
                        lambda v: (v.invoice.sent_at is not None, v.invoice.status == "paid")),
        "currency": Shown(_WIRE["currency"]),
        "exchange_rate": Shown(None, "absent", KEPT),
        "lang": Shown(_WIRE["lang"]),
        "prices_gross": Shown(_WIRE["prices_gross"]),
        **{name: Shown(None, "absent", KEPT) for name in ("description", "internal_note", "place", "from_invoice_id",
                                                          "payment_type", "recipient", "cancel_reason")},
        "references": Shown(", ".join(INVOICE_EXTRA)),
        "correction_reason": Shown(None, "absent", "a correction shows its difference rows; the before/after states "
                                                   "are " + KEPT),
        "category_id": Shown(None, "absent", "fakturan.nu has no categories; " + KEPT),
        "warehouse_id": Shown(None, "absent", "fakturan.nu has no warehouses or stock; " + KEPT
                                              + ", and changed rows re-issue the invoice's WZ"),
    },
    cannot={
        "tax_rates": "fakturan.nu's rates are 25, 12, 6 and 0; `zw`/`np` cannot be written (they read back as "
                     "`\"zw\"`/`\"np\"`)",
        "proforma_to_vat": _ONE_KIND, "correction": _ONE_KIND,
        "foreign_currency": "fakturan.nu has `currency` but no exchange rate",
        "split_payment": "fakturan.nu pays one invoice at a time (`/invoices/:id/payments`)",
        "cancelled": "fakturan.nu's API cannot cancel an invoice",
        "deleted": "fakturan.nu's API has no invoice DELETE",
    },
)
