# Two commands matter: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB_URL ?= sqlite:///var/gateway.sqlite3

.PHONY: run test venv migrate demo clean examples

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

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

migrate: $(STAMP)
	mkdir -p var
	$(BIN)/invoice-gateway migrate --database-url $(DB_URL)

clean:
	rm -rf $(VENV) var/*.sqlite3* .pytest_cache
