"""r=dictionaries: the account's tax rates, bank accounts, employees, groups, payment types and
units as {"count":N,"rows":[{"c1":ID,"c2":0,"c3":...}]}, and exchange rates ("currencies").
Entries can be added, edited and deleted; c3, c4, ... (or the data key names) carry the values."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy import select
from sqlmodel import Session, col

from core.commands import CreateRecord, DeleteRecord, UpdateRecord
from core.handlers.records import get_record
from core.models import DictionaryEntry, ExchangeRate
from core.tax import parse_tax
from dialects.invo.errors import InvoError, invalid
from dialects.invo.fields import DICTIONARY_COLUMNS
from dialects.invo.lookups import load_dictionaries
from dialects.invo.parse import as_decimal, as_int, as_range, as_str
from dialects.invo.resources import product_groups
from dialects.invo.resources.base import Call, page_of
from dialects.kit.unchanged import changes

NUMERIC_KEYS = frozenset({"rate", "days", "cash_percent", "transfer", "card", "precision"})
CURRENCY_SORT = ("date", "date asc", "date desc")


def what_of(q: Mapping[str, Any], *, with_currencies: bool) -> str:
    what = q.get("what")
    if not isinstance(what, str) or (what not in DICTIONARY_COLUMNS and not (with_currencies and what == "currencies")):
        raise InvoError(4)
    return what


def row_of(entry: DictionaryEntry) -> dict[str, Any]:
    row: dict[str, Any] = {"c1": entry.id, "c2": 0}
    for i, key in enumerate(DICTIONARY_COLUMNS[entry.kind], start=3):
        value = entry.data.get(key, "")
        row[f"c{i}"] = Decimal(str(value)) if key == "rate" and value != "" else value
    return row


def data_of(what: str, q: Mapping[str, Any], current: Mapping[str, Any] | None) -> dict[str, Any]:
    data = dict(current or {})
    for i, key in enumerate(DICTIONARY_COLUMNS[what], start=3):
        for name in (f"c{i}", key):
            if name in q:
                data[key] = _value(key, q[name], name)
    if what == "taxrates":
        try:
            rate = parse_tax(str(data.get("symbol", "")))
        except ValueError:
            raise invalid("c4", "is not a tax rate symbol such as 23% or zw") from None
        if not {"c5", "rate"} & q.keys():
            data["rate"] = format(rate.rate.quantize(Decimal("0.0001")), "f")
    if not str(data.get("name", data.get("bank_name", data.get("first_name", "")))).strip():
        raise invalid("c3", "can't be blank")
    return data


def _value(key: str, raw: Any, field: str) -> Any:
    if key == "rate":
        return format(as_decimal(raw, field), "f")
    if key in NUMERIC_KEYS:
        return as_int(raw, field)
    return as_str(raw, field)


def _entries(session: Session, account_id: int, what: str) -> list[DictionaryEntry]:
    return load_dictionaries(session, account_id).of(what)


async def list_(call: Call) -> dict[str, Any]:
    what = what_of(call.q, with_currencies=True)
    if what == product_groups.WHAT:
        return await product_groups.list_(call)
    if what == "currencies":
        return await call.read(currency_rows, call.account_id, call.q)
    entries = await call.read(_entries, call.account_id, what)
    page = page_of(call.q)
    rows = [row_of(e) for e in entries][page.offset:page.offset + page.per_page]
    return {"count": len(rows), "rows": rows}


def currency_rows(session: Session, account_id: int, q: Mapping[str, Any]) -> dict[str, Any]:
    """One row per day: c1 the date, then one column per requested currency (null where none was published)."""
    stmt = select(ExchangeRate).where(col(ExchangeRate.account_id) == account_id)
    if "date" in q:
        start, end = as_range(q["date"], "date")
        stmt = stmt.where(col(ExchangeRate.day) >= start) if start else stmt
        stmt = stmt.where(col(ExchangeRate.day) <= end) if end else stmt
    by_day: dict[date, dict[str, Decimal]] = defaultdict(dict)
    for rate in session.execute(stmt).scalars():
        by_day[rate.day][rate.currency.upper()] = rate.rate
    raw_columns = q.get("columns") or "date," + ",".join(
        f"curr_{c.lower()}" for c in sorted({c for day in by_day.values() for c in day}))
    columns = [c.strip() for c in as_str(raw_columns, "columns").split(",") if c.strip()]
    for column in columns:
        if column != "date" and not (column.startswith("curr_") and len(column) == 8):
            raise invalid("columns", f"unknown column {column!r}; use date and curr_xxx")
    sortby = " ".join(as_str(q.get("sortby", "date desc"), "sortby").split()).lower()
    if sortby not in CURRENCY_SORT:
        raise invalid("sortby", "must be date, date asc or date desc")
    days = sorted(by_day, reverse=sortby == "date desc")
    page = page_of(q)
    rows = []
    for day in days[page.offset:page.offset + page.per_page]:
        row: dict[str, Any] = {}
        for i, column in enumerate(columns, start=1):
            row[f"c{i}"] = day.isoformat() if column == "date" else by_day[day].get(column[5:].upper())
        rows.append(row)
    return {"count": len(rows), "rows": rows}


async def add(call: Call) -> dict[str, Any]:
    what = what_of(call.q, with_currencies=False)
    if what == product_groups.WHAT:
        return await product_groups.add(call)
    call.new_record()
    entries = await call.read(_entries, call.account_id, what)
    data = data_of(what, call.q, None)
    entry = await call.execute(CreateRecord("dictionary", call.account_id, {
        "kind": what, "position": max((e.position for e in entries), default=-1) + 1, "data": data}))
    return {"id": entry.id}


async def _entry(call: Call, what: str) -> DictionaryEntry:
    entry_id = call.record_id()
    entry: DictionaryEntry = await call.read(get_record, "dictionary", call.account_id, entry_id)
    if entry.kind != what:
        raise InvoError(6)
    return entry


async def edit(call: Call) -> dict[str, Any]:
    what = what_of(call.q, with_currencies=False)
    if what == product_groups.WHAT:
        return await product_groups.edit(call)
    entry = await _entry(call, what)
    data = data_of(what, changes(call.q, row_of(entry), keep=("id", "action", "what")), entry.data)
    await call.execute(UpdateRecord("dictionary", call.account_id, entry.id or 0, {"data": data}))
    return {"id": entry.id}


async def delete(call: Call) -> dict[str, Any]:
    what = what_of(call.q, with_currencies=False)
    if what == product_groups.WHAT:
        return await product_groups.delete(call)
    entry = await _entry(call, what)
    await call.execute(DeleteRecord("dictionary", call.account_id, entry.id or 0))
    return {"id": entry.id}


ACTIONS = {"list": list_, "add": add, "edit": edit, "delete": delete}
