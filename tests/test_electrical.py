"""Circuits, phases, demand, managed charging and the box: domain.md worked examples 1-5, 8.

The examples use PVC, 30 °C, cos φ 1, In 40 A, ceiling 3.6 m, wall chargers and 7 kW unless
they say otherwise. (The former R10/R11 tests sized every cable with one grouping factor
of 0.8 and a 0.0217 resistivity, and let demand factors share a capacity; E1-E6 replaced
both, so their known answers changed with them.)
"""

from __future__ import annotations

import pytest

from planner.electrical import (
    Phases,
    Segment,
    admit,
    bank,
    cable_length_m,
    current_a,
    incoming_supply,
    managed_shares,
    short_circuit_reach_m,
    size_circuit,
    voltage_drop_pct,
)
from planner.rules import Rules

PVC = Rules(insulation="pvc")
XLPE = Rules()


def _size(cable_m: float, seg: Segment, rules: Rules = PVC) -> float:
    return size_circuit(cable_m, charger_kw=7, segments=[seg], rules=rules).conductor_mm2


def test_e1_design_current() -> None:
    assert current_a(7, PVC) == pytest.approx(31.82, abs=0.005)
    assert current_a(7, PVC.with_overrides(["cos_phi=0.9"])) == pytest.approx(35.35, abs=0.01)


def test_example_1_alone_on_a_tray_and_alone_in_conduit() -> None:
    cable = cable_length_m(30, ceiling_height_m=3.6, rules=PVC)
    assert cable == pytest.approx(35.91)
    tray = size_circuit(cable, charger_kw=7, segments=[Segment(30, "E", 1)], rules=PVC)
    assert (tray.conductor_mm2, round(tray.voltage_drop_pct, 2)) == (6, 3.90)
    assert tray.iz_a == 51
    conduit = size_circuit(cable, charger_kw=7, segments=[Segment(30, "B2", 1)], rules=PVC)
    assert (conduit.conductor_mm2, round(conduit.voltage_drop_pct, 2)) == (10, 2.34)


def test_example_2_grouping() -> None:
    cable = cable_length_m(10, ceiling_height_m=3.6, rules=PVC)
    on_tray = size_circuit(cable, charger_kw=7, segments=[Segment(10, "E", 5)], rules=PVC)
    assert (on_tray.conductor_mm2, on_tray.grouping) == (10, 0.75)
    assert on_tray.iz_a == pytest.approx(52.5)
    assert size_circuit(
        cable, charger_kw=7, segments=[Segment(10, "E", 5)], rules=PVC
    ).iz_a == pytest.approx(52.5)
    bunched = size_circuit(cable, charger_kw=7, segments=[Segment(10, "B2", 5)], rules=PVC)
    assert (bunched.conductor_mm2, bunched.grouping) == (16, 0.60)
    assert bunched.iz_a == pytest.approx(41.4)
    assert _size(cable, Segment(10, "E", 5), XLPE) == 6
    assert _size(cable, Segment(10, "B2", 5), XLPE) == 10
    three = size_circuit(cable, charger_kw=7, segments=[Segment(10, "B2", 3)], rules=XLPE)
    assert three.conductor_mm2 == 10
    assert size_circuit(
        cable, charger_kw=7, segments=[Segment(10, "B2", 1)], rules=XLPE
    ).conductor_mm2 == pytest.approx(6)


def test_the_worst_segment_decides() -> None:
    cable = cable_length_m(20, ceiling_height_m=3.6, rules=XLPE)
    segs = [Segment(5, "B2", 3), Segment(15, "B2", 1)]
    c = size_circuit(cable, charger_kw=7, segments=segs, rules=XLPE)
    assert (c.conductor_mm2, c.grouping) == (10, 0.70)  # 51 x 0.70 = 35.7 A < 40 A


def test_example_3_long_run_and_the_limit() -> None:
    cable = cable_length_m(100, ceiling_height_m=3.6, rules=PVC)
    assert cable == pytest.approx(109.41)
    drops = {
        s: voltage_drop_pct(cable, charger_kw=7, conductor_mm2=s, rules=PVC)
        for s in (6, 10, 16, 25)
    }
    assert {s: round(d, 2) for s, d in drops.items()} == {6: 11.87, 10: 7.12, 16: 4.45, 25: 2.85}
    c = size_circuit(cable, charger_kw=7, segments=[Segment(100, "E", 1)], rules=PVC)
    assert (c.conductor_mm2, round(c.voltage_drop_pct, 2), c.ok) == (25, 2.85, True)
    over = size_circuit(215.2, charger_kw=7, segments=[Segment(200, "E", 1)], rules=PVC)
    assert over.failures == ("voltage_drop",)
    assert over.passing_length_m == pytest.approx(215.1, abs=0.05)
    assert size_circuit(215.0, charger_kw=7, segments=[Segment(200, "E", 1)], rules=PVC).ok


