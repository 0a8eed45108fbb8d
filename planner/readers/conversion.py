"""What a CAD or indoor-map conversion produces: a site file, and what the surveyor must
still complete, never assumed safe."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import Polygon, mapping
from shapely.geometry.base import BaseGeometry

from planner.errors import printable
from planner.privacy import mask_properties, mask_text

FIRE = ("fire_alarm", "smoke_exhaust", "sprinklers", "emergency_lighting", "evacuation_signs")


@dataclass
class Conversion:
    """A converted site: its features and the account of what became of the input."""

    source: str
    features: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    unmapped: Counter[str] = field(default_factory=Counter)
    ignored: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    to_complete: list[str] = field(default_factory=list)
    repaired: int = 0

    def add(self, kind: str, geom: BaseGeometry | None, **props: Any) -> None:
        """Add one feature of the site contract."""
        self.features.append(
            {
                "type": "Feature",
                "geometry": None if geom is None else mapping(geom),
                "properties": {"kind": kind, **props},
            }
        )
        label = kind if kind != "obstacle" else f"obstacle:{props.get('type')}"
        self.counts[label] += 1

    def collection(self) -> dict[str, Any]:
        """The site file, with every property masked (names and labels from drawings and
        indoor maps may hold a phone number)."""
        features = []
        for f in self.features:
            props, _ = mask_properties(f.get("properties") or {})
            features.append({**f, "properties": props})
        return {"type": "FeatureCollection", "features": features}

    def to_bytes(self) -> bytes:
        """The site file as UTF-8 JSON."""
        return json.dumps(self.collection(), ensure_ascii=False).encode("utf-8")

    def report(self) -> str:
        """The account printed by ``planner convert``."""
        lines = [f"converted {printable(mask_text(str(self.source))[0])}:"]
        lines += [f"  {k}: {n}" for k, n in sorted(self.counts.items())]
        if self.unmapped:
            lines.append("not mapped to any kind (add them to a layer map if they matter):")
            lines += [f"  {k}: {n} entities" for k, n in sorted(self.unmapped.items())]
        if self.ignored:
            lines.append("ignored:")
            lines += [f"  {k}: {n}" for k, n in sorted(self.ignored.items())]
        if self.notes:
            lines.append("notes:")
            lines += [f"  - {n}" for n in self.notes]
        lines.append("to complete (written as null or a stated default; nothing is assumed):")
        lines += [f"  - {n}" for n in self.to_complete] or ["  - nothing"]
        return printable(mask_text("\n".join(lines))[0])  # ids come from the drawing


def level_props(
    level_id: str, *, floor: int | None, name: str | None = None, garage_type: str | None = None
) -> dict[str, Any]:
    """A converted level's properties: what the source cannot know stays explicitly null."""
    return {
        "id": level_id,
        "name": name,
        "floor": floor,
        "garage_type": garage_type,
        **dict.fromkeys(FIRE),
    }


def complete_list(
    conv: Conversion, level_ids: list[str], *, compartments_missing: bool, floor_missing: bool
) -> None:
    """Fill ``conv.to_complete`` with what a surveyor must add before planning for real."""
    levels = ", ".join(level_ids)
    conv.to_complete.append(f"garage_type of level(s) {levels} (null: planned as underground)")
    conv.to_complete.append(
        f"the five fire systems of level(s) {levels}: fire_alarm, smoke_exhaust, sprinklers, "
        "emergency_lighting, evacuation_signs (null: absent, so requests are blocked)"
    )
    conv.to_complete.append("capacity_kw of every compartment (null: unknown, nothing deferred)")
    if floor_missing:
        conv.to_complete.append(f"floor of level(s) {levels} (null: depth not checked)")
    if compartments_missing:
        conv.to_complete.append(
            "fire compartments: none in the source, so each level is one compartment; draw "
            "the real 防火分区 boundaries"
        )
    conv.to_complete.append("the site's name, community, supply and surveyor")


def largest(geom: BaseGeometry) -> Polygon | None:
    """The largest polygon of a geometry (None if it has none)."""
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and g.area > 0]
    return max(parts, key=lambda g: g.area) if parts else None
