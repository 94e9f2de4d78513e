"""Every table of the ledger. Importing this module registers them all on SQLModel.metadata."""
from core.models.accounts import Account, Credential, User
from core.models.attachments import Attachment
from core.models.catalog import PriceList, PriceListItem, Product
from core.models.dictionaries import DICTIONARY_KINDS, DictionaryEntry, ExchangeRate
from core.models.invoices import Invoice, InvoiceLine, NumberCounter
from core.models.operations import IdempotencyKey, OutboxMessage, TrafficEntry
from core.models.parties import Client, Department
from core.models.payments import Payment, PaymentAllocation
from core.models.recurring import Recurring, RecurringRun

__all__ = [
    "Account", "Attachment", "Client", "Credential", "DICTIONARY_KINDS", "Department", "DictionaryEntry",
    "ExchangeRate", "IdempotencyKey", "Invoice", "InvoiceLine", "NumberCounter", "OutboxMessage",
    "Payment", "PaymentAllocation", "PriceList", "PriceListItem", "Product", "Recurring", "RecurringRun",
    "TrafficEntry", "User",
]
