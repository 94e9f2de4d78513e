from decimal import ROUND_DOWN
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core.money import (
    CASH_ROUNDING_UNITS,
    DISCOUNT_KINDS,
    MAX_AMOUNT,
    POSITION_STRATEGIES,
    SUM_STRATEGIES,
    LineAmounts,
    LineInput,
    _amount_text,
    cash_rounding_applies,
    compute_line,
    compute_totals,
    round_money,
    split_gross,
    to_decimal,
)
from core.tax import TaxRate, parse_tax


def net_line(tax: object, quantity: str, price: str, **extra: object) -> LineInput:
    return LineInput(tax=parse_tax(tax), quantity=D(quantity), price_net=D(price), **extra)  # type: ignore[arg-type]


def amounts(line: LineAmounts) -> tuple[D, D, D]:
    return line.total_net, line.total_tax, line.total_gross


# --- seed vectors -------------------------------------------------------------------------------------------


def test_invoiceocean_seed_invoice_totals_58_32_net_1_91_tax_60_23_gross() -> None:
    # {"tax":23,"total_price_gross":10.23,"quantity":1}, {"tax":0,"total_price_gross":50,"quantity":3}
    first = compute_line(LineInput(tax=parse_tax(23), quantity=to_decimal(1), total_gross=to_decimal(10.23)))
    second = compute_line(LineInput(tax=parse_tax(0), quantity=to_decimal(3), total_gross=to_decimal(50)))
    totals = compute_totals([first, second])

    assert amounts(first) == (D("8.32"), D("1.91"), D("10.23"))
    assert (first.price_net, first.price_tax, first.price_gross) == (D("8.32"), D("1.91"), D("10.23"))
    assert (totals.net, totals.tax, totals.gross) == (D("58.32"), D("1.91"), D("60.23"))
    assert [(r.tax.code, r.net, r.tax_amount, r.gross) for r in totals.per_rate] == [
        ("23", D("8.32"), D("1.91"), D("10.23")),
        ("0", D("50.00"), D("0.00"), D("50.00")),
    ]


def test_total_price_gross_is_the_line_total_not_the_unit_price() -> None:
    line = compute_line(LineInput(tax=parse_tax(0), quantity=D(3), total_gross=D(50)))

    assert amounts(line) == (D("50.00"), D("0.00"), D("50.00"))
    assert (line.price_net, line.price_gross) == (D("16.67"), D("16.67"))
    assert line.priced_gross is True


def test_fakturan_seed_invoice_nets_2000_taxes_370_with_a_text_row() -> None:
    rows = [(25, "100", "10"), (12, "100", "10 st"), (0, "0", "0")]  # the text row carries no amount
    lines = [
        compute_line(LineInput(tax=parse_tax(tax), quantity=to_decimal(amount), price_net=to_decimal(price)))
        for tax, price, amount in rows
    ]
    totals = compute_totals(lines, currency="SEK")

    assert amounts(lines[2]) == (D("0.00"), D("0.00"), D("0.00"))
    assert (totals.net, totals.tax, totals.gross) == (D("2000.00"), D("370.00"), D("2370.00"))
    assert {r.tax.code: r.tax_amount for r in totals.per_rate} == {"25": D("250.00"), "12": D("120.00")}
    assert (totals.payable, totals.cash_rounding) == (D("2370.00"), D("0.00"))


def test_fakturan_recorded_invoice_sum_is_cash_rounded_to_956_kronor() -> None:
    totals = compute_totals([compute_line(net_line(25, "1", "765.0"))], currency="SEK")

    assert (totals.net, totals.tax, totals.gross) == (D("765.00"), D("191.25"), D("956.25"))
    assert (totals.payable, totals.cash_rounding) == (D("956.00"), D("-0.25"))


def test_skatteverket_25_percent_of_4467_75_is_1116_94() -> None:
    line = compute_line(net_line(25, "1", "4467.75"))

    assert amounts(line) == (D("4467.75"), D("1116.94"), D("5584.69"))
    assert compute_totals([line], sum_strategy="keep_net").tax == D("1116.94")


