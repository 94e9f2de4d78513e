"""r=login: checks the credentials and names the account (cid >= 1) and the user (uid >= 0)."""
from __future__ import annotations

from typing import Any

from dialects.invo.resources.base import Call


async def check(call: Call) -> dict[str, Any]:
    return {"cid": call.account_id, "uid": call.auth.uid}


ACTIONS = {"check": check}
