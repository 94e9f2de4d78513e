"""The read-modify-write rule shared by every dialect: a value a client sends back exactly as the
dialect shows it for the stored record is not input.

Client libraries (ActiveResource, the fakturan gem's `save`, ORMs) send the whole record they read,
with one attribute changed. Values the record already holds may be ones the dialect would refuse
as new input (a 23 % rate seen through fakturan, INVO's `kid` 0, a discount InvoiceOcean shows as an
amount); read-only values (ids, totals, timestamps) come back too. So an update first drops what
equals the dialect's own answer, and only what is left is parsed and validated as input.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping

NUMBERS = (int, float, Decimal)


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    return {"true": True, "1": True, "false": False, "0": False}.get(str(value).strip().lower())


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def same(given: Any, shown: Any) -> bool:
    """Whether `given` is `shown` as it travelled over the wire (JSON, XML text, a form): 23, "23",
    23.0 and Decimal("23.00") are one number, True and "true" one flag, a date and its ISO text one
    date, null and "" both nothing. Two strings compare as text, so "007" is not "7"."""
    if _blank(given) or _blank(shown):
        return _blank(given) and _blank(shown)
    if isinstance(shown, bool) or isinstance(given, bool):
        flag = _flag(given)
        return flag is not None and flag == _flag(shown)
    if isinstance(given, Mapping) and isinstance(shown, Mapping):
        return all(key in shown and same(value, shown[key]) for key, value in given.items())
    if isinstance(given, list) and isinstance(shown, list):
        return len(given) == len(shown) and all(same(a, b) for a, b in zip(given, shown, strict=True))
    if isinstance(given, (Mapping, list)) or isinstance(shown, (Mapping, list)):
        return False
    if isinstance(given, NUMBERS) or isinstance(shown, NUMBERS):
        a, b = _number(given), _number(shown)
        return a is not None and b is not None and a == b
    if isinstance(shown, (dt.date, dt.datetime)):
        return str(given).strip() == shown.isoformat()
    return str(given) == str(shown)


def changes(given: Mapping[str, Any], shown: Mapping[str, Any], keep: Iterable[str] = ("id",),
            by_id: Iterable[str] = ()) -> dict[str, Any]:
    """`given` without what equals `shown`. Nested objects keep only their changed keys. A list named
    in `by_id` (positions, rows, items: collections the update merges by id) keeps each listed object
    by id with only its changed keys, and objects without a known id whole; any other changed list is
    kept whole, as it replaces the stored one. Keys in `keep` stay whatever their value."""
    kept, merged = frozenset(keep), frozenset(by_id)
    out: dict[str, Any] = {}
    for key, value in given.items():
        old = shown.get(key)
        if key in kept or key not in shown:
            out[key] = value
        elif same(value, old):
            continue
        elif isinstance(value, Mapping) and isinstance(old, Mapping):
            out[key] = changes(value, old, keep=())
        elif key in merged and isinstance(value, list) and isinstance(old, list):
            out[key] = _changed_items(value, old)
        else:
            out[key] = value
    return out


def _changed_items(given: list[Any], shown: list[Any]) -> list[Any]:
    by_id = {_number(item["id"]): item for item in shown if isinstance(item, Mapping) and item.get("id") is not None}
    return [changes(item, by_id[key]) if isinstance(item, Mapping) and item.get("id") is not None and
            (key := _number(item["id"])) in by_id else item for item in given]
