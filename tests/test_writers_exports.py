"""GeoPackage, DXF and CSV exports, read back and counted against the plan."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import ezdxf
import pyogrio
import pytest

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
    assert rows[0][:3] == ["序号", "申请编号", "车位"]
    assert len(rows) == 1 + len(plan.requests)
    assert [r[1] for r in rows[1:]] == [r.id for r in plan.requests]
    assert "13912345678" not in raw.decode("utf-8-sig")
