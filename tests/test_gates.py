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


def test_make_lint_runs_mypy_over_the_whole_configured_tree() -> None:
    mypy = [line.split() for line in _dry_run("lint") if re.search(r"/mypy\b", line)]
    assert len(mypy) == 1 and mypy[0][1:] == [], mypy  # no paths: mypy checks the files pyproject lists
    assert tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["mypy"]["files"] == [
        "core", "dialects", "gateway"]


def test_mypy_holds_core_and_the_dialect_kit_to_every_strict_flag_and_only_them() -> None:
    """Per module, as mypy itself resolves pyproject.toml: `strict = true` inside an override would switch
    the flags on for every module (python/mypy#11401), so the flags are listed and checked here against
    the ones --strict sets in the installed mypy."""
    from mypy.main import define_options, process_options

    _, _, strict_flags = define_options()
    _, options = process_options(["--config-file", str(PYPROJECT)], require_targets=False)

    def not_strict(module: str) -> set[str]:
        resolved = options.clone_for_module(module)
        return {flag for flag, value in strict_flags if getattr(resolved, flag) != value}

    assert not_strict("core.ledger") == set() and not_strict("dialects.kit.http") == set()
    assert "disallow_untyped_defs" in not_strict("gateway.app") & not_strict("dialects.invo.parse")


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
