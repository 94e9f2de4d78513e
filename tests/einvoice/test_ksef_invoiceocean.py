"""KSeF through the InvoiceOcean (Fakturownia) API, as shared/reference/fakturownia-api/KSeF.md describes it."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Callable

from ksef_client.documents.fa3.xml import validate_fa3_xml_xsd
from ksef_client.utils.ksef_number import validate_ksef_number
from starlette.testclient import TestClient

from core.einvoice.service import LOCKED
from tests.einvoice.conftest import (
    QUICK_START,
    SELLER,
    fa3_amounts,
    post,
    quick_start_correction,
    settled,
    wait_for,
)

GOV_FIELDS = ("gov_status", "gov_id", "gov_send_date", "gov_sell_date", "gov_error_messages",
              "gov_verification_link", "gov_link", "gov_corrected_invoice_number")


def test_quick_start_invoice_reaches_demo_ok_with_a_checksummed_ksef_number_a_valid_fa3_and_a_upo(
        client: TestClient, token: str) -> None:
    created = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True, "invoice": QUICK_START})
    assert created.status_code == 201, created.text
    assert created.json()["gov_status"] in ("demo_processing", "demo_ok")
    body = wait_for(client, token, created.json()["id"], settled)
    assert body["gov_status"] == "demo_ok"
    assert validate_ksef_number(body["gov_id"]).is_valid, body["gov_id"]
    assert body["gov_id"].startswith("5252445767-")
    assert body["gov_error_messages"] is None and body["gov_send_date"] and body["gov_sell_date"]
    xml = client.get(f"/invoices/{body['id']}/attachment", params={"kind": "gov", "api_token": token})
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("text/xml")
    validate_fa3_xml_xsd(xml.content)  # the package's own validator, not the gateway's
    amounts = fa3_amounts(xml.content)
    assert amounts == {"P_13_1": Decimal(body["price_net"]), "P_14_1": Decimal(body["price_tax"]),
                       "P_15": Decimal(body["price_gross"])}
    upo = client.get(f"/invoices/{body['id']}/attachment", params={"kind": "gov_upo", "api_token": token})
    assert upo.status_code == 200 and body["gov_id"].encode() in upo.content


def test_every_invoice_shows_the_gov_fields_null_until_it_is_sent_in_json_and_xml(
        client: TestClient, token: str) -> None:
    created = post(client, "/invoices.json", {"api_token": token, "invoice": QUICK_START}).json()
    assert {name: created[name] for name in GOV_FIELDS} == dict.fromkeys(GOV_FIELDS)
    listed = client.get("/invoices.json", params={"api_token": token}).json()
    assert all(name in listed[0] for name in GOV_FIELDS)
    xml = client.get(f"/invoices/{created['id']}.xml", params={"api_token": token}).text
    assert "<gov-status" in xml or "<gov_status" in xml


def test_an_invoice_ksef_would_refuse_gets_the_guides_422_and_is_not_saved(client: TestClient, token: str) -> None:
    invoice = {**QUICK_START, "buyer_tax_no": "", "buyer_phone": "+48 123 456 789 000",
               "positions": [{"name": "Konsultacja", "quantity": 1, "total_price_gross": 100, "tax": "zw"}]}
    before = len(client.get("/invoices.json", params={"api_token": token}).json())
    answer = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True, "invoice": invoice})
    assert answer.status_code == 422
    assert answer.json() == {"code": "error", "message": {
        "buyer_tax_no": ["- nie może być puste"],
        "buyer_phone": ["- pole jest za długie (maksymalna ilość znaków: 16)"],
        "exempt_tax_kind": ["- nie może być puste"]}}
    assert len(client.get("/invoices.json", params={"api_token": token}).json()) == before


def test_with_validation_off_the_invoice_is_saved_with_gov_error_messages(
        client: TestClient, token: str, set_mode: Callable[..., None]) -> None:
    set_mode("demo", validate=False)
    invoice = {**QUICK_START, "buyer_phone": "+48 123 456 789 000",
               "positions": [{"name": "Konsultacja", "quantity": 1, "total_price_gross": 100, "tax": "zw"}]}
    created = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": 1, "invoice": invoice})
    assert created.status_code == 201, created.text
    body = client.get(f"/invoices/{created.json()['id']}.json",
                      params={"api_token": token, "fields[invoice]": "gov_status,gov_error_messages"}).json()
    assert set(body) == {"gov_status", "gov_error_messages"}  # sparse fields reach the KSeF fields too
    assert body["gov_status"] == "demo_send_error"
    assert body["gov_error_messages"] == ["Telefon klienta - pole jest za długie (maksymalna ilość znaków: 16)",
                                          "podstawa zwolnienia z podatku VAT - nie może być puste"]


def test_send_to_ksef_on_get_sends_an_existing_invoice(client: TestClient, token: str) -> None:
    created = post(client, "/invoices.json", {"api_token": token, "invoice": QUICK_START}).json()
    assert created["gov_status"] is None
    client.get(f"/invoices/{created['id']}.json", params={"api_token": token, "send_to_ksef": "yes"})
    assert wait_for(client, token, created["id"], settled)["gov_status"] == "demo_ok"


def test_gov_save_and_send_in_the_query_string_on_update(client: TestClient, token: str) -> None:
    created = post(client, "/invoices.json", {"api_token": token, "invoice": QUICK_START}).json()
    updated = post(client, f"/invoices/{created['id']}.json?gov_save_and_send=1",
                   {"api_token": token, "invoice": {"place": "Warszawa"}}, method="PUT")
    assert updated.status_code == 200, updated.text
    assert wait_for(client, token, created["id"], settled)["gov_status"] == "demo_ok"


def test_a_proforma_is_not_applicable(client: TestClient, token: str) -> None:
    created = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True,
                                              "invoice": {**QUICK_START, "kind": "proforma"}}).json()
    assert created["gov_status"] == "demo_not_applicable"


def test_ksef_mode_off_answers_not_connected(client: TestClient, token: str, set_mode: Callable[..., None]) -> None:
    set_mode("off")
    created = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True,
                                              "invoice": QUICK_START}).json()
    assert created["gov_status"] == "not_connected" and created["gov_id"] is None


def test_gov_fields_are_read_only(client: TestClient, token: str) -> None:
    created = post(client, "/invoices.json", {"api_token": token, "invoice": {
        **QUICK_START, "gov_status": "ok", "gov_id": "5252445767-20260201-ABC123DEF456-00"}}).json()
    assert created["gov_status"] is None and created["gov_id"] is None


def test_a_correction_carries_the_corrected_invoices_ksef_number(client: TestClient, token: str) -> None:
    original = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True,
                                               "invoice": QUICK_START}).json()
    sent = wait_for(client, token, original["id"], settled)
    line = sent["positions"][0]
    correction = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True,
                                                 "invoice": quick_start_correction(original["id"])})
    assert correction.status_code == 201, correction.text
    body = wait_for(client, token, correction.json()["id"], settled)
    assert body["gov_corrected_invoice_number"] == sent["gov_id"]
    assert body["gov_status"] == "demo_ok", body["gov_error_messages"]
    xml = client.get(f"/invoices/{body['id']}/attachment", params={"kind": "gov", "api_token": token}).content
    validate_fa3_xml_xsd(xml)
    assert b"<RodzajFaktury>KOR</RodzajFaktury>" in xml and sent["gov_id"].encode() in xml
    assert line["name"] == "Usługa"


def test_production_lock_refuses_edits_and_deletes_but_not_an_unchanged_put(
        client: TestClient, token: str, set_mode: Callable[..., None]) -> None:
    set_mode("production")
    created = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True,
                                              "invoice": QUICK_START}).json()
    body = wait_for(client, token, created["id"], settled)
    assert body["gov_status"] == "ok"
    edit = post(client, f"/invoices/{body['id']}.json", {"api_token": token, "invoice": {"buyer_name": "Inny"}},
                method="PUT")
    assert edit.status_code == 422 and edit.json() == {"code": "error", "message": {"base": [LOCKED]}}
    deleted = client.delete(f"/invoices/{body['id']}.json", params={"api_token": token})
    assert deleted.status_code == 422
    same = post(client, f"/invoices/{body['id']}.json",
                {"api_token": token, "invoice": {"buyer_name": body["buyer_name"]}}, method="PUT")
    assert same.status_code == 200, same.text
    assert client.get(f"/invoices/{body['id']}.json", params={"api_token": token}).json()["buyer_name"] == \
        body["buyer_name"]


def test_demo_mode_does_not_lock(client: TestClient, token: str) -> None:
    created = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True,
                                              "invoice": QUICK_START}).json()
    assert wait_for(client, token, created["id"], settled)["gov_status"] == "demo_ok"
    edit = post(client, f"/invoices/{created['id']}.json", {"api_token": token, "invoice": {"place": "Kraków"}},
                method="PUT")
    assert edit.status_code == 200


def test_an_invoice_dated_yesterday_is_sent_as_offline24(client: TestClient, token: str) -> None:
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    created = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True,
                                              "invoice": {**QUICK_START, "issue_date": yesterday}}).json()
    body = wait_for(client, token, created["id"], settled)
    upo = client.get(f"/invoices/{body['id']}/attachment", params={"kind": "gov_upo", "api_token": token}).text
    assert "<TrybWysylki>Offline</TrybWysylki>" in upo


def test_attachment_kinds_unknown_or_absent(client: TestClient, token: str, other_token: str) -> None:
    created = post(client, "/invoices.json", {"api_token": token, "invoice": QUICK_START}).json()
    path = f"/invoices/{created['id']}/attachment"
    assert client.get(path, params={"kind": "gov", "api_token": token}).status_code == 404
    assert client.get(path, params={"kind": "nope", "api_token": token}).status_code == 422
    post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True, "invoice": QUICK_START})
    assert client.get(path, params={"kind": "gov", "api_token": other_token}).status_code == 404


def test_issuers_and_recipients_become_podmiot3_with_their_roles(client: TestClient, token: str) -> None:
    invoice: dict[str, Any] = {
        "kind": "vat", **SELLER, "buyer_name": "Firma Pacjent Sp. z o.o.", "buyer_tax_no": "9876543210",
        "buyer_street": "ul. Biznesowa 5", "buyer_post_code": "00-002", "buyer_city": "Kraków", "buyer_company": True,
        "exempt_tax_kind": "Zwolnienie ze względu na rodzaj prowadzonej działalności (art. 43 ust 1 ustawy o VAT)",
        "positions": [{"name": "Konsultacja lekarska", "quantity": 2, "total_price_gross": 400.00, "tax": "zw"},
                      {"name": "Badanie laboratoryjne", "quantity": 1, "total_price_gross": 123.00, "tax": 23}],
        "issuers": [{"name": "Biuro Rachunkowe XYZ", "tax_no": "1111111111", "company": True, "country": "PL",
                     "role": "Wystawca faktury"}],
        "recipients": [{"name": "Współwłaściciel A Sp. z o.o.", "tax_no": "2222222222", "company": True,
                        "country": "PL", "street": "ul. Partnerska 1", "city": "Gdańsk", "post_code": "80-001",
                        "role": "Dodatkowy nabywca", "participation": 40.0}]}
    created = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True, "invoice": invoice})
    assert created.status_code == 201, created.text
    body = wait_for(client, token, created.json()["id"], settled)
    assert body["gov_status"] == "demo_ok" and body["issuers"][0]["role"] == "Wystawca faktury"
    xml = client.get(f"/invoices/{body['id']}/attachment", params={"kind": "gov", "api_token": token}).content
    validate_fa3_xml_xsd(xml)
    assert b"<Rola>5</Rola>" in xml and b"<Rola>4</Rola>" in xml and b"<Udzial>40</Udzial>" in xml
    amounts = fa3_amounts(xml)
    assert amounts["P_13_7"] + amounts["P_13_1"] == Decimal(body["price_net"])


def test_an_unknown_role_is_refused(client: TestClient, token: str) -> None:
    invoice = {**QUICK_START, "recipients": [{"name": "X", "role": "Szef"}]}
    answer = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True, "invoice": invoice})
    assert answer.status_code == 422 and answer.json()["message"] == {"recipients.0.role": ["- jest nieprawidłowe"]}


def test_buyer_tax_no_kind_follows_the_guide(client: TestClient, token: str) -> None:
    eu = {**QUICK_START, "buyer_tax_no": "DE123456789", "buyer_country": "DE", "buyer_name": "German Company GmbH"}
    created = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True, "invoice": eu})
    assert created.status_code == 201, created.text
    xml = client.get(f"/invoices/{created.json()['id']}/attachment", params={"kind": "gov", "api_token": token})
    wait_for(client, token, created.json()["id"], settled)
    xml = client.get(f"/invoices/{created.json()['id']}/attachment", params={"kind": "gov", "api_token": token})
    assert b"<KodUE>DE</KodUE><NrVatUE>123456789</NrVatUE>" in xml.content
    bad = {**QUICK_START, "buyer_tax_no_kind": "nip_with_id", "buyer_tax_no": "5252445767"}
    answer = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True, "invoice": bad})
    assert answer.json()["message"] == {"buyer_tax_no": ["- jest nieprawidłowe"]}
    empty = {**QUICK_START, "buyer_tax_no_kind": "empty", "buyer_tax_no": "", "buyer_country": "US"}
    assert post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True,
                                           "invoice": empty}).status_code == 201


def test_a_retried_save_and_send_with_an_idempotency_key_creates_and_sends_once(client: TestClient, token: str) -> None:
    body = {"api_token": token, "gov_save_and_send": True, "invoice": QUICK_START}
    headers = {"Idempotency-Key": "ksef-once-1", "Content-Type": "application/json"}
    first = client.post("/invoices.json", json=body, headers=headers)
    again = client.post("/invoices.json", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert len(client.get("/invoices.json", params={"api_token": token}).json()) == 1


def test_send_to_ksef_of_another_accounts_invoice_is_not_found(client: TestClient, token: str,
                                                               other_token: str) -> None:
    created = post(client, "/invoices.json", {"api_token": token, "invoice": QUICK_START}).json()
    answer = client.get(f"/invoices/{created['id']}.json", params={"api_token": other_token, "send_to_ksef": "yes"})
    assert answer.status_code == 404
    assert client.get(f"/invoices/{created['id']}.json", params={"api_token": token}).json()["gov_status"] is None


def test_a_ksef_document_of_an_invoice_numbered_outside_ascii_downloads_under_its_exact_name(
        client: TestClient, token: str) -> None:
    """A header is Latin-1: the number travels in `filename*` (RFC 8187), with an ASCII fallback, never raw."""
    created = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True,
                                              "invoice": {**QUICK_START, "number": "FV/źdźbło/1"}})
    assert created.status_code == 201, created.text
    body = wait_for(client, token, created.json()["id"], settled)
    xml = client.get(f"/invoices/{body['id']}/attachment", params={"kind": "gov", "api_token": token})
    assert xml.status_code == 200
    disposition = xml.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="FV__') and \
        "filename*=UTF-8''FV_%C5%BAd%C5%BAb%C5%82o_1-ksef.xml" in disposition
