import io
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from core.documents.labels import LABELS
from core.documents.pdf import render_pdf
from core.documents.pdf_fonts import BOLD, PRIMED, PRIMED_BY_LANGUAGE, REGULAR
from core.documents.view import DocumentView, PartyView, RateTotalView
from tests.core.documents.samples import document, line

DUPLICATE_DAY = date(2024, 3, 1)


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def text_of(doc: DocumentView, print_option: str = "original") -> str:
    return "\n".join(pages_of(render_pdf(doc, print_option, duplicate_date=DUPLICATE_DAY)))


def test_invoice_shows_title_number_dates_and_payment_terms() -> None:
    text = text_of(document(3))
    assert "Faktura VAT FV 1/01/2024" in text
    assert "Data wystawienia:\n2024-01-15" in text
    assert "Data sprzedaży:\n2024-01-14" in text
    assert "Termin płatności:\n2024-01-29" in text
    assert "Sposób płatności:\nPrzelew" in text
    assert "Miejsce wystawienia:\nWarszawa" in text


def test_invoice_shows_seller_and_buyer_with_polish_characters() -> None:
    text = text_of(document(1))
    assert "Sprzedawca\nWystawca Sp. z o.o.\nul. Prosta 1\n00-001 Warszawa\nPL\nNIP: 5252445767" in text
    assert "Nabywca\nZażółć gęślą jaźń Sp. z o.o.\nul. Długa 5\n80-001 Gdańsk\nPL\nNIP: 5213017228" in text


def test_invoice_embeds_dejavu_sans() -> None:
    resources: Any = PdfReader(io.BytesIO(render_pdf(document(1)))).pages[0]["/Resources"]
    fonts = {str(font["/BaseFont"]).split("+")[-1] for font in resources["/Font"].values()}
    assert fonts == {"DejaVuSans", "DejaVuSans-Bold"}


def test_lines_print_quantity_unit_prices_rate_and_totals() -> None:
    doc = document(0, lines=(line(1, net="1234.5", quantity="2.5", name="Usługa", unit="h"),))
    text = text_of(doc)
    assert "1\nUsługa\n2,5\nh\n1 234,50\n23%\n3 086,25\n709,84\n3 796,09" in text


def test_rate_summary_and_grand_totals_are_printed() -> None:
    text = text_of(document(10))
    assert "Zestawienie według stawek VAT" in text
    assert "23%\n1 000,00\n230,00\n1 230,00\nRazem\n1 000,00\n230,00\n1 230,00" in text
    assert "Do zapłaty:\n1 230,00 PLN" in text


def test_english_invoice_uses_decimal_point_and_no_amount_in_words() -> None:
    text = text_of(document(10, lang="en"))
    assert "VAT invoice FV 1/01/2024" in text
    assert "Amount due:\n1,230.00 PLN" in text
    assert "In words" not in text


def test_polish_invoice_prints_amount_due_in_words() -> None:
    assert "Słownie: tysiąc dwieście trzydzieści złotych 00/100" in text_of(document(10))


def test_labels_follow_the_document_language() -> None:
    german = text_of(document(1, lang="de"))
    assert "Rechnung FV 1/01/2024" in german
    assert "Verkäufer" in german and "Käufer" in german and "Zu zahlen:\n123,00 PLN" in german
    swedish = text_of(document(1, lang="sv", currency="SEK"))
    assert "Faktura FV 1/01/2024" in swedish
    assert "Säljare" in swedish and "Köpare" in swedish and "Att betala:\n123,00 SEK" in swedish
    assert "Sida 1 av 1" in swedish


def test_bilingual_invoice_prints_both_languages() -> None:
    text = text_of(document(1, lang="pl/en"))
    assert "Faktura VAT / VAT invoice FV 1/01/2024" in text
    assert "Sprzedawca / Seller" in text and "Nabywca / Buyer" in text
    assert "Do zapłaty / Amount due:\n123,00 PLN" in text
    assert "Strona 1 z 1 / Page 1 of 1" in text
    assert "Słownie / In words: sto dwadzieścia trzy złote 00/100" in text


@pytest.mark.parametrize(
    ("option", "mark"), [("original", "ORYGINAŁ"), ("copy", "KOPIA"), ("duplicate", "DUPLIKAT")]
)
def test_print_option_marks_the_copy(option: str, mark: str) -> None:
    lines = text_of(document(1), option).splitlines()
    assert [candidate for candidate in ("ORYGINAŁ", "KOPIA", "DUPLIKAT") if candidate in lines] == [mark]


