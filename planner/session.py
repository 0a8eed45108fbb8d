"""What the app does, without the app: reading an upload, adjusting a site, listing where a
meter box may go, the tables it shows and the files it hands out. ``app.py`` only lays these
out; everything here is plain Python, testable without Streamlit."""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.ops
from shapely.geometry import Point

from planner.bom import bom_table
from planner.errors import PlannerError
from planner.findings import Reason, deciding_reason
from planner.i18n import Lang, reason_text, t
from planner.jsonio import dumps
from planner.limits import Limits, current_limits
from planner.papers import COMBINED
from planner.placement import mount_faces
from planner.plan import Plan, RequestOutcome
from planner.project import project_of, project_property, site_collection
from planner.readers import (
    convert,
    kind_of,
    parse_site,
    read_site_bytes,
)
from planner.readers.answers import COMPLETE_CHECKS, check_answers, refresh
from planner.readers.answers import EXAMPLE as ANSWERS_EXAMPLE
from planner.readers.base import parse_toml, read_bytes
from planner.readers.conversion import FIRE, Conversion
from planner.readers.requests_csv import OPTIONAL, REQUIRED
from planner.routing import free_space
from planner.rules import Rules
from planner.site import Site
from planner.workers import available_cpus
from planner.writers import FORMATS, write_outputs

SITE_SUFFIXES = (".geojson", ".json", ".dxf", ".dwg", ".zip")


def load_upload(
    name: str,
    data: bytes,
    *,
    requests_csv: bytes | None = None,
    limits: Limits | None = None,
    layers: str | None = None,
) -> Site:
    """Read an uploaded site file, DXF drawing or IMDF zip (and a requests CSV) as the CLI
    would, in memory and under the same limits (those of the run in progress unless given):
    nothing is written to disk, nothing uploaded is ever executed."""
    lim = limits or current_limits()
    max_bytes = lim.max_bytes
    suffix = Path(name).suffix.lower()
    if suffix not in SITE_SUFFIXES:
        raise PlannerError(
            f"'{name}' is not a file this version reads. Fix: upload a site GeoJSON "
            "(.geojson/.json), a DXF or DWG drawing or an IMDF .zip."
        )
    site_bytes = read_bytes(data, what="site file", max_bytes=max_bytes)
    csv_bytes = (
        None
        if requests_csv is None
        else read_bytes(requests_csv, what="requests CSV", max_bytes=max_bytes)
    )
    return read_site_bytes(name, site_bytes, requests_csv=csv_bytes, layers=layers, limits=lim)


def with_capacities(site: Site, capacities: dict[str, float | None]) -> Site:
    """The site with the given compartments' capacity (kW) replaced (None: unknown); a
    capacity that is not a number of kW from 0 to 100,000 is refused, naming the
    compartment (model_copy would not validate it)."""
    if not capacities:
        return site
    clean: dict[str, float | None] = {}
    for cid, kw in capacities.items():
        if kw is None or (isinstance(kw, float) and math.isnan(kw)):
            clean[cid] = None  # an emptied cell: unknown
        elif isinstance(kw, int | float) and not isinstance(kw, bool) and 0 <= kw <= 100_000:
            clean[cid] = float(kw)
        else:
            raise PlannerError(
                f"compartment {cid}: capacity {kw!r} kW is not a number from 0 to 100,000. "
                "Fix: type the power the utility can give this compartment, or leave it "
                "empty for unknown."
            )
    capacities = clean
    comps = tuple(
        c.model_copy(update={"capacity_kw": capacities[c.id]}) if c.id in capacities else c
        for c in site.compartments
    )
    return site.model_copy(update={"compartments": comps})


