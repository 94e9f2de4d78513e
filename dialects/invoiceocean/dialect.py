"""The registration of this dialect: what the gateway asks of it. Only the composition root imports this
module, so importing any other module of the dialect loads just what that module needs."""
from dialects.invoiceocean.routes import error_response, routes
from dialects.kit.dialect import Dialect

DIALECT = Dialect(name="invoiceocean", routes=routes, owns=lambda path: True, error_response=error_response)
