"""Units and coordinate reference systems.

Everything inside the planner is measured in planar metres. A site file may instead be drawn
in millimetres (``units: "mm"``) or in a coordinate reference system (``crs``), for example
lon/lat (``EPSG:4326``) or a national grid. :class:`Frame` remembers how the input was drawn,
takes its geometries to local metres and gives results back in the input's own units and CRS.

A site with a ``crs`` is projected onto a transverse Mercator centred on the site, with scale
factor 1 on its own datum, so that lengths measured on the plan are ground lengths (a 10 m
stall edge stays 10 m) whatever the input's projection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

if TYPE_CHECKING:
    from pyproj import CRS, Transformer

# pyproj is imported where a CRS is first met (about 50 ms): a plan drawn in local metres or
# millimetres, most garages, never needs it

Units = Literal["m", "cm", "mm"]
METRES_PER_UNIT: dict[str, float] = {"m": 1.0, "cm": 0.01, "mm": 0.001}


def parse_crs(text: str) -> CRS:
    """Parse a CRS declaration such as ``EPSG:4326``; raise ``ValueError`` with a fix if not."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_user_input(text)
    except CRSError as exc:
        raise ValueError(
            f"crs '{text}' is not a coordinate reference system pyproj knows ({exc})"
        ) from None
    if not (crs.is_geographic or crs.is_projected):
        raise ValueError(f"crs '{text}' is neither geographic (lon/lat) nor projected")
    return crs


XYFunction = Callable[[Any, Any], tuple[Any, Any]]
"""A coordinate function taking and returning separate x and y arrays."""
G = TypeVar("G")
Geom = TypeVar("Geom", bound=BaseGeometry)
"""A geometry of one type: a point comes back a point."""


def transform_xy(geom: G, fn: XYFunction) -> G:
    """``shapely.transform`` with separate x and y arrays (``interleaved=False``), for a
    geometry or an array of them (typed here once: types-shapely knows only the
    interleaved form)."""
    return cast(G, shapely.transform(geom, fn, interleaved=False))  # type: ignore[call-overload]


@dataclass(frozen=True)
class Frame:
    """How a site file was drawn, and the way to local metres and back.

    Parameters
    ----------
    units
        Length unit of coordinates without a ``crs``.
    crs
        The declared CRS (``None`` for a local plan).
    centre
        For a site with a CRS: the site's centre in that CRS, where the local projection is
        centred. Ignored otherwise.
    """

    units: Units = "m"
    crs: str | None = None
    centre: tuple[float, float] = (0.0, 0.0)

    @cached_property
    def source_crs(self) -> CRS | None:
        """The declared CRS as a pyproj object."""
        return None if self.crs is None else parse_crs(self.crs)

    @cached_property
    def local_crs(self) -> CRS | None:
        """The site-centred transverse Mercator in metres (``None`` for local plans)."""
        from pyproj import Transformer
        from pyproj.crs import ProjectedCRS
        from pyproj.crs.coordinate_operation import TransverseMercatorConversion

        src = self.source_crs
        if src is None:
            return None
        geodetic = src.geodetic_crs
        assert geodetic is not None
        to_geog = Transformer.from_crs(src, geodetic, always_xy=True)
        lon, lat = to_geog.transform(*self.centre)
        conversion = TransverseMercatorConversion(
            latitude_natural_origin=float(lat),
            longitude_natural_origin=float(lon),
            false_easting=0.0,
            false_northing=0.0,
            scale_factor_natural_origin=1.0,
        )
        return ProjectedCRS(conversion=conversion, geodetic_crs=geodetic, name="site-local TM")

    @cached_property
    def _forward(self) -> Transformer:
        from pyproj import Transformer

        return Transformer.from_crs(self.source_crs, self.local_crs, always_xy=True)

    @cached_property
    def _inverse(self) -> Transformer:
        from pyproj import Transformer

        return Transformer.from_crs(self.local_crs, self.source_crs, always_xy=True)

    def to_local_xy(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Coordinates as drawn -> local metres."""
        if self.crs is None:
            k = METRES_PER_UNIT[self.units]
            return np.asarray(x) * k, np.asarray(y) * k
        xx, yy = self._forward.transform(np.asarray(x), np.asarray(y))
        return np.asarray(xx), np.asarray(yy)

    def to_source_xy(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Local metres -> coordinates as drawn."""
        if self.crs is None:
            k = METRES_PER_UNIT[self.units]
            return np.asarray(x) / k, np.asarray(y) / k
        xx, yy = self._inverse.transform(np.asarray(x), np.asarray(y))
        return np.asarray(xx), np.asarray(yy)

    def to_local(self, geom: Geom) -> Geom:
        """A geometry as drawn -> the same geometry in local metres."""
        if self.crs is None and self.units == "m":
            return geom
        return transform_xy(geom, self._local_fn)

    def to_source(self, geom: Geom) -> Geom:
        """A geometry in local metres -> the input's units and CRS."""
        if self.crs is None and self.units == "m":
            return geom
        return transform_xy(geom, self._source_fn)

    def to_source_all(self, geoms: np.ndarray) -> np.ndarray:
        """:meth:`to_source` of an array of geometries, in one transform."""
        if self.crs is None and self.units == "m":
            return geoms
        return transform_xy(geoms, self._source_fn)

    def _local_fn(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.to_local_xy(x, y)

    def _source_fn(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.to_source_xy(x, y)
