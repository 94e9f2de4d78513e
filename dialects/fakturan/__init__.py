"""fakturan.nu API v2 under /api/v2 (see README.md in this folder)."""
from dialects.fakturan.errors import error_response
from dialects.fakturan.routes import PREFIX, routes
from gateway.dialect import Dialect

DIALECT = Dialect(name="fakturan", routes=routes, owns=lambda path: path == PREFIX or path.startswith(PREFIX + "/"),
                  error_response=error_response)