def test_duplicate_carries_the_date_it_was_issued() -> None:
    assert "DUPLIKAT\nDuplikat wystawiony dnia 2024-03-01" in text_of(document(1), "duplicate")
    assert "DUPLICATE\nDuplicate issued on 2024-03-01" in text_of(document(1, lang="en"), "duplicate")


def test_original_and_copy_prints_both_copies_each_numbered_on_its_own() -> None:
    doc = document(60)
    single = pages_of(render_pdf(doc, "original"))
    both = pages_of(render_pdf(doc, "original_and_copy"))
    assert len(single) == 2
    assert len(both) == 4
    assert ["ORYGINAŁ" in page for page in both] == [True, True, False, False]
    assert ["KOPIA" in page for page in both] == [False, False, True, True]
    assert [page.splitlines()[-1] for page in both] == ["Strona 1 z 2", "Strona 2 z 2"] * 2


def test_unknown_print_option_is_rejected() -> None:
    with pytest.raises(ValueError, match="print_option 'triplicate'"):
        render_pdf(document(1), "triplicate")


def test_unknown_document_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="kind 'invoice'"):
        render_pdf(document(1, kind="invoice"))


def test_unknown_line_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="line kinds"):
        render_pdf(document(0, lines=(line(1, kind="subtotal"),)))


def test_thousand_lines_span_pages_repeating_the_table_header() -> None:
    pages = pages_of(render_pdf(document(1000)))
    assert len(pages) > 10
    header = "Lp.\nNazwa\nIlość\nJ.m.\nCena netto"
    assert all(header in page for page in pages[1:-1])
    assert pages[1].splitlines()[-1] == f"Strona 2 z {len(pages)}"
    numbers = [int(row) for page in pages for row in page.splitlines() if row.isdigit()]
    assert [n for n in numbers if n > 1] == list(range(2, 1001))  # every line once, in order
    assert "Do zapłaty:\n123 000,00 PLN" in pages[-1]


def test_discount_column_is_printed_only_when_asked_for() -> None:
    lines = (line(1, discount_percent=Decimal("10")), line(2, discount=Decimal("5.00")))
    assert "Rabat" not in text_of(document(0, lines=lines))
    text = text_of(document(0, lines=lines, show_discount=True))
    assert "Rabat" in text
    assert "\n10%\n23%\n" in text and "\n5,00\n23%\n" in text


def test_text_line_prints_its_name_without_amounts() -> None:
    doc = document(0, lines=(line(1), line(2, kind="text", name="Dostawa w dwóch partiach")))
    assert "123,00\n2\nDostawa w dwóch partiach\nZestawienie" in text_of(doc)


def test_correction_prints_before_after_difference_and_corrected_invoice() -> None:
    before = line(1, quantity="3", kind="correction_before")
    after = line(1, quantity="2", kind="correction_after")
    doc = document(
        0, kind="correction", number="KOR 1/2024", corrected_number="FV 1/01/2024",
        correction_reason="Zwrot jednej sztuki", lines=(before, after),
        rate_totals=(RateTotalView("23", Decimal("-100.00"), Decimal("-23.00"), Decimal("-123.00")),),
        total_net=Decimal("-100.00"), total_tax=Decimal("-23.00"), total_gross=Decimal("-123.00"),
    )
    text = text_of(doc)
    assert "Faktura korygująca KOR 1/2024" in text
    assert "Faktura korygowana: FV 1/01/2024" in text
    assert "Przyczyna korekty: Zwrot jednej sztuki" in text
    assert "Przed korektą\n" in text and "\n3\nszt.\n100,00\n23%\n300,00\n69,00\n369,00\nPo korekcie" in text
    assert "Po korekcie\n" in text and "\n2\nszt.\n100,00\n23%\n200,00\n46,00\n246,00\nRóżnica" in text
    assert "Różnica\n-100,00\n-23,00\n-123,00" in text
    assert "Do zapłaty:\n-123,00 PLN" in text
    assert "Słownie: minus sto dwadzieścia trzy złote 00/100" in text


def test_correction_difference_lines_are_printed_as_given() -> None:
    change = line(1, quantity="-1", kind="correction", name="Zwrot")
    text = text_of(document(0, kind="correction", lines=(change,)))
    assert "Różnica\n" in text and "Zwrot\n-1\nszt.\n100,00\n23%\n-100,00\n-23,00\n-123,00" in text


