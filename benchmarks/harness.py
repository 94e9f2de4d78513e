"""The moving parts of a benchmark run: wrk, the servers under test, core pinning and machine facts."""
from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LUA_BODY = (Path(__file__).parent / "lua" / "common.lua").read_text()


class HarnessError(RuntimeError):
    """Something in the harness itself broke (as opposed to a slow result, which is only reported)."""


def ensure_wrk() -> str:
    """wrk from Debian's packages, installed on first use."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") is None:
        raise HarnessError("wrk is missing and apt-get is not available: install wrk")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("installing wrk from Debian's packages ...", flush=True)
    subprocess.run([*sudo, "apt-get", "update", "-qq"], env=env, check=False)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"], env=env, check=True)
    found = shutil.which("wrk")
    if not found:
        raise HarnessError("apt-get install wrk did not provide wrk")
    return found


def cores() -> tuple[list[str], list[str]]:
    """(server prefix, load generator prefix): taskset onto different cores when there are two or more."""
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if count < 2 or shutil.which("taskset") is None:
        return [], []
    allowed = sorted(os.sched_getaffinity(0))
    return ["taskset", "-c", str(allowed[0])], ["taskset", "-c", ",".join(str(c) for c in allowed[1:])]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                          if line.startswith("MemTotal")))
    except (OSError, StopIteration):
        mem_kb = 0
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip())
    return {"cpu_model": model, "cores": os.cpu_count(), "memory_mb": mem_kb // 1024,
            "kernel": platform.release(), "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "git_commit": commit, "git_dirty": dirty, "loadavg_start": list(os.getloadavg())}


@dataclass
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int
    socket_errors: int
    timeouts: int
    first_bad: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None


def _lua_string(value: str) -> str:
    level = "=" * 4
    while f"]{level}]" in value:
        level += "="
    return f"[{level}[{value}]{level}]"


def lua_script(requests: Sequence[Request]) -> str:
    rows = []
    for r in requests:
        headers = ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in r.headers.items())
        body = _lua_string(r.body) if r.body is not None else "nil"
        rows.append(f"  {{method = {_lua_string(r.method)}, path = {_lua_string(r.path)}, "
                    f"headers = {{{headers}}}, body = {body}}},")
    return "requests = {\n" + "\n".join(rows) + "\n}\n\n" + LUA_BODY


def run_wrk(wrk: str, pin: list[str], url: str, requests: Sequence[Request], *, seconds: float,
            connections: int, threads: int = 1) -> WrkResult:
    if not requests:
        raise HarnessError("a scenario without requests")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(requests))
    try:
        command = [*pin, wrk, "-t", str(threads), "-c", str(max(connections, threads)), "-d", f"{seconds:g}s",
                   "--timeout", "10s", "-s", script.name, url]
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    finally:
        os.unlink(script.name)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise HarnessError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    data = json.loads(line[len("BENCH_JSON "):])
    bad = f"{data['first_bad_status']}: {data['first_bad_body']}" if data["non_2xx"] else ""
    return WrkResult(
        requests=data["requests"], seconds=data["duration_us"] / 1e6, p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000, p99_ms=data["p99_us"] / 1000, max_ms=data["max_us"] / 1000,
        non_2xx=data["non_2xx"], socket_errors=data["connect_errors"] + data["read_errors"] + data["write_errors"],
        timeouts=data["timeouts"], first_bad=bad)


class Server:
    """A server process pinned to its core, with its output in a log file."""

    def __init__(self, command: list[str], port: int, ready_path: str, env: dict[str, str] | None = None,
                 log_path: Path | None = None) -> None:
        self.command, self.port, self.ready_path = command, port, ready_path
        self.env = {**os.environ, **(env or {})}
        self.log_path = log_path or Path(tempfile.mkstemp(prefix="bench-server-", suffix=".log")[1])
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HarnessError(f"server exited ({self.process.returncode}): {self.log()}")
            try:
                with urllib.request.urlopen(self.url + self.ready_path, timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise HarnessError(f"server did not answer {self.ready_path} in 60 s: {self.log()}")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def cpu_seconds(self) -> float:
        """User + system CPU the server process has used so far (from /proc; 0 where there is none)."""
        if self.process is None:
            return 0.0
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime

    def memory_mb(self) -> dict[str, float]:
        """Resident and peak resident memory of the server process, from /proc."""
        if self.process is None:
            return {}
        values: dict[str, float] = {}
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values["rss_mb" if key == "VmRSS" else "peak_rss_mb"] = int(rest.split()[0]) / 1024
        except OSError:
            pass
        return values


def gateway_cli(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([str(BIN / "invoice-gateway"), *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)
    if done.returncode != 0:
        raise HarnessError(f"invoice-gateway {' '.join(args)} failed: {done.stdout}\n{done.stderr}")
    return done.stdout


def bench_accounts(database_url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The benchmark's ledger: `database_url` migrated, with an InvoiceOcean-profile account and a fakturan one
    (`accounts create --json`: their credentials), which scenarios.fixture_from takes."""
    gateway_cli("migrate", "--database-url", database_url)
    io_account = json.loads(gateway_cli("accounts", "create", "Bench IO", "--json", "--database-url", database_url))
    fk_account = json.loads(gateway_cli("accounts", "create", "Bench FK", "--json", "--profile", "fakturan",
                                        "--database-url", database_url))
    return io_account, fk_account


def server_settings(pairs: Sequence[str]) -> dict[str, str]:
    """`--server-env GATEWAY_X=value` options as the server's settings. Only GATEWAY_* names (the gateway's own
    settings; the database and outbox are the harness's), so a typo fails here rather than measuring the defaults."""
    found: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.startswith("GATEWAY_") or name in _HARNESS_SETTINGS:
            raise HarnessError(f"--server-env takes GATEWAY_NAME=value (not {', '.join(sorted(_HARNESS_SETTINGS))}),"
                               f" not {pair!r}")
        found[name] = value
    return found


_HARNESS_SETTINGS = frozenset({"GATEWAY_DATABASE_URL", "GATEWAY_OUTBOX_DIR"})


def gateway_server(database_url: str, pin: list[str], log_path: Path | None = None,
                   settings: Mapping[str, str] | None = None) -> Server:
    """The gateway as `invoice-gateway serve` runs it, with its defaults: the caller's GATEWAY_* variables are left
    out, so a shell's settings never leak into a figure; `settings` (server_settings) are the ones a run asks for."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    env.update(settings or {})
    env.update({"GATEWAY_DATABASE_URL": database_url, "GATEWAY_OUTBOX_DIR": tempfile.mkdtemp(prefix="bench-outbox-")})
    command = [*pin, str(BIN / "invoice-gateway"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = Server(command, port, "/healthz", log_path=log_path)
    server.env = env
    return server


def reference_server(pin: list[str]) -> Server:
    port = free_port()
    command = [*pin, sys.executable, "-m", "uvicorn", "benchmarks.reference_app:app", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning", "--no-access-log"]
    return Server(command, port, "/invoice")
