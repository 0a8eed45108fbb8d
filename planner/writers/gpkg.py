"""``plan.gpkg``: one layer per kind for GIS users, every attribute, in the input's CRS.

Plan layers (``meter_box``, ``cable``, ``tray_run``, ``request``, ``finding``) carry the
properties of the plan file; the site layers (``level``, ``compartment``, ``space``,
``obstacle``, ``tray``) come along so the plan can be read in context. A local-metre site
is written with an undefined CRS: it is not anywhere on Earth until the surveyor says
where.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import shape

from planner.plan import Plan
from planner.writers.geojson import plan_features

SITE_KINDS = ("level", "compartment", "space", "obstacle", "tray")


def _site_records(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    site = plan.site
    f = site.frame
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in SITE_KINDS}
    for lv in site.levels:
        out["level"].append(
            {
                "id": lv.id,
                "name": lv.name,
                "floor": lv.floor,
                "garage_type": lv.garage_type,
                "geometry": f.to_source(lv.outline),
            }
        )
    for c in site.compartments:
        out["compartment"].append(
            {
                "id": c.id,
                "level": c.level,
                "name": c.name,
                "capacity_kw": c.capacity_kw,
                "area_m2": c.polygon.area,
                "geometry": f.to_source(c.polygon),
            }
        )
    for s in site.spaces:
        out["space"].append(
            {"id": s.id, "level": s.level, "tenure": s.tenure, "geometry": f.to_source(s.polygon)}
        )
    for o in site.obstacles:
        out["obstacle"].append(
            {"id": o.id, "level": o.level, "type": o.type, "geometry": f.to_source(o.geometry)}
        )
    for tr in site.trays:
        out["tray"].append({"id": tr.id, "level": tr.level, "geometry": f.to_source(tr.line)})
    return out


def _plain(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


def write_gpkg(plan: Plan, path: Path) -> Path:
    """Write every layer; returns the path."""
    crs = plan.site.frame.crs  # None: a local plan, written with an undefined CRS
    layers: dict[str, list[dict[str, Any]]] = {}
    for feat in plan_features(plan)["features"]:
        props = {k: _plain(v) for k, v in feat["properties"].items() if k != "kind"}
        geom = None if feat["geometry"] is None else shape(feat["geometry"])
        layers.setdefault(feat["properties"]["kind"], []).append({**props, "geometry": geom})
    layers.update({k: v for k, v in _site_records(plan).items() if v})
    if path.exists():
        path.unlink()
    for name, records in layers.items():
        gdf = gpd.GeoDataFrame(records, geometry="geometry", crs=crs)
        with warnings.catch_warnings():
            # a local plan's CRS is undefined on purpose (see the module's docstring)
            warnings.filterwarnings(
                "ignore", message="'crs' was not provided", category=UserWarning
            )
            gdf.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    return path
