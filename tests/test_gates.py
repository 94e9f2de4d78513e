"""`make test` runs the gates (ruff, mypy, import-linter) before pytest, with the pinned tools."""
from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
GATES = {"ruff": "ruff", "mypy": "mypy", "import-linter": "lint-imports"}


def _dry_run(target: str) -> list[str]:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # -n prints the commands without running them; -o takes the venv as built, whatever its age.
    done = subprocess.run(["make", "-n", "-o", ".venv/.installed", target], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return done.stdout.splitlines()


def test_make_test_runs_every_gate_before_pytest() -> None:
    commands = _dry_run("test")
    position = {gate: next((i for i, line in enumerate(commands) if re.search(rf"/{tool}\b", line)), None)
                for gate, tool in GATES.items()}
    tests_at = next(i for i, line in enumerate(commands) if "-m pytest" in line)
    assert all(at is not None and at < tests_at for at in position.values()), (position, commands)


def test_every_gate_tool_is_pinned_in_the_test_extra_at_the_installed_version() -> None:
    extra = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["optional-dependencies"]["test"]
    pins = dict(found.groups() for found in (re.match(r"([\w-]+)==(\S+)", spec) for spec in extra) if found)
    assert {name: pins.get(name) for name in GATES} == {name: version(name) for name in GATES}


def test_mypy_holds_core_and_the_dialect_kit_to_strict() -> None:
    overrides = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["mypy"]["overrides"]
    strict = {module for section in overrides if section.get("strict") for module in section["module"]}
    assert {"core.*", "dialects.kit.*"} <= strict


def test_every_warning_filter_but_error_says_why() -> None:
    text = PYPROJECT.read_text(encoding="utf-8")
    block = text[text.index("filterwarnings = ["):]
    block = block[:block.index("]\n") + 1].splitlines()[1:-1]
    for i, line in enumerate(block):
        if line.strip().startswith('"') and line.strip() != '"error",':
            assert block[i - 1].strip().startswith("#"), f"{line.strip()} has no comment saying why"


def test_import_contracts_cover_the_layers_and_the_dialects_independence() -> None:
    contracts = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    by_id = {contract["id"]: contract for contract in contracts}
    assert [layer.strip("()") for layer in by_id["layers"]["layers"]] == [
        "gateway", "dialects.invoiceocean : dialects.invo : dialects.fakturan", "dialects.kit", "core"]
    assert by_id["dialects-independent"]["modules"] == ["dialects.invoiceocean", "dialects.invo", "dialects.fakturan"]
