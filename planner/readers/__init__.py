"""Readers: site files (GeoJSON; DXF and IMDF to come) and requests CSV -> :class:`Site`."""

from planner.readers.base import DEFAULT_MAX_BYTES
from planner.readers.geojson import parse_site, read_site

__all__ = ["DEFAULT_MAX_BYTES", "parse_site", "read_site"]
