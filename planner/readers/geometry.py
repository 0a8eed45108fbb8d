"""GeoJSON geometry objects -> shapely, with a precise word for everything that can be wrong."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

_REASON = re.compile(r"^(?P<what>[^\[]+)\[(?P<x>\S+) (?P<y>\S+)\]")


class GeometryError(ValueError):
    """A geometry that cannot be used; ``fix`` says what to do."""

    def __init__(self, code: str, message: str, fix: str) -> None:
        super().__init__(message)
        self.code = code
        self.fix = fix


def _count_positions(coords: Any, limit: int) -> int:
    """How many positions a coordinates array holds (stops counting past ``limit``)."""
    count = 0
    stack = [coords]
    while stack and count <= limit:
        value = stack.pop()
        if isinstance(value, list) and value and isinstance(value[0], list):
            stack.extend(value)
        elif isinstance(value, list):
            count += 1
    return count


def _positions(coords: Any, what: str) -> np.ndarray:
    try:
        arr = np.asarray(coords, dtype=np.float64)
    except OverflowError:  # an integer past any float: JSON allows it, a plan cannot
        raise GeometryError(
            "COORDINATE_NOT_FINITE",
            f"a position of the {what} holds a number too large for a coordinate",
            "replace it with the real coordinate.",
        ) from None
    except (TypeError, ValueError):
        raise GeometryError(
            "GEOMETRY_MALFORMED",
            f"the coordinates of the {what} are not a list of [x, y] number pairs",
            "write each position as [x, y] with plain numbers.",
        ) from None
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] < 2:
        raise GeometryError(
            "GEOMETRY_MALFORMED",
            f"the coordinates of the {what} are not a list of [x, y] positions",
            "write each position as [x, y] with plain numbers.",
        )
    arr = arr[:, :2]
    bad = ~np.isfinite(arr).all(axis=1)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise GeometryError(
            "COORDINATE_NOT_FINITE",
            f"position #{k} of the {what} is not a finite number (NaN or Infinity)",
            "replace it with the real coordinate.",
        )
    return arr


def _ring(coords: Any, what: str) -> np.ndarray:
    arr = _positions(coords, what)
    if not np.array_equal(arr[0], arr[-1]):
        arr = np.vstack([arr, arr[:1]])
    if len(arr) < 4:
        raise GeometryError(
            "GEOMETRY_MALFORMED",
            f"the {what} has fewer than 3 corners",
            "draw the outline with at least three corners.",
        )
    return arr


def parse_geometry(
    raw: Any, allowed: tuple[str, ...], *, nullable: bool = False, max_vertices: int = 100_000
) -> BaseGeometry | None:
    """Turn a GeoJSON geometry object into shapely, refusing what ``allowed`` does not list.

    Raises :class:`GeometryError` naming what is wrong and how to fix it. Invalid geometry
    (a self-intersecting outline, say) is refused with its location, never repaired.
    """
    expected = " or ".join(allowed)
    if raw is None:
        if nullable:
            return None
        raise GeometryError("GEOMETRY_MISSING", "has no geometry", f"draw it as a {expected}.")
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise GeometryError(
            "GEOMETRY_MALFORMED",
            "geometry is not a GeoJSON geometry object",
            f'write it as {{"type": "{allowed[0]}", "coordinates": [...]}}.',
        )
    gtype = raw["type"]
    if gtype not in allowed:
        fix = f"draw it as a {expected}"
        if gtype.startswith("Multi") and gtype[5:] in allowed:
            fix = "split it into one feature per part"
        raise GeometryError(
            "GEOMETRY_TYPE", f"geometry is a {gtype}, expected a {expected}", fix + "."
        )
    coords = raw.get("coordinates")
    if coords is None:
        raise GeometryError(
            "GEOMETRY_MALFORMED", f"the {gtype} has no coordinates", "add its coordinates."
        )
    count = _count_positions(coords, max_vertices)
    if count > max_vertices:
        raise GeometryError(
            "LIMIT_VERTICES",
            f"the {gtype} has {count:,}+ positions, over the limit max_vertices = {max_vertices:,}",
            f"simplify it, or raise the limit with --limit max_vertices={count * 2}.",
        )
    geom = _built(gtype, coords)
    _check_valid(geom, gtype)
    return geom


def _built(gtype: str, coords: Any) -> BaseGeometry:
    """The shapely geometry of a Point, LineString or Polygon's coordinates."""
    try:
        if gtype == "Point":
            return Point(_positions([coords], "point")[0])
        if gtype == "LineString":
            arr = _positions(coords, "line")
            if len(arr) < 2:
                raise GeometryError(
                    "GEOMETRY_MALFORMED",
                    "the line has fewer than 2 positions",
                    "draw the line with at least two positions.",
                )
            return LineString(arr)
        if not isinstance(coords, list) or not coords:  # Polygon
            raise GeometryError(
                "GEOMETRY_MALFORMED",
                "the polygon has no rings",
                "write its outline as [[[x, y], ...]].",
            )
        shell = _ring(coords[0], "outer ring")
        holes = [_ring(c, f"hole #{i + 1}") for i, c in enumerate(coords[1:])]
        return Polygon(shell, holes)
    except GeometryError:
        raise
    except (TypeError, ValueError, shapely.errors.ShapelyError) as exc:
        raise GeometryError(
            "GEOMETRY_MALFORMED", f"the {gtype} cannot be built ({exc})", "redraw it."
        ) from None


