"""Property tests of the reader: random valid garages load as drawn; random corruptions give
a clear error naming the feature, never another exception."""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any, get_args

import numpy as np
import pytest
import shapely
from hypothesis import assume, given
from hypothesis import strategies as st

from planner.errors import PlannerError, SiteError
from planner.projection import Frame
from planner.readers import parse_site
from planner.site import GarageType, ObstacleType
from planner.synthetic import collection, feature, rotation, simple_garage, transform_features


@st.composite
def garages(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A random valid site document and what it should read as."""
    bays = draw(st.integers(1, 4))
    strips = draw(st.integers(1, 2))
    cuts = (
        draw(st.lists(st.integers(1, max(bays - 1, 1)), unique=True, max_size=2))
        if bays > 1
        else []
    )
    feats = simple_garage(
        bays=bays, strips=strips, cuts=cuts, capacity_kw=draw(st.none() | st.floats(0, 500))
    )
    spaces = [f["properties"]["id"] for f in feats if f["properties"]["kind"] == "space"]
    chosen = draw(st.lists(st.sampled_from(spaces), max_size=5))
    for n, space in enumerate(chosen):
        feats.append(
            feature(
                "request",
                None,
                id=f"R{n}",
                space=space,
                charger_kw=draw(st.floats(0.5, 22)),
                registered=draw(
                    st.none() | st.dates(date(2000, 1, 1), date(2026, 11, 30)).map(str)
                ),
            )
        )
    angle = draw(st.floats(-180, 180))
    shift = (draw(st.floats(-1e5, 1e5)), draw(st.floats(-1e5, 1e5)))
    feats = transform_features(feats, rotation(angle, shift=shift))
    level = shapely.geometry.shape(feats[1]["geometry"])
    expect = {
        "spaces": len(spaces),
        "requests": len(chosen),
        "area": level.area,
        "compartments": len(cuts) + 1,
    }
    mode = draw(st.sampled_from(["m", "mm", "lonlat"]))
    if mode == "mm":
        feats = transform_features(feats, lambda x, y: (np.asarray(x) * 1000, np.asarray(y) * 1000))
        feats[0]["properties"]["units"] = "mm"
    elif mode == "lonlat":
        centre = (draw(st.floats(-170, 170)), draw(st.floats(-70, 70)))
        frame = Frame(crs="EPSG:4326", centre=centre)
        feats = transform_features(
            feats,
            lambda x, y: frame.to_source_xy(np.asarray(x) - shift[0], np.asarray(y) - shift[1]),
        )
        feats[0]["properties"]["crs"] = "EPSG:4326"
    return collection(feats), expect


@given(garages())
def test_random_valid_garages_read_as_drawn(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    doc, expect = case
    site = parse_site(json.dumps(doc).encode())
    assert len(site.spaces) == expect["spaces"]
    assert len(site.requests) == expect["requests"]
    assert len(site.compartments) == expect["compartments"]
    level = site.levels[0]
    assert level.outline.area == pytest.approx(expect["area"], rel=1e-4)
    total = sum(c.polygon.area for c in site.compartments)
    assert total == pytest.approx(level.outline.area, rel=1e-6)
    assert all(s.polygon.area == pytest.approx(2.5 * 5.3, rel=1e-3) for s in site.spaces)
    assert [w.code for w in site.warnings] == []


def _features_of(doc: dict[str, Any], kind: str) -> list[int]:
    return [i for i, f in enumerate(doc["features"]) if f["properties"].get("kind") == kind]


REQUIRED = {
    "level": ["id"],
    "compartment": ["id", "level"],
    "space": ["id", "level"],
    "obstacle": ["level", "type"],
    "request": ["id", "space", "charger_kw"],
}


@st.composite
def corruptions(draw: st.DrawFn) -> tuple[bytes, int | None]:  # noqa: PLR0912 - one branch per corruption
    """A garage with one thing broken, and the index of the feature it broke (if any)."""
    feats = simple_garage(bays=draw(st.integers(1, 3)), strips=1, cuts=[])
    spaces = [f["properties"]["id"] for f in feats if f["properties"]["kind"] == "space"]
    feats.append(feature("request", None, id="R1", space=spaces[0], charger_kw=7))
    doc = json.loads(json.dumps(collection(feats)))
    how = draw(
        st.sampled_from(
            [
                "drop_kind",
                "drop_required",
                "wrong_geometry",
                "nan",
                "bowtie",
                "duplicate_space",
                "unknown_level",
                "bad_kw",
                "bad_vote",
                "truncate",
                "bad_enum",
            ]
        )
    )
    if how == "truncate":
        data = json.dumps(doc).encode()
        return data[: draw(st.integers(0, len(data) - 2))], None
    if how in ("drop_kind", "wrong_geometry"):
        i = draw(st.integers(0, len(doc["features"]) - 1))
    elif how == "drop_required":
        kind = draw(st.sampled_from(sorted(REQUIRED)))
        i = draw(st.sampled_from(_features_of(doc, kind)))
        del doc["features"][i]["properties"][draw(st.sampled_from(REQUIRED[kind]))]
    elif how in ("nan", "bowtie"):
        i = draw(st.sampled_from(_features_of(doc, "space") + _features_of(doc, "compartment")))
    elif how == "duplicate_space":
        i = draw(st.sampled_from(_features_of(doc, "space")[1:] or [0]))
        assume(i != 0)
        doc["features"][i]["properties"]["id"] = spaces[0]
    elif how == "unknown_level":
        i = draw(st.sampled_from(_features_of(doc, "space") + _features_of(doc, "obstacle")))
        doc["features"][i]["properties"]["level"] = draw(
            st.text(max_size=5).filter(lambda t: t != "B1")
        )
    elif how in ("bad_kw", "bad_vote"):
        i = _features_of(doc, "request")[0]
        bad = draw(
            st.one_of(
                st.floats(max_value=0),
                st.text(),
                st.booleans(),
                st.none(),
                st.lists(st.integers(), max_size=2),
            )
        )
        if how == "bad_kw":
            doc["features"][i]["properties"]["charger_kw"] = bad
        else:
            share = draw(st.floats(allow_nan=False).filter(lambda v: not 0 <= v <= 1) | st.text())
            doc["features"][i]["properties"]["vote"] = {
                "participating_area": share,
                "participating_owners": 0.7,
                "approving_area": 0.8,
                "approving_owners": 0.8,
            }
    else:  # bad_enum
        i = draw(st.sampled_from(_features_of(doc, "obstacle") + _features_of(doc, "level")))
        key = "type" if doc["features"][i]["properties"]["kind"] == "obstacle" else "garage_type"
        # hypothesis also draws the literals of the code under test, "room" among them
        valid = get_args(ObstacleType if key == "type" else GarageType)
        doc["features"][i]["properties"][key] = draw(
            st.text(max_size=8).filter(lambda t: t not in valid)
        )
    f = doc["features"][i]
    if how == "drop_kind":
        del f["properties"]["kind"]
    elif how == "wrong_geometry":
        kind = f["properties"]["kind"]
        f["geometry"] = (
            {"type": "MultiPoint", "coordinates": [[0, 0]]}
            if kind != "site"
            else {"type": "Point", "coordinates": [0, 0]}
        )
    elif how == "nan":
        f["geometry"]["coordinates"][0][1] = [draw(st.sampled_from([math.nan, math.inf])), 0]
    elif how == "bowtie":
        (x0, y0), _, (x1, y1), *_ = f["geometry"]["coordinates"][0]
        f["geometry"]["coordinates"] = [[[x0, y0], [x1, y1], [x1, y0], [x0, y1], [x0, y0]]]
    return json.dumps(doc, ensure_ascii=False).encode(), i


@given(corruptions())
def test_corruptions_give_one_clear_error_naming_the_feature(
    case: tuple[bytes, int | None],
) -> None:
    data, index = case
    with pytest.raises(SiteError) as info:
        parse_site(data)
    errors = [p for p in info.value.problems if p.severity == "error"]
    assert errors
    assert all(p.message and p.fix for p in errors)
    if index is not None:
        assert any(p.index == index for p in errors), str(info.value)
        assert f"#{index}" in str(info.value)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(st.data())
def test_any_value_anywhere_gives_a_site_or_a_planner_error(data: st.DataObject) -> None:
    doc = json.loads(json.dumps(collection(simple_garage(bays=2, strips=1, cuts=[1]))))
    f = data.draw(st.sampled_from(doc["features"]))
    where = data.draw(st.sampled_from(["properties", "geometry", "coordinates", "feature"]))
    value = data.draw(JSON)
    if where == "properties":
        key = data.draw(st.sampled_from([*f["properties"], "charger", "vote", "units", "crs"]))
        f["properties"][key] = value
    elif where == "geometry":
        f["geometry"] = value
    elif where == "coordinates" and f["geometry"] is not None:
        f["geometry"]["coordinates"] = value
    else:
        doc["features"][doc["features"].index(f)] = value
    try:
        site = parse_site(json.dumps(doc, allow_nan=True).encode())
    except PlannerError as exc:
        assert str(exc)
    else:
        assert site.levels


@given(st.binary(max_size=200))
def test_random_bytes_give_a_planner_error(data: bytes) -> None:
    try:
        parse_site(data)
    except PlannerError as exc:
        assert "site file" in str(exc)
