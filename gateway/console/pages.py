"""The console's HTML pages: sign in/out, traffic, invoices and their Rosetta view, translate,
credentials. Every page shows only the signed-in account's data: each query takes its account id
from the session, and another account's invoice id is simply not found."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.clock import now_utc
from core.credentials import (
    CredentialRef,
    create_credential,
    list_credentials,
    revoke_credential,
    rotate_credential,
)
from core.documents.access import rotate_public_token
from core.documents.html import view_path
from core.documents.mail import pdf_filename
from core.einvoice.service import blocks_invalid, mode_of
from core.errors import Conflict, Invalid, NotFound
from core.handlers.invoice_state import account_of
from core.queries import InvoiceFilter, Page, list_invoices
from core.registrations import credential_kinds
from dialects.kit import ratelimit
from dialects.kit.context import invoice_pdf, ledger_of, read
from dialects.kit.http import content_disposition
from gateway.console.chart import build_chart, colours_of, labels_of
from gateway.console.rosetta import rosetta
from gateway.console.session import Signed, clear_cookie, new_csrf, write_cookie
from gateway.console.signin import attempt_identity, sign_in, sign_in_forms
from gateway.console.traffic_stats import BUCKETS, WINDOWS, traffic_report, traffic_series
from gateway.console.translating import run_translation
from gateway.console.web import SECURITY_HEADERS, csrf_given, csrf_valid, fresh_csrf_cookie, page, render


def _safe_next(raw: str | None) -> str:
    """Only a console path: never an open redirect."""
    if raw and raw.startswith("/console") and not raw.startswith("//") and not urlsplit(raw).netloc:
        return raw
    return "/console/traffic"


MAX_ID = 2**63 - 1  # larger ids cannot exist, and SQLite would refuse to bind them


def _invoice_id(request: Request) -> int:
    value = int(request.path_params["id"])
    if value > MAX_ID:
        raise NotFound("invoice", value)
    return value


def _base_url(request: Request) -> str:
    return str(request.app.state.settings.public_base_url or request.base_url).rstrip("/")


# --- sign in / out -------------------------------------------------------------------------

async def index(request: Request) -> Response:
    return RedirectResponse("/console/traffic", status_code=303)


def _names(request: Request) -> list[str]:
    return [d.name for d in request.app.state.dialects]


async def signin_form(request: Request, *, error: str = "", method: str = "", status: int = 200) -> Response:
    data = fresh_csrf_cookie(request)
    cards = [(dialect, form) for dialect in request.app.state.dialects for form in dialect.sign_in]
    response = render(request, "signin.html", status, error=error, method=method or cards[0][1].method, cards=cards,
                      next=_safe_next(request.query_params.get("next")))
    write_cookie(request, response, data)
    return response


async def signin(request: Request) -> Response:
    if request.method == "GET":
        return await signin_form(request)
    form = await request.form()
    fresh_csrf_cookie(request)
    if not csrf_valid(request, csrf_given(request, form)):
        return await signin_form(request, error="The sign-in form expired. Please try again.", status=403)
    method = str(form.get("method", ""))
    identity, secret = str(form.get("identity", "")), str(form.get("secret", ""))
    forms = sign_in_forms(request.app.state.dialects)
    shown_method = method if method in forms else next(iter(forms))
    # Failed sign-ins are limited like failed API authentication, per address and per credential, in the
    # same counters: the console is one more door to the same credentials.
    limiter = ratelimit.limiter_of(request.app)
    address = ratelimit.client_address(request.scope.get("client"))
    attempt = attempt_identity(forms, method, identity, secret)
    try:
        limiter.check(address, attempt)
    except ratelimit.RateLimited as exc:
        response = await signin_form(request, error=f"Too many failed sign-in attempts. Try again in "
                                                    f"{exc.retry_after} s.", method=shown_method, status=429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    found = await read(request, sign_in, forms, method, identity, secret)
    if found is None:
        limiter.failed(address, attempt)
        return await signin_form(request, error="Those credentials were not accepted: wrong, revoked, or the "
                                                "account is deactivated.", method=shown_method, status=401)
    response = RedirectResponse(_safe_next(str(form.get("next", ""))), status_code=303)
    # A new CSRF token with every session: a token seen before signing in is worth nothing after.
    write_cookie(request, response, {"aid": found.account_id, "ref": found.ref, "fp": found.fingerprint,
                                     "csrf": new_csrf()})
    return response


@page
async def signout(request: Request, signed: Signed) -> Response:
    response = RedirectResponse("/console/signin", status_code=303)
    clear_cookie(response)
    return response


# --- traffic -------------------------------------------------------------------------------

def _traffic(session: Any, account_id: int, window: str, names: list[str]) -> tuple[Any, Any]:
    now = now_utc()
    return traffic_report(session, account_id, now, names), traffic_series(session, account_id, now, window, names)


@page
async def traffic(request: Request, signed: Signed) -> Response:
    window = request.query_params.get("window", "day")
    window = window if window in BUCKETS else "day"
    dialects = request.app.state.dialects
    report, series = await read(request, _traffic, signed.account_id, window, _names(request))
    return render(request, "traffic.html", active="traffic", report=report, window=window,
                  windows=[name for name, _ in WINDOWS], chart=build_chart(series, signed.timezone, dialects),
                  colors=colours_of(dialects), labels=labels_of(dialects))


# --- invoices and the Rosetta view -----------------------------------------------------------

def _recent(session: Any, account_id: int, number: str | None) -> list[Any]:
    f = InvoiceFilter(number=number) if number else InvoiceFilter()
    return list_invoices(session, account_id, f, Page(1, 50), (("id", True),))


@page
async def invoices(request: Request, signed: Signed) -> Response:
    number = (request.query_params.get("number") or "").strip() or None
    views = await read(request, _recent, signed.account_id, number)
    account = await read(request, account_of, signed.account_id)
    return render(request, "invoices.html", active="invoices", views=views, number=number or "",
                  ksef_mode=mode_of(account), ksef_validate=blocks_invalid(account))


@page
async def invoice(request: Request, signed: Signed) -> Response:
    return await _invoice_page(request, signed)


async def _invoice_page(request: Request, signed: Signed, message: str = "") -> Response:
    try:
        found = await read(request, rosetta, signed.account_id, _invoice_id(request), _base_url(request),
                           request.app.state.dialects)
    except NotFound:
        return render(request, "error.html", 404, title="Not found",
                      message="There is no such invoice in this account.")
    return render(request, "rosetta.html", active="invoices", r=found, colors=colours_of(request.app.state.dialects),
                  message=message)


@page
async def rotate_link(request: Request, signed: Signed) -> Response:
    """A new public link for the invoice; the old one answers 404 at once."""
    try:
        rotated = await run_in_threadpool(ledger_of(request).write, rotate_public_token, signed.account_id,
                                          _invoice_id(request))
    except NotFound:
        return render(request, "error.html", 404, title="Not found",
                      message="There is no such invoice in this account.")
    link = _base_url(request) + view_path(rotated.number, rotated.token)
    return await _invoice_page(request, signed, f"New public link: {link} (the old link no longer works).")


@page
async def invoice_pdf_preview(request: Request, signed: Signed) -> Response:
    try:
        document, pdf = await invoice_pdf(request, signed.account_id, _invoice_id(request))
    except NotFound:
        return render(request, "error.html", 404, title="Not found",
                      message="There is no such invoice in this account.")
    headers = {**SECURITY_HEADERS, "Content-Disposition": content_disposition("inline", pdf_filename(document.number))}
    return Response(pdf, media_type="application/pdf", headers=headers)


# --- translate ------------------------------------------------------------------------------

@page
async def translate(request: Request, signed: Signed) -> Response:
    form = getattr(request.state, "console_form", None)
    dialects = {d.name: d for d in request.app.state.dialects}
    first = next(iter(dialects))
    source = str(form.get("from", first)) if form else request.query_params.get("from", first)
    fields = {name: str(form.get(name, "")) for name in ("method", "path", "body", "r", "q")} if form else {
        "method": "POST", "path": "/invoices.json", "body": "", "r": "invoices", "q": ""}
    targets = [str(t) for t in form.getlist("to")] if form else []
    result, error = None, ""
    if form is not None:
        shape = dialects[source].request_fields if source in dialects else ("method", "path", "body")
        request_data = {name: fields[name] for name in shape}
        result, error = await run_in_threadpool(run_translation, source, request_data, targets or None,
                                                _base_url(request), request.app.state.dialects)
    return render(request, "translate.html", active="translate", source=source, fields=fields,
                  targets=targets, all_targets=list(dialects), result=result, error=error,
                  labels=labels_of(request.app.state.dialects),
                  status=422 if error else 200)


# --- credentials ----------------------------------------------------------------------------

async def _credentials_page(request: Request, signed: Signed, *, created: Any = None, message: str = "",
                            error: str = "", status: int = 200) -> Response:
    found = await read(request, list_credentials, signed.account_id)
    return render(request, "credentials.html", status, active="credentials", credentials=found, created=created,
                  message=message, error=error, kinds=credential_kinds(),
                  labels=labels_of(request.app.state.dialects), now=now_utc())


@page
async def credentials(request: Request, signed: Signed) -> Response:
    form = getattr(request.state, "console_form", None)
    if form is None:
        return await _credentials_page(request, signed)
    try:
        created = await run_in_threadpool(ledger_of(request).write, create_credential, signed.account_id,
                                          str(form.get("kind", "")), label=str(form.get("label", "")),
                                          login=str(form.get("login", "")) or None)
    except (Invalid, Conflict) as exc:
        text = "; ".join(e.message for e in exc.errors) if isinstance(exc, Invalid) else exc.message
        return await _credentials_page(request, signed, error=text, status=422)
    return await _credentials_page(request, signed, created=created)


async def _change(request: Request, signed: Signed, action: str) -> Response:
    try:
        ref = CredentialRef.parse(request.path_params["ref"])
        if action == "revoke":
            revoked = await run_in_threadpool(ledger_of(request).write, revoke_credential, signed.account_id, ref)
        else:
            rotated = await run_in_threadpool(ledger_of(request).write, rotate_credential, signed.account_id, ref)
    except NotFound:
        return await _credentials_page(request, signed, error="There is no such credential in this account.",
                                       status=404)
    except (Invalid, Conflict) as exc:
        text = "; ".join(e.message for e in exc.errors) if isinstance(exc, Invalid) else exc.message
        return await _credentials_page(request, signed, error=text, status=422)
    if action == "revoke":
        if str(ref) == signed.ref:  # the person revoked what they signed in with: the session is over
            return RedirectResponse("/console/signin", status_code=303)
        return await _credentials_page(request, signed, message=f"Revoked {ref} ({revoked.identity}). "
                                                                "It stopped working immediately.")
    if str(ref) == signed.ref:
        response = await _credentials_page(request, signed, created=rotated)
        if credential_kinds()[ref.kind].store == "login":
            clear_cookie(response)  # the old password's session ends; sign in with the new one
        return response
    return await _credentials_page(request, signed, created=rotated)


@page
async def revoke(request: Request, signed: Signed) -> Response:
    return await _change(request, signed, "revoke")


@page
async def rotate(request: Request, signed: Signed) -> Response:
    return await _change(request, signed, "rotate")
