"""Core and the gateway name no dialect: only the composition root (gateway/registry.py) does, so a new dialect is
one folder plus one line there. The names are read from the registry (each dialect's name, label and package), so
a dialect added later is held to the same rule without an edit here. Comments and strings count too."""
from __future__ import annotations

import re
from pathlib import Path

from dialects.kit.dialect import Dialect
from gateway.registry import DIALECTS

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("core", "gateway")
COMPOSITION_ROOT = "gateway/registry.py"


def names_of(dialect: Dialect) -> set[str]:
    """How code would name a dialect: its registry name, its label, and its package under dialects/."""
    return {dialect.name, dialect.label, dialect.routes.__module__.split(".")[1]}


def pattern_of(dialects: tuple[Dialect, ...]) -> re.Pattern[str]:
    """A name not inside a longer word ("invoice" does not name a dialect called "invo"; "invo_login" does)."""
    alternatives = "|".join(re.escape(name) for d in dialects for name in sorted(names_of(d), key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])", re.IGNORECASE)


def files_naming(pattern: re.Pattern[str], folders: tuple[str, ...]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            hits = [f"{number}: {line.strip()}" for number, line in enumerate(text.splitlines(), 1)
                    if pattern.search(line)]
            if hits:
                found[path.relative_to(ROOT).as_posix()] = hits
    return found


def test_core_and_the_gateway_name_no_dialect_outside_the_composition_root() -> None:
    found = files_naming(pattern_of(DIALECTS), SCANNED)
    offending = {path: hits[:3] for path, hits in found.items() if path != COMPOSITION_ROOT}
    assert offending == {}


def test_the_names_searched_for_are_the_registrys_and_are_found_where_they_are_used() -> None:
    """The search is not vacuous: every registered dialect is named in the composition root, and in its own folder."""
    assert len(DIALECTS) >= 3
    for dialect in DIALECTS:
        pattern = pattern_of((dialect,))
        assert COMPOSITION_ROOT in files_naming(pattern, ("gateway",)), dialect.name
        assert files_naming(pattern, (f"dialects/{dialect.routes.__module__.split('.')[1]}",)), dialect.name
