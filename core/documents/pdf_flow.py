"""Direct-canvas page layout: wrapped text, grid tables and page breaks, written as PDF operators.

Replaces reportlab's platypus, whose generic flowables (parsing paragraph markup, measuring
every cell twice, splitting tables) cost more than everything else in a render. Text is
measured with the font's own widths and wrapped here; each piece of the page becomes a Row
of PDF operators drawn relative to its top-left corner, so the Flow can move it to any page.

Every text line is its own BT..ET block ending in T*, as reportlab's canvas writes it: text
extractors (pypdf) then read each cell and line on a line of its own.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.rl_accel import escapePDF
from reportlab.pdfbase.ttfonts import TTFont

Run = tuple[TTFont, str]  # text in one font; the runs of a line are separated by a space
Line = list[Run]


def width_of(runs: Line, size: float) -> float:
    return float(sum(font.stringWidth(text, size) for font, text in runs))


def wrap(runs: Line, size: float, width: float) -> list[Line]:
    """Breaks runs into lines no wider than `width`: at spaces, and inside a word only when
    the word alone is wider than a line. A newline in the text always breaks; runs of
    whitespace print as one space."""
    if len(runs) == 1 and "\n" not in runs[0][1]:  # the usual case: one run that fits
        font, text = runs[0]
        text = " ".join(text.split())
        if font.stringWidth(text, size) <= width:
            return [[(font, text)]] if text else [[]]
    lines: list[Line] = [[]]
    used = 0.0  # width of the last line so far
    for font, text in runs:
        space = font.stringWidth(" ", size)
        for number, paragraph in enumerate(text.split("\n")):
            if number:
                lines.append([])
                used = 0.0
            for word in paragraph.split():
                word_width = font.stringWidth(word, size)
                line = lines[-1]
                if line and used + space + word_width <= width:
                    last_font, last_text = line[-1]
                    if last_font is font:
                        line[-1] = (font, f"{last_text} {word}")
                    else:  # a run in another font starts after a space
                        line.append((font, f" {word}"))
                    used += space + word_width
                    continue
                if line:
                    lines.append([])
                while word_width > width and len(word) > 1:  # a word longer than a whole line
                    cut = _longest_fitting_prefix(font, word, size, width)
                    lines[-1].append((font, word[:cut]))
                    lines.append([])
                    word = word[cut:]
                    word_width = font.stringWidth(word, size)
                lines[-1].append((font, word))
                used = word_width
    return lines


def _longest_fitting_prefix(font: TTFont, word: str, size: float, width: float) -> int:
    low, high = 1, len(word)  # at least one character, or a very narrow column would loop forever
    while low < high:
        middle = (low + high + 1) // 2
        if font.stringWidth(word[:middle], size) <= width:
            low = middle
        else:
            high = middle - 1
    return low


class Ink:
    """Writes text into PDF operators for one document (the font subsets are per document).

    Invoices repeat the same short texts ("szt.", "23%", "100,00") on every line, so each
    text's encoded operators are remembered for the rest of this document, and so are the
    rules of same-sized table rows."""

    def __init__(self, canvas: Any) -> None:
        self._doc = canvas._doc  # the PDFDocument whose font subsets the text is encoded for
        self._shown: dict[tuple[TTFont, float, str], tuple[str, float]] = {}  # -> (operators, width)
        self._rules: dict[tuple[tuple[float, ...], float], str] = {}

    def text(self, x: float, baseline: float, size: float, runs: Line) -> str:
        ops = " ".join(self._shown_run(font, size, text)[0] for font, text in runs)
        return f"BT 1 0 0 1 {x:.2f} {baseline:.2f} Tm {size * 1.2:.2f} TL {ops} T* ET"

    def _shown_run(self, font: TTFont, size: float, text: str) -> tuple[str, float]:
        key = (font, size, text)
        if (hit := self._shown.get(key)) is None:
            doc = self._doc
            ops = " ".join(f"{font.getSubsetInternalName(subset, doc)} {size:g} Tf ({escapePDF(chunk)}) Tj"
                           for subset, chunk in font.splitString(text, doc))
            hit = self._shown[key] = (ops, font.stringWidth(text, size))
        return hit

    def aligned(self, x: float, width: float, baseline: float, size: float, runs: Line, align: str) -> str:
        """A line in a box from `x`, `width` wide: "left", "right" or "center"."""
        if align != "left":
            free = width - sum(self._shown_run(font, size, text)[1] for font, text in runs)
            x += free if align == "right" else free / 2
        return self.text(x, baseline, size, runs)

    def grid(self, edges: tuple[float, ...], height: float) -> str:
        """Thin gray rules around a table row and between its cells."""
        key = (edges, height)
        if (ops := self._rules.get(key)) is None:
            left, right = edges[0], edges[-1]
            rules = [f"{left:.2f} 0 m {right:.2f} 0 l {left:.2f} {-height:.2f} m {right:.2f} {-height:.2f} l"]
            rules += [f"{edge:.2f} 0 m {edge:.2f} {-height:.2f} l" for edge in edges]
            ops = self._rules[key] = f"0.4 w 0.5 G {' '.join(rules)} S"
        return ops


@dataclass(slots=True)
class Row:
    """Part of a page that is never split: PDF operators relative to its top-left corner."""
    height: float
    ops: str


@dataclass(frozen=True, slots=True)
class Cell:
    lines: Sequence[tuple[float, Line]]  # (font size, runs) per printed line
    align: str = "left"


class Flow:
    """Places rows down the pages between `top` and `bottom`, starting a page when one
    does not fit; each page is kept as a list of operator strings until the copy is done."""

    def __init__(self, top: float, bottom: float) -> None:
        self.top, self.bottom = top, bottom
        self.pages: list[list[str]] = [[]]
        self.y = top

    @property
    def at_top(self) -> bool:
        return self.y >= self.top

    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.top

    def space(self, height: float) -> None:
        if not self.at_top:  # space is dropped at the top of a page
            self.y -= height

    def keep(self, height: float) -> None:
        """Starts a new page unless `height` more points fit on this one."""
        if self.y - height < self.bottom and not self.at_top:
            self.new_page()

    def place(self, x: float, row: Row) -> None:
        self.keep(row.height)
        self._put(x, row)

    def _put(self, x: float, row: Row) -> None:
        if row.ops:
            self.pages[-1].append(f"q 1 0 0 1 {x:.2f} {self.y:.2f} cm\n{row.ops}\nQ")
        self.y -= row.height

    def rows(self, x: float, rows: Sequence[Row], header: Row | None = None) -> None:
        """Rows that may be split across pages; a header is repeated on every page and is never
        left at the bottom of a page without a row under it."""
        if header is None:
            for row in rows:
                self.place(x, row)
            return
        self.keep(header.height + (rows[0].height if rows else 0))
        self._put(x, header)
        for row in rows:
            # A row taller than a whole page is printed under a fresh header rather than looping.
            if self.y - row.height < self.bottom and self.y < self.top - header.height:
                self.new_page()
                self._put(x, header)
            self._put(x, row)


def cell(font: TTFont, size: float, text: str, width: float, align: str = "left") -> Cell:
    """Text wrapped to a cell's inner width."""
    return Cell([(size, line) for line in wrap([(font, text)], size, width)], align)


