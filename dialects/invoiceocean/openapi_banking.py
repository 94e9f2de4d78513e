"""The OpenAPI entries of /bank_accounts, /account.json and /login.json, and the invoice's bank_accounts and
sparse-field parameters; openapi.py merges them into the one document."""
from __future__ import annotations

from typing import Any

from core.models import BankAccount, InvoiceBankAccount
from core.models.banking import OWN_BANK_ACCOUNT_TYPES, SNAPSHOT_FIELDS
from dialects.invoiceocean.errors import UNAUTHORIZED
from dialects.kit.openapi import INPUT_TYPES, Body, Operation, Schema, column_schema, json_body, ref

LINK: dict[str, Any] = {
    "type": "object",
    "properties": {"department_id": {"type": "integer"}, "show_on_invoice": {"type": "boolean"},
                   "main_on_department": {"type": "boolean"}},
    "required": ["department_id", "show_on_invoice", "main_on_department"], "additionalProperties": False}
TYPE_ENUM: Schema = {"anyOf": [{"type": "string", "enum": list(OWN_BANK_ACCOUNT_TYPES)}, {"type": "null"}]}


def _closed(properties: dict[str, Schema]) -> Schema:
    return {"type": "object", "properties": properties, "required": sorted(properties), "additionalProperties": False}


def invoice_bank_account_schema() -> Schema:
    props = {name: column_schema(InvoiceBankAccount, name) for name in SNAPSHOT_FIELDS}
    props["own_bank_account_type"] = TYPE_ENUM
    return _closed({"id": {"type": ["integer", "null"]}, **props})


def bank_account_schema() -> Schema:
    props = {name: column_schema(BankAccount, name) for name in SNAPSHOT_FIELDS}
    props["own_bank_account_type"] = TYPE_ENUM
    return _closed({"id": {"type": "integer"}, **props, "bank_account_id": {"type": "integer"},
                    "bank_account_version_departments": {"type": "array", "items": LINK}})


def bank_account_input() -> Schema:
    props = {name: column_schema(BankAccount, name, INPUT_TYPES) for name in SNAPSHOT_FIELDS}
    link = {"type": "object", "properties": {**LINK["properties"], "remove": {"type": "boolean"}},
            "additionalProperties": True}
    props[  # a list, or a Rails-style dict keyed "0", "1", ...
        "bank_account_version_departments"] = {"anyOf": [{"type": "array", "items": link},
                                                         {"type": "object", "additionalProperties": link}]}
    return {"type": "object", "properties": props, "required": ["bank_account_number"], "additionalProperties": True}


def schemas() -> dict[str, Schema]:
    return {
        "BankAccount": bank_account_schema(), "BankAccountInput": bank_account_input(),
        "InvoiceBankAccount": invoice_bank_account_schema(),
        "Account": {"type": "object", "additionalProperties": False, "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "prefix": {"type": "string"},
            "url": {"type": "string"}, "lang": {"type": "string"}, "currency": {"type": "string"},
            "timezone": {"type": "string"}, "active": {"type": "boolean"},
            "created_at": {"type": "string", "format": "date-time"},
            **{key: {"type": ["string", "null"]} for key in ("login", "email", "first_name", "last_name")}}},
        "SignedIn": _closed({key: {"type": ["string", "null"]} for key in (
            "login", "email", "prefix", "url", "first_name", "last_name", "api_token")}),
    }


def operations(ok: Any, wrapper: Any, read_errors: dict[int, str], write_errors: dict[int, str],
               paging: dict[str, Schema]) -> dict[str, Operation]:
    item, tag = ref("BankAccount"), "bank_accounts"
    body = wrapper("bank_account", "BankAccountInput")
    login_body: Schema = {"type": "object", "required": ["login", "password"], "additionalProperties": True,
                          "properties": {"login": {"type": "string"}, "password": {"type": "string"},
                                         "integration_token": {"type": "string"}}}
    return {
        "bank_accounts.list": Operation("List bank accounts", ok(200, {"type": "array", "items": item}, read_errors),
                                        tag=tag, query=paging),
        "bank_accounts.create": Operation(
            "Create a bank account", ok(201, item, write_errors), "bank_account_version_departments links it to "
            "departments: show_on_invoice puts it on their new invoices, main_on_department makes it their main "
            "account.", tag, body=body, body_required=True),
        "bank_accounts.get": Operation("Get a bank account", ok(200, item, read_errors), tag=tag),
        "bank_accounts.update": Operation(
            "Update a bank account", ok(200, item, write_errors), "Each bank_account_version_departments item adds "
            "or changes the link to its department; remove: true drops it. Invoices keep the values they were "
            "issued with.", tag, body=wrapper("bank_account", "BankAccountInput", required=False)),
        "bank_accounts.delete": Operation("Delete a bank account", {200: Body({}, "Empty body"), **write_errors},
                                          tag=tag),
        "account.get": Operation("The caller's account", ok(200, ref("Account"), read_errors),
                                 "The account and the user the credential belongs to; never a secret.", "account"),
        "account.login": Operation(
            "Sign in with login and password", {
                200: json_body(ref("SignedIn"), "api_token is a new API token issued for this sign-in"),
                401: json_body({"type": "object", "properties": {"code": {"const": "error"},
                                                                 "message": {"type": "string",
                                                                             "examples": [UNAUTHORIZED]}}},
                               "Unknown login and wrong password alike"),
                429: "RateLimited", 400: "Malformed"},
            "Logins are global: no api_token is needed. Failures are throttled per address and login.",
            "account", body=login_body, body_required=True),
    }


