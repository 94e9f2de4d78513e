import pytest

from core.documents.labels import LABELS, LANGUAGES, is_supported, label, languages_of


def test_every_language_has_exactly_the_english_keys() -> None:
    english = set(LABELS["en"])
    for code, table in LABELS.items():
        assert set(table) == english, code


def test_table_holds_the_thirteen_document_languages() -> None:
    assert LANGUAGES == ("en", "pl", "de", "fr", "cz", "ru", "es", "it", "nl", "hr", "sv", "da", "nb")


def test_no_label_is_empty() -> None:
    assert [(code, key) for code, table in LABELS.items() for key, text in table.items() if not text.strip()] == []


def test_templated_labels_keep_their_placeholders_in_every_language() -> None:
    for code in LANGUAGES:
        assert "{page}" in LABELS[code]["page"] and "{pages}" in LABELS[code]["page"], code
        assert "{currency}" in LABELS[code]["tax_in_currency"], code


def test_label_in_second_language() -> None:
    assert label("de", "seller") == "Verkäufer"
    assert label("sv", "cash_rounding") == "Öresavrundning"
    assert label("en", "cash_rounding") == "Cash rounding"


def test_bilingual_label_prints_primary_then_secondary() -> None:
    assert label("pl/en", "seller") == "Sprzedawca / Seller"
    assert label("pl/en", "page").format(page=1, pages=2) == "Strona 1 z 2 / Page 1 of 2"


def test_bilingual_label_prints_identical_words_once() -> None:
    assert label("pl/en", "status") == "Status"
    assert label("en/xx", "seller") == "Seller"


def test_unknown_language_falls_back_to_english() -> None:
    assert label("xx", "buyer") == "Buyer"
    assert label("", "buyer") == "Buyer"


def test_language_codes_are_normalized_and_aliased() -> None:
    assert label(" PL ", "buyer") == "Nabywca"
    assert languages_of("cs") == ("cz",)
    assert languages_of("no/en") == ("nb", "en")


def test_is_supported() -> None:
    assert is_supported("pl")
    assert is_supported("pl/en")
    assert is_supported("nb")
    assert not is_supported("xx")
    assert not is_supported("pl/xx")


def test_unknown_key_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        label("en", "no_such_label")
