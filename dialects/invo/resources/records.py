"""Listing, adding, editing and deleting the simple records (customers, products) that share one shape."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from sqlmodel import Session, SQLModel

from core.commands import CreateRecord, DeleteRecord, UpdateRecord
from core.handlers.records import get_record
from core.queries import Page, RecordFilter, count_records, list_records
from dialects.invo.errors import InvoError, invalid
from dialects.invo.fields import convert
from dialects.invo.lookups import Dictionaries, load_dictionaries
from dialects.invo.parse import as_flag, as_id, as_str
from dialects.invo.resources.base import Call, listing, order_of, page_of
from dialects.kit.fields import FieldTable
from dialects.kit.unchanged import changes


@dataclass(frozen=True)
class Kind:
    entity: str  # core record entity
    model: type[SQLModel]
    fields: FieldTable
    search: tuple[str, ...]
    present: Callable[[Any, Dictionaries], dict[str, Any]]
    to_core: Callable[[Mapping[str, Any], Dictionaries], dict[str, Any]]


def _filter(kind: Kind, q: Mapping[str, Any]) -> RecordFilter:
    """name with % wildcards (icase 1: any case), search across several columns, any other field equal."""
    equals: dict[str, Any] = {}
    like: dict[str, str] = {}
    like_case: dict[str, str] = {}
    icase = as_flag(q["icase"], "icase") if "icase" in q else False
    for field in kind.fields:
        name, column = field.wire, field.core
        if name not in q or name in ("brutto",):
            continue
        if field.kind == "str":
            pattern = as_str(q[name], name)
            (like_case if not icase and name == "name" else like)[column] = pattern
        else:
            equals[column] = convert(q[name], field.kind, name)
    if "id" in q:
        equals["id"] = as_id(q["id"])
    search = (kind.search, as_str(q["search"], "search")) if q.get("search") else None
    return RecordFilter(equals=equals, like=like, like_case=like_case, search=search)


def _list(session: Session, kind: Kind, account_id: int, f: RecordFilter,
          page: Page, order: list[tuple[str, bool]]) -> tuple[list[Any], int, Dictionaries]:
    return (list_records(session, kind.model, account_id, f, page, order),
            count_records(session, kind.model, account_id, f), load_dictionaries(session, account_id))


async def list_records_call(call: Call, kind: Kind) -> dict[str, Any]:
    f = _filter(kind, call.q)
    sort = kind.fields.wire_to_core() | {"id": "id"}
    rows, total, dicts = await call.read(_list, kind, call.account_id, f, page_of(call.q), order_of(call.q, sort))
    if "id" in call.q and not rows:
        raise InvoError(6)
    return listing([kind.present(r, dicts) for r in rows], total)


async def add_record(call: Call, kind: Kind) -> dict[str, Any]:
    call.new_record()
    dicts = await call.read(load_dictionaries, call.account_id)
    record = await call.execute(CreateRecord(kind.entity, call.account_id, kind.to_core(call.q, dicts)))
    return {"id": record.id}


async def edit_record(call: Call, kind: Kind) -> dict[str, Any]:
    record_id = call.record_id()
    dicts = await call.read(load_dictionaries, call.account_id)
    current = await call.read(get_record, kind.entity, call.account_id, record_id)
    fields = kind.to_core(changes(call.q, kind.present(current, dicts), keep=("id", "action")), dicts)
    if "extra" in fields:
        fields["extra"] = {**(current.extra or {}), **fields["extra"]}
    record = await call.execute(UpdateRecord(kind.entity, call.account_id, record_id, fields))
    return {"id": record.id}


async def delete_record(call: Call, kind: Kind) -> dict[str, Any]:
    record_id = call.record_id()
    await call.execute(DeleteRecord(kind.entity, call.account_id, record_id))
    return {"id": record_id}


def refused(key: str, exc: Exception) -> None:
    """A field table's parser refused a value (INVO's readers answer code 8 themselves; this is the rest)."""
    raise invalid(key, "is invalid")


def group_of(q: Mapping[str, Any], dicts: Dictionaries, kind: str) -> int | None:
    """group is a dictionary ID (groupcu; product groups are categories, product_groups.py); 0 or null clears it."""
    if q["group"] in (0, "0", None, ""):
        return None
    return dicts.get(kind, q["group"], "group").id



def crud_actions(kind: Kind) -> dict[str, Callable[[Call], Any]]:
    """list/add/edit/delete for a catalogue resource (customers, products): one shape, one place."""
    async def list_(call: Call) -> dict[str, Any]:
        return await list_records_call(call, kind)

    async def add(call: Call) -> dict[str, Any]:
        return await add_record(call, kind)

    async def edit(call: Call) -> dict[str, Any]:
        return await edit_record(call, kind)

    async def delete(call: Call) -> dict[str, Any]:
        return await delete_record(call, kind)

    return {"list": list_, "add": add, "edit": edit, "delete": delete}
