"""The surveyor's answers to a conversion's to-complete list, scriptable: a TOML file and
``--set-site`` / ``--set-level`` / ``--set-compartment`` assignments of ``planner convert``.

A TOML file of answers::

    [site]
    name = "和平小区地下车库"
    community = "和平小区"
    supply = "direct"
    surveyor = "国网兰州供电公司 勘察组"

    [levels.B1]
    name = "地下一层"
    floor = -1
    garage_type = "underground"
    fire_alarm = true            # ... and the other four fire systems

    [compartments.B1-FQ1]
    capacity_kw = 200

The assignments say the same one at a time: ``--set-site community=和平小区``,
``--set-level B1:floor=-1``, ``--set-compartment B1-FQ1:capacity_kw=200`` (values read as
JSON where they can be: numbers, true/false, null). Every id and property is checked; the
values are then validated as any site file's are.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from planner.errors import PlannerError
from planner.readers.base import read_toml
from planner.readers.conversion import FIRE, Conversion

ANSWERABLE: dict[str, tuple[str, ...]] = {
    "site": ("name", "community", "supply", "urban", "surveyor", "revision", "north_deg"),
    "level": ("name", "floor", "garage_type", "ceiling_height_m", *FIRE),
    "compartment": ("name", "capacity_kw", "axis_deg"),
}
"""What the answers may set, by kind (the properties of site-format.md section 1)."""
TABLES = {"site": "site", "levels": "level", "compartments": "compartment"}
EXAMPLE = "tables [site], [levels.B1] and [compartments.B1-FQ1] with lines like floor = -1"
"""How an answers file is written, for the message that refuses one."""
COMPLETE_CHECKS = (
    "garage_type of level(s)",
    "the five fire systems",
    "floor of level(s)",
    "capacity_kw of",
)
"""The items of the to-complete list that :func:`refresh` counts from the features."""


def load_answers(path: str | Path) -> dict[str, Any]:
    """A TOML file of answers as ``{site: {...}, levels: {id: {...}}, compartments: {...}}``."""
    data = read_toml(
        path,
        what="answers (--answers)",
        example=EXAMPLE,
    )
    check_answers(data, str(path))
    return data


def check_answers(data: dict[str, Any], name: str) -> None:
    """Refuse tables other than ``[site]``, ``[levels.<id>]`` and ``[compartments.<id>]``."""
    unknown = set(data) - set(TABLES)
    if unknown:
        raise PlannerError(
            f"answers '{name}': unknown table(s) {', '.join(sorted(unknown))}. Fix: use "
            "[site], [levels.<id>] and [compartments.<id>]."
        )
    site = data.get("site") or {}
    if not isinstance(site, dict):
        raise PlannerError("answers: [site] must be a table of properties.")
    _known(site, "site", "the site")
    for table in ("levels", "compartments"):
        items = data.get(table) or {}
        if not isinstance(items, dict):
            raise PlannerError(f"answers: {table} must hold tables like [{table}.<id>].")
        for ident, props in items.items():
            if not isinstance(props, dict):
                raise PlannerError(f"answers: {table}.{ident} must be a table of properties.")
            _known(props, TABLES[table], f"{TABLES[table]} '{ident}'")


def _known(props: dict[str, Any], kind: str, what: str) -> None:
    """Refuse a property the answers may not set for ``kind``."""
    allowed = ANSWERABLE[kind]
    for key in props:
        if key not in allowed:
            raise PlannerError(
                f"answers: {what} has no property '{key}' to set. Fix: use one of "
                + ", ".join(allowed)
                + "."
            )


def assignments(site: list[str], levels: list[str], compartments: list[str]) -> dict[str, Any]:
    """``--set-site KEY=VALUE``, ``--set-level ID:KEY=VALUE``, ``--set-compartment
    ID:KEY=VALUE`` as answers."""
    out: dict[str, Any] = {"site": {}, "levels": {}, "compartments": {}}
    for text in site:
        key, value = _pair(text, "--set-site", "community=和平小区")
        out["site"][key] = value
    for flag, table, items in (
        ("--set-level", "levels", levels),
        ("--set-compartment", "compartments", compartments),
    ):
        for text in items:
            ident, sep, rest = text.partition(":")
            if not sep or not ident:
                raise PlannerError(
                    f"{flag} '{text}' is not ID:KEY=VALUE. Fix: write e.g. "
                    f"{flag} {'B1:floor=-1' if table == 'levels' else 'B1-FQ1:capacity_kw=200'}."
                )
            key, value = _pair(rest, flag, "floor=-1")
            out[table].setdefault(ident, {})[key] = value
    return out


def _pair(text: str, flag: str, example: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise PlannerError(f"{flag} '{text}' is not KEY=VALUE. Fix: write e.g. {example}.")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key.strip(), value


def merge(*answers: dict[str, Any]) -> dict[str, Any]:
    """Answers given in several ways, later ones winning."""
    out: dict[str, Any] = {"site": {}, "levels": {}, "compartments": {}}
    for a in answers:
        out["site"].update(a.get("site", {}))
        for table in ("levels", "compartments"):
            for ident, props in a.get(table, {}).items():
                out[table].setdefault(ident, {}).update(props)
    return out


def apply_answers(conv: Conversion, answers: dict[str, Any]) -> None:
    """Write the answers into the converted site's features and refresh what is still to
    complete; a :class:`PlannerError` for an id or property the site does not have."""
    by_kind: dict[str, dict[str | None, dict[str, Any]]] = {}
    for f in conv.features:
        props = f["properties"]
        by_kind.setdefault(props["kind"], {})[props.get("id")] = props
    site_props = next(iter(by_kind.get("site", {}).values()), None)
    if answers.get("site") and site_props is not None:
        _set(site_props, answers["site"], "site", "the site")
    for table, kind in (("levels", "level"), ("compartments", "compartment")):
        known = by_kind.get(kind, {})
        for ident, props in answers.get(table, {}).items():
            if ident not in known:
                raise PlannerError(
                    f"answers: there is no {kind} '{ident}' in the drawing. Fix: use one of "
                    + ", ".join(sorted(str(k) for k in known))
                    + "."
                )
            if not isinstance(props, dict):
                raise PlannerError(f"answers: {table}.{ident} must be a table of properties.")
            _set(known[ident], props, kind, f"{kind} '{ident}'")
    refresh(conv)


def _set(target: dict[str, Any], values: dict[str, Any], kind: str, what: str) -> None:
    _known(values, kind, what)
    target.update(values)


def refresh(conv: Conversion) -> None:
    """Recount what is still to complete from the features themselves."""
    levels = [f["properties"] for f in conv.features if f["properties"]["kind"] == "level"]
    comps = [f["properties"] for f in conv.features if f["properties"]["kind"] == "compartment"]
    site: dict[str, Any] = next(
        (f["properties"] for f in conv.features if f["properties"]["kind"] == "site"), {}
    )

    def ids(missing: list[dict[str, Any]]) -> str:
        return ", ".join(str(p["id"]) for p in missing)

    checks = {  # keys as COMPLETE_CHECKS
        "garage_type of level(s)": [p for p in levels if p.get("garage_type") is None],
        "the five fire systems": [p for p in levels if any(p.get(k) is None for k in FIRE)],
        "floor of level(s)": [p for p in levels if p.get("floor") is None],
        "capacity_kw of": [p for p in comps if p.get("capacity_kw") is None],
    }
    words = {
        "garage_type of level(s)": "garage_type of level(s) {} (null: planned as underground)",
        "floor of level(s)": "floor of level(s) {} (null: depth not checked)",
        "the five fire systems": "the five fire systems of level(s) {}: "
        + ", ".join(FIRE)
        + " (null: absent, so requests are blocked)",
        "capacity_kw of": "capacity_kw of compartment(s) {} (null: unknown, nothing deferred)",
    }
    site_done = bool(site.get("community") and site.get("surveyor"))
    kept = []
    for item in conv.to_complete:
        prefix = next((k for k in checks if item.startswith(k)), None)
        if prefix is None:
            if not (item.startswith("the site's name") and site_done):
                kept.append(item)
        elif checks[prefix]:
            kept.append(words[prefix].format(ids(checks[prefix])))
    conv.to_complete[:] = dict.fromkeys(kept)  # each item once, in order
