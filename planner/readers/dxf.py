"""CAD drawings (DXF) -> site files, with ezdxf.

Closed LWPOLYLINE/POLYLINE and HATCH boundaries become areas, CIRCLEs columns (as their
bounding squares, which is how they are routed around) or charger points, LINEs and open
polylines walls, trays or compartment boundaries, INSERTed blocks are exploded and
transformed. Each entity's kind comes from its layer (:mod:`planner.readers.layers`); layers
that map to nothing are counted and listed, never dropped silently. Units come from
``$INSUNITS`` (mm, cm, m) unless given. Stall numbers written as TEXT/MTEXT inside a stall
(any text holding a digit) become its space id. Compartment boundaries drawn as open lines
that only close together with walls and the outline are polygonized. Legacy code pages
(``$DWGCODEPAGE``, e.g. ANSI_936 for GBK) are read by ezdxf's recover reader.
"""

from __future__ import annotations

import io
import itertools
import logging
import math
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import ezdxf
import numpy as np
import shapely
from ezdxf import recover
from ezdxf.lldxf.const import DXFStructureError
from shapely.geometry import LineString, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from planner.errors import PlannerError, printable
from planner.limits import Limits, Ticker, check_time, over, running
from planner.privacy import get_logger, mask_text
from planner.readers.conversion import Conversion, complete_list, largest, level_props
from planner.readers.layers import LEVEL_PROPERTY, LayerMap

# ezdxf logs what it recovers in a damaged drawing with the raw value ("recovered invalid
# integer value ..."), which can be an owner's phone number: masked where it is logged, and
# silent unless the caller configures logging (no last-resort line on the terminal)
if not get_logger("ezdxf").handlers:
    logging.getLogger("ezdxf").addHandler(logging.NullHandler())

INSUNITS = {4: "mm", 5: "cm", 6: "m"}
_EZDXF_FAILURES = (
    ezdxf.DXFError,
    DXFStructureError,
    OSError,
    ValueError,
    UnicodeError,
    IndexError,
    KeyError,
    TypeError,
    AttributeError,
    EOFError,
    RecursionError,
    ZeroDivisionError,
    AssertionError,  # ezdxf's auditor asserts on some damaged layout tables (found by fuzzing)
    OverflowError,
)
"""What ezdxf raises on malformed files (found by fuzzing): all become one PlannerError."""
_DIGIT = re.compile(r"\d")


def _entities(msp: Any, out: Conversion, max_entities: int, max_depth: int) -> list[Any]:
    """Model-space entities with every INSERT exploded (nested ones too), transformed.
    Counted as they are expanded, and blocks nested deeper than ``max_depth`` (a block that
    inserts itself, directly or through others) are refused, so no drawing expands
    without bound."""
    flat: list[Any] = []
    stack: list[tuple[Any, int]] = [(e, 0) for e in msp]
    tick = Ticker()
    while stack:
        e, depth = stack.pop()
        tick()
        if len(flat) + len(stack) > max_entities:
            over(
                "max_dxf_entities",
                len(flat) + len(stack),
                max_entities,
                "entities in the drawing (blocks exploded)",
                "export only the garage level's layers",
            )
        if e.dxftype() == "INSERT":
            if depth >= max_depth:
                over(
                    "max_block_depth",
                    depth + 1,
                    max_depth,
                    f"blocks nested in block {e.dxf.get('name', '?')} (one inserts itself?)",
                    "explode the blocks in the CAD program, or fix the block that inserts itself",
                )
            copies = max(int(e.mcount), 1)  # a MINSERT array is counted before it expands
            if len(flat) + len(stack) + copies > max_entities:
                over(
                    "max_dxf_entities",
                    len(flat) + len(stack) + copies,
                    max_entities,
                    f"entities in the drawing (block {e.dxf.get('name', '?')} arrayed "
                    f"{copies:,} times)",
                    "export only the garage level's layers",
                )
            try:
                inserts = list(e.multi_insert()) if copies > 1 else [e]  # MINSERT arrays
                for one in inserts:
                    stack.extend((v, depth + 1) for v in one.virtual_entities())
            except _EZDXF_FAILURES as exc:
                out.notes.append(
                    f"block {e.dxf.get('name', '?')} could not be exploded "
                    f"({type(exc).__name__}); its entities are left out"
                )
            continue
        flat.append(e)
    flat.reverse()
    return flat


_FAR = 1e12
"""No coordinate of a real drawing (in any unit) is this far from its origin."""


