"""INVO: a single POST /api.json with form fields r (resource) and q (JSON)."""
from gateway.dialect import Dialect
from gateway.http import JSONResponse


def _routes():  # type: ignore[no-untyped-def]
    return []


DIALECT = Dialect(name="invo", routes=_routes, owns=lambda path: path == "/api.json",
                  error_response=lambda request, status, kind, message: JSONResponse({"error": 0, "message": message},
                                                                                     status_code=status))