def box_candidates(
    site: Site,
    compartment_id: str,
    *,
    clearance_m: float = 0.1,
    limit: int = 12,
    lang: Lang = "en",
) -> list[tuple[str, tuple[float, float]]]:
    """The mountable faces (R5: on a column, wall, shaft or room, touching no stall) of a
    compartment, nearest its centroid first, as (label, local point)."""
    comp = next(c for c in site.compartments if c.id == compartment_id)
    centre = comp.polygon.centroid
    view = site.on_level(comp.level)
    free = free_space(comp.polygon, [o.geometry for o in view.obstacles], clearance_m=clearance_m)
    stalls = [sp.polygon for sp in view.spaces if sp.polygon.intersects(comp.polygon)]
    mounts = mount_faces(
        comp.polygon, free, view.obstacles, stalls, clearance_m=clearance_m, box_depth_m=0.2
    )
    found = []
    for geom, name, kind in mounts.structures:
        if kind == "boundary":
            continue
        part = mounts.lines.intersection(geom.buffer(clearance_m + 3e-3))
        if part.is_empty:
            continue
        q = shapely.ops.nearest_points(part, centre)[0]
        found.append(
            (q.distance(centre), f"{t(kind, lang)} {name} ({q.distance(centre):.1f} m)", (q.x, q.y))
        )
    found.sort()
    return [(label, xy) for _, label, xy in found[:limit]]


def to_local(site: Site, x: float, y: float) -> tuple[float, float]:
    """A point typed in the site file's own coordinates, in local metres."""
    p = site.frame.to_local(Point(x, y))
    return (p.x, p.y)


def to_source(site: Site, x: float, y: float) -> tuple[float, float]:
    """A local point in the site file's own coordinates."""
    p = site.frame.to_source(Point(x, y))
    return (p.x, p.y)


def compartment_rows(plan: Plan, lang: Lang) -> list[dict[str, Any]]:
    """Summary figures per compartment."""
    rows = []
    for s in plan.compartments:
        rows.append(
            {
                t("level", lang): s.level,
                t("compartment", lang): s.id,
                t("planned", lang): s.counts["planned"],
                t("pending", lang): s.counts["pending"],
                t("deferred", lang): s.counts["deferred"],
                t("blocked", lang): s.counts["blocked"],
                f"{t('connected', lang)} kW": round(s.connected_kw, 1),
                f"{t('demand', lang)} kW": round(s.demand_kw, 2),
                f"{t('capacity', lang)} kW": s.capacity_kw,
                t("spare", lang): s.spare_chargers,
                t("box", lang): s.boxes,
                t("cable_m", lang): round(s.cable_m, 1),
            }
        )
    return rows


def box_rows(plan: Plan, lang: Lang) -> list[dict[str, Any]]:
    """One row per meter box: where it is and how it was placed."""
    return [
        {
            t("box", lang): b.id,
            t("compartment", lang): b.compartment,
            t("box_placement", lang): t(f"placed_{b.placement}", lang),
            t("box_mount", lang): b.mount or b.mount_type,
            t("box_offset", lang): round(b.offset_m, 2),
            t("meters", lang): b.meters,
            t("box_sizes", lang): "+".join(str(n) for n in b.box_sizes),
            t("phase_kw", lang): "/".join(f"{b.phase_kw[p]:g}" for p in "ABC"),
            t("phase_a", lang): "/".join(f"{b.phase_a[p]:.1f}" for p in "ABC"),
            t("unbalance", lang): round(b.unbalance, 2),
            t("incoming_breaker", lang): b.incoming_breaker_a,
            t("incoming_cable", lang): b.incoming_cable,
            "x": round(b.point.x, 2),
            "y": round(b.point.y, 2),
        }
        for b in plan.boxes
    ]


def _deciding_first(r: RequestOutcome) -> list[Reason]:
    """A request's reasons with the one deciding its status first (an advisory warning
    such as R4's never hides it)."""
    decide = deciding_reason(r.reasons, r.status)
    return [decide, *(x for x in r.reasons if x is not decide)] if decide else list(r.reasons)


def request_rows(plan: Plan, lang: Lang) -> list[dict[str, Any]]:
    """One row per request: what the request table shows."""
    cables = {c.request: c for c in plan.cables}
    rows = []
    for r in plan.requests:
        c = cables.get(r.id)
        rows.append(
            {
                t("request", lang): r.id,
                t("space", lang): r.space,
                t("level", lang): r.level,
                t("compartment", lang): r.compartment,
                t("applicant", lang): r.applicant,
                t("status", lang): t(r.status, lang),
                "status": r.status,
                t("reasons", lang): "; ".join(  # the deciding reason first, then the rest
                    dict.fromkeys(reason_text(x, lang) for x in _deciding_first(r))
                ),
                t("cable_m", lang): None if c is None else round(c.cable_m, 1),
                t("conductor", lang): None if c is None else c.conductor_mm2,
                t("designation", lang): None if c is None else c.designation,
                t("methods", lang): None if c is None else "/".join(c.methods),
                t("grouping", lang): None if c is None else c.grouping,
                t("vdrop", lang): None if c is None else round(c.voltage_drop_pct, 2),
                t("phase", lang): (r.phase or "") + ("*" if r.phase_provisional else "") or None,
                t("breaker", lang): None if c is None else c.breaker,
                t("cost", lang): None if c is None else c.cost_cny,
            }
        )
    return rows


