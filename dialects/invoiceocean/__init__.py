"""InvoiceOcean / Fakturownia REST at the root paths."""
from gateway.dialect import Dialect
from gateway.http import JSONResponse


def _routes():  # type: ignore[no-untyped-def]
    return []


DIALECT = Dialect(name="invoiceocean", routes=_routes, owns=lambda path: True,
                  error_response=lambda request, status, kind, message: JSONResponse(
                      {"code": "error", "message": message}, status_code=status))
