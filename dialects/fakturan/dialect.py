"""The registration of this dialect: what the gateway and core ask of it. Only the composition root imports
this module, so importing any other module of the dialect loads just what that module needs."""
from __future__ import annotations

from typing import Any

from core.handlers.invoice_state import InvoiceView, account_of
from core.registrations import CredentialKind, Profile
from dialects.fakturan import fields, openapi, translate
from dialects.fakturan.errors import error_response
from dialects.fakturan.present import data, invoice_json
from dialects.fakturan.routes import PREFIX, routes
from dialects.kit.auth import by_fakturan_key
from dialects.kit.dialect import Dialect, RosettaPane, SignInForm

PROFILE = Profile("fakturan", timezone="Europe/Stockholm", currency="SEK", lang="sv", country="SE",
                  settings={"payment_days": 30, "invoice_template": "croatia", "prices_inc_tax": "no", "tax": 25,
                            "invoice_delivery_method": "email"},
                  numbering={"vat": "nr", "correction": "Knr", "proforma": "Pnr"})
# The Basic key is the main form; the token (`Authorization: Token token="..."`) a second one.
KEY = CredentialKind("fakturan_key", "fakturan", "key", "fakturan.nu key", main=True)
TOKEN = CredentialKind("fakturan_token", "fakturan", "token", "fakturan.nu token", token_bytes=32)


def _json(session: Any, view: InvoiceView, base_url: str) -> str:
    return bytes(data(invoice_json(view, account_of(session, view.invoice.account_id))).body).decode()


DIALECT = Dialect(
    name="fakturan", label="fakturan.nu", colour="#1d9a6c",
    routes=routes, owns=lambda path: path == PREFIX or path.startswith(PREFIX + "/"), error_response=error_response,
    docs=openapi.docs, openapi=openapi.document, translator=translate.TRANSLATOR,
    sign_in=(SignInForm("fakturan", by_fakturan_key, lambda identity, secret: (identity, secret), "fakturan_key",
                        identity_label="Key id", button="Sign in with key"),),
    rosetta=(RosettaPane("fakturan", "fakturan.nu JSON", "GET /api/v2/invoices/{id}", _json),),
    profile=PROFILE, credential_kinds=(KEY, TOKEN),
    try_it=lambda s, base: (f"key_id={s['key_id']} password={s['password']}",
                            f"curl -u '{s['key_id']}:{s['password']}' {base}/api/v2/invoices"),
    fidelity=fields.FIDELITY)
