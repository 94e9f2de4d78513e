"""Issuers ("Wystawcy") and bank accounts (API_RACHUNKI_BANKOWE.md), driven with the reference's own payloads,
and the bank accounts an invoice carries: the department's show_on_invoice ones, or the given ones instead."""
from __future__ import annotations

import json
from typing import Any

from starlette.testclient import TestClient

from dialects.invoiceocean.xml import parse_xml
from tests.dialects.invoiceocean.conftest import post_json

# README "Dodanie nowego wystawcy" and "Aktualizacja wystawcy" (the latter with its trailing comma removed:
# the reference's example is not valid JSON as printed).
ISSUER_CREATE = '{"api_token": "API_TOKEN", "issuer": {"name":"Issuer", "tax_no": "4170106662"}}'
ISSUER_UPDATE = '{"api_token": "API_TOKEN", "issuer": {"name":"new_name"}}'
# API_RACHUNKI_BANKOWE.md section 4, "Tworzenie rachunku" with "Powiązanie z działem", and "Aktualizacja".
BANK_CREATE = """{"api_token": "API_TOKEN", "bank_account": {
    "name": "Rachunek główny PLN",
    "bank_account_number": "PL61 1090 1014 0000 0712 1981 2874",
    "bank_name": "Santander Bank Polska",
    "bank_account_version_departments": [
      {"department_id": 123, "show_on_invoice": true, "main_on_department": true}]}}"""
BANK_CREATE_PLAIN = """{"api_token": "API_TOKEN", "bank_account": {
      "name": "Rachunek główny PLN",
      "bank_account_number": "PL61 1090 1014 0000 0712 1981 2874",
      "bank_name": "Santander Bank Polska",
      "bank_currency": "PLN",
      "bank_swift": "WBKPPLPP"}}"""
BANK_UPDATE = """{"api_token": "API_TOKEN", "bank_account": {
      "name": "Zaktualizowany rachunek",
      "bank_account_number": "PL61 1090 1014 0000 0712 1981 2874",
      "bank_name": "Nowa nazwa banku",
      "bank_currency": "PLN",
      "bank_swift": "WBKPPLPP"}}"""
# Section 3, "Tworzenie faktury z rachunkami bankowymi".
INVOICE_WITH_BANK = """{"api_token": "API_TOKEN", "invoice": {
      "kind": "vat",
      "buyer_name": "Klient Sp. z o.o.",
      "positions": [{"name": "Usługa", "tax": 23, "total_price_gross": 123.00, "quantity": 1}],
      "bank_accounts": [{
          "bank_account_number": "PL61 1090 1014 0000 0712 1981 2874",
          "bank_name": "Santander Bank Polska",
          "bank_currency": "EUR",
          "bank_swift": "WBKPPLPP"}]}}"""
# Section 5: a copy's explicit account.
INVOICE_WITH_API_BANK = """{"api_token": "API_TOKEN", "invoice": {
      "kind": "vat",
      "buyer_name": "Klient Sp. z o.o.",
      "positions": [{"name": "Usługa", "tax": 23, "total_price_gross": 123.00, "quantity": 1}],
      "bank_accounts": [{"bank_account_number": "PL21 2121 2121 2121 2121 2121 2121", "bank_name": "Bank z API"}]}}"""


def body(text: str, token: str, **replace: Any) -> bytes:
    text = text.replace("API_TOKEN", token)
    for old, new in replace.items():
        text = text.replace(old, str(new))
    json.loads(text)
    return text.encode()


def department(client: TestClient, token: str, name: str = "Dział B") -> int:
    response = post_json(client, "/departments.json", {"api_token": token, "department": {"name": name}})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def bank(client: TestClient, token: str, number: str, *links: dict[str, Any], **fields: Any) -> dict[str, Any]:
    response = post_json(client, "/bank_accounts.json", {"api_token": token, "bank_account": {
        "bank_account_number": number, **fields, "bank_account_version_departments": list(links)}})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


