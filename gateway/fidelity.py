"""The one table of what each dialect can show of an invoice, and what "the same invoice" means.

Each FieldRule names a core-level field, the wire key (or path) that shows it in each dialect, how
faithfully (exact / approximate / absent) and, where a dialect cannot show it, what happens to the
value. `core` reads the ledger's truth from an InvoiceView; `shown` overrides it per dialect with the
projection that dialect is expected to show (fakturan's `number` is the counter, INVO's status is a
code, ...). The parity suite (tests/parity/) reads every invoice through every dialect and checks each
non-absent field against these projections; the README's lossy-mapping table is `render_markdown()`;
the console's Rosetta view highlights `lossy_fields(dialect)`.

Status and kind projections reuse the dialects' own tables, so nothing here is a second mapping.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Callable, Mapping

from core.handlers.invoice_state import InvoiceView
from core.handlers.lines import totals_of
from core.models import InvoiceLine
from dialects.invo.mapping import KIND_TYPE2, STATUS_FROM_CORE
from dialects.invoiceocean.present import STATUS as IO_STATUS

DIALECTS = ("invoiceocean", "invo", "fakturan")
# Where a wire key is shown: the Rosetta view has a pane for InvoiceOcean XML too.
PANES = ("invoiceocean", "invoiceocean_xml", "invo", "fakturan")
FIDELITIES = ("exact", "approximate", "absent")
SHOWN_LINE_KINDS = ("normal", "text", "correction")

Reader = Callable[[InvoiceView], Any]


@dataclass(frozen=True)
class FieldRule:
    name: str                        # core-level field name, e.g. "sell_date"
    label: str                       # what a reader of the README calls it
    wire: Mapping[str, str | None]   # pane -> wire key/path showing it; None = cannot express
    fidelity: Mapping[str, str]      # dialect -> exact | approximate | absent
    note: Mapping[str, str]          # dialect -> what happens to it / how it is approximated
    core: Reader | None = None       # the ledger's value; None: not compared field by field
    shown: Mapping[str, Reader] = field(default_factory=dict)  # dialect -> the projection it must show
    compared: bool = True            # the parity suite compares it in every scenario

    def expected(self, dialect: str, view: InvoiceView) -> Any:
        """What `dialect` must show for this field of the invoice in `view`."""
        reader = self.shown.get(dialect, self.core)
        if reader is None:
            raise ValueError(f"{self.name} has no projection for {dialect}")
        return reader(view)


def _line_key(line: InvoiceLine) -> tuple[Any, ...]:
    return (line.name, line.quantity, line.unit, line.tax, line.total_net, line.total_gross)


def _lines(view: InvoiceView) -> list[tuple[Any, ...]]:
    return [_line_key(line) for line in view.lines if line.kind in SHOWN_LINE_KINDS]


def _invo_shown(view: InvoiceView) -> list[InvoiceLine]:
    """INVO lists a correction's before and after states as items, never the difference rows."""
    parents = {line.parent_id for line in view.lines if line.parent_id is not None}
    return [line for line in view.lines if line.kind in ("correction_before", "correction_after")
            or (line.kind in SHOWN_LINE_KINDS and line.id not in parents)]


def _invo_items(view: InvoiceView) -> list[tuple[Any, ...]]:
    return [_line_key(line) for line in _invo_shown(view)]


def _rows(view: InvoiceView) -> list[tuple[Any, ...]]:
    return [(line.name, line.quantity, line.unit, line.tax) for line in view.lines if line.kind in SHOWN_LINE_KINDS]


def _discounts(view: InvoiceView) -> list[Decimal]:
    return [line.discount_percent or Decimal(0) for line in view.lines if line.kind in SHOWN_LINE_KINDS]


def _invo_discounts(view: InvoiceView) -> list[Decimal]:
    return [line.discount_percent or Decimal(0) for line in _invo_shown(view)]


def _per_rate_net(view: InvoiceView) -> dict[str, Decimal]:
    return {rate.tax.code: rate.net for rate in totals_of(view.invoice, view.lines).per_rate}


def _per_rate_tax(view: InvoiceView) -> dict[str, Decimal]:
    return {rate.tax.code: rate.tax_amount for rate in totals_of(view.invoice, view.lines).per_rate}


