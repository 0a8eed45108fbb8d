"""Layout sheets the property office signs, drawn as Chinese construction drawings are.

:mod:`planner.sheets` decides the set: a level at 1:100 or 1:150 when it fits the paper,
else a key plan (索引图) and area plans (分区平面图) at 1:150 with match lines. Each sheet has
the frame of GB/T 50001 (binding edge 25 mm), a column at the right with the legend, the
numbered notes, the compartments' figures and the title block (工程名称, 图名, 图号, 比例,
日期, 版次, 设计/校对/审核/审定 and a 会签 row for the utility and the property office, with room
for its seal), the page number "x / y" and the scale bar.

On the plan: polygons with their holes (a hole shows what lies beneath), stalls by status,
obstacles, the building's grid with its bubbles, the meter box AW (18D705-2 after GB/T 4728
[unconfirmed]) with its mounting and its distance from the nearest grid lines (or column
centres), chargers, cables by status (approved solid, provisional dashed or dotted), the
planned tray with its size, cable count and circuit range. Every requested stall carries
its circuit number and id along the stall (blocked ones the number of the note that says
why), with a leader where they do not fit beside the cable. Labels are placed in paper
millimetres and never overlap another label, a symbol or a cable.

matplotlib is imported here only, lazily by callers: ``import planner`` stays light.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import shapely
import shapely.ops
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrow, Rectangle
from matplotlib.patches import Polygon as MplPolygon
from matplotlib.path import Path as MplPath
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry import box as rect
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from planner.canvas import AxesCanvas, Canvas
from planner.findings import deciding_reason
from planner.fonts import cjk_family, text_width_pt, wrap
from planner.i18n import Lang, reason_text, t
from planner.plan import Plan
from planner.png import pdf_pixels, write_png
from planner.projection import Geom
from planner.sheets import (
    PAPER_MM,
    Sheet,
    SheetOptions,
    drawing_mm,
    frame_mm,
    panel_mm,
    sheet_set,
)
from planner.styles import (
    CABLE_DASHES,
    CJK_PT,
    COMPARTMENT_EDGE,
    COMPARTMENT_TINTS,
    CONDUIT,
    DASH_DOT,
    DIMENSION_COLOUR,
    EXISTING_TRAY,
    HEAD_COLOUR,
    HEAVY,
    INFO_COLOUR,
    LATIN_PT,
    MEDIUM,
    MM_PER_INCH,
    OBSTACLE_EDGE,
    OBSTACLE_STYLE,
    PAGE_NUMBER_MM,
    PAGE_NUMBER_PT,
    PLANNED_TRAY,
    PT_PER_MM,
    STALL_EDGE,
    STATUS_COLOURS,
    THIN,
    text_pt,
)

DIMENSION_OFFSETS_MM = (-5.0, 5.0, -8.0, 8.0, -11.0, 11.0, -14.0, 14.0)
"""Where a box's location dimension may stand off the line it measures, paper mm, nearest
first."""

__all__ = [
    "COMPARTMENT_TINTS",
    "MM_PER_INCH",
    "PAPER_MM",
    "PLANNED_TRAY",
    "STATUS_COLOURS",
    "SheetOptions",
    "draw_title_block",
    "frame",
    "frame_rects",
    "page_number",
    "panel_axes",
    "render_level",
    "render_sheet",
    "render_sheets",
    "save_sheet",
    "sheet_notes",
    "style",
    "title_block",
]


def style() -> Any:
    """matplotlib settings for every sheet and document: the CJK font for all text, fonts
    embedded as Type 3 (the CJK font is CFF-flavoured OpenType, which a TrueType (42)
    embedding would mislabel) with a text layer that can be searched. SVG keeps its texts
    as text in that font (found by a search, edited as words in Inkscape or a CAD import,
    and 40% quicker to write than glyph outlines); a viewer without Noto Sans CJK SC
    substitutes its own CJK font. Its ids (clip paths, markers, hatches) are hashed with a
    fixed salt instead of a random one, so the same plan gives the same SVG files."""
    family = cjk_family()
    return {
        "font.family": [family],
        "font.sans-serif": [family],
        "pdf.fonttype": 3,
        "svg.fonttype": "none",
        "svg.hashsalt": "planner",
        "axes.unicode_minus": False,
        "hatch.linewidth": 0.4,
    }


# --------------------------------------------------------------------------- geometry ---


def geometry_path(geom: BaseGeometry) -> MplPath | None:
    """A polygon (or multipolygon) as one matplotlib path with its holes: exteriors
    counter-clockwise, holes clockwise, so either fill rule leaves a hole empty."""
    polys = [geom] if geom.geom_type == "Polygon" else list(getattr(geom, "geoms", []))
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for p in polys:
        if not isinstance(p, Polygon) or p.is_empty:
            continue
        ccw = orient(p, 1.0)
        for ring in (ccw.exterior, *ccw.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            if len(xy) < 4:
                continue
            c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
            c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _near_parts(band: BaseGeometry, lines: np.ndarray) -> np.ndarray:
    """For each line, the parts of ``band`` its bounding box meets (one polygon, or a
    multipolygon of several; empty for none): what a difference with the whole band
    needs, without the rest of it.

    Speed shaped this: a level's trays make one band of thousands of corners, of which
    each cable meets one compartment's part; its cables' differences with the whole band
    took 0.7 s at 2,500 cables, with their parts 0.11 s (the same lines, byte for byte)."""
    parts = shapely.get_parts(band)
    on_line, part = shapely.STRtree(parts).query(lines)
    order = np.lexsort((part, on_line))
    on_line, part = on_line[order], part[order]
    cuts = np.searchsorted(on_line, np.arange(len(lines) + 1)).tolist()
    near = np.empty(len(lines), dtype=object)
    for k in range(len(lines)):
        mine = parts[part[cuts[k] : cuts[k + 1]]]
        near[k] = mine[0] if len(mine) == 1 else shapely.multipolygons(mine)
    return near


def _lines(geom: BaseGeometry) -> list[np.ndarray]:
    if geom.is_empty:
        return []
    if geom.geom_type in ("LineString", "LinearRing"):
        return [np.asarray(geom.coords)[:, :2]]
    if isinstance(geom, Polygon):
        return [np.asarray(r.coords)[:, :2] for r in (geom.exterior, *geom.interiors)]
    return [a for g in getattr(geom, "geoms", []) for a in _lines(g)]


@dataclass
class _View:
    """The sheet's window and the paper it is drawn on: world metres to paper mm."""

    sheet: Sheet
    area: tuple[float, float, float, float]
    """Drawing area on the paper, mm (x, y, w, h)."""

    @property
    def mm_per_m(self) -> float:
        assert self.sheet.scale
        return 1000.0 / self.sheet.scale

    def to_mm(self, x: float, y: float) -> tuple[float, float]:
        wx0, wy0 = self.sheet.window[:2]
        return self.area[0] + (x - wx0) * self.mm_per_m, self.area[1] + (y - wy0) * self.mm_per_m

    def xy_mm(self, xy: np.ndarray) -> np.ndarray:
        """World points (an ``(n, 2)`` array) on the paper, mm."""
        wx0, wy0 = self.sheet.window[:2]
        return np.asarray((xy - (wx0, wy0)) * self.mm_per_m + self.area[:2])

    def geom_mm(self, geom: Geom) -> Geom:
        return shapely.transform(geom, self.xy_mm)

    def to_world(self, x: float, y: float) -> tuple[float, float]:
        wx0, wy0 = self.sheet.window[:2]
        return wx0 + (x - self.area[0]) / self.mm_per_m, wy0 + (y - self.area[1]) / self.mm_per_m

    @property
    def window(self) -> Polygon:
        return rect(*self.sheet.window)


