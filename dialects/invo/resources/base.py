"""What every resource handler receives, and the listing options all lists share."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Awaitable, Callable, Mapping, Sequence, TypeVar

from starlette.requests import Request

from core.queries import Page
from dialects.invo.errors import InvoError, invalid
from dialects.invo.parse import as_id, as_int
from dialects.kit import context
from dialects.kit.auth import AccountContext

T = TypeVar("T")
DEFAULT_ROWS = 100  # a list without limit/cpp answers at most this many rows
MAX_ROWS = 1000


@dataclass(frozen=True)
class Call:
    request: Request
    auth: AccountContext
    q: Mapping[str, Any]

    @property
    def account_id(self) -> int:
        return self.auth.account_id

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        return await context.read(self.request, fn, *args)

    async def read_plain(self, fn: Callable[..., T], *args: Any, point: bool = False) -> T:
        return await context.read_plain(self.request, fn, *args, point=point)

    async def read_signed(self, fn: Callable[..., T], *args: Any, point: bool = False) -> T:
        """fn(reader, account_id, ...) in the read that signs the caller in (dialects.kit.context.read_signed)."""
        return (await context.read_signed(self.request, _by_account_id, fn, *args, point=point))[1]

    async def signed(self, fn: Callable[..., T], *args: Any, point: bool = False) -> tuple["Call", T]:
        """read_signed for a handler that goes on to use the caller: this call with the caller signed in,
        and fn(reader, account_id, ...) from the same read."""
        account, found = await context.read_signed(self.request, _by_account_id, fn, *args, point=point)
        return replace(self, auth=account), found

    async def execute(self, command: Any) -> Any:
        return await context.execute(self.request, command)

    def record_id(self) -> int:
        """The ID edit, delete and status need; a missing or bad one is "incorrect ID"."""
        if "id" not in self.q:
            raise InvoError(6)
        try:
            return as_id(self.q["id"])
        except InvoError:
            raise InvoError(6) from None

    def new_record(self) -> None:
        """add: "ID should be omitted or set to 0"."""
        if self.q.get("id") not in (None, 0, "0", ""):
            raise invalid("id", "must be omitted or 0 when adding")


Handler = Callable[[Call], Awaitable[Any]]


def _by_account_id(reader: Any, account: AccountContext, fn: Callable[..., T], *args: Any) -> T:
    return fn(reader, account.account_id, *args)


def page_of(q: Mapping[str, Any]) -> Page:
    """page+cpp pages (page 3, cpp 10 -> rows 21-30); limit caps rows without paging."""
    if "page" in q or "cpp" in q:
        cpp = as_int(q.get("cpp", DEFAULT_ROWS), "cpp")
        page = as_int(q.get("page", 1), "page")
        if not 1 <= cpp <= MAX_ROWS:
            raise invalid("cpp", f"must be 1 to {MAX_ROWS}")
        if page < 1:
            raise invalid("page", "must be 1 or more")
        return Page(page, cpp)
    limit = as_int(q.get("limit", DEFAULT_ROWS), "limit")
    if not 1 <= limit <= MAX_ROWS:
        raise invalid("limit", f"must be 1 to {MAX_ROWS}")
    return Page(1, limit)


def order_of(q: Mapping[str, Any], columns: Mapping[str, str]) -> list[tuple[str, bool]]:
    """sortby "mdate desc" or "nrdoc, mdate desc" -> [(core column, descending)]."""
    raw = q.get("sortby")
    if raw in (None, ""):
        return [("id", False)]
    if not isinstance(raw, str):
        raise invalid("sortby", "must be a column name, optionally followed by desc")
    order: list[tuple[str, bool]] = []
    for part in raw.split(","):
        words = part.split()
        if not words or len(words) > 2 or words[0] not in columns or (
                len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise invalid("sortby", f"cannot sort by {part.strip()!r}; columns: {', '.join(sorted(columns))}")
        order.append((columns[words[0]], len(words) == 2 and words[1].lower() == "desc"))
    return order


def listing(rows: Sequence[Any], total: int) -> dict[str, Any]:
    """The seed's list shape {"count":N,"rows":[...]}; count is the rows in this answer, total all matches."""
    return {"count": len(rows), "total": total, "rows": rows}
