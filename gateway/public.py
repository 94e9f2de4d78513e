"""Public invoice pages, without login: the token in the address is the credential.

    GET /invoice/{token}               the invoice as a printable page
    GET /f/{number}/{token}            the same, number with "/" as "-" (it must match)
    GET /invoice/{token}.pdf           its PDF; ?inline=yes shows it in the browser,
                                       ?print_option=original|copy|duplicate|original_and_copy
    GET /f/{number}/{token}.pdf        the same PDF under the numbered address
    GET /invoice/payment/{token}       amount due, transfer details and a payment QR code

Every miss (malformed or unknown token, wrong number, deleted invoice) answers the same 404
page, so a prober learns nothing. Pages load nothing from elsewhere and carry no script:
the Content-Security-Policy says so, and Referrer-Policy keeps the token out of Referer.
"""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from core.documents.access import PublicDocument, public_document
from core.documents.html import (
    dashed_number,
    invoice_page,
    not_found_page,
    payment_page,
    payment_path,
    pdf_path,
    view_path,
)
from core.documents.mail import pdf_filename
from core.documents.pdf import PRINT_OPTIONS, render_pdf
from dialects.kit.context import read
from dialects.kit.http import content_disposition

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                               "form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-cache",
}


def public_base(request: Request) -> str:
    return str(request.app.state.settings.public_base_url or request.base_url).rstrip("/")


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)


def _not_found() -> HTMLResponse:
    return _html(not_found_page(), 404)


async def _lookup(request: Request) -> PublicDocument | None:
    found = await read(request, public_document, request.path_params["token"], public_base=public_base(request))
    number = request.path_params.get("number")
    if found is None or (number is not None and number != dashed_number(found.number)):
        return None
    return found


async def invoice_view(request: Request) -> Response:
    found = await _lookup(request)
    if found is None:
        return _not_found()
    return _html(invoice_page(found.document, pdf_url=pdf_path(found.token), payment_url=payment_path(found.token)))


async def invoice_pdf_view(request: Request) -> Response:
    found = await _lookup(request)
    if found is None:
        return _not_found()
    option = request.query_params.get("print_option") or "original"
    if option not in PRINT_OPTIONS:
        return PlainTextResponse(f"print_option must be one of {', '.join(PRINT_OPTIONS)}", status_code=400)
    pdf = await run_in_threadpool(render_pdf, found.document, option)  # keep reportlab off the event loop
    name = pdf_filename(found.number)
    disposition = "inline" if request.query_params.get("inline", "").lower() in ("yes", "1", "true") else "attachment"
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": content_disposition(disposition, name),
        "Cache-Control": "private, no-cache", "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer",
    })


async def payment_view(request: Request) -> Response:
    found = await _lookup(request)
    if found is None:
        return _not_found()
    return _html(payment_page(found.document, invoice_url=view_path(found.number, found.token),
                              pdf_url=pdf_path(found.token)))


def routes() -> list[Route]:
    # The .pdf forms first: "{token}" alone would also match "abc.pdf".
    return [
        Route("/invoice/payment/{token}", payment_view, methods=["GET"]),
        Route("/invoice/{token}.pdf", invoice_pdf_view, methods=["GET"]),
        Route("/invoice/{token}", invoice_view, methods=["GET"]),
        Route("/f/{number}/{token}.pdf", invoice_pdf_view, methods=["GET"]),
        Route("/f/{number}/{token}", invoice_view, methods=["GET"]),
    ]