def _sane(geom: BaseGeometry) -> bool:
    """Finite coordinates within :data:`_FAR` of the origin (every one: a geometry's
    bounds pass over a NaN vertex)."""
    xy = shapely.get_coordinates(geom)
    return bool(np.isfinite(xy).all() and (np.abs(xy) < _FAR).all())


def _shape(e: Any) -> tuple[str, BaseGeometry | None]:
    """('area' | 'line' | 'circle' | 'text' | 'other', geometry) of one entity."""
    kind = e.dxftype()
    if kind == "LWPOLYLINE":
        pts = [tuple(p) for p in e.get_points("xy")]
        return _poly_or_line(pts, e.closed)
    if kind == "POLYLINE" and not e.is_3d_polyline:
        pts = [tuple(v.dxf.location)[:2] for v in e.vertices]
        return _poly_or_line(pts, e.is_closed)
    if kind == "LINE":
        return "line", LineString([tuple(e.dxf.start)[:2], tuple(e.dxf.end)[:2]])
    if kind == "CIRCLE":
        c, r = e.dxf.center, e.dxf.radius
        if not (math.isfinite(c.x) and math.isfinite(c.y) and math.isfinite(r) and r > 1e-6):
            return "other", None  # a point-sized or broken circle: counted, not used
        return "circle", Point(c.x, c.y).buffer(r, quad_segs=8)
    if kind == "HATCH":
        return _hatch(e)
    if kind in ("TEXT", "MTEXT"):
        text = e.plain_text() if kind == "MTEXT" else e.dxf.text
        return "text", Point(e.dxf.insert.x, e.dxf.insert.y) if text else None
    if kind in _CURVES:
        return _curve(e, closed=kind in ("SOLID", "TRACE", "3DFACE"))
    return "other", None


_CURVES = ("POLYLINE", "SPLINE", "ELLIPSE", "ARC", "SOLID", "TRACE", "3DFACE")
"""Entities flattened into the plane (3D polylines, curves, filled shapes)."""
_MAX_CURVE_POINTS = 10_000


def _tolerance(path: Any) -> float:
    """How closely to flatten a curve: 1 drawing unit, or 1/10,000 of the curve's extent for
    a huge one (ezdxf computes each Bezier segment's points at once, so a curve scaled a
    billion times would take minutes before any bound on the count could stop it)."""
    pts = list(itertools.islice(path.control_vertices(), _MAX_CURVE_POINTS))
    if not pts:
        return 1.0
    xs, ys = [p.x for p in pts], [p.y for p in pts]
    extent = max(max(xs) - min(xs), max(ys) - min(ys))
    return max(1.0, extent / 10_000) if math.isfinite(extent) else math.inf


def _flat(path: Any, limit: int) -> list[tuple[float, float]]:
    """At most ``limit + 1`` points of the flattened path."""
    tol = _tolerance(path)
    if not math.isfinite(tol):
        return [(0.0, 0.0)] * (limit + 1)  # beyond any drawing: over the bound
    return [(v.x, v.y) for v in itertools.islice(path.flattening(distance=tol), limit + 1)]


def _curve(e: Any, *, closed: bool) -> tuple[str, BaseGeometry | None]:
    """A curve or 3D entity as points in the plane, at most ``_MAX_CURVE_POINTS`` (flattened
    to within 1 drawing unit, see :func:`_tolerance`); a longer one is left out (counted by
    the caller)."""
    path = ezdxf.path.make_path(e)
    pts = _flat(path, _MAX_CURVE_POINTS)
    if len(pts) > _MAX_CURVE_POINTS:
        return "other", None
    while len(pts) > 1 and pts[-1] == pts[-2]:
        pts.pop()
    return _poly_or_line(pts, closed or path.is_closed)


def _hatch_size(e: Any) -> int:
    """Vertices, edges and spline points of a HATCH's boundary, counted without computing
    any of its geometry."""
    size = 0
    for path in e.paths:
        size += len(getattr(path, "vertices", ()))
        for edge in getattr(path, "edges", ()):
            size += (
                1 + len(getattr(edge, "control_points", ())) + len(getattr(edge, "fit_points", ()))
            )
    return size


def _hatch(e: Any) -> tuple[str, BaseGeometry | None]:
    """A HATCH's boundary as an area: sized before anything is computed, then flattened to
    at most ``_MAX_CURVE_POINTS`` in all (a larger one is left out and counted)."""
    if _hatch_size(e) > _MAX_CURVE_POINTS:
        return "other", None
    left = _MAX_CURVE_POINTS
    polys = []
    for path in ezdxf.path.from_hatch(e):
        pts = _flat(path, left)
        left -= len(pts)
        if left < 0:
            return "other", None
        if len(pts) >= 3:
            polys.append(Polygon(pts).buffer(0))
    merged = shapely.union_all(polys) if polys else None
    return ("area", merged) if merged is not None and not merged.is_empty else ("other", None)