def _due(view: InvoiceView) -> date | None:
    return view.invoice.payment_to


def _fakturan_due(view: InvoiceView) -> date | None:
    """fakturan shows `days`; date + days is the due date (a fixed date shows as its distance)."""
    inv = view.invoice
    if inv.payment_to_kind.isdigit():
        return inv.issue_date + timedelta(days=int(inv.payment_to_kind))
    return inv.payment_to


def _fakturan_status(view: InvoiceView) -> tuple[bool, bool]:
    inv = view.invoice
    return inv.sent_at is not None, inv.status == "paid"


def _attr(name: str) -> Reader:
    return lambda view: getattr(view.invoice, name)


ALL_EXACT = {d: "exact" for d in DIALECTS}
NO_NOTE = {d: "" for d in DIALECTS}
KEPT = "kept in the ledger, not shown; survives an update through this dialect"


def _rule(name: str, label: str, wire: Mapping[str, str | None], fidelity: Mapping[str, str] | None = None,
          note: Mapping[str, str] | None = None, **kw: Any) -> FieldRule:
    return FieldRule(name, label, wire, {**ALL_EXACT, **(fidelity or {})}, {**NO_NOTE, **(note or {})}, **kw)


FIELDS: tuple[FieldRule, ...] = (
    _rule("number", "number",
          {"invoiceocean": "number", "invoiceocean_xml": "invoice/number", "invo": "nrdoc", "fakturan": "number"},
          {"fakturan": "approximate"},
          {"invo": "`nrdoc` the rendered number, `nrx` its counter",
           "fakturan": "an integer: the series counter (`nrx`); equal to the number on accounts with plain `nr` "
                       "numbering (`--profile fakturan`)"},
          core=_attr("number"), shown={"fakturan": _attr("seq")}),
    _rule("kind", "document kind",
          {"invoiceocean": "kind", "invoiceocean_xml": "invoice/kind", "invo": "type2", "fakturan": None},
          {"invo": "approximate", "fakturan": "absent"},
          {"invo": "`type2` codes for the 11 kinds INVO knows (+FV, +PRO, +KOR, ...); other kinds show their core "
                   "name",
           "fakturan": "every document reads as a plain invoice; the kind is " + KEPT},
          core=_attr("kind"), shown={"invo": lambda v: KIND_TYPE2.get(v.invoice.kind, v.invoice.kind)}),
    _rule("issue_date", "issue date",
          {"invoiceocean": "issue_date", "invoiceocean_xml": "invoice/issue-date", "invo": "mdate",
           "fakturan": "date"}, core=_attr("issue_date")),
    _rule("sell_date", "sale date",
          {"invoiceocean": "sell_date", "invoiceocean_xml": "invoice/sell-date", "invo": "sdate", "fakturan": None},
          {"fakturan": "absent"},
          {"invoiceocean": "`YYYY-MM` when given as a month",
           "invo": "a full date (a month sale date shows its first day)",
           "fakturan": KEPT + " (new fakturan invoices get the issue date)"},
          core=_attr("sell_date")),
    _rule("payment_to", "due date",
          {"invoiceocean": "payment_to", "invoiceocean_xml": "invoice/payment-to", "invo": "tdate",
           "fakturan": "days"},
          {"fakturan": "approximate"},
          {"invoiceocean": "plus `payment_to_kind` (days)",
           "fakturan": "`days` after `date`; a fixed due date shows as its distance in days"},
          core=_due, shown={"fakturan": _fakturan_due}),
    _rule("buyer", "buyer name and address",
          {"invoiceocean": "buyer_name, buyer_street, buyer_post_code, buyer_city",
           "invoiceocean_xml": "invoice/buyer-name, ...", "invo": "c1name, c1street, c1code, c1city",
           "fakturan": "address.name, address.street_address, address.zip_code, address.city"},
          {"fakturan": "approximate", "invo": "approximate"},
          {"invoiceocean": "all buyer_* fields, country, e-mail and phone too",
           "invo": "name, street, code and city; country, e-mail and phone are " + KEPT,
           "fakturan": "`address` (Swedish zip codes print as `940 43`); e-mail and phone are " + KEPT},
          core=lambda v: (v.invoice.buyer_name, v.invoice.buyer_street, v.invoice.buyer_post_code.replace(" ", ""),
                          v.invoice.buyer_city)),
    _rule("buyer_tax_no", "buyer tax number",
          {"invoiceocean": "buyer_tax_no", "invoiceocean_xml": "invoice/buyer-tax-no", "invo": "c1taxid",
           "fakturan": None},
          {"fakturan": "absent"},
          {"fakturan": "on the client (`org_number`), not on the invoice; the invoice's copy is " + KEPT},
          core=_attr("buyer_tax_no")),
    _rule("client_id", "client",
          {"invoiceocean": "client_id", "invoiceocean_xml": "invoice/client-id", "invo": "c1id",
           "fakturan": "client_id"},
          core=_attr("client_id"),
          shown={"invo": lambda v: v.invoice.client_id or 0}),
    _rule("seller", "seller (issuer)",
          {"invoiceocean": "seller_name, seller_tax_no", "invoiceocean_xml": "invoice/seller-name, ...",
           "invo": None, "fakturan": None},
          {"invo": "absent", "fakturan": "absent"},
          {"invo": "sales documents show only the seller's bank (`bank_name`, `bank_account`); the seller is "
                   + KEPT, "fakturan": "the account's own company; " + KEPT},
          core=lambda v: (v.invoice.seller_name, v.invoice.seller_tax_no)),
    _rule("lines", "lines (name, quantity, unit, tax, net and gross totals)",
          {"invoiceocean": "positions[]", "invoiceocean_xml": "invoice/positions/position", "invo": "items[]",
           "fakturan": "rows[]"},
          {"invo": "approximate", "fakturan": "approximate"},
          {"invo": "`items` (list with `id` and `items:1`); a correction lists its before and after states, "
                   "not the difference",
           "fakturan": "`rows` with name, amount, unit and tax; no line totals (`product_price` is the unit "
                       "price before discount, gross when `prices_inc_tax`); `code`/`description` as "
                       "`product_code`/`text`"},
          core=_lines, shown={"invo": _invo_items, "fakturan": _rows}),
    _rule("discount", "line discount",
          {"invoiceocean": "positions[].discount_percent", "invoiceocean_xml": "position/discount-percent",
           "invo": "items[].discount", "fakturan": "rows[].discount"},
          {"invoiceocean": "exact", "invo": "approximate", "fakturan": "approximate"},
          {"invoiceocean": "percent, or an amount (`discount`); `show_discount` on the document",
           "invo": "percent only: an amount discount shows as its effect on the prices; the amount is " + KEPT,
           "fakturan": "percent only; an amount discount shows as its effect on the prices"},
          core=_discounts, shown={"invo": _invo_discounts}),
    _rule("totals", "net, tax and gross totals",
          {"invoiceocean": "price_net, price_tax, price_gross", "invoiceocean_xml": "invoice/price-net, ...",
           "invo": "vnetto, vbrutto", "fakturan": "net, tax, sum"},
          {"invo": "approximate", "fakturan": "approximate"},
          {"invo": "net and gross; the tax is their difference",
           "fakturan": "`sum` is the amount payable, i.e. gross plus SEK cash rounding"},
          core=lambda v: (v.invoice.price_net, v.invoice.price_tax, v.invoice.price_gross),
          shown={"fakturan": lambda v: (v.invoice.price_net, v.invoice.price_tax, v.invoice.payable)}),
    _rule("per_rate", "totals per tax rate",
          {"invoiceocean": "positions[].total_price_net by tax", "invoiceocean_xml": None,
           "invo": "items[].vnetto by vatsm (and r=bookkeeping rates)", "fakturan": "tax_details"},
          {"invoiceocean": "approximate", "invo": "approximate", "fakturan": "approximate"},
          {"invoiceocean": "not a field: the net per rate is the sum of the positions' net totals",
           "invo": "the net per rate is the sum of the items' `vnetto`; `r=bookkeeping` lists rates for VAT kinds",
           "fakturan": "`tax_details` gives the tax per rate, not the net"},
          core=_per_rate_net, shown={"fakturan": _per_rate_tax}),
    _rule("cash_rounding", "SEK cash rounding",
          {"invoiceocean": None, "invoiceocean_xml": None, "invo": None, "fakturan": "sum"},
          {"invoiceocean": "absent", "invo": "absent", "fakturan": "approximate"},
          {"invoiceocean": "`price_gross` is before rounding; the rounding line is on the PDF",
           "invo": "`vbrutto` is before rounding; the rounding line is on the PDF",
           "fakturan": "included in `sum` (öresavrundning)"},
          core=lambda v: v.invoice.payable, compared=False),
    _rule("paid", "paid amount",
          {"invoiceocean": "paid", "invoiceocean_xml": "invoice/paid", "invo": "paid",
           "fakturan": "GET /invoices/:id/payments"},
          {"fakturan": "approximate"},
          {"fakturan": "the sum of the invoice's payments, each the share applied to this invoice; marking an "
                       "invoice paid (any dialect) records a payment of the balance, so the sum is `paid`"},
          core=_attr("paid")),
    _rule("paid_date", "paid date",
          {"invoiceocean": "paid_date", "invoiceocean_xml": "invoice/paid-date", "invo": "pdate",
           "fakturan": "paid_at"},
          {"fakturan": "approximate"},
          {"fakturan": "`paid_at` only once the invoice is fully paid (null before)"},
          core=_attr("paid_date"),
          shown={"fakturan": lambda v: v.invoice.paid_date if v.invoice.status == "paid" else None}),
    _rule("status", "status",
          {"invoiceocean": "status", "invoiceocean_xml": "invoice/status", "invo": "status",
           "fakturan": "sent, paid_at"},
          {"invoiceocean": "approximate", "invo": "approximate", "fakturan": "approximate"},
          {"invoiceocean": "draft and printed read `issued`; cancelled adds `\"cancelled\": true`",
           "invo": "0 draft, 1 sent, 2 printed, 3 paid, 4 issued/partial/rejected, 5 cancelled",
           "fakturan": "`sent` (true once sent) and `paid_at`; cancelled and partial have no fakturan form, "
                       "so a cancelled invoice reads as unpaid; the status is " + KEPT},
          core=_attr("status"),
          shown={"invoiceocean": lambda v: IO_STATUS.get(v.invoice.status, v.invoice.status),
                 "invo": lambda v: STATUS_FROM_CORE.get(v.invoice.status, 4), "fakturan": _fakturan_status}),
    _rule("currency", "currency",
          {"invoiceocean": "currency", "invoiceocean_xml": "invoice/currency", "invo": "currency",
           "fakturan": "currency"}, core=_attr("currency")),
    _rule("exchange_rate", "exchange rate",
          {"invoiceocean": "exchange_rate", "invoiceocean_xml": "invoice/exchange-rate", "invo": "currval",
           "fakturan": None},
          {"invo": "approximate", "fakturan": "absent"},
          {"invoiceocean": "with `exchange_currency` and `exchange_kind`",
           "invo": "`currval` (1 when none); `exchange_currency` is " + KEPT, "fakturan": KEPT},
          core=_attr("exchange_rate"), shown={"invo": lambda v: v.invoice.exchange_rate or Decimal(1)}),
    _rule("lang", "language",
          {"invoiceocean": "lang", "invoiceocean_xml": "invoice/lang", "invo": "lang", "fakturan": "locale"},
          {"invo": "approximate"}, {"invo": "upper case (`PL`, `EN`, `DE` can be written)"},
          core=_attr("lang"), shown={"invo": lambda v: v.invoice.lang.upper()}),
    _rule("prices_gross", "prices entered gross",
          {"invoiceocean": "calculating_strategy.invoice_form_price_kind", "invoiceocean_xml":
           "invoice/calculating-strategy/invoice-form-price-kind", "invo": "brutto",
           "fakturan": "settings.prices_inc_tax"}, core=_attr("prices_gross")),
    _rule("description", "remarks",
          {"invoiceocean": "description", "invoiceocean_xml": "invoice/description", "invo": "notices",
           "fakturan": None}, {"fakturan": "absent"}, {"fakturan": KEPT}, core=_attr("description")),
    _rule("internal_note", "internal note",
          {"invoiceocean": "internal_note", "invoiceocean_xml": "invoice/internal-note", "invo": "notices_priv",
           "fakturan": None}, {"fakturan": "absent"}, {"fakturan": KEPT}, core=_attr("internal_note")),
    _rule("place", "place of issue",
          {"invoiceocean": "place", "invoiceocean_xml": "invoice/place", "invo": "place", "fakturan": None},
          {"fakturan": "absent"}, {"fakturan": KEPT}, core=_attr("place")),
    _rule("from_invoice_id", "source document (corrected invoice, proforma)",
          {"invoiceocean": "from_invoice_id", "invoiceocean_xml": "invoice/from-invoice-id", "invo": "kid",
           "fakturan": None},
          {"invo": "approximate", "fakturan": "absent"},
          {"invo": "`kid`, shown on corrections only", "fakturan": KEPT},
          core=_attr("from_invoice_id"),
          shown={"invo": lambda v: (v.invoice.from_invoice_id or 0) if v.invoice.kind == "correction" else 0}),
    _rule("payment_type", "payment method",
          {"invoiceocean": "payment_type", "invoiceocean_xml": "invoice/payment-type", "invo": "ptid",
           "fakturan": None},
          {"invo": "approximate", "fakturan": "absent"},
          {"invo": "written as a `paytypes` entry (`ptid`); the method itself is " + KEPT, "fakturan": KEPT},
          compared=False),
    _rule("recipient", "recipient (second party)",
          {"invoiceocean": "recipient_id", "invoiceocean_xml": "invoice/recipient-id", "invo": "c2id, c2name, ...",
           "fakturan": None},
          {"invoiceocean": "approximate", "fakturan": "absent"},
          {"invoiceocean": "the id only; INVO's recipient snapshot is " + KEPT, "fakturan": KEPT},
          compared=False),
    _rule("references", "our/your reference",
          {"invoiceocean": "our_reference, your_reference", "invoiceocean_xml": None, "invo": None,
           "fakturan": "our_reference, your_reference"},
          {"invoiceocean": "approximate", "invo": "absent"},
          {"invoiceocean": "shown as extra keys, as given",
           "invo": KEPT},
          compared=False),
    _rule("cancel_reason", "cancel reason",
          {"invoiceocean": "cancel_reason", "invoiceocean_xml": "invoice/cancel-reason", "invo": None,
           "fakturan": None},
          {"invo": "absent", "fakturan": "absent"}, {"invo": KEPT, "fakturan": KEPT}, compared=False),
    _rule("correction_reason", "correction reason and before/after states",
          {"invoiceocean": "correction_reason, positions[].correction_before_attributes",
           "invoiceocean_xml": "position/correction-before-attributes", "invo": "items[].kid (before/after items)",
           "fakturan": None},
          {"invo": "approximate", "fakturan": "absent"},
          {"invo": "before and after as items (`bef`); the reason is " + KEPT,
           "fakturan": "a correction shows its difference rows; the before/after states are " + KEPT},
          compared=False),
    _rule("category_id", "category",
          {"invoiceocean": "category_id", "invoiceocean_xml": "invoice/category-id", "invo": None, "fakturan": None},
          {"invo": "absent", "fakturan": "absent"},
          {"invo": "INVO invoices have no category (INVO's product groups are the categories: a product's "
                   "`group`); " + KEPT,
           "fakturan": "fakturan.nu has no categories; " + KEPT}, compared=False),
    _rule("warehouse_id", "warehouse the goods are issued from (stock)",
          {"invoiceocean": "warehouse_id, warehouse_document_id", "invoiceocean_xml": "invoice/warehouse-id",
           "invo": None, "fakturan": None},
          {"invo": "absent", "fakturan": "absent"},
          {"invo": "INVO has no warehouses or stock; " + KEPT + ", and changed items re-issue the invoice's WZ",
           "fakturan": "fakturan.nu has no warehouses or stock; " + KEPT + ", and changed rows re-issue the "
                       "invoice's WZ"}, compared=False),
)
BY_NAME: dict[str, FieldRule] = {rule.name: rule for rule in FIELDS}
COMPARED: tuple[FieldRule, ...] = tuple(rule for rule in FIELDS if rule.compared)


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    cannot: Mapping[str, str] = field(default_factory=dict)  # dialect -> why it cannot create this

    def creators(self) -> tuple[str, ...]:
        return tuple(d for d in DIALECTS if d not in self.cannot)


