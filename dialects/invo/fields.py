"""Every INVO name <-> core name table, one place each. Kinds say how a value is parsed:
str, int, id, date, decimal, flag."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Mapping

from dialects.invo import parse
from dialects.kit.fields import (
    KEPT,
    SHOWN_LINE_KINDS,
    FidelityColumn,
    Field,
    FieldTable,
    Schema,
    Shown,
    line_key,
    same,
)

# ---- invoices ---------------------------------------------------------------------------------
# type2 code -> core kind. Cost invoices are the same kinds with "buy":1 (core income False).
TYPE2: dict[str, str] = {
    "+FV": "vat", "+KOR": "correction", "+PRO": "proforma", "+RA": "bill", "+PAR": "receipt",
    "+ZAL": "advance", "+KON": "final", "+OF": "estimate", "+FVM": "vat_margin", "+WDT": "wdt",
    "+EXP": "export_products",
}
KIND_TYPE2: dict[str, str] = {kind: code for code, kind in TYPE2.items()}
TITLES: dict[str, str] = {
    "+FV": "Faktura", "+KOR": "Faktura korygująca", "+PRO": "Faktura proforma", "+RA": "Rachunek",
    "+PAR": "Paragon", "+ZAL": "Faktura zaliczkowa", "+KON": "Faktura końcowa", "+OF": "Oferta",
    "+FVM": "Faktura VAT marża", "+WDT": "Faktura WDT", "+EXP": "Faktura eksportowa",
}

# INVO status code <-> core status. Core "issued" (and "partial", "rejected": not fully paid) read as 4.
STATUS_TO_CORE: dict[int, str] = {0: "draft", 1: "sent", 2: "printed", 3: "paid", 4: "issued", 5: "cancelled"}
STATUS_FROM_CORE: dict[str, int] = {**{v: k for k, v in STATUS_TO_CORE.items()}, "partial": 4, "rejected": 4}

# INVO header field -> (core Invoice column, kind). c2* go to the recipient snapshot (see RECIPIENT).
INVOICE_FIELDS: dict[str, tuple[str, str]] = {
    "nrdoc": ("number", "str"), "c1id": ("client_id", "id"), "c1name": ("buyer_name", "str"),
    "c1street": ("buyer_street", "str"), "c1code": ("buyer_post_code", "str"), "c1city": ("buyer_city", "str"),
    "c1taxid": ("buyer_tax_no", "str"), "mdate": ("issue_date", "date"), "sdate": ("sell_date", "date"),
    "tdate": ("payment_to", "date"), "pdate": ("paid_date", "date"), "currency": ("currency", "str"),
    "currval": ("exchange_rate", "decimal"), "brutto": ("prices_gross", "flag"), "notices": ("description", "str"),
    "notices_priv": ("internal_note", "str"), "place": ("place", "str"), "kid": ("from_invoice_id", "id"),
    "bank_name": ("seller_bank", "str"), "bank_account": ("seller_bank_account", "str"),
}
RECIPIENT: tuple[str, ...] = ("name", "street", "code", "city", "taxid", "tueid", "traid", "krsid")
# Seed fields the core has no column for: kept in invoice.extra under the same name, so they round-trip.
INVOICE_EXTRA: tuple[str, ...] = (
    "def", "cdesc", "cost2", "car2", "title", "c1tueid", "c1traid", "c1krsid", "sdchk", "sdate2", "currdt",
    "currtab", "bank_id", "bank_swift", "ptid", "issuing", "receiving", "dwks", "nupt", "qucart", "quofpcs",
    "netweight", "grossweight", "container", "delivery", "accsch", "accpow", "aufc", "aufq", "auem", "aumsg",
    "emt",
)
# Sortable INVO columns -> core invoice order columns.
INVOICE_SORT: dict[str, str] = {
    "id": "id", "nrdoc": "number", "nrx": "seq", "mdate": "issue_date", "sdate": "sell_date",
    "tdate": "payment_to", "pdate": "paid_date", "c1name": "buyer_name", "c1taxid": "buyer_tax_no",
    "vnetto": "price_net", "vbrutto": "price_gross", "status": "status", "currency": "currency",
    "type2": "kind",
}

# ---- items ------------------------------------------------------------------------------------
# INVO item field -> (LineSpec attribute, kind). unitid/vatid go through the dictionaries.
ITEM_FIELDS: dict[str, tuple[str, str]] = {
    "product": ("name", "str"), "pkwiu": ("additional_info", "str"), "discount": ("discount_percent", "decimal"),
    "unitsm": ("unit", "str"), "unit": ("unit", "str"), "count": ("quantity", "decimal"), "vatsm": ("tax", "str"),
    "pnetto": ("price_net", "decimal"), "pbrutto": ("price_gross", "decimal"),
    "vnetto": ("total_net", "decimal"), "vbrutto": ("total_gross", "decimal"),
}
ITEM_EXTRA: tuple[str, ...] = ("cartons", "orgin", "ubi", "vatname", "unitid", "vatid")

# ---- customers (core Client) and products (core Product) ---------------------------------------------
# A field's kind says how its value is read (_PARSERS) and written (_PRESENTERS); `group` is a dictionary ID
# (groupcu/groupgs) and the product's vatid/unitid come from the dictionaries: the resources read those.
_PRESENTERS: dict[str, Callable[[Any], Any]] = {"flag": lambda value: 1 if value else 0,
                                                 "int": lambda value: value or 0}
_SCHEMAS: dict[str, Schema] = {
    "str": {"type": "string"}, "int": {"type": "integer"}, "id": {"type": "integer", "minimum": 1},
    "date": {"type": "string", "format": "date"}, "decimal": {"type": "number"}, "flag": {"type": "integer",
                                                                                           "enum": [0, 1]}}


def wire_field(wire: str, core: str, kind: str, *, writable: bool = True, shown: bool = True,
           present: Callable[[Any], Any] | None = None) -> Field:
    return Field(wire, core, lambda value: convert(value, kind, wire), present or _PRESENTERS.get(kind, same),
                 writable=writable, shown=shown, schema=_SCHEMAS[kind], kind=kind)


def _tax_symbol(code: str) -> str:
    from dialects.invo.lookups import tax_symbol  # lookups reads the dictionaries (core models): on use only
    return tax_symbol(code)


CUSTOMER = FieldTable("customers", (
    wire_field("group", "group_id", "int", writable=False),
    *(wire_field(wire, core, kind) for wire, core, kind in (
        ("symbol", "shortcut", "str"), ("name", "name", "str"), ("street", "street", "str"),
        ("code", "post_code", "str"), ("city", "city", "str"), ("country", "country", "str"),
        ("region", "region", "str"), ("taxid", "tax_no", "str"), ("tueid", "vat_eu", "str"),
        ("traid", "register_number", "str"), ("krsid", "krs", "str"), ("bname", "bank", "str"),
        ("baccount", "bank_account", "str"), ("bswift", "bank_swift", "str"), ("sphone", "phone", "str"),
        ("mphone", "mobile_phone", "str"), ("faxnr", "fax", "str"), ("website", "www", "str"),
        ("email", "email", "str"), ("c1", "is_buyer", "flag"), ("c2", "is_seller", "flag"))),
))
CUSTOMER_SEARCH: tuple[str, ...] = ("name", "shortcut", "tax_no", "city", "street", "email", "phone")

PRODUCT = FieldTable("products", (
    wire_field("type", "service", "flag"), wire_field("group", "category_id", "int", writable=False),
    *(wire_field(wire, core, kind) for wire, core, kind in (
        ("symbol", "code", "str"), ("name", "name", "str"), ("desc", "description", "str"),
        ("pkwiu", "pkwiu", "str"), ("sww", "sww", "str"))),
    wire_field("vatsm", "tax", "str", present=_tax_symbol), wire_field("unitsm", "unit", "str"),
    wire_field("pnetto", "price_net", "decimal"), wire_field("pbrutto", "price_gross", "decimal"),
    # the gross price as the seed's add example names it
    wire_field("brutto", "price_gross", "decimal", shown=False),
    wire_field("currency", "currency", "str"), wire_field("notices", "notes", "str"),
    wire_field("website", "website", "str"),
))
PRODUCT_SEARCH: tuple[str, ...] = ("name", "code", "description", "pkwiu")

# ---- dictionaries ------------------------------------------------------------------------------
# what -> the data keys behind c3, c4, ... (c1 is the entry ID, c2 is always 0 as in the seed).
DICTIONARY_COLUMNS: dict[str, tuple[str, ...]] = {
    "taxrates": ("name", "symbol", "rate"), "accounts": ("bank_name", "number", "swift"),
    "employees": ("first_name", "last_name"), "groupcu": ("name", "description"),
    "groupgs": ("name", "description"), "paytypes": ("name", "days", "cash_percent", "transfer", "card"),
    "units": ("name", "symbol", "precision"),
}


def reverse(table: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """core column -> INVO name (the first INVO name wins where two share a column)."""
    out: dict[str, str] = {}
    for invo, (core, _kind) in table.items():
        out.setdefault(core, invo)
    return out


INVOICE_NAMES = {**reverse(INVOICE_FIELDS), "kind": "type2", "status": "status", "seq": "nrx",
                 "recipient_id": "c2id", "income": "buy", "from_invoice_id": "kid"}
ITEM_NAMES = {**reverse(ITEM_FIELDS), "product_id": "product"}

_PARSERS = {"str": parse.as_str, "int": parse.as_int, "id": parse.as_id, "date": parse.as_date,
            "decimal": parse.as_decimal, "flag": parse.as_flag}


def convert(value: Any, kind: str, field: str) -> Any:
    if value is None and kind in ("int", "id", "date"):
        return None
    return _PARSERS[kind](value, field)


def to_core(q: Mapping[str, Any], table: Mapping[str, tuple[str, str]], prefix: str = "") -> dict[str, Any]:
    """The given INVO fields as core columns with clean values (absent fields stay absent)."""
    out: dict[str, Any] = {}
    for invo, (core, kind) in table.items():
        if invo in q:
            out[core] = convert(q[invo], kind, prefix + invo)
    return out


# ---- fidelity: how INVO shows an invoice (its column of gateway.fidelity's table) ------------------------
def _shown_items(view: Any) -> list[Any]:
    """INVO lists a correction's before and after states as items, never the difference rows."""
    parents = {line.parent_id for line in view.lines if line.parent_id is not None}
    return [line for line in view.lines if line.kind in ("correction_before", "correction_after")
            or (line.kind in SHOWN_LINE_KINDS and line.id not in parents)]