@pytest.mark.parametrize(
    ("size", "reach"), [(6, 58.7), (10, 97.8), (16, 156.4), (25, 244.4), (35, 342.2)]
)
def test_e4_short_circuit_reach(size: float, reach: float) -> None:
    assert short_circuit_reach_m(size, PVC) == pytest.approx(reach, abs=0.05)


def test_reach_pushes_a_short_voltage_drop_cable_up_a_size() -> None:
    """60 m at 6 mm² drops 6.5 %; with a 10 % limit 6 mm² passes the drop but not its 58.7 m
    reach, so 10 mm² is chosen."""
    rules = PVC.with_overrides(["voltage_drop_limit_pct=10"])
    c = size_circuit(60, charger_kw=7, segments=[Segment(50, "E", 1)], rules=rules)
    assert c.conductor_mm2 == 10


def test_example_4_phases_and_capacity() -> None:
    a = admit([7.0] * 14, capacity_kw=30, rules=PVC)
    assert (a.joined, a.demand_kw, a.spare_chargers) == (3, 21.0, 0)
    assert a.phases == ("A", "B", "C")
    assert a.loads.kw == {"A": 7.0, "B": 7.0, "C": 7.0}
    sixty = admit([7.0] * 14, capacity_kw=60, rules=PVC)
    assert (sixty.joined, sixty.demand_kw) == (6, 42.0)
    assert admit([7.0] * 2, capacity_kw=60, rules=PVC).spare_chargers == 4


def test_atlas_diversity_never_falls() -> None:
    rules = PVC.with_overrides(["diversity=atlas"])
    loads = Phases()
    demands = []
    for _ in range(60):
        loads.add(7.0, rules)
        demands.append(loads.demand_kw)
    assert demands == sorted(demands)
    assert demands[3] == pytest.approx(42.0)  # 4 chargers: 14/7/7, Kx 1
    assert demands[4] == pytest.approx(42.0)  # 5: 14/14/7 x 0.85 = 35.7, the running max


def test_example_5_managed_charging() -> None:
    m = managed_shares([7.0] * 14, capacity_kw=30, rules=PVC)
    assert m.joined == 14
    assert m.loads.count == {"A": 5, "B": 5, "C": 4}
    assert [round(g, 2) for g in m.guaranteed_kw[:3]] == [2.0, 2.0, 2.5]
    assert [round(g * PVC.managed_hours) for g in m.guaranteed_kw[:3]] == [16, 16, 20]
    assert managed_shares([7.0] * 22, capacity_kw=30, rules=PVC).joined == 21


def test_example_8_the_box_and_its_supply() -> None:
    a = admit([7.0] * 14, capacity_kw=None, rules=PVC)
    assert a.loads.kw == {"A": 35.0, "B": 35.0, "C": 28.0}
    supply = incoming_supply(max(a.loads.kw.values()), kx=1.0, rules=PVC)
    assert supply.ip_a == pytest.approx(159.1, abs=0.05)
    assert supply.breaker_a == 160
    assert supply.cable == "ZR-YJV-0.6/1kV-4×50+1×25"
    assert bank(14, PVC) == (12, 2)
    assert incoming_supply(60.0, kx=1.0, rules=PVC).cable is None  # 273 A: over 250 A


@pytest.mark.parametrize(
    ("meters", "sizes"),
    [(0, (1,)), (1, (1,)), (3, (4,)), (12, (12,)), (13, (12, 1)), (25, (12, 12, 1))],
)
def test_bank_sizes(meters: int, sizes: tuple[int, ...]) -> None:
    assert bank(meters, PVC) == sizes


def test_floor_chargers_rise_from_0_3_m() -> None:
    wall = cable_length_m(10, ceiling_height_m=3.6, rules=PVC)
    floor = cable_length_m(10, ceiling_height_m=3.6, rules=PVC, charger_type="floor")
    assert floor - wall == pytest.approx(1.2 * 1.05)


def test_designations() -> None:
    c = size_circuit(20, charger_kw=7, segments=[Segment(10, "E", 1)], rules=XLPE)
    assert c.designation == "ZR-YJV-0.6/1kV-3×6"
    assert size_circuit(20, charger_kw=7, segments=[], rules=PVC).designation.startswith("ZR-VV")