NO_KINDS = "fakturan.nu has one document kind, a plain invoice"
SCENARIOS: tuple[Scenario, ...] = (
    Scenario("simple_vat", "a simple VAT invoice"),
    Scenario("tax_rates", "several tax rates, incl. `zw`/`np`",
             {"fakturan": "fakturan.nu's rates are 25, 12, 6 and 0; `zw`/`np` cannot be written (they read back "
                          "as `\"zw\"`/`\"np\"`)"}),
    Scenario("gross_prices", "gross-priced lines"),
    Scenario("discounts", "discounts"),
    Scenario("proforma_to_vat", "a proforma, then the VAT invoice made from it", {"fakturan": NO_KINDS}),
    Scenario("correction", "a correction of one line", {"fakturan": NO_KINDS}),
    Scenario("foreign_currency", "a foreign currency with an exchange rate",
             {"fakturan": "fakturan.nu has `currency` but no exchange rate"}),
    Scenario("sek_cash_rounding", "SEK with cash rounding"),
    Scenario("partial_payment", "a partial, then a full payment",
             {"invo": "INVO has no payments: status 3 (paid) is all it can say"}),
    Scenario("marked_paid_after_partial", "marked paid after a partial payment (the partial one through "
             "InvoiceOcean when INVO marks it)"),
    Scenario("split_payment", "one payment split across two invoices",
             {"invo": "INVO has no payments: status 3 (paid) is all it can say",
              "fakturan": "fakturan.nu pays one invoice at a time (`/invoices/:id/payments`)"}),
    Scenario("paid_then_payment", "paid by status, then a payment named for the invoice (an over-payment)",
             {"invo": "INVO has no payments: status 3 (paid) is all it can say"}),
    Scenario("sent", "a sent invoice"),
    Scenario("cancelled", "a cancelled invoice", {"fakturan": "fakturan.nu's API cannot cancel an invoice"}),
    Scenario("deleted", "a deleted invoice", {"fakturan": "fakturan.nu's API has no invoice DELETE"}),
    Scenario("inline_client", "a client created inline"),
)


