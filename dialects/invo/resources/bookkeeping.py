"""r=bookkeeping: VAT registers built from the account's invoices.

what "sales" (income invoices) or "purchases" (cost invoices), over an mdate range (default: the
current month), one row per document with its amounts per tax rate and the period's sums per rate.
Amounts are in the account currency: foreign-currency documents are converted with their currval,
net and VAT each rounded half up to cents. Drafts, cancelled and non-fiscal documents (proforma,
estimate, bill, receipt) are left out. Bookkeeping the gateway has no data for answers code 10."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from core.clock import today_in
from core.handlers.invoice_state import account_of, load_lines
from core.handlers.lines import totals_of
from core.models import Invoice
from core.money import round_money
from dialects.invo.errors import InvoError
from dialects.invo.fields import KIND_TYPE2
from dialects.invo.lookups import tax_symbol
from dialects.invo.parse import as_range
from dialects.invo.present import PARTY_COLUMNS, party_prefix
from dialects.invo.resources.base import Call

REGISTERS: dict[str, bool] = {"sales": True, "purchases": False}  # what -> core income
NO_DATA = frozenset({"zus", "pit", "cit", "vat7", "jpk", "kpir", "ryczalt", "cash", "fixedassets", "payroll"})
REGISTER_KINDS = ("vat", "correction", "advance", "final", "vat_margin", "vat_mp", "wdt", "export_products",
                  "wnt", "import_service", "import_service_eu", "import_products")
LEFT_OUT_STATUSES = ("draft", "cancelled")


def _month(today: date) -> tuple[date, date]:
    start = today.replace(day=1)
    following = (start.replace(year=start.year + 1, month=1) if start.month == 12
                 else start.replace(month=start.month + 1))
    return start, date.fromordinal(following.toordinal() - 1)


def register(session: Session, account_id: int, income: bool, start: date | None, end: date | None
             ) -> dict[str, Any]:
    account = account_of(session, account_id)
    if start is None and end is None:
        start, end = _month(today_in(account.timezone))
    stmt = select(Invoice).where(col(Invoice.account_id) == account_id, col(Invoice.income).is_(income),
                                 col(Invoice.kind).in_(REGISTER_KINDS), col(Invoice.status).not_in(LEFT_OUT_STATUSES))
    if start is not None:
        stmt = stmt.where(col(Invoice.issue_date) >= start)
    if end is not None:
        stmt = stmt.where(col(Invoice.issue_date) <= end)
    invoices = list(session.execute(stmt.order_by(col(Invoice.issue_date), col(Invoice.id))).scalars())
    lines = load_lines(session, [i.id or 0 for i in invoices])
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    rows = []
    for invoice in invoices:
        rate = invoice.exchange_rate if invoice.currency != account.currency and invoice.exchange_rate else None
        per_rate: list[dict[str, Any]] = []
        for part in totals_of(invoice, lines[invoice.id or 0]).per_rate:
            net = round_money(part.net * rate) if rate else part.net
            vat = round_money(part.tax_amount * rate) if rate else part.tax_amount
            symbol = tax_symbol(part.tax.code)
            sums[symbol][0] += net
            sums[symbol][1] += vat
            per_rate.append({"vatsm": symbol, "vnetto": net, "vvat": vat, "vbrutto": net + vat})
        prefix = party_prefix(invoice)
        rows.append({
            "id": invoice.id, "type2": KIND_TYPE2.get(invoice.kind, invoice.kind), "nrdoc": invoice.number,
            "mdate": invoice.issue_date.isoformat(),
            "sdate": invoice.sell_date.isoformat() if invoice.sell_date else "",
            "c1name": getattr(invoice, prefix + PARTY_COLUMNS["name"]),
            "c1taxid": getattr(invoice, prefix + PARTY_COLUMNS["taxid"]), "currency": invoice.currency,
            "rates": per_rate, "vnetto": sum((r["vnetto"] for r in per_rate), Decimal(0)),
            "vvat": sum((r["vvat"] for r in per_rate), Decimal(0)),
            "vbrutto": sum((r["vbrutto"] for r in per_rate), Decimal(0)),
        })
    totals = [{"vatsm": symbol, "vnetto": net, "vvat": vat, "vbrutto": net + vat}
              for symbol, (net, vat) in sums.items()]
    return {"count": len(rows), "mdate": f"{start.isoformat() if start else ''}|{end.isoformat() if end else ''}",
            "currency": account.currency, "rows": rows, "sums": totals}


async def list_(call: Call) -> dict[str, Any]:
    what = call.q.get("what")
    if isinstance(what, str) and what.lower() in NO_DATA:
        raise InvoError(10, f"not available: the gateway keeps no {what.lower()} data")
    if not isinstance(what, str) or what.lower() not in REGISTERS:
        raise InvoError(4, "incorrect dictionary: what must be sales or purchases")
    start, end = as_range(call.q["mdate"], "mdate") if "mdate" in call.q else (None, None)
    return await call.read(register, call.account_id, REGISTERS[what.lower()], start, end)


ACTIONS = {"list": list_}