def bom_rows(plan: Plan, lang: Lang) -> list[dict[str, str]]:
    """The bill of materials as the app's table shows it."""
    header, rows = bom_table(plan, lang)
    return [dict(zip(header, row, strict=True)) for row in rows]


def reason_rows(plan: Plan, request_id: str, lang: Lang) -> list[dict[str, str]]:
    """Why one request has its status: every reason with rule and clause, in ``lang``."""
    r = next(x for x in plan.requests if x.id == request_id)
    return [
        {
            t("rule", lang): x.rule,
            t("code", lang): x.code,
            t("reasons", lang): reason_text(x, lang),
            t("clause", lang): x.clause,
            t("severity", lang): t(f"severity_{x.severity}", lang),
        }
        for x in r.reasons
    ]


APP_RULES = {"clearance_m": "clearance", "slack": "slack", "voltage_drop_limit_pct": "vdrop"}
"""The rules the desk has widgets for (rule -> widget key); slack is shown in per cent."""


def project_state(site: Site) -> dict[str, Any]:
    """What a reopened project sets in the desk: the option widgets' values, the rule
    widgets' values, the other rule overrides and the boxes moved by hand. Raises
    :class:`PlannerError` for a project that makes no sense."""
    options, rules = project_of(site)
    defaults = Rules().model_dump()
    changed = {k: v for k, v in rules.model_dump().items() if v != defaults[k]}
    reserve = options.reserve
    widgets: dict[str, Any] = {
        "routing": options.routing,
        "placement": options.placement,
        "managed": options.managed,
        "trunk": options.trunk,
        "reserve": {"none": 0.0, "all": 1.0}.get(reserve, reserve),  # type: ignore[arg-type]
        "clearance": rules.clearance_m,
        "slack": rules.slack * 100,
        "vdrop": rules.voltage_drop_limit_pct,
    }
    extra = {k: v for k, v in changed.items() if k not in APP_RULES}
    return {"widgets": widgets, "rules": extra, "box_positions": dict(options.box_positions)}


def project_bytes(plan: Plan) -> bytes:
    """The project file of the plan on screen (inputs only), to download and reopen."""
    doc = site_collection(plan.site, project_property(plan.site, plan.options, plan.rules))
    return dumps(doc)


ZIP_LEVEL = 1
"""zlib's fastest level for the download zips: the SVGs and GeoJSON are repetitive text,
which level 1 packs nearly as small as the default 6, four times faster."""


def _packed(path: Path) -> int:
    """How a file goes into a download zip: PNGs and PDFs are compressed already (deflating
    them again took a second of the desk's files and saved little), the rest deflated."""
    return zipfile.ZIP_STORED if path.suffix in {".png", ".pdf"} else zipfile.ZIP_DEFLATED


def export_files(plan: Plan, *, lang: Lang = "zh") -> dict[str, bytes]:
    """Every download of the current plan, by file name, built in a private temporary
    folder that is removed afterwards: the whole package in one zip, then the approval
    PDF, the owner papers (one zip), the sheets, GeoJSON, GeoPackage, DXF and CSV."""
    files: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="planner-") as tmp:
        out = Path(tmp)
        write_outputs(
            plan,
            out,
            formats=FORMATS,
            notices=True,
            combined=True,
            lang=lang,
            workers=available_cpus(),  # the workers never run app.py (planner.workers)
        )
        package = io.BytesIO()  # the whole package as planner plan writes it, in one file
        with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as z:
            for path in sorted(p for p in out.rglob("*") if p.is_file()):
                z.write(path, arcname=path.relative_to(out).as_posix(), compress_type=_packed(path))
        files["package.zip"] = package.getvalue()
        for path in sorted(out.iterdir()):
            if path.is_file() and not path.name.startswith("."):  # the package's own marker
                files[path.name] = path.read_bytes()  # travels in the zip only
        notices = out / "notices"
        combined = notices / COMBINED
        if combined.exists():  # what the property office prints
            files[COMBINED] = combined.read_bytes()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as z:
            for path in sorted(notices.glob("*.pdf")) if notices.exists() else []:
                if path != combined:
                    z.write(path, arcname=path.name, compress_type=_packed(path))
        files["notices.zip"] = buffer.getvalue()
    return files


