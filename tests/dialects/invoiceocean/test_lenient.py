"""Lenient booleans in every boolean field of every InvoiceOcean resource, not only the invoice's: each
settable boolean column, found from the core models, reads "1", "yes", "true" and true as true and
"0", "no", "false" and false as false, on create and on update."""
from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from core.fields import PROTECTED, column_types
from core.models import Payment
from dialects.invoiceocean.fields import HIDDEN, NOT_SETTABLE
from dialects.invoiceocean.parse import PAYMENT_COLUMNS
from dialects.invoiceocean.records import RESOURCES
from tests.dialects.invoiceocean.conftest import create_invoice, post_json

MINIMAL: dict[str, dict[str, Any]] = {
    "client": {"name": "Klient1 Sp. z o.o."},
    "product": {"name": "Produkt A1", "price_net": "10", "tax": "23"},
    "department": {"name": "Oddział", "shortcut": "odd"},
    "price_list": {"name": "Cennik", "currency": "PLN"},
    "recurring": {"name": "Co miesiąc", "start_date": "2031-01-01", "every": "1m"},
    "issuer": {"name": "Issuer", "tax_no": "4170106662"},
}
PATHS = {entity: spec.plural for entity, spec in RESOURCES.items()}
FLAGS = sorted((entity, name) for entity, spec in RESOURCES.items()
               for name, (kind, _nullable) in column_types(spec.model).items()
               if kind is bool and name not in PROTECTED | NOT_SETTABLE | HIDDEN)
FLAGS += [("banking_payment", name) for name in sorted(PAYMENT_COLUMNS)
          if column_types(Payment)[name][0] is bool]
TRUE = ["1", "yes", "true", "TRUE", True, 1]
FALSE = ["0", "no", "false", False, 0]


def _create(client: TestClient, token: str, entity: str, fields: dict[str, Any]) -> dict[str, Any]:
    if entity == "banking_payment":
        path, body = "/banking/payments.json", {"name": "Payment 001", "price": "1.00", **fields}
    else:
        body = {**MINIMAL[entity], **fields}
        if entity == "recurring":
            body["invoice_id"] = create_invoice(client, token)["id"]
        path = f"/{PATHS[entity]}.json"
    response = post_json(client, path, {"api_token": token, entity: body})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_the_boolean_fields_checked_cover_every_resource() -> None:
    assert {entity for entity, _name in FLAGS} >= {"client", "product", "recurring", "banking_payment"}


@pytest.mark.parametrize(("entity", "name"), FLAGS)
def test_every_boolean_field_of_every_resource_reads_lenient_values(client: TestClient, token: str, entity: str,
                                                                    name: str) -> None:
    path = "/banking/payments" if entity == "banking_payment" else f"/{PATHS[entity]}"
    for sent in TRUE:
        made = _create(client, token, entity, {name: sent})
        assert made[name] is True, (name, sent)
        for unsent in FALSE:
            updated = post_json(client, f"{path}/{made['id']}.json", {"api_token": token, entity: {name: unsent}},
                                method="PUT")
            assert updated.status_code == 200, updated.text
            assert updated.json()[name] is False, (name, unsent)
            post_json(client, f"{path}/{made['id']}.json", {"api_token": token, entity: {name: sent}}, method="PUT")
