"""Pricing invoice lines: from a LineSpec (and maybe a product) to stored amounts.

The money rules live in core.money; this module only decides which inputs a line has.
"""
from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Iterable

from core.commands import LineSpec
from core.errors import Invalid
from core.models import Invoice, InvoiceLine, Product
from core.money import LineAmounts, LineInput, TaxRate, Totals, compute_line, compute_totals, parse_tax
from core.reader import new_record

COUNTED_KINDS = ("normal", "correction")  # before/after snapshots and text rows carry no money
PRICE_INPUTS = ("price_net", "price_gross", "total_net", "total_gross")


def tax_of(value: object, path: str) -> TaxRate:
    try:
        return parse_tax(value)
    except ValueError:
        raise Invalid.one(path, "invalid", f"is not a tax rate: {value!r}", value=str(value)) from None


def _spec_input(spec: LineSpec, product: Product | None, invoice: Invoice, path: str,
                default_tax: str) -> LineInput:
    tax_value = spec.tax if spec.tax is not None else (product.tax if product else default_tax)
    prices = {k: getattr(spec, k) for k in PRICE_INPUTS if getattr(spec, k) is not None}
    if not prices and product is not None:
        prices = {"price_gross": product.price_gross} if invoice.prices_gross else {"price_net": product.price_net}
    return LineInput(
        tax=tax_of(tax_value, path + ".tax"),
        quantity=spec.quantity if spec.quantity is not None else Decimal(1),
        discount_percent=spec.discount_percent,
        discount_amount=spec.discount_amount,
        discount_kind=invoice.discount_kind or "percent_unit",
        **prices,
    )


def _priced(inp: LineInput, strategy: str, path: str) -> LineAmounts:
    """compute_line refuses impossible inputs (an amount discount on a percent invoice, 150 %) with
    ValueError; that is the client's mistake, so it becomes a field error, never a 500."""
    try:
        return compute_line(inp, strategy)
    except ValueError as exc:
        field = path + (".discount" if "discount" in str(exc) else "")
        raise Invalid.one(field, "invalid", str(exc)) from None


def _store(line: InvoiceLine, amounts: LineAmounts) -> None:
    line.quantity = amounts.quantity
    line.tax = amounts.tax.code
    line.price_net, line.price_gross, line.price_tax = amounts.price_net, amounts.price_gross, amounts.price_tax
    line.total_net, line.total_tax, line.total_gross = amounts.total_net, amounts.total_tax, amounts.total_gross
    line.discount = amounts.discount
    line.priced_gross = amounts.priced_gross


def _apply_text(line: InvoiceLine, spec: LineSpec, product: Product | None) -> None:
    for attr in ("name", "code", "description", "additional_info", "unit", "product_id",
                 "discount_percent", "tax_deductible", "corrected_line_id"):
        value = getattr(spec, attr)
        if value is not None:
            setattr(line, attr, value)
    if product is not None:
        line.product_id = product.id
        line.name = line.name or product.name
        line.code = line.code or product.code
        line.unit = line.unit or product.unit
        line.additional_info = line.additional_info or product.pkwiu
    if spec.extra:
        line.extra = {**(line.extra or {}), **dict(spec.extra)}


def price_new_line(spec: LineSpec, product: Product | None, invoice: Invoice, path: str,
                   default_tax: str, *, plain: bool = False) -> InvoiceLine:
    """The priced line: an InvoiceLine for the session, or (plain) a record of one for core.storage.writes."""
    make = partial(new_record, InvoiceLine) if plain else InvoiceLine
    line: InvoiceLine = make(invoice_id=invoice.id or 0, account_id=invoice.account_id, kind=spec.kind or "normal")
    _apply_text(line, spec, product)
    if line.kind == "text":
        line.quantity, line.tax = Decimal(0), "0"
        return line
    if not line.name and product is None:
        raise Invalid.one(path + ".name", "blank", "can't be blank")
    _store(line, _priced(_spec_input(spec, product, invoice, path, default_tax), invoice.calc_position, path))
    return line