# -- completing a site in the desk (issue 14 items 2 and 3) ------------------------------

LEVEL_FIELDS = ("id", "name", "floor", "garage_type", "ceiling_height_m", *FIRE)
COMPARTMENT_FIELDS = ("id", "level", "name", "capacity_kw", "axis_deg")
SITE_FIELDS = ("name", "community", "supply", "surveyor", "revision")
REQUEST_FIELDS = (*REQUIRED, *OPTIONAL)


def _collection(site: Site) -> dict[str, Any]:
    return site_collection(site, site.info.project)


def _reparse(
    doc: dict[str, Any],
    *,
    before: Site,
    requests_csv: bytes | None = None,
    drawn: bool = False,
) -> Site:
    """Edits take effect by reading the edited site file again: the same validation as a
    file's, and the same messages (naming the feature and the fix). What a converted
    drawing still lacks is counted again from the edited features (``drawn``: the surveyor
    has drawn the fire compartments, so the conversion's stand-in is gone)."""
    site = parse_site(
        json.dumps(doc, ensure_ascii=False).encode("utf-8"),
        requests_csv=requests_csv,
        limits=current_limits(),
    )
    todo = [w for w in before.warnings if w.code == "CONVERTED_COMPLETE"]
    if not todo:
        return site
    conv = Conversion(
        source=todo[0].source,
        features=doc["features"],
        to_complete=[
            *(w.message for w in todo if not (drawn and w.message.startswith("fire compartments"))),
            *COMPLETE_CHECKS,  # asked again: a new compartment may lack its capacity
        ],
    )
    refresh(conv)
    still = [todo[0].model_copy(update={"message": m}) for m in conv.to_complete]
    return site.model_copy(update={"warnings": (*site.warnings, *still)})


def site_tables(site: Site) -> dict[str, list[dict[str, Any]]]:
    """The site, its levels and its compartments as rows the desk edits."""
    doc = _collection(site)
    rows: dict[str, list[dict[str, Any]]] = {"site": [], "level": [], "compartment": []}
    fields = {"site": SITE_FIELDS, "level": LEVEL_FIELDS, "compartment": COMPARTMENT_FIELDS}
    for f in doc["features"]:
        kind = f["properties"]["kind"]
        if kind in rows:
            rows[kind].append({k: f["properties"].get(k) for k in fields[kind]})
    return rows


def with_tables(site: Site, tables: dict[str, list[dict[str, Any]]]) -> Site:
    """The site with edited site, level and compartment rows (matched by id; a level's id
    may not change here: its features refer to it)."""
    doc = _collection(site)
    by_id = {
        (f["properties"]["kind"], f["properties"].get("id")): f["properties"]
        for f in doc["features"]
    }
    for kind, rows in tables.items():
        for row in rows:
            key = (kind, None if kind == "site" else row.get("id"))
            props = by_id.get(key)
            if props is None:
                raise PlannerError(
                    f"there is no {kind} '{row.get('id')}' in the site. Fix: edit the rows "
                    "shown; add compartments with 'draw a compartment'."
                )
            for k, v in row.items():
                if k != "id" and (v is not None or props.get(k) is not None):
                    props[k] = None if v == "" else v
    return _reparse(doc, before=site)


def with_answers(site: Site, name: str, data: bytes) -> Site:
    """The site completed by a TOML file of answers, the same file ``planner convert
    --answers`` takes (``[site]``, ``[levels.<id>]``, ``[compartments.<id>]``)."""
    answers = parse_toml(
        data,
        name=name,
        what="answers (--answers)",
        example=ANSWERS_EXAMPLE,
    )
    check_answers(answers, name)  # every table and property known, as for --answers
    tables: dict[str, list[dict[str, Any]]] = {"site": [], "level": [], "compartment": []}
    if answers.get("site"):
        tables["site"].append(dict(answers["site"]))
    for table, kind in (("levels", "level"), ("compartments", "compartment")):
        for ident, props in (answers.get(table) or {}).items():
            tables[kind].append({**props, "id": ident})
    return with_tables(site, tables)