def lossy_fields(dialect: str) -> dict[str, str]:
    """Field name -> what happens to it, for every field `dialect` shows less than exactly."""
    if dialect == "invoiceocean_xml":
        dialect = "invoiceocean"
    return {rule.name: rule.note[dialect] or rule.fidelity[dialect]
            for rule in FIELDS if rule.fidelity[dialect] != "exact"}


def wire_key(field_name: str, dialect: str) -> str | None:
    """The wire key/path showing `field_name` in `dialect` (a pane name: invoiceocean_xml too)."""
    return BY_NAME[field_name].wire.get(dialect)


def _cell(rule: FieldRule, dialect: str) -> str:
    key = rule.wire.get(dialect)
    shown = f"`{key}`" if key else "–"
    fidelity = rule.fidelity[dialect]
    note = rule.note[dialect]
    text = shown if fidelity == "exact" else f"{shown} **{fidelity}**"
    return f"{text}: {note}" if note else text


def render_markdown() -> str:
    """The README's lossy-mapping tables, generated from FIELDS and SCENARIOS."""
    out = ["| field | InvoiceOcean | INVO | fakturan.nu |", "|---|---|---|---|"]
    for rule in FIELDS:
        cells = " | ".join(_cell(rule, d).replace("|", "\\|") for d in DIALECTS)
        out.append(f"| {rule.label} | {cells} |")
    out += ["", "| scenario | created through | cannot be expressed in |", "|---|---|---|"]
    for scenario in SCENARIOS:
        cannot = "; ".join(f"{d}: {why}" for d, why in scenario.cannot.items()) or "–"
        out.append(f"| {scenario.label} | {', '.join(scenario.creators())} | {cannot} |")
    return "\n".join(out) + "\n"
