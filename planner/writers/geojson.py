"""The plan file (contract section 2) and ``report.json``.

Geometries go back to the input's own units and CRS; every ``_m`` property stays in metres
and every ``_kw`` in kilowatts, whatever the file's units.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry.base import BaseGeometry

from planner.findings import Finding
from planner.jsonio import write_json
from planner.plan import Cable, MeterBox, Plan, RequestOutcome, circuit_ref, report
from planner.projection import Frame
from planner.site import geojson_geometries
from planner.trunk import TrayRun


def _geoms(frame: Frame, geoms: list[BaseGeometry | None]) -> list[dict[str, Any] | None]:
    """Each geometry in the input's units and CRS (``None`` for none or an empty one), all
    reprojected in one call."""
    drawn = [n for n, g in enumerate(geoms) if g is not None and not g.is_empty]
    out: list[dict[str, Any] | None] = [None] * len(geoms)
    if drawn:
        local = np.asarray([geoms[n] for n in drawn], dtype=object)
        for n, geom in zip(drawn, geojson_geometries(frame.to_source_all(local)), strict=True):
            out[n] = geom
    return out


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def plan_features(plan: Plan) -> dict[str, Any]:
    """The plan as a GeoJSON FeatureCollection (dict) in the input's units and CRS: the
    meter boxes, cables, tray runs, requests and findings, each kind's properties as the
    contract (site-format.md section 2) names them."""
    frame = plan.site.frame
    circuits = {rid: circuit_ref(*bw) for rid, bw in plan.circuits().items()}
    rows: list[tuple[str, BaseGeometry | None, dict[str, Any]]] = [
        *(("meter_box", b.point, _box_props(b)) for b in plan.boxes),
        *(("cable", c.line, _cable_props(c, circuits)) for c in plan.cables),
        *(("tray_run", t.line, _tray_props(t)) for t in plan.trays),
        *(
            ("request", r.point if r.level is not None else None, _request_props(r, circuits))
            for r in plan.requests
        ),
        *(("finding", f.geometry, _finding_props(f)) for f in plan.findings),
    ]
    geoms = _geoms(frame, [geom for _, geom, _ in rows])
    feats = [
        {"type": "Feature", "geometry": geom, "properties": {"kind": kind, **props}}
        for (kind, _, props), geom in zip(rows, geoms, strict=True)
    ]
    out: dict[str, Any] = {"type": "FeatureCollection", "features": feats}
    if frame.crs:
        out["crs_declared"] = frame.crs
    if frame.crs is None and frame.units != "m":
        out["units"] = frame.units
    return out


def _box_props(b: MeterBox) -> dict[str, Any]:
    return {
        "id": b.id,
        "compartment": b.compartment,
        "level": b.level,
        "placement": b.placement,
        "mount": b.mount,
        "mount_type": b.mount_type,
        "offset_m": _r(b.offset_m),
        "meters": b.meters,
        "boxes": b.boxes,
        "box_sizes": list(b.box_sizes),
        "circuits": list(b.circuits),
        "phase_kw": {p: _r(v) for p, v in b.phase_kw.items()},
        "phase_a": {p: _r(v, 2) for p, v in b.phase_a.items()},
        "unbalance": _r(b.unbalance),
        "connected_kw": _r(b.connected_kw),
        "demand_kw": _r(b.demand_kw),
        "capacity_kw": b.capacity_kw,
        "spare_chargers": b.spare_chargers,
        "incoming_breaker_a": b.incoming_breaker_a,
        "incoming_cable": b.incoming_cable,
        "phase_limit_kw": _r(b.phase_limit_kw),
        "saving_m": _r(b.saving_m),
    }


def _cable_props(c: Cable, circuits: dict[str, str]) -> dict[str, Any]:
    return {
        "request": c.request,
        "circuit": circuits.get(c.request),
        "space": c.space,
        "compartment": c.compartment,
        "level": c.level,
        "route_m": _r(c.route_m),
        "cable_m": _r(c.cable_m),
        "conductor_mm2": c.conductor_mm2,
        "designation": c.designation,
        "phase": c.phase,
        "phase_provisional": c.phase_provisional,
        "breaker": c.breaker,
        "methods": list(c.methods),
        "grouping": c.grouping,
        "iz_a": _r(c.iz_a, 1),
        "voltage_drop_pct": _r(c.voltage_drop_pct),
        "short_circuit_reach_m": _r(c.short_circuit_reach_m, 1),
        "tray_m": _r(c.tray_m),
        "conduit_m": _r(c.conduit_m),
        "cost_cny": _r(c.cost_cny, 2),
        "cost": None
        if c.cost is None
        else {
            "cable_cny": c.cost.cable_cny,
            "conduit_cny": c.cost.conduit_cny,
            "tray_cny": c.cost.tray_cny,
        },
    }


def _tray_props(t: TrayRun) -> dict[str, Any]:
    return {
        "compartment": t.compartment,
        "level": t.level,
        "cables": t.cables,
        "reserve": t.reserve,
        "size": t.size,
        "fill": _r(t.fill),
        "length_m": _r(t.length_m),
        "branch": t.branch,
        "layers": t.layers,
    }


def _request_props(r: RequestOutcome, circuits: dict[str, str]) -> dict[str, Any]:
    return {
        "id": r.id,
        "space": r.space,
        "level": r.level,
        "compartment": r.compartment,
        "status": r.status,
        "circuit": circuits.get(r.id),
        "reasons": [x.model_dump(exclude={"effect"}) for x in r.reasons],
        "charger_kw": r.charger_kw,
        "registered": r.registered,
        "applicant": r.applicant,
        "queue": r.queue,
        "phase": r.phase,
        "phase_provisional": r.phase_provisional,
        "guaranteed_kw": _r(r.guaranteed_kw, 2),
        "overnight_kwh": _r(r.overnight_kwh, 1),
    }


def _finding_props(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "severity": f.severity,
        "rule": f.rule,
        "clause": f.clause,
        "message": f.message,
        "subject": f.subject,
        "level": f.level,
    }


def write_plan_geojson(plan: Plan, path: Path) -> Path:
    """Write ``plan.geojson``."""
    return write_json(path, lambda: plan_features(plan))


def write_report(plan: Plan, path: Path) -> Path:
    """Write ``report.json``."""
    return write_json(path, lambda: report(plan), indent=True)
