"""Odd input that used to be a 500 (issue 17, item 4): each gets its dialect's own 4xx, in its own words.

The fixes are in the shared readers (dialects.kit.http.loads_json, dialects.kit.ids.integer_text, core.money.to_decimal,
the XML reader), so every dialect is driven here through HTTP.
"""
from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from dialects.kit.http import MAX_JSON_EXPONENT, MAX_JSON_NUMBER_CHARS

UNSTORABLE = "a string with NUL or a lone UTF-16 surrogate (\\u0000, \\ud800-\\udfff)"
INVO_MALFORMED = {"error": 3, "message": "invalid JSON format"}


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def invo(client: TestClient, account: dict[str, Any], body: bytes | str,
         content_type: str = "application/json") -> tuple[int, Any]:
    answer = client.post("/api.json", content=body, headers={
        **basic(account["invo"]["login"], account["invo"]["password"]), "Content-Type": content_type})
    return answer.status_code, answer.json()


def io_post(client: TestClient, path: str, body: bytes, content_type: str = "application/json") -> tuple[int, Any]:
    answer = client.post(path, content=body, headers={"Content-Type": content_type})
    return answer.status_code, answer.text if "xml" in content_type else answer.json()


# --- unicode digits and doubled signs ---------------------------------------------------------------


@pytest.mark.parametrize("query", ["per_page=²", "page=¹", "page=٣", "per_page=%EF%BC%93", "page=" + "9" * 5000])
def test_invoiceocean_paging_in_unicode_or_endless_digits_falls_back_to_the_defaults(
        client: TestClient, account: dict[str, Any], query: str) -> None:
    token = account["invoiceocean"]["api_token"]
    answer = client.get(f"/clients.json?api_token={token}&{query}")
    assert (answer.status_code, answer.json()) == (200, [])


@pytest.mark.parametrize("value", ["--5", "²", "٣", "+5", "1_0", "9" * 5000])
@pytest.mark.parametrize("field", ["id", "cpp"])
def test_invo_integers_are_ascii_digits_or_a_validation_error(client: TestClient, account: dict[str, Any],
                                                              value: str, field: str) -> None:
    body = json.dumps({"r": "customers", "q": {"action": "list", field: value}})
    assert invo(client, account, body) == (200, {"error": 8, "message": "validation error",
                                                 "fields": {field: "must be an integer"}})


def test_invo_integers_far_beyond_64_bits_are_out_of_range_without_being_expanded(
        client: TestClient, account: dict[str, Any]) -> None:
    # 1e999 is a Decimal; int() of it would build 1,000 digits (and of 1e999999999, a billion).
    body = '{"r":"customers","q":{"action":"list","id":1e999}}'
    assert invo(client, account, body) == (200, {"error": 8, "message": "validation error",
                                                 "fields": {"id": "is out of range"}})


def test_fakturan_paging_in_unicode_digits_falls_back_to_the_defaults(client: TestClient,
                                                                       account: dict[str, Any]) -> None:
    answer = client.get("/api/v2/clients?page=²&per_page=٣",
                        headers=basic(account["fakturan"]["key_id"], account["fakturan"]["password"]))
    assert answer.status_code == 200
    assert answer.json()["paging"]["current_page"] == 1


