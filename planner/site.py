"""The site model: what a garage looks like and what its owners ask for.

The names and defaults are those of the site-file contract (``shared/site-format.md``, section
1). Geometries are shapely objects in local planar metres (see :mod:`planner.projection`); the
site's :class:`~planner.projection.Frame` takes results back to the input's units and CRS.
All models are frozen: a plan never changes the site it was made from.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

import numpy as np
import shapely
from pydantic import (
    AllowInfNan,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    field_validator,
)
from shapely.geometry import LineString, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from planner.errors import Problem, UnknownIdError
from planner.jsonio import Finite
from planner.projection import Frame, Units

GarageType = Literal[
    "underground", "semi_underground", "high_rise", "multi_storey", "single_storey", "open"
]
Supply = Literal["direct", "non_direct"]
Tenure = Literal["owned", "leased", "common"]
ObstacleType = Literal["column", "wall", "shaft", "ramp", "room", "other"]
ChargerType = Literal["wall", "floor"]
Document = Literal[
    "id_document", "parking_certificate", "property_consent", "lease_contract", "owner_consent"
]


def geojson_geometry(geom: BaseGeometry) -> dict[str, Any]:
    """``shapely.geometry.mapping(geom)`` exactly (the same tuples of the same floats), with
    each ring's coordinates read as one array: the writers call it for every feature."""
    kind = geom.geom_type
    if kind not in _PARTS or geom.is_empty or shapely.has_z(geom):
        return dict(mapping(geom))
    return {"type": kind, "coordinates": _PARTS[kind](geom)}


_POINT, _LINE, _POLYGON = 0, 1, 3  # shapely.get_type_id


def geojson_geometries(geoms: Sequence[BaseGeometry] | np.ndarray) -> list[dict[str, Any]]:
    """:func:`geojson_geometry` of each, as the writers need it for thousands of features:
    the coordinates of every point, line and polygon ring read in one array call and cut
    per geometry (lists where ``mapping`` has tuples: the same JSON, the same floats);
    anything else (empty, 3D, multi-part) one at a time. Those read as arrays whose
    coordinates are all finite come back as :class:`planner.jsonio.Finite`, checked here
    in one call, so the writer does not walk their thousands of floats again."""
    arr = np.asarray(geoms, dtype=object).reshape(-1)
    out: list[dict[str, Any]] = [{} for _ in range(len(arr))]
    kind = shapely.get_type_id(arr)
    simple = np.isin(kind, (_POINT, _LINE, _POLYGON)) & ~shapely.is_empty(arr)
    simple &= ~shapely.has_z(arr)
    for i in np.flatnonzero(~simple):
        out[i] = geojson_geometry(arr[i])
    flat = np.flatnonzero(simple & (kind != _POLYGON))
    polys = np.flatnonzero((kind == _POLYGON) & simple)
    rings, ring_of = shapely.get_rings(arr[polys], return_index=True)
    # the parts whose coordinates are read: the points and lines themselves, the rings
    parts = np.concatenate([arr[flat], rings])
    owner = np.concatenate([flat, polys[ring_of]])
    xy, part_of = shapely.get_coordinates(parts, return_index=True)
    cuts = np.searchsorted(part_of, np.arange(len(parts) + 1)).tolist()
    coords = xy.tolist()
    # the geometries with a NaN or infinity anywhere stay plain dicts: the writer names it
    unchecked = set(owner[part_of[~np.isfinite(xy).all(axis=1)]].tolist())
    for n, i in enumerate(owner.tolist()):
        ring = coords[cuts[n] : cuts[n + 1]]
        made = dict if i in unchecked else Finite
        if kind[i] == _POINT:
            out[i] = made(type="Point", coordinates=ring[0])
        elif kind[i] == _LINE:
            out[i] = made(type="LineString", coordinates=ring)
        elif out[i]:  # a polygon's next ring (interior)
            out[i]["coordinates"].append(ring)
        else:
            out[i] = made(type="Polygon", coordinates=[ring])
    return out