def _poly_or_line(pts: list[tuple[float, float]], closed: bool) -> tuple[str, BaseGeometry | None]:
    if len(pts) >= 3 and (closed or pts[0] == pts[-1]):
        poly: BaseGeometry = Polygon(pts)
        if not poly.is_valid:
            poly = shapely.make_valid(poly)
            poly = largest(poly) or poly
        return ("area", poly) if poly.area > 0 else ("line", LineString(pts))
    if len(pts) >= 2:
        return "line", LineString(pts)
    return "other", None


def read_document(source: str | Path | bytes) -> Any:
    """An ezdxf document from a path or bytes, legacy code pages included."""
    try:
        if isinstance(source, bytes):
            doc, _ = recover.read(io.BytesIO(source))
        else:
            doc, _ = recover.readfile(str(source))
    except _EZDXF_FAILURES as exc:
        raise PlannerError(
            f"the file is not a DXF drawing ezdxf can read ({exc}). Fix: save "
            "it from CAD as DXF (R2000 or newer)."
        ) from None
    return doc


def convert_dxf(
    source: str | Path | bytes,
    *,
    layers: LayerMap | None = None,
    units: str | None = None,
    level: str | None = None,
    name: str = "drawing",
    limits: Limits | None = None,
) -> Conversion:
    """Convert a DXF drawing into a site (see the module's docstring)."""
    with running(limits) as run:
        return _convert(source, layers or LayerMap(), units, level, name, limits or run.limits)


def _convert(  # noqa: PLR0917 - the private body of convert_dxf
    source: str | Path | bytes,
    layer_map: LayerMap,
    units: str | None,
    level: str | None,
    name: str,
    lim: Limits,
) -> Conversion:
    doc = read_document(source)
    out = Conversion(source=name)
    code = doc.header.get("$INSUNITS", 0)
    unit = units or INSUNITS.get(int(code))
    if unit is None:
        unit = "mm"
        out.to_complete.append(
            f"drawing units ($INSUNITS = {code} is not mm, cm or m): "
            "millimetres assumed; give --units if wrong"
        )
    scale = {"mm": 1000.0, "cm": 100.0, "m": 1.0}[unit]
    sorting = _Sorting(layer_map, _level_table(doc), level or "B1")
    for e in _entities(doc.modelspace(), out, lim.max_dxf_entities, lim.max_block_depth):
        sorting.add(e, out)
    sorting.report(out)
    if not sorting.buckets:
        raise PlannerError(
            "no entity of the drawing maps to a site kind. Fix: give a layer map "
            "(--layers MAP.toml) naming the layers of stalls, columns, "
            "compartments and outline."
        )
    out.features.append(
        {
            "type": "Feature",
            "geometry": None,
            "properties": {"kind": "site", "name": name, "units": unit, "community": None},
        }
    )
    comp_missing = False
    for level_id, kinds in sorting.buckets.items():
        check_time()
        comp_missing |= _level(out, level_id, kinds, scale)
    complete_list(out, list(sorting.buckets), compartments_missing=comp_missing, floor_missing=True)
    return out


