"""The traffic log's batch insert (gateway/traffic.py): on SQLite it bypasses SQLAlchemy's binding, so
what it stores must read back exactly as an ORM insert's would."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from core.clock import now_utc
from core.models import TrafficEntry
from gateway.traffic import TrafficRecorder


def test_a_flushed_batch_reads_back_field_for_field_through_the_orm(app: Any) -> None:
    engine = app.state.engine
    when = now_utc() - timedelta(minutes=5)
    entries = [dict(account_id=7, credential_id=3, user_id=None, dialect="invoiceocean", method="GET",
                    path="/invoices/1.json", endpoint="invoices.get", status=200, latency_ms=0.731,
                    request_id="r-1", created_at=when),
               dict(account_id=None, credential_id=None, user_id=9, dialect="invo", method="POST", path="/api.json",
                    endpoint="invo:invoices.list", status=401, latency_ms=12.5, request_id="r-2",
                    created_at=when + timedelta(microseconds=1))]
    recorder = TrafficRecorder(engine)
    for entry in entries:
        recorder.record(**entry)
    assert recorder.flush() == 2
    with Session(engine) as session:
        rows = session.exec(select(TrafficEntry).order_by(TrafficEntry.id)).all()  # type: ignore[arg-type]
    stored = [{k: getattr(row, k) for k in entries[0]} for row in rows[-2:]]
    assert stored == entries
    assert all(row.created_at.tzinfo is not None for row in rows[-2:])
    # and the console's time-window queries see them where they belong
    with Session(engine) as session:
        recent = session.exec(select(TrafficEntry).where(TrafficEntry.created_at >= when)).all()  # type: ignore[arg-type]
    assert {r.request_id for r in recent} >= {"r-1", "r-2"}
