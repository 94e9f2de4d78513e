"""r=invoices: list, add, edit, status, delete, default."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

from orjson import Fragment

from core.commands import CancelInvoice, ChangeInvoiceStatus, CreateInvoice, DeleteInvoice, LineSpec, UpdateInvoice
from core.errors import NotFound
from core.handlers.invoice_state import InvoiceView
from core.invoice_reads import invoice_view
from core.models import Client, Department
from core.queries import InvoiceFilter, Page, page_with_total
from core.reader import Reader
from dialects.invo.errors import InvoError, invalid
from dialects.invo.fields import INVOICE_SORT, STATUS_FROM_CORE, STATUS_TO_CORE, TYPE2
from dialects.invo.invoice_input import (
    InvoiceInput,
    cost_party_fields,
    header,
    require_items_list,
    supplier_snapshot,
    type2_code,
)
from dialects.invo.lookups import DICTIONARIES_VERSION, ITEM_KINDS, Dictionaries, read_dictionaries
from dialects.invo.parse import as_flag, as_id, as_int, as_range, as_str
from dialects.invo.present import invoice_row, items_of
from dialects.invo.resources.base import Call, listing, order_of, page_of
from dialects.invo.resources.defaults import default_values
from dialects.kit.auth import AccountContext
from dialects.kit.context import execute_signed
from dialects.kit.http import dumps_numbers
from dialects.kit.kept import KeptOne, KeptPage, made, read_one, read_page
from dialects.kit.unchanged import changes

ORIGIN = "invo"
ROW_KEY = "invo.invoice_row"  # what a list keeps an invoice's row under (invoice_row(view, json=True))


def summary(view: InvoiceView) -> dict[str, Any]:
    """What add and edit answer: the ID and what the gateway decided (number, totals, status)."""
    inv = view.invoice
    return {"id": inv.id, "nrdoc": inv.number, "nrx": inv.seq or 0, "vnetto": inv.price_net,
            "vbrutto": inv.price_gross, "status": STATUS_FROM_CORE.get(inv.status, 4)}


def invoice_filter(q: Mapping[str, Any]) -> InvoiceFilter:
    values: dict[str, Any] = {}
    if "id" in q:
        values["ids"] = (as_id(q["id"]),)
    if "type2" in q:
        values["kinds"] = (TYPE2[type2_code(q["type2"])],)
    if "buy" in q:
        values["income"] = not as_flag(q["buy"], "buy")
    for name, column in (("mdate", "issue_date"), ("sdate", "sell_date"), ("tdate", "payment_to")):
        if name in q:
            values["date_from"], values["date_to"] = as_range(q[name], name)
            values["date_field"] = column
            break
    if "nrdoc" in q:
        values["number"] = as_str(q["nrdoc"], "nrdoc")
    if "nrx" in q:
        values["seq"] = as_int(q["nrx"], "nrx")
    for name in ("c1id", "include_customer"):
        if name in q:
            values["client_id"] = as_id(q[name], name)
    if "include_product" in q:
        values["product_id"] = as_id(q["include_product"], "include_product")
    if "status" in q:
        code = as_int(q["status"], "status")
        if code not in STATUS_TO_CORE:
            raise invalid("status", "must be 0 to 5")
        values["status"] = tuple(s for s, c in STATUS_FROM_CORE.items() if c == code)
    if q.get("search"):
        values["search"] = as_str(q["search"], "search")
    return InvoiceFilter(**values)


def _one_id(f: InvoiceFilter, page: Page) -> int | None:
    """The invoice id when the filter is one id and nothing else, on the first page."""
    if f == InvoiceFilter(ids=f.ids) and f.ids is not None and len(f.ids) == 1 and page.page == 1:
        return f.ids[0]
    return None


def _list(reader: Reader, account_id: int, f: InvoiceFilter, page: Page, order: list[tuple[str, bool]],
          with_lines: bool) -> tuple[list[InvoiceView], int, Dictionaries | None]:
    """The page, its total, and (for items) the dictionaries, in one read transaction."""
    dictionaries = read_dictionaries(reader, account_id, ITEM_KINDS) if with_lines else None
    views, total = page_with_total(reader, account_id, f, page, order, with_lines=with_lines)
    return views, total, dictionaries


def _kept_page(reader: Reader, account_id: int, f: InvoiceFilter, page: Page, order: list[tuple[str, bool]]
               ) -> KeptPage:
    """A page whose invoices' rows are kept at their version (dialects.kit.kept): invoice_row reads nothing but
    the invoice's own row, so the key is the presenter's alone."""
    return read_page(reader, ROW_KEY, account_id, f, page, order)


def _row(view: InvoiceView) -> dict[str, Any]:
    return invoice_row(view, json=True)


def _kept_one(reader: Reader, account_id: int, invoice_id: int, with_items: bool, bef: bool | None
              ) -> tuple[Dictionaries | None, KeptOne[InvoiceView]] | None:
    """The invoice's row as it was written, or its view and (for items) the dictionaries; None when the account
    has no such invoice. Items show the tax and unit dictionaries, so their version (read in the statement of
    the invoice's key) is part of the key."""
    try:
        if not with_items:
            return None, read_one(reader, (ROW_KEY, False, None, bef), account_id, invoice_id,
                                  lambda: invoice_view(reader, account_id, invoice_id))
        kept = read_one(reader, lambda version: (ROW_KEY, True, version or 0, bef), account_id, invoice_id,
                        lambda: invoice_view(reader, account_id, invoice_id), along=DICTIONARIES_VERSION)
    except NotFound:
        return None
    return (None if kept.found is not None else read_dictionaries(reader, account_id, ITEM_KINDS)), kept


async def _one(call: Call, invoice_id: int, with_items: bool, bef: bool | None) -> dict[str, Any]:
    found = await call.read_signed(_kept_one, invoice_id, with_items, bef, point=True)
    if found is None:
        raise InvoError(6)
    dictionaries, kept = found
    if kept.found is not None:
        return listing([Fragment(kept.found)], 1)
    assert kept.read is not None
    row = invoice_row(kept.read, json=True)
    if dictionaries is not None:
        row["items"] = items_of(kept.read, dictionaries, bef, json=True)
    return listing([Fragment(kept.keep(dumps_numbers(row)))], 1)


# A `list` that names one id and nothing else that filters or pages: how INVO reads an invoice (below).
_ONE_INVOICE_KEYS = frozenset({"action", "id", "items", "bef"})


async def list_(call: Call) -> dict[str, Any]:
    q = call.q
    if "id" in q and q.keys() <= _ONE_INVOICE_KEYS:
        # The read of one invoice, judged in the order the general path below judges it (id, items, bef), without
        # the filter and page made only for _one_id to find this: 12-20 µs of an INVO get's ~150 in process.
        one_id = as_id(q["id"])
        with_items = "items" in q and as_flag(q["items"], "items")
        return await _one(call, one_id, with_items, as_flag(q["bef"], "bef") if "bef" in q else None)
    f = invoice_filter(q)
    with_items = "items" in q and as_flag(q["items"], "items")
    if with_items and f.ids is None:
        raise InvoError(6, "incorrect ID: items are listed only for one invoice, give its id")
    bef = as_flag(q["bef"], "bef") if "bef" in q else None
    page = page_of(q)
    if (invoice_id := _one_id(f, page)) is not None:
        # `list` with one id is how INVO reads an invoice: a point read, not a filtered page
        return await _one(call, invoice_id, with_items, bef)
    if not with_items:  # a page of rows: each unchanged invoice as it was written
        kept = await call.read_signed(_kept_page, f, page, order_of(q, INVOICE_SORT))
        if f.ids is not None and not kept.keys:
            raise InvoError(6)
        return listing(made(kept, _row, dumps_numbers), kept.counted)
    views, total, dicts = await call.read_signed(_list, f, page, order_of(q, INVOICE_SORT), with_items)
    if f.ids is not None and not views:
        raise InvoError(6)
    rows = []
    for view in views:
        row = invoice_row(view, json=True)
        if dicts is not None:
            row["items"] = items_of(view, dicts, bef, json=True)
        rows.append(row)
    return listing(rows, total)


def _party_sources(reader: Reader, account_id: int, client_ids: tuple[int | None, ...]
                   ) -> tuple[list[Client | None], Department | None]:
    """The clients named (None where there is no such client of the account) and the main department,
    as read-only records."""
    clients: list[Client | None] = []
    for client_id in client_ids:
        try:
            clients.append(reader.owned(Client, account_id, client_id, "client") if client_id else None)
        except NotFound:
            clients.append(None)
    departments = reader.records(Department, "departments.account_id = ?", (account_id,),
                                 "departments.main DESC, departments.id")  # the main one, else the first
    return clients, (departments[0] if departments else None)


def _party_ids(data: InvoiceInput, income: bool, current: InvoiceView | None) -> tuple[int | None, int | None] | None:
    """The clients a document's header fields read (the recipient, c2id, and on a cost invoice the supplier,
    c1id), or None when it reads none. A new cost invoice reads the main department (its seller) even without a
    supplier; an income invoice without a recipient, the usual create, needs no read at all."""
    client_ids = (data.recipient_id, None if income else data.supplier_id)
    return client_ids if any(client_ids) or (not income and current is None) else None


async def _fields(call: Call, data: InvoiceInput, income: bool, current: InvoiceView | None) -> dict[str, Any]:
    """Header fields with the recipient (c2id) and, on cost invoices, the supplier resolved."""
    client_ids = _party_ids(data, income, current)
    sources = (await call.read_plain(_party_sources, call.account_id, client_ids, point=True)
               if client_ids is not None else None)
    return _party_fields(call.q, data, income, current, sources)


def _party_fields(q: Mapping[str, Any], data: InvoiceInput, income: bool, current: InvoiceView | None,
                  sources: tuple[list[Client | None], Department | None] | None) -> dict[str, Any]:
    """The header fields, the parties read (_party_sources, or None where _party_ids named none) in."""
    fields = dict(data.fields)
    parties, department = sources if sources is not None else ([None, None], None)
    recipient, supplier = parties
    if data.recipient_id:
        if recipient is None:
            raise invalid("c2id", "no such customer")
        snapshot = {"name": recipient.name, "street": recipient.street, "code": recipient.post_code,
                    "city": recipient.city, "taxid": recipient.tax_no, "tueid": recipient.vat_eu,
                    "traid": recipient.register_number, "krsid": recipient.krs}
        fields["recipient_id"] = recipient.id
        fields["recipient"] = {**snapshot, **fields.get("recipient", {})}
    if "recipient" in fields and current is not None:
        fields["recipient"] = {**(current.invoice.recipient or {}), **fields["recipient"]}
    if data.extra:
        fields["extra"] = {**((current.invoice.extra or {}) if current else {}), **data.extra}
    if not income:
        moved = cost_party_fields(fields)
        if data.supplier_id:
            if supplier is None:
                raise invalid("c1id", "no such customer")
            fields.update(supplier_snapshot(supplier, department, q))
            fields["client_id"] = supplier.id
        elif current is None:
            fields.update({k: v for k, v in supplier_snapshot(Client(account_id=0), department, q).items()
                           if k.startswith("buyer_")})
        fields.update(moved)
    return fields


async def add(call: Call) -> dict[str, Any]:
    # The caller is signed in (routes.SIGNED_WRITES), the dictionaries and parties read and the header judged in
    # the write's own job where the ledger has a writer thread (dialects.kit.context.execute_signed).
    call.new_record()
    require_items_list(call.q)
    q = call.q

    def command_for(account: AccountContext, reader: Reader | None) -> CreateInvoice:
        assert reader is not None, "execute_signed(reads=True) hands build a reader"
        data = header(q, read_dictionaries(reader, account.account_id))
        income = data.fields.get("income", True)
        client_ids = _party_ids(data, income, None)
        sources = _party_sources(reader, account.account_id, client_ids) if client_ids is not None else None
        return CreateInvoice(account.account_id, ORIGIN, fields=_party_fields(q, data, income, None, sources),
                             lines=data.lines or (), seq=data.seq, match_client=income)

    _caller, view = await execute_signed(call.request, CreateInvoice, command_for, reads=True)
    return summary(view)


async def edit(call: Call) -> dict[str, Any]:
    """Only the given fields change, and only where they differ from `list`; "items", when given, are the
    whole item set: listed items (by id) keep what they do not change, the others are removed or added."""
    invoice_id = call.record_id()
    require_items_list(call.q)
    current = await call.read_plain(invoice_view, call.account_id, invoice_id, point=True)
    dicts = await call.read_plain(read_dictionaries, call.account_id, point=True)
    # A correction's items (before and after states) replace its items as given.
    correction = current.invoice.kind == "correction"
    shown = {**invoice_row(current), "items": items_of(current, dicts)}
    call = replace(call, q=changes(call.q, shown, keep=("id", "action"), by_id=() if correction else ("items",)))
    listed = frozenset(line.id or 0 for line in current.lines if line.kind in ("normal", "text", "correction")
                       and line.parent_id is None)
    data = header(call.q, dicts, listed=frozenset() if correction else listed)
    income = data.fields.get("income", current.invoice.income)
    fields = await _fields(call, data, income, current)
    lines = data.lines
    if lines is not None and not correction:
        kept = {spec.id for spec in lines}
        lines = (*lines, *(LineSpec(id=i, destroy=True) for i in sorted(listed - kept)))
    view = await call.execute(UpdateInvoice(call.account_id, invoice_id, fields=fields, lines=lines,
                                            replace_lines=correction and lines is not None, seq=data.seq))
    return summary(view)


async def status(call: Call) -> dict[str, Any]:
    invoice_id = call.record_id()
    if "value" not in call.q:
        raise invalid("value", "must be 0 to 5")
    code = as_int(call.q["value"], "value")
    if code not in STATUS_TO_CORE:
        raise invalid("value", "must be 0 to 5")
    target = STATUS_TO_CORE[code]
    command = CancelInvoice(call.account_id, invoice_id) if target == "cancelled" else ChangeInvoiceStatus(
        call.account_id, invoice_id, target)
    view = await call.execute(command)
    return {"id": view.invoice.id, "status": STATUS_FROM_CORE.get(view.invoice.status, 4)}


async def delete(call: Call) -> dict[str, Any]:
    invoice_id = call.record_id()
    await call.execute(DeleteInvoice(call.account_id, invoice_id))
    return {"id": invoice_id}


async def default(call: Call) -> dict[str, Any]:
    return await call.read(default_values, call.account_id, call.q)


ACTIONS = {"list": list_, "add": add, "edit": edit, "status": status, "delete": delete, "default": default}
