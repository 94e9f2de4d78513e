"""The KSeF block of a printout: KOD I (the verification link) with the KSeF number under it, and on an
offline invoice KOD II (the certificate link) beside it, as the Ministry's visualisation rules place them."""
from __future__ import annotations

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from core.documents.pdf_fonts import FONT
from core.documents.view import KsefMarks

SIZE = 32 * mm  # the QR code's side
HEIGHT = SIZE + 10 * mm  # the room the block takes above the page's bottom margin


def _qr(canvas: Canvas, link: str, x: float, y: float) -> None:
    widget = QrCodeWidget(link, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(SIZE, SIZE, transform=[SIZE / (right - left), 0, 0, SIZE / (top - bottom), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def draw(canvas: Canvas, marks: KsefMarks, left: float, bottom: float) -> None:
    """The block with its lower left corner at (left, bottom)."""
    canvas.saveState()
    canvas.setFont(FONT, 7)
    _qr(canvas, marks.verification_link, left, bottom + 6 * mm)
    canvas.drawString(left, bottom + 2 * mm, marks.number or "OFFLINE")
    if marks.certificate_link:  # beside KOD I, clear of the number printed under it
        second = left + max(SIZE, canvas.stringWidth(marks.number or "OFFLINE", FONT, 7)) + 8 * mm
        _qr(canvas, marks.certificate_link, second, bottom + 6 * mm)
        canvas.drawString(second, bottom + 2 * mm, "CERTYFIKAT")
    canvas.restoreState()
