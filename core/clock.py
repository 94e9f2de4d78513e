"""Today and now in an account's timezone; one place so tests can move time."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def today_in(tz_name: str) -> date:
    return datetime.now(ZoneInfo(tz_name or "UTC")).date()
