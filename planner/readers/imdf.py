"""Indoor maps in Apple's IMDF (OGC community standard 20-094) -> site files.

A folder or a .zip holding files whose names end in ``level.geojson``, ``unit.geojson``,
``fixture.geojson`` and ``opening.geojson`` (any prefix; ``manifest.json`` optional; other
files are listed as ignored). Categories map to kinds: ``parking`` -> space; ``column`` ->
column; ``wall`` and ``*-walls`` -> wall (except ``parking way-walls``, the painted outlines
of parking blocks); ``elevator``, ``stairs``, ``escalator``, ``opentobelow`` -> shaft;
``non-public`` -> room; ``ramp`` -> ramp. A level's ``ordinal`` o gives the floor
(o < 0 ? o : o + 1). Parking blocks holding several stalls (fixture ``parking way``) are cut
into stalls of about 2.5 m along their long side (two rows back to back where the block is
two stalls deep); a parking unit of over 1,000 m² is a car park, not a stall, and becomes
the level's compartment. IMDF has no fire compartments: without such an area the whole
level is one compartment, with a warning. Coordinates stay WGS84 lon/lat and the site says
so (``crs: EPSG:4326``); cutting happens in the site-centred metric projection.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from collections import Counter
from pathlib import Path
from typing import Any, cast

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import Polygon, box, shape
from shapely.geometry.base import BaseGeometry

from planner.errors import PlannerError
from planner.limits import Limits, Ticker, check_time, current_limits, over, running
from planner.projection import Frame
from planner.readers.base import read_bytes
from planner.readers.conversion import Conversion, complete_list, largest, level_props

ROLES = ("level", "unit", "fixture", "opening")
SHAFTS = {"elevator", "stairs", "escalator", "opentobelow"}
_ZIP_FAILURES = (
    zipfile.BadZipFile,
    zlib.error,
    UnicodeDecodeError,
    ValueError,
    EOFError,
    OSError,
    NotImplementedError,
    OverflowError,
    struct.error,
    RuntimeError,  # an encrypted member without its password
    IndexError,
)
"""What the zip module raises on damaged archives (found by fuzzing): one PlannerError."""
STALL_M = 2.5
STALL_DEPTH_M = 5.1
CAR_PARK_M2 = 1000.0


def _files(source: str | Path | bytes, limits: Limits) -> dict[str, bytes]:
    """IMDF files by name, from a folder, a zip path or zip bytes (members within limits,
    no path that climbs out)."""
    if isinstance(source, bytes | bytearray):
        return _zip(io.BytesIO(source), limits)
    path = Path(source)
    if path.is_dir():  # a folder obeys the limits a zip does
        files = [p for p in sorted(path.iterdir()) if p.is_file()]
        if len(files) > limits.max_zip_entries:
            over(
                "max_zip_entries",
                len(files),
                limits.max_zip_entries,
                "files in the IMDF folder",
                "keep only the IMDF files in it",
            )
        out: dict[str, bytes] = {}
        left = limits.max_zip_bytes
        for p in files:
            data = read_bytes(p, what=f"IMDF file '{p.name}'", max_bytes=max(left, 0))
            left -= len(data)
            out[p.name] = data
        return out
    if zipfile.is_zipfile(path):
        with path.open("rb") as f:
            return _zip(f, limits)
    raise PlannerError(
        f"'{path}' is neither an IMDF folder nor a .zip. Fix: give the folder "
        "holding level.geojson, unit.geojson ... or a zip of it."
    )


def _zip(stream: Any, limits: Limits) -> dict[str, bytes]:
    """The members of an IMDF zip, checked against the limits from its directory before a
    byte is unpacked (a zip bomb is refused at once), then read within them."""
    try:
        z = zipfile.ZipFile(stream)
    except _ZIP_FAILURES as exc:
        raise PlannerError(
            f"the IMDF archive is not a valid zip ({exc}). Fix: zip the IMDF folder again."
        ) from None
    infos = z.infolist()
    if len(infos) > limits.max_zip_entries:
        over(
            "max_zip_entries",
            len(infos),
            limits.max_zip_entries,
            "entries in the IMDF zip",
            "zip only the IMDF files",
        )
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_zip_bytes:
        over(
            "max_zip_bytes",
            declared,
            limits.max_zip_bytes,
            "bytes the IMDF zip unpacks to",
            "zip only the levels you need",
        )
    out = {}
    for info in infos:
        name = info.filename
        if not name.strip("/\\"):
            continue  # a member without a name holds nothing we could use
        if name.startswith(("/", "\\")) or ".." in Path(name).parts or ":" in name:
            raise PlannerError(
                f"the IMDF zip member '{name}' points outside the archive. "
                "Fix: zip the IMDF files with plain relative names."
            )
        if not info.is_dir():
            if info.flag_bits & 0x1:
                raise PlannerError(
                    f"the IMDF zip member '{name}' is encrypted. Fix: zip the IMDF files "
                    "again without a password."
                )
            if Path(name).name in out:
                raise PlannerError(
                    f"the IMDF zip holds '{Path(name).name}' twice ('{name}' and another "
                    "member): which one is meant cannot be told. Fix: zip one IMDF folder."
                )
            try:
                with z.open(info) as member:  # read no more than the directory declared
                    data = member.read(info.file_size + 1)
            except _ZIP_FAILURES as exc:
                raise PlannerError(
                    f"the IMDF zip member '{name}' cannot be unpacked ({exc})."
                    " Fix: zip the IMDF files again."
                ) from None
            if len(data) > info.file_size:
                raise PlannerError(
                    f"the IMDF zip member '{name}' is larger than its zip "
                    "entry says. Fix: zip the IMDF files again."
                )
            out[Path(name).name] = data
    return out


def _load(files: dict[str, bytes], out: Conversion) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {r: [] for r in ROLES}
    for name, data in files.items():
        role = next((r for r in ROLES if name.lower().endswith(f"{r}.geojson")), None)
        if role is None:
            if name != "manifest.json":
                out.ignored[f"file {name}"] += 1
            continue
        try:
            doc = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PlannerError(
                f"IMDF file {name} is not UTF-8 GeoJSON ({exc}). Fix: export the IMDF again."
            ) from None
        feats = doc.get("features") if isinstance(doc, dict) else None
        if not isinstance(feats, list):
            raise PlannerError(
                f"IMDF file {name} is not a FeatureCollection. Fix: export the IMDF again."
            )
        found[role] += [f for f in feats if isinstance(f, dict)]
    if not found["level"]:
        raise PlannerError(
            "no level.geojson in the IMDF archive. Fix: include the level file "
            "(its name must end in level.geojson)."
        )
    return found


def _props(f: dict[str, Any]) -> dict[str, Any]:
    """A feature's properties, or none when they are not an object."""
    p = f.get("properties")
    return p if isinstance(p, dict) else {}


