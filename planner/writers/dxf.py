"""``plan.dxf`` for the design institute: planar units, a layer per level and kind.

Layers are named ``<level>|<kind>`` (``B1|space``, ``B1|cable``, ``B1|column`` ...). Spaces and
compartments carry their ids as TEXT inside them (so the file reads back with the same ids),
meter boxes are INSERTs of a ``METER_BOX`` block with their id. Coordinates are those of the
input when it is planar (metres, millimetres or a projected CRS); a lon/lat site is written
in its site-centred transverse Mercator, in metres. R2013 files are UTF-8, so Chinese text
reads as Chinese; the text style names SimSun, the font Chinese CAD installations have.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ezdxf
from ezdxf import units
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from planner.plan import Plan

STYLE = "PLANNER_CJK"
UNIT_CODES = {"m": units.M, "mm": units.MM, "cm": units.CM}


def _transformer(plan: Plan) -> tuple[Any, str]:
    frame = plan.site.frame
    src = frame.source_crs
    if src is None:
        return frame.to_source, frame.units
    if src.is_geographic:  # lon/lat is not planar: the site-centred projection, in metres
        return (lambda g: g), "m"
    return frame.to_source, "m"


_FORBIDDEN = set('<>/\\":;?*|=`')
"""Characters AutoCAD does not allow in a layer name (the ``|`` between level and kind
marks the planner's own layers and is kept)."""


def _layer_part(level_id: str) -> str:
    """A level id as the first part of a layer name."""
    return "".join("_" if ch in _FORBIDDEN or not ch.isprintable() else ch for ch in level_id)


def _layer(doc: Any, name: str, colour: int) -> str:
    level, sep, kind = name.partition("|")
    name = _layer_part(level)[:200] + sep + kind
    if name not in doc.layers:
        doc.layers.add(name, color=colour)
    return name


def _polyline(msp: Any, geom: BaseGeometry, layer: str) -> None:
    if isinstance(geom, Polygon):
        for ring in (geom.exterior, *geom.interiors):
            msp.add_lwpolyline(list(ring.coords)[:-1], close=True, dxfattribs={"layer": layer})
    elif isinstance(geom, LineString):
        msp.add_lwpolyline(list(geom.coords), dxfattribs={"layer": layer})


def _text(msp: Any, text: str, at: Point, height: float, layer: str) -> None:
    msp.add_text(text, height=height, dxfattribs={"layer": layer, "style": STYLE}).set_placement(
        (at.x, at.y), align=ezdxf.enums.TextEntityAlignment.MIDDLE_CENTER
    )


def write_dxf(plan: Plan, path: Path) -> Path:
    """Write the plan as DXF (R2013, units set, passing ezdxf's audit)."""
    to_out, unit = _transformer(plan)
    k = 1000.0 if unit == "mm" else (100.0 if unit == "cm" else 1.0)
    doc = ezdxf.new("R2013", setup=True)
    doc.units = UNIT_CODES[unit]
    doc.header["$MEASUREMENT"] = 1
    doc.styles.add(STYLE, font="simsun.ttc")
    block = doc.blocks.new("METER_BOX")
    block.add_lwpolyline(
        [(-0.4 * k, -0.25 * k), (0.4 * k, -0.25 * k), (0.4 * k, 0.25 * k), (-0.4 * k, 0.25 * k)],
        close=True,
    )
    block.add_line((-0.4 * k, -0.25 * k), (0.4 * k, 0.25 * k))
    block.add_line((-0.4 * k, 0.25 * k), (0.4 * k, -0.25 * k))
    msp = doc.modelspace()
    site = plan.site
    h = 0.35 * k
    for lv in site.levels:
        view = site.on_level(lv.id)
        _polyline(msp, to_out(lv.outline), _layer(doc, f"{lv.id}|level", 7))
        comp_layer = _layer(doc, f"{lv.id}|compartment", 1)
        for c in view.compartments:
            _polyline(msp, to_out(c.polygon), comp_layer)
            _text(msp, c.id, to_out(c.polygon.representative_point()), h * 2, comp_layer)
        space_layer = _layer(doc, f"{lv.id}|space", 8)
        for s in view.spaces:
            _polyline(msp, to_out(s.polygon), space_layer)
            _text(msp, s.id, to_out(s.polygon.centroid), h, space_layer)
        for o in view.obstacles:
            _polyline(msp, to_out(o.geometry), _layer(doc, f"{lv.id}|{o.type}", 9))
        for tr in view.trays:
            _polyline(msp, to_out(tr.line), _layer(doc, f"{lv.id}|tray", 4))
    for cable in plan.cables:
        layer = _layer(doc, f"{cable.level}|cable", 3)
        line = to_out(cable.line)
        _polyline(msp, line, layer)
        mid = line.interpolate(0.5, normalized=True)
        _text(
            msp,
            f"{cable.request} {cable.cable_m:.1f}m {cable.conductor_mm2:g}mm²",
            mid,
            h * 0.6,
            _layer(doc, f"{cable.level}|cable_text", 3),
        )
    for run in plan.trays:  # the planned shared tray: size and cable count on each run
        layer = _layer(doc, f"{run.level}|tray_run", 30)
        line = to_out(run.line)
        _polyline(msp, line, layer)
        reserve = f"+{run.reserve}" if run.reserve else ""
        _text(
            msp,
            f"桥架 {run.size} {run.cables}{reserve}根",
            line.interpolate(0.5, normalized=True),
            h * 0.6,
            _layer(doc, f"{run.level}|tray_run_text", 30),
        )
    for b in plan.boxes:
        layer = _layer(doc, f"{b.level}|meter_box", 5)
        p = to_out(b.point)
        msp.add_blockref("METER_BOX", (p.x, p.y), dxfattribs={"layer": layer})
        _text(msp, f"{b.id} 表位{b.meters}", Point(p.x, p.y + h * 2), h, layer)
    for r in plan.requests:
        if r.point is None or r.level is None:
            continue
        layer = _layer(doc, f"{r.level}|charger", 6)
        p = to_out(r.point)
        msp.add_point((p.x, p.y), dxfattribs={"layer": layer})
    doc.saveas(path)
    return path
