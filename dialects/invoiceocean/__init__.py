"""InvoiceOcean / Fakturownia REST at the root paths, in JSON and XML (README: InvoiceOcean dialect)."""
from dialects.invoiceocean.routes import error_response, routes
from gateway.dialect import Dialect

DIALECT = Dialect(name="invoiceocean", routes=routes, owns=lambda path: True, error_response=error_response)
