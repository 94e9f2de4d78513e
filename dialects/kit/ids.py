"""Record ids as the database can hold them: signed 64-bit integers.

A larger number in a path or a body cannot name a row; passed on, it overflows the database driver
(SQLite: "Python int too large to convert to SQLite INTEGER") and the caller gets a 500. So paths
route ids of at most 18 digits only (a longer one is the dialect's own 404), and the dialects'
integer readers refuse values beyond MAX_ID as unreadable (their own 422).
"""
from __future__ import annotations

import re

from starlette.convertors import Convertor, register_url_convertor

MAX_ID = 2**63 - 1
# ASCII digits only: str.isdigit() also accepts "²" (which int() refuses) and int() also reads "٣", "1_0"
# and " +5"; 19 digits hold every 64-bit value, and int() refuses more than 4,300 with its own words.
_INTEGER_TEXT = re.compile(r"-?[0-9]{1,19}")


def integer_text(text: str) -> int | None:
    """The integer an optional "-" and 1 to 19 ASCII digits spell, else None; the caller answers in its words."""
    return int(text) if _INTEGER_TEXT.fullmatch(text) else None


class RecordIdConvertor(Convertor[int]):
    regex = "[0-9]{1,18}"  # 18 digits always fit below MAX_ID

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("recid", RecordIdConvertor())