def reprice_line(line: InvoiceLine, spec: LineSpec, product: Product | None, invoice: Invoice, path: str) -> None:
    """Update a stored line with the fields a request gave, keeping its pricing basis."""
    _apply_text(line, spec, product)
    touches_money = any(getattr(spec, k) is not None for k in
                        (*PRICE_INPUTS, "quantity", "tax", "discount_percent", "discount_amount", "product_id"))
    if line.kind == "text" or not touches_money:
        return
    given = {k: getattr(spec, k) for k in PRICE_INPUTS if getattr(spec, k) is not None}
    if not given and spec.product_id is None:
        given = {"price_gross": line.price_gross + _unit_discount(line, gross=True)} if line.priced_gross else {
            "price_net": line.price_net + _unit_discount(line, gross=False)}
    merged = LineSpec(
        quantity=spec.quantity if spec.quantity is not None else line.quantity,
        tax=spec.tax if spec.tax is not None else line.tax,
        discount_percent=spec.discount_percent if spec.discount_percent is not None else line.discount_percent,
        discount_amount=spec.discount_amount, **given,
    )
    _store(line, _priced(_spec_input(merged, product, invoice, path, line.tax), invoice.calc_position, path))


def _unit_discount(line: InvoiceLine, *, gross: bool) -> Decimal:
    """Stored unit prices are after discount; re-pricing starts from the undiscounted price."""
    if not line.quantity or not line.discount:
        return Decimal(0)
    return (line.discount / line.quantity).quantize(Decimal("0.01"))


def correction_lines(spec: LineSpec, products: dict[int, Product], invoice: Invoice, path: str,
                     default_tax: str) -> tuple[InvoiceLine, InvoiceLine | None, InvoiceLine | None]:
    """A correction position: its before and after states, and the difference that counts."""
    before = after = None
    if spec.before is not None:
        before = price_new_line(spec.before, products.get(spec.before.product_id or 0), invoice, path + ".before",
                                default_tax)
        before.kind = "correction_before"
    if spec.after is not None:
        after = price_new_line(spec.after, products.get(spec.after.product_id or 0), invoice, path + ".after",
                               default_tax)
        after.kind = "correction_after"
    if before is not None and after is not None:
        diff = InvoiceLine(invoice_id=invoice.id or 0, account_id=invoice.account_id, kind="correction")
        _apply_text(diff, spec, None)
        diff.name = diff.name or after.name
        diff.unit = diff.unit or after.unit
        diff.product_id = diff.product_id or after.product_id
        diff.corrected_line_id = spec.corrected_line_id or before.corrected_line_id
        diff.tax, diff.priced_gross = after.tax, after.priced_gross
        diff.quantity = after.quantity - before.quantity
        diff.price_net, diff.price_gross, diff.price_tax = after.price_net, after.price_gross, after.price_tax
        for attr in ("total_net", "total_tax", "total_gross", "discount"):
            setattr(diff, attr, getattr(after, attr) - getattr(before, attr))
    else:
        diff = price_new_line(spec, products.get(spec.product_id or 0), invoice, path, default_tax)
        diff.kind = "correction"
    return diff, before, after


def amounts_of(line: InvoiceLine) -> LineAmounts:
    return LineAmounts(
        tax=parse_tax(line.tax), quantity=line.quantity, price_net=line.price_net, price_gross=line.price_gross,
        price_tax=line.price_tax, discount=line.discount, total_net=line.total_net, total_tax=line.total_tax,
        total_gross=line.total_gross, priced_gross=line.priced_gross,
    )


def totals_of(invoice: Invoice, lines: Iterable[InvoiceLine]) -> Totals:
    counted = [amounts_of(line) for line in lines if line.kind in COUNTED_KINDS]
    return compute_totals(counted, invoice.calc_sum or "sum", invoice.currency)
