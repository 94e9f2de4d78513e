"""The registry: r= resource -> {action: handler}. One module per resource."""
from __future__ import annotations

from typing import Mapping

from dialects.invo.resources import (
                                     bookkeeping,
                                     customers,
                                     dictionaries,
                                     files,
                                     invoices,
                                     items,
                                     login,
                                     products,
                                     reports,
)
from dialects.invo.resources.base import Call, Handler

REGISTRY: dict[str, Mapping[str, Handler]] = {
    "login": login.ACTIONS,
    "invoices": invoices.ACTIONS,
    "items": items.ACTIONS,
    "customers": customers.ACTIONS,
    "products": products.ACTIONS,
    "dictionaries": dictionaries.ACTIONS,
    "files": files.ACTIONS,
    "bookkeeping": bookkeeping.ACTIONS,
    "reports": reports.ACTIONS,
}
# The action a q without "action" means: login has only one; everything else must say.
IMPLIED_ACTION: dict[str, str] = {"login": "check"}

__all__ = ["REGISTRY", "IMPLIED_ACTION", "Call", "Handler"]
