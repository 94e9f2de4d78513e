"""The shared read-modify-write rule: what equals the dialect's own answer is not input."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from dialects.kit.unchanged import changes, same


def test_a_value_as_it_travelled_over_the_wire_is_the_same_value() -> None:
    assert same(23, "23") and same("0.00", Decimal("0")) and same(23.0, Decimal("23.00"))
    assert same("true", True) and same(0, False) and not same("yes please", True)
    assert same("2026-12-06", date(2026, 12, 6))
    assert same(None, "") and same("", None) and not same("", "x")


def test_two_texts_compare_as_text() -> None:
    assert not same("007", "7")
    assert not same("Kraków ", "Kraków")


def test_an_echoed_record_leaves_only_its_id() -> None:
    shown = {"id": 5, "name": "Acme", "tax": 23, "settings": {"locale": "pl", "currency": None}}
    assert changes({"id": 5, "name": "Acme", "tax": "23", "settings": {"locale": "pl", "currency": ""}}, shown) == {
        "id": 5}


def test_a_nested_object_keeps_only_its_changed_keys() -> None:
    shown = {"address": {"city": "Warszawa", "street": "Nowa 1"}}
    assert changes({"address": {"city": "Kraków", "street": "Nowa 1"}}, shown) == {"address": {"city": "Kraków"}}


def test_lines_merged_by_id_keep_their_id_and_changed_keys_and_new_lines_whole() -> None:
    shown = {"rows": [{"id": 1, "name": "A", "amount": "1.0"}, {"id": 2, "name": "B", "amount": "2.0"}]}
    given = {"rows": [{"id": 1, "name": "A", "amount": 3}, {"id": 2, "name": "B", "amount": "2.0"},
                      {"name": "C", "amount": 1}]}
    assert changes(given, shown, by_id=("rows",)) == {
        "rows": [{"id": 1, "amount": 3}, {"id": 2}, {"name": "C", "amount": 1}]}


def test_a_changed_list_that_replaces_the_stored_one_is_kept_whole() -> None:
    shown = {"items": [{"id": 1, "name": "A", "price": 1}]}
    given = {"items": [{"id": 1, "name": "A", "price": 2}]}
    assert changes(given, shown) == given


def test_kept_keys_stay_even_when_unchanged() -> None:
    assert changes({"id": 3, "action": "edit", "kid": 0}, {"id": 3, "kid": 0}, keep=("id", "action")) == {
        "id": 3, "action": "edit"}
