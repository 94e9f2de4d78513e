"""r=reports: "in preparation" in the seed, so every report action answers code 10."""
from __future__ import annotations

from typing import Any

from dialects.invo.errors import InvoError
from dialects.invo.resources.base import Call


async def unavailable(call: Call) -> Any:
    """Not available: reports are in preparation in the seed, so this answers code 10."""
    raise InvoError(10, "not available: reports are in preparation")


ACTIONS = {"list": unavailable, "get": unavailable}
