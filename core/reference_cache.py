"""A create's seller side, read once per change (migration 0019, SQLite; core.versioned).

Before it writes, a create read its account (and whether any webhook of it is active), the department the
invoice is issued from and the bank accounts that department shows on invoices: four statements and their
records, about a tenth of the writer thread's CPU per create, for rows that change a few times in an account's
life. Now it reads the account's number in `reference_versions`, and takes the rows from memory when this
process read them at that number.

The rows are read inside the write transaction, so they are kept only once it has committed: the unit of work
hands them over after its commit (a group commit's after-commit work, core.unit_of_work). Rows of a transaction
that rolls back, whose number somebody else's change will take next, are never kept. On a miss all of the
account's departments and their bank accounts are read at once (three statements), so whatever department a
later create names, it is there at the same number.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from core.errors import NotFound
from core.models import Account, BankAccount, Department
from core.reader import Reader
from core.versioned import Versions

VERSIONS: Versions[SellerSide] = Versions("reference_versions")
_UNKEPT = "reference_cache.unkept"  # session.info: what this transaction read, to keep once it has committed


@dataclass(frozen=True, slots=True)
class SellerSide:
    """An account's rows a create issues from. Records shared between creates: read, never changed."""
    account: Any  # core.models.Account's record
    webhooks: bool  # whether any webhook of the account is active
    departments: tuple[Any, ...]  # Department records, the main one first, then by id
    banks: dict[int, tuple[Any, ...]]  # department id -> the bank accounts it shows on invoices, in their order

    def department(self, department_id: int | None) -> Any | None:
        """The department of this id (None if it is not the account's); without an id, the main one (else the
        first), as an invoice without a department takes its seller from."""
        if department_id is None:
            return self.departments[0] if self.departments else None
        return next((d for d in self.departments if d.id == department_id), None)


def seller_side(session: Session, account_id: int) -> SellerSide:
    """The account's seller side as this write transaction sees it: from memory at the account's current number,
    else read (and kept once the transaction commits, see keep_committed)."""
    reader = Reader(session.connection())
    version = VERSIONS.current(reader, account_id)
    found = VERSIONS.kept(reader.engine, account_id, version)
    if found is None:
        found = _read(reader, account_id)
        if version is not None:
            session.info.setdefault(_UNKEPT, []).append((reader.engine, account_id, version, found))
    return found


def keep_committed(session: Session) -> list[tuple[Engine, int, int, SellerSide]]:
    """What the transaction read, for the unit of work to keep once it has committed (see the module's note)."""
    unkept: list[tuple[Engine, int, int, SellerSide]] = session.info.pop(_UNKEPT, [])
    return unkept


def keep(read: list[tuple[Engine, int, int, SellerSide]]) -> None:
    for engine, account_id, version, found in read:
        VERSIONS.keep(engine, account_id, version, found)


def _read(reader: Reader, account_id: int) -> SellerSide:
    found = reader.rows(f"SELECT {reader.columns(Account)}, hooks.found FROM accounts CROSS JOIN (SELECT EXISTS "
                        "(SELECT 1 FROM webhooks WHERE webhooks.account_id = ? AND webhooks.active = ?) AS found) "
                        "AS hooks WHERE accounts.id = ?", (account_id, True, account_id))
    if not found:
        raise NotFound("account", account_id)
    account, webhooks = reader.make(Account, found[0]), bool(found[0][-1])
    departments = tuple(reader.records(Department, "departments.account_id = ?", (account_id,),
                                       "departments.main DESC, departments.id"))
    # Every department's accounts shown on invoices, each department's in the order an invoice lists them.
    banks: dict[int, list[Any]] = {}
    rows = reader.rows(f"SELECT link.department_id, {reader.columns(BankAccount)} FROM bank_accounts "
                       "JOIN bank_account_departments AS link ON link.bank_account_id = bank_accounts.id "
                       "WHERE bank_accounts.account_id = ? AND link.show_on_invoice = ? "
                       "ORDER BY link.department_id, link.main_on_department DESC, bank_accounts.id",
                       (account_id, True))
    for row in rows:
        banks.setdefault(row[0], []).append(reader.make(BankAccount, row, 1))
    return SellerSide(account, webhooks, departments, {k: tuple(v) for k, v in banks.items()})
