"""The gateway as a person runs it: the installed CLI, in its own process, on a real port.

Why a subprocess and not an in-process ASGI client: end-to-end tests must cover what
`make run` covers (console script, migrations, uvicorn, settings from the environment)
and must survive a SIGKILL mid-request, which only a separate process can.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from . import free_port

# The console script sits beside the interpreter running the tests, i.e. in the same venv.
CLI = Path(sys.executable).parent / "invoice-gateway"
# Relative paths the app may use (templates/, alembic/) resolve as under `make run`.
REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 30.0
CLI_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 10.0


class LiveServer:
    """Context manager: migrates a fresh database, serves it, and tears both down."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        database_url: str | None = None,
        workers: int | None = None,
        cli: Path = CLI,
    ) -> None:
        self.cli = cli
        self.tmp_dir = Path(tempfile.mkdtemp(prefix="gw-live-"))
        self.database_url = database_url or f"sqlite:///{self.tmp_dir / 'gateway.sqlite3'}"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.tmp_dir / "server.log"
        self.workers = workers
        self.env = self._build_env(env or {})
        self._process: subprocess.Popen[bytes] | None = None

    def _build_env(self, extra: Mapping[str, str]) -> dict[str, str]:
        # Inherited GATEWAY_* settings from a developer's shell would make runs differ.
        env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
        env["GATEWAY_DATABASE_URL"] = self.database_url
        env["GATEWAY_OUTBOX_DIR"] = str(self.tmp_dir / "outbox")
        env["PYTHONUNBUFFERED"] = "1"
        env.update(extra)
        return env

    # -- lifecycle -----------------------------------------------------------------
    def __enter__(self) -> LiveServer:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:
        """Migrate, then serve; returns once /healthz answers 200."""
        migrated = self.run_cli("migrate")
        if migrated.returncode != 0:
            raise RuntimeError(f"migrate failed ({migrated.returncode}):\n{migrated.stdout}\n{migrated.stderr}")
        self._serve()

    def _serve(self) -> None:
        command = [str(self.cli), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                   "--database-url", self.database_url]
        if self.workers is not None:
            command += ["--workers", str(self.workers)]
        # Output goes to a file, not a pipe: an unread pipe fills and blocks the server.
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(command, cwd=REPO_ROOT, env=self.env,
                                             stdout=log, stderr=subprocess.STDOUT,
                                             start_new_session=True)
        self._wait_until_healthy()

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"server exited with {self._process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server not healthy within {STARTUP_TIMEOUT_S}s:\n{self.log()}")

    def stop(self) -> None:
        """Graceful stop (SIGTERM), as a supervisor would do it."""
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers run, like a crash or an OOM kill."""
        self._signal(signal.SIGKILL)

    def restart(self) -> None:
        """Stop if running, then serve the same database on the same port again."""
        if self.running:
            self.stop()
        self._serve()

    def close(self) -> None:
        try:
            if self.running:
                self.stop()
        finally:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _signal(self, signum: signal.Signals) -> None:
        process = self._process
        if process is None:
            return
        try:
            # The whole process group: with --workers the children must go too.
            os.killpg(process.pid, signum)
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=STOP_TIMEOUT_S)
        except ProcessLookupError:
            process.wait(timeout=STOP_TIMEOUT_S)
        self._process = None

    # -- use -----------------------------------------------------------------------
    def run_cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``invoice-gateway ARGS --database-url URL`` against this server's database."""
        return subprocess.run([str(self.cli), *args, "--database-url", self.database_url],
                              cwd=REPO_ROOT, env=self.env, capture_output=True, text=True,
                              timeout=CLI_TIMEOUT_S, check=False)

    def log(self) -> str:
        """Everything the server printed so far; tests attach it to failure messages."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