def cell_row(ink: Ink, edges: Sequence[float], cells: Sequence[Cell], leading: float, *, pad_x: float,
             pad_y: float, grid: bool = False, fill: str = "") -> Row:
    """One table row: cell i spans edges[i]..edges[i+1] (points from the row's left side), text
    hangs from the top of each cell; `grid` rules the row's box and cell borders, `fill` is
    the gray level of its background."""
    height = max(len(each.lines) for each in cells) * leading + 2 * pad_y
    parts = [f"{fill} g 0 0 {edges[-1] - edges[0]:.2f} {-height:.2f} re f 0 g"] if fill else []
    for each, left, right in zip(cells, edges, edges[1:], strict=False):
        if not each.lines:
            continue
        top = -pad_y - each.lines[0][0]  # the first baseline sits one font size under the padding
        for number, (size, runs) in enumerate(each.lines):
            if runs:
                parts.append(ink.aligned(left + pad_x, right - left - 2 * pad_x, top - number * leading, size,
                                         runs, each.align))
    if grid:
        parts.append(ink.grid(tuple(edges), height))
    return Row(height, "\n".join(parts))


def cell_rows(ink: Ink, edges: Sequence[float], cells: Sequence[Cell], leading: float, *, max_height: float,
              pad_x: float, pad_y: float, grid: bool = False, fill: str = "") -> list[Row]:
    """Like cell_row, but a row taller than `max_height` (a page) is cut between its text lines
    into rows that each fit, so no text runs off the foot of a page."""
    per_row = max(1, int((max_height - 2 * pad_y) // leading))
    tallest = max(len(each.lines) for each in cells)
    pieces = [cells] if tallest <= per_row else [
        [Cell(each.lines[start:start + per_row], each.align) for each in cells] for start in range(0, tallest, per_row)
    ]
    return [cell_row(ink, edges, piece, leading, pad_x=pad_x, pad_y=pad_y, grid=grid, fill=fill) for piece in pieces]
