"""invoices/default: what a new document would get, without taking anything (the number is peeked)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy import select
from sqlmodel import Session, col

from core import numbering
from core.clock import today_in
from core.handlers.invoice_state import account_of
from core.models import ExchangeRate
from core.queries import next_number
from dialects.invo.fields import TITLES, TYPE2
from dialects.invo.invoice_input import type2_code
from dialects.invo.lookups import load_dictionaries
from dialects.invo.parse import as_date, as_id, as_str


def latest_rate(session: Session, account_id: int, currency: str, before: date) -> ExchangeRate | None:
    """The last published rate before the issue date (Polish VAT takes the day before's table)."""
    stmt = (select(ExchangeRate).where(col(ExchangeRate.account_id) == account_id,
                                       col(ExchangeRate.currency) == currency, col(ExchangeRate.day) < before)
            .order_by(col(ExchangeRate.day).desc()).limit(1))
    return session.execute(stmt).scalars().first()


def default_values(session: Session, account_id: int, q: Mapping[str, Any]) -> dict[str, Any]:
    account = account_of(session, account_id)
    code = type2_code(q.get("type2", "+FV"))
    kind = TYPE2[code]
    mdate = as_date(q.get("mdate"), "mdate") or today_in(account.timezone)
    sdate = as_date(q.get("sdate"), "sdate") or mdate
    if q.get("nrx") not in (None, 0, "0", ""):
        seq = as_id(q["nrx"], "nrx")
        number = numbering.render(numbering.pattern_for(account.settings or {}, kind, account.profile), seq, mdate)
    else:
        number, seq = next_number(session, account_id, kind, mdate)
    currency = (as_str(q.get("currency"), "currency") or account.currency).upper()
    rate = None if currency == account.currency else latest_rate(session, account_id, currency, mdate)
    dicts = load_dictionaries(session, account_id)
    units, paytypes = dicts.of("units"), dicts.of("paytypes")
    tax = dicts.tax_entry("23") or next(iter(dicts.of("taxrates")), None)
    days = int((account.settings or {}).get("payment_days", 7))
    paytype = next((p for p in paytypes if int(p.data.get("days") or 0) == days), paytypes[0] if paytypes else None)
    due_days = int(paytype.data.get("days") or 0) if paytype else days
    return {
        "pvat": 1, "nrdoc": number, "nrx": seq, "type2s": code, "title2s": TITLES[code], "type2c": code,
        "title2c": TITLES[code], "currency": currency,
        "currval": Decimal(1) if currency == account.currency else (rate.rate if rate else None),
        "currtab": rate.table_no if rate else "", "currdt": rate.day.isoformat() if rate else "",
        "unitid": units[0].id if units else 0, "taxid": tax.id if tax else 0, "dtpid": paytype.id if paytype else 0,
        "mdate": mdate.isoformat(), "sdate": sdate.isoformat(), "tdate": (mdate + timedelta(days=due_days)).isoformat(),
    }