def _xy(line: BaseGeometry) -> tuple[tuple[float, ...], ...]:
    return tuple(map(tuple, shapely.get_coordinates(line).tolist()))


def _rings(poly: Polygon) -> tuple[tuple[tuple[float, ...], ...], ...]:
    return (_xy(poly.exterior), *(_xy(r) for r in poly.interiors))


_PARTS: dict[str, Any] = {
    "Point": lambda g: tuple(shapely.get_coordinates(g)[0].tolist()),
    "LineString": _xy,
    "Polygon": _rings,
    "MultiLineString": lambda g: tuple(_xy(part) for part in g.geoms),
    "MultiPolygon": lambda g: [_rings(part) for part in g.geoms],  # a list, as shapely
}


def _to_geojson(geom: BaseGeometry) -> dict[str, object]:
    return geojson_geometry(geom)


_AsGeoJSON = PlainSerializer(_to_geojson, return_type=dict)
PolygonM = Annotated[Polygon, _AsGeoJSON]
"""A polygon in local metres (serialised as a GeoJSON geometry)."""
LineM = Annotated[LineString, _AsGeoJSON]
PointM = Annotated[Point, _AsGeoJSON]

Number = Annotated[float, Strict(), AllowInfNan(False)]
"""A finite JSON number (int or float); text, booleans, NaN and infinities are refused."""
Flag = Annotated[bool, Strict()]
"""A JSON true/false; "yes", 1 and the like are refused, so nothing is assumed present."""
Whole = Annotated[int, Strict()]

FIRE_SYSTEMS: tuple[str, ...] = (
    "fire_alarm",
    "smoke_exhaust",
    "sprinklers",
    "emergency_lighting",
    "evacuation_signs",
)


MAX_TEXT = 1000
"""Longest text of any field, characters: a name or id longer than this is a mistake, and a
huge one would stall the drawing."""


def _plain_text(value: object) -> object:
    """Text fields hold printable text of at most :data:`MAX_TEXT` characters: no control or
    format characters (escape sequences, bidi overrides, newlines), no lone surrogates."""
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise ValueError(f"is {len(value):,} characters long; keep it under {MAX_TEXT:,}")
    if isinstance(value, str) and not value.isprintable():
        bad = next(ch for ch in value if not ch.isprintable())
        raise ValueError(
            f"holds the unprintable character U+{ord(bad):04X}; write plain text on one line"
        )
    return value


class _Model(BaseModel):
    _no_control = field_validator("*", mode="after")(_plain_text)
    model_config = ConfigDict(
        frozen=True,
        arbitrary_types_allowed=True,
        extra="forbid",
        coerce_numbers_to_str=True,
        allow_inf_nan=False,
    )


class SiteInfo(_Model):
    """The ``site`` feature: the community and how it is supplied."""

    name: str
    community: str | None = None
    supply: Supply = "direct"
    urban: Flag = True
    units: Units = "m"
    crs: str | None = None
    north_deg: Number = Field(default=0.0, ge=-360, le=360)
    surveyor: str | None = None
    revision: str | None = None
    boundary: PolygonM | None = None
    project: dict[str, Any] | None = None
    """The project file's ``project`` property as written (see :mod:`planner.project`)."""


class Level(_Model):
    """One floor of the garage; ``outline`` is its garage outline."""

    id: str
    outline: PolygonM
    name: str | None = None
    garage_type: GarageType | None = None
    floor: Whole | None = None
    ceiling_height_m: Number = Field(default=3.6, gt=0, le=50)
    fire_alarm: Flag | None = None
    smoke_exhaust: Flag | None = None
    sprinklers: Flag | None = None
    emergency_lighting: Flag | None = None
    evacuation_signs: Flag | None = None
    index: int | None = None

    @property
    def missing_fire_systems(self) -> tuple[str, ...]:
        """The fire systems not declared present (missing counts as absent)."""
        return tuple(s for s in FIRE_SYSTEMS if getattr(self, s) is not True)


class Compartment(_Model):
    """A fire compartment (防火分区): one meter box, cables never leave it."""

    id: str
    level: str
    polygon: PolygonM
    name: str | None = None
    capacity_kw: Number | None = Field(default=None, ge=0, le=100_000)
    axis_deg: Number | None = Field(default=None, ge=-360, le=360)
    index: int | None = None


