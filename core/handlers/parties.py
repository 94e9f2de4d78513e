"""Filling an invoice's buyer and seller snapshots from clients and departments."""
from __future__ import annotations

import re
from typing import Any, Mapping

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.errors import Invalid
from core.fields import check_fields
from core.models import Account, Client, Department, Invoice
from core.reader import Reader
from core.references import resolved

# One table: which client column fills which buyer snapshot column.
BUYER_FROM_CLIENT: dict[str, str] = {
    "buyer_name": "name", "buyer_first_name": "first_name", "buyer_last_name": "last_name",
    "buyer_company": "company", "buyer_tax_no": "tax_no", "buyer_post_code": "post_code",
    "buyer_city": "city", "buyer_country": "country", "buyer_email": "email", "buyer_phone": "phone",
    "buyer_care_of": "care_of", "buyer_note": "note",
}
SELLER_FROM_DEPARTMENT: dict[str, str] = {
    "seller_name": "name", "seller_tax_no": "tax_no", "seller_street": "street", "seller_post_code": "post_code",
    "seller_city": "city", "seller_country": "country", "seller_email": "email", "seller_phone": "phone",
    "seller_www": "www", "seller_fax": "fax", "seller_person": "person", "seller_bank": "bank",
    "seller_bank_account": "bank_account",
}


def normalise_tax_no(value: str) -> str:
    """Compare tax numbers without dashes, spaces and a leading country prefix (PL5252445767)."""
    cleaned = re.sub(r"[^0-9A-Za-z]", "", value or "").upper()
    return cleaned[2:] if len(cleaned) > 2 and cleaned[:2].isalpha() and cleaned[2:].isdigit() else cleaned


def client_street(client: Client) -> str:
    return " ".join(part for part in (client.street, client.street_no) if part)


def fill_buyer(invoice: Invoice, client: Client, given: Mapping[str, Any]) -> None:
    for target, source in BUYER_FROM_CLIENT.items():
        if target not in given:
            setattr(invoice, target, getattr(client, source))
    if "buyer_street" not in given:
        invoice.buyer_street = client_street(client)
    invoice.client_id = client.id


def fill_seller(invoice: Invoice, department: Department, given: Mapping[str, Any]) -> None:
    for target, source in SELLER_FROM_DEPARTMENT.items():
        if target not in given:
            setattr(invoice, target, getattr(department, source))
    invoice.department_id = department.id


def main_department(session: Session, account_id: int) -> Department | None:
    stmt = (select(Department).where(Department.account_id == account_id)
            .order_by(col(Department.main).desc(), col(Department.id)).limit(1))
    return session.execute(stmt).scalars().first()


def next_client_number(session: Session, account_id: int) -> int:
    top = session.execute(select(func.max(Client.number)).where(Client.account_id == account_id)).scalar()
    return int(top or 0) + 1


def prepare_client(session: Session, account: Account, client: Client) -> None:
    """Derived client fields: name from the person's names, normalised tax no, number.
    E-mail syntax is a dialect's rule (the Swedish one checks it; the REST dialect's own example stores "bank1")."""
    if not client.name and (client.first_name or client.last_name):
        client.name = " ".join(p for p in (client.first_name, client.last_name) if p)
    if not client.name:
        raise Invalid.one("name", "blank", "can't be blank")
    client.tax_no_normalized = normalise_tax_no(client.tax_no)
    if client.number is None:
        client.number = next_client_number(session, account.id or 0)


def create_client(session: Session, account: Account, fields: Mapping[str, Any], prefix: str = "") -> Client:
    clean = check_fields(Client, fields, prefix=prefix)
    client = Client(account_id=account.id or 0, **clean)
    prepare_client(session, account, client)
    session.add(client)
    session.flush()
    return client


def client_fields_from_buyer(invoice: Invoice) -> dict[str, Any]:
    return {source: getattr(invoice, target) for target, source in BUYER_FROM_CLIENT.items()
            if getattr(invoice, target) not in ("", None)} | (
        {"street": invoice.buyer_street} if invoice.buyer_street else {})


def match_client(session: Session, account_id: int, invoice: Invoice) -> Client | None:
    """The REST dialect's rule: an existing client with the buyer's name and tax no (or e-mail), the oldest.
    A plain read (core.reader) in the session's transaction, resolved for the reference guard: selecting a
    Client made a plain create open an ORM Session (core.unit_of_work.PlainSession) for the rest of it."""
    if invoice.buyer_tax_no:
        tax_no = normalise_tax_no(invoice.buyer_tax_no)
        where, params = "tax_no_normalized = ? AND name = ?", (tax_no, invoice.buyer_name)
    elif invoice.buyer_email:
        where, params = "email = ? AND name = ?", (invoice.buyer_email, invoice.buyer_name)
    else:
        where, params = "name = ? AND tax_no = ?", (invoice.buyer_name, "")
    found = Reader(session.connection()).records(Client, f"account_id = ? AND {where}", (account_id, *params),
                                                 "id LIMIT 1")
    if not found:
        return None
    client: Client = found[0]
    resolved(session, Client, client.id or 0, account_id)
    return client