# --- issuers ----------------------------------------------------------------------------------------

def test_issuer_crud_with_the_readme_payloads(client: TestClient, token: str) -> None:
    created = post_json(client, "/issuers.json", body(ISSUER_CREATE, token))
    assert created.status_code == 201, created.text
    issuer = created.json()
    assert (issuer["name"], issuer["tax_no"], issuer["company"]) == ("Issuer", "4170106662", True)
    issuer_id = issuer["id"]
    assert client.get(f"/issuers/{issuer_id}.json?api_token={token}").json() == issuer
    updated = post_json(client, f"/issuers/{issuer_id}.json", body(ISSUER_UPDATE, token), method="PUT")
    assert updated.status_code == 200, updated.text
    assert {k: v for k, v in updated.json().items() if k != "updated_at"} == {
        **{k: v for k, v in issuer.items() if k != "updated_at"}, "name": "new_name"}
    assert [i["id"] for i in client.get(f"/issuers.json?api_token={token}").json()] == [issuer_id]
    deleted = client.delete(f"/issuers/{issuer_id}.json?api_token={token}")
    assert deleted.json() == {"code": "success", "message": "Issuer deleted"}
    assert client.get(f"/issuers/{issuer_id}.json?api_token={token}").status_code == 404


def test_issuer_fields_follow_the_invoice_issuer_list_and_its_ksef_roles(client: TestClient, token: str) -> None:
    fields = {"name": "Wystawca1", "first_name": "Jan", "last_name": "Kowalski", "tax_no": "1000000000",
              "company": "true", "country": "PL", "city": "Miasto", "post_code": "00-000", "street": "Ulica 1",
              "phone": "711000000", "email": "wystawca1@email.pl", "note": "Dodatkowe uwagi", "role": "Rola inna",
              "participation": 10.00, "role_description": "Opis roli"}
    issuer = post_json(client, "/issuers.json", {"api_token": token, "issuer": fields}).json()
    assert {k: issuer[k] for k in fields} == {**fields, "company": True, "participation": "10.00"}
    wrong = post_json(client, "/issuers.json", {"api_token": token, "issuer": {"name": "X", "role": "Odbiorca"}})
    assert (wrong.status_code, wrong.json()) == (422, {"code": "error", "message": {
        "role": ["is not included in the list"]}})
    blank = post_json(client, "/issuers.json", {"api_token": token, "issuer": {"tax_no": "1"}})
    assert blank.json()["message"] == {"name": ["can't be blank"]}


def test_issuer_in_xml(client: TestClient, token: str) -> None:
    xml = f"<issuer><api-token>{token}</api-token><name>XML Issuer</name><company>false</company></issuer>"
    created = client.post("/issuers.xml", content=xml.encode(), headers={"Content-Type": "application/xml"})
    assert created.status_code == 201, created.text
    root, value = parse_xml(created.content)
    assert (root, value["name"], value["company"]) == ("issuer", "XML Issuer", False)
    assert '<participation type="decimal" nil="true"/>' in created.text


# --- bank accounts ----------------------------------------------------------------------------------

def test_bank_account_created_with_a_department_link_answers_the_documented_body(client: TestClient,
                                                                                 token: str) -> None:
    dept = department(client, token)
    created = post_json(client, "/bank_accounts.json", body(BANK_CREATE, token, **{"123": dept}))
    assert created.status_code == 201, created.text
    bank_id = created.json()["id"]
    # The documented 201 body, whole (ids are ours; the currency defaults to the account's).
    assert created.json() == {
        "id": bank_id, "name": "Rachunek główny PLN", "bank_name": "Santander Bank Polska",
        "bank_account_number": "PL61 1090 1014 0000 0712 1981 2874", "bank_currency": "PLN", "bank_swift": None,
        "account_description": None, "own_bank_account": False, "own_bank_account_type": None,
        "factor_bank_account": False, "bank_account_id": bank_id,
        "bank_account_version_departments": [{"department_id": dept, "show_on_invoice": True,
                                              "main_on_department": True}]}
    assert client.get(f"/bank_accounts/{bank_id}.json?api_token={token}").json() == created.json()
    assert client.get(f"/bank_accounts.json?api_token={token}").json() == [created.json()]


