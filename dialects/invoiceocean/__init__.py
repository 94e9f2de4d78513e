"""InvoiceOcean / Fakturownia REST at the root paths, in JSON and XML (README: InvoiceOcean dialect)."""
