"""GeoPackage, DXF and CSV exports, read back and counted against the plan."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import ezdxf
import pyogrio
import pytest
from ezdxf.entities import Insert, LWPolyline

from planner.errors import PlannerError
from planner.plan import make_plan
from planner.readers import parse_site, read_site
from planner.samples import sample_path, sample_requests_path
from planner.writers.csv import write_schedule_csv
from planner.writers.dxf import write_dxf
from planner.writers.gpkg import write_gpkg


def _plan(key: str):  # type: ignore[no-untyped-def]
    return make_plan(read_site(sample_path(key), requests=sample_requests_path(key)))


def test_gpkg_layers_counts_and_attributes(tmp_path: Path) -> None:
    plan = _plan("a")
    path = write_gpkg(plan, tmp_path / "plan.gpkg")
    layers = dict(pyogrio.list_layers(path))
    expected = {
        "meter_box": len(plan.boxes),
        "cable": len(plan.cables),
        "request": len(plan.requests),
        "finding": len(plan.findings),
        "level": 1,
        "compartment": 3,
        "space": len(plan.site.spaces),
        "obstacle": len(plan.site.obstacles),
    }
    for name, count in expected.items():
        assert name in layers
        assert pyogrio.read_info(path, layer=name)["features"] == count, name
    req = pyogrio.read_dataframe(path, layer="request")
    assert {"id", "space", "level", "compartment", "status", "reasons"} <= set(req.columns)
    assert set(req["status"]) == {"planned", "pending", "deferred", "blocked"}
    box = pyogrio.read_dataframe(path, layer="meter_box")
    assert {"connected_kw", "demand_kw", "capacity_kw", "spare_chargers", "placement"} <= set(
        box.columns
    )
    assert req.crs is None  # a local-metre site: undefined CRS, on purpose


def test_gpkg_of_a_lonlat_site_carries_its_crs(tmp_path: Path) -> None:
    path = write_gpkg(_plan("d"), tmp_path / "plan.gpkg")
    cable = pyogrio.read_dataframe(path, layer="cable")
    assert cable.crs.to_epsg() == 4326
    assert cable.total_bounds[0] == pytest.approx(103.83, abs=0.01)


@pytest.mark.parametrize("key", ["a", "b", "d"])
def test_dxf_audits_clean_with_layers_per_level_and_kind(key: str, tmp_path: Path) -> None:
    """Issue 13 item 9: layers EV-<key>-<kind> with the level table in the drawing, no
    character AutoCAD forbids, cables on a layer per status, chargers and boxes as blocks,
    only the text style used."""
    from planner.readers.layers import LEVEL_PROPERTY
    from planner.writers.dxf import FORBIDDEN

    plan = _plan(key)
    path = write_dxf(plan, tmp_path / "plan.dxf")
    doc = ezdxf.readfile(path)
    auditor = doc.audit()
    assert auditor.has_errors is False
    assert doc.units == ezdxf.units.M
    assert all(not FORBIDDEN & set(layer.dxf.name) for layer in doc.layers)
    assert {s.dxf.name for s in doc.styles} <= {"Standard", "PLANNER_CJK"}
    table = {tag.removeprefix(LEVEL_PROPERTY): v for tag, v in doc.header.custom_vars}
    keys = {v: k for k, v in table.items()}
    assert set(keys) == {lv.id for lv in plan.site.levels}
    msp = doc.modelspace()
    counts = Counter((e.dxf.layer, e.dxftype()) for e in msp)
    status = {r.id: r.status for r in plan.requests}
    for lv in plan.site.levels:
        pre = f"EV-{keys[lv.id]}-"
        for st in ("planned", "pending", "deferred"):
            assert counts[(f"{pre}cable-{st}", "LWPOLYLINE")] == sum(
                1 for c in plan.cables if c.level == lv.id and status[c.request] == st
            )
        assert counts[(f"{pre}meter_box", "INSERT")] == sum(
            1 for b in plan.boxes if b.level == lv.id
        )
        chargers = [r for r in plan.requests if r.level == lv.id and r.point is not None]
        assert counts[(f"{pre}charger", "INSERT")] == len(chargers)
        spaces = [s for s in plan.site.spaces if s.level == lv.id]
        assert counts[(f"{pre}space", "LWPOLYLINE")] == len(spaces)
        texts = {e.dxf.text for e in msp.query(f'TEXT[layer=="{pre}space"]')}
        assert texts == {s.id for s in spaces}
    boxes = [
        e for e in msp.query("INSERT") if isinstance(e, Insert) and e.dxf.name == "EV_METER_BOX"
    ]
    assert sorted(e.get_attrib_text("ID") for e in boxes) == sorted(
        f"{b.id} AW" for b in plan.boxes
    )


def test_the_planners_dxf_reads_back_with_its_levels_even_odd_ones(tmp_path: Path) -> None:
    """A level id holding characters a layer name may not (``B1|west``) comes back as it
    was, from the drawing's table, with its stalls and columns."""
    from planner.readers.dxf import convert_dxf

    feats = json.loads(sample_path("b").read_text(encoding="utf-8"))["features"]
    for f in feats:
        p = f["properties"]
        for key in ("id", "level"):
            if p.get("kind") in ("level", "compartment", "space", "obstacle", "tray") and (
                p.get(key) == "B2"
            ):
                p[key] = "B2|west"
    site = parse_site(json.dumps({"type": "FeatureCollection", "features": feats}).encode())
    plan = make_plan(site)
    path = write_dxf(plan, tmp_path / "plan.dxf")
    conv = convert_dxf(path)
    levels = sorted(
        f["properties"]["id"] for f in conv.features if f["properties"]["kind"] == "level"
    )
    assert levels == ["B1", "B2|west"]
    for lv in ("B1", "B2|west"):
        got = [
            f
            for f in conv.features
            if f["properties"]["kind"] == "space" and f["properties"]["level"] == lv
        ]
        assert len(got) == sum(1 for s in site.spaces if s.level == lv)
        cols = [
            f
            for f in conv.features
            if f["properties"].get("type") == "column" and f["properties"]["level"] == lv
        ]
        assert len(cols) == sum(1 for o in site.obstacles if o.level == lv and o.type == "column")