def test_amounts_in_unicode_digits_are_invalid_not_read_as_numbers(client: TestClient,
                                                                  account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    body = {"api_token": token, "invoice": {"kind": "vat", "buyer_name": "Klient1", "positions": [
        {"name": "Produkt A1", "tax": 23, "total_price_gross": "١٠", "quantity": 1}]}}
    status, answer = io_post(client, "/invoices.json", json.dumps(body).encode())
    assert (status, answer) == (422, {"code": "error",
                                      "message": {"positions.0.total_price_gross": ["is invalid"]}})


# --- NUL and lone surrogates ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["a\\u0000b", "x\\ud800y", "\\udfff"])
def test_text_no_database_can_store_is_malformed_json_in_every_dialect(client: TestClient, account: dict[str, Any],
                                                                        text: str) -> None:
    token = account["invoiceocean"]["api_token"]
    for path, document in (("/clients.json", f'{{"api_token":"{token}","client":{{"name":"{text}"}}}}'),
                           ("/clients.json", f'{{"api_token":"{token}","client":{{"name":"x","{text}":"y"}}}}'),
                           ("/invoices.json", f'{{"api_token":"{token}","invoice":{{"buyer_name":"b","positions":'
                                              f'[{{"name":"{text}","tax":23,"total_price_gross":1,"quantity":1}}]}}}}')):
        assert io_post(client, path, document.encode()) == (400, {"code": "error",
                                                                  "message": f"Malformed JSON: {UNSTORABLE}"})

    for q in (f'{{"action":"list","search":"{text}"}}', f'{{"action":"add","name":"{text}"}}'):
        for resource in ("invoices", "customers", "products"):
            assert invo(client, account, f'{{"r":"{resource}","q":{q}}}') == (200, INVO_MALFORMED)
            assert invo(client, account, f"r={resource}&q={q}", "application/x-www-form-urlencoded") == (
                200, INVO_MALFORMED)

    fakturan = client.post("/api/v2/clients", content=f'{{"name":"{text}"}}'.encode(), headers={
        **basic(account["fakturan"]["key_id"], account["fakturan"]["password"]), "Content-Type": "application/json"})
    assert (fakturan.status_code, fakturan.json()) == (400, {"error": "400 Bad request"})


def test_escaped_surrogate_pairs_still_read_as_one_character(client: TestClient, account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    status, created = io_post(client, "/clients.json",
                              f'{{"api_token":"{token}","client":{{"name":"Kwiaty \\ud83c\\udf37"}}}}'.encode())
    assert status == 201 and created["name"] == "Kwiaty 🌷"


# --- odd encodings and numbers, answered in the dialect's words ----------------------------------------


@pytest.mark.parametrize("encoding", ["utf-7", "UTF-7", "shift_jis"])
def test_xml_in_an_encoding_expat_cannot_read_is_a_400_in_xml(client: TestClient, account: dict[str, Any],
                                                             encoding: str) -> None:
    token = account["invoiceocean"]["api_token"]
    body = f'<?xml version="1.0" encoding="{encoding}"?><client><name>+AGEAYgBj-</name></client>'.encode()
    status, answer = io_post(client, f"/clients.xml?api_token={token}", body, "application/xml")
    assert (status, answer) == (400, '<?xml version="1.0" encoding="UTF-8"?>\n<hash>\n  <code>error</code>\n'
                                     "  <message>malformed XML: unsupported encoding; send UTF-8</message>\n</hash>\n")


@pytest.mark.parametrize(("number", "message"), [
    ("9" * 5000, f"a number longer than {MAX_JSON_NUMBER_CHARS} characters"),  # was "Exceeds the limit (4300 digits)"
    ("1." + "1" * 5000, f"a number longer than {MAX_JSON_NUMBER_CHARS} characters"),
    ("1e999999999", f"a number with an exponent beyond {MAX_JSON_EXPONENT}"),
    ("1e-999999999", f"a number with an exponent beyond {MAX_JSON_EXPONENT}"),  # was decimal.Overflow, a 500
])
def test_numbers_json_cannot_hold_exactly_are_refused_in_our_words(client: TestClient, account: dict[str, Any],
                                                                  number: str, message: str) -> None:
    token = account["invoiceocean"]["api_token"]
    body = (f'{{"api_token":"{token}","invoice":{{"buyer_name":"b","positions":'
            f'[{{"name":"a","tax":23,"total_price_gross":1,"quantity":{number}}}]}}}}')
    assert io_post(client, "/invoices.json", body.encode()) == (400, {"code": "error",
                                                                      "message": f"Malformed JSON: {message}"})
    assert invo(client, account, f'{{"r":"customers","q":{{"action":"list","id":{number}}}}}') == (200, INVO_MALFORMED)


def test_a_body_that_is_not_utf8_is_refused_without_naming_python_codecs(client: TestClient,
                                                                        account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    body = f'{{"api_token":"{token}","client":{{"name":"x'.encode() + b'\xff"}}'
    assert io_post(client, "/clients.json", body) == (400, {"code": "error",
                                                            "message": "Malformed JSON: the body is not UTF-8 text"})


def test_an_integer_beyond_64_bits_echoed_in_a_fakturan_error_is_written_not_a_500(
        client: TestClient, account: dict[str, Any]) -> None:
    """Found by the fuzzer: orjson writes at most 64-bit integers, and fakturan echoes an invalid choice."""
    big = 10**30
    answer = client.post("/api/v2/invoices", content=f'{{"locale":{big}}}'.encode(),
                         headers={**basic(account["fakturan"]["key_id"], account["fakturan"]["password"]),
                                  "Content-Type": "application/json"})
    assert answer.status_code == 422
    assert answer.json() == {"errors": {"client_id": [{"error": "blank"}],
                                        "locale": [{"error": "inclusion", "value": big}],
                                        "base": [{"error": "Invoice_must_contain_rows"}]}}
