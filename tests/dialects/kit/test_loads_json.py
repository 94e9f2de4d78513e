"""dialects.kit.http.loads_json reads a text through orjson when it can and through json.loads otherwise: the
value, or the refusal, is the standard library's either way."""
from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialects.kit import http
from dialects.kit.http import loads_json

UNSTORABLE = re.compile(r"\\u(?:0000|d[89a-f])")
FIXED = [
    '{"action": "list", "id": 123, "items": 1}',
    '{"a": 1, "a": 2}',
    '{"a": NaN}', '{"a": -Infinity}',
    '{"a": "\\ud800"}', '{"a": "\\u0000"}',
    '\ufeff{"a": 1}',
    '{"a": 1e5}', '{"a": 1E-2}', '{"a": 100.00}', '{"a": -0}', '{"a": -0.0}',
    '{"a": 922337203685477580}', '{"a": 9223372036854775807}', '{"a": 18446744073709551615}',
    '{"a": 12345678901234567890123}', '{"a": -12345678901234567890123}',
    '{"a": "FV 1.2/2026", "b": 7}', '[1,]', '{"a": 1} x', ' "x" \n', '', '{}', '[]', 'true', 'null',
    '{"a": "\\u0663"}', '{"a": ١٢}',  # an Arabic-Indic digit: text in a string, refused as a number by both
]


def standard(text: str | bytes) -> Any:
    """What loads_json answered before orjson: the standard library's value with exact numbers, or its error."""
    try:
        return ("value", json.loads(text, parse_float=Decimal, parse_int=int))
    except (ValueError, RecursionError) as refused:
        return ("refused", type(refused).__name__)


def ours(text: str | bytes) -> Any:
    try:
        return ("value", loads_json(text))
    except ValueError as refused:
        return ("refused", type(refused).__name__)


def same(left: Any, right: Any) -> bool:
    """Equal, and of the same types all the way down (1 == 1.0 == Decimal(1) must not pass)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(same(left[k], right[k]) for k in left)
    if isinstance(left, (list, tuple)):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, Decimal):
        return str(left) == str(right)
    if isinstance(left, float):  # NaN
        return str(left) == str(right)
    return bool(left == right)


@pytest.mark.parametrize("text", FIXED)
def test_a_document_reads_as_the_standard_library_reads_it(text: str) -> None:
    for form in (text, text.encode("utf-8", "surrogatepass")):
        expected, got = standard(form), ours(form)
        if expected[0] == "value" and got[0] == "refused":
            # Refused by our own rules only: NUL and lone surrogates are unstorable, whatever reads them.
            assert UNSTORABLE.search(text), text
            continue
        assert expected[0] == got[0], (form, expected, got)
        if expected[0] == "value":
            assert same(expected[1], got[1]), (form, expected, got)


def test_documents_orjson_reads_exactly_are_not_read_again_by_json_loads() -> None:
    refused = mock.patch.object(http.json, "loads", side_effect=AssertionError("json.loads was used"))
    with refused:
        assert loads_json('{"action": "list", "id": 123, "items": 1}') == {"action": "list", "id": 123, "items": 1}
        assert loads_json(b'{"a": [1, 2, {"b": "x"}], "c": 922337203685477580}')["c"] == 922337203685477580
        # Money in strings, as most clients send it: a false alarm for the text search, no float in the value.
        assert loads_json('{"price_net": "100.00", "quantity": 3}') == {"price_net": "100.00", "quantity": 3}
    with mock.patch.object(http.json, "loads", wraps=http.json.loads) as standard:
        assert loads_json('{"pnetto": 100.00}') == {"pnetto": Decimal("100.00")}
        assert loads_json('{"id": 12345678901234567890123}') == {"id": 12345678901234567890123}
        assert loads_json('{"a": NaN}')["a"] != 0  # orjson refuses NaN: json.loads reads it (a float, refused later)
    assert standard.call_count == 3


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**25), max_value=10**25)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_generated_document_reads_as_the_standard_library_reads_it(value: Any) -> None:
    text = _numbers_bare(value)
    expected, got = standard(text), ours(text)
    if expected[0] == "value" and got[0] == "refused":
        assert UNSTORABLE.search(text), text  # our own rule, as above
        return
    assert expected[0] == got[0]
    if expected[0] == "value":
        assert same(expected[1], got[1]), (text, expected, got)


def _numbers_bare(value: Any) -> str:
    """JSON text with Decimals written as bare numbers (json.dumps would refuse them)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_numbers_bare(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_numbers_bare(v) for v in value) + "]"
    return json.dumps(value)
