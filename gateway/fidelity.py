"""The one table of what each dialect can show of an invoice, and what "the same invoice" means.

Each FieldRule names a core-level field, the wire key (or path) that shows it in each dialect, how
faithfully (exact / approximate / absent) and, where a dialect cannot show it, what happens to the
value. `core` reads the ledger's truth from an InvoiceView; `shown` overrides it per dialect with the
projection that dialect is expected to show (a dialect's `number` may be its counter, its status a
code, ...). The parity suite (tests/parity/) reads every invoice through every dialect and checks each
non-absent field against these projections; the README's lossy-mapping table is `render_markdown()`;
the console's Rosetta view highlights `lossy_fields(dialect)`.

This module holds what is the same for every dialect (the fields, the ledger's readers, the scenarios);
each dialect brings its own column (Dialect.fidelity, in its fields.py: wire keys from its own field
tables, projections from its own status and kind tables), and the table is built over the registry.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Mapping, Sequence

from core.handlers.invoice_state import InvoiceView
from core.handlers.lines import totals_of
from dialects.kit.dialect import Dialect
from dialects.kit.fields import SHOWN_LINE_KINDS, line_key
from gateway.registry import DIALECTS as REGISTERED

FIDELITIES = ("exact", "approximate", "absent")

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


def _lines(view: InvoiceView) -> list[tuple[Any, ...]]:
    return [line_key(line) for line in view.lines if line.kind in SHOWN_LINE_KINDS]


def _discounts(view: InvoiceView) -> list[Decimal]:
    return [line.discount_percent or Decimal(0) for line in view.lines if line.kind in SHOWN_LINE_KINDS]


def _per_rate_net(view: InvoiceView) -> dict[str, Decimal]:
    return {rate.tax.code: rate.net for rate in totals_of(view.invoice, view.lines).per_rate}


def _due(view: InvoiceView) -> date | None:
    return view.invoice.payment_to


def _attr(name: str) -> Reader:
    return lambda view: getattr(view.invoice, name)


@dataclass(frozen=True)
class Rule:
    """A field as every dialect has it: its name, what people call it, and the ledger's value."""
    name: str
    label: str
    core: Reader | None = None  # None: not compared field by field
    compared: bool = True


RULES: tuple[Rule, ...] = (
    Rule("number", "number", _attr("number")),
    Rule("kind", "document kind", _attr("kind")),
    Rule("issue_date", "issue date", _attr("issue_date")),
    Rule("sell_date", "sale date", _attr("sell_date")),
    Rule("payment_to", "due date", _due),
    Rule("buyer", "buyer name and address",
         lambda v: (v.invoice.buyer_name, v.invoice.buyer_street, v.invoice.buyer_post_code.replace(" ", ""),
                    v.invoice.buyer_city)),
    Rule("buyer_tax_no", "buyer tax number", _attr("buyer_tax_no")),
    Rule("client_id", "client", _attr("client_id")),
    Rule("seller", "seller (issuer)", lambda v: (v.invoice.seller_name, v.invoice.seller_tax_no)),
    Rule("lines", "lines (name, quantity, unit, tax, net and gross totals)", _lines),
    Rule("discount", "line discount", _discounts),
    Rule("totals", "net, tax and gross totals", lambda v: (v.invoice.price_net, v.invoice.price_tax,
                                                           v.invoice.price_gross)),
    Rule("per_rate", "totals per tax rate", _per_rate_net),
    Rule("cash_rounding", "SEK cash rounding", lambda v: v.invoice.payable, compared=False),
    Rule("paid", "paid amount", _attr("paid")),
    Rule("paid_date", "paid date", _attr("paid_date")),
    Rule("status", "status", _attr("status")),
    Rule("currency", "currency", _attr("currency")),
    Rule("exchange_rate", "exchange rate", _attr("exchange_rate")),
    Rule("lang", "language", _attr("lang")),
    Rule("prices_gross", "prices entered gross", _attr("prices_gross")),
    Rule("description", "remarks", _attr("description")),
    Rule("internal_note", "internal note", _attr("internal_note")),
    Rule("place", "place of issue", _attr("place")),
    Rule("from_invoice_id", "source document (corrected invoice, proforma)", _attr("from_invoice_id")),
    Rule("payment_type", "payment method", compared=False),
    Rule("recipient", "recipient (second party)", compared=False),
    Rule("references", "our/your reference", compared=False),
    Rule("cancel_reason", "cancel reason", compared=False),
    Rule("correction_reason", "correction reason and before/after states", compared=False),
    Rule("category_id", "category", compared=False),
    Rule("warehouse_id", "warehouse the goods are issued from (stock)", compared=False),
)


def with_columns(dialects: Sequence[Dialect]) -> tuple[Dialect, ...]:
    """The dialects that bring a fidelity column, in registry order."""
    return tuple(d for d in dialects if d.fidelity is not None)


