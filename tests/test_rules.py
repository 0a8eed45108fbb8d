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
    assert r.meter_positions_per_box == 12
    assert r.charger_edge_offset_m == 0.4
    assert r.compartment_area_limit_m2["underground"] == 2000
    assert r.fire_unit_limit_m2["single_storey"] == 1500
    assert r.vote_participation_share == pytest.approx(2 / 3)
    assert r.vote_approval_share == pytest.approx(3 / 4)
    assert r.conductor_sizes_mm2 == (6, 10, 16, 25)
    assert r.ampacity_a == (51, 70, 94, 119)


def test_every_field_names_its_rule_and_unconfirmed_ones_say_so() -> None:
    rows = Rules.table()
    assert all(desc and rule for rule, _, _, desc in rows)
    unconfirmed = {name for _, name, _, desc in rows if "[unconfirmed" in desc}
    assert {
        "compartment_area_limit_m2",
        "meter_positions_per_box",
        "demand_factor_steps",
        "demand_factor_above",
    } <= unconfirmed
    assert {rule for rule, *_ in rows} >= {
        f"R{i}" for i in (1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15)
    }


def test_rules_are_frozen() -> None:
    with pytest.raises(ValueError, match="frozen"):
        Rules().clearance_m = 0.2  # type: ignore[misc]


def test_overrides_parse_json_values() -> None:
    r = Rules().with_overrides(
        [
            "clearance_m=0",
            "block_too_deep=true",
            "conductor_sizes_mm2=[4, 6]",
            "ampacity_a=[40, 51]",
        ]
    )
    assert (r.clearance_m, r.block_too_deep, r.conductor_sizes_mm2) == (0, True, (4, 6))


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("clearance=0.2", r"there is no rule 'clearance'\. Did you mean clearance_m"),
        ("clearance_m", r"is not RULE=VALUE"),
        ("clearance_m=-1", r"--set clearance_m: Input should be greater than or equal to 0"),
        ("ampacity_a=[1]", r"same length"),
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
