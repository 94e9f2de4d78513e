"""The amount due in words, as Polish invoices print it ("Słownie: ...").

Wording, chosen deliberately:
- Polish: whole units in words, the currency inflected, the minor units as a fraction, the way
  Polish invoices are usually written: "sto dwadzieścia trzy złote 45/100",
  "dwadzieścia dwa złote 00/100". num2words' own currency mode would say
  "dwadzieścia dwa złote, zero groszy", which reads as a mistake on an invoice. A currency
  num2words has no Polish noun for is printed as its ISO code: "dwadzieścia dwa GBP 00/100".
- Swedish: num2words rejects `currency=` for Swedish, so it is composed from the cardinal:
  "tjugotvå kronor och femtio öre", "en krona"; zero öre is left out. Other currencies print
  their ISO code and the fraction: "tjugotvå EUR 50/100".
- Every other language gets English: "twenty-two euro and fifty cents"; zero cents is left
  out, and a currency num2words cannot name is printed as its code with the fraction.
A bilingual code ("pl/en") words the amount in its primary language. Amounts are rounded
half-up to two decimals first; a negative amount (a correction) reads "minus ...".
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from num2words import CONVERTER_CLASSES, num2words

from core.documents.labels import primary_language

_CENT = Decimal("0.01")


def amount_in_words(amount: Decimal, currency: str, lang: str) -> str:
    rounded = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    whole, minor = divmod(abs(rounded) * 100, 100)
    units, cents = int(whole), int(minor)
    code = currency.strip().upper()
    language = primary_language(lang)
    if language == "pl":
        text = _polish(units, cents, code)
    elif language == "sv":
        text = _swedish(units, cents, code)
    else:
        text = _english(units, cents, code)
    return f"minus {text}" if rounded < 0 else text


def _polish(units: int, cents: int, code: str) -> str:
    converter = CONVERTER_CLASSES["pl"]
    forms = converter.CURRENCY_FORMS.get(code)
    noun = converter.pluralize(units, forms[0]) if forms else code
    return f"{num2words(units, lang='pl')} {noun} {cents:02d}/100"


def _swedish(units: int, cents: int, code: str) -> str:
    if code != "SEK":
        return f"{num2words(units, lang='sv')} {code} {cents:02d}/100"
    # "krona" is a common-gender noun, so one is "en krona"; num2words' cardinal is "ett".
    text = "en krona" if units == 1 else f"{num2words(units, lang='sv')} kronor"
    return f"{text} och {num2words(cents, lang='sv')} öre" if cents else text


def _english(units: int, cents: int, code: str) -> str:
    converter = CONVERTER_CLASSES["en"]
    forms = converter.CURRENCY_FORMS.get(code)
    if not forms:
        return f"{num2words(units, lang='en')} {code} {cents:02d}/100"
    major, minor = forms
    text = f"{num2words(units, lang='en')} {major[0] if units == 1 else major[1]}"
    if not cents:
        return text
    return f"{text} and {num2words(cents, lang='en')} {minor[0] if cents == 1 else minor[1]}"
