"""A record's children written by its shape's %-template (dialects/invoiceocean/xml.py, _by_form) are exactly what
_render's own loop writes, over random documents: every leaf type, nil elements with and without a type, texts
that need escaping (one search over the record's joined texts decides), keys that cannot name an element (left out
when lenient, refused otherwise, the same key named), nested records and lists, and shapes met again with other
values."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialects.invoiceocean import xml

KEYS = st.sampled_from(["id", "name", "price_net", "payment_to", "buyer-name", "0", "bad key", "positions", "tax",
                        "paid", "x.y", "_under", "9lives", "kind"])
TEXTS = st.one_of(st.sampled_from(["", "Usługa", "a & b", "<b>", "x > y", "line\r\nnext", "tab\there", "50%",
                                   "%s", "\x00nul", "\ud800", "\ufffe", "ok"]), st.text(max_size=12))
LEAVES = st.one_of(
    st.none(), TEXTS, st.booleans(), st.integers(-10**12, 10**12),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**9, max_value=10**9),
    st.dates(), st.datetimes(timezones=st.sampled_from([dt.timezone.utc, dt.timezone(dt.timedelta(hours=1))])))


def records(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(KEYS, children, max_size=8)


DOCUMENTS = st.recursive(records(LEAVES), lambda inner: st.one_of(records(inner), st.lists(inner, max_size=3)),
                         max_leaves=40)
TYPES = {"payment_to": "date", "paid": "decimal", "name": "string"}


def _both(monkeypatch: pytest.MonkeyPatch, value: Any, lenient: bool, types: dict[str, str] | None) -> tuple[Any, Any]:
    """(by the forms, by the loop alone): the bytes, or the refusal's message."""
    def render(forms: bool) -> Any:
        monkeypatch.setattr(xml, "_FORMS_ON", forms)
        try:
            return xml.render_xml("invoice", value, types=types, lenient=lenient)
        except ValueError as refused:
            return ("refused", str(refused))
    loop = render(False)
    return render(True), loop


@given(DOCUMENTS, st.booleans(), st.sampled_from([None, TYPES]))
@settings(max_examples=500, deadline=None)
def test_a_record_written_by_its_form_is_what_the_loop_writes(value: dict[str, Any], lenient: bool,
                                                              types: dict[str, str] | None) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        by_form, by_loop = _both(monkeypatch, value, lenient, types)
        again, _ = _both(monkeypatch, value, lenient, types)  # the form found again, not made
    assert by_form == by_loop
    assert again == by_loop


@given(st.lists(st.tuples(TEXTS, st.decimals(allow_nan=False, allow_infinity=False, places=2,
                                               min_value=-10**6, max_value=10**6)), min_size=2, max_size=6))
@settings(max_examples=200, deadline=None)
def test_one_shape_with_other_values_each_time_is_written_with_its_own_values(rows: list[tuple[str, Decimal]]) -> None:
    """The positions of an invoice: one shape, many records; clean and escaped texts alternate."""
    document = {"positions": [{"name": name, "price_net": price, "quantity": None} for name, price in rows]}
    with pytest.MonkeyPatch.context() as monkeypatch:
        by_form, by_loop = _both(monkeypatch, document, True, None)
    assert by_form == by_loop


def test_a_float_or_a_subclass_takes_the_loop_and_is_written_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    class Count(int):
        pass

    document = {"ratio": 0.5, "count": Count(3), "name": "x"}
    by_form, by_loop = _both(monkeypatch, document, True, None)
    assert by_form == by_loop and b"<ratio" in by_form


def test_the_forms_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xml, "_MAX_FORMS", 5)
    monkeypatch.setattr(xml, "_FORMS", {})
    for n in range(20):
        xml.render_xml("hash", {f"k{n}": "v"})
    assert len(xml._FORMS) <= 5
