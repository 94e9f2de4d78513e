"""r=customers, r=products and r=dictionaries with the seed's example queries."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from core.handlers.invoice_state import view_of
from core.handlers.records import get_record
from core.models import ExchangeRate
from tests.dialects.invo.conftest import Api

ALL_CUSTOMER_FIELDS = {
    "group": 0, "symbol": "K9", "name": "Firma Testowa", "street": "Długa 1", "code": "00-001", "city": "Warszawa",
    "country": "PL", "region": "mazowieckie", "taxid": "525-000-00-00", "tueid": "PL5250000000", "traid": "123456789",
    "krsid": "0000123456", "bname": "ING", "baccount": "22 2222", "bswift": "INGBPLPW", "sphone": "22 111 11 11",
    "mphone": "600 000 000", "faxnr": "22 111 11 12", "website": "firma.pl", "email": "biuro@firma.pl", "c1": 1,
    "c2": 1}


def test_seed_add_customer_maps_to_core_client(api: Api, customer_id: int, ledger: Any,
                                               account: dict[str, Any]) -> None:
    client = ledger.read(get_record, "client", account["account_id"], customer_id)
    assert (client.shortcut, client.name, client.street, client.post_code, client.city, client.tax_no, client.bank,
            client.bank_account) == ("K1", "Jan Kowalski", "Korfantego 100", "40-154", "Katowice", "645-123-45-67",
                                     "mBank", "00 1111 2222 3333 4444 5555")


def test_every_customer_field_round_trips(api: Api) -> None:
    made = api("customers", {"action": "add", **ALL_CUSTOMER_FIELDS})
    row = api("customers", {"action": "list", "id": made["id"]})["rows"][0]
    assert row == {"id": made["id"], **ALL_CUSTOMER_FIELDS, "dptype": 0}


def test_seed_list_customers_by_name_pattern(api: Api, customer_id: int) -> None:
    api("customers", {"action": "add", "name": "Anna Nowak"})
    assert [r["id"] for r in api("customers", {"action": "list", "name": "%kowalski%", "icase": 1})["rows"]] == [
        customer_id]
    assert api("customers", {"action": "list", "name": "%kowalski%"})["rows"] == []  # icase 0: case counts
    assert [r["name"] for r in api("customers", {"action": "list", "search": "kowalski"})["rows"]] == ["Jan Kowalski"]


def test_seed_edit_and_delete_customer(api: Api, customer_id: int) -> None:
    assert api("customers", {"action": "edit", "id": customer_id, "symbol": "K2", "name": "Jan Iksiński",
                             "street": "Korfantego 101"}) == {"id": customer_id}
    row = api("customers", {"action": "list", "id": customer_id})["rows"][0]
    assert (row["symbol"], row["name"], row["street"], row["city"]) == ("K2", "Jan Iksiński", "Korfantego 101",
                                                                        "Katowice")
    assert api("customers", {"action": "delete", "id": customer_id}) == {"id": customer_id}
    assert api("customers", {"action": "delete", "id": customer_id}) == {"error": 6, "message": "incorrect ID"}


def test_customer_without_name_is_validation_error(api: Api) -> None:
    assert api("customers", {"action": "add", "city": "Katowice"}) == {
        "error": 8, "message": "validation error", "fields": {"name": "can't be blank"}}


def test_seed_add_product_with_gross_price(api: Api) -> None:
    made = api("products", {"action": "add", "type": 0, "symbol": "Dell 3531", "name": "Laptop Dell Inspiron 3531",
                            "desc": "Ekran 15.6'' HD, Intel Celeron N2830, 4GB RAM/500GB HDD, Bateria 6.25 h",
                            "pkwiu": "26.20.11", "vatsm": "23%", "unitsm": "szt.", "brutto": Decimal("1500.00")})
    row = api("products", {"action": "list", "name": "%laptop dell%", "icase": 1})["rows"][0]
    assert {k: row[k] for k in ("id", "type", "symbol", "name", "pkwiu", "vatsm", "unitsm", "pnetto", "pbrutto")} == {
        "id": made["id"], "type": 0, "symbol": "Dell 3531", "name": "Laptop Dell Inspiron 3531", "pkwiu": "26.20.11",
        "vatsm": "23%", "unitsm": "szt.", "pnetto": Decimal("1219.51"), "pbrutto": Decimal("1500.00")}
    assert api("products", {"action": "edit", "id": made["id"], "symbol": "D3531", "name": "Dell Inspiron 3531",
                            "brutto": Decimal("1249.00")}) == {"id": made["id"]}
    row = api("products", {"action": "list", "search": "inspiron"})["rows"][0]
    assert (row["symbol"], row["pnetto"], row["pbrutto"]) == ("D3531", Decimal("1015.45"), Decimal("1249.00"))
    assert api("products", {"action": "delete", "id": made["id"]}) == {"id": made["id"]}
    assert api("products", {"action": "list", "id": made["id"]}) == {"error": 6, "message": "incorrect ID"}


def test_product_every_field_and_net_price(api: Api) -> None:
    taxes = api("dictionaries", {"action": "list", "what": "taxrates"})["rows"]
    seven = next(t["c1"] for t in taxes if t["c4"] == "7%")
    made = api("products", {"action": "add", "type": 1, "symbol": "S1", "name": "Serwis", "desc": "opis", "pkwiu": "62",
                            "sww": "123", "vatid": seven, "unitsm": "h", "pnetto": 100, "currency": "PLN",
                            "notices": "uwagi", "website": "http://x.pl"})
    row = api("products", {"action": "list", "id": made["id"]})["rows"][0]
    assert {k: v for k, v in row.items() if k not in ("unitid",)} == {
        "id": made["id"], "type": 1, "group": 0, "symbol": "S1", "name": "Serwis", "desc": "opis", "pkwiu": "62",
        "sww": "123", "vatid": seven, "vatsm": "7%", "unitsm": "h", "pnetto": Decimal("100.00"),
        "pbrutto": Decimal("107.00"), "currency": "PLN", "notices": "uwagi", "website": "http://x.pl"}


def test_seed_dictionary_taxrates(api: Api) -> None:
    answer = api("dictionaries", {"action": "list", "what": "taxrates"})
    assert answer["count"] == 8
    assert [(r["c2"], r["c3"], r["c4"], r["c5"]) for r in answer["rows"]] == [
        (0, "Podatek VAT 23%", "23%", Decimal("0.2300")), (0, "Podatek VAT 7%", "7%", Decimal("0.0700")),
        (0, "Stawka VAT 5%", "5%", Decimal("0.0500")), (0, "Podatek VAT 3%", "3%", Decimal("0.0300")),
        (0, "Podatek VAT 0%", "0%", Decimal("0.0000")), (0, "Zwolnienie z podatku VAT", "zw", Decimal("0.0000")),
        (0, "Podatek eksportowy", "ex", Decimal("0.0000")), (0, "Nie podlega", "np", Decimal("0.0000"))]


def test_seed_dictionary_paytypes_and_units(api: Api) -> None:
    paytypes = api("dictionaries", {"action": "list", "what": "paytypes"})
    assert [{k: v for k, v in r.items() if k != "c1"} for r in paytypes["rows"]] == [
        {"c2": 0, "c3": "Gotówka", "c4": 0, "c5": 100, "c6": 0, "c7": 0},
        {"c2": 0, "c3": "Przelew 14 dni", "c4": 14, "c5": 0, "c6": 1, "c7": 0},
        {"c2": 0, "c3": "Przelew 7 dni", "c4": 7, "c5": 0, "c6": 1, "c7": 0}]
    units = api("dictionaries", {"action": "list", "what": "units"})
    assert [(r["c3"], r["c4"], r["c5"]) for r in units["rows"]] == [("Sztuka", "szt.", 0), ("Godzina", "h", 1),
                                                                   ("Metr kw.", "m2", 2)]


def test_seed_dictionaries_accounts_employees_and_groups_after_add(api: Api) -> None:
    for what, values in (("accounts", {"c3": "mBank", "c4": "00 1111 1111 1111 1111 1111", "c5": "MBANK"}),
                         ("employees", {"c3": "Jan", "c4": "Kowalski"}),
                         ("groupcu", {"c3": "Lokalni", "c4": "klienci stali, z miasta i okolicy"}),
                         ("groupgs", {"c3": "Komputery", "c4": "komputery, monitory, urządzenia peryferyjne"})):
        assert api("dictionaries", {"action": "list", "what": what}) == {"count": 0, "rows": []}
        made = api("dictionaries", {"action": "add", "what": what, **values})
        assert api("dictionaries", {"action": "list", "what": what}) == {
            "count": 1, "rows": [{"c1": made["id"], "c2": 0, **values}]}


def test_error_4_for_an_unknown_dictionary(api: Api) -> None:
    assert api("dictionaries", {"action": "list", "what": "colours"}) == {"error": 4, "message": "incorrect dictionary"}
    assert api("dictionaries", {"action": "list"}) == {"error": 4, "message": "incorrect dictionary"}


def test_seed_currencies_columns_sort_and_limit(api: Api, ledger: Any, account: dict[str, Any]) -> None:
    def rates(session: Any) -> None:
        for day, eur, usd in (("2015-06-01", "4.1500", "3.8000"), ("2015-06-02", "4.1374", "3.7676"),
                              ("2015-06-03", "4.1307", "3.7108"), ("2015-06-05", "4.16", "3.6949")):
            for currency, rate in (("EUR", eur), ("USD", usd)):
                session.add(ExchangeRate(account_id=account["account_id"], day=date.fromisoformat(day),
                                         currency=currency, rate=Decimal(rate)))
    ledger.write(rates)
    answer = api("dictionaries", {"action": "list", "what": "currencies", "columns": "date,curr_eur,curr_usd",
                                  "sortby": "date desc", "limit": 3})
    assert answer == {"count": 3, "rows": [
        {"c1": "2015-06-05", "c2": Decimal("4.16"), "c3": Decimal("3.6949")},
        {"c1": "2015-06-03", "c2": Decimal("4.1307"), "c3": Decimal("3.7108")},
        {"c1": "2015-06-02", "c2": Decimal("4.1374"), "c3": Decimal("3.7676")}]}


def test_dictionary_entries_drive_invoice_values(api: Api, customer_id: int, ledger: Any,
                                                 account: dict[str, Any]) -> None:
    tax = api("dictionaries", {"action": "add", "what": "taxrates", "c3": "Podatek VAT 8%", "c4": "8%"})
    unit = api("dictionaries", {"action": "add", "what": "units", "c3": "Kilogram", "c4": "kg", "c5": 3})
    pay = api("dictionaries", {"action": "add", "what": "paytypes", "c3": "Przelew 30 dni", "c4": 30, "c6": 1})
    rows = api("dictionaries", {"action": "list", "what": "taxrates"})["rows"]
    assert rows[-1] == {"c1": tax["id"], "c2": 0, "c3": "Podatek VAT 8%", "c4": "8%", "c5": Decimal("0.0800")}
    made = api("invoices", {"action": "add", "c1id": customer_id, "mdate": "2015-01-10", "ptid": pay["id"],
                            "items": [{"product": "Mąka", "count": 2, "unitid": unit["id"], "vatid": tax["id"],
                                       "pnetto": 10}]})
    view = ledger.read(view_of, account["account_id"], made["id"])
    assert (view.lines[0].unit, view.lines[0].tax, view.invoice.payment_to, view.invoice.payment_type) == (
        "kg", "8", date(2015, 2, 9), "transfer")
    item = api("items", {"action": "list", "did": made["id"]})["rows"][0]
    assert (item["unitid"], item["vatid"], item["vatsm"]) == (unit["id"], tax["id"], "8%")
    assert api("invoices", {"action": "add", "c1id": customer_id, "items": [
        {"product": "x", "vatid": 99999, "pnetto": 1}]})["fields"] == {"items.0.vatid": "no such entry in taxrates"}


def test_dictionary_edit_and_delete(api: Api) -> None:
    unit = api("dictionaries", {"action": "add", "what": "units", "c3": "Kilogram", "c4": "kg", "c5": 3})
    api("dictionaries", {"action": "edit", "what": "units", "id": unit["id"], "c3": "Kilogramy"})
    row = api("dictionaries", {"action": "list", "what": "units"})["rows"][-1]
    assert row == {"c1": unit["id"], "c2": 0, "c3": "Kilogramy", "c4": "kg", "c5": 3}
    assert api("dictionaries", {"action": "delete", "what": "taxrates", "id": unit["id"]})["error"] == 6
    assert api("dictionaries", {"action": "delete", "what": "units", "id": unit["id"]}) == {"id": unit["id"]}
    assert api("dictionaries", {"action": "list", "what": "units"})["count"] == 3


def test_customer_payment_type_sets_payment_days(api: Api, ledger: Any, account: dict[str, Any]) -> None:
    paytypes = api("dictionaries", {"action": "list", "what": "paytypes"})["rows"]
    fourteen = next(p["c1"] for p in paytypes if p["c4"] == 14)
    made = api("customers", {"action": "add", "name": "Płatnik", "dptype": fourteen})
    client = ledger.read(get_record, "client", account["account_id"], made["id"])
    assert (client.payment_days, client.default_payment_type) == (14, "transfer")
    assert api("customers", {"action": "list", "id": made["id"]})["rows"][0]["dptype"] == fourteen
    invoice = api("invoices", {"action": "add", "c1id": made["id"], "mdate": "2015-01-01", "items": [
        {"product": "x", "pnetto": 1, "vatsm": "23%"}]})
    assert api("invoices", {"action": "list", "id": invoice["id"]})["rows"][0]["tdate"] == "2015-01-15"


def test_name_patterns_treat_only_percent_and_underscore_as_wildcards(api: Api) -> None:
    names = ["a*b", "axb", "A*B", "a?b", "a[b]", "a\\b", "a%b", "a_b"]
    ids = {name: api("customers", {"action": "add", "name": name})["id"] for name in names}

    def matched(pattern: str, icase: int = 0) -> set[str]:
        rows = api("customers", {"action": "list", "name": pattern, "icase": icase, "cpp": 100})["rows"]
        return {row["name"] for row in rows if row["id"] in ids.values()}

    # icase 0 is matched case-sensitively by the database, and GLOB's own * ? [ are plain characters there.
    assert matched("a*b") == {"a*b"}
    assert matched("a?b") == {"a?b"}
    assert matched("a[b]") == {"a[b]"}
    assert matched("a\\b") == {"a\\b"}
    assert matched("a_b") == {"a*b", "axb", "a?b", "a\\b", "a%b", "a_b"}
    assert matched("a%") == set(names) - {"A*B"}
    assert matched("a*b", icase=1) == {"a*b", "A*B"}
    assert matched("A%", icase=0) == {"A*B"}


def test_a_name_pattern_of_many_wildcards_is_matched_without_backtracking(api: Api) -> None:
    name = "a" * 45 + "b"
    made = api("customers", {"action": "add", "name": name})["id"]
    # Nine wildcards took 14 s through a backtracking regex; here they are the database's linear matcher.
    assert api("customers", {"action": "list", "name": "%a" * 30 + "%B"})["rows"] == []
    assert [r["id"] for r in api("customers", {"action": "list", "name": "%a" * 30 + "%b"})["rows"]] == [made]
    assert [r["id"] for r in api("customers",
                                 {"action": "list", "name": "%a" * 30 + "%B", "icase": 1})["rows"]] == [made]
