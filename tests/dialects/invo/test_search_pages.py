"""INVO `search` over the full-text index (migration 0014): pages walk the matches in order, each once,
the total is exact, and a page reads the index in its own order instead of sorting every match."""
from __future__ import annotations

from typing import Any, Iterator

import pytest

from core.reader import Reader
from tests.dialects.invo.conftest import Api


def _invoice(api: Api, buyer: str, *items: str, mdate: str = "2024-05-06") -> int:
    answer = api("invoices", {"action": "add", "type2": "+FV", "c1name": buyer, "mdate": mdate, "items": [
        {"product": name, "count": 1, "pnetto": 100, "vatsm": "23%"} for name in items]})
    return int(answer["id"])


@pytest.fixture
def ledger_of_audits(api: Api, other_api: Api) -> list[int]:
    """Invoices of which some match "audyt" in a buyer name or an item (any case), in id order."""
    matching = []
    for n in range(13):
        if n % 3 == 0:
            matching.append(_invoice(api, f"Klient {n}", "Hosting", f"Audyt bezpieczeństwa {n}"))
        elif n % 3 == 1:
            matching.append(_invoice(api, f"AUDYTOR {n} Sp. z o.o.", "Szkolenie", mdate="2024-06-07"))
        else:
            # "Aud" and "yt" end and start two items: one invoice's items never run together into a match
            _invoice(api, f"Klient {n}", "Serwis Aud", "yt i wdrożenie")
    matching.append(_invoice(api, "Klient", "audyt", "Audyt powtórny"))  # two matching items: one match
    _invoice(other_api, "Audyt Obcy", "Audyt")  # another account's match
    return matching


def _walk(api: Api, cpp: int, **query: Any) -> tuple[list[int], set[int]]:
    ids, totals, page = [], set(), 1
    while True:
        answer = api("invoices", {"action": "list", "search": "audyt", "page": page, "cpp": cpp, **query})
        totals.add(answer["total"])
        if not answer["rows"]:
            return ids, totals
        assert answer["count"] == len(answer["rows"]) <= cpp
        ids += [row["id"] for row in answer["rows"]]
        page += 1


def test_search_pages_list_every_match_once_in_id_order_with_the_exact_total(
        api: Api, ledger_of_audits: list[int]) -> None:
    assert _walk(api, 3) == (ledger_of_audits, {len(ledger_of_audits)})
    assert _walk(api, 4, sortby="id desc") == (ledger_of_audits[::-1], {len(ledger_of_audits)})


def test_search_with_another_filter_pages_and_counts_only_the_invoices_both_match(
        api: Api, ledger_of_audits: list[int]) -> None:
    in_june = [i for i in ledger_of_audits if api("invoices", {"action": "list", "id": i})["rows"][0]["mdate"]
               == "2024-06-07"]
    assert in_june and len(in_june) < len(ledger_of_audits)
    assert _walk(api, 2, mdate="2024-06-01|2024-06-30") == (in_june, {len(in_june)})


def test_search_follows_edits_and_deletes(api: Api, ledger_of_audits: list[int]) -> None:
    first, second, third = ledger_of_audits[:3]
    api("invoices", {"action": "delete", "id": first})
    api("invoices", {"action": "edit", "id": second, "c1name": "Kontrahent"})  # matched by its buyer
    api("invoices", {"action": "edit", "id": third, "items": [  # matched by an item
        {"product": "Hosting", "count": 1, "pnetto": 100, "vatsm": "23%"}]})
    renamed = _invoice(api, "Kontrahent", "Usługa")
    api("invoices", {"action": "edit", "id": renamed, "c1name": "Audyt i Spółka"})
    itemised = _invoice(api, "Kontrahent", "Usługa")
    api("invoices", {"action": "edit", "id": itemised, "items": [
        {"product": "Usługa", "count": 1, "pnetto": 100, "vatsm": "23%"},
        {"product": "Drugi audyt", "count": 1, "pnetto": 100, "vatsm": "23%"}]})
    assert _walk(api, 5) == ([*ledger_of_audits[3:], renamed, itemised], {len(ledger_of_audits) - 1})


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
    """Every statement a Reader runs, with its parameters."""
    seen: list[tuple[str, tuple[Any, ...]]] = []
    original = Reader.execute

    def execute(self: Reader, sql: str, params: Any = ()) -> Any:
        seen.append((sql, tuple(params)))
        return original(self, sql, params)
    monkeypatch.setattr(Reader, "execute", execute)
    yield seen


@pytest.mark.parametrize("query", [{}, {"mdate": "2024-06-01|2024-06-30"}], ids=["search alone", "and a date"])
def test_a_search_page_reads_the_index_in_its_order_and_sorts_no_match(
        api: Api, ledger: Any, ledger_of_audits: list[int], statements: list[tuple[str, tuple[Any, ...]]],
        query: dict[str, Any]) -> None:
    api("invoices", {"action": "list", "search": "audyt", "page": 2, "cpp": 3, **query})
    searches = [(sql, params) for sql, params in statements if "MATCH" in sql]
    assert len(searches) == 2  # the page and the total: the matches are not fetched whole for either
    with ledger.engine.connect() as conn:
        plans = {sql: [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)]
                 for sql, params in searches}
    (page_sql, page_plan), (_, count_plan) = sorted(plans.items(), key=lambda item: "count(" in item[0])
    assert page_sql.endswith("LIMIT ? OFFSET ?")
    # The index is scanned in its rowid order, which is the page's: no temporary B-tree sorts or collects
    # matches. Another filter reads each match's invoice by its id; a search alone reads no invoice row.
    for plan in (page_plan, count_plan):
        assert plan[0].startswith("SCAN invoices_fts VIRTUAL TABLE"), plan
        assert plan[1:] == (["SEARCH invoices USING INTEGER PRIMARY KEY (rowid=?)"] if query else []), plan
