"""Round trips (issue 25): whatever a dialect answers, it accepts back unchanged.

For every (dialect, resource) the route tables serve, on every record of the demo account and of
records created through each dialect: the answer sent back verbatim is accepted and changes nothing
but `updated_at`; sent back with one attribute changed (hypothesis picks the record, the attribute and
the value) it changes that attribute only, and the totals when the attribute is priced. A changed
read-only attribute is ignored, not refused."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.roundtrip.cases import CASES, Case, Mutation, differences, equal, resources_in_route_tables
from tests.roundtrip.world import World

MUTATIONS_PER_RESOURCE = 30


def test_every_resource_in_the_route_tables_has_a_round_trip_case() -> None:
    assert {case.name for case in CASES} == resources_in_route_tables()


def _targets(case: Case, record: dict[str, Any]) -> list[tuple[Mutation, tuple[Any, ...]]]:
    """Where each of the case's mutations can be made on this record."""
    found: list[tuple[Mutation, tuple[Any, ...]]] = []
    for mutation in case.mutations:
        if mutation.line:
            found += [(mutation, (case.lines, i, mutation.key)) for i, line in enumerate(record.get(case.lines) or [])
                      if mutation.key in line and case.line_applies(record, line)]
        elif mutation.nested:
            if mutation.key in (record.get(mutation.nested) or {}):
                found.append((mutation, (mutation.nested, mutation.key)))
        elif mutation.key in record:
            found.append((mutation, (mutation.key,)))
    return found


def _allowed(case: Case, mutation: Mutation) -> set[str]:
    return set(case.volatile) | (set(case.totals) if mutation.priced else set())


def _unexpected(case: Case, mutation: Mutation, path: tuple[Any, ...], before: dict[str, Any],
                after: dict[str, Any]) -> dict[Any, Any]:
    changed = differences(before, after, _allowed(case, mutation))
    if mutation.read_only:
        return changed
    siblings = {(*path[:-1], key) for key in (path[-1], *mutation.also)}
    return {p: v for p, v in changed.items() if p not in siblings}


def _value_at(record: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        record = record[step]
    return record


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_an_answer_sent_back_is_accepted_and_changes_only_what_was_changed(
        world: World, case: Case, record_property: Any) -> None:
    records = [(account, handle) for account in world.accounts for handle in case.handles(account)]
    assert records, f"{case.name}: no records to try"
    for account, handle in records:
        raw = case.fetch(account, handle)
        ok, answer = case.send(account, handle, raw)
        assert ok, f"{case.name} {handle}: the unchanged answer was refused: {answer}"
        changed = differences(case.parse(raw), case.parse(case.fetch(account, handle)), case.volatile)
        assert not changed, f"{case.name} {handle}: sending back the answer changed {changed}"

    tried: list[str] = []

    # No shrinking: every example changes the ledger, so a replay starts from another state.
    @settings(max_examples=MUTATIONS_PER_RESOURCE, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(data=st.data())
    def one_change(data: st.DataObject) -> None:
        account, handle = data.draw(st.sampled_from(records), label="record")
        raw = case.fetch(account, handle)
        before = case.parse(raw)
        targets = _targets(case, before)
        assert targets, f"{case.name} {handle}: nothing to change"
        mutation, path = data.draw(st.sampled_from(targets), label="attribute")
        # Drawn unfiltered: a filter against the record's current value would make what Hypothesis draws depend on
        # the ledger's state, which it reports as an inconsistent strategy when a prefix is drawn again.
        value = data.draw(mutation.values, label="value")
        if equal(value, _value_at(before, path)):
            return  # no change to make; the other examples make them
        ok, answer = case.send(account, handle, case.edit(raw, path, value))
        assert ok, f"{case.name} {handle}: changing {path} to {value!r} was refused: {answer}"
        after = case.parse(case.fetch(account, handle))
        if not mutation.read_only:
            assert equal(value, _value_at(after, path)), (path, value, _value_at(after, path))
        unexpected = _unexpected(case, mutation, path, before, after)
        assert not unexpected, f"{case.name} {handle}: changing {path} to {value!r} also changed {unexpected}"
        tried.append(mutation.key)

    one_change()
    record_property("round_trips", f"{len(records)} records sent back unchanged, {len(tried)} single changes "
                                   f"over {len(set(tried))} attributes")
