"""Renders a DocumentView as an A4 PDF, laid out directly on a reportlab canvas.

The layout (what goes where, in what font) is here; pdf_flow does the wrapping, tables and
page breaks and pdf_fonts loads DejaVu Sans once. The copy mark ("ORIGINAL", "COPY", ...)
and "Page x of y" are drawn on each page once its copy is laid out and its page count is
known; "original_and_copy" numbers each copy on its own.
"""
from __future__ import annotations

import io
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from core.documents import pdf_ksef
from core.documents.labels import has_label, label, languages_of, primary_language
from core.documents.pdf_flow import Cell, Flow, Ink, Line, Row, cell, cell_row, cell_rows, width_of, wrap
from core.documents.pdf_fonts import BOLD, FONT, REGULAR, prime
from core.documents.view import LINE_KINDS, DocumentView, LineView, PartyView
from core.documents.words import amount_in_words

# Binary streams instead of ASCII85: smaller files and less work per page.
# A process-wide reportlab setting; nothing here needs 7-bit-clean PDFs.
rl_config.useA85 = 0
# Each option is the copies it prints, in order; each copy is marked with its label.
PRINT_OPTIONS: dict[str, tuple[str, ...]] = {
    "original": ("original",), "copy": ("copy",), "duplicate": ("duplicate",),
    "original_and_copy": ("original", "copy"),
}
_STAMPED_STATUSES = frozenset({"paid", "partial", "cancelled"})
_CENT = Decimal("0.01")
_PAGE_WIDTH, _PAGE_HEIGHT = A4
_MARGIN = 15 * mm
_WIDTH = _PAGE_WIDTH - 2 * _MARGIN  # the line and party tables span this, 6 pt past the text on each side
_TEXT_LEFT, _TEXT_WIDTH = _MARGIN + 6, _WIDTH - 12
_TEXT_RIGHT = _TEXT_LEFT + _TEXT_WIDTH  # right-aligned tables end here
_TOP, _BOTTOM = _PAGE_HEIGHT - 20 * mm - 6, 15 * mm + 6
_PAD = 3  # points of grid-cell padding left and right
_HEAD_SIZE, _HEAD_LEADING, _CELL_SIZE, _CELL_LEADING = 6.5, 8, 7, 8.4
_BODY_SIZE, _BODY_LEADING = 8, 10.5
_HEAD_FILL = "0.933"  # light gray behind table headers


def render_pdf(doc: DocumentView, print_option: str = "original", *, duplicate_date: date | None = None) -> bytes:
    """The document as PDF bytes. A duplicate carries the date it was issued: `duplicate_date`,
    today by default. Raises ValueError for an unknown print option, kind or line kind."""
    if print_option not in PRINT_OPTIONS:
        raise ValueError(f"unknown print_option {print_option!r}; expected one of {', '.join(PRINT_OPTIONS)}")
    if not has_label(f"title.{doc.kind}"):
        raise ValueError(f"no document title for kind {doc.kind!r}")
    if unknown := {line.kind for line in doc.lines} - LINE_KINDS:
        raise ValueError(f"unknown line kinds {sorted(unknown)}")
    buffer = io.BytesIO()
    # invariant: no timestamps or random ids, so the same document gives the same bytes.
    # initialFontName: the default, Helvetica, would be referenced by every page.
    canvas = Canvas(buffer, pagesize=A4, invariant=1, initialFontName=FONT)
    prime(canvas._doc, list(languages_of(doc.lang)))  # before any text: see pdf_fonts
    layout = _Layout(doc, Ink(canvas))
    canvas.setTitle(f"{layout.label(f'title.{doc.kind}')} {doc.number}")
    canvas.setAuthor(doc.seller.name)
    for mark in PRINT_OPTIONS[print_option]:
        issued = (duplicate_date or date.today()).isoformat()
        note = f"{layout.label('duplicate_issued')} {issued}" if mark == "duplicate" else ""
        # KSeF's QR codes go under the last page's text: every page keeps their room, so none overflows.
        flow = Flow(_TOP, _BOTTOM + (pdf_ksef.HEIGHT if doc.ksef else 0))
        layout.body(flow)  # laid out again per copy: cheap, and keeps each copy's pages its own
        for page, content in enumerate(flow.pages, start=1):
            content.append(layout.decoration(layout.label(mark).upper(), note, page, len(flow.pages)))
            canvas.addLiteral("\n".join(content))
            if doc.ksef and page == len(flow.pages):
                pdf_ksef.draw(canvas, doc.ksef, _TEXT_LEFT, _BOTTOM)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _rate(tax_code: str) -> str:
    """A numeric tax code is a percentage ("23" -> "23%"); symbols such as "zw" print as given."""
    return f"{tax_code}%" if tax_code.replace(".", "", 1).isdigit() else tax_code


