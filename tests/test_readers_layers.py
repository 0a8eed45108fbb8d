"""Layer maps: the built-in names, a TOML map first, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.errors import PlannerError
from planner.readers.layers import LayerMap


@pytest.mark.parametrize(
    ("layer", "kind"),
    [
        ("车位", "space"),
        ("停车位-普通", "space"),
        ("PARKING", "space"),
        ("柱", "obstacle:column"),
        ("S-COLUMN", "obstacle:column"),
        ("墙体", "obstacle:wall"),
        ("A-WALL", "obstacle:wall"),
        ("防火分区线", "compartment"),
        ("FIRE-COMPARTMENT", "compartment"),
        ("电梯井", "obstacle:shaft"),
        ("坡道", "obstacle:ramp"),
        ("电缆桥架", "tray"),
        ("B1|space", "space"),
        ("B2|column", "obstacle:column"),
        ("B1|cable", "ignore"),
        ("p-parking-cctvid", "ignore"),
        ("e-drivewayline", None),
    ],
)
def test_built_in_map(layer: str, kind: str | None) -> None:
    assert LayerMap().kind_of(layer) == kind


def test_a_toml_map_comes_first(tmp_path: Path) -> None:
    path = tmp_path / "map.toml"
    path.write_text(
        '[layers]\n"e-zone-area" = "compartment"\n"*柱*" = "ignore"\n', encoding="utf-8"
    )
    m = LayerMap.load(path)
    assert m.kind_of("E-ZONE-AREA") == "compartment"
    assert m.kind_of("结构柱") == "ignore"
    assert m.kind_of("车位") == "space"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[layers]\n"x" = "pillar"\n', r"unknown kind\(s\) x = 'pillar'.*Fix: use one of"),
        ("layers = 3\n", r"has no \[layers\] table"),
        ("[layers\n", "is not TOML"),
    ],
)
def test_bad_maps_say_how_to_fix(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "map.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlannerError, match=message):
        LayerMap.load(path)
    with pytest.raises(PlannerError, match="does not exist"):
        LayerMap.load(tmp_path / "nope.toml")
