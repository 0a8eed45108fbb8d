"""Units and coordinate systems: known answers for metres, millimetres and lon/lat."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from planner.projection import Frame, parse_crs, transform_xy
from planner.readers import parse_site
from tests.conftest import find, to_bytes


def _edges(poly: Polygon) -> list[float]:
    c = list(poly.exterior.coords)
    return [math.dist(a, b) for a, b in itertools.pairwise(c)]


def test_local_metres_are_left_alone() -> None:
    frame = Frame()
    square = box(0, 0, 10, 10)
    assert frame.to_local(square) is square
    assert frame.to_source(square) is square


def test_millimetres_scale_to_metres_and_back() -> None:
    frame = Frame(units="mm")
    square = box(0, 0, 10_000, 5_000)
    local = frame.to_local(square)
    assert local.bounds == pytest.approx((0, 0, 10, 5))
    assert frame.to_source(local).equals(square)


def test_mm_site_reads_in_metres(tiny: dict[str, Any]) -> None:
    for f in tiny["features"]:
        g = f["geometry"]
        if g is not None:
            g["coordinates"] = shapely.geometry.mapping(
                shapely.transform(shapely.geometry.shape(g), lambda c: c * 1000)
            )["coordinates"]
    find(tiny, "space", "S2")["properties"]["charger"] = [13250, 400]
    find(tiny, "site")["properties"]["units"] = "mm"
    site = parse_site(to_bytes(tiny))
    assert site.compartments[0].polygon.area == pytest.approx(100.0)
    assert site.spaces[1].charger is not None
    assert (site.spaces[1].charger.x, site.spaces[1].charger.y) == pytest.approx((13.25, 0.4))
    assert site.trays[0].line.length == pytest.approx(19.0)


def _lonlat_square(lon: float, lat: float, edge_m: float) -> Polygon:
    """A square of ``edge_m`` drawn in lon/lat with a local projection of our own."""
    frame = Frame(crs="EPSG:4326", centre=(lon, lat))
    sq = box(-edge_m / 2, -edge_m / 2, edge_m / 2, edge_m / 2)
    return frame.to_source(sq)


@pytest.mark.parametrize(("lon", "lat"), [(103.8343, 36.0611), (8.55, 47.45), (-70.0, -60.0)])
def test_lonlat_round_trip_keeps_a_10_m_edge_within_1_cm(lon: float, lat: float) -> None:
    square_ll = _lonlat_square(lon, lat, 10.0)
    # the reader centres its projection on the site, not on the square: shift it 200 m
    frame = Frame(crs="EPSG:4326", centre=(lon + 0.002, lat + 0.0015))
    local = frame.to_local(square_ll)
    assert _edges(local) == pytest.approx([10.0] * 4, abs=0.01)
    assert local.area == pytest.approx(100.0, abs=0.2)
    back = frame.to_source(local)
    assert np.allclose(shapely.get_coordinates(back), shapely.get_coordinates(square_ll), atol=1e-9)


def test_lonlat_site_file_measures_ground_metres(tiny: dict[str, Any]) -> None:
    frame = Frame(crs="EPSG:4326", centre=(103.8343, 36.0611))
    for f in tiny["features"]:
        g = f["geometry"]
        if g is not None:
            f["geometry"] = shapely.geometry.mapping(frame.to_source(shapely.geometry.shape(g)))
    x, y = frame.to_source_xy(np.array([13.25]), np.array([0.4]))
    find(tiny, "space", "S2")["properties"]["charger"] = [float(x[0]), float(y[0])]
    find(tiny, "site")["properties"]["crs"] = "EPSG:4326"
    site = parse_site(to_bytes(tiny))
    assert site.frame.crs == "EPSG:4326"
    assert site.compartments[0].polygon.area == pytest.approx(100.0, abs=0.01)
    assert _edges(site.spaces[0].polygon) == pytest.approx([2.5, 5.3, 2.5, 5.3], abs=0.01)
    back = site.frame.to_source(site.spaces[0].polygon)
    original = shapely.geometry.shape(find(tiny, "space", "S1")["geometry"])
    assert back.equals_exact(original, tolerance=1e-9)


def test_projected_crs_is_measured_on_the_ground(tiny: dict[str, Any]) -> None:
    """UTM has scale 0.9996 at its central meridian; the site-centred frame undoes it."""
    utm = Frame(crs="EPSG:32648", centre=(0, 0))
    ll = Frame(crs="EPSG:4326", centre=(105.0, 36.0))
    sq = ll.to_source(box(0, 0, 100, 100))
    from pyproj import Transformer

    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True)
    sq_utm = transform_xy(sq, to_utm.transform)
    assert sq_utm.area == pytest.approx(10_000 * 0.9996**2, rel=1e-4)
    c = sq_utm.centroid
    local = Frame(crs="EPSG:32648", centre=(c.x, c.y)).to_local(sq_utm)
    assert local.area == pytest.approx(10_000, rel=1e-6)
    assert utm.crs == "EPSG:32648"


def test_parse_crs_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="not a coordinate reference system"):
        parse_crs("EPSG:0")
    with pytest.raises(ValueError, match="neither geographic"):
        parse_crs("EPSG:4978")  # geocentric
    assert parse_crs("EPSG:4326").is_geographic
