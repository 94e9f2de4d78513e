"""The registration of this dialect: what the gateway asks of it. Only the composition root imports this
module, so importing any other module of the dialect loads just what that module needs."""
from __future__ import annotations

from dialects.fakturan import fields, openapi, translate
from dialects.fakturan.errors import error_response
from dialects.fakturan.routes import PREFIX, routes
from dialects.kit.auth import by_fakturan_key
from dialects.kit.dialect import Dialect, SignInForm

DIALECT = Dialect(
    name="fakturan", label="fakturan.nu", colour="#1d9a6c",
    routes=routes, owns=lambda path: path == PREFIX or path.startswith(PREFIX + "/"), error_response=error_response,
    docs=openapi.docs, openapi=openapi.document, translator=translate.TRANSLATOR,
    sign_in=(SignInForm("fakturan", by_fakturan_key, lambda identity, secret: (identity, secret), "fakturan_key"),),
    fidelity=fields.FIDELITY)