# --- 16 x 348.35, 4 % off, 22 % VAT: which strategy gives which ------------------------------------------------


def discounted_16_x_348_35(kind: str = "percent_total") -> LineInput:
    return net_line(22, "16", "348.35", discount_percent=D(4), discount_kind=kind)


@pytest.mark.parametrize("sum_strategy", SUM_STRATEGIES)
def test_default_position_taxes_the_rounded_line_net_giving_6527_81(sum_strategy: str) -> None:
    line = compute_line(discounted_16_x_348_35(), "default")
    totals = compute_totals([line], sum_strategy=sum_strategy)

    assert amounts(line) == (D("5350.66"), D("1177.15"), D("6527.81"))
    assert (totals.net, totals.tax, totals.gross) == (D("5350.66"), D("1177.15"), D("6527.81"))


@pytest.mark.parametrize("sum_strategy", ["sum", "keep_gross"])
def test_keep_gross_position_taxes_the_unrounded_net_giving_6527_80(sum_strategy: str) -> None:
    line = compute_line(discounted_16_x_348_35(), "keep_gross")
    totals = compute_totals([line], sum_strategy=sum_strategy)

    assert amounts(line) == (D("5350.66"), D("1177.14"), D("6527.80"))
    assert (totals.net, totals.tax, totals.gross) == (D("5350.66"), D("1177.14"), D("6527.80"))
    assert (line.discount, line.priced_gross) == (D("222.94"), False)


def test_keep_net_sum_retaxes_the_rounded_net_of_a_keep_gross_line_giving_6527_81() -> None:
    totals = compute_totals([compute_line(discounted_16_x_348_35(), "keep_gross")], sum_strategy="keep_net")

    assert (totals.net, totals.tax, totals.gross) == (D("5350.66"), D("1177.15"), D("6527.81"))


# --- discount kinds -------------------------------------------------------------------------------------------


def test_percent_total_discount_comes_off_the_exact_line_total() -> None:
    line = compute_line(discounted_16_x_348_35("percent_total"))

    assert (line.price_net, line.discount, line.total_net) == (D("334.42"), D("222.94"), D("5350.66"))


def test_percent_unit_discount_multiplies_the_rounded_unit_price() -> None:
    line = compute_line(discounted_16_x_348_35("percent_unit"))

    assert (line.price_net, line.discount) == (D("334.42"), D("222.88"))
    assert amounts(line) == (D("5350.72"), D("1177.16"), D("6527.88"))


def test_percent_unit_gross_discount_rounds_the_unit_gross_price_of_a_net_line() -> None:
    line = compute_line(discounted_16_x_348_35("percent_unit_gross"))

    # unit gross 348.35 * 1.22 * 0.96 = 407.98752 -> 407.99; 16 x 407.99 = 6527.84, split back to net
    assert (line.price_gross, line.price_net) == (D("407.99"), D("334.42"))
    assert amounts(line) == (D("5350.69"), D("1177.15"), D("6527.84"))
    assert (line.discount, line.priced_gross) == (D("222.91"), False)


def test_percent_unit_discount_on_a_gross_priced_line_discounts_the_unit_gross() -> None:
    line = compute_line(LineInput(tax=parse_tax(23), quantity=D(3), price_gross=D(100), discount_percent=D(10)))

    assert (line.price_gross, line.discount, line.priced_gross) == (D("90.00"), D("30.00"), True)
    assert amounts(line) == (D("219.51"), D("50.49"), D("270.00"))


def test_amount_discount_comes_off_the_net_line_total() -> None:
    line = compute_line(net_line(23, "3", "100", discount_amount=D(15), discount_kind="amount"))

    assert (line.price_net, line.discount) == (D("95.00"), D("15.00"))
    assert amounts(line) == (D("285.00"), D("65.55"), D("350.55"))