def parse_corners(text: str) -> list[tuple[float, float]]:
    """Corners typed as ``x1,y1; x2,y2; ...`` (the file's coordinates), at least three."""
    corners = []
    for part in text.replace("；", ";").replace("，", ",").split(";"):
        if not part.strip():
            continue
        try:
            x, y = (float(v) for v in part.split(","))
        except ValueError:
            raise PlannerError(
                f"corner '{part.strip()}' is not x,y. Fix: type the corners as "
                "x1,y1; x2,y2; x3,y3 in the drawing's coordinates."
            ) from None
        corners.append((x, y))
    if len(corners) < 3:
        raise PlannerError(
            "a compartment needs at least three corners. Fix: type them as x1,y1; x2,y2; x3,y3."
        )
    return corners


def with_compartment(
    site: Site,
    *,
    level: str,
    ident: str,
    corners: list[tuple[float, float]],
    name: str | None = None,
    capacity_kw: float | None = None,
    replace: tuple[str, ...] = (),
) -> Site:
    """The site with a compartment drawn by its corners (in the file's coordinates), the
    compartments ``replace`` removed; overlaps and compartments outside their level are
    refused as in a file."""
    doc = _collection(site)
    if ident in {c.id for c in site.compartments if c.id not in replace}:
        raise PlannerError(f"compartment '{ident}' exists already. Fix: choose another id.")
    doc["features"] = [
        f
        for f in doc["features"]
        if not (f["properties"]["kind"] == "compartment" and f["properties"]["id"] in replace)
    ]
    ring = [list(c) for c in corners] + [list(corners[0])]
    doc["features"].append(
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {
                "kind": "compartment",
                "id": ident,
                "level": level,
                "name": name,
                "capacity_kw": capacity_kw,
            },
        }
    )
    return _reparse(doc, before=site, drawn=True)


def unassigned_spaces(site: Site) -> list[str]:
    """Spaces in no compartment of their level (the desk shows them as errors)."""
    grown = {c.id: c.polygon.buffer(0.01) for c in site.compartments}  # once, not per space
    inside = np.zeros(len(site.spaces), dtype=bool)
    centres = shapely.centroid(np.asarray([s.polygon for s in site.spaces], dtype=object))
    levels = np.asarray([s.level for s in site.spaces], dtype=object)
    for c in site.compartments:
        on = levels == c.level
        inside[on] |= shapely.contains(grown[c.id], centres[on])
    return [s.id for s, ok in zip(site.spaces, inside, strict=True) if not ok]


def request_table(site: Site) -> list[dict[str, Any]]:
    """The site's requests as editable rows (the requests CSV's columns)."""
    rows = []
    for f in _collection(site)["features"]:
        p = f["properties"]
        if p["kind"] != "request":
            continue
        row = {k: p.get(k) for k in REQUEST_FIELDS}
        row["documents"] = ";".join(p.get("documents") or [])
        rows.append(row)
    return rows


def requests_csv(rows: list[dict[str, Any]]) -> bytes:
    """Rows as a requests CSV (UTF-8 with BOM, safe for Excel), to download or to read."""
    from planner.writers.csv import excel_safe  # noqa: PLC0415 - the writers load lazily

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REQUEST_FIELDS)
    for row in rows:
        if not any(row.get(k) not in (None, "") for k in REQUEST_FIELDS):
            continue  # an empty row the editor added
        writer.writerow(
            [excel_safe("" if row.get(k) is None else str(row.get(k))) for k in REQUEST_FIELDS]
        )
    return buffer.getvalue().encode("utf-8-sig")


def with_requests(site: Site, rows: list[dict[str, Any]]) -> Site:
    """The site with its requests replaced by ``rows``, read as a requests CSV is: the
    same validation and messages (each naming its row)."""
    doc = _collection(site)
    doc["features"] = [f for f in doc["features"] if f["properties"]["kind"] != "request"]
    return _reparse(doc, before=site, requests_csv=requests_csv(rows))


