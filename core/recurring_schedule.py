"""Date arithmetic of recurring definitions: `every` periods, month clamping, working days."""
from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

_EVERY = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$")


def parse_every(every: str) -> tuple[int, str]:
    found = _EVERY.match(every or "")
    if not found or int(found.group(1)) < 1:
        raise ValueError(f"invalid period {every!r}")
    return int(found.group(1)), found.group(2)


def add_months(start: date, months: int) -> date:
    """Months clamp to the month's end: Jan 31 + 1m is Feb 28/29, Jan 31 + 2m is Mar 31."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def last_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def check_month_end(every: str, month_end: bool) -> None:
    """Month-end schedules count in months or years; a day or week period has no month to end."""
    if month_end and parse_every(every)[1] not in ("m", "y"):
        raise ValueError(f"a month-end schedule needs a period in months or years, not {every!r}")


def nth_occurrence(start: date, every: str, n: int, *, month_end: bool = False) -> date:
    """The n-th date of the schedule counted from start (n=0 is start), always from the anchor
    so that a clamped Feb 28 does not drag March to the 28th. With month_end every date is the
    last day of its month (Apr 30, May 31, ...), whatever day the anchor has."""
    count, unit = parse_every(every)
    if unit == "d":
        return start + timedelta(days=count * n)
    if unit == "w":
        return start + timedelta(weeks=count * n)
    day = add_months(start, count * n * (12 if unit == "y" else 1))
    return last_of_month(day) if month_end else day


def next_after(start: date, every: str, day: date, *, month_end: bool = False) -> date:
    """The first schedule date strictly after `day`. Counting from the anchor keeps the
    month-end clamp from drifting, and a date set off-schedule by hand rejoins the schedule."""
    count, unit = parse_every(every)
    first = nth_occurrence(start, every, 0, month_end=month_end)
    if day < first:
        return first
    if unit in ("d", "w"):
        step = count * (7 if unit == "w" else 1)
        return start + timedelta(days=step * ((day - start).days // step + 1))
    months = count * (12 if unit == "y" else 1)
    # The estimate lands in or before day's month (month_end keeps a date in its month), so only
    # stepping forward is needed.
    n = ((day.year - start.year) * 12 + day.month - start.month) // months
    while nth_occurrence(start, f"{months}m", n, month_end=month_end) <= day:
        n += 1
    return nth_occurrence(start, f"{months}m", n, month_end=month_end)


def next_working_day(day: date) -> date:
    """Saturday and Sunday move to Monday; public holidays are not modelled."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day
