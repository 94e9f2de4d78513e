"""Median time to render an invoice PDF: a one-page (10-line) and a 100-line document.

Run from the repository root: `.venv/bin/python benchmarks/pdf_render.py [runs]`.
Issue 11's target is a one-page PDF in 5 ms or less. Rows:
- the same 10- and 100-line documents rendered again and again;
- "a different document each run": other buyer and line names every run, as real traffic has;
- "font cache emptied": the font-subset cache cleared before every run, what the first
  document of a process (per language) pays.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from itertools import count
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.documents.pdf import render_pdf  # noqa: E402
from core.documents.pdf_fonts import BOLD, REGULAR  # noqa: E402
from core.documents.view import DocumentView  # noqa: E402
from tests.core.documents.samples import BUYER, document, line  # noqa: E402

_WORDS = ("Zażółć", "gęślą", "jaźń", "Łódź", "Gdańsk", "Śródmieście", "Żywiec", "Poznań", "Müller", "Söhne",
          "Kraków", "Bielsko-Biała", "Częstochowa", "Świnoujście", "Dąbrowa", "Zielona", "Góra", "Ćmielów")


def _clear_font_caches() -> None:
    REGULAR.clear_cache()
    BOLD.clear_cache()


def _same(doc: DocumentView) -> Iterator[DocumentView]:
    while True:
        yield doc


def _different() -> Iterator[DocumentView]:
    """Ten-line invoices whose buyer and line names change every time."""
    for run in count():
        def word(offset: int, run: int = run) -> str:
            return _WORDS[(run * 7 + offset) % len(_WORDS)]
        lines = tuple(line(no, name=f"Usługa {word(no)} {word(no * 3)} nr {run}") for no in range(1, 11))
        yield document(0, lines=lines, buyer=replace(BUYER, name=f"{word(0)} {word(1)} Sp. z o.o."))


def median_ms(docs: Iterator[DocumentView], runs: int, before_each: Callable[[], None] | None = None) -> float:
    render_pdf(next(docs))  # the first render pays for reportlab's lazy imports and caches
    timings = []
    for _ in range(runs):
        doc = next(docs)
        if before_each:
            before_each()
        start = time.perf_counter()
        render_pdf(doc)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    print("load average: " + " ".join(f"{load:.2f}" for load in os.getloadavg()))
    cases = (("1-page (10 lines)", _same(document(10)), None), ("100 lines", _same(document(100)), None),
             ("1-page, a different document each run", _different(), None),
             ("1-page, font cache emptied", _same(document(10)), _clear_font_caches))
    for name, docs, before_each in cases:
        print(f"{name}: median {median_ms(docs, runs, before_each):.2f} ms over {runs} runs")


if __name__ == "__main__":
    main()
