"""InvoiceOcean prints amounts with at least two decimals and quantities with at least one; more stay."""
from __future__ import annotations

from decimal import Decimal

import pytest

from dialects.invoiceocean.present import money, quantity


@pytest.mark.parametrize(("stored", "amount", "count"), [
    ("100.00", "100.00", "100.00"), ("3", "3.00", "3.0"), ("3.5", "3.50", "3.5"), ("-0.1", "-0.10", "-0.1"),
    ("1.2345", "1.2345", "1.2345"), ("1E+2", "100.00", "100.0"), ("1.5E-7", "1.5E-7", "1.5E-7"), ("0", "0.00", "0.0"),
    ("0.000", "0.000", "0.000"), ("-12.30", "-12.30", "-12.30"),
    ("123456789012.5", "123456789012.50", "123456789012.5"),
])
def test_amounts_and_quantities_get_their_minimum_decimals_and_keep_any_more(stored: str, amount: str,
                                                                             count: str) -> None:
    assert str(money(Decimal(stored))) == amount
    assert str(quantity(Decimal(stored))) == count
    assert money(None) is None
