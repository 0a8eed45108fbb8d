"""The site model: contract names and defaults, frozen, per-level views."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from shapely.geometry import box

from planner.readers import parse_site
from planner.site import FIRE_SYSTEMS, Level, Request, SiteInfo, Space
from tests.conftest import examples, to_bytes


def test_contract_defaults() -> None:
    info = SiteInfo(name="x")
    assert (info.supply, info.urban, info.units, info.crs, info.north_deg) == (
        "direct",
        True,
        "m",
        None,
        0.0,
    )
    level = Level(id="B1", outline=box(0, 0, 1, 1))
    assert level.ceiling_height_m == 3.6
    assert level.garage_type is None
    assert level.missing_fire_systems == FIRE_SYSTEMS
    space = Space(id="S", level="B1", polygon=box(0, 0, 1, 1))
    assert space.tenure == "owned"
    req = Request(id="R", space="S", charger_kw=7)
    assert req.documents == ()
    assert req.vote is None


def test_unknown_fields_are_refused_by_the_model() -> None:
    with pytest.raises(ValidationError, match="extra"):
        SiteInfo(name="x", colour="red")  # type: ignore[call-arg]


def test_fire_systems_must_be_true_to_count() -> None:
    lv = Level(id="B1", outline=box(0, 0, 1, 1), fire_alarm=True, smoke_exhaust=False)
    assert lv.missing_fire_systems == FIRE_SYSTEMS[1:]


def test_on_level_gathers_one_level(tiny: dict[str, Any]) -> None:
    site = parse_site(to_bytes(tiny))
    view = site.on_level("B1")
    assert [c.id for c in view.compartments] == ["FQ1", "FQ2"]
    assert [s.id for s in view.spaces] == ["S1", "S2"]
    assert len(view.obstacles) == 1
    assert len(view.trays) == 1
    with pytest.raises(KeyError, match="no level 'B9'; the levels are: B1"):
        site.level("B9")


@settings(max_examples=examples(80), deadline=None)
@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), min_size=4, max_size=30))
def test_geojson_geometry_is_exactly_shapelys_mapping(xy: list[tuple[float, float]]) -> None:
    """The writers' fast GeoJSON geometry gives what shapely.geometry.mapping gives."""
    import shapely
    import shapely.affinity
    from shapely.geometry import LineString, MultiPolygon, Point, Polygon, mapping

    from planner.site import geojson_geometry

    hull = shapely.MultiPoint(xy).convex_hull
    shapes = [Point(xy[0]), LineString(xy), hull, shapely.MultiLineString([xy[:2], xy[2:]])]
    if isinstance(hull, Polygon):
        hole = shapely.affinity.scale(hull, 0.3, 0.3)
        shapes += [hull.difference(hole), MultiPolygon([hull])]
    for g in shapes:
        assert geojson_geometry(g) == dict(mapping(g)), g.geom_type


@settings(max_examples=examples(80), deadline=None)
@given(
    st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), min_size=4, max_size=30),
    st.randoms(use_true_random=False),
)
def test_geojson_geometries_write_what_mapping_writes(
    xy: list[tuple[float, float]], rnd: Any
) -> None:
    """Many geometries at once (points, lines, polygons with and without holes, multi-part,
    empty and 3D ones, in any order): the same JSON as mapping, one by one."""
    import json

    import shapely
    import shapely.affinity
    from shapely.geometry import LineString, MultiPolygon, Point, Polygon, mapping

    from planner.site import geojson_geometries

    hull = shapely.MultiPoint(xy).convex_hull
    shapes = [Point(xy[0]), LineString(xy), hull, shapely.MultiLineString([xy[:2], xy[2:]])]
    shapes += [Polygon(), LineString(), Point(1.0, 2.0, 3.0)]
    if isinstance(hull, Polygon):
        hole = shapely.affinity.scale(hull, 0.3, 0.3)
        shapes += [hull.difference(hole), MultiPolygon([hull])]
    shapes = shapes * 2
    rnd.shuffle(shapes)
    assert json.dumps(geojson_geometries(shapes)) == json.dumps([mapping(g) for g in shapes])


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_non_finite_coordinate_read_in_bulk_is_still_refused_by_the_writer(bad: float) -> None:
    """The bulk geometries skip the writer's walk over their floats only when their own
    array check found them all finite: a line with a NaN (or an infinite) vertex among
    finite ones is left for the writer, which refuses it by its key."""
    import numpy as np
    from shapely.geometry import LineString, Point

    from planner.jsonio import Finite, dumps
    from planner.site import geojson_geometries

    with np.errstate(invalid="ignore"):  # shapely warns of the NaN it is asked to hold
        line = LineString([(0, 0), (bad, 1.0)])
    good, broken = geojson_geometries([Point(1.0, 2.0), line])
    assert type(good) is Finite
    assert type(broken) is dict
    assert dumps(good) == b'{"type":"Point","coordinates":[1.0,2.0]}'
    with pytest.raises(ValueError, match=r"^coordinates: NaN or infinity"):
        dumps({"features": [{"geometry": good}, {"geometry": broken}]})
