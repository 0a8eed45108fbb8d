"""``plan.dxf`` for the design institute: planar units, a layer per level and kind.

Layers are named ``EV-<key>-<kind>`` (``EV-L1-space``, ``EV-L1-cable-planned``,
``EV-L1-column`` ...): ``<key>`` is ``L1``, ``L2`` ... in the order of the site's levels,
and the drawing's custom properties (``$CUSTOMPROPERTY``) hold the table ``PLANNER_LEVEL_L1
= B1`` ..., so the reader takes each level's own id from the drawing and never guesses it
from a layer name; no name holds a character AutoCAD forbids (``<>/\\":;?*|=`` and the
backtick; ``|`` marks external references). Files of the earlier ``B1|space`` form still
read. Cables are on a layer per status (planned, pending, deferred). Spaces and
compartments carry their ids as TEXT inside them (so the file reads back with the same
ids); meter boxes and chargers are INSERTs of the ``EV_METER_BOX`` (AW) and ``EV_CHARGER``
blocks. Only the text style used is defined. Coordinates are those of the input when it
is planar (metres, millimetres or a projected CRS); a lon/lat site is written in its
site-centred transverse Mercator, in metres, and carries a GEODATA object placing the
drawing's origin on the survey. R2013 files are UTF-8, so Chinese text reads as Chinese;
the text style names SimSun, the font Chinese CAD installations have.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import ezdxf
from ezdxf import units
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from planner.plan import Plan
from planner.readers.layers import LEVEL_PROPERTY

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


PREFIX = "EV"
"""First part of every layer the planner writes."""
FORBIDDEN = frozenset('<>/\\":;?*|=`')
"""Characters AutoCAD does not allow in a layer name."""


class _Layers:
    """The planner's layers of one drawing: ``EV-<key>-<kind>``, created on first use."""

    def __init__(self, doc: Any, levels: list[str]) -> None:
        self.doc = doc
        self.key = {lv: f"L{i}" for i, lv in enumerate(levels, start=1)}
        for lv, key in self.key.items():
            doc.header.custom_vars.append(f"{LEVEL_PROPERTY}{key}", lv)

    def __call__(self, level: str, kind: str, colour: int, linetype: str | None = None) -> str:
        name = f"{PREFIX}-{self.key[level]}-{kind}"
        assert not FORBIDDEN & set(name)
        if name not in self.doc.layers:
            attribs = {"linetype": linetype} if linetype else {}
            self.doc.layers.add(name, color=colour, **attribs)
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


def _blocks(doc: Any, k: float) -> None:
    """The meter box (AW: a rectangle, its lower half filled, after 18D705-2 [unconfirmed])
    and the charger (a circle with a lightning stroke), 0.8 x 0.3 m and 0.5 m across."""
    box = doc.blocks.new("EV_METER_BOX")
    w, h = 0.4 * k, 0.15 * k
    box.add_lwpolyline([(-w, -h), (w, -h), (w, h), (-w, h)], close=True)
    box.add_solid([(-w, -h), (w, -h), (-w, 0), (w, 0)])
    box.add_attdef("ID", (w + 0.1 * k, 0), dxfattribs={"height": 0.3 * k, "style": STYLE})
    charger = doc.blocks.new("EV_CHARGER")
    r = 0.25 * k
    charger.add_circle((0, 0), r)
    charger.add_lwpolyline(
        [(0.05 * k, 0.18 * k), (-0.08 * k, 0), (0.08 * k, 0), (-0.05 * k, -0.18 * k)]
    )


def _geodata(doc: Any, plan: Plan) -> None:
    """A lon/lat site: GEODATA puts the drawing's origin (the site-centred projection's)
    on World Mercator (EPSG:3395, the definition ezdxf ships), scaled 1 / cos(latitude) so
    distances near the site match; AutoCAD's geolocation shows it on the map."""
    frame = plan.site.frame
    src = frame.source_crs
    if src is None or not src.is_geographic or frame.local_crs is None:
        return
    lon, lat = Transformer.from_crs(frame.local_crs, "EPSG:4326", always_xy=True).transform(0, 0)
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3395", always_xy=True).transform(lon, lat)
    geo = doc.modelspace().new_geodata()
    geo.setup_local_grid(design_point=(0, 0), reference_point=(x, y))
    geo.dxf.scale_estimation_method = 2  # user-specified scale factor
    geo.dxf.user_scale_factor = 1 / math.cos(math.radians(lat))


