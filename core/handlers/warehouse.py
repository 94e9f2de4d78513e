"""Warehouse documents (PZ receipt, WZ issue, MM transfer) with their actions, and the issue (or receipt)
document an invoice with a `warehouse_id` makes for its product positions.

Stock moves only through core.stock, in the document's transaction. An invoice's document follows the
invoice: created with it, rebuilt when the invoice is updated (stock moves by the difference), deleted with it
(the stock comes back).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Iterable, Mapping

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from core import stock
from core.clock import now_utc, today_in
from core.commands import CreateWarehouseDocument, DeleteWarehouseDocument, StockActionSpec, UpdateWarehouseDocument
from core.errors import FieldError, Invalid, NotFound
from core.fields import check_fields
from core.handlers.invoice_state import account_of
from core.models import (
    DOCUMENT_KINDS,
    Account,
    Client,
    Department,
    Invoice,
    InvoiceLine,
    Product,
    Warehouse,
    WarehouseAction,
    WarehouseDocument,
)
from core.money import parse_tax, round_money
from core.unit_of_work import UnitOfWork

# Invoice kinds that hand goods over (an income invoice issues them, an expense receives them); proformas,
# estimates, advances, orders, corrections and notes move nothing.
STOCK_KINDS = frozenset({"vat", "bill", "receipt", "final", "vat_mp", "vat_margin", "invoice_other", "wdt",
                         "export_products", "wnt", "import_products"})
# The invoice key that keeps an invoice out of stock counts (as the REST dialect's source API names it).
EXCLUDED = "exclude_from_stock_level"
LABELS = {"pz": "PZ", "wz": "WZ", "mm": "MM"}
LEDGER_ONLY = frozenset({"invoice_id"})


@dataclass(frozen=True)
class DocumentView:
    document: WarehouseDocument
    actions: list[WarehouseAction]
    invoice_ids: list[int]


def load_document(session: Session, account_id: int, document_id: int) -> WarehouseDocument:
    document = session.get(WarehouseDocument, document_id)
    if document is None or document.account_id != account_id:
        raise NotFound("warehouse_document", document_id)
    return document


def _actions(session: Session, document_ids: list[int]) -> dict[int, list[WarehouseAction]]:
    found: dict[int, list[WarehouseAction]] = {i: [] for i in document_ids}
    if document_ids:
        stmt = (select(WarehouseAction).where(col(WarehouseAction.warehouse_document_id).in_(document_ids))
                .order_by(col(WarehouseAction.warehouse_document_id), col(WarehouseAction.position),
                          col(WarehouseAction.id)))
        for action in session.execute(stmt).scalars():
            found[action.warehouse_document_id].append(action)
    return found


def _invoices(session: Session, document_ids: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {i: [] for i in document_ids}
    if document_ids:
        stmt = (select(Invoice.id, Invoice.warehouse_document_id)
                .where(col(Invoice.warehouse_document_id).in_(document_ids)).order_by(col(Invoice.id)))
        for invoice_id, document_id in session.execute(stmt):
            found[document_id].append(invoice_id)
    return found


def views_of(session: Session, documents: list[WarehouseDocument]) -> list[DocumentView]:
    ids = [d.id or 0 for d in documents]
    actions, invoices = _actions(session, ids), _invoices(session, ids)
    return [DocumentView(d, actions[d.id or 0], invoices[d.id or 0]) for d in documents]


def document_view(session: Session, account_id: int, document_id: int) -> DocumentView:
    return views_of(session, [load_document(session, account_id, document_id)])[0]


def list_documents(session: Session, account_id: int, offset: int, limit: int,
                   kind: str | None = None, warehouse_id: int | None = None) -> list[DocumentView]:
    stmt = select(WarehouseDocument).where(WarehouseDocument.account_id == account_id)
    if kind:
        stmt = stmt.where(WarehouseDocument.kind == kind)
    if warehouse_id is not None:
        stmt = stmt.where(WarehouseDocument.warehouse_id == warehouse_id)
    documents = list(session.execute(stmt.order_by(col(WarehouseDocument.id)).offset(offset).limit(limit)).scalars())
    return views_of(session, documents)


# --- writing ---------------------------------------------------------------------------------------

def _named(session: Session, model: Any, account_id: int, record_id: int | None, field: str) -> Any:
    if record_id is None:
        return None
    record = session.get(model, record_id)
    if record is None or record.account_id != account_id:
        raise Invalid.one(field, "not_found", f"no such {model.__name__.lower()}", value=record_id)
    return record


def _number(session: Session, document: WarehouseDocument) -> str:
    """`PZ 3/2026`: the kind's next number in the document's year (null or "" in a request asks for it)."""
    year = document.issue_date.year
    taken = session.execute(select(func.count()).select_from(WarehouseDocument).where(
        WarehouseDocument.account_id == document.account_id, WarehouseDocument.kind == document.kind,
        WarehouseDocument.issue_date >= date(year, 1, 1), WarehouseDocument.issue_date <= date(year, 12, 31),
        col(WarehouseDocument.id) != document.id)).scalar_one()
    return f"{LABELS[document.kind]} {taken + 1}/{year}"


def _prepare(session: Session, account: Account, document: WarehouseDocument, given: Mapping[str, Any]) -> None:
    if document.kind not in DOCUMENT_KINDS:
        raise Invalid.one("kind", "inclusion", f"must be one of {', '.join(DOCUMENT_KINDS)}", value=document.kind)
    _named(session, Warehouse, account.id or 0, document.warehouse_id, "warehouse_id")
    # A named department or client fills the name when it is given without one; a name given stays.
    department = _named(session, Department, account.id or 0, document.department_id, "department_id")
    if department is not None and "department_id" in given and "department_name" not in given:
        document.department_name = department.name
    client = _named(session, Client, account.id or 0, document.client_id, "client_id")
    if client is not None and "client_id" in given and "client_name" not in given:
        document.client_name = client.name


def _product(session: Session, account_id: int, spec: StockActionSpec, path: str,
             made: dict[str, Product]) -> Product:
    """The position's product: by id, else the account's product of that name, else a new one (as the real
    service does for a PZ of goods it has not seen)."""
    if spec.product_id is not None:
        found: Product = _named(session, Product, account_id, spec.product_id, f"{path}.product_id")
        return found
    name = (spec.product_name or "").strip()
    if not name:
        raise Invalid.one(f"{path}.product_id", "blank", "a product_id or a product_name is needed")
    if name in made:
        return made[name]
    existing: Product | None = session.execute(
        select(Product).where(Product.account_id == account_id, Product.name == name)
        .order_by(col(Product.id)).limit(1)).scalars().first()
    if existing is not None:
        made[name] = existing
        return existing
    tax = parse_tax(spec.tax or spec.purchase_tax or "23")
    net = spec.price_net if spec.price_net is not None else spec.purchase_price_net or Decimal("0")
    product = Product(account_id=account_id, name=name, tax=tax.code, price_net=net,
                      price_gross=round_money(net * (1 + tax.rate)))
    session.add(product)
    session.flush()
    made[name] = product
    return product


def _tax(value: str | None, path: str) -> str | None:
    if value is None:
        return None
    try:
        return parse_tax(value).code
    except ValueError:
        raise Invalid.one(path, "invalid", "is not a tax rate", value=value) from None


def _build_actions(session: Session, document: WarehouseDocument, specs: Iterable[StockActionSpec]
                   ) -> list[WarehouseAction]:
    built: list[WarehouseAction] = []
    made: dict[str, Product] = {}
    for i, spec in enumerate(specs):
        path = f"warehouse_actions.{i}"
        quantity = spec.quantity if spec.quantity is not None else Decimal("1")
        if not quantity.is_finite() or quantity <= 0:
            raise Invalid.one(f"{path}.quantity", "invalid", "must be greater than 0", value=str(quantity))
        if document.kind == "mm":
            if spec.warehouse2_id is None:
                raise Invalid.one(f"{path}.warehouse2_id", "blank", "an MM document moves goods to warehouse2_id")
            _named(session, Warehouse, document.account_id, spec.warehouse2_id, f"{path}.warehouse2_id")
            if spec.warehouse2_id == document.warehouse_id:
                raise Invalid.one(f"{path}.warehouse2_id", "invalid", "must differ from warehouse_id")
        product = _product(session, document.account_id, spec, path, made)
        built.append(WarehouseAction(
            account_id=document.account_id, warehouse_document_id=document.id or 0, position=i, kind=document.kind,
            product_id=product.id or 0, product_name=product.name, warehouse_id=document.warehouse_id,
            warehouse2_id=spec.warehouse2_id if document.kind == "mm" else None, quantity=quantity,
            price_net=spec.price_net, tax=_tax(spec.tax, f"{path}.tax"), purchase_price_net=spec.purchase_price_net,
            purchase_tax=_tax(spec.purchase_tax, f"{path}.purchase_tax")))
    return built


def _replace_actions(session: Session, account: Account, document: WarehouseDocument,
                     old: list[WarehouseAction], specs: Iterable[StockActionSpec]) -> list[WarehouseAction]:
    before = stock.effects(old)
    actions = _build_actions(session, document, specs)
    session.execute(delete(WarehouseAction).where(col(WarehouseAction.warehouse_document_id) == document.id))
    session.add_all(actions)
    session.flush()  # core.references checks every id the actions name before any stock moves
    stock.apply(session, account, stock.difference(stock.effects(actions), before))
    return actions


def _moved_actions(session: Session, account: Account, document: WarehouseDocument,
                   old: list[WarehouseAction]) -> list[WarehouseAction]:
    """The document's warehouse changed and its actions did not: the same goods, from the new warehouse."""
    before = stock.effects(old)
    for action in old:
        action.warehouse_id = document.warehouse_id
    session.flush()
    stock.apply(session, account, stock.difference(stock.effects(old), before))
    return old


