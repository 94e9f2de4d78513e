"""Fuzzers: generated input against the dialects; short profile in `make test`, long in `make fuzz`."""
