"""IMDF indoor maps: a hand-made archive with known answers, hostile zips, and the real
Zurich airport car park and Temasek stalls (read from ../shared, never copied)."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import box, mapping

from planner.errors import PlannerError
from planner.plan import make_plan
from planner.projection import Frame
from planner.readers import read_site, site_from_conversion
from planner.readers.imdf import _cut, convert_imdf

CENTRE = (8.55, 47.45)
FRAME = Frame(crs="EPSG:4326", centre=CENTRE)


def _ll(geom: Any) -> dict[str, Any]:
    return dict(mapping(FRAME.to_source(geom)))


def _feature(ftype: str, geom: Any, **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": props.pop("fid", None),
        "feature_type": ftype,
        "geometry": _ll(geom),
        "properties": props,
    }


def _archive() -> dict[str, bytes]:
    level = _feature(
        "level",
        box(-30, -20, 30, 20),
        fid="L1",
        ordinal=-2,
        short_name={"en": "P2"},
        name={"en": "Parking P2"},
    )
    units = [
        _feature("unit", box(-20, -10, -17.5, -4.7), category="parking", level_id="L1"),
        _feature(
            "unit",
            box(-17.5, -10, -15, -4.7),
            category="parking",
            level_id="L1",
            name={"en": "parking stall bike or scooter"},
        ),
        _feature("unit", box(20, 10, 25, 15), category="elevator", level_id="L1"),
        _feature("unit", box(-30, 15, -20, 20), category="non-public", level_id="L1"),
        _feature("unit", box(0, 15, 5, 20), category="walkway", level_id="L1"),
    ]
    fixtures = [
        _feature("fixture", box(0, 0, 10, 5), category="parking way", level_id="L1"),
        _feature(
            "fixture",
            box(0, 0, 10, 5).exterior.buffer(0.05),
            category="parking way-walls",
            level_id="L1",
        ),
        _feature("fixture", box(12, 12, 12.6, 12.6), category="column", level_id="L1"),
        _feature("fixture", box(-5, -20, -4.8, -12), category="wall", level_id="L1"),
    ]

    def fc(feats: list[dict[str, Any]]) -> bytes:
        return json.dumps({"type": "FeatureCollection", "features": feats}).encode()

    return {
        "venue_level.geojson": fc([level]),
        "venue_unit.geojson": fc(units),
        "venue_fixture.geojson": fc(fixtures),
        "manifest.json": b"{}",
        "README.txt": b"hello",
    }


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_hand_made_archive_with_known_answers(tmp_path: Path) -> None:
    conv = convert_imdf(_zip(_archive()), name="p2.zip")
    assert conv.counts["space"] == 1 + 4  # one unit stall + a 10 m block cut into four
    assert conv.counts["obstacle:column"] == 1
    assert conv.counts["obstacle:wall"] == 1  # the block's painted outline is not a wall
    assert conv.counts["obstacle:shaft"] == 1
    assert conv.counts["obstacle:room"] == 1
    assert conv.ignored["unit parking (parking stall bike or scooter)"] == 1
    assert conv.ignored["file README.txt"] == 1
    assert conv.ignored["unit walkway"] == 1
    site = site_from_conversion(conv)
    (level,) = site.levels
    assert (level.id, level.floor) == ("P2", -2)
    assert level.garage_type is None
    assert level.missing_fire_systems == (
        "fire_alarm",
        "smoke_exhaust",
        "sprinklers",
        "emergency_lighting",
        "evacuation_signs",
    )
    (comp,) = site.compartments
    assert comp.polygon.area == pytest.approx(2400, rel=1e-3)
    assert any("whole level is one compartment" in n for n in conv.notes)
    assert all(s.polygon.area == pytest.approx(12.5, rel=1e-3) for s in site.spaces[1:])
    folder = tmp_path / "imdf"
    folder.mkdir()
    for name, data in _archive().items():
        (folder / name).write_bytes(data)
    assert len(read_site(folder).spaces) == 5  # a folder reads like the zip


def test_a_number_too_large_for_a_float_makes_a_unit_unreadable_not_a_traceback() -> None:
    files = _archive()
    units = json.loads(files["venue_unit.geojson"])
    units["features"][0]["geometry"]["coordinates"][0][1][0] = 10**400
    files["venue_unit.geojson"] = json.dumps(units).encode()
    conv = convert_imdf(_zip(files), name="p2.zip")
    assert conv.counts["space"] == 4  # the block's four; the unit stall is left out, said so
    assert conv.ignored["unit with unreadable geometry"] == 1


def test_parking_blocks_are_cut_along_their_long_side() -> None:
    for (w, d), n in (
        ((5.0, 5.1), 2),
        ((8.0, 5.1), 3),
        ((10.0, 5.1), 4),
        ((2.4, 5.1), 1),
        ((7.6, 10.2), 6),
        ((2.6, 10.2), 2),
    ):
        stalls = _cut(box(0, 0, w, d))
        assert len(stalls) == n, (w, d)
        assert sum(s.area for s in stalls) == pytest.approx(w * d, rel=1e-3)
        assert all(min(s.bounds[2] - s.bounds[0], s.bounds[3] - s.bounds[1]) >= 2.3 for s in stalls)


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("../evil_level.geojson", "points outside the archive"),
        ("/abs_level.geojson", "points outside the archive"),
    ],
)
def test_zip_members_that_climb_out_are_refused(member: str, message: str) -> None:
    files = _archive()
    files[member] = files.pop("venue_level.geojson")
    with pytest.raises(PlannerError, match=message):
        convert_imdf(_zip(files))


def test_archives_without_levels_or_not_zips() -> None:
    files = _archive()
    files.pop("venue_level.geojson")
    with pytest.raises(PlannerError, match=r"no level\.geojson"):
        convert_imdf(_zip(files))
    with pytest.raises(PlannerError, match="not a valid zip"):
        convert_imdf(b"PK\x03\x04 broken")
    with pytest.raises(PlannerError, match=r"no such IMDF level.*P2"):
        convert_imdf(_zip(_archive()), level="P9")


@pytest.mark.realdata
def test_zurich_level_converts_and_plans_fifty_requests(realdata: Path) -> None:
    conv = convert_imdf(realdata / "zurich-airport-L-1-imdf", name="zurich")
    assert conv.counts["obstacle:column"] == 136
    assert 500 <= conv.counts["space"] <= 580  # ~540 stalls cut from 178 parking blocks
    doc = conv.collection()
    level = next(f for f in doc["features"] if f["properties"]["kind"] == "level")
    level["properties"].update(
        garage_type="underground",
        **dict.fromkeys(
            ("fire_alarm", "smoke_exhaust", "sprinklers", "emergency_lighting", "evacuation_signs"),
            True,
        ),
    )
    spaces = [f["properties"]["id"] for f in doc["features"] if f["properties"]["kind"] == "space"]
    for k, sid in enumerate(spaces[:: max(1, len(spaces) // 50)][:50]):
        doc["features"].append(
            {
                "type": "Feature",
                "geometry": None,
                "properties": {
                    "kind": "request",
                    "id": f"Z{k:02d}",
                    "space": sid,
                    "charger_kw": 7,
                    "registered": "2024-01-01",
                    "documents": ["id_document", "property_consent", "parking_certificate"],
                },
            }
        )
    from planner.readers import parse_site

    site = parse_site(json.dumps(doc).encode())
    assert site.levels[0].floor == -1
    t0 = time.perf_counter()
    plan = make_plan(site)
    elapsed = time.perf_counter() - t0
    assert len(plan.requests) == 50
    assert sum(r.status == "planned" for r in plan.requests) >= 40, plan.counts()
    comp = site.compartments[0].polygon
    for cable in plan.cables:
        assert cable.line.difference(comp.buffer(0.001)).length < 0.01
    print(f"Zurich L-1: 50 requests planned in {elapsed:.1f} s")  # the target is in bench/


@pytest.mark.realdata
def test_temasek_stalls_are_counted(realdata: Path) -> None:
    conv = convert_imdf(realdata / "temasek-polytechnic-imdf", name="temasek")
    assert conv.counts["space"] == 1116
    assert conv.ignored["unit parking (parking stall bike or scooter)"] == 13
    assert "venue.geojson" in " ".join(conv.ignored)
    site = site_from_conversion(conv)
    assert len(site.spaces) == 1116


def test_numbers_in_imdf_names_are_masked() -> None:
    files = _archive()
    level = json.loads(files["venue_level.geojson"])
    level["features"][0]["properties"]["name"] = {"en": "P2 call 139-1234-5678"}
    level["features"][0]["properties"]["short_name"] = {"en": "P2 13912345678"}
    files["venue_level.geojson"] = json.dumps(level).encode()
    conv = convert_imdf(_zip(files), name="p2 13912345678.zip")
    text = conv.to_bytes().decode() + conv.report()
    assert "5678" not in text.replace("*", "")
    assert "13912345678" not in text