def test_amount_discount_on_a_gross_priced_line_is_a_gross_amount() -> None:
    inp = LineInput(tax=parse_tax(23), quantity=D(2), price_gross=D(123), discount_amount=D(23), discount_kind="amount")
    line = compute_line(inp)

    assert (line.discount, line.price_gross) == (D("23.00"), D("111.50"))
    assert amounts(line) == (D("181.30"), D("41.70"), D("223.00"))


def test_amount_discount_shrinks_a_correction_line_towards_zero() -> None:
    line = compute_line(net_line(23, "-3", "100", discount_amount=D(15), discount_kind="amount"))

    assert (line.price_net, line.discount) == (D("95.00"), D("-15.00"))
    assert amounts(line) == (D("-285.00"), D("-65.55"), D("-350.55"))


def test_given_total_is_final_and_the_discount_is_only_reported() -> None:
    line = compute_line(net_line(23, "2", "100", total_net=D(180), discount_percent=D(10)))

    assert (line.discount, line.price_net) == (D("20.00"), D("90.00"))
    assert amounts(line) == (D("180.00"), D("41.40"), D("221.40"))


def test_bare_total_with_a_percent_discount_reports_the_implied_discount() -> None:
    line = compute_line(LineInput(tax=parse_tax(23), total_net=D(90), discount_percent=D(10)))

    assert (line.discount, line.total_net) == (D("10.00"), D("90.00"))


def test_line_without_a_discount_reports_zero_discount() -> None:
    assert compute_line(net_line(23, "7", "0.99"), "keep_gross").discount == D("0.00")


@pytest.mark.parametrize(
    ("kind", "percent", "amount"),
    [
        ("amount", D(5), None),
        ("percent_unit", None, D(5)),
        ("percent_total", D("100.01"), None),
        ("percent_unit", D(-1), None),
        ("amount", None, D(-1)),
        ("amount", None, D("10.01")),
        ("loyalty", D(5), None),
    ],
)
def test_inconsistent_or_out_of_range_discounts_are_rejected(kind: str, percent: D | None, amount: D | None) -> None:
    with pytest.raises(ValueError):
        compute_line(net_line(23, "1", "10", discount_kind=kind, discount_percent=percent, discount_amount=amount))


# --- position strategies and line rounding --------------------------------------------------------------------


def test_net_priced_line_taxes_the_rounded_net() -> None:
    line = compute_line(net_line(23, "1", "59.00"))

    assert amounts(line) == (D("59.00"), D("13.57"), D("72.57"))
    assert (line.price_net, line.price_tax, line.price_gross, line.priced_gross) == (
        D("59.00"), D("13.57"), D("72.57"), False,
    )


def test_default_position_lets_net_win_when_net_and_gross_are_both_given() -> None:
    line = compute_line(net_line(23, "1", "59.00", price_gross=D(100)))

    assert amounts(line) == (D("59.00"), D("13.57"), D("72.57"))


def test_keep_gross_position_lets_the_given_gross_win() -> None:
    line = compute_line(net_line(23, "1", "59.00", price_gross=D(100)), "keep_gross")

    assert amounts(line) == (D("81.30"), D("18.70"), D("100.00"))
    assert line.priced_gross is True


def test_fractional_quantity_rounds_the_line_once() -> None:
    line = compute_line(net_line(25, "1.5", "9.95"))

    assert amounts(line) == (D("14.93"), D("3.73"), D("18.66"))


def test_correction_line_mirrors_the_corrected_line() -> None:
    before = compute_line(LineInput(tax=parse_tax("23"), quantity=D(1), total_gross=D(10)))
    correction = compute_line(LineInput(tax=parse_tax("23"), quantity=D(-1), total_gross=D(-10)))

    assert amounts(before) == (D("8.13"), D("1.87"), D("10.00"))
    assert amounts(correction) == (D("-8.13"), D("-1.87"), D("-10.00"))
    assert (correction.price_net, correction.price_gross) == (D("8.13"), D("10.00"))