def with_requests_file(site: Site, data: bytes | None) -> Site:
    """The site, every edit kept, with its requests replaced by those of a requests CSV
    uploaded after it (none when the CSV is removed)."""
    doc = _collection(site)
    doc["features"] = [f for f in doc["features"] if f["properties"]["kind"] != "request"]
    csv_bytes = (
        None
        if data is None
        else read_bytes(data, what="requests CSV", max_bytes=current_limits().max_bytes)
    )
    return _reparse(doc, before=site, requests_csv=csv_bytes)


def unmatched_requests(site: Site) -> list[str]:
    """Requests naming a space the site does not have, as the surveyor should read them
    (``row 3: R07 -> B1-999``); empty when every request finds its stall."""
    spaces = {s.id for s in site.spaces}
    out = []
    for r in site.requests:
        if r.space not in spaces:
            where = f"row {r.index}" if r.source == "csv" and r.index is not None else "site"
            out.append(f"{where}: {r.id} -> {r.space}")
    return out


def with_compartment_layer(site: Site, name: str, data: bytes, *, level: str) -> Site:
    """The site with the compartments of a separate layer (a GeoJSON of ``compartment``
    polygons, or a DXF whose fire-compartment layer maps to ``compartment``), drawn in the
    site file's own coordinates, in place of ``level``'s compartments; overlaps and
    compartments outside the level are refused as in a file."""
    kind = kind_of(name)
    if kind in {"dxf", "dwg"}:
        conv = convert(data, name=name, kind=kind, level=level, limits=current_limits())
        feats = conv.collection()["features"]
    elif kind == "geojson":
        try:
            feats = json.loads(data.decode("utf-8-sig"))["features"]
        except (UnicodeDecodeError, ValueError, KeyError, TypeError):
            raise PlannerError(
                f"'{name}' is not a GeoJSON FeatureCollection. Fix: upload the compartments "
                "as a FeatureCollection of Polygons (kind compartment, with id)."
            ) from None
    else:
        raise PlannerError(f"'{name}': upload the compartments as .geojson or .dxf/.dwg.")
    new = [
        f
        for f in feats
        if isinstance(f, dict)
        and (f.get("properties") or {}).get("kind", "compartment") == "compartment"
        and (f.get("geometry") or {}).get("type") == "Polygon"
    ]
    if not new:
        raise PlannerError(
            f"'{name}' holds no compartment polygon. Fix: draw each 防火分区 as a closed "
            "polygon (kind compartment, or on a fire-compartment layer of the DXF)."
        )
    doc = _collection(site)
    doc["features"] = [
        f
        for f in doc["features"]
        if not (f["properties"]["kind"] == "compartment" and f["properties"]["level"] == level)
    ]
    for n, f in enumerate(new, start=1):
        props = dict(f.get("properties") or {})
        props.update(kind="compartment", level=level)
        if props.get("id") is None:
            props["id"] = f"{level}-FQ{n}"
        keep = {k: props.get(k) for k in ("kind", "id", "level", "name", "capacity_kw", "axis_deg")}
        doc["features"].append({"type": "Feature", "geometry": f["geometry"], "properties": keep})
    return _reparse(doc, before=site, drawn=True)


def selection_corners(site: Site, selection: Any) -> str | None:
    """A box or lasso drawn on the desk's plan (local metres) as corners typed in the site
    file's own coordinates (``x1,y1; x2,y2; ...``), for a compartment; None without one."""
    if not selection:
        return None
    shape = None
    for kind in ("lasso", "box"):
        found = (selection.get(kind) if hasattr(selection, "get") else None) or []
        if found:
            shape = (kind, found[-1])
            break
    if shape is None:
        return None
    kind, area = shape
    xs, ys = list(area.get("x") or []), list(area.get("y") or [])
    if kind == "box" and len(xs) == 2 and len(ys) == 2:
        xs, ys = [xs[0], xs[1], xs[1], xs[0]], [ys[0], ys[0], ys[1], ys[1]]
    if len(xs) < 3 or len(xs) != len(ys):
        return None
    corners = [to_source(site, float(x), float(y)) for x, y in zip(xs, ys, strict=True)]
    return "; ".join(f"{x:.6g},{y:.6g}" for x, y in corners)
