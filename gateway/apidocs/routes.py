"""GET /openapi/{dialect}.json and GET /docs: documents built from the dialects' own tables.

Both are public (they describe the API, they hold no account data) and are built once per process:
they depend only on code, never on the database.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from dialects.fakturan import openapi as fakturan_openapi
from dialects.invoiceocean import openapi as invoiceocean_openapi
from dialects.kit.http import JSONResponse
from gateway.apidocs.page import render_docs_page

# dialect name -> document builder; the names are the /openapi/{name}.json addresses.
DOCUMENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "invoiceocean": invoiceocean_openapi.document,
    "fakturan": fakturan_openapi.document,
}


@lru_cache(maxsize=None)
def document_bytes(name: str) -> bytes:
    return orjson.dumps(DOCUMENTS[name](), option=orjson.OPT_INDENT_2)


async def openapi_document(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in DOCUMENTS:
        return JSONResponse({"error": "no such document", "documents": sorted(DOCUMENTS)}, status_code=404)
    return Response(document_bytes(name), media_type="application/json",
                    headers={"Cache-Control": "public, max-age=300"})


@lru_cache(maxsize=1)
def _docs_html() -> str:
    return render_docs_page({name: f"/openapi/{name}.json" for name in DOCUMENTS})


async def docs_page(request: Request) -> Response:
    return HTMLResponse(_docs_html(), headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'",
        "X-Content-Type-Options": "nosniff"})


def routes() -> list[BaseRoute]:
    return [Route("/openapi/{name}.json", openapi_document, methods=["GET"]),
            Route("/docs", docs_page, methods=["GET"])]
