"""r=dictionaries, what=groupgs: INVO's product groups are the account's categories (core Category, the records
InvoiceOcean's /categories.json serves), so a group added here is a category there and a product's `group` is its
category_id. Rows as the seed shows them: {"c1": ID, "c2": 0, "c3": name, "c4": description}."""
from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy import select
from sqlmodel import Session, col

from core.commands import CreateRecord, DeleteRecord, UpdateRecord
from core.handlers.records import get_record
from core.models import Category
from dialects.invo.errors import invalid
from dialects.invo.parse import as_str
from dialects.invo.resources.base import Call, page_of
from dialects.kit.unchanged import changes

WHAT = "groupgs"
COLUMNS = {"c3": "name", "c4": "description"}


def row_of(category: Category) -> dict[str, Any]:
    return {"c1": category.id, "c2": 0, "c3": category.name, "c4": category.description or ""}


def _categories(session: Session, account_id: int) -> list[Category]:
    return list(session.execute(select(Category).where(col(Category.account_id) == account_id)
                                .order_by(col(Category.id))).scalars())


def _fields(q: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for column, name in COLUMNS.items():
        for key in (column, name):
            if key in q:
                fields[name] = as_str(q[key], key)
    if "name" in fields and not fields["name"].strip():
        raise invalid("c3", "can't be blank")
    return fields


async def list_(call: Call) -> dict[str, Any]:
    rows = [row_of(c) for c in await call.read(_categories, call.account_id)]
    page = page_of(call.q)
    rows = rows[page.offset:page.offset + page.per_page]
    return {"count": len(rows), "rows": rows}


async def add(call: Call) -> dict[str, Any]:
    call.new_record()
    fields = _fields(call.q)
    if not fields.get("name", "").strip():
        raise invalid("c3", "can't be blank")
    category = await call.execute(CreateRecord("category", call.account_id, fields))
    return {"id": category.id}


async def edit(call: Call) -> dict[str, Any]:
    category = await call.read(get_record, "category", call.account_id, call.record_id())
    fields = _fields(changes(call.q, row_of(category), keep=("id", "action", "what")))
    await call.execute(UpdateRecord("category", call.account_id, category.id, fields))
    return {"id": category.id}


async def delete(call: Call) -> dict[str, Any]:
    category = await call.read(get_record, "category", call.account_id, call.record_id())
    await call.execute(DeleteRecord("category", call.account_id, category.id))
    return {"id": category.id}


ACTIONS = {"list": list_, "add": add, "edit": edit, "delete": delete}