def build(dialects: Sequence[Dialect]) -> tuple[FieldRule, ...]:
    """The table over `dialects`: each rule with every dialect's column (and its other panes) filled in."""
    rules = []
    for rule in RULES:
        wire: dict[str, str | None] = {}
        fidelity: dict[str, str] = {}
        note: dict[str, str] = {}
        shown: dict[str, Reader] = {}
        for dialect in with_columns(dialects):
            assert dialect.fidelity is not None
            column = dialect.fidelity.of(rule.name)
            wire[dialect.name] = column.wire
            for pane, keys in dialect.fidelity.panes.items():
                wire[pane] = keys.get(rule.name)
            fidelity[dialect.name], note[dialect.name] = column.fidelity, column.note
            if column.projection is not None:
                shown[dialect.name] = column.projection
        rules.append(FieldRule(rule.name, rule.label, wire, fidelity, note, rule.core, shown, rule.compared))
    return tuple(rules)


DIALECTS: tuple[str, ...] = tuple(d.name for d in with_columns(REGISTERED))
# Where a wire key is shown: a dialect's own pane, and its other panes (a second wire format in the Rosetta view).
PANES: tuple[str, ...] = tuple(pane for d in with_columns(REGISTERED)
                               for pane in (d.name, *(d.fidelity.panes if d.fidelity is not None else ())))
FIELDS: tuple[FieldRule, ...] = build(REGISTERED)
BY_NAME: dict[str, FieldRule] = {rule.name: rule for rule in FIELDS}
COMPARED: tuple[FieldRule, ...] = tuple(rule for rule in FIELDS if rule.compared)


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    cannot: Mapping[str, str] = field(default_factory=dict)  # dialect -> why it cannot create this
    dialects: tuple[str, ...] = DIALECTS

    def creators(self) -> tuple[str, ...]:
        return tuple(d for d in self.dialects if d not in self.cannot)


# (name, label); which dialects cannot create one, and why, is each dialect's (FidelityColumn.cannot).
SCENARIO_LABELS: tuple[tuple[str, str], ...] = (
    ("simple_vat", "a simple VAT invoice"),
    ("tax_rates", "several tax rates, incl. `zw`/`np`"),
    ("gross_prices", "gross-priced lines"),
    ("discounts", "discounts"),
    ("proforma_to_vat", "a proforma, then the VAT invoice made from it"),
    ("correction", "a correction of one line"),
    ("foreign_currency", "a foreign currency with an exchange rate"),
    ("sek_cash_rounding", "SEK with cash rounding"),
    ("partial_payment", "a partial, then a full payment"),
    ("marked_paid_after_partial", "marked paid after a partial payment (the partial one through another dialect "
                                  "when the marking one records no payments)"),
    ("split_payment", "one payment split across two invoices"),
    ("paid_then_payment", "paid by status, then a payment named for the invoice (an over-payment)"),
    ("sent", "a sent invoice"),
    ("cancelled", "a cancelled invoice"),
    ("deleted", "a deleted invoice"),
    ("inline_client", "a client created inline"),
)


def scenarios(dialects: Sequence[Dialect]) -> tuple[Scenario, ...]:
    columns = with_columns(dialects)
    names = tuple(d.name for d in columns)
    return tuple(Scenario(name, label, {d.name: d.fidelity.cannot[name] for d in columns
                                        if d.fidelity is not None and name in d.fidelity.cannot}, names)
                 for name, label in SCENARIO_LABELS)


SCENARIOS: tuple[Scenario, ...] = scenarios(REGISTERED)


def lossy_fields(dialect: str) -> dict[str, str]:
    """Field name -> what happens to it, for every field `dialect` shows less than exactly (a pane names its
    dialect: a dialect's second format's pane is the dialect's)."""
    if dialect not in DIALECTS:
        dialect = next((d.name for d in with_columns(REGISTERED) if d.fidelity is not None
                        and dialect in d.fidelity.panes), dialect)
    return {rule.name: rule.note[dialect] or rule.fidelity[dialect]
            for rule in FIELDS if rule.fidelity[dialect] != "exact"}


def wire_key(field_name: str, dialect: str) -> str | None:
    """The wire key/path showing `field_name` in `dialect` (a pane name too)."""
    return BY_NAME[field_name].wire.get(dialect)


def _cell(rule: FieldRule, dialect: str) -> str:
    key = rule.wire.get(dialect)
    shown = f"`{key}`" if key else "–"
    fidelity = rule.fidelity[dialect]
    note = rule.note[dialect]
    text = shown if fidelity == "exact" else f"{shown} **{fidelity}**"
    return f"{text}: {note}" if note else text


def render_markdown(dialects: Sequence[Dialect] = REGISTERED) -> str:
    """The README's lossy-mapping tables, generated from the rules and the dialects' columns."""
    columns = with_columns(dialects)
    out = ["| field | " + " | ".join(d.label for d in columns) + " |", "|---|" + "---|" * len(columns)]
    for rule in build(dialects):
        cells = " | ".join(_cell(rule, d.name).replace("|", "\\|") for d in columns)
        out.append(f"| {rule.label} | {cells} |")
    out += ["", "| scenario | created through | cannot be expressed in |", "|---|---|---|"]
    for scenario in scenarios(dialects):
        cannot = "; ".join(f"{d}: {why}" for d, why in scenario.cannot.items()) or "–"
        out.append(f"| {scenario.label} | {', '.join(scenario.creators())} | {cannot} |")
    return "\n".join(out) + "\n"