def test_bank_account_update_and_delete_as_documented(client: TestClient, token: str) -> None:
    created = post_json(client, "/bank_accounts.json", body(BANK_CREATE_PLAIN, token)).json()
    bank_id = created["id"]
    updated = post_json(client, f"/bank_accounts/{bank_id}.json", body(BANK_UPDATE, token), method="PUT")
    assert updated.status_code == 200, updated.text
    assert updated.json() == {
        "id": bank_id, "name": "Zaktualizowany rachunek", "bank_name": "Nowa nazwa banku",
        "bank_account_number": "PL61 1090 1014 0000 0712 1981 2874", "bank_currency": "PLN",
        "bank_swift": "WBKPPLPP", "account_description": None, "own_bank_account": False,
        "own_bank_account_type": None, "factor_bank_account": False, "bank_account_id": bank_id,
        "bank_account_version_departments": []}
    deleted = client.delete(f"/bank_accounts/{bank_id}.json?api_token={token}")
    assert (deleted.status_code, deleted.content) == (200, b"")  # "Pusty body z kodem HTTP 200"
    gone = client.get(f"/bank_accounts/{bank_id}.json?api_token={token}")
    assert (gone.status_code, gone.json()) == (404, {"code": "error", "message": "Not found"})


def test_bank_account_errors_are_the_documented_ones(client: TestClient, token: str) -> None:
    def create(**fields: Any) -> Any:
        return post_json(client, "/bank_accounts.json", {"api_token": token, "bank_account": {
            "bank_account_number": "PL61109010140000071219812874", **fields}})

    assert create(name="x" * 256).json() == {"code": "error", "message": {
        "name": ["is too long (maximum is 255 characters)"]}}
    assert create(account_description="x" * 257).json()["message"] == {
        "account_description": ["is too long (maximum is 256 characters)"]}
    wrong_type = create(own_bank_account=True, own_bank_account_type="pocket_money")
    assert (wrong_type.status_code, wrong_type.json()["message"]) == (422, {
        "own_bank_account_type": ["is not included in the list"]})
    assert create(own_bank_account=True, own_bank_account_type="debt_collection",
                  factor_bank_account=True).json()["own_bank_account_type"] == "debt_collection"
    blank = post_json(client, "/bank_accounts.json", {"api_token": token, "bank_account": {"name": "no number"}})
    assert blank.json()["message"] == {"bank_account_number": ["can't be blank"]}


def test_a_department_link_can_be_changed_and_removed_and_one_account_is_main(client: TestClient,
                                                                             token: str) -> None:
    dept = department(client, token)
    first = bank(client, token, "11 1111 1111 1111 1111 1111 1111", {"department_id": dept, "main_on_department": True})
    second = bank(client, token, "22 2222 2222 2222 2222 2222 2222", {"department_id": dept, "main_on_department": True,
                                                                      "show_on_invoice": True})
    again = client.get(f"/bank_accounts/{first['id']}.json?api_token={token}").json()
    assert again["bank_account_version_departments"] == [
        {"department_id": dept, "show_on_invoice": False, "main_on_department": False}]
    removed = post_json(client, f"/bank_accounts/{second['id']}.json", {"api_token": token, "bank_account": {
        "bank_account_version_departments": [{"department_id": dept, "remove": True}]}}, method="PUT")
    assert removed.json()["bank_account_version_departments"] == []


