"""What a dialect's send passes to core besides the addresses: the cap on recipients and the base URL of
the links inside the mail.

A link in a mail goes to whoever the buyer is; it must never point where a request's Host header says, or
anyone could have the gateway mail a customer a link to their own site. So the base is
GATEWAY_PUBLIC_BASE_URL, or, when that is unset, the request's host only if GATEWAY_ALLOWED_HOSTS names it
("*.domain" entries match its subdomains); otherwise the send is refused with a field error. Requests
themselves are served whatever their host (InvoiceOcean's account prefixes live in it).
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request

from core.errors import Invalid


def host_allowed(host: str, allowed: str) -> bool:
    host = host.lower().rstrip(".")
    for entry in (e.strip().lower() for e in allowed.split(",")):
        if not entry:
            continue
        if entry.startswith("*."):
            if host.endswith(entry[1:]) and len(host) > len(entry) - 1:
                return True
        elif host == entry:
            return True
    return False


def _hostname(netloc: str) -> str:
    if netloc.startswith("["):  # [::1]:8000
        return netloc[1:].partition("]")[0]
    return netloc.rsplit(":", 1)[0] if netloc.count(":") == 1 else netloc


def mail_base_url(request: Request) -> str:
    settings = request.app.state.settings
    configured = str(settings.public_base_url or "").strip().rstrip("/")
    if configured:
        return configured
    # X-Forwarded-Host is still here only when a trusted proxy sent it (gateway/proxies.py).
    netloc = request.headers.get("x-forwarded-host", "").split(",")[0].strip() or request.headers.get("host", "")
    if netloc and host_allowed(_hostname(netloc), settings.allowed_hosts):
        return f"{request.url.scheme}://{netloc}"
    raise Invalid.one("public_base_url", "not_configured", "the public base URL must be configured "
                      "(GATEWAY_PUBLIC_BASE_URL): links in a mail are never taken from an unlisted Host")


def send_options(request: Request) -> dict[str, Any]:
    """SendInvoice's keyword arguments that come from the gateway, not from the request's body."""
    return {"public_base_url": mail_base_url(request), "max_recipients": request.app.state.settings.max_recipients}
