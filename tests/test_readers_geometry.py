"""GeoJSON geometry objects -> shapely: the bulk builder builds exactly what the one-by-one
parser builds, and leaves to it everything it would refuse (issue 15)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.readers.geometry import GeometryError, built_in_bulk, parse_geometry

TYPES = ("Point", "LineString", "Polygon")

numbers = st.one_of(
    st.integers(-3, 3),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.booleans(),
    st.just("1.5"),
    st.just(10**400),  # JSON allows it; a float cannot hold it
)
positions = st.one_of(
    st.lists(numbers, min_size=2, max_size=2),
    st.lists(numbers, min_size=1, max_size=3),
    st.none(),
    st.integers(0, 2),
)
chains = st.lists(positions, max_size=6)
rectangles = st.tuples(
    st.integers(-5, 5), st.integers(-5, 5), st.integers(1, 4), st.integers(1, 4)
).map(lambda r: [[r[0], r[1]], [r[0] + r[2], r[1]], [r[0] + r[2], r[1] + r[3]], [r[0], r[1]]])


def _closed(chain: list[Any]) -> list[Any]:
    return [*chain, chain[0]] if chain else chain


rings = st.one_of(chains, chains.map(_closed), rectangles)
coordinates = st.one_of(
    positions, chains, st.lists(rings, max_size=2), st.none(), st.just([[rectangles]])
)
geometries = st.one_of(
    st.fixed_dictionaries(
        {"type": st.sampled_from((*TYPES, "MultiPolygon")), "coordinates": coordinates}
    ),
    st.fixed_dictionaries(
        {"type": st.just("Polygon"), "coordinates": st.lists(rectangles, max_size=2)}
    ),
    st.fixed_dictionaries(
        {"type": st.just("Point"), "coordinates": st.lists(numbers, min_size=2, max_size=3)}
    ),
    st.none(),
    st.just("not a geometry"),
)


def _one_by_one(raw: Any, max_vertices: int) -> Any:
    gtype = raw.get("type") if isinstance(raw, dict) else None
    allowed = (gtype,) if gtype in TYPES else ("Polygon",)
    try:
        return parse_geometry(raw, allowed, max_vertices=max_vertices)
    except GeometryError:
        return None


@settings(deadline=None)
@given(st.lists(geometries, max_size=8), st.integers(2, 6))
def test_bulk_builds_what_parse_geometry_builds(raws: list[Any], max_vertices: int) -> None:
    for raw, built in zip(raws, built_in_bulk(raws, max_vertices=max_vertices), strict=True):
        if built is None:
            continue  # left to parse_geometry, which builds or refuses it
        single = _one_by_one(raw, max_vertices)
        assert single is not None, raw
        assert built.wkb == single.wkb


def test_plain_features_are_built_in_bulk() -> None:
    raws = [
        {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 1], [0, 1], [0, 0]]]},
        {"type": "Point", "coordinates": [1.5, 2.5]},
        {"type": "LineString", "coordinates": [[0, 0], [3, 4]]},
        {"type": "Point", "coordinates": [0, 0]},
    ]
    built = built_in_bulk(raws)
    assert [g.wkt if g is not None else None for g in built] == [
        "POLYGON ((0 0, 2 0, 2 1, 0 1, 0 0))",
        "POINT (1.5 2.5)",
        "LINESTRING (0 0, 3 4)",
        "POINT (0 0)",
    ]


def test_an_empty_ring_anywhere_is_left_to_parse_geometry() -> None:
    """A polygon written ``[[]]`` last, first or between two others (the thorough fuzz
    profile found the last one crashing): it alone is left, the others are built."""
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    empty = {"type": "Polygon", "coordinates": [[]]}
    for raws in ([square, empty], [empty, square], [square, empty, square]):
        built = built_in_bulk(raws)
        assert [g is None for g in built] == [r is empty for r in raws]
    with pytest.raises(GeometryError):
        parse_geometry(empty, ("Polygon",))


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]},
            "GEOMETRY_INVALID",
        ),
        ({"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [0, 0]]]}, "GEOMETRY_MALFORMED"),
        (
            {"type": "LineString", "coordinates": [[0, 0], [float("nan"), 1]]},
            "COORDINATE_NOT_FINITE",
        ),
        ({"type": "Point", "coordinates": [float("inf"), 1]}, "COORDINATE_NOT_FINITE"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] * 2}, None),
    ],
)
def test_what_bulk_leaves_to_parse_geometry(raw: dict[str, Any], code: str | None) -> None:
    """A bowtie, a two-corner ring, a NaN, an infinity and a holed polygon are not built in
    bulk: the one-by-one parser refuses them with its own words (or builds the last)."""
    assert built_in_bulk([raw]) == [None]
    if code is None:
        return
    with pytest.raises(GeometryError) as caught:
        parse_geometry(raw, (raw["type"],))
    assert caught.value.code == code
