"""The /docs page: the three dialects, their endpoints and support status, rendered (templates/docs.html)
from the same tables the dialects route with: InvoiceOcean's ROUTES, the routes fakturan mounts, and
INVO's resource registry. Summaries come from the OpenAPI descriptions and the INVO reference."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.documents.html import TEMPLATES_DIR
from dialects.fakturan import openapi as fakturan_openapi
from dialects.invo import reference as invo_reference
from dialects.invoiceocean import openapi as invoiceocean_openapi
from dialects.invoiceocean.routes import ROUTES


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    summary: str
    status: str = "supported"


@dataclass
class DialectDocs:
    name: str
    title: str
    auth: str
    document: str  # where its full description lives
    endpoints: list[Endpoint] = field(default_factory=list)
    not_built: list[tuple[str, str]] = field(default_factory=list)


def invoiceocean_docs(document_url: str) -> DialectDocs:
    ops = invoiceocean_openapi.operations()
    return DialectDocs(
        "invoiceocean", "InvoiceOcean / Fakturownia (JSON and XML)",
        "api_token (query, body key, Bearer) or HTTP Basic login; every path answers .json and .xml",
        document_url,
        [Endpoint(method, path.replace("{fmt}", "{json|xml}"), ops[name].summary) for method, path, _h, name in ROUTES],
        list(invoiceocean_openapi.NOT_BUILT))


def fakturan_docs(document_url: str) -> DialectDocs:
    ops = fakturan_openapi.operations()
    return DialectDocs(
        "fakturan", "fakturan.nu API v2", "HTTP Basic key_id:password, or Token token=\"...\"", document_url,
        [Endpoint(method, path, ops[name].summary) for method, path, name in fakturan_openapi.mounted()],
        list(fakturan_openapi.NOT_BUILT))


def invo_docs() -> DialectDocs:
    endpoints = [Endpoint("POST", f"/api.json r={resource.name} action={action.name}", action.description,
                          "supported" if action.available else "not available (code 10)")
                 for resource in invo_reference.resources() for action in resource.actions]
    return DialectDocs("invo", "INVO (POST /api.json with r and q)", "HTTP Basic login:password",
                       "dialects/invo/REFERENCE.md (invoice-gateway docs invo)", endpoints)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(["html"]),
                       undefined=StrictUndefined)


def render_page(template: str, **context: object) -> str:
    return _environment().get_template(template).render(**context)


def render_docs_page(documents: Mapping[str, str]) -> str:
    dialects = [invoiceocean_docs(documents["invoiceocean"]), invo_docs(), fakturan_docs(documents["fakturan"])]
    return render_page("docs.html", dialects=dialects, documents=documents)
