"""Every script under examples/ runs against a live gateway, so the examples cannot rot."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support.live_server import LiveServer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.sh")))
def test_example_script_runs_clean_against_a_live_gateway(script: str, live_server: LiveServer,
                                                          tmp_path: Path) -> None:
    creds_file = tmp_path / "demo.json"
    created = live_server.run_cli("demo", "--json", "--credentials-file", str(creds_file))
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["prefix"] == "demo"
    result = subprocess.run([str(EXAMPLES / script)], capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin:/usr/local/bin", "BASE_URL": live_server.base_url,
                                 "CREDENTIALS_FILE": str(creds_file)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("tour ok")
