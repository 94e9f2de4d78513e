"""Median time to render an invoice PDF: a one-page (10-line) and a 100-line document.

Run from the repository root: `.venv/bin/python benchmarks/pdf_render.py [runs]`.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.documents.pdf import render_pdf  # noqa: E402
from tests.core.documents.samples import document  # noqa: E402


def median_ms(lines: int, runs: int) -> float:
    doc = document(lines)
    render_pdf(doc)  # the first render pays for reportlab's lazy imports and caches
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        render_pdf(doc)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    for name, lines in (("1-page (10 lines)", 10), ("100 lines", 100)):
        print(f"{name}: median {median_ms(lines, runs):.2f} ms over {runs} runs")


if __name__ == "__main__":
    main()
