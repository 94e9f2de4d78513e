"""The presenters' fast value formatters write exactly what the general ones they replaced wrote (issue 20):
checked over many Decimals, exponent forms, negative zeros and long texts included."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import plain_text
from dialects.fakturan.fields import _normalized_string, decimal_string
from dialects.invoiceocean.present import CENT, _decimals, decimal_text, money, money_text, quantity, quantity_text

finite = st.decimals(allow_nan=False, allow_infinity=False, places=None)
money_like = st.decimals(min_value=-10**12, max_value=10**12, places=4, allow_nan=False, allow_infinity=False)
odd = st.sampled_from([Decimal("0"), Decimal("-0"), Decimal("-0.00"), Decimal("0E-7"), Decimal("1E+2"),
                       Decimal("100"), Decimal("0.0000001"), Decimal("-0.50"), Decimal("12.500"),
                       Decimal("1234567890123456789012.5"), Decimal("Infinity"), Decimal("-Infinity"),
                       Decimal("NaN")])
values = st.one_of(finite, money_like, money_like.map(lambda d: d.normalize()), odd)


@settings(max_examples=1000, deadline=None)
@given(values)
def test_fakturan_decimal_string_is_rails_bigdecimal_text_as_before(value: Decimal) -> None:
    assert decimal_string(value) == _normalized_string(value)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(money_like, money_like.map(lambda d: d.normalize()), odd))
def test_invoiceocean_json_amounts_are_the_text_of_the_typed_amounts(value: Decimal) -> None:
    assert decimal_text(value) == plain_text(value) == format(value, "f")
    if value.is_finite():  # money() quantizes; stored amounts are finite
        # money() as it was: at least two decimals, more kept
        assert money(value) == (value.quantize(CENT) if _decimals(value) < 2 else value)
        assert str(money(value)) == str(value.quantize(CENT) if _decimals(value) < 2 else value)
        assert money_text(value) == format(money(value), "f")  # type: ignore[arg-type]
        assert quantity_text(value) == format(quantity(value), "f")