class _Sorting:
    """The drawing's entities sorted by level and kind through the layer map (their
    layer names and texts masked), and what could not be used, counted."""

    def __init__(self, layer_map: LayerMap, levels: dict[str, str], default_level: str) -> None:
        self.layer_map, self.levels, self.default_level = layer_map, levels, default_level
        self.buckets: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        self.unreadable: Counter[str] = Counter()
        self.unusable: Counter[str] = Counter()
        self.masked = 0
        self.tick = Ticker()

    def add(self, e: Any, out: Conversion) -> None:
        try:
            raw_layer = str(e.dxf.get("layer", "0"))
        except _EZDXF_FAILURES:  # an entity of a kind that has no layer (a damaged file)
            self.unreadable[f"{e.dxftype()} without a layer"] += 1
            return
        kind = self.layer_map.kind_of(raw_layer)
        layer, hit = mask_text(raw_layer)  # no personal number leaves the reader
        layer = printable(layer)
        self.masked += hit
        self.tick()
        if kind is None:
            out.unmapped[layer] += 1
            return
        if kind == "ignore":
            out.ignored[f"layer {layer}"] += 1
            return
        try:  # only entities of mapped layers are computed
            with np.errstate(all="ignore"):  # absurd coordinates are judged just below
                shape_kind, geom = _shape(e)
        except (*_EZDXF_FAILURES, shapely.errors.ShapelyError) as exc:
            self.unreadable[f"{e.dxftype()} on {layer} ({type(exc).__name__})"] += 1
            return
        if geom is not None and not _sane(geom):
            geom, shape_kind = None, "other"  # beyond any drawing: counted, not used
        if geom is None:
            if shape_kind == "other" and e.dxftype() not in ("POINT", "DIMENSION"):
                self.unusable[f"{e.dxftype()} on {layer}"] += 1
            return
        lvl = _level_of(raw_layer, self.levels) or self.default_level
        text = None
        if shape_kind == "text":
            text, hit = mask_text(e.plain_text() if e.dxftype() == "MTEXT" else e.dxf.text)
            self.masked += hit
        self.buckets[lvl][kind].append((shape_kind, geom, text, layer))

    def report(self, out: Conversion) -> None:
        """What was left out and why, in the conversion's notes."""
        for what, n in self.unreadable.items():
            out.notes.append(f"{n} malformed entit{'y' if n == 1 else 'ies'} left out: {what}")
        for what, n in self.unusable.items():
            out.notes.append(
                f"{n} entit{'y' if n == 1 else 'ies'} of a mapped layer could not be used: {what}"
            )
        if self.masked:
            out.notes.append(
                f"{self.masked} layer name(s) or text(s) held what looks like an ID or phone "
                "number; it was masked and appears in no output"
            )


def _level_table(doc: Any) -> dict[str, str]:
    """The planner's own table of levels (custom properties ``PLANNER_LEVEL_<key>``), keys
    in upper case; empty for any other drawing."""
    table = {}
    try:
        props = list(doc.header.custom_vars)
    except _EZDXF_FAILURES:
        return {}
    for raw, value in props:
        tag = str(raw)
        if tag.startswith(LEVEL_PROPERTY) and value:
            masked, _ = mask_text(printable(str(value))[:200])
            table[tag.removeprefix(LEVEL_PROPERTY).upper()] = masked
    return table


def _level_of(layer: str, table: dict[str, str]) -> str | None:
    """The level of one of the planner's layers: ``EV-<key>-<kind>`` through the drawing's
    table, or the earlier ``<level>|<kind>``; ``None`` for another drawing's layer."""
    parts = layer.split("-", 2)
    if len(parts) == 3 and parts[0].upper() == "EV" and parts[1].upper() in table:
        return table[parts[1].upper()]
    if "|" in layer:
        level, _ = mask_text(printable(layer.split("|", 1)[0]))
        return level
    return None


def _areas(items: list[Any]) -> list[BaseGeometry]:
    return [g for sk, g, _, _ in items if sk in ("area", "circle")]


def _lines(items: list[Any]) -> list[BaseGeometry]:
    return [g for sk, g, _, _ in items if sk == "line"]


def _level(out: Conversion, level_id: str, kinds: dict[str, list[Any]], scale: float) -> bool:
    """Add one level's features; True when it had no compartments."""
    outline = _outline(out, level_id, kinds, scale)
    out.add("level", outline, **level_props(level_id, floor=None))
    missing = _compartments(out, level_id, kinds, outline, scale)
    _spaces(out, level_id, kinds, scale)
    for kind, items in kinds.items():
        if not kind.startswith("obstacle:"):
            continue
        otype = kind.split(":", 1)[1]
        for sk, g, _, _ in items:
            if sk in ("area", "circle", "line"):
                geom = box(*g.bounds) if sk == "circle" else g  # round columns as squares
                out.add("obstacle", geom, level=level_id, type=otype)
    for g in _lines(kinds.get("tray", [])):
        out.add("tray", g, level=level_id)
    return missing


def _outline(out: Conversion, level_id: str, kinds: dict[str, list[Any]], scale: float) -> Polygon:
    """The level's outline: its outline layer's largest piece, else the drawing's extent
    (said in what to complete)."""
    outlines = _areas(kinds.get("level", []))
    outline = None
    if outlines:
        merged = shapely.union_all(outlines)
        outline = largest(merged)
        if outline is not None and len(list(shapely.get_parts(merged))) > 1:
            out.notes.append(f"level {level_id}: outline pieces merged; the largest is used")
    if outline is None:
        every = [g for items in kinds.values() for _, g, _, _ in items]
        outline = shapely.union_all(every).envelope.buffer(1.0 * scale, join_style="mitre")
        out.to_complete.append(
            f"level {level_id}: no outline layer; the drawing's extent is "
            "used as the garage outline"
        )
    return outline


