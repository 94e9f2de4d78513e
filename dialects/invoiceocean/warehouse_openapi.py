"""The OpenAPI entries of /warehouse_documents and /warehouse_actions (dialects/invoiceocean/warehouse.py),
built from the same tables the endpoints read and present with. openapi.py calls these while it builds the
document, so its helpers are imported at call time."""
from __future__ import annotations

from typing import Any

from core.models import DOCUMENT_KINDS, WarehouseDocument
from dialects.invoiceocean import warehouse
from dialects.kit.openapi import Operation, Schema, column_schema, ref

ACTION_INPUT: dict[str, Schema] = {
    "product_id": {"type": ["integer", "string"]}, "product_name": {"type": "string"},
    "quantity": {"type": ["number", "string"]}, "price_net": {"type": ["number", "string"]},
    "tax": {"type": ["integer", "number", "string"]}, "purchase_price_net": {"type": ["number", "string"]},
    "purchase_tax": {"type": ["integer", "number", "string"]},
    "warehouse2_id": {"type": ["integer", "string"], "description": "mm: the warehouse the goods move to"},
}
ACTIONS_QUERY: dict[str, Schema] = {
    "warehouse_id": {"type": "integer"}, "kind": {"type": "string", "enum": list(DOCUMENT_KINDS)},
    "product_id": {"type": "integer"}, "date_from": {"type": "string", "format": "date"},
    "date_to": {"type": "string", "format": "date"}, "from_warehouse_document": {"type": "integer"},
    "to_warehouse_document": {"type": "integer"}, "warehouse_document_id": {"type": "integer"},
}


def warehouse_schemas() -> dict[str, Schema]:
    from dialects.invoiceocean.openapi import record_schema

    action = record_schema("warehouse_action", warehouse.ACTION_HIDDEN)
    action["properties"].update({"from_warehouse_document_id": {"type": ["integer", "null"]},
                                 "to_warehouse_document_id": {"type": ["integer", "null"]}})
    action["required"] = sorted(action["properties"])
    document = record_schema("warehouse_document")
    document["properties"].update({"invoice_ids": {"type": "array", "items": {"type": "integer"}},
                                   "warehouse_actions": {"type": "array", "items": ref("WarehouseAction")}})
    document["required"] = sorted(document["properties"])
    document_input: dict[str, Any] = {
        "type": "object", "additionalProperties": True,
        "properties": {
            **{name: column_schema(WarehouseDocument, name) for name in sorted(warehouse.DOCUMENT_COLUMNS)},
            "kind": {"type": "string", "enum": list(DOCUMENT_KINDS)},
            "number": {"type": ["string", "null"], "description": "null: the kind's next number"},
            "warehouse_id": {"type": ["integer", "string"]}, "issue_date": {"type": "string", "format": "date"},
            "department_id": {"type": ["integer", "string"]}, "client_id": {"type": ["integer", "string"]},
            "warehouse_actions": {"type": "array", "items": {"type": "object", "properties": ACTION_INPUT,
                                                             "additionalProperties": True}},
            "invoice_ids": {"type": "array", "items": {"type": ["integer", "string"]}},
        }}
    return {"WarehouseAction": action, "WarehouseDocument": document, "WarehouseDocumentInput": document_input}


def warehouse_operations() -> dict[str, Operation]:
    from dialects.invoiceocean.openapi import PAGING, READ_ERRORS, WRITE_ERRORS, _ok, wrapper

    item, tag = ref("WarehouseDocument"), "warehouse_documents"
    body = wrapper(warehouse.WRAPPER, "WarehouseDocumentInput")
    moves = "Stock moves in the same transaction; 422 when the account forbids negative stock and it would go below 0."
    return {
        "warehouse_documents.list": Operation(
            "List warehouse documents", _ok(200, {"type": "array", "items": item}, READ_ERRORS | {
                422: "Unprocessable"}), tag=tag, query={**PAGING, "kind": {"type": "string"},
                                                        "warehouse_id": {"type": "integer"}}),
        "warehouse_documents.create": Operation("Create a warehouse document (PZ, WZ, MM)",
                                                _ok(201, item, WRITE_ERRORS), moves, tag, body=body,
                                                body_required=True),
        "warehouse_documents.get": Operation("Get a warehouse document", _ok(200, item, READ_ERRORS), tag=tag),
        "warehouse_documents.update": Operation(
            "Update a warehouse document", _ok(200, item, WRITE_ERRORS),
            "Given warehouse_actions are the whole new set (stock moves by the difference); invoice_ids links "
            "invoices. " + moves, tag, body=wrapper(warehouse.WRAPPER, "WarehouseDocumentInput", required=False)),
        "warehouse_documents.delete": Operation("Delete a warehouse document (its stock moves back)",
                                                _ok(200, ref("Success"), WRITE_ERRORS), moves, tag),
        "warehouse_actions.list": Operation(
            "List stock movements", _ok(200, {"type": "array", "items": ref("WarehouseAction")}, READ_ERRORS | {
                422: "Unprocessable"}), "date_from and date_to are days in the account's timezone, both included.",
            "warehouse_actions", {**PAGING, **ACTIONS_QUERY}),
    }
