"""Readers: site files (GeoJSON), CAD drawings (DXF, DWG), indoor maps (IMDF folder or zip) and
requests CSV -> :class:`~planner.site.Site`.

DXF, DWG and IMDF are first converted into a site file (:mod:`planner.readers.dxf`,
:mod:`planner.readers.imdf`), which is then read like any other; what the conversion could
not know travels with the site as warnings. Every reader honours the same
:class:`~planner.limits.Limits`."""

from __future__ import annotations

from pathlib import Path

from planner.errors import PlannerError, Problem
from planner.limits import Limits
from planner.privacy import get_logger, mask_text
from planner.readers.base import DEFAULT_MAX_BYTES, Source, read_bytes
from planner.readers.conversion import Conversion
from planner.readers.geojson import parse_site
from planner.readers.geojson import read_site as read_site_geojson
from planner.readers.layers import LayerMap
from planner.site import Site

log = get_logger(__name__)

Kind = str


def kind_of(name: str, *, is_dir: bool = False) -> Kind:
    """'dxf', 'dwg', 'imdf' or 'geojson', from a file name."""
    suffix = Path(name).suffix.lower()
    if is_dir or suffix == ".zip":
        return "imdf"
    if suffix in (".dxf", ".dwg"):
        return suffix[1:]
    return "geojson"


def convert(
    source: str | Path | bytes,
    *,
    name: str,
    kind: Kind,
    layers: str | Path | None = None,
    units: str | None = None,
    level: str | None = None,
    limits: Limits | None = None,
) -> Conversion:
    """Convert a DXF or DWG drawing or an IMDF folder/zip into a site file."""
    name = mask_text(name)[0]  # the name goes into the site's warnings and messages
    if kind == "dwg":  # DWG becomes DXF bytes, read as the DXF it is
        from planner.readers.dwg import dwg_to_dxf

        lim = limits or Limits()
        raw = read_bytes(source, what="drawing", max_bytes=lim.max_bytes)
        source = dwg_to_dxf(raw, name=name, limits=lim)
        kind = "dxf"
    if kind == "dxf":
        from planner.readers.dxf import convert_dxf

        return convert_dxf(
            source, layers=LayerMap.load(layers), units=units, level=level, name=name, limits=limits
        )
    if kind == "imdf":
        from planner.readers.imdf import convert_imdf

        return convert_imdf(source, level=level, name=name, limits=limits)
    raise PlannerError(
        f"'{name}' is a site file already: nothing to convert. Fix: give a "
        ".dxf or .dwg drawing or an IMDF folder or .zip."
    )


def site_from_conversion(
    conv: Conversion, *, requests_csv: bytes | None = None, limits: Limits | None = None
) -> Site:
    """Read a converted site, carrying what to complete as warnings."""
    site = parse_site(conv.to_bytes(), requests_csv=requests_csv, limits=limits)
    source = mask_text(conv.source)[0]
    notes = [
        Problem(
            severity="warning",
            code="CONVERTED_COMPLETE",
            message=mask_text(item)[0],  # it may quote the drawing's own names
            fix="complete it in the converted site file",
            source=source,
        )
        for item in conv.to_complete
    ]
    if conv.unmapped:
        notes.append(
            Problem(
                severity="warning",
                code="LAYERS_UNMAPPED",
                message=mask_text(
                    "layers mapped to no kind: "
                    + ", ".join(f"{k} ({n})" for k, n in sorted(conv.unmapped.items()))
                )[0],
                fix="name them in a layer map (--layers) if they matter",
                source=source,
            )
        )
    return site.model_copy(update={"warnings": (*site.warnings, *notes)})


def read_site(
    source: Source,
    *,
    requests: Source | None = None,
    max_bytes: int | None = None,
    layers: str | Path | None = None,
    units: str | None = None,
    level: str | None = None,
    limits: Limits | None = None,
) -> Site:
    """Read a site GeoJSON, a DXF or DWG drawing or an IMDF folder/zip (by its name).

    ``max_bytes`` (the largest file) overrides ``limits.max_bytes`` when given.
    """
    lim = limits or Limits()
    if max_bytes is not None:
        lim = lim.model_copy(update={"max_bytes": max_bytes})
    if isinstance(source, bytes):
        return _read(
            read_site_geojson(source, requests=requests, max_bytes=lim.max_bytes, limits=lim),
            "a site GeoJSON in memory",
        )
    path = Path(source)
    kind = kind_of(path.name, is_dir=path.is_dir())
    if kind == "geojson":
        return _read(
            read_site_geojson(path, requests=requests, max_bytes=lim.max_bytes, limits=lim),
            path.name,
        )
    csv = (
        None
        if requests is None
        else read_bytes(requests, what="requests CSV", max_bytes=lim.max_bytes)
    )
    if path.is_dir():  # an IMDF folder: converted where it lies
        conv = convert(
            path, name=path.name, kind=kind, layers=layers, units=units, level=level, limits=lim
        )
        return _read(
            site_from_conversion(conv, requests_csv=csv, limits=lim), f"{path.name} ({kind})"
        )
    data = read_bytes(
        path,
        what="drawing" if kind in ("dxf", "dwg") else "IMDF archive",
        max_bytes=lim.max_bytes,
    )
    return read_site_bytes(
        path.name, data, requests_csv=csv, layers=layers, units=units, level=level, limits=lim
    )


def read_site_bytes(
    name: str,
    data: bytes,
    *,
    requests_csv: bytes | None = None,
    layers: str | Path | None = None,
    units: str | None = None,
    level: str | None = None,
    limits: Limits | None = None,
) -> Site:
    """Read a site GeoJSON, a DXF or DWG drawing or an IMDF zip from its bytes, its kind
    told by ``name``: the one loader behind :func:`read_site` (the CLI) and the desk's
    uploads, nothing written to disk."""
    lim = limits or Limits()
    kind = kind_of(name)
    if kind == "geojson":
        return _read(parse_site(data, requests_csv=requests_csv, limits=lim), name)
    conv = convert(data, name=name, kind=kind, layers=layers, units=units, level=level, limits=lim)
    return _read(
        site_from_conversion(conv, requests_csv=requests_csv, limits=lim), f"{name} ({kind})"
    )


def _read(site: Site, what: str) -> Site:
    log.info(
        "read %s: %d levels, %d compartments, %d spaces, %d obstacles, %d requests, %d warnings",
        what,
        len(site.levels),
        len(site.compartments),
        len(site.spaces),
        len(site.obstacles),
        len(site.requests),
        len(site.warnings),
    )
    return site


__all__ = [
    "DEFAULT_MAX_BYTES",
    "Limits",
    "convert",
    "kind_of",
    "parse_site",
    "read_site",
    "read_site_bytes",
    "site_from_conversion",
]