def _link_invoices(session: Session, document: WarehouseDocument, invoice_ids: Iterable[int]) -> None:
    """The invoices the document covers. The invoice that made the document stays linked to it, and an invoice
    that made another document cannot be linked here: either would leave an invoice's own WZ behind it."""
    wanted = list(dict.fromkeys(invoice_ids))
    for i, invoice_id in enumerate(wanted):
        _named(session, Invoice, document.account_id, invoice_id, f"invoice_ids.{i}")
    owners = set(session.execute(select(WarehouseDocument.invoice_id).where(
        col(WarehouseDocument.invoice_id).in_(wanted), col(WarehouseDocument.id) != document.id)).scalars())
    if owners:
        raise Invalid([FieldError(f"invoice_ids.{i}", "invalid", "the invoice has its own warehouse document")
                       for i, invoice_id in enumerate(wanted) if invoice_id in owners])
    kept = [*wanted, *([document.invoice_id] if document.invoice_id is not None else [])]
    session.execute(update(Invoice).where(col(Invoice.warehouse_document_id) == document.id,
                                          col(Invoice.id).not_in(kept)).values(warehouse_document_id=None))
    if wanted:
        session.execute(update(Invoice).where(col(Invoice.id).in_(wanted),
                                              col(Invoice.account_id) == document.account_id)
                        .values(warehouse_document_id=document.id))