def test_the_earlier_level_bar_kind_layers_still_read() -> None:
    from planner.readers.dxf import convert_dxf

    doc = ezdxf.new("R2013")
    doc.units = ezdxf.units.M
    msp = doc.modelspace()
    msp.add_lwpolyline(
        [(0, 0), (20, 0), (20, 10), (0, 10)], close=True, dxfattribs={"layer": "B2|level"}
    )
    for i in range(3):
        x = 2 + i * 3
        msp.add_lwpolyline(
            [(x, 1), (x + 2.5, 1), (x + 2.5, 6.3), (x, 6.3)],
            close=True,
            dxfattribs={"layer": "B2|space"},
        )
    buf = io.StringIO()
    doc.write(buf)
    conv = convert_dxf(buf.getvalue().encode())
    spaces = [f for f in conv.features if f["properties"]["kind"] == "space"]
    assert len(spaces) == 3
    assert {f["properties"]["level"] for f in spaces} == {"B2"}


def test_a_lonlat_site_carries_geodata_placing_it_on_the_survey(tmp_path: Path) -> None:
    from pyproj import Transformer

    plan = _plan("d")
    doc = ezdxf.readfile(write_dxf(plan, tmp_path / "plan.dxf"))
    geo = doc.modelspace().get_geodata()
    assert geo is not None
    assert geo.dxf.coordinate_type == geo.LOCAL_GRID
    x, y = geo.dxf.reference_point.x, geo.dxf.reference_point.y
    lon, lat = Transformer.from_crs("EPSG:3395", "EPSG:4326", always_xy=True).transform(x, y)
    frame = plan.site.frame
    lon0, lat0 = Transformer.from_crs(frame.local_crs, "EPSG:4326", always_xy=True).transform(0, 0)
    assert (lon, lat) == pytest.approx((lon0, lat0), abs=1e-7)
    assert 103.5 < lon < 104.2  # Lanzhou
    local = ezdxf.readfile(write_dxf(_plan("a"), tmp_path / "a.dxf"))
    assert local.modelspace().get_geodata() is None  # a local plan has no place on a map


def test_dxf_of_a_lonlat_site_is_in_local_metres(tmp_path: Path) -> None:
    plan = _plan("d")
    doc = ezdxf.readfile(write_dxf(plan, tmp_path / "plan.dxf"))
    polylines = [e for e in doc.modelspace().query("LWPOLYLINE") if isinstance(e, LWPolyline)]
    xs = [v[0] for e in polylines for v in e.get_points("xy")]
    assert max(abs(x) for x in xs) < 200  # metres around the site centre, not degrees


