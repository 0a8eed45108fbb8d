"""Read and validate a site GeoJSON file (contract section 1) into a :class:`~planner.site.Site`.

Reading never stops at the first problem: it collects every problem in the file (and in the
requests CSV, if one is given) and raises one :class:`~planner.errors.SiteError` listing them
all, each naming the feature by kind, id and position. Warnings (ignored kinds, masked
personal numbers, assumed garage types) travel with the site in ``Site.warnings``.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from planner.errors import PlannerError
from planner.limits import Limits, Ticker, check_time, over, running
from planner.privacy import mask_properties
from planner.projection import METRES_PER_UNIT, Frame, parse_crs, transform_xy
from planner.readers.base import (
    DEFAULT_MAX_BYTES,
    Collector,
    Source,
    build_model,
    parse_registered,
    read_bytes,
    short_repr,
)
from planner.readers.geometry import GeometryError, built_in_bulk, parse_geometry
from planner.readers.requests_csv import RawRequest, parse_requests_csv
from planner.site import (
    Axis,
    Compartment,
    Level,
    Obstacle,
    Request,
    Site,
    SiteInfo,
    Space,
    Tray,
)

PLAN_KINDS = frozenset({"meter_box", "cable", "tray_run", "finding"})
"""Kinds only a plan file has."""

GEOMETRY_RULES: dict[str, tuple[tuple[str, ...], bool]] = {
    "site": (("Polygon",), True),
    "level": (("Polygon",), False),
    "compartment": (("Polygon",), False),
    "space": (("Polygon",), False),
    "obstacle": (("Polygon", "LineString"), False),
    "tray": (("LineString",), False),
    "axis": (("LineString",), False),
    "request": (("Point",), True),
}
KINDS = tuple(GEOMETRY_RULES)


MAX_LEVEL_SPAN_M = 5000.0
"""A garage level wider than 5 km is a units mistake, not a garage."""

MAX_OVERLAP_M2 = 0.01
"""Compartments of one level may share at most this much area (drawing tolerance)."""


@dataclass
class _Raw:
    kind: str
    index: int
    props: dict[str, Any]
    geometry: BaseGeometry | None
    source: str = "site file"
    placeholder: bool = False
    """True when the real geometry was refused: properties are still checked."""

    @property
    def fid(self) -> str | None:
        value = self.props.get("id")
        return None if value is None else str(value)


@dataclass
class _Reading:
    out: Collector
    limits: Limits = field(default_factory=Limits)
    features: dict[str, list[_Raw]] = field(default_factory=lambda: defaultdict(list))
    sources: dict[str, Any] = field(default_factory=dict)
    """Geometries as drawn, by feature index (see :attr:`planner.site.Site.sources`)."""


def read_site(
    source: Source,
    *,
    requests: Source | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    limits: Limits | None = None,
) -> Site:
    """Read a site GeoJSON file and, optionally, a requests CSV, into a validated site.

    Parameters
    ----------
    source
        Path of the site file, or its bytes.
    requests
        Path or bytes of a requests CSV; its requests join those of the site file by space id.
    max_bytes
        Largest file read (default 50 MB).
    limits
        Every other limit on the input (features, vertices, nesting ...).

    Raises
    ------
    planner.errors.SiteError
        Listing every problem of the input, each with the feature and the fix.

    Examples
    --------
    >>> from planner.samples import sample_path
    >>> site = read_site(sample_path("a"))
    >>> [lv.id for lv in site.levels]
    ['B1']
    """
    data = read_bytes(source, what="site file", max_bytes=max_bytes)
    csv_data = None
    if requests is not None:
        csv_data = read_bytes(requests, what="requests CSV", max_bytes=max_bytes)
    return parse_site(data, requests_csv=csv_data, limits=limits)


def parse_site(
    data: bytes, *, requests_csv: bytes | None = None, limits: Limits | None = None
) -> Site:
    """Validate the bytes of a site file (and of a requests CSV) into a :class:`Site`."""
    with running(limits) as run:
        reading = _Reading(out=Collector("site file"), limits=limits or run.limits)
        if not _parse_features(data, reading):
            reading.out.raise_if_errors()
        if requests_csv is not None:
            csv_out = Collector("requests CSV")
            for raw in parse_requests_csv(requests_csv, csv_out, limits=reading.limits):
                reading.features["request"].append(_from_csv(raw))
            reading.out.problems.extend(csv_out.problems)
        check_time()
        return _build_site(reading)


def _depth(doc: Any, limit: int) -> int:
    """Nesting depth of parsed JSON, counted without recursion, one level at a time (a
    level's containers gathered by one comprehension each: twice as fast as a stack of
    (value, depth) pairs over a site's hundred thousand coordinate pairs); stops past
    ``limit``."""
    level = [doc] if isinstance(doc, dict | list) else []
    depth = 0
    while level and depth <= limit:
        depth += 1
        inner: list[Any] = []
        for value in level:
            items = value.values() if isinstance(value, dict) else value
            inner += [v for v in items if isinstance(v, dict | list)]
        level = inner
    return depth


def _from_csv(raw: RawRequest) -> _Raw:
    return _Raw("request", raw.index, raw.props, None, source=raw.source)


_PLACEHOLDERS: dict[str, BaseGeometry] = {
    "Polygon": shapely.box(0, 0, 1, 1),
    "LineString": shapely.LineString([(0, 0), (1, 0)]),
    "Point": shapely.Point(0, 0),
}


def _parse_features(data: bytes, reading: _Reading) -> bool:
    """Parse the collection's features; False when the file is not a collection at all."""
    features = _collection(data, reading)
    if features is None:
        return False
    ignored: dict[str, list[int]] = defaultdict(list)
    tick = Ticker()
    bulk = built_in_bulk(
        [_geometry_of(feature) for feature in features], max_vertices=reading.limits.max_vertices
    )
    for index, feature in enumerate(features):
        tick()
        _feature(index, feature, reading, ignored, bulk[index])
    _ignored_kinds(ignored, reading)
    return True


def _collection(data: bytes, reading: _Reading) -> list[Any] | None:
    """The collection's list of features, or ``None`` after saying why the file is not
    one; a file over the depth or feature limits is refused at once."""
    out = reading.out
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        out.add(
            "error",
            "NOT_UTF8",
            f"the file is not UTF-8 text (byte {exc.start} cannot be decoded)",
            "save the GeoJSON as UTF-8.",
        )
        return None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        out.add(
            "error",
            "NOT_JSON",
            f"the file is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            "export the site as GeoJSON (a FeatureCollection).",
        )
        return None
    except RecursionError:
        doc = None
        over(
            "max_json_depth",
            reading.limits.max_json_depth + 1,
            reading.limits.max_json_depth,
            "JSON nesting depth of the site file",
            "export the site as plain GeoJSON",
        )
    depth = _depth(doc, reading.limits.max_json_depth)
    if depth > reading.limits.max_json_depth:
        over(
            "max_json_depth",
            depth,
            reading.limits.max_json_depth,
            "JSON nesting depth of the site file",
            "export the site as plain GeoJSON",
        )
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        found = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        out.add(
            "error",
            "NOT_FEATURE_COLLECTION",
            f"the file is JSON but not a GeoJSON FeatureCollection (found {found!r})",
            'wrap the features as {"type": "FeatureCollection", "features": [...]}.',
        )
        return None
    features = doc.get("features")
    if not isinstance(features, list):
        out.add(
            "error",
            "NOT_FEATURE_COLLECTION",
            "the FeatureCollection has no 'features' list",
            "put the features in a list under 'features'.",
        )
        return None
    if len(features) > reading.limits.max_features:
        over(
            "max_features",
            len(features),
            reading.limits.max_features,
            "features in the site file",
            "split the site into one file per level",
        )
    return features


def _geometry_of(feature: Any) -> Any:
    """The geometry object of a feature of a known kind (for :func:`built_in_bulk`)."""
    if type(feature) is not dict:
        return None
    props = feature.get("properties")
    if type(props) is not dict:
        return None
    kind = props.get("kind")
    if type(kind) is not str or kind not in GEOMETRY_RULES:
        return None
    return feature.get("geometry")


def _feature(
    index: int,
    feature: Any,
    reading: _Reading,
    ignored: dict[str, list[int]],
    built: BaseGeometry | None = None,
) -> None:
    """Read one feature into ``reading`` (masked, its geometry checked), or say what is
    wrong with it; a kind the contract does not know is noted in ``ignored``. ``built`` is
    its geometry when :func:`built_in_bulk` could build it (checked here for its type)."""
    out = reading.out
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        out.add(
            "error",
            "NOT_A_FEATURE",
            "is not a GeoJSON Feature",
            'write it as {"type": "Feature", "geometry": ..., "properties": {...}}.',
            index=index,
        )
        return
    props = feature.get("properties")
    if props is None:
        props = {}
    if not isinstance(props, dict):
        out.add(
            "error",
            "PROPERTIES_MALFORMED",
            "its properties are not an object",
            'write them as "properties": {"kind": ..., ...}.',
            index=index,
        )
        return
    props, masked = mask_properties(props)
    kind = props.get("kind")
    fid = None if props.get("id") is None else str(props.get("id"))
    if masked:
        out.add(
            "warning",
            "PII_MASKED",
            f"property {', '.join(masked)} held what looks like an ID or phone number; "
            "it was masked and will not appear in any output",
            "keep ID and phone numbers out of the site file; use an alias.",
            kind=kind if isinstance(kind, str) else None,
            feature_id=fid,
            index=index,
        )
    if kind is None or kind == "":
        out.add(
            "error",
            "KIND_MISSING",
            "has no 'kind' property",
            'add "kind": one of ' + ", ".join(KINDS) + ".",
            feature_id=fid,
            index=index,
        )
        return
    if not isinstance(kind, str) or kind not in GEOMETRY_RULES:
        ignored[str(kind)].append(index)
        return
    allowed, nullable = GEOMETRY_RULES[kind]
    if built is not None and built.geom_type in allowed:
        reading.features[kind].append(_Raw(kind, index, props, built))
        return
    try:
        geom = parse_geometry(
            feature.get("geometry"),
            allowed,
            nullable=nullable,
            max_vertices=reading.limits.max_vertices,
        )
    except GeometryError as exc:
        out.add("error", exc.code, str(exc), exc.fix, kind=kind, feature_id=fid, index=index)
        reading.features[kind].append(
            _Raw(kind, index, props, _PLACEHOLDERS[allowed[0]], placeholder=True)
        )
        return
    reading.features[kind].append(_Raw(kind, index, props, geom))


def _ignored_kinds(ignored: dict[str, list[int]], reading: _Reading) -> None:
    """A plan file given as a site is refused; other unknown kinds are warned of."""
    out = reading.out
    plan_kinds = sorted(PLAN_KINDS & set(ignored))
    if plan_kinds:
        raise PlannerError(
            f"this is a plan written by the planner (it holds {', '.join(plan_kinds)} "
            "features: plan.geojson), not a site. Fix: open the site file it was planned "
            "from, or the project.geojson written beside it, which reopens the plan."
        )
    for kind, indexes in ignored.items():
        shown = ", ".join(f"#{i}" for i in indexes[:10]) + (" ..." if len(indexes) > 10 else "")
        out.add(
            "warning",
            "KIND_UNKNOWN",
            f"{len(indexes)} feature(s) of unknown kind '{kind}' were ignored ({shown})",
            "use one of " + ", ".join(KINDS) + " if they were meant to be used.",
        )


def _frame(reading: _Reading) -> tuple[Frame, SiteInfo | None]:
    out = reading.out
    sites = reading.features["site"]
    for extra in sites[1:]:
        out.add(
            "error",
            "DUPLICATE_SITE",
            "is a second site feature",
            "keep one site feature per file.",
            kind="site",
            index=extra.index,
        )
    raw = sites[0] if sites else _Raw("site", -1, {"name": "unnamed site"}, None)
    props = {k: v for k, v in raw.props.items() if k in SiteInfo.model_fields and k != "boundary"}
    info = build_model(
        SiteInfo,
        props,
        out,
        kind="site",
        feature_id=None,
        index=raw.index if raw.index >= 0 else None,
    )
    if info is None:
        return Frame(), None
    if info.crs is None:
        return Frame(units=info.units), info
    try:
        parse_crs(info.crs)
    except ValueError as exc:
        out.add(
            "error",
            "CRS_UNKNOWN",
            str(exc),
            'declare it as an EPSG code, e.g. "crs": "EPSG:4326" for lon/lat.',
            kind="site",
            index=raw.index,
        )
        return Frame(), None
    if info.units != "m":
        out.add(
            "error",
            "UNITS_WITH_CRS",
            f"declares both crs '{info.crs}' and units '{info.units}'",
            "leave units out: the crs defines them.",
            kind="site",
            index=raw.index,
        )
        return Frame(), None
    levels = [r for r in reading.features["level"] if not r.placeholder]
    bounds = _raw_bounds(levels) or _raw_bounds(_all(reading))
    centre = (
        (0.0, 0.0) if bounds is None else ((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2)
    )
    return Frame(crs=info.crs, centre=centre), info


def _all(reading: _Reading) -> list[_Raw]:
    """Every feature whose geometry was read (placeholders left out)."""
    return [r for rows in reading.features.values() for r in rows if not r.placeholder]


def _raw_bounds(raws: list[_Raw]) -> tuple[float, float, float, float] | None:
    geoms = [r.geometry for r in raws if r.geometry is not None]
    if not geoms:
        return None
    b = shapely.total_bounds(np.asarray(geoms, dtype=object))
    return float(b[0]), float(b[1]), float(b[2]), float(b[3])


def _out_of_range(
    bounds: tuple[float, float, float, float], frame: Frame, limits: Limits
) -> str | None:
    """What coordinates are allowed, when ``bounds`` (in the file's coordinates) lie out
    of that range; ``None`` when they are within it."""
    xmin, ymin, xmax, ymax = bounds
    if frame.source_crs is not None and frame.source_crs.is_geographic:
        if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
            return "longitudes within ±180 and latitudes within ±90"
        return None
    limit = limits.max_abs_coord_m
    scale = 1.0 if frame.crs else METRES_PER_UNIT[frame.units]
    if max(abs(xmin), abs(xmax), abs(ymin), abs(ymax)) * scale > limit:
        return f"coordinates within {limit:.0e} m of the origin (limit max_abs_coord_m)"
    return None


def _check_coordinates(reading: _Reading, frame: Frame) -> None:
    """Absurd coordinates, and lon/lat given without a crs."""
    out = reading.out
    raws = [r for r in _all(reading) if r.geometry is not None]
    for r in raws:
        xmin, ymin, xmax, ymax = r.geometry.bounds  # type: ignore[union-attr]
        allowed = _out_of_range(r.geometry.bounds, frame, reading.limits)  # type: ignore[union-attr]
        if allowed:
            out.add(
                "error",
                "COORDINATES_ABSURD",
                f"has coordinates out of range ({xmin:.6g}, {ymin:.6g} .. {xmax:.6g}, "
                f"{ymax:.6g}); allowed are {allowed}",
                "check the site's crs and units and the feature's coordinates.",
                kind=r.kind,
                feature_id=r.fid,
                index=r.index,
            )
    if frame.crs is None and raws:
        bounds = _raw_bounds(raws)
        assert bounds is not None
        xmin, ymin, xmax, ymax = bounds
        levels = [
            r.geometry
            for r in reading.features["level"]
            if r.geometry is not None and not r.placeholder
        ]
        span = max(
            (max(g.bounds[2] - g.bounds[0], g.bounds[3] - g.bounds[1]) for g in levels),
            default=max(xmax - xmin, ymax - ymin),
        )
        if xmin >= -180 and xmax <= 180 and ymin >= -90 and ymax <= 90 and span < 1:
            out.add(
                "error",
                "LONLAT_UNDECLARED",
                f"all coordinates lie within ±180/±90 and the largest level spans only "
                f"{span:.3g} {frame.units}: this looks like lon/lat without a declared crs",
                'add "crs": "EPSG:4326" to the site feature\'s properties (or the EPSG code '
                "of the projection used); a local plan must be drawn in metres or millimetres.",
                kind="site",
            )


def _to_local(reading: _Reading, frame: Frame) -> None:
    """Project every geometry (and every space's charger point) to local metres at once."""
    raws = [r for r in _all(reading) if r.geometry is not None]
    if raws and not (frame.crs is None and frame.units == "m"):
        reading.sources.update({str(r.index): r.geometry for r in raws if not r.placeholder})
        arr = np.asarray([r.geometry for r in raws], dtype=object)
        local = transform_xy(arr, frame.to_local_xy)
        for r, g in zip(raws, local, strict=True):
            r.geometry = g
    out = reading.out
    for r in raws:
        if not np.isfinite(shapely.get_coordinates(r.geometry)).all():
            out.add(
                "error",
                "COORDINATES_ABSURD",
                f"cannot be projected from {frame.crs} to local metres",
                "check the site's crs and the feature's coordinates.",
                kind=r.kind,
                feature_id=r.fid,
                index=r.index,
            )
            r.geometry = None
    for r in reading.features["level"]:
        if r.geometry is None or r.placeholder:
            continue
        xmin, ymin, xmax, ymax = r.geometry.bounds
        span = max(xmax - xmin, ymax - ymin)
        if span > MAX_LEVEL_SPAN_M:
            hint = (
                'if it is drawn in millimetres, add "units": "mm" to the site feature'
                if frame.crs is None and frame.units == "m"
                else "check the site's units or crs"
            )
            out.add(
                "error",
                "COORDINATES_ABSURD",
                f"spans {span / 1000:.1f} km, far more than a garage level",
                hint + ".",
                kind="level",
                feature_id=r.fid,
                index=r.index,
            )


def _finite_number(value: Any) -> bool:
    """A JSON number a coordinate can be: not a boolean, not NaN or infinity, and not an
    integer too large for any float (JSON allows one, ``float()`` overflows on it)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _charger_point(r: _Raw, frame: Frame) -> Point | str | None:
    value = r.props.get("charger")
    if value is None:
        return None
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or not all(_finite_number(v) for v in value)
    ):
        return "error"
    x, y = frame.to_local_xy(np.asarray([value[0]], float), np.asarray([value[1]], float))
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        return "error"
    return Point(float(x[0]), float(y[0]))


def _fields(model: type, r: _Raw, **extra: Any) -> dict[str, Any]:
    names = model.model_fields  # type: ignore[attr-defined]
    data = {k: v for k, v in r.props.items() if k in names and k not in extra}
    data.update(extra)
    return data


def _build_site(reading: _Reading) -> Site:
    """The site model from the features read: each validated, then the site's own checks
    (levels and compartments present, ids unique, levels known, compartments apart)."""
    out = reading.out
    frame, info = _frame(reading)
    _check_coordinates(reading, frame)
    if not out.errors:
        _to_local(reading, frame)
    f = reading.features
    if info is not None and f["site"] and f["site"][0].geometry is not None:
        info = info.model_copy(update={"boundary": f["site"][0].geometry})
    levels = [_build(Level, r, out, outline=r.geometry) for r in f["level"]]
    compartments = [_build(Compartment, r, out, polygon=r.geometry) for r in f["compartment"]]
    spaces = _spaces(reading, frame)
    obstacles = [_build(Obstacle, r, out, geometry=r.geometry) for r in f["obstacle"]]
    trays = [_build(Tray, r, out, line=r.geometry) for r in f["tray"]]
    axes = [_build(Axis, r, out, line=r.geometry) for r in f["axis"]]
    requests = _requests(reading)
    kept = {
        "level": [lv for lv in levels if lv is not None],
        "compartment": [c for c in compartments if c is not None],
        "space": [s for s in spaces if s is not None],
        "obstacle": [o for o in obstacles if o is not None],
        "tray": [t for t in trays if t is not None],
        "axis": [a for a in axes if a is not None],
        "request": [q for q in requests if q is not None],
    }
    _check_site(out, kept)
    out.raise_if_errors()
    assert info is not None
    return Site(
        info=info,
        levels=tuple(kept["level"]),
        compartments=tuple(kept["compartment"]),
        spaces=tuple(kept["space"]),
        obstacles=tuple(kept["obstacle"]),
        trays=tuple(kept["tray"]),
        axes=tuple(kept["axis"]),
        requests=tuple(kept["request"]),
        warnings=tuple(out.warnings),
        frame=frame,
        sources=reading.sources,
    )


def _build(model: type, r: _Raw, out: Collector, **extra: Any) -> Any:
    """One feature as its model, or ``None`` with its problems added to ``out``."""
    return build_model(
        model,
        _fields(model, r, index=r.index, **extra),
        out,
        kind=r.kind,
        feature_id=r.fid,
        index=r.index,
    )


def _spaces(reading: _Reading, frame: Frame) -> list[Space | None]:
    """The spaces, each with its charger position where the file gives one."""
    out = reading.out
    spaces = []
    for r in reading.features["space"]:
        point = _charger_point(r, frame)
        allowed = None
        if isinstance(point, Point):  # as far as no geometry may be: distances overflow
            x, y = r.props["charger"]
            allowed = _out_of_range((x, y, x, y), frame, reading.limits)
        if allowed:
            out.add(
                "error",
                "COORDINATES_ABSURD",
                f"property 'charger' = {short_repr([x, y])} is out of range; allowed are {allowed}",
                "check the site's crs and units and the charger position.",
                kind="space",
                feature_id=r.fid,
                index=r.index,
            )
            point = None
        if isinstance(point, Point) and not (frame.crs is None and frame.units == "m"):
            reading.sources[f"{r.index}:charger"] = list(r.props["charger"])
        if point == "error":
            out.add(
                "error",
                "PROPERTY_INVALID",
                f"property 'charger' = {short_repr(r.props.get('charger'))} is not an [x, y] "
                "position",
                "write the charger position as [x, y] in the file's coordinates, or leave "
                "it out to let the planner place it.",
                kind="space",
                feature_id=r.fid,
                index=r.index,
            )
            point = None
        spaces.append(_build(Space, r, out, polygon=r.geometry, charger=point))
    return spaces


def _requests(reading: _Reading) -> list[Request | None]:
    """The requests of the site file and the CSV; a CSV row's problems name the CSV."""
    out = reading.out
    requests = []
    for r in reading.features["request"]:
        extra: dict[str, Any] = {
            "point": r.geometry,
            "source": "csv" if "CSV" in r.source else "site",
        }
        if r.props.get("registered") not in (None, ""):
            try:
                extra["registered"] = parse_registered(r.props["registered"])
            except ValueError as exc:
                out.add(
                    "error",
                    "PROPERTY_INVALID",
                    f"property 'registered': {exc}",
                    "write an ISO date or date-time, e.g. 2024-03-18 or 2024-03-18T09:30.",
                    kind="request",
                    feature_id=r.fid,
                    index=r.index,
                    source=r.source,
                )
                continue
        else:
            extra["registered"] = None
        before = len(out.problems)
        req = build_model(
            Request,
            _fields(Request, r, index=r.index, **extra),
            out,
            kind="request",
            feature_id=r.fid,
            index=r.index,
        )
        for k in range(before, len(out.problems)):  # problems of CSV rows name the CSV
            out.problems[k] = out.problems[k].model_copy(update={"source": r.source})
        requests.append(req)
    return requests


def _check_site(out: Collector, kept: dict[str, list[Any]]) -> None:
    """The checks of the site as a whole, on the features that validated."""
    if not kept["level"]:
        out.add(
            "error",
            "LEVEL_MISSING",
            "the site has no level feature",
            "draw each floor's garage outline as a level Polygon with an id.",
        )
    if not kept["compartment"]:
        out.add(
            "error",
            "COMPARTMENT_MISSING",
            "the site has no fire compartment",
            "draw each fire compartment (防火分区) as a compartment Polygon with id and level.",
        )
    for kind in ("level", "compartment", "space", "obstacle", "tray", "request"):
        _check_unique(out, kind, [x for x in kept[kind] if x.id is not None])
    level_ids = {lv.id for lv in kept["level"]}
    for kind in ("compartment", "space", "obstacle", "tray", "axis"):
        for item in kept[kind]:
            if level_ids and item.level not in level_ids:
                out.add(
                    "error",
                    "LEVEL_UNKNOWN",
                    f"refers to level '{item.level}', which is not in the file "
                    f"(levels: {', '.join(sorted(level_ids))})",
                    "use the id of one of the file's level features.",
                    kind=kind,
                    feature_id=getattr(item, "id", None),
                    index=item.index,
                )
    if not out.errors:  # overlaps are measured in metres: only once every geometry is there
        _check_overlaps(out, kept["compartment"])
        _check_inside_levels(out, kept["compartment"], kept["level"])
    for lv in kept["level"]:
        if lv.garage_type is None:
            out.add(
                "warning",
                "GARAGE_TYPE_ASSUMED",
                "has no garage_type; it is treated as underground (the strictest case)",
                "add garage_type (underground, semi_underground, high_rise, multi_storey, "
                "single_storey or open).",
                kind="level",
                feature_id=lv.id,
                index=lv.index,
            )


def _check_unique(out: Collector, kind: str, items: list[Any]) -> None:
    seen: dict[str, Any] = {}
    for item in items:
        if item.id in seen:
            first = seen[item.id]
            where = "in the site" if kind == "space" else f"among the {kind}s"
            by = (
                f"row {first.index} of the requests CSV"
                if getattr(first, "source", "site") == "csv"
                else f"feature #{first.index}"
            )
            if getattr(first, "source", "site") != getattr(item, "source", "site"):
                where = "in both the site file and the requests CSV:"
                by = f"feature #{first.index}"
            out.add(
                "error",
                "DUPLICATE_ID",
                f"has id '{item.id}', already used {where} by {by}",
                f"give every {kind} a unique id.",
                kind=kind,
                feature_id=item.id,
                index=item.index,
                source="requests CSV" if getattr(item, "source", "site") == "csv" else None,
            )
        else:
            seen[item.id] = item


def _check_inside_levels(
    out: Collector, compartments: list[Compartment], levels: list[Level]
) -> None:
    """A compartment lies on its level's outline (a little over the line is drawing noise:
    up to 1 m² or 2 % of its area); elsewhere it belongs to another level or is misdrawn,
    and cables from its box would leave the garage."""
    outlines = {lv.id: lv.outline for lv in levels}
    for c in compartments:
        outline = outlines.get(c.level)
        if outline is None:
            continue
        beyond = c.polygon.difference(outline).area
        if beyond > max(1.0, 0.02 * c.polygon.area):
            out.add(
                "error",
                "COMPARTMENT_OUTSIDE_LEVEL",
                f"{beyond:,.1f} m² of it lie outside the outline of level '{c.level}' "
                f"({beyond / c.polygon.area:.0%} of its area)",
                "check that the compartment is on the right level and in the file's "
                "coordinates, or redraw the level outline around it.",
                kind="compartment",
                feature_id=c.id,
                index=c.index,
            )


def _check_overlaps(out: Collector, compartments: list[Compartment]) -> None:
    by_level: dict[str, list[Compartment]] = defaultdict(list)
    for c in compartments:
        by_level[c.level].append(c)
    for comps in by_level.values():
        polys = np.asarray([c.polygon for c in comps], dtype=object)
        tree = shapely.STRtree(polys)
        left, right = tree.query(polys, predicate="intersects")
        for i, j in zip(left, right, strict=True):
            if i >= j:
                continue
            a, b = comps[i], comps[j]
            shared = a.polygon.intersection(b.polygon)
            if shared.area > MAX_OVERLAP_M2:
                p = shared.representative_point()
                out.add(
                    "error",
                    "COMPARTMENTS_OVERLAP",
                    f"overlaps compartment '{b.id}' (feature #{b.index}) by "
                    f"{shared.area:.2f} m² around ({p.x:.2f}, {p.y:.2f}) in local metres",
                    "redraw the two so that they only share their boundary.",
                    kind="compartment",
                    feature_id=a.id,
                    index=a.index,
                )
