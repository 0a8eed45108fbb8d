"""GeoPackage, DXF and CSV exports, read back and counted against the plan."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import ezdxf
import pyogrio
import pytest

from planner.errors import PlannerError
from planner.plan import make_plan
from planner.readers import read_site
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
    plan = _plan(key)
    path = write_dxf(plan, tmp_path / "plan.dxf")
    doc = ezdxf.readfile(path)
    auditor = doc.audit()
    assert auditor.has_errors is False
    assert doc.units == ezdxf.units.M
    msp = doc.modelspace()
    counts = Counter((e.dxf.layer, e.dxftype()) for e in msp)
    for lv in plan.site.levels:
        assert counts[(f"{lv.id}|cable", "LWPOLYLINE")] == sum(
            1 for c in plan.cables if c.level == lv.id
        )
        assert counts[(f"{lv.id}|meter_box", "INSERT")] == sum(
            1 for b in plan.boxes if b.level == lv.id
        )
        spaces = [s for s in plan.site.spaces if s.level == lv.id]
        assert counts[(f"{lv.id}|space", "LWPOLYLINE")] == len(spaces)
        texts = {e.dxf.text for e in msp.query(f'TEXT[layer=="{lv.id}|space"]')}
        assert texts == {s.id for s in spaces}
    labels = [e.dxf.text for e in msp.query("TEXT") if "表位" in e.dxf.text]
    assert len(labels) == len(plan.boxes)


def test_dxf_of_a_lonlat_site_is_in_local_metres(tmp_path: Path) -> None:
    plan = _plan("d")
    doc = ezdxf.readfile(write_dxf(plan, tmp_path / "plan.dxf"))
    xs = [v[0] for e in doc.modelspace().query("LWPOLYLINE") for v in e.get_points("xy")]
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
    assert {p.name for p in first} == {"report.json", "plan.geojson", "schedule.csv", "bom.csv"}

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
    assert {p.name for p in out.iterdir()} == {"report.json", "plan.geojson", ".planner-output"}


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
