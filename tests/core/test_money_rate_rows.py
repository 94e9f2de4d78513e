"""rate_amounts (fakturan.nu's tax_details, every invoice of a list) groups stored lines by their own code and
merges the codes of one rate afterwards, with the precise context's additions and no context entered (issue 20,
third pass). Its rows must be the very Decimals the former grouping by parsed rate gave, digits and exponent
alike, with codes of one rate interleaved ("23", "23.00", "23.0") and whatever context the caller runs in."""
from __future__ import annotations

from decimal import ROUND_DOWN, Context, Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import SUM_STRATEGIES, rate_amounts
from tests.core.test_money_totals_one_pass import StoredLine, _amounts, _former_totals


def _former_rows(lines: list[StoredLine], sum_strategy: str) -> list[tuple[object, ...]]:
    """The rows as the former per-rate grouping (by parsed rate, in the precise context) gave them, as digits."""
    former = _former_totals([_amounts(line.tax, line.total_net, line.total_tax, line.total_gross) for line in lines],
                            sum_strategy, "PLN")
    return [(row.tax.code, row.net.as_tuple(), row.tax_amount.as_tuple(), row.gross.as_tuple())
            for row in former.per_rate]


def _rows(lines: list[StoredLine], sum_strategy: str) -> list[tuple[object, ...]]:
    return [(rate.code, net.as_tuple(), tax.as_tuple(), gross.as_tuple())
            for rate, net, tax, gross in rate_amounts(lines, sum_strategy)]


CODES = ("23", "23.00", "23.0", "8", "8.00", "5", "0", "0.00", "zw", "np", "5.5", "5.50", "25")
amount = st.decimals(min_value=-10**12, max_value=10**12, places=2, allow_nan=False, allow_infinity=False)
shaped = st.one_of(amount, amount.map(Decimal.normalize),
                   st.sampled_from([Decimal("0"), Decimal("-0.00"), Decimal("5.0"), Decimal("1E+3")]))
line = st.builds(lambda code, net, tax: StoredLine(code, net, tax, net + tax), st.sampled_from(CODES), shaped, shaped)
# A caller's context that would round or trap the sums if they ran in it.
callers = st.sampled_from([None, Context(prec=5, rounding=ROUND_DOWN), Context(prec=12, traps=[])])


@settings(max_examples=600, deadline=None)
@given(st.lists(line, max_size=14), st.sampled_from(SUM_STRATEGIES), callers)
def test_rows_are_the_former_per_rate_sums_for_interleaved_codes_of_one_rate(lines: list[StoredLine],
                                                                           sum_strategy: str,
                                                                           caller: Context | None) -> None:
    former = _former_rows(lines, sum_strategy)
    if caller is None:
        assert _rows(lines, sum_strategy) == former
    else:
        with localcontext(caller):
            assert _rows(lines, sum_strategy) == former


def test_codes_of_one_rate_make_one_row_named_as_the_first_line_names_it() -> None:
    lines = [StoredLine("23.00", Decimal("1.00"), Decimal("0.23"), Decimal("1.23")),
             StoredLine("8", Decimal("10"), Decimal("0.8"), Decimal("10.8")),
             StoredLine("23", Decimal("10.00"), Decimal("2.30"), Decimal("12.30"))]
    rows = rate_amounts(lines)
    assert [(rate.code, net, tax, gross) for rate, net, tax, gross in rows] == [
        ("23", Decimal("11.00"), Decimal("2.53"), Decimal("13.53")), ("8", Decimal("10.00"), Decimal("0.80"),
                                                                      Decimal("10.80"))]
    assert str(rows[0][1]) == "11.00" and str(rows[1][2]) == "0.80"