def test_a_link_to_another_accounts_department_is_refused(client: TestClient, token: str, other_token: str) -> None:
    theirs = department(client, other_token, "Cudzy dział")
    refused = post_json(client, "/bank_accounts.json", {"api_token": token, "bank_account": {
        "bank_account_number": "PL61109010140000071219812874",
        "bank_account_version_departments": [{"department_id": theirs, "show_on_invoice": True}]}})
    assert refused.status_code == 422
    assert client.get(f"/bank_accounts.json?api_token={token}").json() == []


# --- invoices and their bank accounts ---------------------------------------------------------------

def _invoice(client: TestClient, token: str, **fields: Any) -> dict[str, Any]:
    invoice = {"kind": "vat", "buyer_name": "Klient Sp. z o.o.",
               "positions": [{"name": "Usługa", "tax": 23, "total_price_gross": "123.00", "quantity": 1}], **fields}
    response = post_json(client, "/invoices.json", {"api_token": token, "invoice": invoice})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_an_invoice_without_bank_accounts_takes_its_departments_shown_ones(client: TestClient, token: str) -> None:
    dept = department(client, token)
    pln = bank(client, token, "PL11 1111 1111 1111 1111 1111 1111", {"department_id": dept, "show_on_invoice": True},
               bank_name="Bank PLN")
    eur = bank(client, token, "PL22 2222 2222 2222 2222 2222 2222", {"department_id": dept, "show_on_invoice": True},
               bank_name="Bank EUR", bank_currency="EUR")
    bank(client, token, "PL33 3333 3333 3333 3333 3333 3333", {"department_id": dept, "show_on_invoice": False})
    invoice = _invoice(client, token, department_id=dept)
    assert [b["id"] for b in invoice["bank_accounts"]] == [pln["id"], eur["id"]]
    assert invoice["bank_accounts"][1] == {
        "id": eur["id"], "name": None, "bank_name": "Bank EUR", "bank_account_number": "PL22 2222 2222 2222 2222 "
        "2222 2222", "bank_currency": "EUR", "bank_swift": None, "account_description": None,
        "own_bank_account": False, "own_bank_account_type": None, "factor_bank_account": False}
    assert client.get(f"/invoices/{invoice['id']}.json?api_token={token}").json()["bank_accounts"] == \
        invoice["bank_accounts"]
    # Without a department_id the seller's department is the main one, which shows none here.
    assert _invoice(client, token)["bank_accounts"] == []


def test_a_given_bank_account_replaces_the_departments_and_is_created_once(client: TestClient, token: str) -> None:
    dept = department(client, token)
    bank(client, token, "PL11 1111 1111 1111 1111 1111 1111", {"department_id": dept, "show_on_invoice": True})
    created = post_json(client, "/invoices.json", body(INVOICE_WITH_BANK.replace(
        '"kind": "vat",', f'"kind": "vat", "department_id": {dept},'), token))
    assert created.status_code == 201, created.text
    (only,) = created.json()["bank_accounts"]
    assert only == {"id": only["id"], "name": None, "bank_name": "Santander Bank Polska",
                    "bank_account_number": "PL61 1090 1014 0000 0712 1981 2874", "bank_currency": "EUR",
                    "bank_swift": "WBKPPLPP", "account_description": None, "own_bank_account": False,
                    "own_bank_account_type": None, "factor_bank_account": False}
    # Deduplication: the same number written otherwise is the same account, with its stored values.
    again = _invoice(client, token, bank_accounts=[{"bank_account_number": "61109010140000071219812874",
                                                    "bank_name": "Ignored"}])
    assert again["bank_accounts"] == [only]
    assert len(client.get(f"/bank_accounts.json?api_token={token}").json()) == 2


