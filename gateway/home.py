"""GET /: a page for the person who opens the gateway's address in a browser.

The dialect owning the root paths answers them, and `/` was its JSON 404. API clients keep that answer: a request that
asks for JSON or XML (and not HTML), or uses another method, gets `not_here`, the owning dialect's error."""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from dialects.kit.dialect import Dialect
from gateway.apidocs.page import render_page
from gateway.apidocs.routes import documents

API_TYPES = ("application/json", "application/xml", "text/xml")


def wants_html(request: Request) -> bool:
    """Browsers name text/html; curl's */* and a missing Accept get the page too. Only a client that asks
    for an API format without naming HTML is treated as an API client."""
    accept = request.headers.get("accept", "").lower()
    return "text/html" in accept or not any(kind in accept for kind in API_TYPES)


@lru_cache(maxsize=None)
def _home_html(dialects: tuple[Dialect, ...]) -> str:
    return render_page("home.html", documents={name: f"/openapi/{name}.json" for name in sorted(documents(dialects))})


def routes(not_here: Callable[[Request], Response]) -> list[BaseRoute]:
    async def home(request: Request) -> Response:
        if request.method not in ("GET", "HEAD") or not wants_html(request):
            return not_here(request)
        return HTMLResponse(_home_html(request.app.state.dialects), headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'",
            "X-Content-Type-Options": "nosniff"})

    return [Route("/", home, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])]
