"""Issuers and bank accounts: their rules, which departments show an account on invoices, and the bank
accounts an invoice carries (API_RACHUNKI_BANKOWE.md).

An invoice given no bank accounts takes its department's `show_on_invoice` accounts; a given list replaces
them, each item matched to an existing account by its normalised number, else created. The invoice keeps a
copy of each account's values (InvoiceBankAccount), so a later edit of the account leaves issued documents as
they were printed.
"""
from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from core.errors import FieldError, Invalid
from core.fields import check_fields
from core.models import Account, BankAccount, BankAccountDepartment, Invoice, InvoiceBankAccount, Issuer
from core.models.banking import OWN_BANK_ACCOUNT_TYPES, SNAPSHOT_FIELDS
from core.reader import Reader, new_record, placeholders
from core.reference_cache import SellerSide, seller_side
from core.references import check_rows, resolved
from core.storage import writes

# KSeF roles an issuer may carry (README "Odbiorcy/Wystawcy na fakturze"); "Rola inna" needs a description.
ISSUER_ROLES = ("Wystawca faktury", "Faktor", "Podmiot pierwotny", "JST – wystawca", "Członek GV – wystawca",
                "Rola inna")
OTHER_ROLE = "Rola inna"
DEFAULT_BANK_NAME = "Rachunek bankowy"  # what the real service names an account given without a bank name
# (column, the longest value the real service accepts)
MAX_LENGTHS = (("name", 255), ("bank_name", 256), ("account_description", 256))
LINK_FIELDS = frozenset({"department_id", "show_on_invoice", "main_on_department"})


def normalise_number(number: str) -> str:
    """What deduplication compares: no spaces or dashes, upper case, PL in front of a bare 26-digit NRB."""
    text = re.sub(r"[\s-]+", "", number).upper()
    return "PL" + text if len(text) == 26 and text.isdigit() else text


def prepare_issuer(session: Session, account: Account, issuer: Issuer, given: Mapping[str, Any]) -> None:
    if not issuer.name and (issuer.first_name or issuer.last_name):
        issuer.name = " ".join(part for part in (issuer.first_name, issuer.last_name) if part)
    if not issuer.name:
        raise Invalid.one("name", "blank", "can't be blank")
    if issuer.role and issuer.role not in ISSUER_ROLES:
        raise Invalid.one("role", "inclusion", "is not included in the list", value=issuer.role)
    if issuer.role_description and issuer.role != OTHER_ROLE:
        raise Invalid.one("role_description", "invalid", f"is given only with the role {OTHER_ROLE}")
    if len(issuer.role_description) > 25:
        raise Invalid.one("role_description", "too_long", "is too long (maximum is 25 characters)", count=25)


def _check_bank_values(values: Mapping[str, Any], prefix: str = "") -> None:
    errors: list[FieldError] = []
    if not str(values.get("bank_account_number") or "").strip():
        errors.append(FieldError(prefix + "bank_account_number", "blank", "can't be blank"))
    for name, longest in MAX_LENGTHS:
        if len(values.get(name) or "") > longest:
            errors.append(FieldError(prefix + name, "too_long", f"is too long (maximum is {longest} characters)",
                                     {"count": longest}))
    kind = values.get("own_bank_account_type")
    if kind is not None and kind not in OWN_BANK_ACCOUNT_TYPES:
        errors.append(FieldError(prefix + "own_bank_account_type", "inclusion", "is not included in the list"))
    if errors:
        raise Invalid(errors)


def prepare_bank_account(session: Session, account: Account, bank: BankAccount, given: Mapping[str, Any]) -> None:
    bank.own_bank_account_type = bank.own_bank_account_type or None
    _check_bank_values({name: getattr(bank, name) for name in SNAPSHOT_FIELDS})
    bank.number_normalized = normalise_number(bank.bank_account_number)
    bank.bank_currency = bank.bank_currency or account.currency


def write_department_links(session: Session, bank: BankAccount, links: Sequence[Mapping[str, Any]]) -> None:
    """bank_account_version_departments: each item adds or changes the link to its department; `remove`
    drops it. A department has one main account, so marking one main unmarks the others."""
    for i, link in enumerate(links):
        prefix = f"bank_account_version_departments.{i}."
        department_id = link.get("department_id")
        if not isinstance(department_id, int) or isinstance(department_id, bool):
            raise Invalid.one(prefix + "department_id", "blank", "can't be blank")
        existing = session.execute(select(BankAccountDepartment).where(
            BankAccountDepartment.bank_account_id == bank.id,
            BankAccountDepartment.department_id == department_id)).scalars().first()
        if link.get("remove"):
            if existing is not None:
                session.delete(existing)
            continue
        clean = check_fields(BankAccountDepartment, {k: v for k, v in link.items() if k in LINK_FIELDS},
                             prefix=prefix)
        row = existing or BankAccountDepartment(account_id=bank.account_id, bank_account_id=bank.id or 0,
                                                department_id=department_id)
        for name, value in clean.items():
            setattr(row, name, value)
        session.add(row)
        session.flush()  # the reference guard names a foreign department here, before the main flag moves
        if row.main_on_department:
            session.execute(update(BankAccountDepartment).where(
                col(BankAccountDepartment.department_id) == department_id,
                col(BankAccountDepartment.id) != row.id).values(main_on_department=False))