@pytest.mark.parametrize("code", ["zw", "np", "oo", "ex", "disabled", "0"])
def test_zero_and_symbolic_rates_carry_no_tax(code: str) -> None:
    line = compute_line(net_line(code, "2", "50"))

    assert amounts(line) == (D("100.00"), D("0.00"), D("100.00"))


def test_zero_quantity_text_row_has_zero_unit_prices() -> None:
    line = compute_line(net_line(25, "0", "0"))

    assert (line.price_net, line.price_gross, line.discount) == (D("0.00"), D("0.00"), D("0.00"))


def test_line_without_any_price_is_rejected() -> None:
    with pytest.raises(ValueError, match="net or a gross"):
        compute_line(LineInput(tax=parse_tax(23), quantity=D(2)))


@pytest.mark.parametrize(("position", "sum_strategy"), [("keep_net", "sum"), ("default", "default")])
def test_unknown_strategies_are_rejected(position: str, sum_strategy: str) -> None:
    with pytest.raises(ValueError, match="unknown"):
        compute_totals([compute_line(net_line(23, "1", "1"), position)], sum_strategy=sum_strategy)


def test_round_money_rounds_half_away_from_zero_and_never_returns_negative_zero() -> None:
    assert round_money(D("0.005")) == D("0.01")
    assert round_money(D("-0.005")) == D("-0.01")
    assert str(round_money(D("-0.004"))) == "0.00"
    assert round_money(D("955.5"), D(1)) == D("956")


@pytest.mark.parametrize(
    ("gross", "tax", "expected"),
    [
        ("10.23", "23", ("8.32", "1.91")),
        ("-10.23", "23", ("-8.32", "-1.91")),
        ("100", "zw", ("100.00", "0.00")),
        ("0.01", "23", ("0.01", "0.00")),
    ],
)
def test_split_gross_keeps_net_plus_tax_equal_to_gross(gross: str, tax: str, expected: tuple[str, str]) -> None:
    assert split_gross(D(gross), parse_tax(tax)) == (D(expected[0]), D(expected[1]))


# --- sum strategies, per-rate order, cash rounding ----------------------------------------------------------


def three_dimes_at_23() -> list[LineAmounts]:
    # each line: net 0.10, tax round(0.023) = 0.02, gross 0.12; the strategies disagree on the third cent
    return [compute_line(net_line(23, "1", "0.10")) for _ in range(3)]


@pytest.mark.parametrize(
    ("sum_strategy", "expected"),
    [
        ("sum", ("0.30", "0.06", "0.36")),
        ("keep_net", ("0.30", "0.07", "0.37")),
        ("keep_gross", ("0.29", "0.07", "0.36")),
    ],
)
def test_sum_strategy_decides_where_the_rate_total_is_rounded(sum_strategy: str, expected: tuple[str, ...]) -> None:
    totals = compute_totals(three_dimes_at_23(), sum_strategy=sum_strategy)
    rate = totals.per_rate[0]

    assert (rate.net, rate.tax_amount, rate.gross) == tuple(D(x) for x in expected)
    assert (totals.net, totals.tax, totals.gross) == tuple(D(x) for x in expected)


def test_per_rate_totals_run_by_percent_then_symbolic_codes() -> None:
    codes = ["5", "zw", "23", "disabled", "0", "ex", "np", "8", "oo", "5.5"]
    totals = compute_totals([compute_line(net_line(code, "1", "10")) for code in codes])

    assert [r.tax.code for r in totals.per_rate] == ["23", "8", "5.5", "5", "0", "zw", "np", "oo", "ex", "disabled"]


def test_one_rate_spelled_two_ways_is_one_vat_summary_row() -> None:
    totals = compute_totals([compute_line(net_line(23, "1", "10")), compute_line(net_line("23.0 %", "1", "5"))])

    assert [(r.tax.code, r.net) for r in totals.per_rate] == [("23", D("15.00"))]


