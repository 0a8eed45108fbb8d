"""The GeoJSON site reader: one test per validation message, and what a valid file gives."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import InputLimitError, PlannerError, SiteError
from planner.readers import parse_site, read_site
from tests.conftest import examples, find, to_bytes


def _read(doc: Any) -> Any:
    return parse_site(to_bytes(doc))


def _problems(doc: Any) -> list[str]:
    with pytest.raises(SiteError) as info:
        _read(doc)
    return [str(p) for p in info.value.problems if p.severity == "error"]


def test_tiny_site_reads_with_contract_defaults(tiny: dict[str, Any]) -> None:
    site = _read(tiny)
    assert site.info.name == "测试小区车库"
    assert site.info.supply == "direct"
    assert site.info.urban is True
    assert site.info.north_deg == 0
    lv = site.level("B1")
    assert lv.ceiling_height_m == 3.6
    assert lv.missing_fire_systems == ()
    fq1, fq2 = site.compartments
    assert fq1.polygon.area == pytest.approx(100.0)
    assert fq1.capacity_kw == 30
    assert fq2.capacity_kw is None
    s1, s2 = site.spaces
    assert s1.tenure == "owned"
    assert s1.charger is None
    assert (s2.charger.x, s2.charger.y) == (13.25, 0.4)
    (req,) = site.requests
    assert req.registered == datetime(2024, 3, 1, tzinfo=timezone(timedelta(hours=8)))
    assert req.documents == ("id_document", "property_consent", "parking_certificate")
    assert req.point is None
    assert site.obstacles[0].type == "column"
    assert site.trays[0].line.length == pytest.approx(19.0)
    assert site.warnings == ()


def test_reads_from_path_and_bytes_alike(tiny: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "site.geojson"
    path.write_bytes(to_bytes(tiny))
    assert read_site(path) == read_site(to_bytes(tiny))


def test_models_are_frozen(tiny: dict[str, Any]) -> None:
    site = _read(tiny)
    with pytest.raises(ValueError, match="frozen"):
        site.levels[0].floor = -2


def test_not_utf8() -> None:
    with pytest.raises(SiteError, match=r"not UTF-8 text .*Fix: save the GeoJSON as UTF-8"):
        parse_site(json.dumps({"type": "FeatureCollection"}).encode("utf-16"))


def test_not_json() -> None:
    with pytest.raises(SiteError, match=r"not JSON: .* line 1, column \d+.*Fix: export"):
        parse_site(b'{"type": "FeatureCollection", "features": [')


def test_not_a_feature_collection() -> None:
    with pytest.raises(SiteError, match=r"not a GeoJSON FeatureCollection \(found 'Feature'\)"):
        parse_site(b'{"type": "Feature", "properties": {}}')
    with pytest.raises(SiteError, match=r"found 'list'"):
        parse_site(b"[1, 2]")


def test_features_not_a_list() -> None:
    with pytest.raises(SiteError, match="has no 'features' list"):
        parse_site(b'{"type": "FeatureCollection", "features": 3}')


def test_feature_not_a_feature(tiny: dict[str, Any]) -> None:
    tiny["features"].append([1, 2])
    (msg,) = _problems(tiny)
    assert "feature #9: is not a GeoJSON Feature" in msg


def test_missing_kind_is_an_error(tiny: dict[str, Any]) -> None:
    del find(tiny, "space", "S2")["properties"]["kind"]
    (msg,) = _problems(tiny)
    assert "feature #5 ('S2'): has no 'kind' property" in msg
    assert 'Fix: add "kind": one of site, level' in msg


def test_unknown_kind_is_a_warning_naming_them(tiny: dict[str, Any]) -> None:
    tiny["features"].append(
        {"type": "Feature", "geometry": None, "properties": {"kind": "charger_pile"}}
    )
    tiny["features"].append(
        {"type": "Feature", "geometry": None, "properties": {"kind": "charger_pile"}}
    )
    site = _read(tiny)
    (w,) = site.warnings
    assert w.code == "KIND_UNKNOWN"
    assert "2 feature(s) of unknown kind 'charger_pile' were ignored (#9, #10)" in str(w)


@pytest.mark.parametrize(
    ("kind", "fid", "prop", "expected"),
    [
        ("level", "B1", "id", r"feature #1 \(level\): required property 'id' is missing"),
        ("compartment", "FQ1", "level", r"\(compartment 'FQ1'\): required property 'level'"),
        ("space", "S1", "level", r"\(space 'S1'\): required property 'level' is missing"),
        ("obstacle", "Z1", "type", r"\(obstacle 'Z1'\): required property 'type' is missing"),
        ("request", "R1", "charger_kw", r"\(request 'R1'\): required property 'charger_kw'"),
        ("site", None, "name", r"\(site\): required property 'name' is missing"),
    ],
)
def test_missing_required_property(
    tiny: dict[str, Any], kind: str, fid: str | None, prop: str, expected: str
) -> None:
    del find(tiny, kind, fid)["properties"][prop]
    with pytest.raises(SiteError, match=expected):
        _read(tiny)


@pytest.mark.parametrize(
    ("kind", "fid", "geometry", "expected"),
    [
        (
            "space",
            "S1",
            {"type": "Point", "coordinates": [1, 1]},
            r"geometry is a Point, expected a Polygon.*Fix: draw it as a Polygon",
        ),
        (
            "compartment",
            "FQ1",
            {"type": "MultiPolygon", "coordinates": [[[[0, 0], [10, 0], [10, 10], [0, 0]]]]},
            r"geometry is a MultiPolygon.*Fix: split it into one feature per part",
        ),
        (
            "tray",
            "T1",
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
            r"\(tray 'T1'\): geometry is a Polygon, expected a LineString",
        ),
        ("level", "B1", None, r"\(level 'B1'\): has no geometry.*draw it as a Polygon"),
        ("space", "S1", {"type": "Polygon"}, r"the Polygon has no coordinates"),
        (
            "space",
            "S1",
            {"type": "Polygon", "coordinates": [[[0, 0], ["a", 1]]]},
            r"not a list of \[x, y\] number pairs",
        ),
        (
            "space",
            "S1",
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]},
            r"fewer than 3 corners",
        ),
        ("space", "S1", "polygon", r"is not a GeoJSON geometry object"),
    ],
)
def test_wrong_or_malformed_geometry(
    tiny: dict[str, Any], kind: str, fid: str | None, geometry: Any, expected: str
) -> None:
    find(tiny, kind, fid)["geometry"] = geometry
    with pytest.raises(SiteError, match=expected):
        _read(tiny)


def test_self_intersection_is_refused_with_its_location(tiny: dict[str, Any]) -> None:
    bowtie = [[[1, 0], [3.5, 5.3], [3.5, 0], [1, 5.3], [1, 0]]]
    find(tiny, "space", "S1")["geometry"]["coordinates"] = bowtie
    (msg,) = _problems(tiny)
    assert "(space 'S1'): the Polygon is invalid: self-intersection at (2.250, 2.650)" in msg
    assert "never repairs geometry silently" in msg


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_coordinates(tiny: dict[str, Any], bad: float) -> None:
    find(tiny, "space", "S1")["geometry"]["coordinates"][0][2] = [bad, 5.3]
    with pytest.raises(
        SiteError,
        match=r"\(space 'S1'\): position #2 of the outer ring is not a "
        r"finite number",
    ):
        _read(tiny)


def test_an_integer_too_large_for_a_float_is_a_message_not_a_traceback(
    tiny: dict[str, Any],
) -> None:
    """JSON allows 10**400; float() overflows on it. As a stall's corner, a request's point
    or a charger position it is refused with the feature named."""
    huge = 10**400
    find(tiny, "space", "S1")["geometry"]["coordinates"][0][2] = [huge, 5.3]
    with pytest.raises(
        SiteError, match=r"\(space 'S1'\): a position of the outer ring holds a number too large"
    ):
        _read(tiny)


def test_a_charger_too_large_for_a_float_is_refused(tiny: dict[str, Any]) -> None:
    find(tiny, "space", "S1")["properties"]["charger"] = [10**400, 0]
    with pytest.raises(SiteError, match=r"\(space 'S1'\): property 'charger' = \[1000.*\.\.\. is"):
        _read(tiny)


def test_absurd_coordinates(tiny: dict[str, Any]) -> None:
    find(tiny, "obstacle", "Z1")["geometry"]["coordinates"][0][1] = [5e8, 5]
    with pytest.raises(SiteError, match=r"\(obstacle 'Z1'\): has coordinates out of range"):
        _read(tiny)


def test_absurd_extent_suggests_millimetres(tiny: dict[str, Any]) -> None:
    for f in tiny["features"]:
        if f["geometry"] and f["geometry"]["type"] == "Polygon":
            f["geometry"]["coordinates"] = [
                [[x * 1000, y * 1000] for x, y in ring] for ring in f["geometry"]["coordinates"]
            ]
    find(tiny, "tray", "T1")["geometry"]["coordinates"] = [[500, 8000], [19500, 8000]]
    find(tiny, "space", "S2")["properties"].pop("charger")
    with pytest.raises(SiteError, match=r"\(level 'B1'\): spans 20.0 km.*add \"units\": \"mm\""):
        _read(tiny)
    find(tiny, "site")["properties"]["units"] = "mm"
    site = _read(tiny)
    assert site.level("B1").outline.area == pytest.approx(200.0)


def test_lonlat_without_crs_is_refused_with_the_fix(tiny: dict[str, Any]) -> None:
    for f in tiny["features"]:
        g = f["geometry"]
        if g and g["type"] == "Polygon":
            g["coordinates"] = [
                [[103.83 + x * 1e-5, 36.06 + y * 1e-5] for x, y in ring]
                for ring in g["coordinates"]
            ]
        elif g:
            g["coordinates"] = [[103.83 + x * 1e-5, 36.06 + y * 1e-5] for x, y in g["coordinates"]]
    find(tiny, "space", "S2")["properties"].pop("charger")
    with pytest.raises(
        SiteError,
        match=r"looks like lon/lat without a declared crs.*"
        r"add \"crs\": \"EPSG:4326\"",
    ):
        _read(tiny)
    find(tiny, "site")["properties"]["crs"] = "EPSG:4326"
    assert _read(tiny).level("B1").outline.area == pytest.approx(200 * 1.11**2 * 0.81, rel=0.05)


def test_small_local_plan_is_not_taken_for_lonlat(tiny: dict[str, Any]) -> None:
    """A real garage drawn in metres near the origin spans far more than 1 unit."""
    site = _read(tiny)
    assert site.frame.crs is None
    assert site.level("B1").outline.bounds == (0, 0, 20, 10)


def test_unknown_crs(tiny: dict[str, Any]) -> None:
    find(tiny, "site")["properties"]["crs"] = "EPSG:999999"
    with pytest.raises(
        SiteError,
        match=r"crs 'EPSG:999999' is not a coordinate reference.*"
        r"Fix: declare it as an EPSG code",
    ):
        _read(tiny)


def test_crs_and_units_together(tiny: dict[str, Any]) -> None:
    props = find(tiny, "site")["properties"]
    props.update(crs="EPSG:32648", units="mm")
    with pytest.raises(SiteError, match="declares both crs 'EPSG:32648' and units 'mm'"):
        _read(tiny)


@pytest.mark.parametrize(
    ("kind", "fid"), [("space", "S2"), ("level", "B1"), ("compartment", "FQ2"), ("request", "R1")]
)
def test_duplicate_ids(tiny: dict[str, Any], kind: str, fid: str) -> None:
    import copy

    tiny["features"].append(copy.deepcopy(find(tiny, kind, fid)))
    if kind == "compartment":  # a copy would also overlap; move it to a new level
        tiny["features"][-1]["properties"]["level"] = "B1"
    msgs = _problems(tiny)
    assert any(f"({kind} '{fid}'): has id '{fid}', already used" in m for m in msgs), msgs


def test_space_ids_are_unique_site_wide(tiny: dict[str, Any]) -> None:
    import copy

    level2 = copy.deepcopy(find(tiny, "level", "B1"))
    level2["properties"].update(id="B2", floor=-2)
    space = copy.deepcopy(find(tiny, "space", "S1"))
    space["properties"]["level"] = "B2"
    comp = copy.deepcopy(find(tiny, "compartment", "FQ1"))
    comp["properties"].update(id="B2-FQ1", level="B2")
    tiny["features"] += [level2, comp, space]
    (msg,) = _problems(tiny)
    assert "(space 'S1'): has id 'S1', already used in the site by feature #4" in msg


def test_unknown_level_reference(tiny: dict[str, Any]) -> None:
    find(tiny, "obstacle", "Z1")["properties"]["level"] = "B9"
    (msg,) = _problems(tiny)
    assert "(obstacle 'Z1'): refers to level 'B9', which is not in the file (levels: B1)" in msg


def test_overlapping_compartments(tiny: dict[str, Any]) -> None:
    find(tiny, "compartment", "FQ2")["geometry"]["coordinates"] = [
        [[9.9, 0], [20, 0], [20, 10], [9.9, 10], [9.9, 0]]
    ]
    (msg,) = _problems(tiny)
    assert "(compartment 'FQ1'): overlaps compartment 'FQ2' (feature #3) by 1.00 m²" in msg


def test_overlap_within_drawing_tolerance_is_accepted(tiny: dict[str, Any]) -> None:
    find(tiny, "compartment", "FQ2")["geometry"]["coordinates"] = [
        [[9.9995, 0], [20, 0], [20, 10], [9.9995, 10], [9.9995, 0]]
    ]
    assert len(_read(tiny).compartments) == 2


@pytest.mark.parametrize("value", [0, -7, "seven", None, True])
def test_charger_kw_must_be_positive_number(tiny: dict[str, Any], value: Any) -> None:
    find(tiny, "request", "R1")["properties"]["charger_kw"] = value
    with pytest.raises(
        SiteError,
        match=r"\(request 'R1'\): .*'charger_kw'.*"
        r"Fix: give the charger's power in kW as a positive number",
    ):
        _read(tiny)


@pytest.mark.parametrize("share", [-0.1, 1.2, "most"])
def test_vote_fractions_within_0_and_1(tiny: dict[str, Any], share: Any) -> None:
    find(tiny, "request", "R1")["properties"]["vote"] = {
        "participating_area": 0.7,
        "participating_owners": share,
        "approving_area": 0.8,
        "approving_owners": 0.8,
    }
    with pytest.raises(
        SiteError,
        match=r"property 'vote.participating_owners' = .* is not valid"
        r".*between 0 and 1",
    ):
        _read(tiny)


def test_enumerations_name_the_allowed_values(tiny: dict[str, Any]) -> None:
    find(tiny, "space", "S1")["properties"]["tenure"] = "rented"
    find(tiny, "obstacle", "Z1")["properties"]["type"] = "pillar"
    find(tiny, "request", "R1")["properties"]["documents"] = ["id_card"]
    msgs = _problems(tiny)
    assert len(msgs) == 3
    assert any(
        "'tenure' = 'rented' is not valid: input should be 'owned', 'leased' or 'common'" in m
        for m in msgs
    )
    assert any("'type' = 'pillar'" in m and "column, wall, shaft" in m for m in msgs)
    assert any("'documents.0' = 'id_card'" in m for m in msgs)


def test_bad_registration_date(tiny: dict[str, Any]) -> None:
    find(tiny, "request", "R1")["properties"]["registered"] = "2024-13-45"
    with pytest.raises(
        SiteError,
        match=r"\(request 'R1'\): property 'registered': '2024-13-45' "
        r"is not an ISO date",
    ):
        _read(tiny)


def test_registration_with_zone_is_kept(tiny: dict[str, Any]) -> None:
    find(tiny, "request", "R1")["properties"]["registered"] = "2024-03-01T01:00:00Z"
    (req,) = _read(tiny).requests
    assert req.registered == datetime(2024, 3, 1, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def test_bad_space_charger(tiny: dict[str, Any]) -> None:
    find(tiny, "space", "S2")["properties"]["charger"] = [1, "x"]
    with pytest.raises(
        SiteError,
        match=r"\(space 'S2'\): property 'charger' = \[1, 'x'\] is not "
        r"an \[x, y\] position",
    ):
        _read(tiny)


def test_request_for_unknown_space_is_kept(tiny: dict[str, Any]) -> None:
    find(tiny, "request", "R1")["properties"]["space"] = "NOPE"
    (req,) = _read(tiny).requests
    assert req.space == "NOPE"


def test_numeric_ids_become_text(tiny: dict[str, Any]) -> None:
    find(tiny, "space", "S1")["properties"]["id"] = 101
    find(tiny, "request", "R1")["properties"]["space"] = 101
    site = _read(tiny)
    assert site.spaces[0].id == "101"
    assert site.requests[0].space == "101"


def test_missing_fire_system_counts_as_absent(tiny: dict[str, Any]) -> None:
    del find(tiny, "level", "B1")["properties"]["smoke_exhaust"]
    find(tiny, "level", "B1")["properties"]["sprinklers"] = False
    assert _read(tiny).level("B1").missing_fire_systems == ("smoke_exhaust", "sprinklers")


def test_missing_garage_type_warns(tiny: dict[str, Any]) -> None:
    del find(tiny, "level", "B1")["properties"]["garage_type"]
    (w,) = _read(tiny).warnings
    assert w.code == "GARAGE_TYPE_ASSUMED"
    assert "treated as underground" in str(w)


def test_no_level_and_no_compartment(tiny: dict[str, Any]) -> None:
    tiny["features"] = [
        f
        for f in tiny["features"]
        if f["properties"]["kind"] not in ("compartment", "level", "space", "obstacle", "tray")
    ]
    msgs = _problems(tiny)
    assert any("the site has no level feature" in m for m in msgs)
    assert any("the site has no fire compartment" in m for m in msgs)


def test_every_problem_is_reported_at_once(tiny: dict[str, Any]) -> None:
    find(tiny, "request", "R1")["properties"]["charger_kw"] = -1
    find(tiny, "obstacle", "Z1")["properties"]["level"] = "B9"
    del find(tiny, "space", "S2")["properties"]["kind"]
    comp = find(tiny, "compartment", "FQ1")
    comp["geometry"] = None
    comp["properties"]["capacity_kw"] = "lots"
    with pytest.raises(SiteError) as info:
        _read(tiny)
    text = str(info.value)
    assert text.startswith("5 problems in the site file:")
    for part in (
        "'charger_kw'",
        "level 'B9'",
        "has no 'kind'",
        "(compartment 'FQ1'): has no geometry",
        "(compartment 'FQ1'): property 'capacity_kw' = 'lots'",
    ):
        assert part in text


def test_size_limit(tiny: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "big.geojson"
    path.write_bytes(to_bytes(tiny))
    with pytest.raises(InputLimitError, match=r"over the limit of.*--max-mb"):
        read_site(path, max_bytes=100)
    assert issubclass(InputLimitError, PlannerError)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PlannerError, match="does not exist"):
        read_site(tmp_path / "nope.geojson")


def test_second_site_feature(tiny: dict[str, Any]) -> None:
    tiny["features"].append(find(tiny, "site"))
    with pytest.raises(SiteError, match=r"feature #9 \(site\): is a second site feature"):
        _read(tiny)


def test_polygon_holes_are_kept(tiny: dict[str, Any]) -> None:
    find(tiny, "compartment", "FQ2")["geometry"]["coordinates"].append(
        [[15, 6], [17, 6], [17, 8], [15, 8], [15, 6]]
    )
    comp = _read(tiny).compartments[1]
    assert comp.polygon.area == pytest.approx(96.0)
    assert not math.isnan(comp.polygon.centroid.x)


def _nesting(value: Any) -> int:
    """The depth of a JSON value by its definition (recursive: test sizes only)."""
    if isinstance(value, dict):
        return 1 + max(map(_nesting, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_nesting, value), default=0)
    return 0


_JSON_VALUES = st.recursive(
    st.none() | st.floats(allow_nan=False) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner),
    max_leaves=25,
)


@settings(max_examples=examples(200), deadline=None)
@given(_JSON_VALUES, st.integers(0, 8))
def test_json_depth_is_counted_as_defined(doc: Any, limit: int) -> None:
    from planner.readers.geojson import _depth

    depth = _nesting(doc)
    # the exact depth up to the limit; past it, one more than the limit (it stops there)
    assert _depth(doc, limit) == (depth if depth <= limit else limit + 1)
