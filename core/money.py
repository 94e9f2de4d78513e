"""Decimal money engine: line amounts, totals per tax rate, cash rounding. No I/O, no floats.

Every amount is rounded ROUND_HALF_UP to cents (half away from zero, so correction lines mirror normal ones),
and `net + tax == gross` holds exactly for every line, every per-rate total and the invoice total.

Position strategies (how one line is rounded):
- "default": the basis the line was priced in is primary. Net-priced: net = round(exact net),
  tax = round(net * rate), gross = net + tax. Gross-priced: gross = round(exact gross),
  net = round(gross / (1 + rate)), tax = gross - net. Net wins when both are given.
- "keep_gross": gross is primary and a given gross wins. A net-only line's gross is derived from its
  *unrounded* discounted net, rounded once, then split like a gross-priced line.
Unit prices shown are the exact line total over the quantity (0 for a zero quantity), rounded to cents.

Sum strategies (how the invoice adds lines up, per rate):
- "sum": net, tax and gross are the sums of the line amounts.
- "keep_gross": gross = sum of line gross; net = round(gross / (1 + rate)); tax = gross - net.
- "keep_net": net = sum of line net; tax = round(net * rate); gross = net + tax.

Discount kinds (`percent_*` take discount_percent, "amount" takes discount_amount):
- "percent_unit": off the unit price in the line's basis; the discounted unit price is rounded to cents
  first, because that printed price is what gets multiplied by the quantity.
- "percent_unit_gross": off the unit gross price, rounded to cents; a net-priced line becomes gross-primary.
- "percent_total": off the exact line total, no intermediate rounding.
- "amount": an absolute amount off the line total, in the line's basis, towards zero; never more than the line.
A given total_net / total_gross is final (already discounted); the discount is then only reported.

Worked example, 16 x 348.35 with a 4 % "percent_total" discount at 22 % VAT (exact net 5350.656):
- position "default", any sum strategy: net 5350.66, tax 1177.15, gross 6527.81 (tax on the rounded line net).
- position "keep_gross" with sum "sum" or "keep_gross": gross round(5350.656 * 1.22) = 6527.80, net 5350.66,
  tax 1177.14 (VAT on the unrounded figure). Sum "keep_net" re-taxes the rounded net 5350.66: 6527.81 again.
  Sum strategies only ever see rounded lines, so none of them turns 6527.81 into 6527.80 on its own.
- "percent_unit" instead: unit 334.42, net 5350.72, gross 6527.88.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext
from typing import ParamSpec, Protocol, TypeVar

from core.tax import SYMBOLIC_CODES, TaxRate, parse_tax

__all__ = [
    "Amounted", "CASH_ROUNDING_UNITS", "CENT", "DISCOUNT_KINDS", "POSITION_STRATEGIES", "SUM_STRATEGIES", "LineAmounts",
    "LineInput", "RateTotal", "TaxRate", "Totals", "cash_rounding_applies", "compute_line", "compute_totals",
    "parse_tax", "plain_text", "rate_amounts", "round_money", "split_gross", "to_decimal",
]

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
POSITION_STRATEGIES: tuple[str, ...] = ("default", "keep_gross")
SUM_STRATEGIES: tuple[str, ...] = ("sum", "keep_gross", "keep_net")
DISCOUNT_KINDS: tuple[str, ...] = ("percent_unit", "percent_unit_gross", "percent_total", "amount")
# Currencies whose payable amount is rounded for cash (Swedish öresavrundning), with the rounding unit.
CASH_ROUNDING_UNITS: dict[str, Decimal] = {"SEK": Decimal(1)}

# Enough digits that no quotient is rounded before round_money sees it; any trap is a bug, not a cent.
_PRECISE = Context(prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation, DivisionByZero, Overflow])
_SPACE = "[ \u00a0\u202f]"
_SPACES = re.compile(_SPACE)  # compiled once: re.sub(pattern_text, ...) looks its pattern up on every call
# ASCII digits: \d would also read "٣" and "３" as 3.
_AMOUNT_TEXT = re.compile(rf"([+-]?)([0-9]{{1,3}}(?:{_SPACE}[0-9]{{3}})+|[0-9]+)"
                          r"(?:[.,]([0-9]+))?(?:\s*[^\W\d_][^\d]*)?")

P = ParamSpec("P")
R = TypeVar("R")


def _precise(func: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with localcontext(_PRECISE):
            return func(*args, **kwargs)

    return wrapper


# Inputs at or above this are refused (ValueError, so each dialect answers its own 422): a product of
# two such values, rounded to cents, still fits the 28-digit decimal context; larger ones would raise
# InvalidOperation deep in a computation and surface as a 500.
MAX_AMOUNT = Decimal(10) ** 12


def to_decimal(value: object) -> Decimal:
    """Parse 10, "10.23", "10,23", " 1 234,50 ", "10 st" or a float (via its repr) without float arithmetic."""
    if type(value) is Decimal and value.is_finite() and -MAX_AMOUNT < value < MAX_AMOUNT:
        return value  # a JSON body's number (loads_json reads them as Decimal): most amounts, all checks in one line
    if type(value) is str and value.isascii() and value.replace(".", "", 1).isdigit() and value[0] != "." != value[-1]:
        result = Decimal(value)  # "100.00", "3": digits with at most one inner dot, as _amount_text reads them
    elif isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    elif isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        result = _amount_text(value)
    else:
        raise ValueError(f"not a number: {value!r}")
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    if abs(result) >= MAX_AMOUNT:
        raise ValueError(f"too large: {value!r}")
    return result


def _amount_text(value: str) -> Decimal:
    """An amount written as text, in any of the ways to_decimal reads (its first test takes the plain ones,
    the money text of nearly every JSON body, without the pattern: ~1.5 µs of every amount of a create)."""
    match = _AMOUNT_TEXT.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"not a number: {value!r}")
    sign, whole, fraction = match.groups()
    digits = whole if whole.isdigit() else _SPACES.sub("", whole)  # "1 234" groups; plain digits as they are
    return Decimal(f"{sign}{digits}.{fraction}" if fraction else f"{sign}{digits}")


def plain_text(value: Decimal) -> str:
    """format(value, "f") (digits, never "1E+2"), from str(value) whenever that has no exponent: a third of the
    cost, and answers write dozens of amounts. Exponent forms and non-finite values take format()."""
    text = str(value)
    return format(value, "f") if "E" in text or "n" in text else text


def round_money(value: Decimal, places: Decimal = CENT) -> Decimal:
    rounded = value.quantize(places, rounding=ROUND_HALF_UP)
    # A negative zero would print as "-0.00" in every dialect.
    return rounded.copy_abs() if rounded.is_zero() else rounded


@_precise
def split_gross(gross: Decimal, tax: TaxRate) -> tuple[Decimal, Decimal]:
    """Split a gross amount into (net, tax) so that net + tax == gross exactly."""
    net = round_money(gross / (1 + tax.rate))
    return net, gross - net


@dataclass(frozen=True)
class LineInput:
    tax: TaxRate
    quantity: Decimal = Decimal(1)
    price_net: Decimal | None = None
    price_gross: Decimal | None = None
    total_net: Decimal | None = None
    total_gross: Decimal | None = None
    discount_percent: Decimal | None = None
    discount_amount: Decimal | None = None
    discount_kind: str = "percent_unit"


@dataclass(frozen=True)
class LineAmounts:
    tax: TaxRate
    quantity: Decimal
    price_net: Decimal
    price_gross: Decimal
    price_tax: Decimal
    discount: Decimal
    total_net: Decimal
    total_tax: Decimal
    total_gross: Decimal
    # True when the line was priced in gross terms; `discount` is in that basis.
    priced_gross: bool


@dataclass(frozen=True)
class RateTotal:
    tax: TaxRate
    net: Decimal
    tax_amount: Decimal
    gross: Decimal


@dataclass(frozen=True)
class Totals:
    net: Decimal
    tax: Decimal
    gross: Decimal
    per_rate: tuple[RateTotal, ...]
    cash_rounding: Decimal
    payable: Decimal


def _check(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; expected one of {', '.join(allowed)}")


def _discount_off(inp: LineInput) -> tuple[Decimal, Decimal]:
    """(fraction of the price kept, absolute amount off); (1, 0) when there is no discount."""
    if inp.discount_kind == "amount":
        if inp.discount_percent is not None:
            raise ValueError("discount_percent needs a percent discount_kind")
        amount = inp.discount_amount if inp.discount_amount is not None else ZERO
        if amount < 0:
            raise ValueError("discount_amount must not be negative")
        return Decimal(1), amount
    if inp.discount_amount is not None:
        raise ValueError("discount_amount needs discount_kind 'amount'")
    percent = inp.discount_percent if inp.discount_percent is not None else ZERO
    if not 0 <= percent <= 100:
        raise ValueError("discount_percent must be between 0 and 100")
    return 1 - percent / 100, ZERO


def _towards_zero(total: Decimal, amount: Decimal) -> Decimal:
    # An amount discount shrinks a correction line too, so negative lines mirror positive ones.
    return total + amount if total < 0 else total - amount


def _discounted(inp: LineInput, price: Decimal, kept: Decimal, amount: Decimal, gross: bool) -> tuple[Decimal, bool]:
    """Exact discounted line total from a unit price, and whether that total is gross."""
    base = inp.quantity * price
    if inp.discount_kind == "amount":
        if amount > abs(base):
            raise ValueError("discount_amount exceeds the line total")
        return _towards_zero(base, amount), gross
    if kept == 1 or inp.discount_kind == "percent_total":
        return base * kept, gross
    if inp.discount_kind == "percent_unit_gross" and not gross:
        return inp.quantity * round_money(price * (1 + inp.tax.rate) * kept), True
    return inp.quantity * round_money(price * kept), gross


def _undiscounted(inp: LineInput, price: Decimal | None, total: Decimal, kept: Decimal, amount: Decimal) -> Decimal:
    if price is not None:
        return inp.quantity * price
    if inp.discount_kind == "amount":
        return _towards_zero(total, -amount)  # adds the amount back, away from zero
    # A 100 % discount on a bare total leaves nothing to scale back up; report it as no discount.
    return total / kept if kept else total


@_precise
def compute_line(inp: LineInput, position_strategy: str = "default") -> LineAmounts:
    _check(position_strategy, POSITION_STRATEGIES, "position strategy")
    _check(inp.discount_kind, DISCOUNT_KINDS, "discount kind")
    has_net = inp.price_net is not None or inp.total_net is not None
    has_gross = inp.price_gross is not None or inp.total_gross is not None
    priced_gross = has_gross and (position_strategy == "keep_gross" or not has_net)
    price = inp.price_gross if priced_gross else inp.price_net
    given_total = inp.total_gross if priced_gross else inp.total_net
    factor = 1 + inp.tax.rate
    kept, amount = _discount_off(inp)
    if given_total is not None:
        exact, exact_gross = given_total, priced_gross
    elif price is not None:
        exact, exact_gross = _discounted(inp, price, kept, amount, priced_gross)
    else:
        raise ValueError("a line needs a net or a gross price or total")

    discount = ZERO
    if kept != 1 or amount:
        # Reported in the basis the line was priced in, even when percent_unit_gross moved a net line to gross.
        in_basis = exact / factor if exact_gross and not priced_gross else exact
        discount = round_money(_undiscounted(inp, price, in_basis, kept, amount)) - round_money(in_basis)

    if position_strategy == "keep_gross" and not exact_gross:
        exact, exact_gross = exact * factor, True
    if exact_gross:
        total_gross = round_money(exact)
        total_net, total_tax = split_gross(total_gross, inp.tax)
    else:
        total_net = round_money(exact)
        total_tax = round_money(total_net * inp.tax.rate)
        total_gross = total_net + total_tax

    unit = exact / inp.quantity if inp.quantity else ZERO
    price_gross = round_money(unit if exact_gross else unit * factor)
    price_net = round_money(unit / factor if exact_gross else unit)
    return LineAmounts(
        tax=inp.tax,
        quantity=inp.quantity,
        price_net=price_net,
        price_gross=price_gross,
        price_tax=price_gross - price_net,
        discount=discount,
        total_net=total_net,
        total_tax=total_tax,
        total_gross=total_gross,
        priced_gross=priced_gross,
    )


def _rate_order(tax: TaxRate) -> tuple[int, Decimal]:
    if tax.is_symbolic:
        return 1, Decimal(SYMBOLIC_CODES.index(tax.code))
    return 0, -tax.percent


def cash_rounding_applies(currency: str) -> bool:
    return currency.upper() in CASH_ROUNDING_UNITS


class Amounted(Protocol):
    """What the totals read of a line: LineAmounts, or a stored line (whose `tax` is the rate's code)."""

    @property
    def tax(self) -> TaxRate | str: ...
    @property
    def total_net(self) -> Decimal: ...
    @property
    def total_tax(self) -> Decimal: ...
    @property
    def total_gross(self) -> Decimal: ...


# The same few codes on every line of every invoice: parsed once (TaxRate is immutable).
_tax_of_code = functools.lru_cache(maxsize=1024)(parse_tax)


# One VAT-summary row: (rate, net, tax, gross).
RateRow = tuple[TaxRate, Decimal, Decimal, Decimal]


def _rate_of_item(item: tuple[TaxRate, object]) -> tuple[int, Decimal]:
    return _rate_order(item[0])


# The sums' additions, exact whatever the caller's context (the precise one, without entering it per invoice: a
# list page totals every invoice it shows).
_add = _PRECISE.add


def _rate_rows(lines: Iterable[Amounted], sum_strategy: str) -> list[RateRow]:
    """(rate, net, tax, gross) per rate, in VAT-summary order: the rows of compute_totals.

    Lines are summed per rate in one pass, each sum starting from ZERO (0.00) and adding in line order,
    so every sum has the exponent and digits a sum() over the rate's lines gives. The pass groups by the
    line's own `tax` (a stored line's code: a str hashes once, a TaxRate dataclass hashes its fields every
    time); codes of one rate ("23", "23.00") are then merged, exactly, since the precise context never rounds
    a sum of amounts."""
    _check(sum_strategy, SUM_STRATEGIES, "sum strategy")
    by_tax: dict[TaxRate | str, list[Decimal]] = {}
    for line in lines:
        net, tax, gross = line.total_net, line.total_tax, line.total_gross
        # A zero line (a text row, a free item) owes no tax and adds no row to the VAT summary.
        if net or tax or gross:
            key = line.tax
            found = by_tax.get(key)
            if found is None:
                by_tax[key] = [_add(ZERO, net), _add(ZERO, tax), _add(ZERO, gross)]
            else:
                found[0] = _add(found[0], net)
                found[1] = _add(found[1], tax)
                found[2] = _add(found[2], gross)
    sums: dict[TaxRate, list[Decimal]] = {}
    for key, found in by_tax.items():
        rate = key if type(key) is TaxRate else _tax_of_code(key)
        merged = sums.get(rate)
        if merged is None:
            sums[rate] = found
        else:
            merged[:] = [_add(a, b) for a, b in zip(merged, found, strict=True)]
    rows: list[RateRow] = []
    for rate, (net, tax, gross) in sorted(sums.items(), key=_rate_of_item) if len(sums) > 1 else sums.items():
        if sum_strategy == "keep_gross":
            net, tax = split_gross(gross, rate)
        elif sum_strategy == "keep_net":
            with localcontext(_PRECISE):
                tax = round_money(net * rate.rate)
                gross = net + tax
        rows.append((rate, net, tax, gross))
    return rows


def rate_amounts(lines: Iterable[Amounted], sum_strategy: str = "sum") -> list[RateRow]:
    """compute_totals' per-rate rows as plain tuples (rate, net, tax, gross), for a presenter that shows only
    them (a list page totals every invoice: the dataclasses were a third of the cost)."""
    return _rate_rows(lines, sum_strategy)


@_precise
def compute_totals(
    lines: Iterable[Amounted],
    sum_strategy: str = "sum",
    currency: str = "PLN",
    cash_rounding: bool | None = None,
) -> Totals:
    """Totals per rate and overall; cash_rounding None follows the currency, True/False force it on/off."""
    per_rate = tuple(RateTotal(tax=rate, net=net, tax_amount=tax, gross=gross)
                     for rate, net, tax, gross in _rate_rows(lines, sum_strategy))
    net_total = sum((rate.net for rate in per_rate), ZERO)
    tax_total = sum((rate.tax_amount for rate in per_rate), ZERO)
    gross_total = net_total + tax_total

    unit = CASH_ROUNDING_UNITS.get(currency.upper())
    if cash_rounding is False or (cash_rounding is None and unit is None):
        payable = gross_total
    else:
        payable = round_money(round_money(gross_total, unit or Decimal(1)))
    return Totals(net=net_total, tax=tax_total, gross=gross_total, per_rate=per_rate,
                  cash_rounding=payable - gross_total, payable=payable)