def _compartments(
    out: Conversion,
    level_id: str,
    kinds: dict[str, list[Any]],
    outline: Polygon,
    scale: float,
) -> bool:
    """The fire compartments: closed areas, else open boundary lines polygonized with the
    walls and the outline; the whole level when there are none (True then)."""
    cut = [c.intersection(outline) for c in _areas(kinds.get("compartment", []))]
    found = [largest(c) for c in cut if not c.is_empty]
    comp_lines = _lines(kinds.get("compartment", []))
    if comp_lines:
        walls = _lines(kinds.get("obstacle:wall", []))
        noded = shapely.union_all([*comp_lines, *walls, outline.exterior])  # split at crossings
        faces = shapely.get_parts(shapely.polygonize(list(shapely.get_parts(noded))))
        edges = shapely.union_all(comp_lines)
        for f in faces:
            inside = f.intersection(outline)
            if (
                inside.area > 1.0 * scale * scale
                and f.boundary.intersection(edges.buffer(0.001 * scale)).length > 0
            ):
                found.append(largest(inside))
    comps: list[BaseGeometry] = [c for c in found if c is not None]
    missing = not comps
    if missing:
        comps = [outline]
        out.notes.append(
            f"level {level_id}: no fire compartment in the drawing; the whole "
            "level is one compartment"
        )
    for n, c in enumerate(comps, start=1):
        out.add(
            "compartment", c, id=f"{level_id}-FQ{n}", level=level_id, name=None, capacity_kw=None
        )
    _compartment_ids(out, level_id, kinds.get("compartment", []), comps)
    return missing


def _spaces(out: Conversion, level_id: str, kinds: dict[str, list[Any]], scale: float) -> None:
    """The stalls with their numbers (the first text inside each, unless the same text
    stands in several) and their charger symbols (within 1 m)."""
    texts = [
        (g, t)
        for items in kinds.values()
        for sk, g, t, _ in items
        if sk == "text" and t and _DIGIT.search(t)
    ]
    stalls = _areas(kinds.get("space", []))
    chargers = [g.centroid for g in _areas(kinds.get("charger", []))]
    tree = shapely.STRtree(stalls) if stalls else None
    seen: Counter[str] = Counter()
    charger_of: dict[int, Point] = {}
    for p in chargers:
        if tree is None:
            break
        i = int(tree.nearest(p))
        if stalls[i].distance(p) <= 1.0 * scale and i not in charger_of:
            charger_of[i] = p
    labels: list[str | None] = [None] * len(stalls)
    if texts and tree is not None:  # each stall's first text inside it, by one tree query
        inside, holder = tree.query([g for g, _ in texts], predicate="within")
        for k in np.lexsort((inside, holder)):
            if labels[holder[k]] is None:
                labels[holder[k]] = texts[inside[k]][1].strip()
    repeated = {k for k, c in Counter(labels).items() if k is not None and c > 1}
    if repeated:  # the same text in several stalls is a type or camera label, not a number
        out.notes.append(
            f"level {level_id}: texts repeated in several stalls are not stall "
            f"numbers ({', '.join(sorted(repeated)[:5])}...); ids were generated"
        )
    for n, stall in enumerate(stalls, start=1):
        label = labels[n - 1] if labels[n - 1] not in repeated else None
        sid = label or f"{level_id}-{n:03d}"
        seen[sid] += 1
        if seen[sid] > 1:
            sid = f"{sid}-{seen[sid]}"
        extra = {}
        if n - 1 in charger_of:
            c = charger_of[n - 1]
            extra["charger"] = [c.x, c.y]
        out.add("space", stall, id=sid, level=level_id, **extra)
    if len(chargers) > len(charger_of):
        out.notes.append(
            f"level {level_id}: {len(chargers) - len(charger_of)} charger "
            "symbol(s) not within 1 m of a stall were left out"
        )


def _compartment_ids(
    out: Conversion, level_id: str, items: list[Any], comps: list[BaseGeometry]
) -> None:
    """Texts on compartment layers name the compartment they stand in."""
    texts = [(g, t.strip()) for sk, g, t, _ in items if sk == "text" and t and t.strip()]
    if not texts:
        return
    feats = [
        f
        for f in out.features
        if f["properties"]["kind"] == "compartment" and f["properties"]["level"] == level_id
    ]
    for f, poly in zip(feats, comps, strict=False):
        for g, t in texts:
            if poly.contains(g):
                f["properties"]["id"] = t
                break
