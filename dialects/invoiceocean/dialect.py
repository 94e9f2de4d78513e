"""The registration of this dialect: what the gateway asks of it. Only the composition root imports this
module, so importing any other module of the dialect loads just what that module needs."""
from __future__ import annotations

from dialects.invoiceocean import openapi, translate, webhooks
from dialects.invoiceocean.routes import error_response, routes
from dialects.kit.auth import by_api_token
from dialects.kit.dialect import Dialect, SignInForm

DIALECT = Dialect(
    name="invoiceocean", label="InvoiceOcean", colour="#2f6fde",
    routes=routes, owns=lambda path: True, owns_root=True, error_response=error_response,
    docs=openapi.docs, openapi=openapi.document, translator=translate.TRANSLATOR,
    sign_in=(SignInForm("api_token", by_api_token, lambda identity, secret: (secret,), "api_token",
                        needs_identity=False),),
    webhook_payload=webhooks.webhook_payload)