def _geom(f: dict[str, Any]) -> BaseGeometry | None:
    """A feature's geometry, or None when it is missing or malformed (never an exception:
    IMDF files come from strangers)."""
    raw = f.get("geometry")
    if not isinstance(raw, dict):
        return None
    try:
        geom = shape(raw)
        if geom.is_empty or not np.isfinite(shapely.get_coordinates(geom)).all():
            return None
        return geom
    except (
        TypeError,
        ValueError,
        OverflowError,  # an integer past any float (JSON allows one)
        KeyError,
        IndexError,
        AttributeError,
        shapely.errors.ShapelyError,
    ):
        return None


def _text(value: Any) -> str | None:
    if isinstance(value, dict):
        return next((str(v) for v in value.values() if v), None)
    return None if value in (None, "") else str(value)


def _polygons(geom: BaseGeometry, out: Conversion | None = None) -> list[Polygon]:
    """The polygons of an IMDF geometry; invalid ones (rings touching themselves, common in
    exported wall outlines) are repaired and the repair is noted."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
        if out is not None:
            out.repaired += 1
    return [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and g.area > 0]


def _grid(depth: float, width: float) -> tuple[int, int, float]:
    """(rows, stalls per row, misfit) if stalls stand with their depth along ``depth``."""
    rows = max(1, round(depth / STALL_DEPTH_M))
    cols = max(1, int(width / STALL_M + 0.2))
    return rows, cols, abs(depth - rows * STALL_DEPTH_M)


def _cut(block: Polygon) -> list[Polygon]:
    """A parking block cut into stalls: rows of about 2.5 m stalls along one side, one row
    or two back to back along the other, whichever the block's depth fits better."""
    rect = cast(Polygon, block.minimum_rotated_rectangle)  # a block has an area
    c = np.asarray(rect.exterior.coords)
    e1, e2 = c[1] - c[0], c[2] - c[1]
    long_v = e1 if np.hypot(*e1) >= np.hypot(*e2) else e2
    angle = float(np.degrees(np.arctan2(long_v[1], long_v[0])))
    origin = block.centroid
    flat = shapely.affinity.rotate(block, -angle, origin=origin)
    x0, y0, x1, y1 = flat.bounds
    across = _grid(y1 - y0, x1 - x0)  # stalls' depth across the block (one row: the usual)
    along = _grid(x1 - x0, y1 - y0)  # stalls' depth along the block's long side
    if along[2] < across[2] - 1e-9:
        nx, ny = along[0], along[1]
    else:
        ny, nx = across[0], across[1]
    cells = current_limits().max_features
    if nx * ny > cells:
        over(
            "max_features",
            nx * ny,
            cells,
            "stalls a parking way of the indoor map would be cut into",
            "check the map's units and the parking way's geometry",
        )
    dx, dy = (x1 - x0) / nx, (y1 - y0) / ny
    out = []
    for i in range(nx):
        check_time()
        for j in range(ny):
            cell = flat.intersection(
                box(x0 + i * dx, y0 + j * dy, x0 + (i + 1) * dx, y0 + (j + 1) * dy)
            )
            part = largest(cell)
            if part is not None and part.area > 1.0:
                back = shapely.affinity.rotate(part, angle, origin=origin)
                out.append(shapely.set_precision(back, 0.001))
    return out