def forget(session: Session, entity: str, record_id: int) -> None:
    """Before a bank account or a department is deleted: the links between them go with it. Invoices keep
    their copies of the account."""
    column = {"bank_account": BankAccountDepartment.bank_account_id,
              "department": BankAccountDepartment.department_id}.get(entity)
    if column is not None:
        session.execute(delete(BankAccountDepartment).where(col(column) == record_id))


def _department_accounts(session: Session, invoice: Invoice, side: SellerSide) -> list[Any]:
    """The accounts the invoice's department shows on invoices; without a department, those of the one its
    seller came from (the main one): from the account's seller side (core.reference_cache), read once per change."""
    department = side.department(invoice.department_id)
    found = list(side.banks.get(department.id or 0, ())) if department is not None else []
    for bank in found:
        resolved(session, BankAccount, bank.id, bank.account_id)
    return found


def _matched_or_new(session: Session, account: Account, given: Sequence[Mapping[str, Any]]) -> list[BankAccount]:
    """Each given account: the existing one with the same number (its stored values win, as the real service
    keeps them), else a new account of the given values."""
    found: list[BankAccount] = []
    for i, values in enumerate(given):
        prefix = f"bank_accounts.{i}."
        clean = check_fields(BankAccount, {k: v for k, v in values.items() if k in SNAPSHOT_FIELDS}, prefix=prefix)
        _check_bank_values(clean, prefix)
        number = normalise_number(clean["bank_account_number"])
        existing = session.execute(select(BankAccount).where(
            BankAccount.account_id == account.id, BankAccount.number_normalized == number)
            .order_by(col(BankAccount.id))).scalars().first()
        if existing is None:
            existing = BankAccount(account_id=account.id or 0, **{"bank_name": DEFAULT_BANK_NAME, **clean})
            prepare_bank_account(session, account, existing, clean)
            session.add(existing)
            session.flush()
        if all(existing.id != bank.id for bank in found):
            found.append(existing)
    return found


def attach_bank_accounts(session: Session, account: Account, invoice: Invoice,
                         given: Sequence[Mapping[str, Any]] | None, *, new: bool = False,
                         side: SellerSide | None = None) -> list[InvoiceBankAccount]:
    """The invoice's bank accounts: the given ones (None: the department's), replacing any it had. A create
    passes the seller side it has read already."""
    if given is None:
        banks = _department_accounts(session, invoice, side or seller_side(session, invoice.account_id))
    else:
        banks = _matched_or_new(session, account, given)
    if not new:
        session.execute(delete(InvoiceBankAccount).where(col(InvoiceBankAccount.invoice_id) == invoice.id))
    if not banks:
        return []
    # Plain rows (core.storage.writes): the copies are only ever inserted with the invoice, and read back.
    copies = [new_record(InvoiceBankAccount, account_id=invoice.account_id, invoice_id=invoice.id or 0,
                         bank_account_id=bank.id, position=position,
                         **{name: getattr(bank, name) for name in SNAPSHOT_FIELDS})
              for position, bank in enumerate(banks)]
    check_rows(session, InvoiceBankAccount, invoice.account_id, [copy.__dict__ for copy in copies])
    session.flush()  # the ORM invoice (the rare paths) and new bank accounts are stored before rows name them
    writes.insert_rows(session, InvoiceBankAccount, copies)
    return copies


def forget_invoice(session: Session, invoice_id: int) -> None:
    session.execute(delete(InvoiceBankAccount).where(col(InvoiceBankAccount.invoice_id) == invoice_id))


def invoice_bank_accounts(reader: Reader, invoice_ids: Sequence[int]) -> dict[int, list[Any]]:
    """The bank accounts each invoice carries, in their order, by invoice id (every id present)."""
    found: dict[int, list[Any]] = {i: [] for i in invoice_ids}
    if invoice_ids:
        where = f"invoice_bank_accounts.invoice_id IN ({placeholders(invoice_ids)})"
        order = "invoice_bank_accounts.invoice_id, invoice_bank_accounts.position"
        for row in reader.records(InvoiceBankAccount, where, list(invoice_ids), order):
            found[row.invoice_id].append(row)
    return found


def department_links(session: Session, account_id: int, bank_ids: Sequence[int]) -> dict[int, list[Any]]:
    """bank account id -> its department links, oldest first."""
    found: dict[int, list[Any]] = {i: [] for i in bank_ids}
    if bank_ids:
        stmt = (select(BankAccountDepartment).where(BankAccountDepartment.account_id == account_id,
                                                    col(BankAccountDepartment.bank_account_id).in_(bank_ids))
                .order_by(col(BankAccountDepartment.id)))
        for link in session.execute(stmt).scalars():
            found[link.bank_account_id].append(link)
    return found


__all__ = ["ISSUER_ROLES", "attach_bank_accounts", "department_links", "forget", "forget_invoice",
           "invoice_bank_accounts", "normalise_number", "prepare_bank_account", "prepare_issuer",
           "write_department_links"]
