"""Project files (site-format.md section 1): what the surveyor saves and reopens.

A project file is itself a site file: the completed site with its requests as ``request``
features, in the file's own units and CRS, and in the ``site`` feature a ``project``
property ``{options: {routing, placement, managed, trunk, reserve}, rules: {field: value},
box_positions: {compartment: [x, y]}}``. It holds inputs only, never computed results:
reopening it plans afresh, to the same plan. A site file without ``project`` plans with the
defaults.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import shapely
from pydantic import ValidationError
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from planner.errors import PlannerError
from planner.jsonio import write_json
from planner.plan import PlanOptions
from planner.rules import Rules
from planner.site import Site, Space, geojson_geometries

OPTION_FIELDS = ("routing", "placement", "managed", "trunk", "reserve")
"""The plan options a project keeps (box positions have their own key)."""


def project_property(site: Site, options: PlanOptions, rules: Rules) -> dict[str, Any]:
    """The ``project`` property: the options, the rules that differ from the defaults and
    the boxes moved by hand (in the file's units and CRS)."""
    defaults = Rules().model_dump(mode="json")
    mine = rules.model_dump(mode="json")
    boxes = {}
    for comp, (x, y) in options.box_positions.items():
        p = site.frame.to_source(Point(x, y))
        boxes[comp] = [p.x, p.y]
    return {
        "options": {k: getattr(options, k) for k in OPTION_FIELDS},
        "rules": {k: v for k, v in mine.items() if v != defaults.get(k)},
        "box_positions": boxes,
    }


def project_of(site: Site) -> tuple[PlanOptions, Rules]:
    """The options and rules a site file's ``project`` property holds (the defaults where
    it has none), box positions in local metres; a :class:`PlannerError` naming the field
    that makes no sense."""
    raw = site.info.project or {}
    if not isinstance(raw, dict):
        raise PlannerError(
            "site property 'project' is not an object. Fix: write it as "
            '{"options": {...}, "rules": {...}, "box_positions": {...}} or leave it out.'
        )
    unknown = set(raw) - {"options", "rules", "box_positions"}
    if unknown:
        raise PlannerError(
            f"site property 'project' has unknown key(s) {', '.join(sorted(unknown))}. "
            "Fix: keep only options, rules and box_positions."
        )
    options = _options(raw.get("options") or {}, raw.get("box_positions") or {}, site)
    return options, _rules(raw.get("rules") or {})


def _options(opts: Any, boxes: Any, site: Site) -> PlanOptions:
    if not isinstance(opts, dict) or not isinstance(boxes, dict):
        raise PlannerError(
            "project.options and project.box_positions must be objects. Fix: write e.g. "
            '"options": {"routing": "rectilinear"}, "box_positions": {"FQ1": [12.5, 8.0]}.'
        )
    extra = set(opts) - set(OPTION_FIELDS)
    if extra:
        raise PlannerError(
            f"project.options: unknown option(s) {', '.join(sorted(extra))}. Fix: use "
            + ", ".join(OPTION_FIELDS)
            + "."
        )
    comps = {c.id for c in site.compartments}
    local: dict[str, tuple[float, float]] = {}
    for comp, xy in boxes.items():
        if comp not in comps:
            raise PlannerError(
                f"project.box_positions: no compartment '{comp}' in the site. Fix: use one "
                f"of {', '.join(sorted(comps))}, or remove the entry."
            )
        if (
            not isinstance(xy, list | tuple)
            or len(xy) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in xy)
        ):
            raise PlannerError(
                f"project.box_positions.{comp} = {xy!r} is not [x, y]. Fix: give the box's "
                "position as two numbers in the file's coordinates."
            )
        p = site.frame.to_local(Point(float(xy[0]), float(xy[1])))
        local[comp] = (p.x, p.y)
    try:
        return PlanOptions(**opts, box_positions=local)
    except ValidationError as exc:
        raise _invalid(exc, "project.options", "use a value the command line accepts") from None


