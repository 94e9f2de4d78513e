from decimal import Decimal

import pytest

from core.documents.words import amount_in_words


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("22.00", "PLN", "dwadzieścia dwa złote 00/100"),
        ("123.45", "PLN", "sto dwadzieścia trzy złote 45/100"),
        ("1.01", "PLN", "jeden złoty 01/100"),
        ("5", "PLN", "pięć złotych 00/100"),
        ("12", "PLN", "dwanaście złotych 00/100"),
        ("0.50", "PLN", "zero złotych 50/100"),
        ("1230", "PLN", "tysiąc dwieście trzydzieści złotych 00/100"),
        ("22.50", "EUR", "dwadzieścia dwa euro 50/100"),
        ("22.50", "USD", "dwadzieścia dwa dolary amerykańskie 50/100"),
    ],
)
def test_polish_amount_reads_units_in_words_and_grosze_as_fraction(amount: str, currency: str, expected: str) -> None:
    assert amount_in_words(Decimal(amount), currency, "pl") == expected


def test_polish_whole_amount_does_not_say_zero_groszy() -> None:
    text = amount_in_words(Decimal("22.00"), "PLN", "pl")
    assert "zero" not in text
    assert text == "dwadzieścia dwa złote 00/100"


def test_polish_currency_without_polish_noun_prints_its_code() -> None:
    assert amount_in_words(Decimal("22"), "gbp", "pl") == "dwadzieścia dwa GBP 00/100"


def test_amount_is_rounded_half_up_to_cents_before_wording() -> None:
    assert amount_in_words(Decimal("22.005"), "PLN", "pl") == "dwadzieścia dwa złote 01/100"


def test_negative_amount_reads_minus() -> None:
    assert amount_in_words(Decimal("-22.50"), "PLN", "pl") == "minus dwadzieścia dwa złote 50/100"


def test_bilingual_code_words_in_its_primary_language() -> None:
    assert amount_in_words(Decimal("22"), "PLN", "pl/en") == "dwadzieścia dwa złote 00/100"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("22.50", "tjugotvå kronor och femtio öre"),
        ("22.00", "tjugotvå kronor"),
        ("1", "en krona"),
        ("956.01", "niohundrafemtiosex kronor och ett öre"),
    ],
)
def test_swedish_kronor_are_composed_from_the_cardinal(amount: str, expected: str) -> None:
    assert amount_in_words(Decimal(amount), "SEK", "sv") == expected


def test_swedish_foreign_currency_prints_code_and_fraction() -> None:
    assert amount_in_words(Decimal("22.50"), "EUR", "sv") == "tjugotvå EUR 50/100"


def test_other_languages_fall_back_to_english() -> None:
    assert amount_in_words(Decimal("22.50"), "EUR", "de") == "twenty-two euro and fifty cents"
    assert amount_in_words(Decimal("1.01"), "USD", "en") == "one dollar and one cent"
    assert amount_in_words(Decimal("22.00"), "GBP", "en") == "twenty-two pounds sterling"


def test_english_currency_num2words_cannot_name_prints_code_and_fraction() -> None:
    assert amount_in_words(Decimal("22"), "CZK", "en") == "twenty-two CZK 00/100"
