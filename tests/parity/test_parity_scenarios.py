"""Issue 9, part 1: every scenario, created through each dialect that can express it, reads the same
through all three, as gateway.fidelity defines "the same". A scenario a dialect cannot express is
listed in fidelity.SCENARIOS (and the README), and that is checked here too, not skipped silently."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from core.ledger import Ledger
from gateway.fidelity import DIALECTS, FIELDS, SCENARIOS, lossy_fields, render_markdown, wire_key
from tests.parity.harness import Wire
from tests.parity.scenarios import RUN

CASES = [pytest.param(s.name, via, id=f"{s.name}-via-{via}") for s in SCENARIOS for via in s.creators()]


@pytest.fixture
def wire(client: TestClient, ledger: Ledger, account: dict[str, Any]) -> Wire:
    return Wire(client, ledger, account)


@pytest.mark.parametrize(("scenario", "via"), CASES)
def test_scenario_reads_the_same_through_every_dialect(wire: Wire, scenario: str, via: str) -> None:
    RUN[scenario](wire, via)


def test_every_scenario_of_the_issue_runs_and_every_gap_is_documented() -> None:
    assert set(RUN) == {s.name for s in SCENARIOS}
    for scenario in SCENARIOS:
        assert scenario.creators(), scenario.name
        for dialect, reason in scenario.cannot.items():
            assert dialect in DIALECTS and len(reason) > 20, (scenario.name, dialect)


def test_the_readme_lossy_table_is_the_code_table() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("<!-- section:parity -->"):readme.index("<!-- /section:parity -->")]
    assert render_markdown() in section, "README's parity table drifted: paste gateway.fidelity.render_markdown()"


def test_lossy_fields_and_wire_keys_answer_for_every_pane() -> None:
    assert "sell_date" in lossy_fields("fakturan") and "sell_date" not in lossy_fields("invoiceocean")
    assert lossy_fields("invoiceocean_xml") == lossy_fields("invoiceocean")
    assert (wire_key("issue_date", "invo"), wire_key("sell_date", "fakturan")) == ("mdate", None)
    assert wire_key("number", "invoiceocean_xml") == "invoice/number"
    for rule in FIELDS:
        for dialect in DIALECTS:
            absent = rule.fidelity[dialect] == "absent"
            assert absent == (rule.wire[dialect] is None) or rule.name == "cash_rounding", (rule.name, dialect)
            assert not absent or rule.note[dialect], f"{rule.name} is absent in {dialect} without saying what happens"
