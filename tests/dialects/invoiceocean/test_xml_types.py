"""Every XML answer follows Rails' to_xml conventions, element by element, against its JSON twin: integers
are type="integer", money and quantities type="decimal", flags type="boolean", days type="date",
timestamps (created-at, updated-at, ...) type="dateTime", text untyped, and a null is nil="true" with the
type it would have had (<payment-to type="date" nil="true"/>, as in the real export of the notes)."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element, fromstring

from starlette.testclient import TestClient

from tests.dialects.invoiceocean import seed_payloads as seed
from tests.dialects.invoiceocean.conftest import create_invoice, post_json, seed_body

LEXICAL = {
    "integer": re.compile(r"-?\d+\Z"),
    "decimal": re.compile(r"-?\d+(\.\d+)?\Z"),
    "boolean": re.compile(r"(true|false)\Z"),
    "date": re.compile(r"\d{4}-\d{2}-\d{2}\Z"),
    "dateTime": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})\Z"),
}
# Nulls whose JSON twin may be a number or a text (payment_to_kind: days, "other_date" or "off").
# Text that can be null: Rails writes a nil string without a type.
UNTYPED_NULLS = {"payment_to_kind", "gov_status", "gov_id", "gov_verification_link", "gov_link",
                 "gov_corrected_invoice_number"}


def _kind(value: Any) -> str | None:
    """The Rails type a JSON value stands for (money and dates are JSON strings)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})", value):
        return "dateTime"
    return None


def _compare(element: Element, twin: Any, path: str, problems: list[str], decimals: set[str],
             dates: set[str]) -> None:
    key = element.tag.replace("-", "_")
    xml_type = element.get("type")
    if isinstance(twin, list):
        if xml_type != "array":
            problems.append(f"{path}: a list without type=\"array\"")
        for index, (child, item) in enumerate(zip(element, twin, strict=False)):
            _compare(child, item, f"{path}[{index}]", problems, decimals, dates)
        return
    if isinstance(twin, dict):
        for child in element:
            name = child.tag.replace("-", "_")
            if name not in twin:
                problems.append(f"{path}.{name}: not in the JSON twin")
                continue
            _compare(child, twin[name], f"{path}.{name}", problems, decimals, dates)
        return
    if twin is None:
        if element.get("nil") != "true":
            problems.append(f"{path}: null without nil=\"true\"")
        if xml_type is None and key not in UNTYPED_NULLS:
            problems.append(f"{path}: nil=\"true\" without the type it would have had")
        return
    expected = _kind(twin)
    if expected is None and isinstance(twin, str):
        if xml_type == "decimal" and re.fullmatch(r"-?\d+(\.\d+)?", twin):
            expected = "decimal"  # money and rates; a percentage may print without decimals ("5")
        else:
            expected = "decimal" if key in decimals else "date" if key in dates else None
    if xml_type != expected:
        problems.append(f"{path}: type={xml_type!r}, expected {expected!r} for JSON {twin!r}")
    elif expected == "decimal" and Decimal(element.text or "nan") != Decimal(twin):
        problems.append(f"{path}: {element.text!r} in XML, {twin!r} in JSON")
    elif expected is not None and not LEXICAL[expected].match(element.text or ""):
        problems.append(f"{path}: {element.text!r} is not a Rails {expected}")


def _keys_of(value: Any, kind: type) -> set[str]:
    """Keys whose values parse as `kind` somewhere in a JSON document (money strings, dates)."""
    found: set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            for k, item in v.items():
                if isinstance(item, str) and _parses(item, kind):
                    found.add(k)
                walk(item)
        elif isinstance(v, list):
            for item in v:
                walk(item)
    walk(value)
    return found


def _parses(text: str, kind: type) -> bool:
    if kind is Decimal:
        return bool(re.fullmatch(r"-?\d+\.\d+", text))
    if kind is date:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))
    return False


def _problems(client: TestClient, token: str, path: str) -> list[str]:
    as_json = client.get(f"{path}.json", params={"api_token": token, "include": "invoices"}).json()
    response = client.get(f"{path}.xml", params={"api_token": token, "include": "invoices"})
    assert response.status_code == 200, response.text
    problems: list[str] = []
    # Keys whose JSON text reads as money (two or more decimals) or as a day: their XML must be typed.
    decimals, dates = _keys_of(as_json, Decimal), _keys_of(as_json, date)
    _compare(fromstring(response.content), as_json, path, problems, decimals, dates)
    return problems


def _ledger(client: TestClient, token: str) -> dict[str, int]:
    product = post_json(client, "/products.json", seed_body(seed.PRODUCT, token)).json()
    buyer = post_json(client, "/clients.json", seed_body(seed.CLIENT, token)).json()
    invoice = create_invoice(client, token, client_id=buyer["id"], payment_to_kind="off", exchange_currency="EUR",
                             positions=[{"product_id": product["id"], "quantity": 2, "discount_percent": 5},
                                        {"name": "Usługa", "tax": "zw", "total_price_gross": "100"}])
    post_json(client, "/banking/payments.json", {"api_token": token, "banking_payment": {
        "name": "Payment 001", "price": 50, "invoice_id": invoice["id"], "paid": True, "kind": "api"}})
    post_json(client, "/price_lists.json", seed_body(seed.PRICE_LIST.replace('"Product ID"', str(product["id"])),
                                                     token))
    post_json(client, "/recurrings.json", seed_body(seed.RECURRING, token, invoice_id=invoice["id"]))
    return {"invoice": invoice["id"], "client": buyer["id"], "product": product["id"]}


def test_every_xml_element_of_every_resource_follows_rails_types(client: TestClient, token: str) -> None:
    ids = _ledger(client, token)
    paths = ["/invoices", f"/invoices/{ids['invoice']}", "/clients", f"/clients/{ids['client']}", "/products",
             f"/products/{ids['product']}", "/departments", "/price_lists", "/recurrings", "/banking/payments"]
    problems = [problem for path in paths for problem in _problems(client, token, path)]
    assert problems == []


def test_timestamps_are_datetime_and_nulls_keep_their_type_in_invoice_xml(client: TestClient, token: str) -> None:
    invoice = create_invoice(client, token)
    xml = client.get(f"/invoices/{invoice['id']}.xml", params={"api_token": token}).text
    stamp = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})"
    assert re.search(rf'<created-at type="dateTime">{stamp}</created-at>', xml)
    assert re.search(rf'<updated-at type="dateTime">{stamp}</updated-at>', xml)
    for element in ('<paid-date type="date" nil="true"/>', '<recipient-id type="integer" nil="true"/>',
                    '<exchange-rate type="decimal" nil="true"/>', '<sent-time type="dateTime" nil="true"/>',
                    '<product-id type="integer" nil="true"/>', '<discount-percent type="decimal" nil="true"/>'):
        assert element in xml
    assert datetime.fromisoformat(re.search(stamp, xml).group(0).replace("Z", "+00:00"))  # type: ignore[union-attr]
