"""Renders a DocumentView as an A4 PDF with reportlab platypus.

Fonts and styles are built once at import: parsing the TTFs costs more than laying out a
whole invoice. DejaVu Sans is used because reportlab's built-in fonts have no ą ę ś ź ż ń.
The copy mark ("ORIGINAL", "COPY", ...) and "Page x of y" are drawn by the canvas after the
layout, when the page count is known; "original_and_copy" numbers each copy on its own.
"""
from __future__ import annotations

import io
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, LongTable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

from core.documents.labels import has_label, label, primary_language
from core.documents.view import LINE_KINDS, DocumentView, LineView, PartyView
from core.documents.words import amount_in_words

FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
# Each option is the copies it prints, in order; each copy is marked with its label.
PRINT_OPTIONS: dict[str, tuple[str, ...]] = {
    "original": ("original",), "copy": ("copy",), "duplicate": ("duplicate",), "original_and_copy": ("original", "copy"),
}
_STAMPED_STATUSES = frozenset({"paid", "partial", "cancelled"})
_CENT = Decimal("0.01")
_MARGIN = 15 * mm
_WIDTH = A4[0] - 2 * _MARGIN
_PAD = 3  # points of cell padding left and right


def _register_fonts() -> None:
    folder = Path(__file__).parents[2] / "templates" / "fonts"
    if not (folder / "DejaVuSans.ttf").is_file():
        folder = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


_register_fonts()
# Binary streams instead of ASCII85: smaller files and about a millisecond less per document.
# A process-wide reportlab setting; nothing here needs 7-bit-clean PDFs.
rl_config.useA85 = 0
_BODY = ParagraphStyle("body", fontName=FONT, fontSize=8, leading=10.5)
_CELL = ParagraphStyle("cell", fontName=FONT, fontSize=7, leading=8.5)
_HEAD = ParagraphStyle("head", fontName=FONT_BOLD, fontSize=6.5, leading=8)
_HEAD_RIGHT = ParagraphStyle("head_right", _HEAD, alignment=TA_RIGHT)
_TITLE = ParagraphStyle("title", fontName=FONT_BOLD, fontSize=14, leading=18, spaceAfter=2 * mm)
_SECTION = ParagraphStyle("section", fontName=FONT_BOLD, fontSize=8.5, leading=11, spaceBefore=3 * mm, spaceAfter=mm)
_Style = list[tuple[Any, ...]]
_GRID: _Style = [
    ("FONT", (0, 0), (-1, -1), FONT, 7), ("FONT", (0, 0), (-1, 0), FONT_BOLD, 6.5),
    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
    ("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
    ("LEFTPADDING", (0, 0), (-1, -1), _PAD), ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
    ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
]
_PLAIN: _Style = [
    ("FONT", (0, 0), (-1, -1), FONT, 8), ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
    ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
]
_STAMP: _Style = [
    ("FONT", (0, 0), (-1, -1), FONT_BOLD, 15, 18), ("TEXTCOLOR", (0, 0), (-1, -1), colors.darkred),
    ("BOX", (0, 0), (-1, -1), 1.5, colors.darkred), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
]


def render_pdf(doc: DocumentView, print_option: str = "original", *, duplicate_date: date | None = None) -> bytes:
    """The document as PDF bytes. A duplicate carries the date it was issued: `duplicate_date`,
    today by default. Raises ValueError for an unknown print option, kind or line kind."""
    if print_option not in PRINT_OPTIONS:
        raise ValueError(f"unknown print_option {print_option!r}; expected one of {', '.join(PRINT_OPTIONS)}")
    if not has_label(f"title.{doc.kind}"):
        raise ValueError(f"no document title for kind {doc.kind!r}")
    if unknown := {line.kind for line in doc.lines} - LINE_KINDS:
        raise ValueError(f"unknown line kinds {sorted(unknown)}")
    layout = _Layout(doc)
    story: list[Flowable] = []
    for index, mark in enumerate(PRINT_OPTIONS[print_option]):
        issued = (duplicate_date or date.today()).isoformat()
        note = f"{layout.label('duplicate_issued')} {issued}" if mark == "duplicate" else ""
        story += [PageBreak()] if index else []
        story.append(_CopyStart(layout.label(mark).upper(), note))
        story += layout.body()  # fresh flowables per copy: splitting a table consumes it
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN, topMargin=20 * mm, bottomMargin=15 * mm,
        title=f"{layout.label(f'title.{doc.kind}')} {doc.number}", author=doc.seller.name, invariant=1,
        initialFontName=FONT,  # the canvas default, Helvetica, would be referenced by every page
    )
    template.build(story, canvasmaker=partial(_PagedCanvas, page_label=layout.label("page"), number=doc.number))
    return buffer.getvalue()


