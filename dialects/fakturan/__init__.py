"""fakturan.nu API v2 under /api/v2 (see README.md in this folder)."""