def test_schedule_csv_opens_in_excel(tmp_path: Path) -> None:
    plan = _plan("a")
    path = write_schedule_csv(plan, tmp_path / "schedule.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:3] == ["序号", "回路编号", "图号"]
    assert len(rows) == 1 + len(plan.requests)
    col = rows[0].index("申请编号")
    assert sorted(r[col] for r in rows[1:]) == sorted(r.id for r in plan.requests)
    assert "13912345678" not in raw.decode("utf-8-sig")


def test_the_schedule_lists_circuits_in_meter_order_with_sheet_and_deciding_reason() -> None:
    """Issue 13 items 2 and 8: one row per request; circuits <box>-WP<nn> numbered in each
    bank's meter order (planned first, then provisional), then the requests without a
    circuit; the sheet each stall is drawn on; the deciding reason with rule and clause."""
    from planner.schedule import COLUMNS, schedule_table
    from planner.sheets import sheet_set

    plan = _plan("a")
    sheets = sheet_set(plan)
    header, rows = schedule_table(plan, "zh", sheets=sheets)
    assert len(header) == len(COLUMNS)
    got = [dict(zip([c.key for c in COLUMNS], r, strict=True)) for r in rows]
    assert [g["no"] for g in got] == [str(n) for n in range(1, len(rows) + 1)]
    by_id = {r.id: r for r in plan.requests}
    with_circuit = [g for g in got if g["circuit"]]
    assert got[: len(with_circuit)] == with_circuit  # circuits first
    for box in plan.boxes:
        mine = [g for g in with_circuit if g["circuit"].startswith(box.id + "-")]
        assert [g["circuit"] for g in mine] == [
            f"{box.id}-WP{n:02d}" for n in range(1, len(box.circuits) + 1)
        ]
        assert [g["request"] for g in mine] == list(box.circuits)
        statuses = [by_id[g["request"]].status for g in mine]
        planned = statuses.count("planned")
        assert statuses[:planned] == ["planned"] * planned  # then the provisional ones
    for g in got:
        r = by_id[g["request"]]
        assert g["charger_kw"] == f"{r.charger_kw:g}"
        assert g["queue"] == ("" if r.queue is None else str(r.queue))
        if r.status == "blocked":
            assert not g["circuit"]
            assert not g["tariff"]
            assert g["deciding"].split()[0] in {x.rule for x in r.reasons if x.severity == "error"}
        if r.status == "planned":
            assert not g["deciding"]
    r08 = next(g for g in got if g["request"] == "R08")  # 11 kW asked
    assert r08["deciding"].startswith("R7 功率超过7千瓦（方案 二(三)1(1)")
    numbers = {s.number: s for s in sheets}
    spaces = {s.id: s for s in plan.site.spaces}
    for g in got:
        if g["space"] in spaces and by_id[g["request"]].level:
            sheet = numbers[g["sheet"]]
            c = spaces[g["space"]].polygon.centroid
            x0, y0, x1, y1 = sheet.window
            assert sheet.kind in ("plan", "area")
            assert x0 <= c.x <= x1
            assert y0 <= c.y <= y1


def test_schedule_csv_runs_no_formula(tmp_path: Path) -> None:
    """OWASP CSV injection: text that starts like a formula is written as text."""
    from planner.synthetic import feature, simple_garage
    from tests.test_plan import _site

    feats = simple_garage(bays=2, strips=1)
    for n, alias in enumerate(
        ['=HYPERLINK("http://x")', "+1+1", "@SUM(A1)", "-2+3", "=cmd|' /C calc'!A0"]
    ):
        feats.append(
            feature(
                "request", None, id=f"R{n}", space=f"B1-00{n + 1}", charger_kw=7, applicant=alias
            )
        )
    plan = make_plan(_site(feats))
    path = write_schedule_csv(plan, tmp_path / "schedule.csv")
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            assert not cell.startswith("-") or cell.replace("-", "", 1).replace(".", "").isdigit()


def test_outputs_are_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that fails half-way leaves the previous folder as it was and no partial
    folder; a second run replaces the first whole."""
    from planner import writers

    plan = make_plan(read_site(sample_path("d")))
    out = tmp_path / "out"
    first = writers.write_outputs(plan, out, formats=("geojson", "csv"))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert {p.name for p in first} == {
        "report.json",
        "project.geojson",
        "plan.geojson",
        "schedule.csv",
        "bom.csv",
    }

    def broken(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writers, "write_plan_geojson", broken)
    with pytest.raises(PlannerError, match="nothing was changed there"):
        writers.write_outputs(plan, out, formats=("geojson",))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]

    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(writers, "write_plan_geojson", interrupted)
    with pytest.raises(KeyboardInterrupt):
        writers.write_outputs(plan, out, formats=("geojson",))
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    monkeypatch.undo()
    writers.write_outputs(plan, out, formats=("geojson",))
    assert {p.name for p in out.iterdir()} == {
        "report.json",
        "project.geojson",
        "plan.geojson",
        ".planner-output",
    }


def test_out_folders_the_planner_may_not_replace(tmp_path: Path) -> None:
    from planner.writers import check_out

    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_bytes(b"x")
    with pytest.raises(PlannerError, match="did not write"):
        check_out(tmp_path / "mine")
    (tmp_path / "f").write_text("x")
    with pytest.raises(PlannerError, match="is a file"):
        check_out(tmp_path / "f")
    site = tmp_path / "job" / "site.geojson"
    site.parent.mkdir()
    site.write_text("{}")
    with pytest.raises(PlannerError, match="holds the input"):
        check_out(tmp_path / "job", [site])
    check_out(tmp_path / "new")