def _rules(rules: Any) -> Rules:
    if not isinstance(rules, dict):
        raise PlannerError(
            'project.rules must be an object of rule: value. Fix: e.g. "rules": '
            '{"voltage_drop_limit_pct": 5}.'
        )
    names = Rules.model_fields
    for name in rules:
        if name not in names:
            close = difflib.get_close_matches(name, names, n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise PlannerError(f"project.rules: there is no rule '{name}'.{hint}")
    try:
        return Rules.model_validate({**Rules().model_dump(), **rules})
    except ValidationError as exc:
        raise _invalid(exc, "project.rules", "give a value of the rule's type") from None


def _invalid(exc: ValidationError, where: str, fix: str) -> PlannerError:
    """The first of pydantic's complaints as one message naming the project's field."""
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"])
    return PlannerError(f"{where}.{field}: {err['msg']} (got {err.get('input')!r}). Fix: {fix}.")


def _source(site: Site, key: str, geom: BaseGeometry) -> BaseGeometry:
    """``geom`` as the file drew it: the file's own geometry where it is still the same
    (to the micrometre), else reprojected."""
    src = site.sources.get(key)
    if isinstance(src, BaseGeometry) and shapely.equals_exact(
        site.frame.to_local(src), geom, tolerance=1e-6
    ):
        return src
    return site.frame.to_source(geom)


def _props(model: Any, drop: set[str]) -> dict[str, Any]:
    data = model.model_dump(mode="json", exclude=drop | {"index"})
    return {k: v for k, v in data.items() if v is not None and v != ()}


def site_collection(site: Site, project: dict[str, Any] | None = None) -> dict[str, Any]:
    """The site (with its requests as features) as a site file in its own units and CRS;
    ``project`` goes into the site feature. Nothing computed is written."""
    features: list[dict[str, Any]] = []
    drawn: list[tuple[int, BaseGeometry]] = []  # (feature, geometry), converted at once

    def add(kind: str, model: Any, geom: BaseGeometry | None, props: dict[str, Any]) -> None:
        if geom is not None:
            drawn.append((len(features), _source(site, str(getattr(model, "index", None)), geom)))
        features.append(
            {"type": "Feature", "geometry": None, "properties": {"kind": kind, **props}}
        )

    info = _props(site.info, {"boundary", "project"})
    if project is not None:
        info["project"] = project
    add("site", None, site.info.boundary, info)
    for lv in site.levels:
        add("level", lv, lv.outline, _props(lv, {"outline"}))
    for c in site.compartments:
        add("compartment", c, c.polygon, _props(c, {"polygon"}))
    for s in site.spaces:
        add("space", s, s.polygon, _space_props(site, s))
    for o in site.obstacles:
        add("obstacle", o, o.geometry, _props(o, {"geometry"}))
    for tr in site.trays:
        add("tray", tr, tr.line, _props(tr, {"line"}))
    for a in site.axes:
        add("axis", a, a.line, _props(a, {"line"}))
    for r in site.requests:  # CSV requests have row numbers, not feature indexes
        add("request", r if r.source == "site" else None, r.point, _props(r, {"point", "source"}))
    converted = geojson_geometries([geom for _, geom in drawn])
    for (n, _), geometry in zip(drawn, converted, strict=True):
        features[n]["geometry"] = geometry
    return {"type": "FeatureCollection", "features": features}


def _space_props(site: Site, s: Space) -> dict[str, Any]:
    """A space's properties, its charger point and tenure as the file gave them."""
    props = _props(s, {"polygon", "charger", "tenure"})
    if s.tenure_stated is not None:
        props["tenure"] = s.tenure_stated
    if s.charger is not None:
        given = site.sources.get(f"{s.index}:charger")
        p = site.frame.to_source(s.charger)
        if given is not None and site.frame.to_local(Point(*given)).equals_exact(s.charger, 1e-6):
            props["charger"] = list(given)
        else:
            props["charger"] = [p.x, p.y]
    return props


def write_project(site: Site, options: PlanOptions, rules: Rules, path: Path) -> Path:
    """Write ``project.geojson``: the site, its requests and how it was planned."""
    return write_json(path, lambda: site_collection(site, project_property(site, options, rules)))