def create_document(cmd: CreateWarehouseDocument, uow: UnitOfWork) -> DocumentView:
    session = uow.session
    account = account_of(session, cmd.account_id)
    given = check_fields(WarehouseDocument, {"issue_date": today_in(account.timezone), **cmd.fields},
                         extra_protected=LEDGER_ONLY)
    document = WarehouseDocument(account_id=cmd.account_id, **given)
    _prepare(session, account, document, cmd.fields)
    session.add(document)
    session.flush()
    if not document.number:
        document.number = _number(session, document)
    _replace_actions(session, account, document, [], cmd.actions)
    if cmd.invoice_ids:
        _link_invoices(session, document, cmd.invoice_ids)
    uow.commit()
    return document_view(session, cmd.account_id, document.id or 0)


def update_document(cmd: UpdateWarehouseDocument, uow: UnitOfWork) -> DocumentView:
    session = uow.session
    account = account_of(session, cmd.account_id)
    document = load_document(session, cmd.account_id, cmd.document_id)
    old = _actions(session, [document.id or 0])[document.id or 0]
    before_kind, before_warehouse = document.kind, document.warehouse_id
    given = check_fields(WarehouseDocument, cmd.fields, extra_protected=LEDGER_ONLY)
    for name, value in given.items():
        setattr(document, name, value)
    _prepare(session, account, document, cmd.fields)
    if "number" in given and not document.number:
        document.number = _number(session, document)
    if cmd.actions is not None:
        _replace_actions(session, account, document, old, cmd.actions)
    elif document.kind != before_kind:
        raise Invalid.one("kind", "invalid", "changing the kind needs the document's warehouse_actions too")
    elif document.warehouse_id != before_warehouse:
        _moved_actions(session, account, document, old)
    if cmd.invoice_ids is not None:
        _link_invoices(session, document, cmd.invoice_ids)
    document.updated_at = now_utc()
    uow.commit()
    return document_view(session, cmd.account_id, document.id or 0)


