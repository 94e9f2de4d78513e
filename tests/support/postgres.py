"""A throwaway PostgreSQL cluster per test session, started from Debian's binaries.

Why not a system service: CI is a fresh root shell with no init system, and tests must
not share state with anything else. initdb and postgres refuse to run as root, so as
root every binary runs as the ``postgres`` OS user through ``runuser`` inside a folder
that user owns. The cluster listens only on a unix socket in that folder (no TCP), so
parallel pytest-xdist workers cannot collide; the port only names the socket file.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql

from . import free_port

PG_ROOT = Path("/usr/lib/postgresql")
SUPERUSER = "gw"
OS_USER = "postgres"
# pg_ctl -w waits for readiness itself; this only bounds a hung start or stop.
COMMAND_TIMEOUT_S = 60
CLUSTER_PARENT = Path("/tmp")
CLUSTER_PREFIX = "gw-pg-"
# The pid of the test process that started a cluster: a pytest killed by a timeout never runs stop(), and its
# cluster would keep running (and using CPU) until the machine restarts. The next start stops such orphans.
OWNER_FILE = "owner.pid"


def find_bin_dir() -> Path | None:
    """The bin folder of the highest installed major version, or None."""
    candidates: list[tuple[int, Path]] = []
    for entry in PG_ROOT.glob("*/bin"):
        version = entry.parent.name
        if re.fullmatch(r"\d+", version) and (entry / "initdb").is_file() and (entry / "pg_ctl").is_file():
            candidates.append((int(version), entry))
    return max(candidates)[1] if candidates else None


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _os_user_exists() -> bool:
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        return False
    return True


def postgres_available() -> bool:
    """True when a cluster can be started here (binaries, and a non-root user when root)."""
    if find_bin_dir() is None:
        return False
    if _running_as_root():
        return shutil.which("runuser") is not None and _os_user_exists()
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def sweep_orphans(bin_dir: Path, parent: Path | None = None) -> list[Path]:
    """Stop and remove the clusters whose owning test process is gone; returns the folders removed. A folder
    without an owner file (made by an older checkout, or mid-start) is left alone."""
    removed: list[Path] = []
    for folder in (parent or CLUSTER_PARENT).glob(f"{CLUSTER_PREFIX}*"):
        try:
            owner = int((folder / OWNER_FILE).read_text().strip())
        except (OSError, ValueError):
            continue
        if _alive(owner):
            continue
        data = folder / "data"
        if (data / "postmaster.pid").exists():
            command = [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
            if _running_as_root():
                command = ["runuser", "-u", OS_USER, "--", *command]
            subprocess.run(command, cwd=folder, capture_output=True, timeout=COMMAND_TIMEOUT_S, check=False)
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


class PostgresServer:
    """Context manager owning one temporary cluster; each test gets its own database in it."""

    def __init__(self) -> None:
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise RuntimeError(f"no PostgreSQL binaries under {PG_ROOT}/*/bin")
        self.bin_dir = bin_dir
        self.port = free_port()
        self.socket_dir: Path | None = None
        self._started = False

    # -- lifecycle -----------------------------------------------------------------
    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        sweep_orphans(self.bin_dir)
        # Under /tmp (mode 1777) rather than $TMPDIR: the postgres user must traverse
        # every parent folder, and the socket path must stay under ~107 bytes.
        self.socket_dir = Path(tempfile.mkdtemp(prefix=CLUSTER_PREFIX, dir=str(CLUSTER_PARENT)))
        (self.socket_dir / OWNER_FILE).write_text(str(os.getpid()))
        try:
            if _running_as_root():
                entry = pwd.getpwnam(OS_USER)
                os.chown(self.socket_dir, entry.pw_uid, entry.pw_gid)
            data = self.socket_dir / "data"
            # fsync is off: a crashed test cluster is thrown away, never recovered.
            self._run("initdb", "-D", str(data), "-A", "trust", "-U", SUPERUSER,
                      "-E", "UTF8", "--locale=C", "--no-sync")
            options = (f"-k {self.socket_dir} -p {self.port} -c listen_addresses='' "
                       "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
            self._run("pg_ctl", "-D", str(data), "-l", str(self.socket_dir / "server.log"),
                      "-o", options, "-w", "start")
            self._started = True
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.socket_dir is None:
            return
        try:
            if self._started:
                # Immediate: nothing in a test cluster is worth a clean checkpoint.
                self._run("pg_ctl", "-D", str(self.socket_dir / "data"), "-m", "immediate", "-w", "stop")
        finally:
            self._started = False
            shutil.rmtree(self.socket_dir, ignore_errors=True)
            self.socket_dir = None

    # -- use -----------------------------------------------------------------------
    def url(self, dbname: str) -> str:
        """SQLAlchemy URL for a database of this cluster, over its unix socket."""
        return f"postgresql+psycopg://{SUPERUSER}@/{dbname}?host={self._dir()}&port={self.port}"

    def connect(self, dbname: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        """A raw autocommit psycopg connection, for admin statements outside a transaction."""
        return psycopg.connect(host=str(self._dir()), port=self.port, user=SUPERUSER,
                               dbname=dbname, autocommit=True)

    def create_database(self, name: str) -> str:
        with self.connect() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    # -- helpers -------------------------------------------------------------------
    def _dir(self) -> Path:
        if self.socket_dir is None or not self._started:
            raise RuntimeError("PostgresServer is not running")
        return self.socket_dir

    def _run(self, binary: str, *args: str) -> None:
        command = [str(self.bin_dir / binary), *args]
        if _running_as_root():
            command = ["runuser", "-u", OS_USER, "--", *command]
        # cwd is the cluster folder: initdb fails if it cannot read the current directory.
        result = subprocess.run(command, cwd=self.socket_dir, capture_output=True, text=True,
                                timeout=COMMAND_TIMEOUT_S, check=False)
        if result.returncode != 0:
            log = self.socket_dir / "server.log" if self.socket_dir else None
            server_log = log.read_text(errors="replace") if log and log.exists() else ""
            raise RuntimeError(
                f"{binary} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n{server_log}"
            )