def convert_imdf(
    source: str | Path | bytes,
    *,
    level: str | None = None,
    name: str = "indoor map",
    limits: Limits | None = None,
) -> Conversion:
    """Convert an IMDF folder or zip (one level, or all) into a site."""
    with running(limits):
        return _convert(source, level=level, name=name, limits=limits or current_limits())


def _convert(
    source: str | Path | bytes, *, level: str | None, name: str, limits: Limits
) -> Conversion:
    out = Conversion(source=name)
    found = _load(_files(source, limits), out)
    levels = found["level"]
    ids = {str(f.get("id")): f for f in levels}
    short = {(_text(_props(f).get("short_name")) or str(f.get("id"))): f for f in levels}
    if level is not None:
        chosen = ids.get(level) or short.get(level)
        if chosen is None:
            raise PlannerError(
                f"--level {level}: no such IMDF level. Fix: use one of "
                + ", ".join(sorted(short))
                + "."
            )
        levels = [chosen]
    all_geoms = [g for g in (_geom(f) for f in levels) if g is not None]
    if not all_geoms:
        raise PlannerError("the IMDF level has no geometry. Fix: export the IMDF again.")
    c = shapely.union_all(all_geoms).centroid
    frame = Frame(crs="EPSG:4326", centre=(c.x, c.y))
    out.features.append(
        {
            "type": "Feature",
            "geometry": None,
            "properties": {"kind": "site", "name": name, "crs": "EPSG:4326", "community": None},
        }
    )
    level_ids = []
    comp_missing = False
    for lv in levels:
        level_ids.append(_short_id(lv))
        comp_missing |= _level(out, lv, found, frame)
    complete_list(out, level_ids, compartments_missing=comp_missing, floor_missing=False)
    return out


def _short_id(lv: dict[str, Any]) -> str:
    return _text(_props(lv).get("short_name")) or str(lv.get("id"))


def _level(
    out: Conversion, lv: dict[str, Any], found: dict[str, list[dict[str, Any]]], frame: Frame
) -> bool:
    """Add one IMDF level; True when it has no area that could be its compartment."""
    props = _props(lv)
    level_id = _short_id(lv)
    ordinal = props.get("ordinal")
    floor = None if not isinstance(ordinal, int) else (ordinal if ordinal < 0 else ordinal + 1)
    level_geom = _geom(lv)
    outline_ll = None if level_geom is None else largest(level_geom)
    if outline_ll is None:
        raise PlannerError(
            f"IMDF level {level_id} has no readable polygon. Fix: export the IMDF again."
        )
    out.add(
        "level",
        outline_ll,
        **level_props(level_id, floor=floor, name=_text(props.get("name")) or level_id),
    )
    lid = str(lv.get("id"))
    features = _LevelFeatures(out, level_id, frame)
    tick = Ticker()
    for role in ("unit", "fixture"):
        for f in found[role]:
            tick()
            if str(_props(f).get("level_id")) == lid:
                features.add(role, f)
    for f in found["opening"]:
        if str(_props(f).get("level_id")) == lid:
            features.skipped["opening (doors are not obstacles)"] += 1
    out.ignored.update(features.skipped)
    if out.repaired:
        out.notes.append(
            f"level {level_id}: {out.repaired} invalid IMDF geometries (rings "
            "touching themselves) were repaired with make_valid"
        )
    _compartment(out, level_id, features.car_parks, outline_ll, frame)
    return True


