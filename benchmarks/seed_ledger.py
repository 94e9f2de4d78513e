"""A large ledger for the benchmarks: by default 1,000,000 invoices of 5 lines, 10,000 clients, 3 years.

    .venv/bin/python benchmarks/seed_ledger.py --database-url sqlite:///var/bench-1m.sqlite3 [--invoices N]

It migrates the database, opens one account through the ledger (so credentials are real), then bulk-loads
clients, invoices and lines with plain DBAPI executemany in large transactions. Secondary indexes and the
full-text triggers are dropped for the load and recreated after it, and the FTS5 table is filled once;
that is an order of magnitude faster than maintaining them row by row. The number counters are set to the
last sequence of every month, so the application keeps numbering gaplessly after the seed.

Amounts come from the core money engine: a pool of line and invoice templates is priced once through
core.money, and every invoice takes one, so totals are real and consistent. The account's credentials are
written next to the database as `<database>.credentials.json`.

SQLite only (the gateway's default); PostgreSQL is not seeded by this script.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import sqlite3
import sys
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Table  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from core.accounts import create_account  # noqa: E402
from core.commands import LineSpec  # noqa: E402
from core.handlers.lines import price_new_line, totals_of  # noqa: E402
from core.ledger import Ledger  # noqa: E402
from core.models import Client, Invoice, InvoiceLine  # noqa: E402
from core.models.types import DecimalType, JSONType, UTCDateTime  # noqa: E402
from gateway.db import make_engine  # noqa: E402
from gateway.migrations import upgrade  # noqa: E402
from gateway.registry import DIALECTS  # noqa: E402, F401  (the dialects register their profiles and credential kinds)

PRODUCTS = ("Usługa programistyczna", "Konsultacja", "Licencja roczna", "Szkolenie", "Serwis", "Hosting",
            "Audyt bezpieczeństwa", "Wdrożenie", "Projekt graficzny", "Tłumaczenie", "Transport", "Materiały biurowe",
            "Abonament", "Naprawa", "Przegląd techniczny", "Doradztwo podatkowe", "Księgowość", "Domena",
            "Certyfikat SSL", "Kopia zapasowa")
CITIES = ("Warszawa", "Kraków", "Łódź", "Wrocław", "Poznań", "Gdańsk", "Szczecin", "Bydgoszcz", "Lublin", "Katowice")
SURNAMES = ("Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński",
            "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Kwiatkowski")
FORMS = ("Sp. z o.o.", "S.A.", "s.c.", "Sp.k.", "P.H.U.")
LINE_TEMPLATES = 400
INVOICE_TEMPLATES = 2000
BATCH = 20_000


def db_value(column: Any, value: Any) -> Any:
    """A Python value as the sqlite3 driver should receive it, without SQLAlchemy's per-row processing."""
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, DecimalType):
        return format(value, "f")
    if isinstance(kind, UTCDateTime):
        return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(" ")
    if isinstance(kind, JSONType):
        return json.dumps(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


class RowShape:
    """A table's column order and a default row, taken from the model so the seed follows schema changes."""

    def __init__(self, model: Any, **required: Any) -> None:
        self.table: Table = model.__table__
        self.columns = [c for c in self.table.columns if c.name != "id"]
        self.index = {c.name: i for i, c in enumerate(self.columns)}
        sample = model(**required).model_dump()
        self.default = [db_value(c, sample.get(c.name)) for c in self.columns]

    def row(self, **values: Any) -> list[Any]:
        row = list(self.default)
        for name, value in values.items():
            row[self.index[name]] = db_value(self.table.columns[name], value)
        return row

    def raw(self, values: dict[str, Any]) -> list[Any]:
        """Like row(), for values already in their database form (the hot loop's path)."""
        row = list(self.default)
        index = self.index
        for name, value in values.items():
            row[index[name]] = value
        return row

    def convert(self, values: dict[str, Any]) -> dict[str, Any]:
        return {k: db_value(self.table.columns[k], v) for k, v in values.items()}

    def insert_sql(self) -> str:
        names = ", ".join(c.name for c in self.columns)
        return f"INSERT INTO {self.table.name} ({names}) VALUES ({', '.join('?' * len(self.columns))})"


def client_rows(account_id: int, count: int, rng: random.Random) -> Iterator[list[Any]]:
    shape = RowShape(Client, account_id=account_id)
    for n in range(1, count + 1):
        name = f"{rng.choice(SURNAMES)} {n:05d} {rng.choice(FORMS)}"
        tax_no = f"{rng.randrange(100, 999)}{n:07d}"
        yield shape.row(account_id=account_id, name=name, tax_no=tax_no, tax_no_normalized=tax_no,
                        city=rng.choice(CITIES), street=f"ul. Długa {n % 200 + 1}",
                        post_code=f"{n % 90 + 10}-{n % 900 + 100}",
                        country="PL", email=f"klient{n}@example.com", number=n)


def priced_templates(rng: random.Random) -> list[tuple[list[dict[str, Any]], dict[str, Decimal]]]:
    """Invoice templates: 5 priced lines each and their totals, computed by core.money once."""
    probe = Invoice(account_id=0, issue_date=date.today())
    pool = []
    for _ in range(LINE_TEMPLATES):
        spec = LineSpec(name=rng.choice(PRODUCTS), quantity=Decimal(rng.randint(1, 20)),
                        price_net=Decimal(rng.randint(500, 500_000)) / 100, tax=rng.choice(("23", "23", "8", "5")),
                        unit="szt.")
        pool.append(price_new_line(spec, None, probe, "lines.0", "23"))
    templates = []
    for _ in range(INVOICE_TEMPLATES):
        lines = rng.sample(pool, 5)
        totals = totals_of(probe, lines)
        fields = [{k: getattr(line, k) for k in ("name", "unit", "quantity", "tax", "price_net", "price_gross",
                                                 "price_tax", "total_net", "total_tax", "total_gross", "discount")}
                  for line in lines]
        templates.append((fields, {"price_net": totals.net, "price_tax": totals.tax, "price_gross": totals.gross}))
    return templates


class Seeder:
    def __init__(self, path: str, account_id: int, department: dict[str, Any], args: argparse.Namespace) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.account_id, self.department, self.args = account_id, department, args
        self.rng = random.Random(args.seed)

    def run(self) -> None:
        c = self.conn
        c.execute("PRAGMA journal_mode=OFF")  # one writer, a throwaway load: no rollback journal
        c.execute("PRAGMA synchronous=OFF")
        c.execute("PRAGMA cache_size=-400000")
        c.execute("PRAGMA temp_store=MEMORY")
        saved = self._drop_secondary()
        try:
            self._load()
        finally:
            self._restore(saved)
        c.execute("PRAGMA journal_mode=WAL")
        c.execute("ANALYZE")
        c.close()

    def _drop_secondary(self) -> list[tuple[str, str, str]]:
        """Non-unique indexes and triggers, to be recreated from their own SQL after the load."""
        rows = self.conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN ('invoices', "
            "'invoice_lines', 'clients') AND (type = 'trigger' OR (type = 'index' AND sql NOT LIKE 'CREATE UNIQUE%'))"
        ).fetchall()
        for kind, name, _ in rows:
            self.conn.execute(f"DROP {kind.upper()} {name}")
        return rows

    def _restore(self, saved: list[tuple[str, str, str]]) -> None:
        started = time.perf_counter()
        for _kind, _name, sql in saved:
            self.conn.execute(sql)
        log(f"indexes and triggers recreated in {time.perf_counter() - started:.1f} s")
        if self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'invoice_counts'").fetchone():
            # migration 0005's triggers were off during the load: recount, as the migration does
            self.conn.execute("DELETE FROM invoice_counts")
            self.conn.execute("INSERT INTO invoice_counts (account_id, invoices) SELECT account_id, count(*) "
                              "FROM invoices GROUP BY account_id")
        if self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'invoices_fts'").fetchone():
            # migration 0014's triggers were off too: one document per invoice, written as the migration does
            started = time.perf_counter()
            self.conn.execute("DELETE FROM invoices_fts")
            migration = search_migration()
            self.conn.execute(migration.FILL)
            self.conn.execute(migration.OPTIMIZE)
            log(f"invoices_fts filled in {time.perf_counter() - started:.1f} s")

    def _load(self) -> None:
        args, rng, c = self.args, self.rng, self.conn
        started = time.perf_counter()
        c.execute("BEGIN")
        c.executemany(RowShape(Client, account_id=self.account_id).insert_sql(),
                      client_rows(self.account_id, args.clients, rng))
        c.execute("COMMIT")
        clients = c.execute("SELECT id, name, tax_no, street, post_code, city FROM clients WHERE account_id = ? "
                            "ORDER BY id", (self.account_id,)).fetchall()
        log(f"{len(clients)} clients in {time.perf_counter() - started:.1f} s")
        line_shape = RowShape(InvoiceLine, invoice_id=0, account_id=self.account_id)
        templates = [([line_shape.convert(line) for line in lines], {k: format(v, "f") for k, v in totals.items()})
                     for lines, totals in priced_templates(rng)]
        first_id = (c.execute("SELECT max(id) FROM invoices").fetchone()[0] or 0) + 1
        counters = self._invoices(clients, templates, first_id)
        c.execute("BEGIN")
        c.executemany("INSERT INTO number_counters (account_id, series, period_key, last_seq) VALUES (?, 'vat', ?, ?) "
                      "ON CONFLICT (account_id, series, period_key) DO UPDATE SET last_seq = max(last_seq, "
                      "excluded.last_seq)", [(self.account_id, k, v) for k, v in counters.items()])
        c.execute("COMMIT")

    def _invoices(self, clients: list[tuple[Any, ...]], templates: list[Any], first_id: int) -> dict[str, int]:
        args, rng = self.args, self.rng
        inv_shape = RowShape(Invoice, account_id=self.account_id, issue_date=date.today())
        line_shape = RowShape(InvoiceLine, invoice_id=0, account_id=self.account_id)
        line_invoice, line_position = line_shape.index["invoice_id"], line_shape.index["position"]
        inv_sql = inv_shape.insert_sql().replace("INSERT INTO invoices (", "INSERT INTO invoices (id, ").replace(
            "VALUES (", "VALUES (?, ")
        end = date.today()
        start = end - timedelta(days=365 * args.years)
        span = (end - start).days
        counters: dict[str, int] = {}
        now = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(" ")
        invoice_batch: list[list[Any]] = []
        line_batch: list[list[Any]] = []
        loaded_at = time.perf_counter()
        dept = self.department
        for n in range(args.invoices):
            invoice_id = first_id + n
            day = start + timedelta(days=n * span // max(args.invoices, 1))  # ids grow with dates, as in life
            key = f"{day:%Y-%m}"
            seq = counters[key] = counters.get(key, 0) + 1
            client = clients[rng.randrange(len(clients))]
            lines, totals = templates[rng.randrange(len(templates))]  # already in database form
            paid = rng.random() < 0.7 and day < end - timedelta(days=30)
            paid_day = (day + timedelta(days=rng.randint(1, 14))).isoformat() if paid else None
            iso = day.isoformat()
            invoice_batch.append([invoice_id, *inv_shape.raw({
                "account_id": self.account_id, "kind": "vat", "series": "vat", "period_key": key, "seq": seq,
                "number": f"{seq}/{day:%m}/{day:%Y}", "status": "paid" if paid else "issued", "issue_date": iso,
                "sell_date": iso, "payment_to": (day + timedelta(days=14)).isoformat(), "payment_to_kind": "14",
                "paid_date": paid_day, "payment_type": "transfer",
                "client_id": client[0], "buyer_name": client[1], "buyer_tax_no": client[2], "buyer_street": client[3],
                "buyer_post_code": client[4], "buyer_city": client[5], "buyer_country": "PL",
                "seller_name": dept["name"], "seller_country": dept["country"], "department_id": dept["id"],
                "price_net": totals["price_net"], "price_tax": totals["price_tax"],
                "price_gross": totals["price_gross"], "paid": totals["price_gross"] if paid else "0",
                "token": os.urandom(11).hex(), "origin": "seed",
                "description": f"Zamówienie {n % 97_331}" if n % 10 == 0 else "",
                "created_at": f"{iso} 09:00:00", "updated_at": now})])
            for position, line in enumerate(lines):
                row = line_shape.raw(line)
                row[line_invoice], row[line_position] = invoice_id, position
                line_batch.append(row)
            if len(invoice_batch) >= BATCH:
                self._flush(inv_sql, line_shape.insert_sql(), invoice_batch, line_batch)
                invoice_batch, line_batch = [], []
                if (n + 1) % (BATCH * 10) == 0:
                    rate = (n + 1) / (time.perf_counter() - loaded_at)
                    log(f"{n + 1} invoices ({rate:,.0f}/s)")
        self._flush(inv_sql, line_shape.insert_sql(), invoice_batch, line_batch)
        log(f"{args.invoices} invoices and {args.invoices * 5} lines in {time.perf_counter() - loaded_at:.1f} s")
        return counters

    def _flush(self, inv_sql: str, line_sql: str, invoices: list[list[Any]], lines: list[list[Any]]) -> None:
        if not invoices:
            return
        self.conn.execute("BEGIN")
        self.conn.executemany(inv_sql, invoices)
        self.conn.executemany(line_sql, lines)
        self.conn.execute("COMMIT")


def search_migration() -> Any:
    """Migration 0014's module, whose FILL writes every invoice's full-text document."""
    path = Path(__file__).resolve().parents[1] / "alembic" / "versions" / "0014_search.py"
    spec = importlib.util.spec_from_file_location("_search_0014", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def log(message: str) -> None:
    print(f"[seed] {message}", flush=True)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="sqlite:///var/bench-1m.sqlite3")
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--account", default="Large Ledger")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    url = make_url(args.database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        parser.error("only a SQLite file database can be seeded")
    started = time.perf_counter()
    upgrade(args.database_url)
    engine = make_engine(args.database_url)
    ledger = Ledger(engine)
    secrets = ledger.write(create_account, args.account).as_dict()
    # The group committer's writer thread keeps its connection open between batches (core.storage.group_commit):
    # ended here, or the load's `journal_mode` change finds the database locked.
    ledger.close()
    with engine.connect() as conn:
        dept = conn.exec_driver_sql("SELECT id, name, country FROM departments WHERE account_id = ? AND main = 1",
                                    (secrets["account_id"],)).mappings().one()
    engine.dispose()
    Seeder(url.database, secrets["account_id"], dict(dept), args).run()
    credentials = Path(url.database + ".credentials.json")
    credentials.write_text(json.dumps(secrets, indent=2))
    credentials.chmod(0o600)
    log(f"done in {time.perf_counter() - started:.1f} s; credentials in {credentials}")
    return secrets


if __name__ == "__main__":
    main()
