"""Layer maps: which CAD layer holds which kind of feature.

A map is an ordered list of (pattern, kind) pairs; patterns are shell-style and matched
case-insensitively against the layer name, the first match wins. Kinds are ``level``,
``compartment``, ``space``, ``tray``, ``charger`` (charger positions, given to the nearest
stall), ``obstacle:<type>`` (column, wall, shaft, ramp, room, other) and ``ignore``
(known, not wanted: listed as ignored, not as unknown). A TOML file may hold a map::

    [layers]
    "p-parking-*" = "space"
    "e-pillar" = "obstacle:column"
    "e-zone-area" = "compartment"
    "e-outline" = "level"

and is tried before the built-in map, which knows common Chinese and English layer names and
the ``EV-<key>-<kind>`` layers the planner itself writes (and their earlier ``<level>|<kind>``
form).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from planner.errors import PlannerError
from planner.readers.base import read_toml

KINDS = (
    "level",
    "compartment",
    "space",
    "tray",
    "charger",
    "ignore",
    *(f"obstacle:{t}" for t in ("column", "wall", "shaft", "ramp", "room", "other")),
)

LEVEL_PROPERTY = "PLANNER_LEVEL_"
"""The planner's DXF export names each level in a custom drawing property
``PLANNER_LEVEL_<key>`` (value: the level id) for its layers ``EV-<key>-<kind>``."""

DEFAULT: tuple[tuple[str, str], ...] = (
    # the planner's own export: EV-<key>-<kind> (the level table is in the drawing)
    ("ev-*-cable-*", "ignore"),
    ("ev-*-tray_run*", "ignore"),
    ("ev-*-meter_box", "ignore"),
    ("ev-*-axis", "ignore"),
    ("ev-*-level", "level"),
    ("ev-*-compartment", "compartment"),
    ("ev-*-space", "space"),
    ("ev-*-tray", "tray"),
    ("ev-*-column", "obstacle:column"),
    ("ev-*-wall", "obstacle:wall"),
    ("ev-*-shaft", "obstacle:shaft"),
    ("ev-*-ramp", "obstacle:ramp"),
    ("ev-*-room", "obstacle:room"),
    ("ev-*-other", "obstacle:other"),
    ("ev-*-charger", "charger"),
    # its earlier form: <level>|<kind>
    ("*|level", "level"),
    ("*|compartment", "compartment"),
    ("*|space", "space"),
    ("*|tray", "tray"),
    ("*|column", "obstacle:column"),
    ("*|wall", "obstacle:wall"),
    ("*|shaft", "obstacle:shaft"),
    ("*|ramp", "obstacle:ramp"),
    ("*|room", "obstacle:room"),
    ("*|other", "obstacle:other"),
    ("*|charger", "charger"),
    ("*|cable*", "ignore"),
    ("*|meter_box", "ignore"),
    # known, not wanted
    ("*cctv*", "ignore"),
    ("*camera*", "ignore"),
    ("*light*", "ignore"),
    ("*照明*", "ignore"),
    ("*guide*", "ignore"),
    ("*arrow*", "ignore"),
    ("*dim*", "ignore"),
    ("*标注*", "ignore"),
    ("*axis*", "ignore"),
    ("*轴线*", "ignore"),
    ("*text*", "ignore"),
    ("*文字*", "ignore"),
    ("defpoints", "ignore"),
    # compartments and outlines
    ("*fire*compartment*", "compartment"),
    ("*firecompartment*", "compartment"),
    ("*fire*zone*", "compartment"),
    ("*防火分区*", "compartment"),
    ("*outline*", "level"),
    ("*轮廓*", "level"),
    ("*车库范围*", "level"),
    # stalls and chargers
    ("*charger*", "charger"),
    ("*充电桩*", "charger"),
    ("*parking*", "space"),
    ("*车位*", "space"),
    ("*停车位*", "space"),
    ("*stall*", "space"),
    # obstacles
    ("*column*", "obstacle:column"),
    ("*pillar*", "obstacle:column"),
    ("*柱*", "obstacle:column"),
    ("*wall*", "obstacle:wall"),
    ("*墙*", "obstacle:wall"),
    ("*elevator*", "obstacle:shaft"),
    ("*lift*", "obstacle:shaft"),
    ("*stair*", "obstacle:shaft"),
    ("*shaft*", "obstacle:shaft"),
    ("*电梯*", "obstacle:shaft"),
    ("*楼梯*", "obstacle:shaft"),
    ("*井*", "obstacle:shaft"),
    ("*ramp*", "obstacle:ramp"),
    ("*entrance*", "obstacle:ramp"),
    ("*坡道*", "obstacle:ramp"),
    ("*room*", "obstacle:room"),
    ("*机房*", "obstacle:room"),
    ("*用房*", "obstacle:room"),
    # trays
    ("*tray*", "tray"),
    ("*桥架*", "tray"),
    ("*线槽*", "tray"),
)


@dataclass(frozen=True)
class LayerMap:
    """An ordered layer map; :meth:`kind_of` gives a layer's kind (``None``: unmapped)."""

    rules: tuple[tuple[str, str], ...] = DEFAULT

    def kind_of(self, layer: str) -> str | None:
        name = layer.casefold()
        for pattern, kind in self.rules:
            if fnmatch.fnmatchcase(name, pattern.casefold()):
                return kind
        return None

    @classmethod
    def load(cls, path: str | Path | None) -> LayerMap:
        """The map of a TOML file, tried before the built-in one; the built-in alone if
        ``path`` is None."""
        if path is None:
            return cls()
        data = read_toml(
            path,
            what="layer map (--layers)",
            example='[layers] then lines like "p-parking-*" = "space"',
        )
        table = data.get("layers")
        if not isinstance(table, dict) or not table:
            raise PlannerError(
                f"layer map '{path}' has no [layers] table. Fix: add one with "
                'lines like "e-pillar" = "obstacle:column".'
            )
        bad = {k: v for k, v in table.items() if v not in KINDS}
        if bad:
            raise PlannerError(
                f"layer map '{path}': unknown kind(s) "
                + ", ".join(f"{k} = {v!r}" for k, v in bad.items())
                + ". Fix: use one of "
                + ", ".join(KINDS)
                + "."
            )
        return cls(tuple((str(k), str(v)) for k, v in table.items()) + DEFAULT)
