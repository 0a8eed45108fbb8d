"""The one rules object: domain.md defaults, documented fields, overrides with clear errors."""

from __future__ import annotations

import pytest

from planner.errors import PlannerError
from planner.rules import Rules


def test_defaults_are_those_of_domain_md() -> None:
    r = Rules()
    assert r.charger_cap_kw == 7
    assert r.clearance_m == 0.1
    assert r.tray_cost_factor == 0.7
    assert r.slack == 0.05
    assert r.voltage_drop_limit_pct == 4
    assert r.box_sizes == (1, 2, 4, 6, 9, 12)
    assert r.box_depth_m == 0.2
    assert r.charger_edge_offset_m == 0.4
    assert r.compartment_area_limit_m2["underground"] == 2000
    assert r.fire_unit_limit_m2["single_storey"] == 1500
    assert r.vote_participation_share == pytest.approx(2 / 3)
    assert r.vote_approval_share == pytest.approx(3 / 4)
    # E1-E6 (the former R10 tray ampacities and single grouping factor are now the
    # sourced tables of planner.tables, read per segment)
    assert r.conductor_sizes_mm2 == (6, 10, 16, 25, 35)
    assert (r.insulation, r.ambient_c, r.cos_phi, r.off_tray_method) == ("xlpe", 30, 1, "B2")
    assert (r.breaker_a, r.rcd_type, r.magnetic_trip_multiple) == (40, "A", 10)
    assert (r.tray_from_cables, r.share_distance_m, r.share_min_length_m) == (4, 0.05, 1.0)
    assert (r.resistivity_ohm_mm2_per_m, r.reactance_ohm_per_m) == (0.0225, 8e-5)
    assert (r.diversity, r.managed_min_a, r.lease_min_months) == ("none", 6, 12)
    assert (r.block_over_cap, r.block_over_limit, r.floor_feed_height_m) == (True, True, 0.3)


def test_every_field_names_its_rule_and_unconfirmed_ones_say_so() -> None:
    rows = Rules.table()
    assert all(desc and rule for rule, _, _, desc in rows)
    unconfirmed = {name for _, name, _, desc in rows if "[unconfirmed" in desc}
    assert {
        "compartment_area_limit_m2",
        "box_sizes",
        "demand_factor_steps",
        "demand_factor_above",
    } <= unconfirmed
    assert {rule for rule, *_ in rows} >= {
        *(f"R{i}" for i in (1, 2, 3, 4, 5, 7, 8, 9, 10, 13, 14, 15)),
        *(f"E{i}" for i in range(1, 7)),
    }


def test_rules_are_frozen() -> None:
    with pytest.raises(ValueError, match="frozen"):
        Rules().clearance_m = 0.2  # type: ignore[misc]


def test_overrides_parse_json_values() -> None:
    r = Rules().with_overrides(
        [
            "clearance_m=0",
            "block_too_deep=true",
            "conductor_sizes_mm2=[10, 16]",
            "insulation=pvc",
        ]
    )
    assert (r.clearance_m, r.block_too_deep, r.conductor_sizes_mm2) == (0, True, (10, 16))
    assert r.insulation == "pvc"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("clearance=0.2", r"there is no rule 'clearance'\. Did you mean clearance_m"),
        ("clearance_m", r"is not RULE=VALUE"),
        ("clearance_m=-1", r"--set clearance_m: Input should be greater than or equal to 0"),
        ("conductor_sizes_mm2=[4, 6]", r"4 have no tabulated ampacity"),
        ("insulation=rubber", r"--set insulation: Input should be 'xlpe' or 'pvc'"),
        ("ambient_c=70", r"less than or equal to 60"),
    ],
)
def test_bad_overrides_say_how_to_fix(text: str, match: str) -> None:
    with pytest.raises(PlannerError, match=match):
        Rules().with_overrides([text])


def test_readme_lists_every_rule() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for _, name, _, _ in Rules.table():
        assert f"`{name}`" in readme, f"README's rules table lacks {name}"
