"""Request plumbing shared by the console's pages and JSON API: templates, the signed-in check,
CSRF checks, and the security headers every console answer carries."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import quote

import orjson
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from dialects.kit.context import read
from gateway.console.session import CSRF_FIELD, CSRF_HEADER, Signed, csrf_ok, new_csrf, read_cookie, resolve

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "console"
# No script at all, nothing from elsewhere; the PDF preview is a same-origin frame.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'none'; style-src 'unsafe-inline'; "
                               "img-src 'self' data:; frame-src 'self'; object-src 'none'; form-action 'self'; "
                               "frame-ancestors 'self'; base-uri 'none'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Cache-Control": "no-store",
}
NAV = (("traffic", "Traffic", "/console/traffic"), ("invoices", "Invoices", "/console/invoices"),
       ("translate", "Translate", "/console/translate"), ("credentials", "Credentials", "/console/credentials"),
       ("webhooks", "Webhooks", "/console/webhooks"))

PageHandler = Callable[[Request, Signed], Awaitable[Response]]


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["stamp"] = lambda v: v.strftime("%Y-%m-%d %H:%M UTC") if v else "never"
    env.filters["pct"] = lambda v: "–" if v is None else f"{v * 100:.1f} %"
    env.filters["thousands"] = lambda v: f"{int(v):,}".replace(",", " ")
    return env


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    data = getattr(request.state, "console_cookie", None) or read_cookie(request)
    html = environment().get_template(template).render(
        csrf=data.get("csrf", ""), nav=NAV, signed=getattr(request.state, "console_user", None), **context)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def json_response(value: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(value, default=str), status_code=status, media_type="application/json",
                    headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


async def signed_in(request: Request) -> Signed | None:
    data = read_cookie(request)
    request.state.console_cookie = data
    if "aid" not in data:
        return None
    signed = await read(request, resolve, data)
    request.state.console_user = signed
    return signed


def csrf_given(request: Request, form: Any | None) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    return str(form.get(CSRF_FIELD)) if form is not None and form.get(CSRF_FIELD) is not None else None


def csrf_valid(request: Request, given: str | None) -> bool:
    return csrf_ok(request.state.console_cookie.get("csrf"), given)


def page(handler: PageHandler) -> Callable[[Request], Awaitable[Response]]:
    """A page for signed-in people: others are sent to sign in (and back here afterwards);
    a POST must carry the session's CSRF token (403 otherwise)."""
    @functools.wraps(handler)
    async def run(request: Request) -> Response:
        signed = await signed_in(request)
        if signed is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            nxt = target if request.method == "GET" else "/console/traffic"
            return RedirectResponse(f"/console/signin?next={quote(nxt, safe='/')}", status_code=303)
        if request.method == "POST":
            form = await request.form()
            request.state.console_form = form
            if not csrf_valid(request, csrf_given(request, form)):
                return render(request, "error.html", 403, title="Forbidden",
                              message="The form was missing its security token, or it has expired. "
                                      "Reload the page and try again.")
        return await handler(request, signed)
    return run


def api(handler: PageHandler) -> Callable[[Request], Awaitable[Response]]:
    """A JSON endpoint: 401 without a valid session; a POST needs the X-CSRF-Token header (403)."""
    @functools.wraps(handler)
    async def run(request: Request) -> Response:
        signed = await signed_in(request)
        if signed is None:
            return json_response({"error": "not signed in: sign in at /console/signin"}, 401)
        if request.method == "POST" and not csrf_valid(request, request.headers.get(CSRF_HEADER)):
            return json_response({"error": "missing or wrong X-CSRF-Token header"}, 403)
        return await handler(request, signed)
    return run


def fresh_csrf_cookie(request: Request) -> dict[str, Any]:
    """The anonymous session the sign-in form posts against."""
    data = read_cookie(request)
    if not data.get("csrf"):
        data = {"csrf": new_csrf()}
    request.state.console_cookie = data
    return data
