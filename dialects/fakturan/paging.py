"""List pages: page/per_page (default 30, at most 100) and the paging block with absolute links."""
from __future__ import annotations

import math
from typing import Any, Mapping
from urllib.parse import urlencode

from starlette.requests import Request

from core.queries import Page
from dialects.fakturan.errors import ErrorBag
from dialects.kit.ids import MAX_ID, integer_text

DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100
PAGING_KEYS = ("page", "per_page")


def _positive(value: Any, default: int) -> int:
    number = integer_text(str(value).strip())  # ASCII digits only: int() also reads "٣" and "1_0"
    return number if number is not None and 0 < number <= MAX_ID else default  # past 64 bits: cannot be rendered back


def page_of(params: Mapping[str, Any]) -> Page:
    """Lenient like the real service: a missing or unreadable value falls back to the default."""
    per_page = min(_positive(params.get("per_page"), DEFAULT_PER_PAGE), MAX_PER_PAGE)
    return Page(page=_positive(params.get("page"), 1), per_page=per_page)


def sort_order(bag: ErrorBag, raw: Any, allowed: Mapping[str, str],
               default: tuple[tuple[str, bool], ...] = (("id", False),)) -> list[tuple[str, bool]]:
    """"+number,-name" -> [(core column, descending)]. A "+" that arrives URL-decoded as a space
    still means ascending."""
    if raw is None or not str(raw).strip():
        return list(default)
    order = []
    for part in str(raw).split(","):
        part = part.strip()
        if not part:
            continue
        name = part.lstrip("+-").strip()
        if name not in allowed:
            bag.add("sort", "inclusion", value=name)
            continue
        order.append((allowed[name], part.startswith("-")))
    return order or list(default)


def base_url(request: Request) -> str:
    configured = str(request.app.state.settings.public_base_url or "").rstrip("/")
    return configured or f"{request.url.scheme}://{request.url.netloc}"


def _link(request: Request, params: Mapping[str, Any], page: Page, number: int) -> str:
    # Filters and sort travel along, so following `next` walks the same result set.
    others = {k: v for k, v in params.items() if k not in PAGING_KEYS and isinstance(v, (str, int))
              and not isinstance(v, bool)}
    query = urlencode({"page": number, "per_page": page.per_page, **others})
    return f"{base_url(request)}{request.url.path}?{query}"


def paging_json(request: Request, params: Mapping[str, Any], page: Page, total: int) -> dict[str, Any]:
    total_pages = max(1, math.ceil(total / page.per_page))
    current = page.page
    return {
        "total_pages": total_pages, "current_page": current,
        "next": _link(request, params, page, current + 1) if current < total_pages else None,
        "previous": _link(request, params, page, min(current - 1, total_pages)) if current > 1 else None,
    }


def listing(request: Request, params: Mapping[str, Any], page: Page, total: int,
            items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"data": items, "paging": paging_json(request, params, page, total)}
