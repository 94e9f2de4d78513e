"""Stock per product and warehouse: the one stored value (core.models.Stock), and the only code that moves it.

A warehouse document's actions have effects (pz: +quantity in its warehouse, wz: -quantity, mm: -quantity in
its warehouse and +quantity in `warehouse2_id`). Creating, changing or deleting a document applies the
difference between its new and old effects, in the document's own transaction, so an unchanged document
moves nothing and a deleted one gives back exactly what it took.

Each changed row is read locked (PostgreSQL: SELECT ... FOR UPDATE; SQLite: its one writer at a time), checked,
and written, keys in a fixed order so that two documents never wait on each other's rows. Two issues of the
last unit therefore queue: the second sees the first's result and is refused when the account forbids
negative stock (settings["negative_stock"] false; by default stock may go below zero, as on an account
that does not limit its products).
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Iterable, Mapping

from sqlalchemy import select, update
from sqlmodel import Session, col

from core.errors import Invalid, NotFound
from core.models import Account, Stock, WarehouseAction
from core.storage import storage_of

Key = tuple[int, int]  # (product_id, warehouse_id)
ZERO = Decimal("0")
NEGATIVE_STOCK = "negative_stock"  # Account.settings key: False forbids taking stock below zero


def negative_allowed(account: Account) -> bool:
    return bool((account.settings or {}).get(NEGATIVE_STOCK, True))


def set_negative_stock(session: Session, account: int | str, allowed: bool) -> None:
    """The account's (by id, or by name as the CLI gives it) rule for issuing more than is in stock; no dialect
    sets it: `invoice-gateway accounts negative-stock NAME --allow/--forbid`."""
    found = session.get(Account, account) if isinstance(account, int) else session.execute(
        select(Account).where(col(Account.name) == account)).scalars().first()
    if found is None:
        raise NotFound("account", account)
    found.settings = {**(found.settings or {}), NEGATIVE_STOCK: allowed}


def effects(actions: Iterable[WarehouseAction]) -> dict[Key, Decimal]:
    """What the actions do to stock, per (product, warehouse)."""
    moved: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    for action in actions:
        if action.kind == "pz":
            moved[(action.product_id, action.warehouse_id)] += action.quantity
        else:  # wz, and the source side of mm
            moved[(action.product_id, action.warehouse_id)] -= action.quantity
        if action.kind == "mm" and action.warehouse2_id is not None:
            moved[(action.product_id, action.warehouse2_id)] += action.quantity
    return dict(moved)


def difference(new: Mapping[Key, Decimal], old: Mapping[Key, Decimal]) -> dict[Key, Decimal]:
    keys = set(new) | set(old)
    return {key: new.get(key, ZERO) - old.get(key, ZERO) for key in keys
            if new.get(key, ZERO) != old.get(key, ZERO)}


def apply(session: Session, account: Account, deltas: Mapping[Key, Decimal]) -> None:
    """Move stock by `deltas`. Every id in `deltas` must already be checked as the account's (the actions
    that name them are flushed, and so guarded by core.references, before this runs)."""
    if not deltas:
        return
    session.flush()
    storage = storage_of(session)
    connection = session.connection()
    table = Stock.__table__  # type: ignore[attr-defined]
    forbid = not negative_allowed(account)
    short: list[Key] = []
    for product_id, warehouse_id in sorted(deltas):
        delta = deltas[(product_id, warehouse_id)]
        connection.execute(storage.insert(table).values(
            account_id=account.id, product_id=product_id, warehouse_id=warehouse_id, quantity=ZERO,
        ).on_conflict_do_nothing(index_elements=["product_id", "warehouse_id"]))
        row = connection.execute(storage.for_update(select(table.c.id, table.c.quantity).where(
            table.c.product_id == product_id, table.c.warehouse_id == warehouse_id))).one()
        quantity = row.quantity + delta
        if forbid and delta < 0 and quantity < 0:
            short.append((product_id, warehouse_id))
            continue
        connection.execute(update(table).where(table.c.id == row.id).values(quantity=quantity))
    if short:
        raise Invalid.one("warehouse_actions", "insufficient_stock", "not enough in stock: " + ", ".join(
            f"product {p} in warehouse {w}" for p, w in short), keys=[list(k) for k in short])


def quantities(session: Session, account_id: int, product_ids: Iterable[int],
               warehouse_id: int | None = None) -> dict[int, dict[int, Decimal]]:
    """product id -> {warehouse id: quantity}, for the given products (one warehouse, when named)."""
    ids = list(product_ids)
    found: dict[int, dict[int, Decimal]] = {i: {} for i in ids}
    if not ids:
        return found
    stmt = select(col(Stock.product_id), col(Stock.warehouse_id), col(Stock.quantity)).where(
        col(Stock.account_id) == account_id, col(Stock.product_id).in_(ids))
    if warehouse_id is not None:
        stmt = stmt.where(col(Stock.warehouse_id) == warehouse_id)
    for product_id, warehouse, quantity in session.execute(stmt.order_by(col(Stock.warehouse_id))):
        found[product_id][warehouse] = quantity
    return found


__all__ = ["NEGATIVE_STOCK", "apply", "difference", "effects", "negative_allowed", "quantities",
           "set_negative_stock"]
