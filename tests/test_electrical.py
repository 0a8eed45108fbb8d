"""Cables, conductors, demand and capacity: domain.md worked examples 1-5."""

from __future__ import annotations

import pytest

from planner.electrical import (
    admit,
    boxes_in_bank,
    cable_length_m,
    demand_kw,
    managed_share_kw,
    size_conductor,
    voltage_drop_pct,
)
from planner.rules import Rules

RULES = Rules()


def test_example_1_route_30_m() -> None:
    cable = cable_length_m(30, ceiling_height_m=3.6, rules=RULES)
    assert cable == pytest.approx(35.91)
    c = size_conductor(cable, charger_kw=7, rules=RULES)
    assert c.conductor_mm2 == 6
    assert c.voltage_drop_pct == pytest.approx(3.76, abs=0.005)
    assert c.within_limit


@pytest.mark.parametrize(
    ("route", "cable", "drops", "size"),
    [
        (40, 46.41, {6: 4.86, 10: 2.91}, 10),
        (70, 77.91, {6: 8.15, 10: 4.89, 16: 3.06}, 16),
    ],
)
def test_example_2_longer_routes(
    route: float, cable: float, drops: dict[int, float], size: int
) -> None:
    length = cable_length_m(route, ceiling_height_m=3.6, rules=RULES)
    assert length == pytest.approx(cable)
    for s, pct in drops.items():
        assert voltage_drop_pct(
            length, charger_kw=7, conductor_mm2=s, rules=RULES
        ) == pytest.approx(pct, abs=0.005)
    assert size_conductor(length, charger_kw=7, rules=RULES).conductor_mm2 == size


def test_no_size_passes_gives_25_and_flags_it() -> None:
    c = size_conductor(170, charger_kw=7, rules=RULES)
    assert c.conductor_mm2 == 25
    assert not c.within_limit
    assert c.voltage_drop_pct > 4


def test_ampacity_rules_out_small_sizes() -> None:
    """40 A / 0.8 = 50 A needed: with a 45 A breaker 6 mm² (51 x 0.8 = 40.8 A) is out."""
    rules = RULES.with_overrides(["breaker_a=45"])
    assert size_conductor(10, charger_kw=7, rules=rules).conductor_mm2 == 10


@pytest.mark.parametrize(
    ("n", "kw"),
    [
        (4, 28.0),
        (5, 29.75),
        (6, 35.7),
        (10, 59.5),
        (11, 59.5),
        (14, 63.7),
        (50, 227.5),
        (70, 227.5),
    ],
)
def test_example_3_demand(n: int, kw: float) -> None:
    assert demand_kw([7.0] * n, RULES) == pytest.approx(kw)


def test_example_4_capacity_first_come_first_served() -> None:
    a = admit([7.0] * 14, capacity_kw=30, rules=RULES)
    assert a.joined == 5
    assert a.demand_kw == pytest.approx(29.75)
    assert a.connected_kw == pytest.approx(35.0)
    assert a.spare_chargers == 0


def test_no_skipping_ahead() -> None:
    """A small charger after one that does not fit waits too."""
    a = admit([7.0] * 5 + [7.0, 3.0], capacity_kw=30, rules=RULES)
    assert a.joined == 5


def test_spare_chargers_and_unknown_capacity() -> None:
    assert admit([7.0, 7.0], capacity_kw=30, rules=RULES).spare_chargers == 3
    assert admit([], capacity_kw=30, rules=RULES).spare_chargers == 5
    unknown = admit([7.0] * 3, capacity_kw=None, rules=RULES)
    assert (unknown.joined, unknown.spare_chargers) == (3, None)


def test_example_5_managed_share() -> None:
    share = managed_share_kw(7, capacity_kw=30, count=14)
    assert share == pytest.approx(30 / 14)
    assert round(share, 2) == 2.14
    assert round(share * RULES.managed_hours, 1) == 17.1
    assert managed_share_kw(3.5, capacity_kw=30, count=2) == 3.5


def test_boxes_in_bank() -> None:
    assert [boxes_in_bank(n, RULES) for n in (0, 1, 12, 13, 25)] == [1, 1, 1, 2, 3]