def _names(*columns: str) -> str:
    return ", ".join(INVOICE_NAMES[column] for column in columns)


_NO_PAYMENTS = "INVO has no payments: status 3 (paid) is all it can say"
FIDELITY = FidelityColumn(
    shows={
        "number": Shown(_names("number"), "exact", f"`{_names('number')}` the rendered number, "
                                                   f"`{_names('seq')}` its counter"),
        "kind": Shown(_names("kind"), "approximate", f"`type2` codes for the {len(TYPE2)} kinds INVO knows (+FV, "
                                                     "+PRO, +KOR, ...); other kinds show their core name",
                      lambda v: KIND_TYPE2.get(v.invoice.kind, v.invoice.kind)),
        "issue_date": Shown(_names("issue_date")),
        "sell_date": Shown(_names("sell_date"), "exact", "a full date (a month sale date shows its first day)"),
        "payment_to": Shown(_names("payment_to")),
        "buyer": Shown(_names("buyer_name", "buyer_street", "buyer_post_code", "buyer_city"), "approximate",
                       "name, street, code and city; country, e-mail and phone are " + KEPT),
        "buyer_tax_no": Shown(_names("buyer_tax_no")),
        "client_id": Shown(_names("client_id"), projection=lambda v: v.invoice.client_id or 0),
        "seller": Shown(None, "absent", "sales documents show only the seller's bank (`bank_name`, `bank_account`); "
                                        "the seller is " + KEPT),
        "lines": Shown("items[]", "approximate", "`items` (list with `id` and `items:1`); a correction lists its "
                                                 "before and after states, not the difference",
                       lambda v: [line_key(line) for line in _shown_items(v)]),
        "discount": Shown(f"items[].{ITEM_NAMES['discount_percent']}", "approximate",
                          "percent only: an amount discount shows as its effect on the prices; the amount is " + KEPT,
                          lambda v: [line.discount_percent or Decimal(0) for line in _shown_items(v)]),
        "totals": Shown("vnetto, vbrutto", "approximate", "net and gross; the tax is their difference"),
        "per_rate": Shown("items[].vnetto by vatsm (and r=bookkeeping rates)", "approximate",
                          "the net per rate is the sum of the items' `vnetto`; `r=bookkeeping` lists rates for VAT "
                          "kinds"),
        "cash_rounding": Shown(None, "absent", "`vbrutto` is before rounding; the rounding line is on the PDF"),
        "paid": Shown("paid"),
        "paid_date": Shown(_names("paid_date")),
        "status": Shown(_names("status"), "approximate",
                        "0 draft, 1 sent, 2 printed, 3 paid, 4 issued/partial/rejected, 5 cancelled",
                        lambda v: STATUS_FROM_CORE.get(v.invoice.status, 4)),
        "currency": Shown(_names("currency")),
        "exchange_rate": Shown(_names("exchange_rate"), "approximate",
                               "`currval` (1 when none); `exchange_currency` is " + KEPT,
                               lambda v: v.invoice.exchange_rate or Decimal(1)),
        "lang": Shown("lang", "approximate", "upper case (`PL`, `EN`, `DE` can be written)",
                      lambda v: v.invoice.lang.upper()),
        "prices_gross": Shown(_names("prices_gross")),
        "description": Shown(_names("description")),
        "internal_note": Shown(_names("internal_note")),
        "place": Shown(_names("place")),
        "from_invoice_id": Shown(_names("from_invoice_id"), "approximate", "`kid`, shown on corrections only",
                                 lambda v: (v.invoice.from_invoice_id or 0) if v.invoice.kind == "correction" else 0),
        "payment_type": Shown("ptid", "approximate",
                              "written as a `paytypes` entry (`ptid`); the method itself is " + KEPT),
        "recipient": Shown(f"{_names('recipient_id')}, c2name, ..."),
        "references": Shown(None, "absent", KEPT),
        "cancel_reason": Shown(None, "absent", KEPT),
        "correction_reason": Shown("items[].kid (before/after items)", "approximate",
                                   "before and after as items (`bef`); the reason is " + KEPT),
        "category_id": Shown(None, "absent", "INVO invoices have no category (INVO's product groups are the "
                                             "categories: a product's `group`); " + KEPT),
        "warehouse_id": Shown(None, "absent", "INVO has no warehouses or stock; " + KEPT
                                              + ", and changed items re-issue the invoice's WZ"),
    },
    cannot={"partial_payment": _NO_PAYMENTS, "split_payment": _NO_PAYMENTS, "paid_then_payment": _NO_PAYMENTS},
)