# ---------------------------------------------------------------------------- labels ---


def label_box(  # noqa: PLR0917 - a footprint: text, size, where, turned, aligned
    text: str, size: float, x: float, y: float, angle: float = 0.0, ha: str = "center"
) -> Polygon:
    """The paper footprint (mm) of a one-line label at ``(x, y)`` (centre, or left end),
    turned by ``angle`` degrees: the font's advances, 1.3 x the size high, 0.4 mm air."""
    w = text_width_pt(text, size) / PT_PER_MM + 0.4
    h = size * 1.3 / PT_PER_MM
    x0 = -w / 2 if ha == "center" else -0.2
    # turned and moved by hand: shapely.affinity's two calls took a tenth of a sheet's
    # drawing (a 5,000-stall basement's sheets try 700 footprints each)
    c, s = _turn(angle)
    corners = [(x0, -h / 2), (x0 + w, -h / 2), (x0 + w, h / 2), (x0, h / 2)]
    return Polygon([(x + c * u - s * v, y + s * u + c * v) for u, v in corners])


def _turn(angle: float) -> tuple[float, float]:
    """Cosine and sine of ``angle`` degrees, rounding off as shapely.affinity.rotate does
    (cos 90 degrees is 0, not 6e-17)."""
    a = math.radians(angle)
    c, s = math.cos(a), math.sin(a)
    return (0.0 if abs(c) < 2.5e-16 else c), (0.0 if abs(s) < 2.5e-16 else s)


