"""Synthetic garages drawn like Chinese residential basements.

Used to make the bundled sample sites, the property tests and the benchmarks. A level is a
block of parking *strips* (stall row 5.3 m, aisle 6 m, stall row 5.3 m) cut into 8.1 m column
bays of three 2.5 m stalls, with 0.6 m columns on the column lines at the aisle edges and a
6 m cross aisle at the block's left end. Fire compartments follow column lines.

Everything here returns plain GeoJSON feature dicts in local metres, so that the output goes
through the same reader as a surveyor's file.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Polygon, box, mapping
from shapely.geometry.base import BaseGeometry

from planner.projection import transform_xy

BAY_M = 8.1
STALL_W_M = 2.5
STALL_D_M = 5.3
AISLE_M = 6.0
COLUMN_M = 0.6
STRIP_M = 2 * STALL_D_M + AISLE_M
CROSS_AISLE_M = 6.0

Feature = dict[str, Any]
FIRE_SYSTEMS = dict.fromkeys(
    ("fire_alarm", "smoke_exhaust", "sprinklers", "emergency_lighting", "evacuation_signs"), True
)
"""All five fire systems present (R1)."""


def feature(kind: str, geom: BaseGeometry | None, **props: Any) -> Feature:
    """A GeoJSON feature dict of the site contract."""
    return {
        "type": "Feature",
        "geometry": None if geom is None else mapping(geom),
        "properties": {"kind": kind, **{k: v for k, v in props.items() if v is not None}},
    }


def collection(features: Iterable[Feature]) -> dict[str, Any]:
    """Wrap features as a FeatureCollection."""
    return {"type": "FeatureCollection", "features": list(features)}


@dataclass(frozen=True)
class Block:
    """A rectangular block of parking strips, the unit garages are built from.

    ``origin`` is its lower-left corner; ``cores`` lists (bay, strip, row) stall groups taken
    by a stair or lift core (row 0 = lower stall row of the strip, 1 = upper).
    """

    bays: int
    strips: int
    origin: tuple[float, float] = (0.0, 0.0)
    cores: tuple[tuple[int, int, int], ...] = ()
    rooms: tuple[tuple[int, int, int], ...] = ()

    @property
    def width_m(self) -> float:
        return CROSS_AISLE_M + self.bays * BAY_M + COLUMN_M / 2

    @property
    def height_m(self) -> float:
        return self.strips * STRIP_M

    def column_x(self, i: int) -> float:
        """x of column line ``i`` (0 .. bays)."""
        return self.origin[0] + CROSS_AISLE_M + i * BAY_M

    def strip_y(self, k: int) -> float:
        """y of the lower edge of strip ``k`` (0 .. strips)."""
        return self.origin[1] + k * STRIP_M

    @property
    def outline(self) -> Polygon:
        x0, y0 = self.origin
        return box(x0, y0, x0 + self.width_m, y0 + self.height_m)

    def stall_groups(self) -> list[tuple[int, int, int, Polygon]]:
        """Every (bay, strip, row) group of three stalls as its 7.5 x 5.3 m box."""
        groups = []
        for k in range(self.strips):
            for row in (0, 1):
                y0 = self.strip_y(k) + (0 if row == 0 else STALL_D_M + AISLE_M)
                for i in range(self.bays):
                    x0 = self.column_x(i) + COLUMN_M / 2
                    groups.append((i, k, row, box(x0, y0, x0 + 3 * STALL_W_M, y0 + STALL_D_M)))
        return groups

    def stalls(self) -> list[Polygon]:
        """All stalls, row by row, left to right, skipping cores."""
        out: list[Polygon] = []
        for i, k, row, group in self.stall_groups():
            if (i, k, row) in self.cores or (i, k, row) in self.rooms:
                continue
            x0, y0, _, y1 = group.bounds
            out.extend(box(x0 + j * STALL_W_M, y0, x0 + (j + 1) * STALL_W_M, y1) for j in range(3))
        return out

    def columns(self) -> list[Polygon]:
        """Columns on every column line at both aisle edges of every strip, and on the line
        where two strips' stall rows meet back to back."""
        h = COLUMN_M / 2
        out: list[Polygon] = []
        lines = [
            self.strip_y(k) + dy
            for k in range(self.strips)
            for dy in (STALL_D_M - h, STALL_D_M + AISLE_M + h)
        ]
        lines += [self.strip_y(k) for k in range(1, self.strips)]
        for y in sorted(lines):
            out.extend(
                box(self.column_x(i) - h, y - h, self.column_x(i) + h, y + h)
                for i in range(self.bays + 1)
            )
        return out

    def core_boxes(self) -> list[Polygon]:
        """The stair/lift cores (shafts), merged where they touch."""
        boxes = [g for i, k, row, g in self.stall_groups() if (i, k, row) in self.cores]
        merged = shapely.union_all(boxes) if boxes else None
        if merged is None:
            return []
        return list(getattr(merged, "geoms", [merged]))

    def room_boxes(self) -> list[Polygon]:
        """Rooms (plant rooms, stores) taking a stall group each."""
        return [g for i, k, row, g in self.stall_groups() if (i, k, row) in self.rooms]


