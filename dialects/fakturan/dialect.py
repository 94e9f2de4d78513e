"""The registration of this dialect: what the gateway asks of it. Only the composition root imports this
module, so importing any other module of the dialect loads just what that module needs."""
from dialects.fakturan.errors import error_response
from dialects.fakturan.routes import PREFIX, routes
from dialects.kit.dialect import Dialect

DIALECT = Dialect(name="fakturan", routes=routes, owns=lambda path: path == PREFIX or path.startswith(PREFIX + "/"),
                  error_response=error_response)
