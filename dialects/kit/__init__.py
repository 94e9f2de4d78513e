"""What every dialect builds on, below the dialects and above core: reaching the ledger from a request
(context), HTTP bodies and refusals (http), credentials (auth), record ids, idempotency keys, the
authentication rate limit, the OpenAPI builder, lenient value readers and the Dialect record the gateway
registers. The kit imports core and itself only: never a dialect, never the gateway."""
