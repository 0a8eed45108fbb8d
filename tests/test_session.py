"""The app's logic without the app."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from planner.errors import PlannerError
from planner.limits import Limits
from planner.papers import COMBINED
from planner.plan import make_plan
from planner.readers import read_site
from planner.samples import sample_path
from planner.session import (
    box_candidates,
    export_files,
    load_upload,
    request_rows,
    to_local,
    to_source,
    with_capacities,
)


def test_load_upload_reads_like_the_cli_and_refuses_other_files() -> None:
    site = load_upload("d.geojson", sample_path("d").read_bytes())
    assert site.frame.crs == "EPSG:4326"
    with pytest.raises(PlannerError, match=r"'plan\.pdf' is not a file this version .*Fix: upl"):
        load_upload("plan.pdf", b"%PDF")
    with pytest.raises(PlannerError, match="over the limit"):
        load_upload("d.geojson", sample_path("d").read_bytes(), limits=Limits(max_bytes=1000))


def test_capacities_change_the_plan() -> None:
    site = read_site(sample_path("a"))
    roomy = with_capacities(site, {"FQ1": 1000.0})
    assert make_plan(roomy).counts()["deferred"] == 0
    assert make_plan(site).counts()["deferred"] == 4
    assert with_capacities(site, {}) is site


def test_box_candidates_are_faces_inside_the_compartment_nearest_first() -> None:
    site = read_site(sample_path("a"))
    found = box_candidates(site, "FQ1")
    assert found
    comp = next(c for c in site.compartments if c.id == "FQ1")
    import shapely

    dists = [shapely.Point(xy).distance(comp.polygon.centroid) for _, xy in found]
    assert dists == sorted(dists)
    assert all(comp.polygon.contains(shapely.Point(xy)) for _, xy in found)
    assert found[0][0].startswith("column")


def test_typed_coordinates_are_in_the_site_files_own_crs() -> None:
    site = read_site(sample_path("d"))
    lon, lat = to_source(site, 5.0, 5.0)
    assert 103.8 < lon < 103.9
    assert to_local(site, lon, lat) == pytest.approx((5.0, 5.0), abs=1e-6)


def test_export_files_hold_every_download() -> None:
    plan = make_plan(read_site(sample_path("d")))
    files = export_files(plan)
    assert {
        "approval.pdf",
        "plan.geojson",
        "plan.gpkg",
        "plan.dxf",
        "schedule.csv",
        "sheet-B1.png",
        "sheet-B1.svg",
        "report.json",
        "notices.zip",
    } <= set(files)
    with zipfile.ZipFile(io.BytesIO(files["notices.zip"])) as z:
        expected = [f"{r.id}-notice.pdf" for r in plan.requests if r.status != "blocked"]
        expected += [f"{r.id}-commitment.pdf" for r in plan.requests if r.status == "planned"]
        assert sorted(z.namelist()) == sorted(expected)
    assert files["approval.pdf"].startswith(b"%PDF")
    assert next(iter(files)) == "package.zip"  # the whole package first, as planner plan writes it
    with zipfile.ZipFile(io.BytesIO(files["package.zip"])) as z:
        names = set(z.namelist())
    assert {n for n in files if n not in {"package.zip", "notices.zip", COMBINED}} <= names
    assert {f"notices/{n}" for n in [*expected, COMBINED]} <= names
    assert ".planner-output" in names  # the package's marker, in the zip only
    assert not [n for n in files if n.startswith(".")]
    assert files[COMBINED].startswith(b"%PDF")  # all the papers in one, to print


def test_request_rows_one_per_request() -> None:
    plan = make_plan(read_site(sample_path("a")))
    rows = request_rows(plan, "en")
    assert [r["Request"] for r in rows] == [r.id for r in plan.requests]


def _converted_dxf(tmp_path: Path) -> Any:
    from planner.session import load_upload
    from tests.test_readers_dxf import _drawing

    path = tmp_path / "garage.dxf"
    _drawing().saveas(path)
    return load_upload("garage.dxf", path.read_bytes())


def test_the_desk_completes_a_converted_drawing(tmp_path: Path) -> None:
    """Issue 14 item 2: site, level and compartment rows edited and read back as a file
    is; a compartment drawn by typed corners; overlaps refused, unassigned stalls listed."""
    from planner.errors import PlannerError
    from planner.session import (
        parse_corners,
        site_tables,
        unassigned_spaces,
        with_compartment,
        with_tables,
    )

    site = _converted_dxf(tmp_path)
    tables = site_tables(site)
    (level,) = tables["level"]
    (comp,) = tables["compartment"]
    level.update(floor=-1, garage_type="underground", fire_alarm=True, sprinklers=True)
    comp.update(capacity_kw=120.0, name="防火分区一")
    tables["site"][0].update(community="和平小区", surveyor="勘察组")
    done = with_tables(site, tables)
    assert done.levels[0].floor == -1
    assert done.levels[0].garage_type == "underground"
    assert done.compartments[0].capacity_kw == 120
    assert done.info.community == "和平小区"
    level["floor"] = "deep"
    with pytest.raises(PlannerError, match="floor"):
        with_tables(site, tables)
    # draw two compartments by corners in millimetres (the drawing's units), replacing the
    # whole-level one the converter made
    west = parse_corners("0,0; 10000,0; 10000,10000; 0,10000")
    east = parse_corners("10000,0；20000,0；20000,10000；10000,10000")
    lv = done.levels[0].id
    two = with_compartment(done, level=lv, ident="FQ-W", corners=west, replace=(comp["id"],))
    two = with_compartment(two, level=lv, ident="FQ-E", corners=east, capacity_kw=80)
    assert sorted(c.id for c in two.compartments) == ["FQ-E", "FQ-W"]
    assert unassigned_spaces(two) == []
    with pytest.raises(PlannerError, match="overlap"):
        with_compartment(two, level=lv, ident="FQ-X", corners=west)
    only_west = with_compartment(done, level=lv, ident="FQ-W", corners=west, replace=(comp["id"],))
    assert unassigned_spaces(only_west)  # the east stalls are in no compartment
    with pytest.raises(PlannerError, match="not x,y"):
        parse_corners("0,0; 1; 2,2")


def test_the_desk_edits_requests_as_the_csv_reader_reads_them(tmp_path: Path) -> None:
    """Issue 14 item 3: add, edit and remove requests; each bad row says so."""
    from planner.errors import PlannerError
    from planner.session import request_table, requests_csv, with_requests

    site = read_site(sample_path("a"))
    rows = request_table(site)
    assert len(rows) == len(site.requests)
    rows = rows[1:]  # remove one
    rows[0]["charger_kw"] = 3.5  # edit one
    space = next(s.id for s in site.spaces if s.id not in {r["space"] for r in rows})
    rows.append({"id": "NEW1", "space": space, "charger_kw": 7, "registered": "2024-05-01"})
    edited = with_requests(site, rows)
    assert len(edited.requests) == len(site.requests)
    assert {r.id for r in edited.requests} == {r["id"] for r in rows}
    assert next(r for r in edited.requests if r.id == rows[0]["id"]).charger_kw == 3.5
    text = requests_csv(rows).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("id,space,charger_kw")
    rows.append({"id": "BAD", "space": space, "charger_kw": "lots"})
    with pytest.raises(PlannerError, match="row"):
        with_requests(site, rows)


def test_a_negative_or_non_numeric_capacity_is_refused_naming_the_compartment() -> None:
    from planner.errors import PlannerError
    from planner.session import with_capacities

    site = read_site(sample_path("a"))
    cid = site.compartments[0].id
    for bad in (-5.0, "lots", True, 1e9):
        with pytest.raises(PlannerError, match=f"compartment {cid}: capacity"):
            with_capacities(site, {cid: bad})  # type: ignore[dict-item]
    assert with_capacities(site, {cid: float("nan")}).compartments[0].capacity_kw is None
    assert with_capacities(site, {cid: 42}).compartments[0].capacity_kw == 42


def test_the_request_table_puts_the_deciding_reason_first() -> None:
    from planner.i18n import t
    from planner.session import request_rows

    plan = make_plan(read_site(sample_path("a")))
    rows = {r[t("request", "zh")]: r for r in request_rows(plan, "zh")}
    r08 = rows["R08"][t("reasons", "zh")]  # 11 kW: blocked by R7, R4 only advises
    assert r08.startswith("功率超过7千瓦")


def test_requests_that_match_no_stall_are_listed_by_row() -> None:
    from planner.readers import parse_site
    from planner.session import unmatched_requests

    site = read_site(sample_path("a"))
    doc = sample_path("a").read_bytes()
    csv = b"id,space,charger_kw\nC1,B1-999,7\nC2,%s,7\nC3,NOPE,7\n" % site.spaces[0].id.encode()
    with_csv = parse_site(doc, requests_csv=csv)
    listed = [x for x in unmatched_requests(with_csv) if x.startswith("row")]
    assert listed == ["row 2: C1 -> B1-999", "row 4: C3 -> NOPE"]


def test_compartments_come_from_a_separate_layer(tmp_path: Path) -> None:
    import json as _json

    from planner.errors import PlannerError
    from planner.session import unassigned_spaces, with_compartment_layer

    site = _converted_dxf(tmp_path)
    lv = site.levels[0].id
    layer: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"kind": "compartment", "id": ident, "capacity_kw": 60},
            }
            for ident, ring in (
                ("W", [[0, 0], [10000, 0], [10000, 10000], [0, 10000], [0, 0]]),
                ("E", [[10000, 0], [20000, 0], [20000, 10000], [10000, 10000], [10000, 0]]),
            )
        ],
    }
    done = with_compartment_layer(site, "fq.geojson", _json.dumps(layer).encode(), level=lv)
    assert sorted(c.id for c in done.compartments) == ["E", "W"]
    assert {c.capacity_kw for c in done.compartments} == {60}
    assert unassigned_spaces(done) == []
    layer["features"][1]["geometry"]["coordinates"][0][0] = [5000, 0]  # now they overlap
    layer["features"][1]["geometry"]["coordinates"][0][-1] = [5000, 0]
    layer["features"][1]["geometry"]["coordinates"][0][3] = [5000, 10000]
    with pytest.raises(PlannerError, match="overlap"):
        with_compartment_layer(site, "fq.geojson", _json.dumps(layer).encode(), level=lv)
    with pytest.raises(PlannerError, match="no compartment polygon"):
        with_compartment_layer(
            site, "fq.geojson", b'{"type":"FeatureCollection","features":[]}', level=lv
        )


def test_a_box_or_lasso_on_the_plan_gives_the_corners_in_the_files_coordinates() -> None:
    from planner.session import parse_corners, selection_corners

    site = read_site(sample_path("d"))  # lon/lat: corners come back in degrees
    box = {"box": [{"x": [0.0, 10.0], "y": [0.0, 5.0]}], "lasso": []}
    corners = parse_corners(selection_corners(site, box) or "")
    assert len(corners) == 4
    assert all(103 < x < 105 and 35 < y < 37 for x, y in corners)
    lasso = {"box": [], "lasso": [{"x": [0, 4, 2], "y": [0, 0, 3]}]}
    assert len(parse_corners(selection_corners(site, lasso) or "")) == 3
    assert selection_corners(site, {"box": [], "lasso": []}) is None
    assert selection_corners(site, None) is None


def test_an_answers_file_completes_the_drawing_and_the_list_shrinks(tmp_path: Path) -> None:
    """The answers TOML of ``planner convert --answers`` completes an upload in the desk;
    what is still missing is counted again after every edit, not dropped."""
    from planner.errors import PlannerError
    from planner.readers.conversion import FIRE
    from planner.session import with_answers, with_compartment

    site = _converted_dxf(tmp_path)

    def todo(s: object) -> list[str]:
        return [w.message for w in s.warnings if w.code == "CONVERTED_COMPLETE"]  # type: ignore[attr-defined]

    assert any(m.startswith("floor of level") for m in todo(site))
    level = site.levels[0].id
    partial = with_answers(site, "a.toml", f"[levels.{level}]\nfloor = -1\n".encode())
    assert partial.levels[0].floor == -1
    left = todo(partial)
    assert not any(m.startswith("floor of level") for m in left)
    assert any(m.startswith("the five fire systems") for m in left)  # not dropped
    fire = "\n".join(f"{k} = true" for k in FIRE)
    full = with_answers(
        partial,
        "a.toml",
        f'[site]\ncommunity = "和平小区"\nsurveyor = "勘察组"\n[levels.{level}]\n'
        f'garage_type = "underground"\n{fire}\n[compartments.{site.compartments[0].id}]\n'
        "capacity_kw = 100\n".encode(),
    )
    assert full.compartments[0].capacity_kw == 100
    assert all(m.startswith("fire compartments") for m in todo(full)), todo(full)
    west = [(0.0, 0.0), (10000.0, 0.0), (10000.0, 10000.0), (0.0, 10000.0)]
    east = [(x + 10000.0, y) for x, y in west]
    drawn = with_compartment(
        full, level=level, ident="FQ-W", corners=west, replace=(site.compartments[0].id,)
    )
    drawn = with_compartment(drawn, level=level, ident="FQ-E", corners=east, capacity_kw=80)
    assert todo(drawn) == [  # the stand-in compartment is gone; the new one lacks capacity
        "capacity_kw of compartment(s) FQ-W (null: unknown, nothing deferred)"
    ]
    with pytest.raises(PlannerError, match="has no property 'depth'"):
        with_answers(site, "a.toml", f"[levels.{level}]\ndepth = 3\n".encode())
    with pytest.raises(PlannerError, match="is not TOML"):
        with_answers(site, "a.toml", b"[levels\n")
    for bad in (b"site = 3\n", b"levels = 3\n", b"[site]\ndepth = 1\n"):  # refused, no traceback
        with pytest.raises(PlannerError, match="answers"):
            with_answers(site, "a.toml", bad)