@dataclass
class LevelDrawing:
    """The features of one level as it is being drawn."""

    id: str
    props: dict[str, Any]
    blocks: list[Block]
    compartments: list[tuple[str, Polygon, dict[str, Any]]] = field(default_factory=list)
    extra: list[Feature] = field(default_factory=list)
    stall_prefix: str = ""

    @property
    def outline(self) -> Polygon:
        merged = shapely.union_all([b.outline for b in self.blocks])
        assert isinstance(merged, Polygon)
        return merged

    def space_features(self) -> list[Feature]:
        feats = []
        n = 0
        for b in self.blocks:
            for stall in b.stalls():
                n += 1
                feats.append(
                    feature("space", stall, id=f"{self.stall_prefix}{n:03d}", level=self.id)
                )
        return feats

    def features(self) -> list[Feature]:
        """The level, its compartments, spaces, columns, cores and extras."""
        feats = [feature("level", self.outline, id=self.id, **self.props)]
        feats += [
            feature("compartment", poly, id=cid, level=self.id, **props)
            for cid, poly, props in self.compartments
        ]
        feats += self.space_features()
        n = 0
        for b in self.blocks:
            for col in b.columns():
                n += 1
                feats.append(
                    feature("obstacle", col, id=f"{self.id}-Z{n:03d}", level=self.id, type="column")
                )
            for core in b.core_boxes():
                feats.append(
                    feature("obstacle", core, level=self.id, type="shaft", name="楼梯间/电梯井")
                )
            for room in b.room_boxes():
                feats.append(feature("obstacle", room, level=self.id, type="room", name="设备用房"))
        feats += self.extra
        return feats


def cut_compartments(
    outline: Polygon,
    xs: Sequence[float] = (),
    ys: Sequence[float] = (),
) -> list[Polygon]:
    """Cut a level outline into a grid of compartments along vertical lines ``xs`` and
    horizontal lines ``ys`` (column lines), dropping empty cells."""
    xmin, ymin, xmax, ymax = outline.bounds
    xcuts = [xmin, *sorted(xs), xmax]
    ycuts = [ymin, *sorted(ys), ymax]
    cells = []
    for y0, y1 in itertools.pairwise(ycuts):
        for x0, x1 in itertools.pairwise(xcuts):
            cell = outline.intersection(box(x0, y0, x1, y1))
            if isinstance(cell, Polygon) and cell.area > 1:
                cells.append(cell)
    return cells


def transform_features(
    features: list[Feature], fn: Callable[[np.ndarray, np.ndarray], tuple[Any, Any]]
) -> list[Feature]:
    """Apply a coordinate function to every geometry and every ``charger`` position."""
    out = []
    for f in features:
        g = f["geometry"]
        props = dict(f["properties"])
        if g is not None:
            geom = transform_xy(shapely.geometry.shape(g), fn)
            g = mapping(geom)
        if "charger" in props:
            x, y = fn(np.asarray([props["charger"][0]]), np.asarray([props["charger"][1]]))
            props["charger"] = [float(x[0]), float(y[0])]
        out.append({"type": "Feature", "geometry": g, "properties": props})
    return out


