"""/bank_accounts: the account's bank accounts with the departments that show them on invoices, answered
in BankAccountSerializer's shape (API_RACHUNKI_BANKOWE.md section 4). DELETE answers an empty 200."""
from __future__ import annotations

from typing import Any, Mapping

from sqlmodel import Session
from starlette.responses import Response

from core.commands import CreateRecord, DeleteRecord, UpdateRecord
from core.errors import Invalid
from core.handlers.banking import department_links
from core.handlers.records import get_record
from core.models import BankAccount
from core.queries import RecordFilter, list_records
from dialects.invoiceocean import present
from dialects.invoiceocean.parse import Errors, record_fields, wrapped
from dialects.invoiceocean.respond import Call, Reply
from dialects.kit.context import execute, read
from dialects.kit.lenient import absent, as_list, to_bool, to_int
from dialects.kit.unchanged import changes

ENTITY, ROOT, PLURAL = "bank_account", "bank_account", "bank_accounts"
LINKS = "bank_account_version_departments"
LINK_FIELDS = {"department_id": to_int, "show_on_invoice": to_bool, "main_on_department": to_bool, "remove": to_bool}
READ_ONLY = frozenset({"bank_account_id", "number_normalized"})


def _with_links(session: Session, account_id: int, rows: list[Any]) -> list[dict[str, Any]]:
    links = department_links(session, account_id, [row.id for row in rows])
    return [present.bank_account(row, links[row.id]) for row in rows]


def _listed(session: Session, account_id: int, call_page: Any) -> list[dict[str, Any]]:
    return _with_links(session, account_id, list_records(session, BankAccount, account_id, RecordFilter(), call_page))


def _one(session: Session, account_id: int, record_id: int) -> dict[str, Any]:
    return _with_links(session, account_id, [get_record(session, ENTITY, account_id, record_id)])[0]


def _links(value: Any) -> tuple[dict[str, Any], ...]:
    try:
        items = as_list(value, "bank_account_version_department")
    except ValueError:
        raise Invalid.one(LINKS, "invalid", "is invalid") from None
    errors, result = Errors(), []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise Invalid.one(LINKS, "invalid", "is invalid")
        result.append({key: errors.read(f"{LINKS}.{i}.{key}", LINK_FIELDS[key], value) for key, value in item.items()
                       if key in LINK_FIELDS and not absent(value)})
    errors.check()
    return tuple(result)


def _input(data: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[dict[str, Any], ...] | None]:
    fields = record_fields(ENTITY, BankAccount, {k: v for k, v in data.items() if k not in READ_ONLY and k != LINKS},
                           keep_extra=False)
    return fields, (_links(data[LINKS]) if LINKS in data and not absent(data[LINKS]) else None)


async def list_bank_accounts(call: Call) -> Reply:
    return Reply(200, await read(call.request, _listed, call.account.account_id, call.page()), PLURAL)


async def get_bank_account(call: Call) -> Reply:
    return Reply(200, await read(call.request, _one, call.account.account_id, call.params["id"]), ROOT)


async def create_bank_account(call: Call) -> Reply:
    fields, links = _input(wrapped(call.payload, ROOT))
    row = await execute(call.request, CreateRecord(ENTITY, call.account.account_id, fields, links))
    return Reply(201, await read(call.request, _one, call.account.account_id, row.id), ROOT)


async def update_bank_account(call: Call) -> Reply:
    account_id, record_id = call.account.account_id, call.params["id"]
    shown = await read(call.request, _one, account_id, record_id)
    # Links are merged by department (each item adds, changes or removes one), so an unchanged list is no input.
    fields, links = _input(changes(wrapped(call.payload, ROOT), shown))
    await execute(call.request, UpdateRecord(ENTITY, account_id, record_id, fields, links))
    return Reply(200, await read(call.request, _one, account_id, record_id), ROOT)


async def delete_bank_account(call: Call) -> Reply:
    await execute(call.request, DeleteRecord(ENTITY, call.account.account_id, call.params["id"]))
    return Reply(200, Response(b"", status_code=200), ROOT)  # "Pusty body z kodem HTTP 200"
