"""The console's routes, mounted by gateway.app under /console (a GATEWAY_PATHS prefix, so the
dialects never see these paths and the traffic log does not count them)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.console import api, ksef, pages, webhooks
from gateway.console.web import render


async def not_found(request: Request) -> Response:
    return render(request, "error.html", 404, title="Not found", message="There is no such console page.")


def routes() -> list[BaseRoute]:
    return [
        Route("/console", pages.index, methods=["GET"]),
        Route("/console/", pages.index, methods=["GET"]),
        Route("/console/signin", pages.signin, methods=["GET", "POST"]),
        Route("/console/signout", pages.signout, methods=["POST"]),
        Route("/console/traffic", pages.traffic, methods=["GET"]),
        Route("/console/invoices", pages.invoices, methods=["GET"]),
        Route("/console/invoices/{id:int}.pdf", pages.invoice_pdf_preview, methods=["GET"]),
        Route("/console/invoices/{id:int}", pages.invoice, methods=["GET"]),
        Route("/console/invoices/{id:int}/rotate-link", pages.rotate_link, methods=["POST"]),
        Route("/console/invoices/{id:int}/ksef/{part}.xml", ksef.document, methods=["GET"]),
        Route("/console/invoices/{id:int}/ksef", ksef.send, methods=["POST"]),
        Route("/console/ksef-mode", ksef.mode, methods=["POST"]),
        Route("/console/translate", pages.translate, methods=["GET", "POST"]),
        Route("/console/credentials", pages.credentials, methods=["GET", "POST"]),
        Route("/console/credentials/{ref}/revoke", pages.revoke, methods=["POST"]),
        Route("/console/credentials/{ref}/rotate", pages.rotate, methods=["POST"]),
        Route("/console/webhooks", webhooks.webhooks, methods=["GET"]),
        Route("/console/webhooks/{id:int}/test", webhooks.test_event, methods=["POST"]),
        Route("/console/webhooks/deliveries/{id:int}/resend", webhooks.resend, methods=["POST"]),
        Route("/console/api/translate", api.translate, methods=["POST"]),
        Route("/console/api/traffic", api.traffic, methods=["GET"]),
        Route("/console/api/credentials", api.credentials, methods=["GET", "POST"]),
        Route("/console/api/credentials/{ref}/revoke", api.revoke, methods=["POST"]),
        Route("/console/api/credentials/{ref}/rotate", api.rotate, methods=["POST"]),
        Route("/console/{rest:path}", not_found, methods=["GET", "POST"]),
    ]
