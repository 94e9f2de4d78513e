"""E-invoices from the ledger: KSeF FA(3) documents, their validation, and the queue that sends them.

No HTTP and no dialect here: a transport (core.einvoice.transport) carries the documents; the simulator
in this package is the default one, gateway.ksef_client_transport speaks the real KSeF API v2.
"""
