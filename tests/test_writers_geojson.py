"""The plan file: contract kinds and properties, back in the input's units and CRS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from planner.plan import make_plan
from planner.readers import parse_site, read_site
from planner.samples import sample_path
from planner.synthetic import collection, feature, simple_garage, transform_features
from planner.writers import plan_features, write_plan_geojson, write_report


def _by_kind(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in doc["features"] if f["properties"]["kind"] == kind]


def test_every_request_once_with_contract_properties() -> None:
    site = read_site(sample_path("a"))
    plan = make_plan(site)
    doc = plan_features(plan)
    reqs = _by_kind(doc, "request")
    assert sorted(f["properties"]["id"] for f in reqs) == sorted(r.id for r in site.requests)
    for f in reqs:
        p = f["properties"]
        assert {"id", "space", "level", "compartment", "status", "reasons"} <= set(p)
        for r in p["reasons"]:
            assert set(r) == {"code", "severity", "rule", "clause", "message"}
        assert (f["geometry"] is None) == (p["level"] is None)
    unknown = next(f for f in reqs if f["properties"]["id"] == "R14")
    assert unknown["geometry"] is None
    assert unknown["properties"]["status"] == "blocked"
    boxes = _by_kind(doc, "meter_box")
    assert {b["properties"]["id"] for b in boxes} == {"FQ1-BX", "FQ2-BX", "FQ3-BX"}
    fq2 = next(b for b in boxes if b["properties"]["compartment"] == "FQ2")
    assert fq2["properties"]["capacity_kw"] is None
    assert fq2["properties"]["spare_chargers"] is None
    cables = _by_kind(doc, "cable")
    statuses = {f["properties"]["id"]: f["properties"]["status"] for f in reqs}
    assert {c["properties"]["request"] for c in cables} == {
        i for i, s in statuses.items() if s != "blocked"
    }
    for c in cables:
        assert {"route_m", "cable_m", "conductor_mm2", "voltage_drop_pct"} <= set(c["properties"])
    assert _by_kind(doc, "finding")


def test_lonlat_plan_comes_back_in_lonlat() -> None:
    site = read_site(sample_path("d"))
    plan = make_plan(site)
    doc = plan_features(plan)
    assert doc["crs_declared"] == "EPSG:4326"
    for c in _by_kind(doc, "cable"):
        line = shape(c["geometry"])
        lon, lat = np.asarray(line.coords).T
        assert ((lon > 103.8) & (lon < 103.9) & (lat > 36.0) & (lat < 36.1)).all()
        local = site.frame.to_local(line)
        assert local.length == pytest.approx(c["properties"]["route_m"], abs=1e-3)


def test_millimetre_plan_comes_back_in_millimetres() -> None:
    feats = simple_garage(bays=2, strips=1)
    feats.append(feature("request", None, id="R1", space="B1-001", charger_kw=7))
    mm = transform_features(feats, lambda x, y: (np.asarray(x) * 1000, np.asarray(y) * 1000))
    mm[0]["properties"]["units"] = "mm"
    site = parse_site(json.dumps(collection(mm)).encode())
    plan = make_plan(site)
    doc = plan_features(plan)
    assert doc["units"] == "mm"
    (cable,) = _by_kind(doc, "cable")
    assert shapely.length(shape(cable["geometry"])) == pytest.approx(
        cable["properties"]["route_m"] * 1000, abs=0.5
    )  # route_m is written to the millimetre
    (box,) = _by_kind(doc, "meter_box")
    x, _ = box["geometry"]["coordinates"]
    assert x > 1000  # millimetres


def test_files_are_written(tmp_path: Path) -> None:
    plan = make_plan(read_site(sample_path("d")))
    g = write_plan_geojson(plan, tmp_path / "plan.geojson")
    r = write_report(plan, tmp_path / "report.json")
    assert json.loads(g.read_text(encoding="utf-8"))["type"] == "FeatureCollection"
    assert json.loads(r.read_text(encoding="utf-8"))["counts"]["planned"] == 6


def test_plan_file_carries_the_contracts_electrical_properties() -> None:
    """site-format.md section 2: the names of the meter box and cable properties."""
    plan = make_plan(read_site(sample_path("a")))
    doc = plan_features(plan)
    box_names = {
        "id",
        "compartment",
        "level",
        "placement",
        "mount",
        "offset_m",
        "meters",
        "boxes",
        "box_sizes",
        "phase_kw",
        "phase_a",
        "unbalance",
        "connected_kw",
        "demand_kw",
        "capacity_kw",
        "spare_chargers",
        "incoming_breaker_a",
        "incoming_cable",
    }
    cable_names = {
        "request",
        "space",
        "compartment",
        "level",
        "route_m",
        "cable_m",
        "conductor_mm2",
        "designation",
        "phase",
        "breaker",
        "methods",
        "grouping",
        "iz_a",
        "voltage_drop_pct",
        "short_circuit_reach_m",
        "tray_m",
    }
    for f in _by_kind(doc, "meter_box"):
        assert box_names <= set(f["properties"])
        assert set(f["properties"]["phase_kw"]) == {"A", "B", "C"}
    for f in _by_kind(doc, "cable"):
        assert cable_names <= set(f["properties"])
        assert f["properties"]["designation"].startswith("ZR-YJV-0.6/1kV-3×")
    json.dumps(doc, allow_nan=False)
