"""Real files from ../shared/realdata (never copied into the project).

Skipped where the folder is absent; under CI=true its absence fails (see conftest).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely

from planner.errors import SiteError
from planner.readers import parse_site

pytestmark = pytest.mark.realdata


def _temasek_site(realdata: Path, *, as_polygons: bool) -> tuple[dict[str, Any], list[Any]]:
    src = json.loads(
        (realdata / "temasek-polytechnic-imdf" / "parking_units_epsg3414.geojson").read_text(
            encoding="utf-8"
        )
    )
    stalls = src["features"]
    geoms: list[Any] = [shapely.geometry.shape(f["geometry"]) for f in stalls]  # MultiPolygons
    hull = shapely.union_all(geoms).envelope.buffer(5, join_style="mitre")
    feats: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": None,
            "properties": {
                "kind": "site",
                "name": "Temasek Polytechnic car parks",
                "crs": "EPSG:3414",
            },
        },
        {
            "type": "Feature",
            "geometry": shapely.geometry.mapping(hull),
            "properties": {"kind": "level", "id": "L0", "garage_type": "open", "floor": 1},
        },
        {
            "type": "Feature",
            "geometry": shapely.geometry.mapping(hull),
            "properties": {"kind": "compartment", "id": "ALL", "level": "L0"},
        },
    ]
    for n, (f, g) in enumerate(zip(stalls, geoms, strict=True)):
        geometry = shapely.geometry.mapping(g.geoms[0]) if as_polygons else f["geometry"]
        feats.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "kind": "space",
                    "id": f"P{n:04d}",
                    "level": "L0",
                    "name": f["properties"]["name"],
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats}, stalls


def test_temasek_stalls_in_svy21_read_with_ground_areas(realdata: Path) -> None:
    doc, stalls = _temasek_site(realdata, as_polygons=True)
    site = parse_site(json.dumps(doc).encode())
    assert len(site.spaces) == len(stalls) == 1129
    areas = np.array([s.polygon.area for s in site.spaces])
    expected = np.array([f["properties"]["area_m2"] for f in stalls])
    assert np.allclose(areas, expected, rtol=2e-3, atol=2e-3)
    back = site.frame.to_source(site.spaces[0].polygon)
    stall: Any = shapely.geometry.shape(stalls[0]["geometry"])  # a MultiPolygon
    original = stall.geoms[0]
    assert back.equals_exact(original, tolerance=1e-3)


def test_temasek_multipolygons_are_refused_each_by_name(realdata: Path) -> None:
    doc, stalls = _temasek_site(realdata, as_polygons=False)
    with pytest.raises(SiteError) as info:
        parse_site(json.dumps(doc).encode())
    errors = [p for p in info.value.problems if p.severity == "error"]
    assert len(errors) == len(stalls)
    assert {p.code for p in errors} == {"GEOMETRY_TYPE"}
    assert "(space 'P0000'): geometry is a MultiPolygon" in str(info.value)
    assert "split it into one feature per part" in str(info.value)
