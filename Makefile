# Two commands matter: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB_URL ?= sqlite:///var/gateway.sqlite3

.PHONY: run test lint venv migrate demo clean examples fuzz

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	mkdir -p var
	$(BIN)/invoice-gateway migrate --database-url $(DB_URL)
	$(BIN)/invoice-gateway demo --if-empty --database-url $(DB_URL)
	$(BIN)/invoice-gateway serve --host 127.0.0.1 --port 8000 --database-url $(DB_URL)

test: $(STAMP) lint
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

# The gates (issue 19), configured in pyproject.toml: ruff over the whole tree, import-linter's layer and
# independence contracts, and plain `mypy` over the files it lists (core, dialects, gateway): strict on core/
# and dialects/kit, default settings elsewhere, zero errors. No paths here, so the list has one home.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

# Long fuzzing profiles: >= 2,000 schemathesis cases per REST dialect, plus the INVO fuzzer.
fuzz: $(STAMP)
	FUZZ_PROFILE=long $(BIN)/python -m pytest -q -p no:randomly tests/fuzz

# Benchmarks (issue J), never part of `make test`: the table of ratios to the reference B, a few-second
# smoke of the same harness (CI), the 1,000,000-invoice ledger (seeded into var/ first, minutes), profiles.
.PHONY: bench bench-smoke bench-large bench-profile bench-layers bench-threads
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

bench-smoke: $(STAMP)
	$(BIN)/python -m benchmarks.run --smoke

bench-large: $(STAMP)
	$(BIN)/python -m benchmarks.large

# One flame summary per scenario and dialect, committed under benchmarks/results/profiles/ (issue 20).
bench-profile: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks.profile --out benchmarks/results/profiles

# What each layer of the request pipeline (middlewares, traffic log, metrics, access log, rate limiter) costs a get.
bench-layers: $(STAMP)
	$(BIN)/python -m benchmarks.layers

# The real server's CPU per request by thread (event loop, group-commit writer, thread pool) and its bytes
# written per request, from /proc, for create, get and list in each dialect.
bench-threads: $(STAMP)
	$(BIN)/python -m benchmarks.threads

# Issue 11's PostgreSQL targets on a throwaway cluster (about 3 minutes): numbering at 1 and 8 writer
# processes, and two server processes under mixed load; numbers checked unique and gapless.
.PHONY: bench-postgres
bench-postgres: $(STAMP)
	$(BIN)/python -m benchmarks.pg_numbering

# Ten minutes of mixed three-dialect traffic at 80% of the measured create capacity (not in CI);
# SOAK_ARGS=--duration 180 shortens it. Fails on any error, RSS drift > 10% or a numbering gap.
.PHONY: soak
SOAK_ARGS ?=
soak: $(STAMP)
	$(BIN)/python benchmarks/soak.py $(SOAK_ARGS)

# Every example under examples/ against a running gateway (`make run` in another terminal; BASE_URL,
# CREDENTIALS_FILE and the credential variables of examples/README.md point them elsewhere).
examples: $(STAMP)
	PYTHON="$(CURDIR)/$(BIN)/python" examples/run_all.sh

migrate: $(STAMP)
	mkdir -p var
	$(BIN)/invoice-gateway migrate --database-url $(DB_URL)

clean:
	rm -rf $(VENV) var/*.sqlite3* .pytest_cache