def _drop(session: Session, account: Account, document: WarehouseDocument) -> None:
    old = _actions(session, [document.id or 0])[document.id or 0]
    stock.apply(session, account, stock.difference({}, stock.effects(old)))
    session.execute(delete(WarehouseAction).where(col(WarehouseAction.warehouse_document_id) == document.id))
    session.execute(update(Invoice).where(col(Invoice.warehouse_document_id) == document.id)
                    .values(warehouse_document_id=None))
    session.delete(document)
    session.flush()


def delete_document(cmd: DeleteWarehouseDocument, uow: UnitOfWork) -> DocumentView:
    session = uow.session
    account = account_of(session, cmd.account_id)
    view = document_view(session, cmd.account_id, cmd.document_id)
    _drop(session, account, view.document)
    uow.commit()
    return view


# --- invoices that move stock ----------------------------------------------------------------------

def _moves_stock(session: Session, invoice: Invoice) -> bool:
    """A new or changed warehouse_id is the account's (core.references); one stored before warehouses existed
    (migration 0008 kept it as a plain number) names none, and such an invoice moves no stock."""
    excluded = str((invoice.extra or {}).get(EXCLUDED, "")).strip().lower() in ("1", "true", "yes", "t", "on")
    if invoice.warehouse_id is None or invoice.kind not in STOCK_KINDS or excluded:
        return False
    warehouse = session.get(Warehouse, invoice.warehouse_id)
    return warehouse is not None and warehouse.account_id == invoice.account_id


def _invoice_specs(lines: Iterable[InvoiceLine]) -> list[StockActionSpec]:
    return [StockActionSpec(product_id=line.product_id, quantity=line.quantity, price_net=line.price_net,
                            tax=line.tax)
            for line in lines if line.product_id is not None and line.kind == "normal" and line.parent_id is None
            and line.quantity > 0]


def sync_invoice(session: Session, invoice: Invoice, lines: list[InvoiceLine]) -> None:
    """The invoice's own warehouse document, as the invoice now is: a WZ (an expense: a PZ) of its product
    positions from `warehouse_id`. Made on create, rebuilt on update; gone when the invoice no longer moves
    stock. A document the invoice was only linked to (PUT /warehouse_documents invoice_ids) is left alone."""
    document = None
    if invoice.warehouse_document_id is not None:
        linked = session.get(WarehouseDocument, invoice.warehouse_document_id)
        if linked is None or linked.invoice_id != invoice.id:
            return
        document = linked
    specs = _invoice_specs(lines) if _moves_stock(session, invoice) else []
    if not specs:  # an invoice that moves no stock costs no statement here (most invoices)
        if document is not None:
            invoice.warehouse_document_id = None
            session.flush()
            _drop(session, account_of(session, invoice.account_id), document)
        return
    account = account_of(session, invoice.account_id)
    kind = "wz" if invoice.income else "pz"
    if document is None:
        document = WarehouseDocument(account_id=invoice.account_id, kind=kind, warehouse_id=invoice.warehouse_id or 0,
                                     issue_date=invoice.sell_date or invoice.issue_date,
                                     department_id=invoice.department_id, department_name=invoice.seller_name,
                                     client_id=invoice.client_id, client_name=invoice.buyer_name,
                                     invoice_id=invoice.id)
        session.add(document)
        session.flush()
        document.number = _number(session, document)
        old: list[WarehouseAction] = []
    else:
        old = _actions(session, [document.id or 0])[document.id or 0]
        document.kind, document.warehouse_id = kind, invoice.warehouse_id or 0
        document.client_id, document.client_name = invoice.client_id, invoice.buyer_name
        document.updated_at = now_utc()
    _replace_actions(session, account, document, old, specs)
    invoice.warehouse_document_id = document.id
    session.flush()


def drop_invoice(session: Session, invoice: Invoice) -> None:
    """Before the invoice is deleted: its own document goes too (the stock comes back); a linked one stays."""
    if invoice.warehouse_document_id is None:
        return
    document = session.get(WarehouseDocument, invoice.warehouse_document_id)
    invoice.warehouse_document_id = None
    session.flush()
    if document is not None and document.invoice_id == invoice.id:
        _drop(session, account_of(session, invoice.account_id), document)


__all__ = ["DocumentView", "create_document", "delete_document", "document_view", "drop_invoice",
           "list_documents", "sync_invoice", "update_document", "views_of"]
