"""Backups of the embedded SQLite database while the gateway runs, and the check that a backup
restores: `invoice-gateway backup DEST`, `backup --check FILE` and `restore FILE`.

The copy uses SQLite's online backup API in a single step: it reads one consistent snapshot (every
transaction committed before the step began, none after) while writers carry on in the WAL, so
the server needs no pause. The copy is written beside DEST and renamed into place only when
complete, so DEST is never a half-written file. PostgreSQL has its own tools (pg_dump).
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy.engine import make_url

from gateway.db import SQLITE_BUSY_TIMEOUT_MS, normalise_url

# Shown first in the report: the tables a person restoring wants to see.
KEY_TABLES = ("accounts", "clients", "products", "invoices", "invoice_lines", "payments", "recurrings", "outbox")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says what to do instead."""


@dataclass
class CheckReport:
    """What `PRAGMA integrity_check`, `foreign_key_check` and the Alembic revision say of a file."""

    path: Path
    integrity: list[str] = field(default_factory=list)
    foreign_key_errors: int = 0
    revision: str | None = None
    head: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    error: str = ""

    @property
    def ok(self) -> bool:
        return (not self.error and self.integrity == ["ok"] and self.foreign_key_errors == 0
                and self.revision is not None and self.revision == self.head)

    def problems(self) -> list[str]:
        if self.error:
            return [self.error]
        found = []
        if self.integrity != ["ok"]:
            found.append("integrity_check: " + "; ".join(self.integrity[:5]))
        if self.foreign_key_errors:
            found.append(f"foreign_key_check: {self.foreign_key_errors} dangling reference(s)")
        if self.revision != self.head:
            found.append(f"schema revision {self.revision or 'missing'} is not the code's head {self.head}"
                         " (restore with the release that wrote it, or run `invoice-gateway migrate` after)")
        return found

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "ok": self.ok, "integrity": self.integrity,
                "foreign_key_errors": self.foreign_key_errors, "revision": self.revision, "head": self.head,
                "counts": self.counts, "problems": self.problems()}

    def lines(self) -> list[str]:
        out = [f"restore check of {self.path}: {'OK' if self.ok else 'FAILED'}"]
        if not self.error:
            out.append(f"  integrity_check         {', '.join(self.integrity[:5])}")
            out.append(f"  foreign_key_check       {self.foreign_key_errors} problem(s)")
            out.append(f"  alembic revision        {self.revision or 'missing'} (head {self.head})")
            ordered = [t for t in KEY_TABLES if t in self.counts] + sorted(set(self.counts) - set(KEY_TABLES))
            # at least one space: a 24-character table name (bank_account_departments) ran into its count
            out.extend(f"  {name:<23} {self.counts[name]} row(s)" for name in ordered)
        out.extend(f"  problem: {p}" for p in self.problems())
        return out


def sqlite_file(database_url: str) -> Path:
    """The file behind a SQLite URL; a clear refusal for anything else."""
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            f"`backup` copies the embedded SQLite database; this one is {url.get_backend_name()}. "
            "Use PostgreSQL's own tools: pg_dump --format=custom --file=gateway.dump DBNAME "
            "(restore with pg_restore --clean --if-exists -d DBNAME gateway.dump); see README, Operations.")
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return Path(url.database).resolve()


def _head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    from gateway.migrations import alembic_config

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


@contextlib.contextmanager
def _connect(path: Path, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    target = f"file:{path}?mode=ro" if read_only else str(path)
    conn = sqlite3.connect(target, uri=read_only, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
                           isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


def check(path: Path) -> CheckReport:
    """Open a backup read-only and say whether the gateway can run on it."""
    report = CheckReport(path=path, head=_head_revision())
    if not path.is_file():
        report.error = f"{path} is not a file"
        return report
    try:
        with _connect(path, read_only=True) as conn:
            report.integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            report.foreign_key_errors = len(conn.execute("PRAGMA foreign_key_check").fetchall())
            rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                                "AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
            virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
            # A full-text index's shadow tables (NAME_data, NAME_idx, ...) are its internals.
            tables = [name for name, _ in rows if not any(name.startswith(f"{v}_") for v in virtual)]
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                report.revision = row[0] if row else None
            for table in tables:
                if table != "alembic_version":
                    report.counts[table] = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    except sqlite3.DatabaseError as exc:  # "file is not a database", a torn file, ...
        report.error = f"{path} cannot be read as a SQLite database: {exc}"
    return report


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy(source: Path, target: Path) -> None:
    """SQLite's backup API, one step: a consistent snapshot however busy the source is; then a
    rollback-journal file, so the copy is one self-contained file."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with _connect(source) as src, _connect(partial) as dst:
            src.backup(dst)  # pages=-1: all pages under one read transaction
            dst.execute("PRAGMA journal_mode=DELETE")
        _fsync(partial)
        os.replace(partial, target)
        _fsync(target.parent)
    finally:
        partial.unlink(missing_ok=True)


def backup(database_url: str, dest: Path, *, overwrite: bool = False) -> CheckReport:
    """Copy the live database to `dest` (a file, or a folder to put a timestamped file in), then
    check the copy. Returns the check's report; the caller decides the exit status."""
    source = sqlite_file(database_url)
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    if dest.is_dir():
        dest = dest / f"gateway-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}.sqlite3"
    dest = dest.resolve()
    if dest == source:
        raise BackupError("the backup must not overwrite the database itself")
    if dest.exists() and not overwrite:
        raise BackupError(f"{dest} exists; choose another name or pass --force")
    if not dest.parent.is_dir():
        raise BackupError(f"folder {dest.parent} does not exist")
    _copy(source, dest)
    return check(dest)


def restore(backup_file: Path, database_url: str, *, overwrite: bool = False) -> tuple[CheckReport, Path | None]:
    """Put a checked backup in place of the database (the server must be stopped). The database it
    replaces is kept beside it as NAME.before-restore-TIMESTAMP; returns the report and that path."""
    report = check(backup_file)
    if not report.ok:
        return report, None
    target = sqlite_file(database_url)
    kept: Path | None = None
    if target.exists():
        if not overwrite:
            raise BackupError(f"{target} exists; stop the server and pass --force to replace it "
                              "(the current file is kept as a .before-restore copy)")
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        kept = target.with_name(f"{target.name}.before-restore-{stamp}")
        _copy(target, kept)  # folds in the WAL, so the kept copy is complete
    for suffix in ("-wal", "-shm"):  # the old database's log must not be replayed onto the new file
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy(backup_file, target)
    return check(target), kept
