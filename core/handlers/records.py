"""Create, update and delete for the simple aggregates: clients, products, departments,
price lists (with their items), recurring definitions and dictionary entries."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from sqlalchemy import delete, func
from sqlmodel import Session, SQLModel, col, select

from core.clock import now_utc
from core.commands import CreateRecord, DeleteRecord, UpdateRecord
from core.errors import Conflict, Invalid, NotFound
from core.fields import check_fields
from core.handlers import banking
from core.handlers.invoice_state import account_of
from core.handlers.parties import prepare_client
from core.models import (
    DICTIONARY_KINDS,
    Account,
    BankAccount,
    Category,
    Client,
    Department,
    DictionaryEntry,
    Invoice,
    InvoiceLine,
    Issuer,
    PriceList,
    PriceListItem,
    Product,
    Recurring,
    RecurringRun,
    Stock,
    Warehouse,
    WarehouseDocument,
)
from core.money import parse_tax, round_money
from core.recurring_schedule import check_month_end, last_of_month, parse_every
from core.unit_of_work import UnitOfWork

Hook = Callable[[Session, Account, Any, Mapping[str, Any]], None]
ChildWriter = Callable[[Session, Any, tuple[Mapping[str, Any], ...]], None]


def _prepare_product(session: Session, account: Account, product: Product, given: Mapping[str, Any]) -> None:
    """Net and gross follow each other through the tax; a given gross wins, as the REST dialect documents."""
    try:
        tax = parse_tax(product.tax)
    except ValueError:
        raise Invalid.one("tax", "invalid", "is not a tax rate", value=product.tax) from None
    product.tax = tax.code
    if not product.name:
        raise Invalid.one("name", "blank", "can't be blank")
    if "price_gross" in given:
        product.price_net = round_money(product.price_gross / (1 + tax.rate))
    elif "price_net" in given or "tax" in given or not product.price_gross:
        product.price_gross = round_money(product.price_net * (1 + tax.rate))


def _prepare_client(session: Session, account: Account, client: Client, given: Mapping[str, Any]) -> None:
    prepare_client(session, account, client)


def _prepare_department(session: Session, account: Account, department: Department, given: Mapping[str, Any]) -> None:
    if not department.name:
        raise Invalid.one("name", "blank", "can't be blank")
    has_main = session.execute(select(func.count()).select_from(Department).where(
        Department.account_id == account.id, Department.main.is_(True))).scalar_one()  # type: ignore[attr-defined]
    if not has_main:
        department.main = True


def prepare_recurring(session: Session, account: Account, recurring: Recurring, given: Mapping[str, Any]) -> None:
    template = session.get(Invoice, recurring.invoice_id)
    if template is None or template.account_id != account.id:
        raise Invalid.one("invoice_id", "not_found", "no such invoice", value=recurring.invoice_id)
    if not recurring.name:
        raise Invalid.one("name", "blank", "can't be blank")
    try:
        parse_every(recurring.every)
    except ValueError:
        raise Invalid.one("every", "invalid", "must look like 1d, 1w, 1m, 3m or 1y", value=recurring.every) from None
    try:
        check_month_end(recurring.every, recurring.month_end)
    except ValueError as exc:
        raise Invalid.one("month_end", "invalid", str(exc)) from None
    if recurring.month_end:
        recurring.start_date = last_of_month(recurring.start_date)
    if recurring.next_invoice_date is None:
        recurring.next_invoice_date = recurring.start_date


def _prepare_dictionary(session: Session, account: Account, entry: DictionaryEntry, given: Mapping[str, Any]) -> None:
    if entry.kind not in DICTIONARY_KINDS:
        raise Invalid.one("kind", "inclusion", "unknown dictionary", value=entry.kind)


def _named(session: Session, account: Account, record: Category | Warehouse, given: Mapping[str, Any]) -> None:
    if not (record.name or "").strip():
        raise Invalid.one("name", "blank", "can't be blank")


def _no_hook(session: Session, account: Account, record: Any, given: Mapping[str, Any]) -> None:
    return None


@dataclass(frozen=True)
class Entity:
    model: type[SQLModel]
    prepare: Hook
    children: ChildWriter | None = None  # writes the record's child rows (price list items, ...) given with it


def _invoice_links_cleared(session: Session, entity: str, record_id: int) -> None:
    column = {"client": "client_id", "department": "department_id", "category": "category_id",
              "warehouse": "warehouse_id"}.get(entity)
    if column is not None:
        for invoice in session.execute(select(Invoice).where(getattr(Invoice, column) == record_id)).scalars():
            setattr(invoice, column, None)
    if entity == "category":
        for product in session.execute(select(Product).where(Product.category_id == record_id)).scalars():
            product.category_id = None


def _warehouse_emptied(session: Session, warehouse_id: int) -> None:
    """A warehouse goes only when no document names it; what is left of its stock then is all zero rows."""
    used = session.execute(select(func.count()).select_from(WarehouseDocument).where(
        WarehouseDocument.warehouse_id == warehouse_id)).scalar_one()
    if used:
        raise Conflict("in_use", f"warehouse {warehouse_id} has warehouse documents")
    session.execute(delete(Stock).where(col(Stock.warehouse_id) == warehouse_id))


def _write_children(session: Session, price_list: PriceList, children: tuple[Mapping[str, Any], ...]) -> None:
    session.execute(delete(PriceListItem).where(col(PriceListItem.price_list_id) == price_list.id))
    for i, child in enumerate(children):
        clean = check_fields(PriceListItem, child, prefix=f"price_list_positions.{i}.",
                             extra_protected=frozenset({"price_list_id"}))
        item = PriceListItem(price_list_id=price_list.id or 0, account_id=price_list.account_id, **clean)
        product = session.get(Product, item.product_id) if item.product_id is not None else None
        if item.product_id is not None and (product is None or product.account_id != price_list.account_id):
            raise Invalid.one(f"price_list_positions.{i}.product_id", "not_found", "no such product")
        item.tax = parse_tax(item.tax).code
        if not item.price_gross and item.price_net:
            item.price_gross = round_money(item.price_net * (1 + parse_tax(item.tax).rate))
        session.add(item)


ENTITIES: dict[str, Entity] = {
    "client": Entity(Client, _prepare_client),
    "product": Entity(Product, _prepare_product),
    "department": Entity(Department, _prepare_department),
    "price_list": Entity(PriceList, _no_hook, _write_children),
    "recurring": Entity(Recurring, prepare_recurring),
    "dictionary": Entity(DictionaryEntry, _prepare_dictionary),
    "issuer": Entity(Issuer, banking.prepare_issuer),
    "bank_account": Entity(BankAccount, banking.prepare_bank_account, banking.write_department_links),
    "category": Entity(Category, _named),
    "warehouse": Entity(Warehouse, _named),
}


def entity(name: str) -> Entity:
    try:
        return ENTITIES[name]
    except KeyError:
        raise ValueError(f"unknown entity {name}") from None


def get_record(session: Session, name: str, account_id: int, record_id: int) -> Any:
    record = session.get(entity(name).model, record_id)
    if record is None or getattr(record, "account_id", None) != account_id:
        raise NotFound(name, record_id)
    return record


def create_record(cmd: CreateRecord, uow: UnitOfWork) -> Any:
    session = uow.session
    account = account_of(session, cmd.account_id)
    spec = entity(cmd.entity)
    clean = check_fields(spec.model, cmd.fields)
    record = spec.model(account_id=cmd.account_id, **clean)
    spec.prepare(session, account, record, clean)
    session.add(record)
    session.flush()
    if cmd.children is not None and spec.children is not None:
        spec.children(session, record, cmd.children)
    uow.commit()
    return record


def update_record(cmd: UpdateRecord, uow: UnitOfWork) -> Any:
    session = uow.session
    account = account_of(session, cmd.account_id)
    spec = entity(cmd.entity)
    record = get_record(session, cmd.entity, cmd.account_id, cmd.record_id)
    clean = check_fields(spec.model, cmd.fields, extra_protected=frozenset({"kind"}) if cmd.entity == "dictionary"
                         else frozenset())
    for name, value in clean.items():
        setattr(record, name, value)
    spec.prepare(session, account, record, clean)
    if hasattr(record, "updated_at"):
        record.updated_at = now_utc()
    if cmd.children is not None and spec.children is not None:
        spec.children(session, record, cmd.children)
    session.flush()
    uow.commit()
    return record


def delete_record(cmd: DeleteRecord, uow: UnitOfWork) -> Any:
    session = uow.session
    record = get_record(session, cmd.entity, cmd.account_id, cmd.record_id)
    if cmd.entity == "price_list":
        session.execute(delete(PriceListItem).where(PriceListItem.price_list_id == record.id))
    if cmd.entity in ("client", "department", "category", "warehouse"):
        _invoice_links_cleared(session, cmd.entity, record.id)
    banking.forget(session, cmd.entity, record.id)
    if cmd.entity == "warehouse":
        _warehouse_emptied(session, record.id)
    if cmd.entity == "recurring":
        session.execute(delete(RecurringRun).where(RecurringRun.recurring_id == record.id))
    if cmd.entity == "product":
        for line in session.execute(select(InvoiceLine).where(InvoiceLine.product_id == record.id)).scalars():
            line.product_id = None
        for item in session.execute(select(PriceListItem).where(PriceListItem.product_id == record.id)).scalars():
            item.product_id = None
        # zero rows left by deleted documents; a product with warehouse actions stays (in_use, rolled back)
        session.execute(delete(Stock).where(col(Stock.product_id) == record.id))
    try:
        session.delete(record)
        session.flush()
    except Exception as exc:  # a foreign key still pointing here
        raise Conflict("in_use", f"{cmd.entity} {cmd.record_id} is still in use") from exc
    uow.commit()
    return record


