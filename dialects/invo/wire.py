"""INVO's JSON on the wire: amounts are JSON numbers ("currval":4.1783, "c5":0.2300), as in the
seed's samples, written from the Decimal's own digits so no float ever touches them."""
from __future__ import annotations

import re
import secrets
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
from starlette.responses import Response

# A per-process marker no client string can predict; Decimals are written as "<marker>digits"
# by orjson and the quotes are then dropped.
_MARK = "\x1f" + secrets.token_hex(4) + ":"
_MARKED = re.compile(r'"' + re.escape(orjson.dumps(_MARK).decode()[1:-1]) + r'(-?[0-9]+(?:\.[0-9]+)?)"')


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError("not a finite amount")
        return _MARK + format(value, "f")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def render(content: Any) -> bytes:
    raw = orjson.dumps(content, default=_default).decode()
    return _MARKED.sub(r"\1", raw).encode()


class InvoResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return render(content)
