"""Every example under examples/ runs against a live gateway, so the examples cannot rot: when the API
drifts from what the seed documents show, a script exits non-zero and this file fails.

One server for the whole file (module scope): the real `invoice-gateway` CLI migrates a fresh SQLite
database, `invoice-gateway demo` creates the demo account `make run` would, and `serve` runs uvicorn,
pointed at an in-process SMTP server so that the send examples really deliver mail. The scripts then
run one after another, each as a subprocess with only the environment a user would give it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.live_server import CLI, LiveServer
from tests.support.smtp import SmtpServer

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples"
FOLDERS = ("invoiceocean", "invo", "fakturan", "migration")
SCRIPTS = [f"{folder}/{p.name}" for folder in FOLDERS
           for p in sorted((EXAMPLES / folder).glob("*.sh")) + sorted((EXAMPLES / folder).glob("*.py"))]
SCRIPTS.append("tour.sh")
SCRIPT_TIMEOUT_S = 180
# Who each sending example mails (a prefix: some flows make their addresses unique per run).
MAIL_TO = {
    "invoiceocean/invoices.sh": ["faktury@zazolc.example"],
    "invoiceocean/training_flow.py": ["anna.nowak+", "anna.nowak+"],
    "invo/files.sh": ["biuro@mojklient.pl"],
    "fakturan/invoices.sh": ["ap@google.example"],
    "fakturan/flow.py": ["ekonomi+"],
}


@dataclass
class Gateway:
    server: LiveServer
    smtp: SmtpServer
    credentials_file: Path

    def run(self, *command: str, cwd: Path = EXAMPLES,
            python: str = sys.executable) -> subprocess.CompletedProcess[str]:
        """A script as a user runs it: a plain PATH, the gateway's URL and the demo credentials file."""
        env = {"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(self.credentials_file.parent),
               "BASE_URL": self.server.base_url, "CREDENTIALS_FILE": str(self.credentials_file),
               "PYTHON": python}
        return subprocess.run(list(command), cwd=cwd, env=env, capture_output=True, text=True, errors="replace",
                              timeout=SCRIPT_TIMEOUT_S, check=False)


@contextmanager
def _demo_gateway(folder: Path) -> Iterator[Gateway]:
    """What `make run` starts: a migrated database, the demo account, the server; mail goes to `smtp`."""
    if not CLI.exists():
        pytest.skip(f"the invoice-gateway console script is missing at {CLI} (pip install -e '.[test]')")
    credentials_file = folder / "demo-credentials.json"
    with SmtpServer() as smtp, LiveServer(env={"GATEWAY_SMTP_URL": smtp.url,
                                               "GATEWAY_ARGON2_PROFILE": "test"}) as server:
        created = server.run_cli("demo", "--json", "--credentials-file", str(credentials_file))
        assert created.returncode == 0, created.stderr
        assert json.loads(created.stdout)["prefix"] == "demo"
        assert json.loads(credentials_file.read_text()) == json.loads(created.stdout)
        yield Gateway(server, smtp, credentials_file)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    with _demo_gateway(tmp_path_factory.mktemp("examples")) as running:
        yield running


def test_every_seed_section_has_examples() -> None:
    assert {s.split("/")[0] for s in SCRIPTS} == {*FOLDERS, "tour.sh"}
    for folder in FOLDERS:
        assert list((EXAMPLES / folder).glob("*.py")), f"{folder} has no Python flow"


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs_clean_against_a_live_gateway(script: str, gateway: Gateway) -> None:
    already = len(gateway.smtp.messages)
    command = [sys.executable, script] if script.endswith(".py") else ["bash", script]
    result = gateway.run(*command)
    output = result.stdout + result.stderr
    assert result.returncode == 0, (f"{script} failed:\n{output[-4000:]}\n"
                                    f"--- server log ---\n{gateway.server.log()[-2000:]}")
    assert "FAILED" not in output
    name = Path(script).stem if script != "tour.sh" else "tour"
    assert result.stdout.rstrip().endswith(f"{name} ok"), output[-2000:]

    expected = MAIL_TO.get(script, [])
    if expected:
        arrived = gateway.smtp.wait_for(already + len(expected), timeout=30)[already:]
        recipients = sorted(r for message in arrived for r in message.rcpt_tos)
        for prefix in expected:
            match = next((r for r in recipients if r.startswith(prefix)), None)
            assert match is not None, f"no mail to {prefix}… among {recipients}"
            recipients.remove(match)
        assert all(m.message.get_content_type() == "multipart/mixed" for m in arrived)


def test_run_all_runs_a_folder_and_reports_each_script(gateway: Gateway) -> None:
    result = gateway.run("bash", "run_all.sh", "migration")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "migration/side_by_side.py" in result.stdout and "1 of 1 examples passed" in result.stdout


def test_run_all_takes_a_python_path_relative_to_the_callers_folder(gateway: Gateway) -> None:
    relative = os.path.relpath(sys.executable, REPO_ROOT)
    result = gateway.run("bash", "examples/run_all.sh", "migration", cwd=REPO_ROOT, python=relative)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 of 1 examples passed" in result.stdout


def test_an_example_fails_loudly_when_the_gateway_answers_differently(gateway: Gateway, tmp_path: Path) -> None:
    """The guard itself: a wrong credential is an unexpected answer, and the script exits non-zero."""
    broken = json.loads(gateway.credentials_file.read_text())
    broken["invoiceocean"]["api_token"] = "not-a-token"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken))
    result = subprocess.run(["bash", "invoiceocean/departments.sh"], cwd=EXAMPLES, capture_output=True, text=True,
                            timeout=SCRIPT_TIMEOUT_S, check=False,
                            env={"PATH": "/usr/bin:/bin", "BASE_URL": gateway.server.base_url,
                                 "CREDENTIALS_FILE": str(bad)})
    assert result.returncode == 1
    assert "FAILED: expected HTTP 200, got 401" in result.stderr


def test_make_examples_passes_every_example_twice_in_a_row_against_a_fresh_demo_gateway(tmp_path: Path) -> None:
    """The README's newcomer path, `make run` then `make examples`, through the real Makefile target.

    Twice, because the examples must leave the demo account usable: one of them sends a wrong password on
    purpose, and the account's own valid credentials must still work on the next run."""
    venv = Path(sys.prefix).resolve()
    if venv != (REPO_ROOT / ".venv").resolve():
        pytest.skip(f"`make examples` runs the repository's .venv, and these tests run from {venv}")
    with _demo_gateway(tmp_path) as running:
        total = len(SCRIPTS)
        for attempt in ("first", "second"):
            # -o: never reinstall the venv from inside a test, whatever the timestamps say.
            result = running.run("make", "--no-print-directory", "-o", ".venv/.installed", "examples",
                                 cwd=REPO_ROOT)
            output = result.stdout + result.stderr
            assert result.returncode == 0, f"{attempt} run:\n{output[-6000:]}"
            assert f"{total} of {total} examples passed" in result.stdout, f"{attempt} run:\n{output[-6000:]}"
