from core.documents.pdf_flow import Flow, Row, wrap
from core.documents.pdf_fonts import BOLD, REGULAR


def texts(lines: list[list[tuple[object, str]]]) -> list[str]:
    return ["".join(text for _, text in line) for line in lines]


def test_text_that_fits_stays_on_one_line_with_spaces_collapsed() -> None:
    assert texts(wrap([(REGULAR, "  Usługa   serwisowa ")], 7, 500)) == ["Usługa serwisowa"]


def test_text_breaks_at_spaces_and_every_line_fits() -> None:
    text = "Zażółć gęślą jaźń " * 10
    lines = texts(wrap([(REGULAR, text)], 8, 100))
    assert len(lines) > 3
    assert " ".join(lines).split() == text.split()
    assert all(REGULAR.stringWidth(line, 8) <= 100 for line in lines)


def test_word_longer_than_a_line_is_cut_into_pieces_that_fit() -> None:
    word = "Gęślą" * 30
    lines = texts(wrap([(REGULAR, f"krótkie {word} koniec")], 7, 60))
    assert lines[0] == "krótkie" and lines[-1].endswith("koniec")
    assert "".join(lines).replace(" ", "") == f"krótkie{word}koniec"
    assert all(REGULAR.stringWidth(line, 7) <= 60 for line in lines)


def test_newlines_always_break_and_blank_lines_are_kept() -> None:
    assert texts(wrap([(REGULAR, "Dziękujemy!\n\nZapraszamy")], 8, 500)) == ["Dziękujemy!", "", "Zapraszamy"]


def test_bold_label_and_value_share_a_line_and_the_value_wraps_on() -> None:
    lines = wrap([(BOLD, "Słownie:"), (REGULAR, "tysiąc dwieście trzydzieści złotych 00/100")], 8, 120)
    assert lines[0][0] == (BOLD, "Słownie:") and lines[0][1][0] is REGULAR and lines[0][1][1].startswith(" ")
    assert " ".join(texts(lines)).split() == "Słownie: tysiąc dwieście trzydzieści złotych 00/100".split()


def test_empty_text_is_one_empty_line() -> None:
    assert wrap([(REGULAR, "")], 8, 100) == [[]]


def test_flow_repeats_a_header_on_every_page_and_never_leaves_it_alone() -> None:
    flow = Flow(top=100, bottom=0)
    flow.place(0, Row(75, "intro"))
    flow.rows(0, [Row(20, f"row {n}") for n in range(6)], header=Row(10, "header"))
    # 25 points left under the intro: the header and its first row (30) start the next page.
    pages = [[part.split("\n")[1] for part in page] for page in flow.pages]
    assert pages == [["intro"], ["header", "row 0", "row 1", "row 2", "row 3"], ["header", "row 4", "row 5"]]


def test_flow_prints_a_row_taller_than_a_page_instead_of_looping() -> None:
    flow = Flow(top=100, bottom=0)
    flow.rows(0, [Row(10, "a"), Row(500, "huge"), Row(10, "b")], header=Row(10, "header"))
    assert [[part.split("\n")[1] for part in page] for page in flow.pages] == [
        ["header", "a"], ["header", "huge"], ["header", "b"],
    ]