def test_zero_lines_add_no_row_to_the_vat_summary() -> None:
    totals = compute_totals([compute_line(net_line(23, "0", "0")), compute_line(net_line(8, "1", "0"))])

    assert (totals.per_rate, totals.net, totals.tax, totals.gross) == ((), D("0.00"), D("0.00"), D("0.00"))


def test_cash_rounding_table_holds_only_swedish_kronor() -> None:
    assert CASH_ROUNDING_UNITS == {"SEK": D(1)}
    assert [cash_rounding_applies(c) for c in ("SEK", "sek", "PLN", "EUR", "NOK")] == [True, True, False, False, False]


@pytest.mark.parametrize(
    ("price", "currency", "flag", "payable", "rounding"),
    [
        ("80.40", "SEK", None, "101.00", "0.50"),  # 100.50 rounds half up
        ("-80.40", "SEK", None, "-101.00", "-0.50"),  # a credit note mirrors it
        ("765", "SEK", False, "956.25", "0.00"),
        ("765", "PLN", None, "956.25", "0.00"),
        ("765", "PLN", True, "956.00", "-0.25"),
    ],
)
def test_cash_rounding_changes_only_the_payable_amount(
    price: str, currency: str, flag: bool | None, payable: str, rounding: str
) -> None:
    line = compute_line(net_line(25, "1", price))
    totals = compute_totals([line], currency=currency, cash_rounding=flag)

    assert (totals.net, totals.tax) == (line.total_net, line.total_tax)
    assert (totals.payable, totals.cash_rounding) == (D(payable), D(rounding))


# --- parsing ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code", "percent"),
    [
        (23, "23", "23"),
        ("23", "23", "23"),
        ("23%", "23", "23"),
        (" 23 % ", "23", "23"),
        ("23.0", "23", "23"),
        (D("23"), "23", "23"),
        (23.0, "23", "23"),
        ("5.50", "5.5", "5.5"),
        ("5,5", "5.5", "5.5"),
        (0, "0", "0"),
        ("100", "100", "100"),
        ("zw", "zw", "0"),
        ("ZW", "zw", "0"),
        ("np", "np", "0"),
        ("NP", "np", "0"),
        ("n/a", "np", "0"),
        ("na", "np", "0"),
        ("nie podlega", "np", "0"),
        ("Nie  Podlega", "np", "0"),
        ("not applicable", "np", "0"),
        ("disabled", "disabled", "0"),
        ("oo", "oo", "0"),
        ("ex", "ex", "0"),
    ],
)
def test_parse_tax_accepts_every_documented_spelling(value: object, code: str, percent: str) -> None:
    rate = parse_tax(value)

    assert (rate.code, rate.percent, rate.is_symbolic) == (code, D(percent), not code[0].isdigit())
    assert str(rate.percent) == percent


@pytest.mark.parametrize(
    "value", ["abc", "-5", "150", "", "23 st", "nan", -5, 150, D("100.01"), D("NaN"), float("inf"), True, None]
)
def test_parse_tax_rejects_garbage_negative_and_over_100(value: object) -> None:
    with pytest.raises(ValueError):
        parse_tax(value)


@given(st.one_of(st.integers(min_value=-5, max_value=105),
                 st.decimals(min_value=-5, max_value=105, places=3, allow_nan=False, allow_infinity=False)))
def test_a_numeric_rate_parsed_again_is_the_same_rate_as_the_first_time(value: object) -> None:
    """Numeric rates are remembered per value (as text rates are): the same answer, or the same refusal, each time."""
    def outcome() -> object:
        try:
            return parse_tax(value)
        except ValueError as error:
            return str(error)
    first = outcome()
    assert outcome() == first
    if isinstance(first, TaxRate):
        code = format(D(value).copy_abs().normalize(), "f")  # -0 is 0
        assert (first.code, first.percent) == (code, D(code))
    for signalling in (D("sNaN"), D("-sNaN")):  # unhashable: never a cache key, refused as before
        with pytest.raises(ValueError):
            parse_tax(signalling)


