"""The registration of this dialect: what the gateway and core ask of it. Only the composition root imports
this module, so importing any other module of the dialect loads just what that module needs."""
from __future__ import annotations

from typing import Any

from core.handlers.invoice_state import InvoiceView, account_of
from core.reader import Reader
from core.registrations import Profile
from dialects.invoiceocean import fields, ksef, openapi, present, translate, webhooks
from dialects.invoiceocean.auth import API_TOKEN
from dialects.invoiceocean.respond import Reply, render
from dialects.invoiceocean.routes import error_response, routes
from dialects.kit.auth import by_api_token
from dialects.kit.dialect import Dialect, RosettaPane, SignInForm

# Default numbering patterns per document kind; the first registered profile's also number the kinds other
# profiles leave out.
PATTERNS: dict[str, str] = {
    "vat": "nr-m/mm/yyyy", "proforma": "Pnr-m/mm/yyyy", "correction": "Knr-m/mm/yyyy",
    "receipt": "PARnr-m/mm/yyyy", "bill": "Rnr-m/mm/yyyy", "advance": "ZALnr-m/mm/yyyy",
    "final": "KONnr-m/mm/yyyy", "estimate": "Enr-m/mm/yyyy", "kp": "KPnr-m/mm/yyyy",
    "kw": "KWnr-m/mm/yyyy", "cost": "nr-m/mm/yyyy",
}
PROFILE = Profile("invoiceocean", timezone="Europe/Warsaw", currency="PLN", lang="pl", country="PL",
                  settings={"payment_days": 7}, numbering=PATTERNS)

def _rendered(fmt: str) -> Any:
    def rendition(session: Any, view: InvoiceView, base_url: str) -> str:
        account = account_of(session, view.invoice.account_id)
        audience = present.Audience(account.timezone, base_url)
        value = present.invoice(view, audience)
        # The KSeF fields, as GET shows them: read beside the invoice (ksef_documents), not from it.
        value.update(ksef.gov_for(view, ksef.documents_for(Reader(session.connection()), account.id or 0, [view]),
                                  audience))
        return bytes(render(fmt, Reply(200, value, "invoice")).body).decode()
    return rendition


DIALECT = Dialect(
    name="invoiceocean", label="InvoiceOcean", colour="#2f6fde",
    routes=routes, owns=lambda path: True, owns_root=True, error_response=error_response,
    docs=openapi.docs, openapi=openapi.document, translator=translate.TRANSLATOR,
    sign_in=(SignInForm("api_token", by_api_token, lambda identity, secret: (secret,), "api_token",
                        needs_identity=False, secret_label="API token", secret_placeholder="TOKEN or TOKEN/prefix",
                        note="The <code>api_token</code> your InvoiceOcean integration sends.",
                        button="Sign in with token"),),
    rosetta=(RosettaPane("invoiceocean", "InvoiceOcean JSON", "GET /invoices/{id}.json", _rendered("json")),
             RosettaPane("invoiceocean_xml", "InvoiceOcean XML", "GET /invoices/{id}.xml", _rendered("xml"),
                         xml=True)),
    profile=PROFILE, credential_kinds=(API_TOKEN,),
    try_it=lambda s, base: (f"api_token={s['api_token']}", f"curl '{base}/invoices.json?api_token={s['api_token']}'"),
    fidelity=fields.FIDELITY, webhook_payload=webhooks.webhook_payload)