@dataclass
class _Labeller:
    """Keeps labels apart in paper millimetres: a label is placed only where it touches no
    label, symbol or cable placed before it (a grid index of footprints, a tree of lines)."""

    lines: Sequence[BaseGeometry] = field(default_factory=list)
    cell: float = 12.0
    grid: dict[tuple[int, int], list[tuple[tuple[float, ...], BaseGeometry]]] = field(
        default_factory=dict
    )
    """Each cell's footprints with their bounds (compared before any GEOS call: a
    5,000-stall key plan asks a million times whether two footprints meet, and most of
    them are not even near)."""
    dropped: int = 0

    def __post_init__(self) -> None:
        self.tree = shapely.STRtree(self.lines)

    def _cells(self, g: BaseGeometry) -> Iterable[tuple[int, int]]:
        x0, y0, x1, y1 = g.bounds
        for i in range(int(x0 // self.cell), int(x1 // self.cell) + 1):
            for j in range(int(y0 // self.cell), int(y1 // self.cell) + 1):
                yield i, j

    def free(self, g: BaseGeometry, *, lines: bool = True) -> bool:
        gx0, gy0, gx1, gy1 = g.bounds
        for c in self._cells(g):
            for (x0, y0, x1, y1), other in self.grid.get(c, ()):
                if x0 <= gx1 and gx0 <= x1 and y0 <= gy1 and gy0 <= y1 and other.intersects(g):
                    return False
        return not (lines and len(self.tree.query(g, predicate="intersects")))

    def claim(self, g: BaseGeometry) -> None:
        entry = (g.bounds, g)
        for c in self._cells(g):
            self.grid.setdefault(c, []).append(entry)

    def first_free(self, boxes: Iterable[Polygon]) -> Polygon | None:
        for b in boxes:
            if self.free(b):
                self.claim(b)
                return b
        return None


def _ring_offsets(step: float, rings: int) -> Iterator[tuple[float, float]]:
    for k in range(1, rings + 1):
        r = k * step
        for a in range(0, 360, 30):
            yield r * math.cos(math.radians(a)), r * math.sin(math.radians(a))


# ------------------------------------------------------------------------- the sheets ---


def render_level(plan: Plan, level_id: str, *, options: SheetOptions | None = None) -> Figure:
    """A level's first sheet: the whole level, or the key plan of its areas."""
    opts = options or SheetOptions()
    sheets = sheet_set(plan, opts.paper)
    first = next(s for s in sheets if s.level == level_id and s.kind in ("plan", "key"))
    return render_sheet(plan, first, sheets=sheets, options=opts)


def render_sheets(
    plan: Plan, *, options: SheetOptions | None = None, sheets: list[Sheet] | None = None
) -> Iterator[tuple[Sheet, Figure]]:
    """Every layout sheet (plans, key plans, area plans) with its figure, in order."""
    opts = options or SheetOptions()
    sheets = sheets if sheets is not None else sheet_set(plan, opts.paper)
    for s in sheets:
        if s.kind != "diagram":
            yield s, render_sheet(plan, s, sheets=sheets, options=opts)


def render_sheet(
    plan: Plan,
    sheet: Sheet,
    *,
    sheets: list[Sheet],
    options: SheetOptions | None = None,
) -> Figure:
    """One layout sheet as a matplotlib figure (not registered with pyplot); the package
    stamps its page number (:func:`page_number`)."""
    opts = options or SheetOptions()
    with mpl.rc_context(style()):
        return _Sheet(plan, sheet, sheets, opts).draw()


class _Sheet:
    """The drawing of one layout sheet, step by step."""

    def __init__(
        self,
        plan: Plan,
        sheet: Sheet,
        sheets: list[Sheet],
        opts: SheetOptions,
    ) -> None:
        self.plan, self.sheet, self.sheets, self.opts = plan, sheet, sheets, opts
        self.lang = opts.lang
        self.paper = PAPER_MM[opts.paper]
        self.view = _View(sheet, drawing_mm(opts.paper))
        self.site_view = plan.site.on_level(sheet.level)
        self.key = sheet.kind == "key"
        self.notes = sheet_notes(plan, self.lang)
        self.status = {r.id: r.status for r in plan.requests}
        self.circuits = plan.circuits()  # a dict over every request: made once a sheet
        win = self.view.window.buffer(2.0)
        self.cables = [c for c in plan.cables if c.level == sheet.level and c.line.intersects(win)]
        self.runs = [r for r in plan.trays if r.level == sheet.level and r.line.intersects(win)]
        self.boxes = [b for b in plan.boxes if b.level == sheet.level]
        self.win = win

    # the frame and the plan ------------------------------------------------------------
    def draw(self) -> Figure:
        w, h = self.paper
        fig = Figure(figsize=(w / MM_PER_INCH, h / MM_PER_INCH), dpi=100)
        FigureCanvasAgg(fig)
        self.fig = fig
        frame(fig, self.opts.paper)
        self.ax = ax = fig.add_axes(
            (
                self.view.area[0] / w,
                self.view.area[1] / h,
                self.view.area[2] / w,
                self.view.area[3] / h,
            )
        )
        ax.set_axis_off()
        x0, y0, x1, y1 = self.sheet.window
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal")
        self._geometry()
        self._cables()
        cable_mm = [self.view.geom_mm(c.line) for c in self.cables]
        cable_mm += [self.view.geom_mm(r.line) for r in self.runs]
        self.labels = _Labeller(lines=cable_mm)
        self._symbols()
        if self.key:
            self._areas()
        else:
            self._grid()
        if not self.key:  # every owner first, then what can move
            self._stall_labels()
        self._box_labels()
        if not self.key:
            self._dimensions()
        self._compartment_labels()
        if not self.key:
            self._tray_labels()
            self._match_lines()
        self._panel()
        return fig

    def _in_window(self, geoms: Sequence[BaseGeometry]) -> list[bool]:
        if not geoms:
            return []
        return list(shapely.intersects(np.asarray(geoms, dtype=object), self.win))

    def _polys(self, geoms: Sequence[BaseGeometry], **kw: Any) -> None:
        paths = [geometry_path(g) for g in geoms]
        keep = [p for p in paths if p is not None]
        faces = kw.pop("facecolors", None)
        if isinstance(faces, list):
            faces = [f for f, p in zip(faces, paths, strict=True) if p is not None]
        if keep:
            self.ax.add_collection(PathCollection(keep, facecolors=faces, **kw))

    def _geometry(self) -> None:
        """Compartments tinted, stalls by status, structures, compartment lines, the
        outline, and the trays (existing and planned), bottom up."""
        v = self.site_view
        comps = list(v.compartments)
        self._polys(
            [c.polygon for c in comps],
            facecolors=[COMPARTMENT_TINTS[i % len(COMPARTMENT_TINTS)] for i in range(len(comps))],
            edgecolors="none",
            zorder=1,
        )
        status_of_space = self.plan.space_status(self.sheet.level)
        spaces = [
            s
            for s, hit in zip(v.spaces, self._in_window([s.polygon for s in v.spaces]), strict=True)
            if hit
        ]
        faces = [
            mpl.colors.to_rgba(STATUS_COLOURS[status_of_space[s.id]], 0.35)
            if s.id in status_of_space
            else (1.0, 1.0, 1.0, 1.0)
            for s in spaces
        ]
        self._polys(
            [s.polygon for s in spaces],
            facecolors=faces,
            edgecolors=STALL_EDGE,
            linewidths=THIN * 0.7,
            zorder=2,
        )
        self._obstacles()
        self.ax.add_collection(
            LineCollection(
                [r for c in comps for r in _lines(c.polygon)],
                colors=COMPARTMENT_EDGE,
                linewidths=MEDIUM,
                linestyles=DASH_DOT,
                zorder=6,
            )
        )
        self.ax.add_collection(
            LineCollection(
                _lines(v.level.outline), colors="black", linewidths=HEAVY * 0.7, zorder=6
            )
        )
        self._trays()

    def _obstacles(self) -> None:
        """The structures in the window, each kind in its colour and hatch."""
        v = self.site_view
        obstacles = [
            o
            for o, hit in zip(
                v.obstacles, self._in_window([o.geometry for o in v.obstacles]), strict=True
            )
            if hit
        ]
        for kind, (colour, hatch) in OBSTACLE_STYLE.items():
            mine = [o.geometry for o in obstacles if o.type == kind]
            polys = [g for g in mine if g.geom_type in ("Polygon", "MultiPolygon")]
            lines = [
                a for g in mine if g.geom_type not in ("Polygon", "MultiPolygon") for a in _lines(g)
            ]
            if polys:
                self._polys(
                    polys,
                    facecolors=colour,
                    edgecolors=OBSTACLE_EDGE,
                    linewidths=THIN,
                    hatch=hatch,
                    zorder=3,
                )
            if lines:
                self.ax.add_collection(
                    LineCollection(lines, colors=colour, linewidths=MEDIUM, zorder=3)
                )

    def _trays(self) -> None:
        """The existing trays and the planned shared tray (one band, the owners' cables
        along it)."""
        v = self.site_view
        if v.trays:
            self.ax.add_collection(
                LineCollection(
                    [np.asarray(tr.line.coords)[:, :2] for tr in v.trays],
                    colors=EXISTING_TRAY,
                    linewidths=HEAVY * 1.5,
                    alpha=0.8,
                    zorder=4,
                )
            )
        if self.runs:  # the planned shared tray: one band, the owners' cables along it
            self.ax.add_collection(
                LineCollection(
                    [np.asarray(r.line.coords)[:, :2] for r in self.runs],
                    colors=PLANNED_TRAY,
                    linewidths=HEAVY * 1.2,
                    alpha=0.8,
                    zorder=4,
                    capstyle="butt",
                )
            )

    def _cables(self) -> None:
        trays = [r.line for r in self.runs] + [tr.line for tr in self.site_view.trays]
        lines = np.asarray([c.line for c in self.cables], dtype=object)
        if trays and len(lines):
            band = shapely.union_all(shapely.buffer(trays, 0.3))
            lines = shapely.difference(lines, _near_parts(band, lines))
        conduit = [a for line in lines for a in _lines(line) if len(a) >= 2]
        if conduit:  # where a cable is not on a tray it runs in steel conduit (SC)
            self.ax.add_collection(
                LineCollection(
                    conduit, colors=CONDUIT, linewidths=MEDIUM * 2.4, zorder=4, capstyle="butt"
                )
            )
        for st, ls in CABLE_DASHES.items():
            mine = [
                np.asarray(c.line.coords)[:, :2]
                for c in self.cables
                if self.status[c.request] == st
            ]
            if mine:
                self.ax.add_collection(
                    LineCollection(
                        mine,
                        colors=STATUS_COLOURS[st],
                        linewidths=MEDIUM * 0.8,
                        linestyles=ls,
                        zorder=5,
                        gid=f"cables-{st}",
                    )
                )

    # symbols ------------------------------------------------------------------------------
    def _symbols(self) -> None:
        """Meter boxes (AW) and chargers; their footprints are claimed before any label."""
        w_mm, h_mm = 6.0, 2.4
        for b in self.boxes:
            x, y = self.view.to_mm(b.point.x, b.point.y)
            if not self.win.contains(b.point):
                continue
            outline = rect(x - w_mm / 2, y - h_mm / 2, x + w_mm / 2, y + h_mm / 2)
            self._patch(outline, facecolor="white", edgecolor="black", lw=MEDIUM, gid=b.id)
            self._patch(rect(x - w_mm / 2, y - h_mm / 2, x + w_mm / 2, y), facecolor="black", lw=0)
            self.labels.claim(outline.buffer(0.5))
        r_mm = 0.9
        drawn = [
            r
            for r in self.plan.requests
            if r.level == self.sheet.level and r.point is not None and r.status != "blocked"
        ]
        if not drawn:
            return
        points = np.asarray([(r.point.x, r.point.y) for r in drawn if r.point is not None])
        inside = shapely.contains_xy(self.win, points[:, 0], points[:, 1])
        drawn = [r for r, hit in zip(drawn, inside, strict=True) if hit]
        points = points[inside]
        # the chargers as one collection, not an artist each: a 5,000-stall basement's
        # sheet has fifty, and each patch cost more to make and to draw than its share of it
        radius = r_mm / self.view.mm_per_m
        self.ax.add_collection(
            PathCollection(
                [MplPath.circle((x, y), radius) for x, y in points],
                facecolors="white",
                edgecolors=[STATUS_COLOURS[r.status] for r in drawn],
                linewidths=THIN,
                zorder=8,
            )
        )
        footprints = shapely.buffer(shapely.points(self.view.xy_mm(points)), r_mm + 0.3)
        for footprint in np.asarray(footprints):
            self.labels.claim(footprint)

    def _patch(self, poly_mm: Polygon, **kw: Any) -> None:
        """A paper-mm polygon drawn on the plan (in world coordinates, clipped to it)."""
        xy = [self.view.to_world(x, y) for x, y in np.asarray(poly_mm.exterior.coords)]
        # add_artist, not add_patch: the limits are set, and add_patch's update of the data
        # limits took a third of a 5,000-stall key plan's drawing
        self.ax.add_artist(MplPolygon(xy, closed=True, zorder=8, **kw))

    def _text(
        self,
        x_mm: float,
        y_mm: float,
        text: str,
        *,
        size: float | None = None,
        angle: float = 0.0,
        ha: str = "center",
        colour: str = "black",
        gid: str | None = None,
    ) -> None:
        wx, wy = self.view.to_world(x_mm, y_mm)
        self.ax.text(
            wx,
            wy,
            text,
            fontsize=size or text_pt(text),
            ha=ha,
            va="center",
            rotation=angle,
            rotation_mode="anchor",
            color=colour,
            zorder=9,
            gid=gid,
        )

    def _place(
        self,
        text: str,
        anchor: tuple[float, float],
        candidates: Iterable[tuple[float, float, float]],
        *,
        size: float | None = None,
        colour: str = "black",
        leader: bool = True,
        ha: str = "center",
    ) -> bool:
        """Put ``text`` at the first free candidate ``(x, y, angle)`` (paper mm), else
        nearby with a leader line from ``anchor``; count it dropped otherwise."""
        size = size or text_pt(text)
        for x, y, angle in candidates:
            b = label_box(text, size, x, y, angle, ha)
            if self._inside(b) and self.labels.free(b):
                self.labels.claim(b)
                self._text(x, y, text, size=size, angle=angle, ha=ha, colour=colour)
                return True
        if leader:
            ax_, ay_ = anchor
            half = text_width_pt(text, size) / PT_PER_MM / 2
            for dx, dy in _ring_offsets(3.0, 12):
                # a label right of its anchor starts there, one left of it ends there
                shift = half if dx > 1 else (-half if dx < -1 else 0.0)
                x, y = ax_ + dx + shift, ay_ + dy
                b = label_box(text, size, x, y, 0.0, "center")
                if not (self._inside(b) and self.labels.free(b)):
                    continue  # the leader is only cut out for a free place: most are not
                line = LineString(
                    [Point(ax_, ay_), b.exterior.interpolate(b.exterior.project(Point(ax_, ay_)))]
                )
                reach = line.difference(Point(ax_, ay_).buffer(3.5)).buffer(0.15)  # off its symbol
                if reach.is_empty or self.labels.free(reach, lines=False):
                    self.labels.claim(b)
                    if not reach.is_empty:
                        self.labels.claim(reach)
                    self._text(x, y, text, size=size, colour=colour)
                    xy = [self.view.to_world(*p) for p in line.coords]
                    self.ax.add_line(
                        Line2D(*zip(*xy, strict=True), color=colour, lw=THIN, zorder=9)
                    )
                    return True
        self.labels.dropped += 1
        return False

    def _inside(self, b: Polygon) -> bool:
        return bool(self._inner.contains(b))

    @functools.cached_property
    def _inner(self) -> Polygon:
        """The drawing area less 1 mm all round, prepared: labels stay inside it."""
        x, y, w, h = self.view.area
        inner = rect(x + 1, y + 1, x + w - 1, y + h - 1)
        shapely.prepare(inner)
        return inner

    # labels -------------------------------------------------------------------------------
    def _box_labels(self) -> None:
        mount_words = (
            {"column": "挂柱", "wall": "挂墙"}
            if self.lang == "zh"
            else {"column": "on column", "wall": "on wall"}
        )
        h = self.plan.rules.mount_height_m
        for b in self.boxes:
            if not self.win.contains(b.point):
                continue
            x, y = self.view.to_mm(b.point.x, b.point.y)
            name = f"{b.id} AW"
            how = mount_words["column" if b.mount_type == "column" else "wall"]
            mount = (
                f"{how}{' ' + b.mount if b.mount else ''} 距地{h:g}m"
                if self.lang == "zh"
                else f"{how}{' ' + b.mount if b.mount else ''}, {h:g} m above floor"
            )
            for text, dy in ((name, 3.4), (mount, -3.4)):
                self._place(
                    text,
                    (x, y),
                    [
                        (x + 4.0, y + dy, 0.0),
                        (x - 4.0 - text_width_pt(text, text_pt(text)) / PT_PER_MM, y + dy, 0.0),
                    ],
                    ha="left",
                )

    def _compartment_labels(self) -> None:
        near = [o.geometry for o in self.site_view.obstacles]
        near = [g for g, hit in zip(near, self._in_window(near), strict=True) if hit]
        solid = shapely.union_all(shapely.buffer(near, 0.5)) if near else Polygon()
        for c in self.site_view.compartments:
            part = c.polygon.intersection(self.view.window)
            if part.is_empty or part.area < 1:
                continue
            open_floor = part.difference(solid)
            biggest = max(shapely.get_parts(open_floor), key=lambda g: g.area, default=part)
            p = (
                shapely.ops.polylabel(biggest, tolerance=0.5)
                if isinstance(biggest, Polygon)
                else part.representative_point()
            )
            x, y = self.view.to_mm(p.x, p.y)
            text = f"{c.id}" + (f" {c.name}" if c.name else "") + f" {c.polygon.area:,.0f}m²"
            cands = [(x + dx, y + dy, 0.0) for dx, dy in ((0, 0), *_ring_offsets(6.0, 4))]
            self._place(text, (x, y), cands, colour=HEAD_COLOUR, size=CJK_PT)

    def _stall_labels(self) -> None:
        """Circuit number and stall id along each requested stall, beside its cable."""
        circuits = self.circuits
        notes = self.notes.numbers
        requests = {}
        for r in self.plan.requests:  # the stall's best request speaks for it
            if r.level == self.sheet.level and (r.space not in requests or r.status == "planned"):
                requests[r.space] = r
        for s in self.site_view.spaces:
            asked = requests.get(s.id)
            if asked is None or not self.win.contains(s.polygon.centroid):
                continue
            r = asked
            if r.id in circuits:
                text = f"{circuits[r.id][1]} {s.id}"
            else:
                n = notes.get(r.id)
                text = f"{s.id} ({n})" if n else s.id
            poly = self.view.geom_mm(s.polygon)
            mrr = poly.minimum_rotated_rectangle
            coords = (
                np.asarray(mrr.exterior.coords) if isinstance(mrr, Polygon) else np.zeros((3, 2))
            )
            e = np.diff(coords[:3], axis=0)
            lens = np.hypot(e[:, 0], e[:, 1])
            long_i = int(np.argmax(lens))
            angle = math.degrees(math.atan2(e[long_i][1], e[long_i][0]))
            angle = (angle + 90) % 180 - 90
            c = poly.centroid
            ux, uy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
            nx, ny = -uy, ux
            width = lens[1 - long_i]
            length = lens[long_i]
            cands = [
                (
                    c.x + ux * a * length + nx * b * width,
                    c.y + uy * a * length + ny * b * width,
                    angle,
                )
                for a in (0.0, -0.15, 0.15, -0.3, 0.3, -0.4, 0.4)
                for b in (0.0, 0.28, -0.28, 0.38, -0.38)
            ]
            colour = STATUS_COLOURS[r.status]
            self._place(
                text, (c.x, c.y), cands, colour="black" if r.status != "blocked" else colour
            )

    def _tray_labels(self) -> None:
        circuits = self.circuits
        for run in sorted(self.runs, key=lambda r: -r.length_m):
            if run.branch or run.length_m < 3.0:
                continue
            wps = sorted(circuits[q][1] for q in run.requests if q in circuits)
            reserve = f"+{run.reserve}" if run.reserve else ""
            text = f"{run.size} {run.cables}{reserve}根 {circuit_range(wps)}".strip()
            line = self.view.geom_mm(run.line.intersection(self.view.window))
            if line.is_empty or line.length < 10:
                continue
            cands = []
            for f in (0.5, 0.3, 0.7):
                p = line.interpolate(f, normalized=True)
                q = line.interpolate(min(line.length, line.project(p) + 1.0))
                angle = math.degrees(math.atan2(q.y - p.y, q.x - p.x))
                angle = (angle + 90) % 180 - 90
                nx, ny = -math.sin(math.radians(angle)), math.cos(math.radians(angle))
                for off in (3.2, -3.2, 5.0, -5.0):
                    cands.append((p.x + nx * off, p.y + ny * off, angle))
            self._place(text, (0, 0), cands, colour=DIMENSION_COLOUR, leader=False)

    def _dimensions(self) -> None:
        """Each box located from the nearest grid lines, or without a grid from the
        nearest column centres: two dimensions in millimetres."""
        axes = self.site_view.axes
        cols = [o.geometry.centroid for o in self.site_view.obstacles if o.type == "column"]
        for b in self.boxes:
            if not self.win.contains(b.point):
                continue
            bx, by = b.point.x, b.point.y
            ref_x = ref_y = None
            if axes:
                vertical = [a for a in axes if _is_vertical(a.line)]
                horizontal = [a for a in axes if not _is_vertical(a.line)]
                if vertical:
                    ref_x = min((a.line.centroid.x for a in vertical), key=lambda v: abs(v - bx))
                if horizontal:
                    ref_y = min((a.line.centroid.y for a in horizontal), key=lambda v: abs(v - by))
            elif cols:
                near = min(cols, key=lambda p: p.distance(b.point))
                ref_x, ref_y = near.x, near.y
            if ref_x is not None and abs(ref_x - bx) > 0.05:
                # on the side away from the other dimension, which leaves the box's line
                # towards ref_y: two dimensions meeting at the box do not cross
                away = 1.0 if ref_y is not None and ref_y < by - 0.05 else -1.0
                self._dimension((ref_x, by), (bx, by), horizontal=True, side=away)
            if ref_y is not None and abs(ref_y - by) > 0.05:
                self._dimension((bx, ref_y), (bx, by), horizontal=False)

    def _dimension(
        self,
        a: tuple[float, float],
        b: tuple[float, float],
        *,
        horizontal: bool,
        side: float = -1.0,
    ) -> None:
        """A dimension from ``a`` to ``b`` in millimetres, beside the line between them, at
        the first offset (:data:`DIMENSION_OFFSETS_MM`, the first on ``side``: -1 below
        or left, 1 above or right) where it is clear of every label and line; where none
        is, the box's mounting text still locates it."""
        (x0, y0), (x1, y1) = self.view.to_mm(*a), self.view.to_mm(*b)
        value = f"{math.hypot(b[0] - a[0], b[1] - a[1]) * 1000:.0f}"
        angle = 0.0 if horizontal else 90.0
        for step in DIMENSION_OFFSETS_MM:
            off = -side * step  # the offsets start below or left
            ox, oy = (0.0, off) if horizontal else (off, 0.0)
            line = LineString([(x0 + ox, y0 + oy), (x1 + ox, y1 + oy)])
            mid = line.interpolate(0.5, normalized=True)
            tx, ty = (mid.x, mid.y + 1.8) if horizontal else (mid.x - 1.8, mid.y)
            box = label_box(value, LATIN_PT, tx, ty, angle)
            if (
                self._inside(box)
                and self.labels.free(box)
                and self.labels.free(line.buffer(0.2), lines=False)
            ):
                break
        else:
            return
        self.labels.claim(box)
        self.labels.claim(line.buffer(0.2))
        seg: list[tuple[float, ...]] = [line.coords[0], line.coords[1]]
        ticks: list[list[tuple[float, ...]]] = []
        for px, py in seg:  # 45° ticks (GB/T 50001 11.1.3)
            ticks.append([(px - 1, py - 1), (px + 1, py + 1)])
        ext = [[(x0, y0), seg[0]], [(x1, y1), seg[1]]]
        world = [[self.view.to_world(*p) for p in part] for part in [seg, *ticks, *ext]]
        self.ax.add_collection(LineCollection(world, colors="black", linewidths=THIN, zorder=9))
        self._text(tx, ty, value, size=LATIN_PT, angle=angle)

    # grid, areas, match lines -------------------------------------------------------------
    def _grid(self) -> None:
        inner = rect(*self.view.window.buffer(-8.0 / self.view.mm_per_m).bounds)
        for a in self.site_view.axes:
            line = _extend(a.line, 1e4).intersection(inner)
            if line.is_empty or line.geom_type != "LineString":
                continue
            xy = np.asarray(line.coords)[:, :2]
            self.ax.add_collection(
                LineCollection(
                    [xy], colors=OBSTACLE_EDGE, linewidths=THIN, linestyles=DASH_DOT, zorder=2
                )
            )
            for end in (xy[0], xy[-1]):
                x, y = self.view.to_mm(*end)
                self._patch(
                    Point(x, y).buffer(4.0, quad_segs=8),
                    facecolor="white",
                    edgecolor="black",
                    lw=THIN,
                )
                self.labels.claim(Point(x, y).buffer(4.2))
                self._text(x, y, a.label, size=text_pt(a.label))

    def _areas(self) -> None:
        """The key plan: each area plan's extent, with its drawing number."""
        for s in self.sheets:
            if s.level != self.sheet.level or s.kind != "area":
                continue
            box = self.view.geom_mm(rect(*s.window))
            xy = [self.view.to_world(*p) for p in box.exterior.coords]
            self.ax.add_line(
                Line2D(
                    *zip(*xy, strict=True), color=INFO_COLOUR, lw=MEDIUM, ls=(0, (6, 3)), zorder=7
                )
            )
            c = box.centroid
            text = s.number  # the legend says the dashed frames are area plans
            x0, y0, x1, y1 = box.intersection(rect(*self._area_box())).bounds
            cands = [
                (x0 + (x1 - x0) * fx, y0 + (y1 - y0) * fy, 0.0)
                for fy in (0.5, 0.3, 0.7, 0.15, 0.85)
                for fx in (0.5, 0.3, 0.7)
            ]
            self._place(text, (c.x, c.y), cands, colour=INFO_COLOUR, size=CJK_PT * 1.2)

    def _area_box(self) -> tuple[float, float, float, float]:
        x, y, w, h = self.view.area
        return x, y, x + w, y + h

    def _match_lines(self) -> None:
        if self.sheet.kind != "area":
            return
        x0, y0, x1, y1 = self.sheet.window
        mine = [
            s
            for s in self.sheets
            if s.level == self.sheet.level and s.kind == "area" and s is not self.sheet
        ]
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        sides = {
            "left": (((x0, y0), (x0, y1)), (x0 - 1, cy)),
            "right": (((x1, y0), (x1, y1)), (x1 + 1, cy)),
            "top": (((x0, y1), (x1, y1)), (cx, y1 + 1)),
            "bottom": (((x0, y0), (x1, y0)), (cx, y0 - 1)),
        }
        for side, (edge, probe) in sides.items():
            other = next(
                (
                    s
                    for s in mine
                    if s.window[0] <= probe[0] <= s.window[2]
                    and s.window[1] <= probe[1] <= s.window[3]
                ),
                None,
            )
            if other is None:
                continue
            self.ax.add_line(
                Line2D(
                    *zip(*edge, strict=True),
                    color="black",
                    lw=HEAVY,
                    ls=DASH_DOT,
                    zorder=7,
                    clip_on=False,
                )
            )
            ex, ey = self.view.to_mm(
                *((edge[0][0] + edge[1][0]) / 2, (edge[0][1] + edge[1][1]) / 2)
            )
            text = f"{t('match_line', self.lang)} {other.number}"
            inward = {"left": (6, 0), "right": (-6, 0), "top": (0, -4), "bottom": (0, 4)}[side]
            angle = 90.0 if side in ("left", "right") else 0.0
            cands = [
                (ex + inward[0], ey + inward[1] + d if angle == 0 else ey + d, angle)
                for d in (0, 20, -20, 40, -40, 60, -60, 80, -80)
            ]
            cands = [(x if angle == 0 else ex + inward[0], y, a) for x, y, a in cands]
            self._place(text, (ex, ey), cands, leader=False)

    # north arrow, scale bar ---------------------------------------------------------------
    def _north_arrow(self, cx: float, cy: float) -> None:
        a = math.radians(self.plan.site.info.north_deg)
        dx, dy = -math.sin(a), math.cos(a)
        self.fig.add_artist(
            FancyArrow(
                (cx - dx * 6) / self.paper[0],
                (cy - dy * 6) / self.paper[1],
                dx * 12 / self.paper[0],
                dy * 12 / self.paper[1],
                width=0.8 / self.paper[0],
                head_width=4 / self.paper[0],
                head_length=4 / self.paper[1],
                length_includes_head=True,
                transform=self.fig.transFigure,
                color="black",
            )
        )
        nx, ny = cx + dx * 9.5, cy + dy * 9.5
        self.fig.text(
            nx / self.paper[0],
            ny / self.paper[1],
            t("north", self.lang),
            ha="center",
            va="center",
            fontsize=text_pt(t("north", self.lang)),
        )

    def _scale_bar(self, bx: float, by: float) -> None:
        scale = self.sheet.scale or 100
        span = _nice(40 * scale / 1000)  # about 40 mm of paper
        seg_mm = span * 1000 / scale / 4
        for i in range(4):
            self.fig.add_artist(
                Rectangle(
                    ((bx + i * seg_mm) / self.paper[0], by / self.paper[1]),
                    seg_mm / self.paper[0],
                    1.5 / self.paper[1],
                    transform=self.fig.transFigure,
                    facecolor="black" if i % 2 == 0 else "white",
                    edgecolor="black",
                    lw=THIN,
                )
            )
        for i, v in ((0, 0.0), (2, span / 2), (4, span)):
            self.fig.text(
                (bx + i * seg_mm) / self.paper[0],
                (by + 4) / self.paper[1],
                f"{v:g}",
                ha="center",
                va="center",
                fontsize=LATIN_PT,
            )
        self.fig.text(
            (bx + 4 * seg_mm + 3) / self.paper[0],
            (by + 0.75) / self.paper[1],
            "m",
            va="center",
            fontsize=LATIN_PT,
        )
        label = f"{t('scale', self.lang)} 1:{scale}"
        self.fig.text(
            bx / self.paper[0],
            (by - 3) / self.paper[1],
            label,
            va="center",
            fontsize=text_pt(label),
        )

    # the column at the right --------------------------------------------------------------
    def _panel(self) -> None:
        px, py, pw, ph = panel_mm(self.opts.paper)
        tb_h = title_block(
            self.fig,
            self.plan,
            level_id=self.sheet.level,
            paper=self.opts.paper,
            lang=self.lang,
            scale=self.sheet.scale,
            number=self.sheet.number,
            title=sheet_title(self.plan, self.sheet, self.lang),
            date=self.opts.date,
        )
        top = py + ph
        top = _legend(self.fig, self.paper, (px, top, pw), self.lang, self._legend_items())
        strip = py + tb_h  # scale bar and north arrow, just above the title block
        self._scale_bar(px + 4, strip + 9)
        self._north_arrow(px + pw - 12, strip + 12)
        bottom = strip + 26
        top = _notes(
            self.fig,
            self.paper,
            (px, top, pw, bottom),
            self.notes.lines_for(self._noted()),
            self.lang,
        )
        _summary(
            self.fig, self.paper, (px, top, pw, bottom), self.plan, self.sheet.level, self.lang
        )

    def _noted(self) -> set[int]:
        """Note numbers of the stalls on this sheet."""
        out = set()
        for r in self.plan.requests:
            n = self.notes.numbers.get(r.id)
            if (
                n
                and r.level == self.sheet.level
                and r.point is not None
                and self.win.contains(r.point)
            ):
                out.add(n)
        return out

    def _legend_items(self) -> list[tuple[str, dict[str, Any]]]:
        lang = self.lang
        items: list[tuple[str, dict[str, Any]]] = [
            (t(s, lang), {"patch": mpl.colors.to_rgba(STATUS_COLOURS[s], 0.35)})
            for s in ("planned", "pending", "deferred", "blocked")
        ]
        items += [(t("unrequested", lang), {"patch": "white"})]
        items += [
            (t(f"cable_{s}", lang), {"line": STATUS_COLOURS[s], "ls": CABLE_DASHES[s]})
            for s in ("planned", "pending", "deferred")
        ]
        items += [
            (t("conduit", lang), {"line": CONDUIT, "lw": MEDIUM * 2.4}),
            (t("meter_box", lang) + " AW", {"box": True}),
            (t("charger", lang), {"charger": True}),
            (t("compartment", lang), {"line": COMPARTMENT_EDGE, "ls": DASH_DOT}),
            (t("column", lang), {"patch": OBSTACLE_STYLE["column"][0]}),
            (t("wall", lang), {"patch": OBSTACLE_STYLE["wall"][0]}),
            (t("shaft", lang), {"patch": OBSTACLE_STYLE["shaft"][0], "hatch": "xx"}),
            (t("ramp", lang), {"patch": OBSTACLE_STYLE["ramp"][0], "hatch": "//"}),
            (t("room", lang), {"patch": OBSTACLE_STYLE["room"][0], "hatch": ".."}),
        ]
        if self.site_view.trays:
            items.append((t("tray", lang), {"line": EXISTING_TRAY, "lw": HEAVY * 1.5}))
        if any(r.level == self.sheet.level for r in self.plan.trays):
            items.append((t("tray_run", lang), {"line": PLANNED_TRAY, "lw": HEAVY * 1.2}))
        if self.site_view.axes:
            items.append((t("grid_line", lang), {"line": OBSTACLE_EDGE, "ls": DASH_DOT}))
        if self.sheet.kind == "area":
            items.append((t("match_line", lang), {"line": "black", "ls": DASH_DOT, "lw": HEAVY}))
        if self.sheet.kind == "key":
            items.append((t("area_plan", lang), {"line": INFO_COLOUR, "ls": (0, (6, 3))}))
        return items


def _is_vertical(line: LineString) -> bool:
    x0, y0, x1, y1 = line.bounds
    return bool((y1 - y0) > (x1 - x0))


def _extend(line: LineString, by: float) -> LineString:
    (x0, y0), (x1, y1) = line.coords[0][:2], line.coords[-1][:2]
    d = math.hypot(x1 - x0, y1 - y0) or 1.0
    ux, uy = (x1 - x0) / d, (y1 - y0) / d
    return LineString([(x0 - ux * by, y0 - uy * by), (x1 + ux * by, y1 + uy * by)])


def _nice(length_m: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if step >= length_m:
            return float(step)
    return 10000.0


def circuit_range(numbers: Sequence[str]) -> str:
    """``WP01-WP04,WP07``: consecutive circuit numbers of one bank as ranges."""
    if not numbers:
        return ""
    ns = sorted(int(n[2:]) for n in numbers)
    parts, start, prev = [], ns[0], ns[0]
    for n in [*ns[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(f"WP{start:02d}" + (f"-WP{prev:02d}" if prev != start else ""))
        if n is not None:
            start = prev = n
    return ",".join(parts)


def sheet_title(plan: Plan, sheet: Sheet, lang: Lang) -> str:
    """图名: the level, and which drawing of it this is."""
    level = plan.site.level(sheet.level)
    name = f"{level.name or level.id}" + (f"（{level.id}）" if level.name else "")
    if sheet.kind == "key":
        return f"{name}{t('key_plan', lang)}"
    if sheet.kind == "area":
        return f"{name}{t('area_plan', lang)} {sheet.part}/{sheet.parts}"
    return f"{name}{t('layout_plan', lang)}"


# ----------------------------------------------------------------------------- notes ---


@dataclass(frozen=True)
class SheetNotes:
    """The numbered notes of the layout sheets: general notes, then one per deciding
    reason of blocked and deferred requests (the same numbers on every sheet)."""

    general: tuple[str, ...]
    reasons: tuple[str, ...]
    numbers: dict[str, int]
    """Request id -> note number saying why it is blocked or deferred."""

    def lines_for(self, noted: set[int]) -> list[str]:
        first = len(self.general) + 1
        out = [f"{i}. {text}" for i, text in enumerate(self.general, start=1)]
        out += [f"{first + k}. {text}" for k, text in enumerate(self.reasons) if first + k in noted]
        return out


def sheet_notes(plan: Plan, lang: Lang) -> SheetNotes:
    """What the property office approves, as numbered notes (see :class:`SheetNotes`)."""
    r = plan.rules
    source = resources.files("planner.templates").joinpath(f"sheet_notes_{lang}.txt")
    general = [
        line.format(mount_height=f"{r.mount_height_m:g}")
        for line in source.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    reasons: list[str] = []
    numbers: dict[str, int] = {}
    index: dict[str, int] = {}
    for q in plan.requests:
        if q.status not in ("blocked", "deferred"):
            continue
        why = deciding_reason(q.reasons, q.status)
        text = f"{t(q.status, lang)}：" if lang == "zh" else f"{t(q.status, lang)}: "
        text += f"{why.rule} {reason_text(why, lang)}" if why else t("see_schedule", lang)
        if text not in index:
            reasons.append(text)
            index[text] = len(general) + len(reasons)
        numbers[q.id] = index[text]
    return SheetNotes(tuple(general), tuple(reasons), numbers)


# ------------------------------------------------------------------- frame and column ---


def frame_rects(paper: str) -> list[tuple[float, float, float, float, float]]:
    """The trim line at the paper's edge and the frame (图框线, b) inside the margins:
    (x, y, w, h) in mm from the paper's lower-left corner, and the line's width (pt)."""
    w, h = PAPER_MM[paper]
    return [(0.0, 0.0, w, h, THIN * 0.5), (*frame_mm(paper), HEAVY)]


def frame(fig: Figure, paper: str) -> None:
    """:func:`frame_rects` on a drawn sheet."""
    w, h = PAPER_MM[paper]
    for x, y, fw, fh, lw in frame_rects(paper):
        fig.add_artist(
            Rectangle((x / w, y / h), fw / w, fh / h, transform=fig.transFigure, fill=False, lw=lw)
        )


def page_number(fig: Figure, paper: str | tuple[float, float], page: tuple[int, int]) -> None:
    """ "x / y" at the lower right, in the margin."""
    w, h = PAPER_MM[paper] if isinstance(paper, str) else paper
    right, up = PAGE_NUMBER_MM
    fig.text(
        1 - right / w,
        up / h,
        f"{page[0]} / {page[1]}",
        ha="right",
        va="center",
        fontsize=PAGE_NUMBER_PT,
    )


def panel_axes(
    fig: Figure, box: tuple[float, float, float, float], paper: tuple[float, float]
) -> Axes:
    """An axes over ``box`` (mm on the paper) whose data units are millimetres."""
    w, h = paper
    ax = fig.add_axes((box[0] / w, box[1] / h, box[2] / w, box[3] / h))
    ax.set_xlim(0, box[2])
    ax.set_ylim(0, box[3])
    ax.set_axis_off()
    return ax


def _legend(
    fig: Figure,
    paper: tuple[float, float],
    at: tuple[float, float, float],
    lang: Lang,
    items: list[tuple[str, dict[str, Any]]],
) -> float:
    """The legend from the top of the column down; returns where it ends (mm)."""
    x, top, w = at
    row = 5.2
    rows = math.ceil(len(items) / 2)
    height = 8 + rows * row
    ax = panel_axes(fig, (x, top - height, w, height), paper)
    ax.add_patch(Rectangle((0, 0), w, height, fill=False, lw=MEDIUM))
    ax.text(2, height - 4, t("legend", lang), fontsize=CJK_PT, va="center", color=HEAD_COLOUR)
    for i, (label, how) in enumerate(items):
        col, r = divmod(i, rows)
        x0 = 2 + col * w / 2
        y0 = height - 8 - (r + 0.5) * row
        if "patch" in how:
            ax.add_patch(
                Rectangle(
                    (x0, y0 - 1.5),
                    8,
                    3,
                    facecolor=how["patch"],
                    edgecolor=OBSTACLE_EDGE,
                    lw=THIN,
                    hatch=how.get("hatch"),
                )
            )
        elif "line" in how:
            ax.add_line(
                Line2D(
                    [x0, x0 + 8],
                    [y0, y0],
                    color=how["line"],
                    lw=how.get("lw", MEDIUM),
                    ls=how.get("ls", "solid"),
                )
            )
        elif "box" in how:
            ax.add_patch(
                Rectangle(
                    (x0 + 1, y0 - 1.2), 6, 2.4, facecolor="white", edgecolor="black", lw=MEDIUM
                )
            )
            ax.add_patch(Rectangle((x0 + 1, y0 - 1.2), 6, 1.2, facecolor="black", lw=0))
        elif "charger" in how:
            ax.add_patch(Circle((x0 + 4, y0), 0.9, facecolor="white", edgecolor="black", lw=THIN))
        ax.text(x0 + 10, y0, label, fontsize=text_pt(label), va="center")
    return top - height


def _notes(
    fig: Figure,
    paper: tuple[float, float],
    at: tuple[float, float, float, float],
    lines: list[str],
    lang: Lang,
) -> float:
    """The numbered notes under the legend, wrapped to the column; returns where they end."""
    x, top, w, bottom = at
    line_mm = CJK_PT * 1.35 / PT_PER_MM
    y = top - 5
    fig.text(
        (x + 2) / paper[0],
        y / paper[1],
        t("notes_title", lang),
        fontsize=CJK_PT,
        va="center",
        color=HEAD_COLOUR,
    )
    y -= line_mm * 1.1
    limit = bottom + 4  # the notes first; the compartments' figures take what is left
    for n, note in enumerate(lines):
        wrapped = wrap(note, (w - 4) * PT_PER_MM, CJK_PT)
        if y - len(wrapped) * line_mm < limit:
            more = t("more_notes", lang, n=len(lines) - n)
            fig.text((x + 2) / paper[0], y / paper[1], more, fontsize=CJK_PT, va="center")
            y -= line_mm
            break
        for part in wrapped:
            fig.text((x + 2) / paper[0], y / paper[1], part, fontsize=text_pt(part), va="center")
            y -= line_mm
    return y


def _summary(  # noqa: PLR0917 - one private drawing step
    fig: Figure,
    paper: tuple[float, float],
    at: tuple[float, float, float, float],
    plan: Plan,
    level_id: str,
    lang: Lang,
) -> None:
    x, top, w, bottom = at
    rows = [s for s in plan.compartments if s.level == level_id]
    line_mm = CJK_PT * 1.35 / PT_PER_MM
    head = (
        t("compartment", lang),
        "可/待/排/否" if lang == "zh" else "plan/pend/defer/block",
        t("kw_columns", lang),
    )
    body = [
        (
            s.id,
            f"{s.counts['planned']}/{s.counts['pending']}/{s.counts['deferred']}/{s.counts['blocked']}",
            f"{s.connected_kw:.1f}/{s.demand_kw:.1f}/"
            + ("?" if s.capacity_kw is None else f"{s.capacity_kw:g}"),
        )
        for s in rows
    ]
    room = int((top - bottom - line_mm) // line_mm) - 1
    if room < 1:
        return
    if len(body) > room:
        body = [*body[: room - 1], ("…", f"+{len(body) - room + 1}", "")]
    y = top - line_mm
    for i, cells in enumerate([head, *body]):
        for cx, cell in zip((2, w * 0.32, w * 0.6), cells, strict=True):
            fig.text(
                (x + cx) / paper[0],
                y / paper[1],
                cell,
                fontsize=text_pt(cell),
                va="center",
                color=HEAD_COLOUR if i == 0 else "black",
            )
        y -= line_mm


TITLE_BLOCK_MM = 116.0
"""Height of the title block at the foot of the right-hand column."""


def title_block(
    fig: Figure,
    plan: Plan,
    *,
    level_id: str,
    paper: str,
    lang: Lang,
    scale: int | None,
    number: str,
    title: str,
    date: str | None = None,
) -> float:
    """The title block (:func:`draw_title_block`) at the foot of the right-hand column of
    a drawn sheet. Returns its height (mm)."""
    px, py, w, _ = panel_mm(paper)
    ax = panel_axes(fig, (px, py, w, TITLE_BLOCK_MM), PAPER_MM[paper])
    draw_title_block(
        AxesCanvas(ax),
        plan,
        width=w,
        lang=lang,
        scale=scale,
        number=number,
        title=title,
        date=date,
    )
    return TITLE_BLOCK_MM


def draw_title_block(
    canvas: Canvas,
    plan: Plan,
    *,
    width: float,
    lang: Lang,
    scale: int | None,
    number: str,
    title: str,
    date: str | None = None,
) -> None:
    """The title block (GB/T 50001-2017 3.2), ``width`` by ``TITLE_BLOCK_MM`` from the
    canvas's origin: 会签 row for the utility and the property office (room for a 40 mm
    seal), 设计/校对/审核/审定 with blanks to sign, then 工程名称, 图名, 图号, 比例, 日期, 版次 and
    the rules' name and date. ``scale`` None (a diagram): 不按比例."""
    w, bh = width, TITLE_BLOCK_MM
    canvas.rect(0, 0, w, bh, lw=MEDIUM)
    info = plan.site.info
    rows = [
        (t("project", lang), " ".join(x for x in (info.community, info.name) if x)),
        (t("drawing_title", lang), title),
        (t("rules_version", lang), plan.rules.rules_version),
    ]
    pairs = [
        (
            (t("drawing_no", lang), number),
            (t("scale", lang), f"1:{scale}" if scale else t("no_scale", lang)),
        ),
        (
            (t("date", lang), date or dt.date.today().isoformat()),
            (t("revision", lang), info.revision or ""),
        ),
    ]
    y = _title_rows(canvas, rows, top=bh, width=w)
    y = _title_pairs(canvas, pairs, top=y, width=w)
    y = _title_roles(canvas, info.surveyor or "", lang, top=y, width=w)
    _countersign(canvas, lang, top=y, width=w)


_LABEL_W = 18.0
"""Width of the title block's label column, mm."""


def _title_rows(canvas: Canvas, rows: list[tuple[str, str]], *, top: float, width: float) -> float:
    """What the drawing is: a label and a value of up to two lines per row. Returns the
    height reached."""
    y, w, label_w = top, width, _LABEL_W
    for label, value in rows:  # top: what the drawing is
        parts = wrap(value, (w - label_w - 3) * PT_PER_MM, CJK_PT)[:2] or [""]
        row_h = 6.5 if len(parts) == 1 else 10.5
        canvas.text(1.5, y - row_h / 2, label, size=CJK_PT, va="center")
        for k, part in enumerate(parts):
            canvas.text(
                label_w + 1.5,
                y - row_h / 2 + (len(parts) - 1) * 2.1 - k * 4.2,
                part,
                size=text_pt(part),
                va="center",
            )
        canvas.line([label_w, label_w], [y - row_h, y], lw=THIN)
        y -= row_h
        canvas.line([0, w], [y, y], lw=THIN)
    return y


def _title_pairs(
    canvas: Canvas,
    pairs: list[tuple[tuple[str, str], tuple[str, str]]],
    *,
    top: float,
    width: float,
) -> float:
    """Two label-value pairs a row (number and scale, date and revision)."""
    y, w, label_w = top, width, _LABEL_W
    for (la, va_), (lb, vb) in pairs:
        canvas.text(1.5, y - 3.25, la, size=CJK_PT, va="center")
        canvas.text(label_w + 1.5, y - 3.25, va_, size=text_pt(va_), va="center")
        canvas.text(w / 2 + 1.5, y - 3.25, lb, size=CJK_PT, va="center")
        canvas.text(w / 2 + label_w + 1.5, y - 3.25, vb, size=text_pt(vb), va="center")
        for xx in (label_w, w / 2, w / 2 + label_w):
            canvas.line([xx, xx], [y - 6.5, y], lw=THIN)
        y -= 6.5
        canvas.line([0, w], [y, y], lw=THIN)
    return y


def _title_roles(canvas: Canvas, designer: str, lang: Lang, *, top: float, width: float) -> float:
    """设计 校对 审核 审定: a name (the surveyor as designer) and room to sign."""
    y, w, label_w = top, width, _LABEL_W
    roles = ("designer", "checker", "reviewer", "approver")
    for role in roles:  # 设计 校对 审核 审定: name, signature
        canvas.text(1.5, y - 3.25, t(role, lang), size=CJK_PT, va="center")
        name = designer if role == "designer" else ""
        canvas.text(label_w + 1.5, y - 3.25, name, size=text_pt(name or "x"), va="center")
        canvas.text(w * 0.68 + 1.5, y - 3.25, t("signature", lang), size=CJK_PT, va="center")
        for xx in (label_w, w * 0.68):
            canvas.line([xx, xx], [y - 6.5, y], lw=THIN)
        y -= 6.5
        canvas.line([0, w], [y, y], lw=THIN)
    return y


def _countersign(canvas: Canvas, lang: Lang, *, top: float, width: float) -> None:
    """会签: the utility and the property office, each with room for a 40 mm seal."""
    y, w = top, width
    canvas.text(
        1.5,
        y / 2,
        t("countersign", lang),
        size=CJK_PT,
        va="center",
        rotation=90 if lang == "zh" else 0,
    )
    canvas.line([8, 8], [0, y], lw=THIN)
    half = 8 + (w - 8) / 2
    canvas.line([half, half], [0, y], lw=THIN)
    canvas.text(9.5, y - 3, t("sign_utility", lang), size=CJK_PT, va="center")
    canvas.text(half + 1.5, y - 3, t("seal", lang), size=CJK_PT, va="center")
    assert y >= 40.0 + 6, y  # the seal's room under the cell's heading


SHEET_DPI = 150
"""The layout sheets' PNG resolution: an A3 sheet is 2,480 x 1,753 pixels."""


def save_sheet(fig: Figure, path: Any, *, fmt: str | None = None) -> None:
    """Write a sheet (PNG at ``SHEET_DPI``, SVG, or PDF page). A PNG is the sheet's PDF
    page rendered by PDFium (:mod:`planner.png`)."""
    kind = fmt or Path(str(path)).suffix.lstrip(".").lower()
    with mpl.rc_context(style()):
        FigureCanvasAgg(fig)
        if kind != "png":
            fig.savefig(path, format=fmt, dpi=SHEET_DPI)
            return
        page = io.BytesIO()
        fig.savefig(page, format="pdf")
    write_png(next(pdf_pixels(page.getvalue(), dpi=SHEET_DPI)), path, dpi=SHEET_DPI)
