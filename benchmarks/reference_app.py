"""The reference B: a bare Starlette endpoint that answers an invoice-sized JSON document with orjson.

Every benchmark figure is reported as a ratio to B measured in the same run, on the same core, by the
same load generator: the machine's own ceiling for "an ASGI app answering JSON", so noise from a shared
machine cancels out. The document is built and serialised on every request, as the gateway must do.

    .venv/bin/python -m uvicorn benchmarks.reference_app:app --port 8100 --log-level warning --no-access-log
"""
from __future__ import annotations

from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

POSITIONS = 5


def invoice_document(invoice_id: int) -> dict[str, Any]:
    """The shape and size of an InvoiceOcean invoice with five positions (about 3 kB of JSON)."""
    positions = [{
        "id": invoice_id * 10 + i, "invoice_id": invoice_id, "name": f"Usługa programistyczna {i}",
        "description": "", "additional_info": "", "quantity": "3.0", "quantity_unit": "szt.", "tax": 23,
        "price_net": "100.00", "price_gross": "123.00", "price_tax": "23.00", "total_price_net": "300.00",
        "total_price_gross": "369.00", "total_price_tax": "69.00", "discount": "0.0", "discount_percent": None,
        "code": "", "product_id": None, "kind": "normal", "created_at": "2026-01-05T09:00:00.000+01:00",
        "updated_at": "2026-01-05T09:00:00.000+01:00",
    } for i in range(POSITIONS)]
    return {
        "id": invoice_id, "kind": "vat", "number": f"{invoice_id}/01/2026", "sell_date": "2026-01-05",
        "issue_date": "2026-01-05", "payment_to": "2026-01-12", "payment_to_kind": "7", "status": "issued",
        "paid": "0.0", "price_net": "1500.00", "price_gross": "1845.00", "price_tax": "345.00", "currency": "PLN",
        "lang": "pl", "seller_name": "Wystawca Sp. z o.o.", "seller_tax_no": "5252445767",
        "seller_street": "ul. Prosta 51", "seller_post_code": "00-838", "seller_city": "Warszawa",
        "seller_country": "PL", "seller_bank_account": "12 1140 2004 0000 3502 7557 7895",
        "buyer_name": "Klient1 Sp. z o.o.", "buyer_tax_no": "6272616681", "buyer_street": "ul. Nowa 1",
        "buyer_post_code": "40-001", "buyer_city": "Katowice", "buyer_country": "PL", "buyer_email": "",
        "description": "", "payment_type": "transfer", "token": "a1B2c3D4e5F6g7H8i9J0kL",
        "view_url": "http://127.0.0.1:8000/invoice/a1B2c3D4e5F6g7H8i9J0kL", "client_id": 1,
        "created_at": "2026-01-05T09:00:00.000+01:00", "updated_at": "2026-01-05T09:00:00.000+01:00",
        "positions": positions,
    }


async def invoice(request: Request) -> Response:
    invoice_id = int(request.query_params.get("id", "1"))
    return Response(orjson.dumps(invoice_document(invoice_id)), media_type="application/json")


app = Starlette(routes=[Route("/invoice", invoice)])