def test_sek_cash_rounding_is_its_own_line_above_the_amount_due() -> None:
    lines = (line(1, net="765.00", rate="25"),)
    doc = document(
        0, lines=lines, lang="sv", currency="SEK", cash_rounding=Decimal("-0.25"),
        rate_totals=(RateTotalView("25", Decimal("765.00"), Decimal("191.25"), Decimal("956.25")),),
        total_net=Decimal("765.00"), total_tax=Decimal("191.25"), total_gross=Decimal("956.25"),
    )
    text = text_of(doc)
    assert "Öresavrundning:\n-0,25 SEK\nAtt betala:\n956,00 SEK" in text
    assert "Cash rounding:\n-0.25 SEK\nAmount due:\n956.00 SEK" in text_of(replace(doc, lang="en"))


def test_explicit_payable_wins_over_totals() -> None:
    assert "Do zapłaty:\n100,00 PLN" in text_of(document(1, payable=Decimal("100.00")))


def test_partly_paid_invoice_prints_paid_remaining_and_status() -> None:
    text = text_of(document(10, status="partial", paid=Decimal("1000.00")))
    assert "Do zapłaty:\n1 230,00 PLN\nZapłacono:\n1 000,00 PLN\nPozostało do zapłaty:\n230,00 PLN" in text
    assert "CZĘŚCIOWO OPŁACONA" in text


def test_paid_stamp_is_printed_only_for_settled_documents() -> None:
    assert "\nPAID\n" in text_of(document(1, lang="en", status="paid", paid=Decimal("123.00")))
    issued = text_of(document(1, lang="en", status="issued"))
    assert "PAID" not in issued and "Remaining" not in issued


def test_bank_account_notes_and_public_url_are_printed() -> None:
    doc = document(1, description="Dziękujemy!\nZapraszamy ponownie.", public_url="https://gw.example/i/abc123")
    text = text_of(doc)
    assert "Numer konta: PL61 1090 1014 0000 0712 1981 2874 (mBank)" in text
    assert "Uwagi:\nDziękujemy!\nZapraszamy ponownie." in text
    assert "Dokument online: https://gw.example/i/abc123" in text
    own_account = text_of(replace(doc, bank_account="SE45 5000 0000 0583 9825 7466", bank="SEB"))
    assert "Numer konta: SE45 5000 0000 0583 9825 7466 (SEB)" in own_account


def test_exchange_rate_and_tax_in_the_exchange_currency() -> None:
    text = text_of(document(10, currency="EUR", exchange_currency="PLN", exchange_rate=Decimal("4.3215")))
    assert "Kurs waluty:\n1 EUR = 4,3215 PLN\nVAT w PLN:\n993,95 PLN" in text


def test_markup_characters_in_names_are_printed_literally() -> None:
    buyer = PartyView(name="A & B <Spółka>")
    text = text_of(document(0, buyer=buyer, lines=(line(1, name="Kabel <3m> & wtyk", code="K&1"),)))
    assert "A & B <Spółka>" in text
    assert "Kabel <3m> & wtyk\nK&1" in text


def test_rendering_the_same_document_twice_gives_the_same_bytes() -> None:
    assert render_pdf(document(5)) == render_pdf(document(5))


def placed(pdf: bytes) -> list[tuple[int, float, float, str]]:
    """Every printed piece of text as (page, x, baseline y, text), in points from the bottom left."""
    pieces: list[tuple[int, float, float, str]] = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        def visit(text: str, cm: Any, tm: Any, font: Any, size: Any, number: int = number) -> None:
            if text.strip():
                pieces.append((number, cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3], text.strip()))
        page.extract_text(visitor_text=visit)
    return pieces


def test_long_position_name_wraps_inside_its_column_and_prints_every_word() -> None:
    name = "Usługa wdrożeniowa systemu " * 12 + "Zażółćgęśląjaźń" * 5 + " koniec"
    pieces = placed(render_pdf(document(0, lines=(line(1, name=name),))))
    name_x = next(x for _, x, _, text in pieces if text == "Nazwa")
    quantity_x = next(x for _, x, _, text in pieces if text == "Ilość")  # 3 pt right of the column's rule
    lines = [text for _, x, _, text in pieces if abs(x - name_x) < 0.01 and text != "Nazwa"]
    assert len(lines) > 5
    assert "".join(lines).replace(" ", "") == name.replace(" ", "")  # every character, in order
    assert lines[0].startswith("Usługa wdrożeniowa")  # broken at spaces, not inside words
    widest = max(pdfmetrics.stringWidth(text, "DejaVuSans", 7) for text in lines)
    assert name_x + widest <= quantity_x - 6  # both cells' 3 pt padding stays clear