def test_an_account_given_without_a_bank_name_gets_the_default_and_a_blank_number_is_refused(
        client: TestClient, token: str) -> None:
    created = post_json(client, "/invoices.json", body(INVOICE_WITH_API_BANK, token)).json()
    assert [(b["bank_name"], b["bank_currency"]) for b in created["bank_accounts"]] == [("Bank z API", "PLN")]
    plain = _invoice(client, token, bank_accounts=[{"bank_account_number": "PL77 7777 7777 7777 7777 7777 7777"}])
    assert plain["bank_accounts"][0]["bank_name"] == "Rachunek bankowy"
    refused = post_json(client, "/invoices.json", {"api_token": token, "invoice": {
        "kind": "vat", "buyer_name": "B", "positions": [{"name": "x", "total_price_gross": 1, "quantity": 1}],
        "bank_accounts": [{"bank_name": "no number"}]}})
    assert (refused.status_code, refused.json()) == (422, {"code": "error", "message": {
        "bank_accounts": ["can't be blank"]}})


def test_an_invoice_keeps_its_bank_account_as_issued_when_the_account_changes_or_goes(client: TestClient,
                                                                                     token: str) -> None:
    dept = department(client, token)
    account = bank(client, token, "PL11 1111 1111 1111 1111 1111 1111", {"department_id": dept,
                                                                         "show_on_invoice": True})
    invoice = _invoice(client, token, department_id=dept)
    post_json(client, f"/bank_accounts/{account['id']}.json", {"api_token": token, "bank_account": {
        "bank_account_number": "PL99 9999 9999 9999 9999 9999 9999"}}, method="PUT")
    client.delete(f"/bank_accounts/{account['id']}.json?api_token={token}")
    shown = client.get(f"/invoices/{invoice['id']}.json?api_token={token}").json()["bank_accounts"]
    assert shown == invoice["bank_accounts"]


def test_an_update_with_bank_accounts_replaces_them_and_one_without_keeps_them(client: TestClient,
                                                                              token: str) -> None:
    invoice = _invoice(client, token, bank_accounts=[{"bank_account_number": "PL11 1111 1111 1111 1111 1111 1111"}])
    kept = post_json(client, f"/invoices/{invoice['id']}.json", {"api_token": token, "invoice": {
        "buyer_name": "Nowy"}}, method="PUT").json()
    assert kept["bank_accounts"] == invoice["bank_accounts"]
    replaced = post_json(client, f"/invoices/{invoice['id']}.json", {"api_token": token, "invoice": {
        "bank_accounts": [{"bank_account_number": "PL22 2222 2222 2222 2222 2222 2222"}]}}, method="PUT").json()
    assert [b["bank_account_number"] for b in replaced["bank_accounts"]] == ["PL22 2222 2222 2222 2222 2222 2222"]
    # The invoice as read, sent back whole, changes nothing.
    same = post_json(client, f"/invoices/{invoice['id']}.json", {"api_token": token, "invoice": replaced},
                     method="PUT").json()
    assert same["bank_accounts"] == replaced["bank_accounts"]


def test_a_copied_invoice_takes_the_departments_accounts_not_the_sources(client: TestClient, token: str) -> None:
    dept = department(client, token)
    shown = bank(client, token, "PL11 1111 1111 1111 1111 1111 1111", {"department_id": dept, "show_on_invoice": True})
    source = _invoice(client, token, department_id=dept,
                      bank_accounts=[{"bank_account_number": "PL22 2222 2222 2222 2222 2222 2222"}])
    copy = post_json(client, "/invoices.json", {"api_token": token, "invoice": {
        "copy_invoice_from": source["id"]}}).json()
    assert [b["id"] for b in copy["bank_accounts"]] == [shown["id"]]


def test_an_invoice_with_bank_accounts_in_xml(client: TestClient, token: str) -> None:
    invoice = _invoice(client, token, bank_accounts=[{"bank_account_number": "PL11 1111 1111 1111 1111 1111 1111",
                                                      "factor_bank_account": True}])
    text = client.get(f"/invoices/{invoice['id']}.xml?api_token={token}").text
    assert '<bank-accounts type="array">' in text and '<factor-bank-account type="boolean">true<' in text
    assert parse_xml(text.encode())[1]["bank_accounts"] == invoice["bank_accounts"]
