"""INVO's JSON on the wire: amounts are JSON numbers ("currval":4.1783, "c5":0.2300), as in the
seed's samples, written from the Decimal's own digits so no float ever touches them."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
from starlette.responses import Response


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError("not a finite amount")
        # A JSON number written from the Decimal's own digits: orjson copies a Fragment verbatim.
        return orjson.Fragment(format(value, "f"))
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def render(content: Any) -> bytes:
    return orjson.dumps(content, default=_default)


class InvoResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return render(content)
