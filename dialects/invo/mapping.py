"""Every INVO name <-> core name table, one place each. Kinds say how a value is parsed:
str, int, id, date, decimal, flag."""
from __future__ import annotations

from typing import Any, Mapping

from dialects.invo import parse

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

# ---- customers (core Client) --------------------------------------------------------------------
CUSTOMER_FIELDS: dict[str, tuple[str, str]] = {
    "group": ("group_id", "int"), "symbol": ("shortcut", "str"), "name": ("name", "str"),
    "street": ("street", "str"), "code": ("post_code", "str"), "city": ("city", "str"),
    "country": ("country", "str"), "region": ("region", "str"), "taxid": ("tax_no", "str"),
    "tueid": ("vat_eu", "str"), "traid": ("register_number", "str"), "krsid": ("krs", "str"),
    "bname": ("bank", "str"), "baccount": ("bank_account", "str"), "bswift": ("bank_swift", "str"),
    "sphone": ("phone", "str"), "mphone": ("mobile_phone", "str"), "faxnr": ("fax", "str"),
    "website": ("www", "str"), "email": ("email", "str"), "c1": ("is_buyer", "flag"), "c2": ("is_seller", "flag"),
}
CUSTOMER_SEARCH: tuple[str, ...] = ("name", "shortcut", "tax_no", "city", "street", "email", "phone")

# ---- products (core Product) --------------------------------------------------------------------
PRODUCT_FIELDS: dict[str, tuple[str, str]] = {
    "type": ("service", "flag"), "group": ("category_id", "int"), "symbol": ("code", "str"), "name": ("name", "str"),
    "desc": ("description", "str"), "pkwiu": ("pkwiu", "str"), "sww": ("sww", "str"), "vatsm": ("tax", "str"),
    "unitsm": ("unit", "str"), "pnetto": ("price_net", "decimal"), "pbrutto": ("price_gross", "decimal"),
    "brutto": ("price_gross", "decimal"), "currency": ("currency", "str"), "notices": ("notes", "str"),
    "website": ("website", "str"),
}
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
CUSTOMER_NAMES = reverse(CUSTOMER_FIELDS)
PRODUCT_NAMES = {**reverse(PRODUCT_FIELDS), "price_gross": "pbrutto"}

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
