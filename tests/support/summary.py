"""Counts that a test records with `record_property(NAME, "...")`, printed in pytest's terminal summary.

The fuzzers record their case counts and the round-trip tests what they tried; pytest-xdist's workers hand
user properties back to the controller, so the lines appear under `-n 2` as well."""
from __future__ import annotations

from typing import Any


def write_recorded(terminalreporter: Any, name: str, title: str) -> None:
    lines = [f"{report.nodeid.split('::')[-1]}: {value}"
             for reports in terminalreporter.stats.values() for report in reports
             if hasattr(report, "user_properties") and getattr(report, "when", "") == "call"
             for key, value in report.user_properties if key == name]
    if lines:
        terminalreporter.write_sep("-", title)
        for line in sorted(lines):
            terminalreporter.write_line(line)