def _obstacle_type(cat: str) -> str | None:
    """The obstacle an IMDF category is, if any (painted block outlines are none)."""
    if cat == "column":
        return "column"
    if cat == "parking way-walls":
        return None
    if cat == "wall" or cat.endswith("-walls"):
        return "wall"
    if cat in SHAFTS:
        return "shaft"
    return {"ramp": "ramp", "non-public": "room"}.get(cat)


class _LevelFeatures:
    """A level's units and fixtures as stalls, car parks and obstacles; what is left out,
    counted by why."""

    def __init__(self, out: Conversion, level_id: str, frame: Frame) -> None:
        self.out, self.level_id, self.frame = out, level_id, frame
        self.skipped: Counter[str] = Counter()
        self.car_parks: list[Polygon] = []
        self.spaces = 0

    def add(self, role: str, f: dict[str, Any]) -> None:
        raw_geom = _geom(f)
        if raw_geom is None:
            self.skipped[f"{role} with unreadable geometry"] += 1
            return
        p = _props(f)
        cat = str(p.get("category") or "")
        fname = (_text(p.get("name")) or "").lower()
        polys = [self.frame.to_local(g) for g in _polygons(raw_geom, self.out)]
        if cat == "parking" and any(w in fname for w in ("bike", "scooter", "motorcycle")):
            self.skipped[f"{role} parking ({fname})"] += 1
            return
        take = {"parking": self._parking, "parking way": self._parking_way}.get(cat)
        otype = _obstacle_type(cat)
        for poly in polys if take is not None or otype is not None else ():
            if take is not None:
                take(poly)
            else:
                self.out.add(
                    "obstacle", self.frame.to_source(poly), level=self.level_id, type=otype
                )
        if take is None and otype is None:
            why = " (painted outlines of parking blocks)" if cat == "parking way-walls" else ""
            self.skipped[f"{role} {cat or '(no category)'}{why}"] += 1

    def _parking(self, poly: Polygon) -> None:
        """A parking unit: one stall, or a car park (an area of stalls not drawn)."""
        if poly.area > CAR_PARK_M2:
            self.car_parks.append(poly)
        else:
            self._space(poly)

    def _parking_way(self, poly: Polygon) -> None:
        """A parking block: cut into stalls."""
        for stall in _cut(poly):
            self._space(stall)

    def _space(self, poly_local: Polygon) -> None:
        self.spaces += 1
        self.out.add(
            "space",
            self.frame.to_source(poly_local),
            id=f"{self.level_id}-{self.spaces:04d}",
            level=self.level_id,
        )


def _compartment(
    out: Conversion, level_id: str, car_parks: list[Polygon], outline_ll: Any, frame: Frame
) -> None:
    """IMDF has no fire compartments: the car park area is taken as one, else the level."""
    if car_parks:
        area = shapely.union_all(car_parks).intersection(frame.to_local(outline_ll))
        comp = largest(area) or frame.to_local(outline_ll)
        out.add(
            "compartment",
            frame.to_source(comp),
            id=f"{level_id}-FQ1",
            level=level_id,
            name=None,
            capacity_kw=None,
        )
        out.notes.append(
            f"level {level_id}: IMDF has no fire compartments; the car park "
            f"area ({comp.area:,.0f} m²) is taken as one compartment"
        )
        return
    out.add(
        "compartment", outline_ll, id=f"{level_id}-FQ1", level=level_id, name=None, capacity_kw=None
    )
    out.notes.append(
        f"level {level_id}: IMDF has no fire compartments; the whole level is one compartment"
    )