def test_tax_rate_exposes_a_fraction_and_refuses_non_canonical_construction() -> None:
    assert parse_tax("5.5").rate == D("0.055")
    assert parse_tax("zw").rate == 0
    for code, percent in [("23.0", D(23)), ("23", D(8)), ("zw", D(5)), ("7", 7)]:
        with pytest.raises(ValueError):
            TaxRate(code, percent)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10.23", "10.23"),
        ("10,23", "10.23"),
        (" 1 234,50 ", "1234.50"),
        ("1\u00a0234\u00a0567,5", "1234567.5"),
        ("10 st", "10"),
        ("1,5 szt.", "1.5"),
        ("-10,5", "-10.5"),
        ("+3", "3"),
        (10.23, "10.23"),
        (5, "5"),
        (D("1.50"), "1.50"),
    ],
)
def test_to_decimal_reads_lenient_amounts_exactly(value: object, expected: str) -> None:
    result = to_decimal(value)

    assert (result, str(result)) == (D(expected), expected)


@pytest.mark.parametrize(
    "value",
    ["abc", "", "1,234.50", "1.234,50", "12 34", "1e3", "10,5 %", "--1", "1.2.3", "nan", True, None, float("inf")],
)
def test_to_decimal_rejects_garbage(value: object) -> None:
    with pytest.raises(ValueError):
        to_decimal(value)


# --- properties ---------------------------------------------------------------------------------------------

RATES = st.sampled_from(["23", "8", "5", "0", "zw", "np", "25", "12", "6"]).map(parse_tax)
QUANTITIES = st.decimals(min_value=-1000, max_value=1000, places=3)
PRICES = st.decimals(min_value=0, max_value=10**7, places=2)
TOTALS = st.decimals(min_value=-(10**9), max_value=10**9, places=2)


@st.composite
def line_inputs(draw: st.DrawFn) -> LineInput:
    given = draw(st.sampled_from(["price_net", "price_gross", "total_net", "total_gross", "both_prices"]))
    kind = draw(st.sampled_from(DISCOUNT_KINDS))
    fields: dict[str, D | None] = {}
    if given in ("price_net", "both_prices"):
        fields["price_net"] = draw(PRICES)
    if given in ("price_gross", "both_prices"):
        fields["price_gross"] = draw(PRICES)
    if given.startswith("total"):
        fields[given] = draw(TOTALS)
    quantity = draw(QUANTITIES)
    if kind == "amount":
        # a discount may not exceed a line priced per unit; a given total is already discounted
        units = [price for price in fields.values() if price is not None] if not given.startswith("total") else []
        most = min([abs(quantity * unit).quantize(D("0.01"), rounding=ROUND_DOWN) for unit in units], default=D(10**5))
        fields["discount_amount"] = draw(st.none() | st.decimals(min_value=0, max_value=min(most, D(10**5)), places=2))
    else:
        fields["discount_percent"] = draw(st.none() | st.decimals(min_value=0, max_value=100, places=2))
    return LineInput(tax=draw(RATES), quantity=quantity, discount_kind=kind, **fields)  # type: ignore[arg-type]


LINE_LISTS = st.lists(line_inputs(), max_size=8)
PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(LINE_LISTS, st.sampled_from(POSITION_STRATEGIES), st.sampled_from(SUM_STRATEGIES), st.booleans())
def test_net_plus_tax_equals_gross_for_every_line_rate_and_invoice(
    inputs: list[LineInput], position: str, sum_strategy: str, sek: bool
) -> None:
    lines = [compute_line(inp, position) for inp in inputs]
    totals = compute_totals(lines, sum_strategy=sum_strategy, currency="SEK" if sek else "PLN")

    for line in lines:
        assert line.total_net + line.total_tax == line.total_gross
        assert line.price_net + line.price_tax == line.price_gross
    for rate in totals.per_rate:
        assert rate.net + rate.tax_amount == rate.gross
    assert totals.net + totals.tax == totals.gross
    assert (sum(r.net for r in totals.per_rate), sum(r.gross for r in totals.per_rate)) == (totals.net, totals.gross)
    assert totals.gross + totals.cash_rounding == totals.payable
    assert abs(totals.cash_rounding) <= (D("0.50") if sek else D(0))
    if sek:
        assert totals.payable == totals.payable.to_integral_value()


