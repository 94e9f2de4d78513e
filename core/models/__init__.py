"""Every table of the ledger. Importing this module registers them all on SQLModel.metadata."""
from sqlmodel import SQLModel

from core.models.accounts import Account, Credential, User
from core.models.attachments import Attachment
from core.models.banking import BankAccount, BankAccountDepartment, InvoiceBankAccount, Issuer
from core.models.catalog import PriceList, PriceListItem, Product
from core.models.dictionaries import DICTIONARY_KINDS, DictionaryEntry, ExchangeRate
from core.models.invoices import Invoice, InvoiceLine, NumberCounter
from core.models.ksef import KsefDocument, KsefSend
from core.models.operations import IdempotencyKey, OutboxMessage, TrafficEntry
from core.models.parties import Client, Department
from core.models.payments import Payment, PaymentAllocation
from core.models.recurring import Recurring, RecurringRun
from core.models.warehouse import DOCUMENT_KINDS, Category, Stock, Warehouse, WarehouseAction, WarehouseDocument
from core.models.webhooks import EventRecord, Webhook, WebhookDelivery

# Ids are never reused: a client that retries DELETE /invoices/496, or keeps 496 in its own mapping, must
# never reach a newer record. PostgreSQL's sequences never hand a value out twice; SQLite's rowid takes
# the largest id + 1, so a deleted newest id came back, unless the table is AUTOINCREMENT (migration 0007).
for _table in SQLModel.metadata.tables.values():
    if "id" in _table.c and _table.c.id.primary_key:
        _table.dialect_kwargs["sqlite_autoincrement"] = True

__all__ = [
    "Account", "Attachment", "Client", "Credential", "DICTIONARY_KINDS", "Department", "DictionaryEntry",
    "EventRecord", "ExchangeRate", "IdempotencyKey", "Invoice", "InvoiceLine", "KsefDocument", "KsefSend",
    "NumberCounter", "OutboxMessage",
    "Payment", "PaymentAllocation", "PriceList", "PriceListItem", "Product", "Recurring", "RecurringRun",
    "TrafficEntry", "User", "Webhook", "WebhookDelivery",
    "BankAccount", "BankAccountDepartment", "InvoiceBankAccount", "Issuer",
    "Category", "DOCUMENT_KINDS", "Stock", "Warehouse", "WarehouseAction", "WarehouseDocument",
]
