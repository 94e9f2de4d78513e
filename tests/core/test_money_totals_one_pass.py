"""compute_totals sums each rate in one pass over the lines (issue 20: fakturan.nu's list totals every invoice
of a page). Its results must be the very Decimals the former per-rate sum() gave, digits and exponent alike,
for LineAmounts and for stored lines whose `tax` is the rate's code."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal as D
from decimal import localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import (
    _PRECISE,
    CASH_ROUNDING_UNITS,
    SUM_STRATEGIES,
    ZERO,
    LineAmounts,
    RateTotal,
    Totals,
    _rate_order,
    compute_totals,
    rate_amounts,
    round_money,
    split_gross,
)
from core.tax import TaxRate, parse_tax


def _former_totals(lines: list[LineAmounts], sum_strategy: str, currency: str) -> Totals:
    """compute_totals as it was before the one-pass rewrite, verbatim but for names."""
    with localcontext(_PRECISE):
        groups: dict[TaxRate, list[LineAmounts]] = {}
        for line in lines:
            if line.total_net or line.total_tax or line.total_gross:
                groups.setdefault(line.tax, []).append(line)
        per_rate = []
        for tax in sorted(groups, key=_rate_order):
            net = sum((line.total_net for line in groups[tax]), ZERO)
            gross = sum((line.total_gross for line in groups[tax]), ZERO)
            if sum_strategy == "keep_gross":
                net, tax_amount = split_gross(gross, tax)
            elif sum_strategy == "keep_net":
                tax_amount = round_money(net * tax.rate)
                gross = net + tax_amount
            else:
                tax_amount = sum((line.total_tax for line in groups[tax]), ZERO)
            per_rate.append(RateTotal(tax=tax, net=net, tax_amount=tax_amount, gross=gross))
        net = sum((rate.net for rate in per_rate), ZERO)
        tax_amount = sum((rate.tax_amount for rate in per_rate), ZERO)
        gross = net + tax_amount
        unit = CASH_ROUNDING_UNITS.get(currency.upper())
        payable = gross if unit is None else round_money(round_money(gross, unit))
        return Totals(net=net, tax=tax_amount, gross=gross, per_rate=tuple(per_rate), cash_rounding=payable - gross,
                      payable=payable)


@dataclass
class StoredLine:
    """A line as a read gives it: the rate as its stored code."""

    tax: str
    total_net: D
    total_tax: D
    total_gross: D


CODES = ("23", "8", "5", "0", "zw", "np", "25", "12", "6", "5.5", "7.7")
amount = st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False, allow_infinity=False)
# Stored amounts are not always written with two decimals ("5", "5.0", "-0.00"): the exponent must survive.
shaped = st.one_of(amount, amount.map(lambda d: d.normalize()), st.sampled_from([D("0"), D("-0.00"), D("5.0")]))
line = st.builds(lambda code, net, tax: (code, net, tax, net + tax), st.sampled_from(CODES), shaped, shaped)


def _amounts(code: str, net: D, tax: D, gross: D) -> LineAmounts:
    return LineAmounts(tax=parse_tax(code), quantity=D(1), price_net=net, price_gross=gross, price_tax=tax,
                       discount=ZERO, total_net=net, total_tax=tax, total_gross=gross, priced_gross=False)


def _exact(totals: Totals) -> tuple[object, ...]:
    """Every Decimal as its tuple (sign, digits, exponent): D("5.0") and D("5.00") are equal but print apart."""
    return (totals.net.as_tuple(), totals.tax.as_tuple(), totals.gross.as_tuple(), totals.payable.as_tuple(),
            totals.cash_rounding.as_tuple(),
            tuple((r.tax, r.net.as_tuple(), r.tax_amount.as_tuple(), r.gross.as_tuple()) for r in totals.per_rate))


@settings(max_examples=400, deadline=None)
@given(st.lists(line, max_size=12), st.sampled_from(SUM_STRATEGIES), st.sampled_from(["PLN", "SEK", "EUR"]))
def test_one_pass_totals_are_digit_for_digit_the_former_per_rate_sums(rows: list[tuple[str, D, D, D]],
                                                                     sum_strategy: str, currency: str) -> None:
    former = _exact(_former_totals([_amounts(*row) for row in rows], sum_strategy, currency))
    assert _exact(compute_totals([_amounts(*row) for row in rows], sum_strategy, currency)) == former
    assert _exact(compute_totals([StoredLine(*row) for row in rows], sum_strategy, currency)) == former
    # the rows alone, as fakturan.nu's tax_details reads them
    rows_only = rate_amounts([StoredLine(*row) for row in rows], sum_strategy)
    assert tuple((rate, net.as_tuple(), tax.as_tuple(), gross.as_tuple())
                 for rate, net, tax, gross in rows_only) == former[-1]


def test_stored_lines_group_by_the_parsed_rate_so_23_and_23_00_are_one_row() -> None:
    totals = compute_totals([StoredLine("23", D("10.00"), D("2.30"), D("12.30")),
                             StoredLine("23.00", D("1.00"), D("0.23"), D("1.23"))])
    assert [(r.tax.code, r.net, r.tax_amount) for r in totals.per_rate] == [("23", D("11.00"), D("2.53"))]