STATUS_COLOURS = {"planned": 3, "pending": 2, "deferred": 5}
"""ACI colours of the cable layers: green, yellow, blue (as on the sheets)."""


def write_dxf(plan: Plan, path: Path) -> Path:
    """Write the plan as DXF (R2013, units set, passing ezdxf's audit)."""
    to_out, unit = _transformer(plan)
    k = 1000.0 if unit == "mm" else (100.0 if unit == "cm" else 1.0)
    doc = ezdxf.new("R2013", setup=False)
    doc.units = UNIT_CODES[unit]
    doc.header["$MEASUREMENT"] = 1
    doc.styles.add(STYLE, font="simsun.ttc")
    doc.linetypes.add(
        "DASHDOT",
        pattern=[1.2 * k, 0.8 * k, -0.15 * k, 0.0, -0.15 * k],
        description="Dash dot __ . __ . (compartment boundaries, GB/T 50001 table 4.0.4)",
    )
    _blocks(doc, k)
    msp = doc.modelspace()
    site = plan.site
    layer = _Layers(doc, [lv.id for lv in site.levels])
    h = 0.35 * k
    for lv in site.levels:
        view = site.on_level(lv.id)
        _polyline(msp, to_out(lv.outline), layer(lv.id, "level", 7))
        comp_layer = layer(lv.id, "compartment", 1, "DASHDOT")
        for c in view.compartments:
            _polyline(msp, to_out(c.polygon), comp_layer)
            _text(msp, c.id, to_out(c.polygon.representative_point()), h * 2, comp_layer)
        space_layer = layer(lv.id, "space", 8)
        for s in view.spaces:
            _polyline(msp, to_out(s.polygon), space_layer)
            _text(msp, s.id, to_out(s.polygon.centroid), h, space_layer)
        for o in view.obstacles:
            _polyline(msp, to_out(o.geometry), layer(lv.id, o.type, 9))
        for tr in view.trays:
            _polyline(msp, to_out(tr.line), layer(lv.id, "tray", 4))
        for ax in view.axes:
            _polyline(msp, to_out(ax.line), layer(lv.id, "axis", 1, "DASHDOT"))
    status = {r.id: r.status for r in plan.requests}
    circuits = plan.circuits()
    for cable in plan.cables:
        st = status[cable.request]
        line = to_out(cable.line)
        _polyline(msp, line, layer(cable.level, f"cable-{st}", STATUS_COLOURS[st]))
        mid = line.interpolate(max(line.length - 1.5 * k, 0.5 * line.length))
        _, wp = circuits.get(cable.request, ("", ""))
        _text(
            msp,
            f"{wp} {cable.space} {cable.cable_m:.1f}m {cable.designation}".strip(),
            mid,
            h * 0.6,
            layer(cable.level, "cable-text", STATUS_COLOURS[st]),
        )
    for run in plan.trays:  # the planned shared tray: size and cable count on each run
        line = to_out(run.line)
        _polyline(msp, line, layer(run.level, "tray_run", 30))
        reserve = f"+{run.reserve}" if run.reserve else ""
        _text(
            msp,
            f"桥架 {run.size} {run.cables}{reserve}根",
            line.interpolate(0.5, normalized=True),
            h * 0.6,
            layer(run.level, "tray_run-text", 30),
        )
    for b in plan.boxes:
        p = to_out(b.point)
        ref = msp.add_blockref(
            "EV_METER_BOX", (p.x, p.y), dxfattribs={"layer": layer(b.level, "meter_box", 5)}
        )
        ref.add_auto_attribs({"ID": f"{b.id} AW"})
    for r in plan.requests:
        if r.point is None or r.level is None:
            continue
        p = to_out(r.point)
        msp.add_blockref(
            "EV_CHARGER", (p.x, p.y), dxfattribs={"layer": layer(r.level, "charger", 6)}
        )
    _geodata(doc, plan)
    doc.saveas(path)
    return path