def _check_valid(geom: BaseGeometry, gtype: str) -> None:
    """Refuse an invalid geometry with where GEOS finds it invalid (never repaired)."""
    reason = shapely.is_valid_reason(geom)
    if reason != "Valid Geometry":
        match = _REASON.match(reason or "")
        where = ""
        what = reason
        if match:
            what = match["what"].strip()
            where = f" at ({float(match['x']):.3f}, {float(match['y']):.3f})"
        raise GeometryError(
            "GEOMETRY_INVALID",
            f"the {gtype} is invalid: {what.lower()}{where}",
            "redraw it so that its outline does not cross or touch itself; "
            "the planner never repairs geometry silently.",
        )
    if gtype == "Polygon" and geom.area <= 0:
        raise GeometryError(
            "GEOMETRY_INVALID", "the polygon has no area", "redraw it with a real area."
        )


def built_in_bulk(raws: list[Any], *, max_vertices: int = 100_000) -> list[BaseGeometry | None]:
    """The geometries of plain well-formed GeoJSON Points, LineStrings and one-ring Polygons
    built by a few array calls; ``None`` for every other one (absent, of another type,
    holed, malformed, unclosed, non-finite, invalid, over ``max_vertices``): those go
    through :func:`parse_geometry` one by one, which builds them or says what is wrong.
    What is built here is exactly what :func:`parse_geometry` builds (same coordinates,
    same checks passed); whether a type is allowed is the caller's to check.

    Speed shaped this: a site's stall outlines and obstacles cost about 10 µs each one by
    one (an array, a shapely object and a validity check each), 2 µs in bulk (7,472 at
    5,000 stalls: 0.13 -> 0.03 s; issue 15)."""
    out: list[BaseGeometry | None] = [None] * len(raws)
    by_type: dict[str, list[tuple[int, Any]]] = {"Point": [], "LineString": [], "Polygon": []}
    for i, raw in enumerate(raws):
        if type(raw) is dict and (group := by_type.get(raw.get("type", ""))) is not None:
            coords = raw.get("coordinates")
            if type(coords) is list and coords:
                group.append((i, coords))
    points = by_type["Point"]
    built = _bulk_points([c for _, c in points])
    for (i, _), geom in zip(points, built, strict=True):
        out[i] = geom
    lines = by_type["LineString"]
    built = _bulk_chains([c for _, c in lines], closed=False, max_vertices=max_vertices)
    for (i, _), geom in zip(lines, built, strict=True):
        out[i] = geom
    polygons = [(i, c[0]) for i, c in by_type["Polygon"] if len(c) == 1 and type(c[0]) is list]
    built = _bulk_chains([c for _, c in polygons], closed=True, max_vertices=max_vertices)
    for (i, _), geom in zip(polygons, built, strict=True):
        out[i] = geom
    return out


def _flat_positions(chains: list[list[Any]]) -> np.ndarray | None:
    """All positions of ``chains`` as one (n, 2) float array; ``None`` when they are not
    all lists of at least two numbers, of one dimension throughout."""
    flat = [p for chain in chains for p in chain]
    try:
        arr = np.asarray(flat, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return None
    if arr.ndim != 2 or arr.shape[1] < 2:
        return None
    return arr[:, :2]


def _bulk_points(coords: list[Any]) -> list[BaseGeometry | None]:
    arr = _flat_positions([coords])
    if arr is None or len(arr) != len(coords):
        return [None] * len(coords)
    geoms = np.asarray(shapely.points(arr), dtype=object)
    fine = np.isfinite(arr).all(axis=1)
    return [g if ok else None for g, ok in zip(geoms.tolist(), fine.tolist(), strict=True)]


def _bulk_chains(
    chains: list[list[Any]], *, closed: bool, max_vertices: int
) -> list[BaseGeometry | None]:
    """Lines (or, ``closed``, the outer rings of one-ring polygons) built in bulk; ``None``
    for a chain :func:`parse_geometry` would refuse or treat specially."""
    if not chains:
        return []
    arr = _flat_positions(chains)
    if arr is None:
        return [None] * len(chains)
    sizes = np.fromiter(map(len, chains), dtype=np.intp, count=len(chains))
    ends = np.cumsum(sizes)
    starts = ends - sizes
    # non-finite positions counted before each chain's start and end: an empty chain (a
    # ring written []) has nothing to count, where reduceat would read past the array
    bad = np.concatenate([[0], np.cumsum(~np.isfinite(arr).all(axis=1))])
    fine = (bad[ends] == bad[starts]) & (sizes >= (4 if closed else 2)) & (sizes <= max_vertices)
    if closed:  # an unclosed ring is closed by parse_geometry: left to it
        some = np.flatnonzero(fine)
        fine[some] = (arr[starts[some]] == arr[ends[some] - 1]).all(axis=1)
    keep = np.flatnonzero(fine)
    out: list[BaseGeometry | None] = [None] * len(chains)
    if not len(keep):
        return out
    rows = np.concatenate([np.arange(starts[k], ends[k]) for k in keep.tolist()])
    which = np.repeat(np.arange(len(keep)), sizes[keep])
    if closed:
        geoms = shapely.polygons(shapely.linearrings(arr[rows], indices=which))
    else:
        geoms = shapely.linestrings(arr[rows], indices=which)
    valid = shapely.is_valid(geoms)
    if closed:
        valid &= shapely.area(geoms) > 0
    for k, geom, ok in zip(keep.tolist(), geoms.tolist(), valid.tolist(), strict=True):
        if ok:
            out[k] = geom
    return out