def _unbroken(text: str, align: str = "left", font: TTFont = REGULAR) -> Cell:
    """A number on one line: a number broken over two lines misreads worse than one that runs
    a little into the next column."""
    return Cell([(_CELL_SIZE, [(font, text)])], align)


class _Layout:
    """Lays out one copy of the document; numbers are formatted for the primary language."""

    def __init__(self, doc: DocumentView, ink: Ink) -> None:
        self.doc, self.ink = doc, ink
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

    def decoration(self, mark: str, note: str, page: int, pages: int) -> str:
        """The copy mark at the top and the number and "Page x of y" at the bottom of a page."""
        ink, right = self.ink, _PAGE_WIDTH - _MARGIN
        parts = [ink.aligned(right, 0, _PAGE_HEIGHT - 11 * mm, 10, [(BOLD, mark)], "right")]
        if note:
            parts.append(ink.aligned(right, 0, _PAGE_HEIGHT - 15 * mm, 7, [(REGULAR, note)], "right"))
        parts.append(ink.text(_MARGIN, 8 * mm, 7, [(REGULAR, self.doc.number)]))
        page_label = self.label("page").format(page=page, pages=pages)
        parts.append(ink.aligned(right, 0, 8 * mm, 7, [(REGULAR, page_label)], "right"))
        return "\n".join(parts)

    def body(self, flow: Flow) -> None:
        doc = self.doc
        self._paragraph(flow, [(BOLD, f"{self.label(f'title.{doc.kind}')} {doc.number}")], 14, 18)
        flow.space(2 * mm)
        if doc.corrected_number:
            self._pair(flow, "corrected_invoice", doc.corrected_number)
        if doc.correction_reason:
            self._pair(flow, "correction_reason", doc.correction_reason)
        self._dates(flow)
        flow.space(3 * mm)
        flow.rows(_MARGIN, self._parties())
        flow.space(4 * mm)
        self._lines(flow)
        self._summary(flow)
        self._due(flow)
        self._payment(flow)

    def _paragraph(self, flow: Flow, runs: Line, size: float, leading: float) -> None:
        """Wrapped text across the page, one row per line so it can break between pages."""
        for line in wrap(runs, size, _TEXT_WIDTH):
            flow.place(_TEXT_LEFT, Row(leading, self.ink.text(0, -size, size, line) if line else ""))

    def _pair(self, flow: Flow, key: str, value: str) -> None:
        self._paragraph(flow, [(BOLD, f"{self.label(key)}:"), (REGULAR, value)], _BODY_SIZE, _BODY_LEADING)

    def _section(self, flow: Flow, key: str, keep: float) -> None:
        """A heading kept on the same page as the first `keep` points of what follows it."""
        flow.space(3 * mm)
        flow.keep(11 + mm + keep)
        self._paragraph(flow, [(BOLD, self.label(key))], 8.5, 11)
        flow.space(mm)

    def _plain(self, flow: Flow, rows: list[tuple[str, str, float, bool]], value_align: str) -> None:
        """Label/value rows without rules, right-aligned on the page: (label, value, size, bold).
        Columns are as wide as their texts; a text too long for the page wraps in its column."""
        def widest(column: int) -> float:
            return float(max((BOLD if bold else REGULAR).stringWidth(row[column], size) for *row, size, bold in rows))

        label_width = min(widest(0) + 12, _TEXT_WIDTH / 2)
        edges = (0, label_width, label_width + min(widest(1) + 12, _TEXT_WIDTH - label_width))
        for text, value, size, bold in rows:
            font = BOLD if bold else REGULAR
            cells = [cell(font, size, text, edges[1] - 12),
                     cell(font, size, value, edges[2] - edges[1] - 12, value_align)]
            flow.place(_TEXT_RIGHT - edges[-1], cell_row(self.ink, edges, cells, size * 1.2, pad_x=6, pad_y=1))

    def _dates(self, flow: Flow) -> None:
        doc = self.doc
        method = f"payment.{doc.payment_type}"
        pairs = [
            ("place", doc.place),
            ("issue_date", doc.issue_date.isoformat()),
            ("sell_date", doc.sell_date.isoformat() if doc.sell_date else ""),
            ("payment_to", doc.payment_to.isoformat() if doc.payment_to else ""),
            ("payment_type", self.label(method) if has_label(method) else doc.payment_type),
        ]
        self._plain(flow, [(f"{self.label(key)}:", value, 8, False) for key, value in pairs if value], "left")

    def _parties(self) -> list[Row]:
        half = _WIDTH / 2
        cells = [self._party("seller", self.doc.seller, half - 12), self._party("buyer", self.doc.buyer, half - 12)]
        return cell_rows(self.ink, (0, half, _WIDTH), cells, _BODY_LEADING, max_height=_TOP - _BOTTOM, pad_x=6,
                         pad_y=3)

    def _party(self, key: str, party: PartyView, width: float) -> Cell:
        place = " ".join(part for part in (party.post_code, party.city) if part)
        texts = [(BOLD, self.label(key)), (BOLD, party.name)]
        texts += [(REGULAR, text) for text in (party.street, place, party.country) if text]
        for field, value in (("tax_no", party.tax_no), ("phone", party.phone), ("email", party.email)):
            if value:
                texts.append((REGULAR, f"{self.label(field)}: {value}"))
        return Cell([(_BODY_SIZE, line) for run in texts for line in wrap([run], _BODY_SIZE, width)])

    def _lines(self, flow: Flow) -> None:
        def of(*kinds: str) -> list[LineView]:
            return [line for line in self.doc.lines if line.kind in kinds]

        regular, before, after, changes = of("normal", "text"), of("correction_before"), \
            of("correction_after"), of("correction")
        if regular:
            self._table(flow, regular, None)
        if before or after:
            self._table(flow, before, "before_correction")
            self._table(flow, after, "after_correction")
        if before or after or changes:
            if changes:
                self._table(flow, changes, "difference")
            else:
                self._difference(flow, before, after)

    def _columns(self) -> list[tuple[str, float]]:
        # Millimetres; wide enough for the longest single header word of every language.
        columns = [("no", 8), ("name", 0), ("qty", 14), ("unit", 13), ("unit_net", 20)]
        columns += [("discount", 16)] if self.doc.show_discount else []
        columns += [("vat_rate", 16), ("net", 20), ("vat", 18), ("gross", 20)]
        fixed = sum(width for _, width in columns) * mm
        return [(key, width * mm or _WIDTH - fixed) for key, width in columns]

    def _table(self, flow: Flow, lines: list[LineView], heading: str | None) -> None:
        """The line table, its header repeated on every page it runs onto."""
        widths = [width for _, width in self.columns]
        edges = [0.0]
        for width in widths:
            edges.append(edges[-1] + width)
        head_cells = [cell(BOLD, _HEAD_SIZE, self.label(key), width - 2 * _PAD) for key, width in self.columns]
        header = self._grid_row(edges, head_cells, _HEAD_LEADING, _HEAD_FILL)
        room = _TOP - _BOTTOM - header.height  # a line's row never gets more than a page under the header
        rows = [row for line in lines for row in self._line_rows(line, edges, room)]
        if heading:
            self._section(flow, heading, header.height + (rows[0].height if rows else 0))
        flow.rows(_MARGIN, rows, header)

    def _grid_row(self, edges: list[float], cells: list[Cell], leading: float, fill: str = "") -> Row:
        return cell_row(self.ink, edges, cells, leading, pad_x=_PAD, pad_y=2, grid=True, fill=fill)

    def _line_rows(self, line: LineView, edges: list[float], room: float) -> list[Row]:
        """A line's row; a name too long for one page goes on in rows of its own below."""
        no = _unbroken(str(line.no))
        if line.kind == "text":  # its name spans every column after the number
            return self._grid_rows([edges[0], edges[1], edges[-1]], [no, self._name(line, edges[-1] - edges[1])],
                                   room)
        cells = [no, self._name(line, edges[2] - edges[1]), _unbroken(self.number(line.quantity), "right"),
                 cell(REGULAR, _CELL_SIZE, line.unit, edges[4] - edges[3] - 2 * _PAD, "right"),
                 _unbroken(self.money(line.price_net), "right")]
        if self.doc.show_discount:
            percent = line.discount_percent
            discount = f"{self.number(percent)}%" if percent is not None else self.money(line.discount)
            cells.append(_unbroken(discount, "right"))
        cells += [_unbroken(text, "right") for text in (_rate(line.tax_code), self.money(line.total_net),
                                                         self.money(line.total_tax), self.money(line.total_gross))]
        return self._grid_rows(edges, cells, room)

    def _grid_rows(self, edges: list[float], cells: list[Cell], room: float) -> list[Row]:
        return cell_rows(self.ink, edges, cells, _CELL_LEADING, max_height=room, pad_x=_PAD, pad_y=2, grid=True)

    def _name(self, line: LineView, width: float) -> Cell:
        """The name, and under it in smaller type the code and additional information."""
        lines = [(_CELL_SIZE, each) for each in wrap([(REGULAR, line.name)], _CELL_SIZE, width - 2 * _PAD)]
        if extra := " · ".join(text for text in (line.code, line.additional_info) if text):
            lines += [(6, each) for each in wrap([(REGULAR, extra)], 6, width - 2 * _PAD)]
        return Cell(lines)

    def _difference(self, flow: Flow, before: list[LineView], after: list[LineView]) -> None:
        fields = ("total_net", "total_tax", "total_gross")
        totals = [sum((getattr(line, field) for line in after), Decimal(0))
                  - sum((getattr(line, field) for line in before), Decimal(0)) for field in fields]
        self._amounts(flow, [[self.label("difference")] + [self.money(value) for value in totals]],
                      heading="difference")

    def _amounts(self, flow: Flow, rows: list[list[str]], first: str = "", bold_last: bool = False,
                 heading: str = "") -> None:
        """A small ruled table of net, VAT and gross amounts, right-aligned on the page."""
        widths = [30 * mm, 25 * mm, 25 * mm, 25 * mm]
        edges = [0.0, widths[0], sum(widths[:2]), sum(widths[:3]), sum(widths)]
        aligns = ("left", "right", "right", "right")  # of the header
        head = [cell(BOLD, _HEAD_SIZE, text, width - 2 * _PAD, align) for text, width, align
                in zip([first] + [self.label(key) for key in ("net", "vat", "gross")], widths, aligns, strict=True)]
        table = [self._grid_row(edges, head, _HEAD_LEADING, _HEAD_FILL)]
        for index, row in enumerate(rows):
            font = BOLD if bold_last and index == len(rows) - 1 else REGULAR
            cells = [cell(font, _CELL_SIZE, row[0], widths[0] - 2 * _PAD)]
            cells += [_unbroken(text, "right", font) for text in row[1:]]
            table.append(self._grid_row(edges, cells, _CELL_LEADING))
        height = sum(row.height for row in table)  # kept on one page: it splits only if taller than one
        if heading:
            self._section(flow, heading, height)
        flow.keep(height)
        flow.rows(_TEXT_RIGHT - edges[-1], table)

    def _summary(self, flow: Flow) -> None:
        doc = self.doc
        rows = [[_rate(rate.tax_code), self.money(rate.net), self.money(rate.tax), self.money(rate.gross)]
                for rate in doc.rate_totals]
        rows.append([self.label("total"), self.money(doc.total_net), self.money(doc.total_tax),
                     self.money(doc.total_gross)])
        self._amounts(flow, rows, self.label("vat_rate"), bold_last=True, heading="summary_by_rate")
        flow.space(3 * mm)

    def _due(self, flow: Flow) -> None:
        doc, due = self.doc, self.doc.amount_due
        rows: list[tuple[str, str, float, bool]] = []
        if doc.cash_rounding:
            rows.append((f"{self.label('cash_rounding')}:", self._priced(doc.cash_rounding), 8, False))
        rows.append((f"{self.label('amount_due')}:", self._priced(due), 10, True))
        if doc.paid or doc.status in ("paid", "partial"):
            rows.append((f"{self.label('paid')}:", self._priced(doc.paid), 8, False))
            rows.append((f"{self.label('remaining')}:", self._priced(due - doc.paid), 8, False))
        if doc.exchange_currency and doc.exchange_rate is not None and doc.exchange_currency != doc.currency:
            converted = (doc.total_tax * doc.exchange_rate).quantize(_CENT, rounding=ROUND_HALF_UP)
            rows.append((f"{self.label('exchange_rate')}:",
                         f"1 {doc.currency} = {self.number(doc.exchange_rate)} {doc.exchange_currency}", 8, False))
            rows.append((f"{self.label('tax_in_currency').format(currency=doc.exchange_currency)}:",
                         f"{self.money(converted)} {doc.exchange_currency}", 8, False))
        self._plain(flow, rows, "right")
        if primary_language(doc.lang) == "pl":  # Polish invoices state the amount due in words
            self._pair(flow, "in_words", amount_in_words(due, doc.currency, doc.lang))

    def _priced(self, value: Decimal) -> str:
        return f"{self.money(value)} {self.doc.currency}"

    def _payment(self, flow: Flow) -> None:
        doc = self.doc
        flow.space(2 * mm)
        account, bank = doc.bank_account or doc.seller.bank_account, doc.bank or doc.seller.bank
        if account:
            self._pair(flow, "bank_account", f"{account} ({bank})" if bank else account)
        if doc.description:
            self._paragraph(flow, [(BOLD, f"{self.label('notes')}:")], _BODY_SIZE, _BODY_LEADING)
            self._paragraph(flow, [(REGULAR, doc.description)], _BODY_SIZE, _BODY_LEADING)
        if doc.public_url:
            self._pair(flow, "view_online", doc.public_url)
        if doc.status in _STAMPED_STATUSES:
            flow.space(4 * mm)
            self._stamp(flow, self.label(f"status.{doc.status}").upper())

    def _stamp(self, flow: Flow, text: str) -> None:
        """The status in a dark red box at the right, as a rubber stamp would be."""
        runs: Line = [(BOLD, text)]
        width = min(width_of(runs, 15) + 12, _TEXT_WIDTH)
        lines = wrap(runs, 15, width - 12)
        height = len(lines) * 18 + 8  # 3 pt above the text, 5 below
        text_ops = "\n".join(self.ink.text(6, -3 - 15 - index * 18, 15, line) for index, line in enumerate(lines))
        box = f"1.5 w 0.545 0 0 RG 0 0 {width:.2f} {-height:.2f} re S"
        flow.place(_TEXT_RIGHT - width, Row(height, f"{box}\n0.545 0 0 rg\n{text_ops}\n0 g"))
