"""r=items: the items of one invoice (did); on corrections kid links a correcting item to the
corrected one, and bef narrows to corrected (1) or correcting (0) items."""
from __future__ import annotations

from typing import Any

from sqlmodel import Session

from core.handlers.invoice_state import InvoiceView, view_of
from dialects.invo.errors import InvoError
from dialects.invo.lookups import Dictionaries, load_dictionaries
from dialects.invo.parse import as_flag, as_id
from dialects.invo.present import items_of
from dialects.invo.resources.base import Call, listing


def _items(session: Session, account_id: int, invoice_id: int) -> tuple[InvoiceView, Dictionaries]:
    return view_of(session, account_id, invoice_id), load_dictionaries(session, account_id)


async def list_(call: Call) -> dict[str, Any]:
    if "did" not in call.q:
        raise InvoError(6, "incorrect ID: give the invoice as did")
    try:
        invoice_id = as_id(call.q["did"], "did")
    except InvoError:
        raise InvoError(6) from None
    bef = as_flag(call.q["bef"], "bef") if "bef" in call.q else None
    view, dicts = await call.read(_items, call.account_id, invoice_id)
    rows = items_of(view, dicts, bef)
    return listing(rows, len(rows))


ACTIONS = {"list": list_}