class Space(_Model):
    """A parking space (车位)."""

    id: str
    level: str
    polygon: PolygonM
    tenure: Tenure = "owned"
    charger: PointM | None = None
    index: int | None = None

    @property
    def tenure_stated(self) -> Tenure | None:
        """The tenure as the site states it; ``None`` where the file leaves it to the
        default (the rules still check such a space as owned)."""
        return self.tenure if "tenure" in self.model_fields_set else None


class Obstacle(_Model):
    """Something cables go around: column, wall, shaft, ramp, room or other."""

    level: str
    type: ObstacleType
    geometry: PolygonM | LineM
    id: str | None = None
    index: int | None = None


class Tray(_Model):
    """An existing cable tray or conduit cables may follow."""

    level: str
    line: LineM
    id: str | None = None
    index: int | None = None


class Axis(_Model):
    """A line of the building's grid (轴网), labelled as on the architect's drawings."""

    level: str
    line: LineM
    label: str
    index: int | None = None


class Vote(_Model):
    """Owners' vote on a common-area space (shares of 0..1, Civil Code art. 278)."""

    participating_area: Number = Field(ge=0, le=1)
    participating_owners: Number = Field(ge=0, le=1)
    approving_area: Number = Field(ge=0, le=1)
    approving_owners: Number = Field(ge=0, le=1)


class Request(_Model):
    """An owner's registration for a private charger at a space."""

    id: str
    space: str
    charger_kw: Number = Field(gt=0, le=1000)
    registered: datetime | None = None
    applicant: str | None = None
    charger_type: ChargerType | None = None
    car_brand: str | None = None
    lease_months: Whole | None = Field(default=None, ge=0)
    documents: tuple[Document, ...] = ()
    vote: Vote | None = None
    point: PointM | None = None
    source: Literal["site", "csv"] = "site"
    index: int | None = None


class Site(_Model):
    """A whole garage site as read and validated, in local metres."""

    info: SiteInfo
    levels: tuple[Level, ...]
    compartments: tuple[Compartment, ...] = ()
    spaces: tuple[Space, ...] = ()
    obstacles: tuple[Obstacle, ...] = ()
    trays: tuple[Tray, ...] = ()
    axes: tuple[Axis, ...] = ()
    requests: tuple[Request, ...] = ()
    warnings: tuple[Problem, ...] = ()
    frame: Frame = Field(default_factory=Frame)
    sources: dict[str, Any] = Field(default_factory=dict, repr=False)
    """Geometries as the file drew them, by feature index (``"12"``; a space's charger
    ``"12:charger"``), where the file is not in local metres: a project file writes these
    back unchanged, so reopening it reproduces the same local coordinates and the same
    plan (a reprojection round trip moves points by 1e-9 m and breaks routing ties)."""

    def level(self, level_id: str) -> Level:
        """The level with this id (:class:`~planner.errors.UnknownIdError`, a ``KeyError``,
        listing the levels if none)."""
        for lv in self.levels:
            if lv.id == level_id:
                return lv
        raise UnknownIdError("level", level_id, (lv.id for lv in self.levels))

    def on_level(self, level_id: str) -> SiteLevelView:
        """Everything drawn on one level."""
        return SiteLevelView(
            level=self.level(level_id),
            compartments=tuple(c for c in self.compartments if c.level == level_id),
            spaces=tuple(s for s in self.spaces if s.level == level_id),
            obstacles=tuple(o for o in self.obstacles if o.level == level_id),
            trays=tuple(t for t in self.trays if t.level == level_id),
            axes=tuple(a for a in self.axes if a.level == level_id),
        )


class SiteLevelView(_Model):
    """The features of one level."""

    level: Level
    compartments: tuple[Compartment, ...]
    spaces: tuple[Space, ...]
    obstacles: tuple[Obstacle, ...]
    trays: tuple[Tray, ...]
    axes: tuple[Axis, ...] = ()
