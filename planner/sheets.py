"""The drawing set of a plan: which framed sheets there are, at what scale, showing what,
under which drawing number (图号). matplotlib-free: the schedule, the drawing index and the
file names read it as the renderer does.

Paper and frame follow GB/T 50001-2017 3.1 (A3 420 x 297 mm, A1 841 x 594 mm; binding edge
a = 25 mm, other margins c = 5 mm on A3 and 10 mm on A1, table 3.1.1). A level is drawn at
1:100 or 1:150 when it fits the drawing area; a larger one is split into area plans
(分区平面图) all at 1:150, laid on a grid over the level, with a key plan (索引图) at the
largest standard scale that shows the whole level. Sheets are numbered 电施-01, 电施-02 ...
in the order of the package: layout sheets level by level (key plan, then its areas), then
the system diagrams bank by bank.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import shapely
from shapely.geometry import box as rect
from shapely.geometry.base import BaseGeometry

from planner.i18n import Lang
from planner.names import safe_names
from planner.plan import Plan

Paper = Literal["A3", "A1"]
PAPER_MM: dict[str, tuple[float, float]] = {"A3": (420.0, 297.0), "A1": (841.0, 594.0)}
"""GB/T 50001-2017 table 3.1.1 (b x l)."""
BINDING_MM = 25.0
"""GB/T 50001-2017 table 3.1.1 a: the binding edge."""
MARGIN_MM: dict[str, float] = {"A3": 5.0, "A1": 10.0}
"""GB/T 50001-2017 table 3.1.1 c: the other three margins."""
PANEL_MM: dict[str, float] = {"A3": 120.0, "A1": 150.0}
"""Width of the column at the right of the frame: legend, notes, summary, title block."""
GAP_MM = 5.0
"""Between the frame and the drawing, and between the drawing and the column."""
PLAN_SCALES = (100, 150)
"""Layout plans are drawn at 1:100 or 1:150; a level that does not fit 1:150 is split."""
SCALES = (100, 150, 200, 250, 300, 400, 500, 600, 750, 1000, 1250, 1500, 2000, 2500, 5000)
"""Standard scales (GB/T 50001-2017 table 8.0.2 and its allowed ones) for the key plan."""
CIRCUITS_PER_SHEET = 24
"""Circuits on one system diagram sheet."""
PREFIX = "电施"
"""图号 prefix: 电气施工图."""

SheetKind = Literal["plan", "key", "area", "diagram"]


@dataclass(frozen=True)
class SheetOptions:
    """How sheets are drawn."""

    lang: Lang = "zh"
    paper: Paper = "A3"
    date: str | None = None


@dataclass(frozen=True)
class Sheet:
    """One framed sheet of the set."""

    number: str
    """The drawing number, e.g. ``电施-03``."""
    kind: SheetKind
    level: str
    file: str
    """File stem for PNG/SVG: ``sheet-<level>`` (the whole level or its key plan) or
    ``sheet-<level>-<n>`` (area n)."""
    scale: int | None
    window: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    """What the sheet shows, in site metres (xmin, ymin, xmax, ymax)."""
    part: int = 0
    """Area number (1 ...) of an area plan; 0 otherwise."""
    parts: int = 0
    """How many areas the level has (0: drawn whole)."""
    box: str | None = None
    """The meter box bank of a system diagram sheet."""
    first: int = 0
    """Index of a diagram sheet's first circuit."""


def frame_mm(paper: str) -> tuple[float, float, float, float]:
    """The frame's inner rectangle on the paper (x, y, w, h), binding edge at the left."""
    w, h = PAPER_MM[paper]
    c = MARGIN_MM[paper]
    return BINDING_MM, c, w - BINDING_MM - c, h - 2 * c


def drawing_mm(paper: str) -> tuple[float, float, float, float]:
    """The drawing area inside the frame, left of the right-hand column."""
    x, y, w, h = frame_mm(paper)
    return x + GAP_MM, y + GAP_MM, w - PANEL_MM[paper] - 2 * GAP_MM, h - 2 * GAP_MM


def panel_mm(paper: str) -> tuple[float, float, float, float]:
    """The right-hand column (legend, notes, summary, title block)."""
    x, y, w, h = frame_mm(paper)
    return x + w - PANEL_MM[paper], y, PANEL_MM[paper], h


def fit_scale(extent_m: tuple[float, float], area_mm: tuple[float, float]) -> int:
    """The largest standard scale that shows ``extent_m`` in ``area_mm``."""
    need = max(extent_m[0] * 1000 / area_mm[0], extent_m[1] * 1000 / area_mm[1])
    return next((s for s in SCALES if s >= need), SCALES[-1])


def _window(
    cx: float, cy: float, scale: int, area: tuple[float, float]
) -> tuple[float, float, float, float]:
    hw, hh = area[0] * scale / 2000, area[1] * scale / 2000
    return cx - hw, cy - hh, cx + hw, cy + hh