class _CopyStart(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """Zero-size marker telling the canvas that a copy, with its own mark, starts on this page."""

    def __init__(self, mark: str, note: str) -> None:
        super().__init__()
        self.mark, self.note = mark, note

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return (0, 0)

    def draw(self) -> None:
        self.canv.copy_starts.append((self.canv.getPageNumber(), self.mark, self.note))


class _PagedCanvas(Canvas):  # type: ignore[misc]
    """Holds every page back until save(), then draws the copy mark and "Page x of y"."""

    def __init__(self, *args: Any, page_label: str, number: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.copy_starts: list[tuple[int, str, str]] = []
        self._page_label, self._number = page_label, number
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        firsts = [start[0] for start in self.copy_starts] + [len(self._held) + 1]
        for page, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            copy = max(i for i in range(len(self.copy_starts)) if firsts[i] <= page)
            _, mark, note = self.copy_starts[copy]
            self._decorate(mark, note, page - firsts[copy] + 1, firsts[copy + 1] - firsts[copy])
            super().showPage()
        super().save()

    def _decorate(self, mark: str, note: str, page: int, pages: int) -> None:
        width, height = A4
        self.setFont(FONT_BOLD, 10)
        self.drawRightString(width - _MARGIN, height - 11 * mm, mark)
        self.setFont(FONT, 7)
        if note:
            self.drawRightString(width - _MARGIN, height - 15 * mm, note)
        self.drawString(_MARGIN, 8 * mm, self._number)
        self.drawRightString(width - _MARGIN, 8 * mm, self._page_label.format(page=page, pages=pages))


def _fit(text: str, width: float, style: ParagraphStyle) -> str | Paragraph:
    """A plain string when the text fits on one line (much cheaper), a wrapping Paragraph if not."""
    if "\n" not in text and pdfmetrics.stringWidth(text, style.fontName, style.fontSize) <= width - 2 * _PAD:
        return text
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _rate(tax_code: str) -> str:
    """A numeric tax code is a percentage ("23" -> "23%"); symbols such as "zw" print as given."""
    return f"{tax_code}%" if tax_code.replace(".", "", 1).isdigit() else tax_code


class _Layout:
    """Builds the flowables of one copy; numbers are formatted for the primary language."""

    def __init__(self, doc: DocumentView) -> None:
        self.doc = doc
        self.comma = primary_language(doc.lang) != "en"  # decimal comma and space-grouped thousands
        self.columns = self._columns()

    def label(self, key: str) -> str:
        return label(self.doc.lang, key)

    def money(self, value: Decimal) -> str:
        text = f"{value.quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}"
        return text.replace(",", " ").replace(".", ",") if self.comma else text

    def number(self, value: Decimal) -> str:
        text = format(value.normalize(), "f")
        return text.replace(".", ",") if self.comma else text

    def body(self) -> list[Flowable]:
        doc = self.doc
        story: list[Flowable] = [Paragraph(escape(f"{self.label(f'title.{doc.kind}')} {doc.number}"), _TITLE)]
        if doc.corrected_number:
            story.append(self._pair("corrected_invoice", doc.corrected_number))
        if doc.correction_reason:
            story.append(self._pair("correction_reason", doc.correction_reason))
        story += [self._dates(), Spacer(0, 3 * mm), self._parties(), Spacer(0, 4 * mm)]
        return story + self._lines() + self._summary() + self._due() + self._payment()

    def _pair(self, key: str, value: str) -> Paragraph:
        return Paragraph(f"<b>{escape(self.label(key))}:</b> {escape(value)}", _BODY)

    def _dates(self) -> Table:
        doc = self.doc
        method = f"payment.{doc.payment_type}"
        pairs = [
            ("place", doc.place),
            ("issue_date", doc.issue_date.isoformat()),
            ("sell_date", doc.sell_date.isoformat() if doc.sell_date else ""),
            ("payment_to", doc.payment_to.isoformat() if doc.payment_to else ""),
            ("payment_type", self.label(method) if has_label(method) else doc.payment_type),
        ]
        rows = [[f"{self.label(key)}:", value] for key, value in pairs if value]
        return Table(rows, style=_PLAIN + [("ALIGN", (1, 0), (-1, -1), "LEFT")], hAlign="RIGHT")

    def _parties(self) -> Table:
        cells = [self._party("seller", self.doc.seller), self._party("buyer", self.doc.buyer)]
        # A table without a FONT command makes reportlab reference Helvetica in the PDF.
        style = [("FONT", (0, 0), (-1, -1), FONT, 8), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        return Table([cells], colWidths=[_WIDTH / 2] * 2, style=style)

    def _party(self, key: str, party: PartyView) -> Paragraph:
        place = " ".join(part for part in (party.post_code, party.city) if part)
        lines = [f"<b>{escape(self.label(key))}</b>", f"<b>{escape(party.name)}</b>"]
        lines += [escape(text) for text in (party.street, place, party.country) if text]
        for field, value in (("tax_no", party.tax_no), ("phone", party.phone), ("email", party.email)):
            if value:
                lines.append(f"{escape(self.label(field))}: {escape(value)}")
        return Paragraph("<br/>".join(lines), _BODY)

    def _lines(self) -> list[Flowable]:
        def of(*kinds: str) -> list[LineView]:
            return [line for line in self.doc.lines if line.kind in kinds]

        regular, before, after, changes = of("normal", "text"), of("correction_before"), \
            of("correction_after"), of("correction")
        story: list[Flowable] = [self._table(regular)] if regular else []
        if before or after:
            story += [Paragraph(escape(self.label("before_correction")), _SECTION), self._table(before)]
            story += [Paragraph(escape(self.label("after_correction")), _SECTION), self._table(after)]
        if before or after or changes:
            story.append(Paragraph(escape(self.label("difference")), _SECTION))
            story.append(self._table(changes) if changes else self._difference(before, after))
        return story

    def _columns(self) -> list[tuple[str, float]]:
        # Millimetres; wide enough for the longest single header word of every language.
        columns = [("no", 8), ("name", 0), ("qty", 14), ("unit", 13), ("unit_net", 20)]
        columns += [("discount", 16)] if self.doc.show_discount else []
        columns += [("vat_rate", 16), ("net", 20), ("vat", 18), ("gross", 20)]
        fixed = sum(width for _, width in columns) * mm
        return [(key, width * mm or _WIDTH - fixed) for key, width in columns]

    def _table(self, lines: list[LineView]) -> Table:
        widths = [width for _, width in self.columns]
        name_width = widths[1]
        rows: list[list[Any]] = [[_fit(self.label(key), width, _HEAD) for key, width in self.columns]]
        style = list(_GRID)
        for line in lines:
            if line.kind == "text":
                style.append(("SPAN", (1, len(rows)), (-1, len(rows))))
                rows.append([str(line.no), self._name(line, sum(widths[1:]))] + [""] * (len(widths) - 2))
            else:
                rows.append(self._row(line, name_width))
        return LongTable(rows, colWidths=widths, repeatRows=1, style=style)

    def _name(self, line: LineView, width: float) -> str | Paragraph:
        extra = " · ".join(text for text in (line.code, line.additional_info) if text)
        if not extra:
            return _fit(line.name, width, _CELL)
        return Paragraph(f"{escape(line.name)}<br/><font size=6>{escape(extra)}</font>", _CELL)

    def _row(self, line: LineView, name_width: float) -> list[Any]:
        row: list[Any] = [str(line.no), self._name(line, name_width), self.number(line.quantity), line.unit,
                          self.money(line.price_net)]
        if self.doc.show_discount:
            percent = line.discount_percent
            row.append(f"{self.number(percent)}%" if percent is not None else self.money(line.discount))
        return row + [_rate(line.tax_code), self.money(line.total_net), self.money(line.total_tax),
                      self.money(line.total_gross)]

    def _difference(self, before: list[LineView], after: list[LineView]) -> Table:
        fields = ("total_net", "total_tax", "total_gross")
        totals = [sum((getattr(line, field) for line in after), Decimal(0))
                  - sum((getattr(line, field) for line in before), Decimal(0)) for field in fields]
        return self._amounts([[self.label("difference")] + [self.money(value) for value in totals]])

    def _amounts(self, rows: list[list[str]], first: str = "", bold_last: bool = False) -> Table:
        widths = [30 * mm, 25 * mm, 25 * mm, 25 * mm]
        keys = ("net", "vat", "gross")
        head = [_fit(first, widths[0], _HEAD)] + [_fit(self.label(key), 25 * mm, _HEAD_RIGHT) for key in keys]
        style = _GRID + [("ALIGN", (1, 0), (-1, -1), "RIGHT")]
        style += [("FONT", (0, -1), (-1, -1), FONT_BOLD, 7)] if bold_last else []
        return Table([head] + rows, colWidths=widths, style=style, hAlign="RIGHT")

    def _summary(self) -> list[Flowable]:
        doc = self.doc
        rows = [[_rate(rate.tax_code), self.money(rate.net), self.money(rate.tax), self.money(rate.gross)]
                for rate in doc.rate_totals]
        rows.append([self.label("total"), self.money(doc.total_net), self.money(doc.total_tax),
                     self.money(doc.total_gross)])
        return [Paragraph(escape(self.label("summary_by_rate")), _SECTION),
                self._amounts(rows, self.label("vat_rate"), bold_last=True), Spacer(0, 3 * mm)]

    def _due(self) -> list[Flowable]:
        doc, due = self.doc, self.doc.amount_due
        totals = [[f"{self.label('cash_rounding')}:", self._priced(doc.cash_rounding)]] if doc.cash_rounding else []
        due_row = len(totals)
        totals.append([f"{self.label('amount_due')}:", self._priced(due)])
        if doc.paid or doc.status in ("paid", "partial"):
            totals.append([f"{self.label('paid')}:", self._priced(doc.paid)])
            totals.append([f"{self.label('remaining')}:", self._priced(due - doc.paid)])
        if doc.exchange_currency and doc.exchange_rate is not None and doc.exchange_currency != doc.currency:
            converted = (doc.total_tax * doc.exchange_rate).quantize(_CENT, rounding=ROUND_HALF_UP)
            totals.append([f"{self.label('exchange_rate')}:",
                           f"1 {doc.currency} = {self.number(doc.exchange_rate)} {doc.exchange_currency}"])
            totals.append([f"{self.label('tax_in_currency').format(currency=doc.exchange_currency)}:",
                           f"{self.money(converted)} {doc.exchange_currency}"])
        bold = [("FONT", (0, due_row), (-1, due_row), FONT_BOLD, 10)]
        story: list[Flowable] = [Table(totals, style=_PLAIN + bold, hAlign="RIGHT")]
        if primary_language(doc.lang) == "pl":  # Polish invoices state the amount due in words
            story.append(self._pair("in_words", amount_in_words(due, doc.currency, doc.lang)))
        return story

    def _priced(self, value: Decimal) -> str:
        return f"{self.money(value)} {self.doc.currency}"

    def _payment(self) -> list[Flowable]:
        doc = self.doc
        story: list[Flowable] = [Spacer(0, 2 * mm)]
        account, bank = doc.bank_account or doc.seller.bank_account, doc.bank or doc.seller.bank
        if account:
            story.append(self._pair("bank_account", f"{account} ({bank})" if bank else account))
        if doc.description:
            notes = "<br/>".join(escape(text) for text in doc.description.splitlines())
            story.append(Paragraph(f"<b>{escape(self.label('notes'))}:</b><br/>{notes}", _BODY))
        if doc.public_url:
            story.append(self._pair("view_online", doc.public_url))
        if doc.status in _STAMPED_STATUSES:
            stamp = self.label(f"status.{doc.status}").upper()
            story += [Spacer(0, 4 * mm), Table([[stamp]], hAlign="RIGHT", style=_STAMP)]
        return story