def test_position_name_longer_than_a_page_continues_on_the_next_pages() -> None:
    name = " ".join(f"słowo{n}" for n in range(1500))
    pdf = render_pdf(document(0, lines=(line(1), line(2, name=name), line(3, name="Ostatnia pozycja"))))
    pages = pages_of(pdf)
    assert len(pages) > 3
    assert all("Lp.\nNazwa\nIlość" in page for page in pages[1:-1])  # the header goes on with the line
    words = [word for page in pages for word in page.split() if word.startswith("słowo")]
    assert words == [f"słowo{n}" for n in range(1500)]
    assert "Ostatnia pozycja" in pages[-1] or "Ostatnia pozycja" in pages[-2]
    body = [y for _, _, y, text in placed(pdf) if text.startswith("słowo")]
    assert min(body) > 15 * mm  # nothing runs into the bottom margin


def test_hundred_lines_paginate_with_the_header_on_every_page() -> None:
    pages = pages_of(render_pdf(document(100)))
    assert len(pages) == 3
    header = "Lp.\nNazwa\nIlość\nJ.m.\nCena netto\nStawka\nVAT\nWartość\nnetto\nKwota VAT\nWartość\nbrutto"
    assert all(header in page for page in pages)
    assert [page.splitlines()[-1] for page in pages] == ["Strona 1 z 3", "Strona 2 z 3", "Strona 3 z 3"]
    numbers = [int(row) for page in pages for row in page.splitlines() if row.isdigit()]
    assert [n for n in numbers if n > 1] == list(range(2, 101))
    assert "Zestawienie według stawek VAT" in pages[-1] and "Do zapłaty:\n12 300,00 PLN" in pages[-1]


@pytest.mark.parametrize("count", range(36, 46))
def test_rate_summary_heading_stays_on_the_page_of_its_table(count: int) -> None:
    # Between these line counts the end of the line table crosses the foot of page one; the
    # heading and the whole small table move to the next page together.
    pages = pages_of(render_pdf(document(count)))
    summary = next(page for page in pages if "Zestawienie według stawek VAT" in page)
    assert re.search(r"Zestawienie według stawek VAT\n\s*Stawka VAT\n(.+\n){3}23%\n(.+\n){3}Razem\n", summary)


def test_cached_font_subsets_give_the_same_bytes_as_fresh_ones() -> None:
    # The compressed subsets are cached per set of characters; another document's set must never leak in.
    polish, other = document(2), document(2, buyer=PartyView(name="Ñandú Şirketi ÆØÅ"), lang="sv")
    for font in (REGULAR, BOLD):
        font.clear_cache()
    fresh_other = render_pdf(other)
    for font in (REGULAR, BOLD):
        font.clear_cache()
    fresh_polish = render_pdf(polish)
    assert render_pdf(other) == fresh_other and render_pdf(polish) == fresh_polish
    assert "Ñandú Şirketi ÆØÅ" in "\n".join(pages_of(fresh_other))


def test_more_characters_than_one_font_subset_holds_all_extract_correctly() -> None:
    # A font subset holds 256 characters; Greek, Cyrillic and Latin-1/Extended-A need a second one.
    codes = [*range(0x391, 0x3A2), *range(0x3A3, 0x3AA), *range(0x410, 0x450), *range(0xC0, 0x17F)]
    alphabet = "".join(map(chr, codes))
    words = [alphabet[i:i + 10] for i in range(0, len(alphabet), 10)]
    pdf = render_pdf(document(0, lines=(line(1, name=" ".join(words)),)))
    fonts: Any = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    assert len(fonts) == 3  # two subsets of DejaVu Sans, one of the bold
    printed = "".join("\n".join(pages_of(pdf)).split())
    assert all(word in printed for word in words)


def embedded_font_programs(pdf: bytes) -> list[bytes]:
    fonts: Any = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    return sorted(font["/FontDescriptor"]["/FontFile2"].get_data() for font in fonts.values())


def test_invoices_with_different_names_share_their_font_subsets() -> None:
    # Common letters are laid out the same way in every document, so the subset of an invoice
    # with other names is the one already built (pdf_fonts caches it) and not a new one.
    first = document(3, buyer=PartyView(name="Zażółć gęślą jaźń Sp. z o.o."))
    second = document(0, buyer=PartyView(name="Müller & Söhne GmbH, Łódź"), lines=(line(1, name="Świeże ćmy"),))
    assert embedded_font_programs(render_pdf(first)) == embedded_font_programs(render_pdf(second))
    assert "Müller & Söhne GmbH, Łódź" in "\n".join(pages_of(render_pdf(second)))


@pytest.mark.parametrize("lang", sorted(LABELS))
def test_every_label_character_is_among_the_common_ones(lang: str) -> None:
    common = set(PRIMED + PRIMED_BY_LANGUAGE.get(lang, ""))
    used = {char for text in LABELS[lang].values() for char in text if ord(char) > 126}
    assert used <= common, f"add {sorted(used - common)} to pdf_fonts"
