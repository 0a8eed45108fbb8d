"""Every tabulated figure of the standards carries its table and two sources, or says
[unconfirmed]."""

from __future__ import annotations

import pytest

from planner import tables
from planner.rules import Rules


@pytest.mark.parametrize("table", tables.TABLES, ids=lambda t: t.name)
def test_every_table_names_its_clause_and_sources(table: tables.Sourced) -> None:
    assert table.table
    assert table.sources
    assert table.confirmed or tables.UNCONFIRMED in table.note
    if table.confirmed:
        assert len(set(table.sources)) >= 2
    for row in table.values.values():
        assert len(row) == len(table.keys)


def test_constants_without_two_sources_say_so() -> None:
    for name in ("box_sizes", "demand_factor_steps", "short_circuit_factor", "insulation"):
        assert "[unconfirmed" in (Rules.model_fields[name].description or ""), name


def test_lookups() -> None:
    assert tables.ampacity_a("xlpe", "E", 10) == 86
    assert tables.ampacity_a("pvc", "B2", 35) == 111
    assert tables.temperature_factor("pvc", 30) == 1.0
    assert tables.temperature_factor("xlpe", 37) == 0.91  # the next listed temperature up
    assert tables.grouping_factor(10, tray=False) == 0.45  # between 9 and 12: the lower
    assert tables.grouping_factor(30, tray=False) == 0.38
    assert tables.grouping_factor(12, tray=True) == 0.72
    assert tables.pe_size_mm2(16) == 16
    assert tables.pe_size_mm2(35) == 16
    assert tables.pe_size_mm2(70) == 35
    with pytest.raises(KeyError, match="sizes are 6, 10"):
        tables.ampacity_a("xlpe", "E", 4)
