"""GET /openapi/{dialect}.json and GET /docs: documents built from the dialects' own tables.

Both are public (they describe the API, they hold no account data) and are built once per process:
they depend only on code (the app's registry of dialects), never on the database.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Sequence

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from dialects.kit.dialect import Dialect
from dialects.kit.http import JSONResponse
from gateway.apidocs.page import render_docs_page
from gateway.registry import DIALECTS


def documents(dialects: Sequence[Dialect]) -> dict[str, Callable[[], dict[str, Any]]]:
    """dialect name -> document builder, for the dialects that have one; the names are the
    /openapi/{name}.json addresses."""
    return {d.name: d.openapi for d in dialects if d.openapi is not None}


DOCUMENTS = documents(DIALECTS)


@lru_cache(maxsize=None)
def document_bytes(dialect: Dialect) -> bytes:
    assert dialect.openapi is not None
    return orjson.dumps(dialect.openapi(), option=orjson.OPT_INDENT_2)


async def openapi_document(request: Request) -> Response:
    name = request.path_params["name"]
    dialect = next((d for d in request.app.state.dialects if d.name == name and d.openapi is not None), None)
    if dialect is None:
        return JSONResponse({"error": "no such document", "documents": sorted(documents(request.app.state.dialects))},
                            status_code=404)
    return Response(document_bytes(dialect), media_type="application/json",
                    headers={"Cache-Control": "public, max-age=300"})


@lru_cache(maxsize=None)
def _docs_html(dialects: tuple[Dialect, ...]) -> str:
    return render_docs_page(dialects)


async def docs_page(request: Request) -> Response:
    return HTMLResponse(_docs_html(request.app.state.dialects), headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'",
        "X-Content-Type-Options": "nosniff"})


def routes() -> list[BaseRoute]:
    return [Route("/openapi/{name}.json", openapi_document, methods=["GET"]),
            Route("/docs", docs_page, methods=["GET"])]