def level_sheets(plan: Plan, level_id: str, paper: str, file: str) -> list[Sheet]:
    """A level's layout sheets, unnumbered: one plan, or a key plan and its areas."""
    outline = plan.site.level(level_id).outline
    xmin, ymin, xmax, ymax = outline.bounds
    pad = 2.0
    extent = (xmax - xmin + 2 * pad, ymax - ymin + 2 * pad)
    area = drawing_mm(paper)[2:]
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    for s in PLAN_SCALES:
        if extent[0] * 1000 / s <= area[0] and extent[1] * 1000 / s <= area[1]:
            return [Sheet("", "plan", level_id, file, s, _window(cx, cy, s, area))]
    scale = PLAN_SCALES[-1]
    tw, th = area[0] * scale / 1000, area[1] * scale / 1000
    cols, rows = math.ceil((extent[0]) / tw), math.ceil((extent[1]) / th)
    x0 = cx - cols * tw / 2
    y1 = cy + rows * th / 2
    grid = [
        (x0 + i * tw, y1 - (j + 1) * th, x0 + (i + 1) * tw, y1 - j * th)
        for j in range(rows)  # reading order: top row first, left to right
        for i in range(cols)
    ]
    tiles = [
        w for w, used in zip(grid, _holds_something(plan, level_id, grid), strict=True) if used
    ]
    key_scale = fit_scale(extent, area)
    key_window = _window(cx, cy, key_scale, area)
    return [
        Sheet("", "key", level_id, file, key_scale, key_window, parts=len(tiles)),
        *(
            Sheet("", "area", level_id, f"{file}-{n}", scale, w, part=n, parts=len(tiles))
            for n, w in enumerate(tiles, start=1)
        ),
    ]


def _holds_something(
    plan: Plan, level_id: str, windows: list[tuple[float, float, float, float]]
) -> list[bool]:
    """Whether each window shows a stall, a cable or a meter box of the level: a tile of
    bare floor (a corner of a large outline) gets no area sheet; the key plan still shows
    the whole level. A level with none of them is tiled over its outline."""
    shown: list[BaseGeometry] = [s.polygon for s in plan.site.spaces if s.level == level_id]
    shown += [c.line for c in plan.cables if c.level == level_id]
    shown += [b.point for b in plan.boxes if b.level == level_id]
    if not shown:
        outline = plan.site.level(level_id).outline
        return [outline.intersection(rect(*w)).area > 0 for w in windows]
    boxes = shapely.box(*np.asarray(windows, dtype=float).T)
    hit = shapely.STRtree(shown).query(boxes, predicate="intersects")[0]
    used = np.zeros(len(windows), dtype=bool)
    used[hit] = True
    return [bool(u) for u in used]


def sheet_set(plan: Plan, paper: str = "A3") -> list[Sheet]:
    """Every framed sheet of the package in order, numbered 电施-01 ..."""
    files = {k: f"sheet-{v}" for k, v in safe_names([lv.id for lv in plan.site.levels]).items()}
    unnumbered = [
        s for lv in plan.site.levels for s in level_sheets(plan, lv.id, paper, files[lv.id])
    ]
    for box in plan.boxes:
        n = max(1, math.ceil(len(box.circuits) / CIRCUITS_PER_SHEET))
        unnumbered += [
            Sheet(
                "",
                "diagram",
                box.level,
                f"diagram-{box.id}",
                None,
                box=box.id,
                first=k * CIRCUITS_PER_SHEET,
                part=k + 1 if n > 1 else 0,
                parts=n if n > 1 else 0,
            )
            for k in range(n)
        ]
    return [dataclasses.replace(s, number=f"{PREFIX}-{i:02d}") for i, s in enumerate(unnumbered, 1)]


def sheet_of_spaces(plan: Plan, sheets: list[Sheet]) -> dict[str, str]:
    """The drawing number each requested space is found on: its level's plan, or the area
    plan holding its centre (the first in reading order where tiles meet)."""
    out: dict[str, str] = {}
    by_level: dict[str, list[Sheet]] = {}
    for s in sheets:
        if s.kind in ("plan", "area"):
            by_level.setdefault(s.level, []).append(s)
    wanted = {r.space for r in plan.requests}
    for space in plan.site.spaces:
        if space.id not in wanted or space.level not in by_level:
            continue
        c = space.polygon.centroid
        mine = by_level[space.level]
        hit = next(
            (
                s
                for s in mine
                if s.window[0] <= c.x <= s.window[2] and s.window[1] <= c.y <= s.window[3]
            ),
            None,
        )
        if hit is None:
            hit = min(mine, key=lambda s: shapely.distance(rect(*s.window), c))
        out[space.id] = hit.number
    return out
