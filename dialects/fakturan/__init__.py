"""fakturan.nu API v2 under /api/v2."""
from gateway.dialect import Dialect
from gateway.http import JSONResponse


def _routes():  # type: ignore[no-untyped-def]
    return []


DIALECT = Dialect(name="fakturan", routes=_routes, owns=lambda path: path.startswith("/api/v2"),
                  error_response=lambda request, status, kind, message: JSONResponse({"error": message},
                                                                                     status_code=status))
