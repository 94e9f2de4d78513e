"""The /api/v2 route table."""
from __future__ import annotations

from starlette.routing import BaseRoute, Route

from dialects.fakturan import invoices, records
from dialects.kit.ids import RecordIdConvertor  # noqa: F401  registers {id:recid}

PREFIX = "/api/v2"


def routes() -> list[BaseRoute]:
    return [
        Route(f"{PREFIX}/clients", records.list_clients, methods=["GET"]),
        Route(f"{PREFIX}/clients", records.create_client, methods=["POST"]),
        Route(f"{PREFIX}/clients/{{id:recid}}", records.show_client, methods=["GET"]),
        Route(f"{PREFIX}/clients/{{id:recid}}", records.update_client, methods=["PUT", "PATCH"]),
        Route(f"{PREFIX}/clients/{{id:recid}}/invoices", invoices.list_of_client, methods=["GET"]),
        Route(f"{PREFIX}/products", records.list_products, methods=["GET"]),
        Route(f"{PREFIX}/products", records.create_product, methods=["POST"]),
        Route(f"{PREFIX}/products/{{id:recid}}", records.show_product, methods=["GET"]),
        Route(f"{PREFIX}/products/{{id:recid}}", records.update_product, methods=["PUT", "PATCH"]),
        Route(f"{PREFIX}/products/{{id:recid}}", records.delete_product, methods=["DELETE"]),
        Route(f"{PREFIX}/invoices", invoices.list_all, methods=["GET"]),
        Route(f"{PREFIX}/invoices", invoices.create, methods=["POST"]),
        Route(f"{PREFIX}/invoices/{{id:recid}}", invoices.show, methods=["GET"]),
        Route(f"{PREFIX}/invoices/{{id:recid}}", invoices.update, methods=["PUT", "PATCH"]),
        Route(f"{PREFIX}/invoices/{{id:recid}}/send", invoices.send, methods=["POST"]),
        Route(f"{PREFIX}/invoices/{{invoice_id:recid}}/payments", invoices.list_payments, methods=["GET"]),
        Route(f"{PREFIX}/invoices/{{invoice_id:recid}}/payments", invoices.add_payment, methods=["POST"]),
    ]
