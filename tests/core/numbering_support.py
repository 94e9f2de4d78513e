"""Helpers shared by the numbering tests, importable by spawned worker processes."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.commands import CreateInvoice, LineSpec
from core.ledger import Ledger
from gateway.db import make_engine

DAY = date(2026, 3, 10)


def minimal_invoice(account_id: int, **fields: object) -> CreateInvoice:
    return CreateInvoice(account_id=account_id, origin="test",
                         fields={"buyer_name": "Klient", "issue_date": DAY, **fields},
                         lines=(LineSpec(name="Usługa", price_net=Decimal("10.00"), tax="23"),), match_client=False)


def create_many(url: str, account_id: int, count: int) -> list[int]:
    """Runs in a worker thread or process: its own engine, like a separate server process."""
    engine = make_engine(url)
    ledger = Ledger(engine)
    try:
        return [ledger.execute(minimal_invoice(account_id)).invoice.seq for _ in range(count)]
    finally:
        engine.dispose()
