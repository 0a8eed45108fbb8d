"""The sheet set (planner.sheets): which area plans a split level gets."""

from __future__ import annotations

import json

import shapely
from shapely.geometry import box, mapping

from planner.plan import make_plan
from planner.readers import parse_site
from planner.sheets import level_sheets, sheet_set
from planner.synthetic import simple_garage


def _garage_in_a_long_hall(length_m: float) -> bytes:
    """A small garage of stalls at the west end of a hall ``length_m`` long: the level and
    its one compartment run the whole hall, the stalls fill only its first bays."""
    feats = simple_garage(bays=3, strips=1, capacity_kw=100)
    level = next(f for f in feats if f["properties"]["kind"] == "level")
    x0, y0, _, y1 = shapely.geometry.shape(level["geometry"]).bounds
    hall = mapping(box(x0, y0, x0 + length_m, y1))
    for f in feats:
        if f["properties"]["kind"] in ("level", "compartment"):
            f["geometry"] = hall
    return json.dumps({"type": "FeatureCollection", "features": feats}).encode()


def test_bare_floor_gets_no_area_sheet() -> None:
    """Every area sheet shows a stall, a cable or a box; every stall is on one; the tiles of
    bare floor beyond them have none (the key plan still shows the whole hall)."""
    site = parse_site(_garage_in_a_long_hall(600.0))
    plan = make_plan(site)
    sheets = level_sheets(plan, "B1", "A3", "sheet-B1")
    key, areas = sheets[0], sheets[1:]
    assert key.kind == "key"
    assert key.parts == len(areas) >= 1
    hall = site.level("B1").outline
    kx0, ky0, kx1, ky1 = key.window
    assert box(kx0, ky0, kx1, ky1).covers(hall)
    windows = [box(*s.window) for s in areas]
    stalls = [s.polygon for s in site.spaces]
    assert all(any(w.intersects(p) for p in stalls) for w in windows)
    assert all(any(w.intersects(p) for w in windows) for p in stalls)
    # the old rule (every tile meeting the outline) would have tiled the whole hall
    tile_w = areas[0].window[2] - areas[0].window[0]
    hx0, _, hx1, _ = hall.bounds
    assert len(areas) < (hx1 - hx0) / tile_w
    assert [s.part for s in areas] == list(range(1, len(areas) + 1))
    numbers = [s.number for s in sheet_set(plan)]
    assert numbers == [f"电施-{n:02d}" for n in range(1, len(numbers) + 1)]