@PROPERTY
@given(st.data(), LINE_LISTS, st.sampled_from(SUM_STRATEGIES))
def test_totals_do_not_depend_on_line_order(data: st.DataObject, inputs: list[LineInput], sum_strategy: str) -> None:
    lines = [compute_line(inp) for inp in inputs]
    shuffled = data.draw(st.permutations(lines))

    assert compute_totals(shuffled, sum_strategy=sum_strategy) == compute_totals(lines, sum_strategy=sum_strategy)


@PROPERTY
@given(line_inputs(), st.sampled_from(POSITION_STRATEGIES))
def test_negating_quantity_and_totals_mirrors_every_amount(inp: LineInput, position: str) -> None:
    assume(inp.quantity != 0 and inp.total_net != 0 and inp.total_gross != 0)
    negated = LineInput(
        tax=inp.tax,
        quantity=-inp.quantity,
        price_net=inp.price_net,
        price_gross=inp.price_gross,
        total_net=None if inp.total_net is None else -inp.total_net,
        total_gross=None if inp.total_gross is None else -inp.total_gross,
        discount_percent=inp.discount_percent,
        discount_amount=inp.discount_amount,
        discount_kind=inp.discount_kind,
    )
    line, mirror = compute_line(inp, position), compute_line(negated, position)

    assert (*amounts(mirror), mirror.discount) == (-line.total_net, -line.total_tax, -line.total_gross, -line.discount)
    assert (mirror.price_net, mirror.price_gross) == (line.price_net, line.price_gross)


_BOUNDS = st.sampled_from([0, 1, 10**12 - 1, 10**12, 10**12 + 1, 2**63, 10**30])


@given(st.one_of(st.integers(min_value=-10**13, max_value=10**13), _BOUNDS, _BOUNDS.map(lambda n: -n)))
def test_a_json_integer_reads_as_an_integer_exactly_as_its_digits_do(value: int) -> None:
    """to_int and to_decimal take a JSON body's int and Decimal the short way: the same answer or refusal as the
    text of the same number, which goes the general way."""
    from dialects.kit.lenient import to_int

    def outcome(read: Any, given: object) -> object:
        try:
            return read(given)
        except ValueError:
            return ValueError
    assert outcome(to_int, value) == outcome(to_int, str(value))
    assert outcome(to_decimal, D(value)) == outcome(to_decimal, str(value))
    assert outcome(to_decimal, D(value) / 1000) == outcome(to_decimal, str(D(value) / 1000))
    for special in (D("NaN"), D("Infinity"), D("-Infinity")):
        assert outcome(to_decimal, special) is ValueError


@given(st.text(alphabet="0123456789.", max_size=12) | st.from_regex(r"\A[0-9]{1,15}(\.[0-9]{1,6})?\Z"))
def test_a_plain_amount_text_reads_as_the_general_amount_pattern_reads_it(text: str) -> None:
    """to_decimal's first test takes "100.00" and "3" without the pattern; anything it takes, the pattern
    (money._amount_text) reads to the same value, and anything the pattern refuses it refuses too."""
    try:
        expected: D | None = _amount_text(text)
    except ValueError:
        expected = None
    try:
        found: D | None = to_decimal(text)
    except ValueError:
        found = None
    if expected is not None and abs(expected) >= MAX_AMOUNT:
        expected = None  # too large: refused by both
    assert (found, str(found)) == (expected, str(expected))