def rounded(features: list[Feature], digits: int) -> list[Feature]:
    """Round every coordinate (files stay small and diff well)."""
    return transform_features(features, lambda x, y: (np.round(x, digits), np.round(y, digits)))


def rotation(
    angle_deg: float,
    *,
    about: tuple[float, float] = (0.0, 0.0),
    shift: tuple[float, float] = (0.0, 0.0),
) -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """A coordinate function rotating by ``angle_deg`` about ``about``, then shifting."""
    a = np.radians(angle_deg)
    c, s = np.cos(a), np.sin(a)

    def fn(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        dx, dy = np.asarray(x) - about[0], np.asarray(y) - about[1]
        return about[0] + c * dx - s * dy + shift[0], about[1] + s * dx + c * dy + shift[1]

    return fn


def simple_garage(
    *,
    bays: int = 6,
    strips: int = 2,
    cuts: Sequence[int] = (),
    level_id: str = "B1",
    capacity_kw: float | None = None,
    fire: bool = True,
) -> list[Feature]:
    """A one-level basement with compartments cut at column lines ``cuts`` (bay indexes)."""
    block = Block(bays=bays, strips=strips)
    systems = dict.fromkeys(
        ("fire_alarm", "smoke_exhaust", "sprinklers", "emergency_lighting", "evacuation_signs"),
        fire,
    )
    level = LevelDrawing(
        id=level_id,
        props={"name": "地下一层", "garage_type": "underground", "floor": -1, **systems},
        blocks=[block],
        stall_prefix=f"{level_id}-",
    )
    polys = cut_compartments(level.outline, xs=[block.column_x(i) for i in cuts])
    level.compartments = [
        (f"{level_id}-FQ{n}", p, {"name": f"防火分区{n}", "capacity_kw": capacity_kw})
        for n, p in enumerate(polys, start=1)
    ]
    site = feature("site", None, name="示例小区地下车库", community="示例小区")
    return [site, *level.features()]


def community(
    stalls: int,
    *,
    name: str,
    share: float = 0.3,
    capacity_kw: float = 200.0,
    lonlat: tuple[float, float] | None = None,
) -> list[Feature]:
    """One community's basement of about ``stalls`` stalls in two strips per 6 bays,
    compartments of at most 6 bays, a ``share`` of the stalls requesting (every k-th,
    registered in order). With ``lonlat``, drawn in lon/lat around that point (EPSG:4326)
    as a georeferenced survey would be; else in local metres."""
    strips = 2 if stalls <= 120 else 4
    bays = max(1, round(stalls / (strips * 6)))
    block = Block(bays=bays, strips=strips)
    level = LevelDrawing(
        id="B1",
        props={"name": "地下一层", "garage_type": "underground", "floor": -1, **FIRE_SYSTEMS},
        blocks=[block],
        stall_prefix="B1-",
    )
    cuts = [block.column_x(i) for i in range(6, bays, 6)]
    level.compartments = [
        (f"B1-FQ{n}", p, {"name": f"防火分区{n}", "capacity_kw": capacity_kw})
        for n, p in enumerate(cut_compartments(level.outline, xs=cuts), start=1)
    ]
    feats = level.features()
    spaces = [f["properties"]["id"] for f in feats if f["properties"]["kind"] == "space"]
    step = max(1, round(1 / share)) if share > 0 else len(spaces) + 1
    requests = [
        feature(
            "request",
            None,
            id=f"R{k + 1:04d}",
            space=sid,
            charger_kw=7,
            registered=f"2024-03-01T08:{(k // 60) % 60:02d}:{k % 60:02d}",
            documents=["id_document", "property_consent", "parking_certificate"],
        )
        for k, sid in enumerate(spaces[::step])
    ]
    site: dict[str, Any] = {"name": f"{name}地下车库", "community": name}
    if lonlat is not None:
        lon0, lat0 = lonlat
        per_deg_lat = 111_320.0
        per_deg_lon = per_deg_lat * float(np.cos(np.radians(lat0)))
        feats = transform_features(
            feats,
            lambda x, y: (lon0 + np.asarray(x) / per_deg_lon, lat0 + np.asarray(y) / per_deg_lat),
        )
        site["crs"] = "EPSG:4326"
    return [feature("site", None, **site), *feats, *requests]
