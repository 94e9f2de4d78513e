"""VAT rates: one canonical `TaxRate` for every spelling clients send.

Numeric rates keep their percent. Symbolic rates (exempt, not applicable, reverse charge, export, disabled)
carry 0 % but keep their own code, because an invoice prints them apart from a real 0 % rate.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal

# Also the order in which symbolic rates follow the numeric ones in a VAT summary.
SYMBOLIC_CODES: tuple[str, ...] = ("zw", "np", "oo", "ex", "disabled")

_ALIASES: dict[str, str] = {
    "zw": "zw",
    "np": "np",
    "n/a": "np",
    "na": "np",
    "nie podlega": "np",
    "not applicable": "np",
    "oo": "oo",
    "ex": "ex",
    "disabled": "disabled",
}

# No sign: a negative rate is rejected as garbage rather than parsed and then refused.
_PERCENT_TEXT = re.compile(r"(\d+(?:[.,]\d+)?)\s*%?")
_HUNDRED = Decimal(100)


def _canonical_code(percent: Decimal) -> str:
    # format(..., "f") because normalize() alone turns 100 into "1E+2".
    return format(percent.copy_abs().normalize(), "f")


@dataclass(frozen=True)
class TaxRate:
    code: str
    percent: Decimal

    def __post_init__(self) -> None:
        # A hand-built rate must equal the parsed one, or grouping per rate would split one rate in two.
        if self.code in SYMBOLIC_CODES:
            valid = isinstance(self.percent, Decimal) and self.percent == 0
        else:
            valid = (
                isinstance(self.percent, Decimal)
                and self.percent.is_finite()
                and 0 <= self.percent <= _HUNDRED
                and _canonical_code(self.percent) == self.code
            )
        if not valid:
            raise ValueError(f"inconsistent tax rate: code={self.code!r} percent={self.percent!r}")

    @property
    def rate(self) -> Decimal:
        return self.percent / _HUNDRED

    @property
    def is_symbolic(self) -> bool:
        return self.code in SYMBOLIC_CODES

    def __str__(self) -> str:
        return self.code


@functools.lru_cache(maxsize=512)
def _parse_tax_text(value: str) -> TaxRate:
    """Rates come back as the same few strings on every line read ("23", "zw"): parsed once each.
    TaxRate is frozen, so the cached one can be shared."""
    text = " ".join(value.split()).lower()
    if text in _ALIASES:
        return TaxRate(_ALIASES[text], Decimal(0))
    match = _PERCENT_TEXT.fullmatch(text)
    if match is None:
        raise ValueError(f"not a tax rate: {value!r}")
    return _rate(Decimal(match.group(1).replace(",", ".")), value)


def parse_tax(value: object) -> TaxRate:
    """Turn 23, "23%", "5,5", Decimal("8"), 23.0, "ZW", "nie podlega", ... into a canonical TaxRate."""
    if isinstance(value, TaxRate):
        return value
    if isinstance(value, bool):
        raise ValueError(f"not a tax rate: {value!r}")
    if isinstance(value, str):
        return _parse_tax_text(value)
    if isinstance(value, int) or (isinstance(value, Decimal) and value.is_finite()):
        return _parse_tax_number(value)
    if isinstance(value, float):
        # repr gives the shortest round-tripping text ("23.0"), never the binary expansion.
        percent = Decimal(repr(value))
    elif isinstance(value, Decimal):
        percent = value  # not finite: refused by _rate
    else:
        raise ValueError(f"not a tax rate: {value!r}")
    return _rate(percent, value)


@functools.lru_cache(maxsize=512)
def _parse_tax_number(value: int | Decimal) -> TaxRate:
    """A JSON body's numeric rate (23, 8.0 read as Decimal): parsed once per value, as text rates are. Equal
    numbers (23 and Decimal("23.0")) are one key and one rate, which is right: they have one canonical code.
    Only finite Decimals come here (a signalling NaN cannot be hashed)."""
    return _rate(Decimal(value), value)


def _rate(percent: Decimal, value: object) -> TaxRate:
    if not percent.is_finite() or percent < 0 or percent > _HUNDRED:
        raise ValueError(f"tax rate out of range: {value!r}")
    code = _canonical_code(percent)
    return TaxRate(code, Decimal(code))
