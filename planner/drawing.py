"""Layout sheets the property office signs: one per level, A3 landscape (A1 on request).

Everything is drawn with collections (one artist per kind, not per stall), at a standard
scale (1:100 ... 1:20000) chosen so the level fits, with a legend, a scale bar, a north
arrow, a summary per compartment and a title block with blanks for the property's seal and
signatures. Labels are placed greedily by priority (meter boxes, compartments, space
numbers, cables) and a label that would overlap one already placed by more than 10 % of the
smaller is left out: its detail is in the schedule, under the request's number.

matplotlib is imported here only, lazily by callers: ``import planner`` stays light.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import matplotlib as mpl
import numpy as np
import shapely
import shapely.ops
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Patch, Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from planner.fonts import cjk_family, text_width_pt
from planner.i18n import Lang, t
from planner.plan import Plan

Paper = Literal["A3", "A1"]
PAPER_MM: dict[str, tuple[float, float]] = {"A3": (420.0, 297.0), "A1": (841.0, 594.0)}
SCALES = (
    100,
    150,
    200,
    250,
    300,
    400,
    500,
    600,
    750,
    1000,
    1250,
    1500,
    2000,
    2500,
    3000,
    4000,
    5000,
    7500,
    10000,
    20000,
)
STATUS_COLOURS = {
    "planned": "#2e7d32",
    "pending": "#f9a825",
    "deferred": "#1565c0",
    "blocked": "#c62828",
}
COMPARTMENT_TINTS = (
    "#e3f2fd",
    "#fff3e0",
    "#e8f5e9",
    "#f3e5f5",
    "#fffde7",
    "#e0f7fa",
    "#fce4ec",
    "#f1f8e9",
)
OBSTACLE_STYLE = {
    "column": ("#424242", None),
    "shaft": ("#bdbdbd", "xx"),
    "ramp": ("#eeeeee", "//"),
    "room": ("#e0e0e0", ".."),
    "other": ("#e0e0e0", None),
    "wall": ("#000000", None),
}
MAX_OVERLAP = 0.10
MM_PER_INCH = 25.4
PT_PER_MM = 72 / MM_PER_INCH


@dataclass(frozen=True)
class SheetOptions:
    """How sheets are drawn."""

    lang: Lang = "zh"
    paper: Paper = "A3"
    date: str | None = None


PLANNED_TRAY = "#ffb74d"
"""Colour of the planned shared tray on sheets and in the app."""


def style() -> Any:
    """matplotlib settings for every sheet and document: the CJK font for all text, fonts
    embedded as Type 3 (the CJK font is CFF-flavoured OpenType, which a TrueType (42)
    embedding would mislabel) with a text layer that can be searched."""
    family = cjk_family()
    return {
        "font.family": [family],
        "font.sans-serif": [family],
        "pdf.fonttype": 3,
        "svg.fonttype": "path",
        "axes.unicode_minus": False,
        "hatch.linewidth": 0.4,
    }


def _rings(geom: BaseGeometry) -> list[np.ndarray]:
    if geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [np.asarray(geom.exterior.coords)]
    return [
        np.asarray(g.exterior.coords)
        for g in getattr(geom, "geoms", [])
        if g.geom_type == "Polygon"
    ]


def _lines(geom: BaseGeometry) -> list[np.ndarray]:
    if geom.geom_type == "LineString":
        return [np.asarray(geom.coords)]
    if geom.geom_type == "Polygon":
        return [np.asarray(r.coords) for r in (geom.exterior, *geom.interiors)]
    return [a for g in getattr(geom, "geoms", []) for a in _lines(g)]


class _Labeller:
    """Places text labels greedily, refusing any that would overlap a placed one by more
    than ``MAX_OVERLAP`` of the smaller's area (a grid index keeps this fast)."""

    def __init__(self, fig: Figure, cell_px: float = 40.0) -> None:
        self.renderer = FigureCanvasAgg(fig).get_renderer()
        self.cell = cell_px
        self.grid: dict[tuple[int, int], list[Bbox]] = {}
        self.dropped = 0

    def _cells(self, b: Bbox) -> Iterable[tuple[int, int]]:
        for i in range(int(b.x0 // self.cell), int(b.x1 // self.cell) + 1):
            for j in range(int(b.y0 // self.cell), int(b.y1 // self.cell) + 1):
                yield i, j

    def fits(self, b: Bbox) -> bool:
        area = b.width * b.height
        seen: set[int] = set()
        for c in self._cells(b):
            for other in self.grid.get(c, []):
                if id(other) in seen:
                    continue
                seen.add(id(other))
                ix = min(b.x1, other.x1) - max(b.x0, other.x0)
                iy = min(b.y1, other.y1) - max(b.y0, other.y0)
                if ix > 0 and iy > 0:
                    smaller = min(area, other.width * other.height)
                    if ix * iy > MAX_OVERLAP * smaller:
                        return False
        return True

    def estimate(self, ax: Axes, x: float, y: float, text: str, size: float) -> bool:
        """A cheap first look, before any artist exists: would a centred one-line label
        of this size fit here? (Dense levels hold thousands of candidates.)"""
        px, py = ax.transData.transform((x, y))
        scale = ax.figure.dpi / 72
        w = text_width_pt(text, size) * scale
        h = size * 1.2 * scale
        return self.fits(Bbox([[px - w / 2, py - h / 2], [px + w / 2, py + h / 2]]))

    def claim(self, b: Bbox) -> None:
        for c in self._cells(b):
            self.grid.setdefault(c, []).append(b)

    def place(self, text: Text, alternatives: Sequence[tuple[float, float]] = ()) -> bool:
        """Keep ``text`` where it fits (trying offsets in points); remove it otherwise."""
        base = text.get_position()
        tries = [(0.0, 0.0), *alternatives]
        for dx, dy in tries:
            if dx or dy:
                text.set_position(base)
                trans = text.get_transform() + mpl.transforms.ScaledTranslation(
                    dx / 72, dy / 72, text.figure.dpi_scale_trans
                )
                text.set_transform(trans)
            b = text.get_window_extent(self.renderer)
            if self.fits(b):
                self.claim(b)
                return True
        text.remove()
        self.dropped += 1
        return False


def _scale_for(extent_m: tuple[float, float], box_mm: tuple[float, float]) -> int:
    need = max(extent_m[0] * 1000 / box_mm[0], extent_m[1] * 1000 / box_mm[1])
    return next((s for s in SCALES if s >= need), SCALES[-1])


def _nice(length_m: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if step >= length_m:
            return float(step)
    return 10000.0


def render_level(plan: Plan, level_id: str, *, options: SheetOptions | None = None) -> Figure:
    """One level's layout sheet as a matplotlib figure (not registered with pyplot)."""
    opts = options or SheetOptions()
    with mpl.rc_context(style()):
        return _render(plan, level_id, opts)


def _render(plan: Plan, level_id: str, opts: SheetOptions) -> Figure:
    lang = opts.lang
    site = plan.site
    view = site.on_level(level_id)
    level = view.level
    w_mm, h_mm = PAPER_MM[opts.paper]
    k = w_mm / 420.0  # text scales with the paper
    fig = Figure(figsize=(w_mm / MM_PER_INCH, h_mm / MM_PER_INCH), dpi=100)
    margin = 10.0
    panel_w = 95.0 * k
    ax_box = (margin, margin, w_mm - panel_w - 2.5 * margin, h_mm - 2 * margin)
    ax = fig.add_axes((ax_box[0] / w_mm, ax_box[1] / h_mm, ax_box[2] / w_mm, ax_box[3] / h_mm))
    ax.set_axis_off()
    fig.add_artist(
        Rectangle(
            (5 / w_mm, 5 / h_mm),
            1 - 10 / w_mm,
            1 - 10 / h_mm,
            transform=fig.transFigure,
            fill=False,
            lw=1.2,
        )
    )
    xmin, ymin, xmax, ymax = level.outline.bounds
    pad = 0.04 * max(xmax - xmin, ymax - ymin) + 2
    scale = _scale_for((xmax - xmin + 2 * pad, ymax - ymin + 2 * pad), ax_box[2:])
    half_w = ax_box[2] * scale / 1000 / 2
    half_h = ax_box[3] * scale / 1000 / 2
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    ax.set_xlim(cx - half_w, cx + half_w)
    ax.set_ylim(cy - half_h, cy + half_h)
    ax.set_aspect("equal")
    m_to_pt = 1000 / scale * PT_PER_MM  # one metre on paper, in points

    # compartments, outline
    comps = view.compartments
    ax.add_collection(
        PolyCollection(
            [r for c in comps for r in _rings(c.polygon)],
            facecolors=[
                COMPARTMENT_TINTS[i % len(COMPARTMENT_TINTS)]
                for i, c in enumerate(comps)
                for _ in _rings(c.polygon)
            ],
            edgecolors="none",
            zorder=1,
        )
    )
    ax.add_collection(
        LineCollection(
            [r for c in comps for r in _lines(c.polygon)],
            colors="#d84315",
            linewidths=1.6 * k,
            linestyles=(0, (8, 2, 1, 2)),
            zorder=6,
        )
    )
    ax.add_collection(
        LineCollection(_lines(level.outline), colors="black", linewidths=1.4 * k, zorder=6)
    )
    # stalls by status
    status_of_space = plan.space_status(level_id)
    faces = [STATUS_COLOURS.get(status_of_space.get(s.id, ""), "white") for s in view.spaces]
    alphas = [0.55 if s.id in status_of_space else 1.0 for s in view.spaces]
    stall_col = PolyCollection(
        [np.asarray(s.polygon.exterior.coords) for s in view.spaces],
        facecolors=[mpl.colors.to_rgba(f, a) for f, a in zip(faces, alphas, strict=True)],
        edgecolors="#757575",
        linewidths=0.3 * k,
        zorder=2,
    )
    ax.add_collection(stall_col)
    # obstacles
    for kind, (colour, hatch) in OBSTACLE_STYLE.items():
        obs = [o for o in view.obstacles if o.type == kind]
        polys = [r for o in obs if o.geometry.geom_type == "Polygon" for r in _rings(o.geometry)]
        lines = [a for o in obs if o.geometry.geom_type != "Polygon" for a in _lines(o.geometry)]
        if polys:
            ax.add_collection(
                PolyCollection(
                    polys,
                    facecolors=colour,
                    edgecolors="#212121",
                    linewidths=0.4 * k,
                    hatch=hatch,
                    zorder=3,
                )
            )
        if lines:
            ax.add_collection(LineCollection(lines, colors="black", linewidths=2.0 * k, zorder=3))
    # trays, cables
    if view.trays:
        ax.add_collection(
            LineCollection(
                [np.asarray(tr.line.coords) for tr in view.trays],
                colors="#81d4fa",
                linewidths=5 * k,
                alpha=0.8,
                zorder=4,
            )
        )
    runs = [r for r in plan.trays if r.level == level_id]
    if runs:  # the planned shared tray, under the owners' cables that follow it
        ax.add_collection(
            LineCollection(
                [np.asarray(r.line.coords) for r in runs],
                colors=PLANNED_TRAY,
                linewidths=3.5 * k,
                alpha=0.75,
                zorder=4,
                capstyle="butt",
            )
        )
    status = {r.id: r.status for r in plan.requests}
    cables = [c for c in plan.cables if c.level == level_id]
    styles = {"planned": "solid", "pending": (0, (4, 2)), "deferred": (0, (1, 1.5))}
    for st, ls in styles.items():
        mine = [np.asarray(c.line.coords) for c in cables if status[c.request] == st]
        if mine:
            ax.add_collection(
                LineCollection(
                    mine, colors=STATUS_COLOURS[st], linewidths=0.9 * k, linestyles=ls, zorder=5
                )
            )
    # meter boxes: one group each in SVG, id = box id
    boxes = [b for b in plan.boxes if b.level == level_id]
    for b in boxes:
        ax.plot(
            [b.point.x],
            [b.point.y],
            marker="s",
            markersize=7 * k,
            color="black",
            markeredgecolor="white",
            zorder=8,
            gid=b.id,
            linestyle="none",
        )
    ax.set_xlim(cx - half_w, cx + half_w)
    ax.set_ylim(cy - half_h, cy + half_h)

    labeller = _Labeller(fig)
    fs = 6.0 * k
    for b in boxes:
        cap = t("unknown", lang) if b.capacity_kw is None else f"{b.capacity_kw:g}"
        text = (
            f"{b.id}  {t('meters', lang)} {b.meters}"
            + (f" x{b.boxes}" if b.boxes > 1 else "")
            + f"\n{t('connected', lang)} {b.connected_kw:.1f} / {t('demand', lang)} "
            f"{b.demand_kw:.1f} / {t('capacity', lang)} {cap} kW"
        )
        txt = ax.text(
            b.point.x,
            b.point.y,
            text,
            fontsize=fs,
            ha="left",
            va="bottom",
            zorder=9,
            bbox={"fc": "white", "ec": "black", "lw": 0.4, "pad": 1.2},
            transform=ax.transData,
        )
        txt.set_transform(
            ax.transData + mpl.transforms.ScaledTranslation(4 / 72, 4 / 72, fig.dpi_scale_trans)
        )
        labeller.place(txt, [(-120 * k, 0), (0, -30 * k), (-120 * k, -30 * k)])
    solid = (
        shapely.union_all([o.geometry.buffer(0.5) for o in view.obstacles])
        if view.obstacles
        else Polygon()
    )
    for c in comps:
        open_floor = c.polygon.difference(solid)
        biggest = max(shapely.get_parts(open_floor), key=lambda g: g.area, default=c.polygon)
        p = (
            shapely.ops.polylabel(biggest, tolerance=0.5)
            if biggest.geom_type == "Polygon"
            else c.polygon.representative_point()
        )
        label = f"{c.id}" + (f" {c.name}" if c.name else "") + f"\n{c.polygon.area:,.1f} m²"
        txt = ax.text(
            p.x, p.y, label, fontsize=8 * k, ha="center", va="center", color="#bf360c", zorder=7
        )
        labeller.place(txt, [(0, 24 * k), (0, -24 * k), (40 * k, 0), (-40 * k, 0)])
    # space numbers on requested stalls, along the stall's long side, where they fit
    space_fs = 3.6 * k
    requested = [s for s in view.spaces if s.id in status_of_space]
    for s in requested:
        rect = s.polygon.minimum_rotated_rectangle
        coords = np.asarray(rect.exterior.coords)
        e = np.diff(coords[:3], axis=0)
        lens = np.hypot(e[:, 0], e[:, 1])
        long_i = int(np.argmax(lens))
        if (
            len(s.id) * 0.6 * space_fs > lens[long_i] * m_to_pt * 0.95
            or space_fs > lens[1 - long_i] * m_to_pt * 0.9
        ):
            labeller.dropped += 1
            continue
        angle = math.degrees(math.atan2(e[long_i][1], e[long_i][0]))
        angle = (angle + 90) % 180 - 90
        p = s.polygon.centroid
        txt = ax.text(
            p.x,
            p.y,
            s.id,
            fontsize=space_fs,
            ha="center",
            va="center",
            rotation=angle,
            rotation_mode="anchor",
            zorder=7,
        )
        labeller.place(txt)
    cable_fs = 4.2 * k
    for run in sorted(runs, key=lambda r: -r.length_m):  # trunk sizes first, longest first
        if run.branch or run.length_m < 2.0:
            continue
        mid = run.line.interpolate(0.5, normalized=True)
        reserve = f"+{run.reserve}" if run.reserve else ""
        label = f"{run.size} {run.cables}{reserve}" + ("根" if lang == "zh" else "")
        if not labeller.estimate(ax, mid.x, mid.y, label, cable_fs):
            continue
        txt = ax.text(
            mid.x,
            mid.y,
            label,
            fontsize=cable_fs,
            ha="center",
            va="center",
            zorder=7,
            color="#e65100",
            bbox={"fc": "white", "ec": PLANNED_TRAY, "pad": 0.2, "lw": 0.4},
        )
        labeller.place(txt)
    for cab in cables:  # the id near the charger end, where its owner's branch arrives
        mid = cab.line.interpolate(max(cab.line.length - 1.5, 0.5 * cab.line.length))
        label = f"{cab.request} {cab.cable_m:.1f}m {cab.conductor_mm2:g}mm²"
        if not labeller.estimate(ax, mid.x, mid.y, label, cable_fs):
            labeller.dropped += 1
            continue
        txt = ax.text(
            mid.x,
            mid.y,
            label,
            fontsize=cable_fs,
            ha="center",
            va="center",
            zorder=7,
            color=STATUS_COLOURS[status[cab.request]],
            bbox={"fc": "white", "ec": "none", "pad": 0.2, "alpha": 0.8},
        )
        labeller.place(txt)

    _north_arrow(fig, ax, site.info.north_deg, lang, k)
    _scale_bar(ax, scale, lang=lang, k=k, paper=opts.paper)
    panel = (w_mm - panel_w - margin, margin, panel_w, h_mm - 2 * margin)
    paper = (w_mm, h_mm)
    _legend(fig, panel, paper=paper, lang=lang, k=k, trays=view.trays != (), planned=bool(runs))
    _summary(fig, plan, level_id, panel=panel, paper=paper, lang=lang, k=k)
    title_block(
        fig, plan, level_id, panel=panel, paper=paper, lang=lang, k=k, scale=scale, opts=opts
    )
    return fig


def _north_arrow(fig: Figure, ax: Axes, north_deg: float, lang: Lang, k: float) -> None:
    a = math.radians(north_deg)
    dx, dy = -math.sin(a), math.cos(a)
    cx, cy = 0.95, 0.9
    length = 0.06
    ax.add_artist(
        FancyArrow(
            cx - dx * length / 2,
            cy - dy * length / 2,
            dx * length,
            dy * length,
            width=0.004,
            head_width=0.018,
            head_length=0.02,
            length_includes_head=True,
            transform=ax.transAxes,
            color="black",
            zorder=10,
        )
    )
    ax.text(
        cx + dx * (length / 2 + 0.025),
        cy + dy * (length / 2 + 0.025),
        t("north", lang),
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=10 * k,
        zorder=10,
    )


def _scale_bar(ax: Axes, scale: int, *, lang: Lang, k: float, paper: str) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    span = _nice((x1 - x0) / 6)
    seg = span / 4
    bx, by = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.035
    h = (y1 - y0) * 0.008
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (bx + i * seg, by),
                seg,
                h,
                facecolor="black" if i % 2 == 0 else "white",
                edgecolor="black",
                lw=0.6,
                zorder=10,
            )
        )
    for i, v in ((0, 0.0), (2, span / 2), (4, span)):
        ax.text(
            bx + i * seg,
            by + 1.8 * h,
            f"{v:g}",
            ha="center",
            va="bottom",
            fontsize=6 * k,
            zorder=10,
        )
    ax.text(bx + 4 * seg + seg * 0.3, by, "m", ha="left", va="bottom", fontsize=6 * k, zorder=10)
    ax.text(
        bx,
        by - 1.2 * h,
        f"{t('scale', lang)} 1:{scale} ({paper})",
        ha="left",
        va="top",
        fontsize=7 * k,
        zorder=10,
    )


def panel_axes(
    fig: Figure, box: tuple[float, float, float, float], paper: tuple[float, float]
) -> Axes:
    w, h = paper
    ax = fig.add_axes((box[0] / w, box[1] / h, box[2] / w, box[3] / h))
    ax.set_xlim(0, box[2])
    ax.set_ylim(0, box[3])
    ax.set_axis_off()
    return ax


def _legend(
    fig: Figure,
    panel: tuple[float, float, float, float],
    *,
    paper: tuple[float, float],
    lang: Lang,
    k: float,
    trays: bool,
    planned: bool = False,
) -> None:
    x, y, w, h = panel
    ax = panel_axes(fig, (x, y + h * 0.62, w, h * 0.38), paper)
    handles: list[Any] = [
        Patch(
            facecolor=mpl.colors.to_rgba(STATUS_COLOURS[s], 0.55),
            edgecolor="#757575",
            label=t(s, lang),
        )
        for s in ("planned", "pending", "deferred", "blocked")
    ]
    handles += [
        Patch(facecolor="white", edgecolor="#757575", label=t("unrequested", lang)),
        Line2D(
            [],
            [],
            marker="s",
            color="black",
            linestyle="none",
            markersize=7,
            label=t("meter_box", lang),
        ),
        Line2D([], [], color=STATUS_COLOURS["planned"], label=t("cable", lang)),
        Line2D(
            [],
            [],
            color="#d84315",
            linestyle=(0, (8, 2, 1, 2)),
            lw=1.6,
            label=t("compartment", lang),
        ),
        Patch(facecolor="#424242", edgecolor="#212121", label=t("column", lang)),
        Line2D([], [], color="black", lw=2, label=t("wall", lang)),
        Patch(facecolor="#bdbdbd", edgecolor="#212121", hatch="xx", label=t("shaft", lang)),
        Patch(facecolor="#eeeeee", edgecolor="#212121", hatch="//", label=t("ramp", lang)),
        Patch(facecolor="#e0e0e0", edgecolor="#212121", hatch="..", label=t("room", lang)),
    ]
    if trays:
        handles.append(Line2D([], [], color="#81d4fa", lw=5, label=t("tray", lang)))
    if planned:
        handles.append(Line2D([], [], color=PLANNED_TRAY, lw=3.5, label=t("tray_run", lang)))
    ax.legend(
        handles=handles,
        loc="upper left",
        fontsize=7 * k,
        title=t("legend", lang),
        title_fontsize=8 * k,
        frameon=True,
        ncol=2,
        handlelength=2.2,
        borderaxespad=0.2,
    )


def _summary(
    fig: Figure,
    plan: Plan,
    level_id: str,
    *,
    panel: tuple[float, float, float, float],
    paper: tuple[float, float],
    lang: Lang,
    k: float,
) -> None:
    x, y, w, h = panel
    ax = panel_axes(fig, (x, y + h * 0.40, w, h * 0.21), paper)
    rows = [s for s in plan.compartments if s.level == level_id]
    head = (
        f"{t('compartment', lang)}",
        "plan/pend/defer/block" if lang == "en" else "可/待/排/否",
        f"kW {t('connected', lang)}/{t('demand', lang)}/{t('capacity', lang)}",
    )
    lines = [head] + [
        (
            s.id,
            f"{s.counts['planned']}/{s.counts['pending']}/{s.counts['deferred']}/"
            f"{s.counts['blocked']}",
            f"{s.connected_kw:.1f}/{s.demand_kw:.1f}/"
            + ("?" if s.capacity_kw is None else f"{s.capacity_kw:g}"),
        )
        for s in rows
    ]
    max_rows = 14
    if len(lines) > max_rows + 1:
        lines = [*lines[:max_rows], ("…", f"+{len(lines) - max_rows - 1}", "")]
    step = min(h * 0.21 / (len(lines) + 1), 5.5 * k)
    for i, (a, b, c) in enumerate(lines):
        yy = h * 0.21 - (i + 1) * step
        colour = "#bf360c" if i == 0 else "black"  # the font has one weight: colour the head
        ax.text(1, yy, a, fontsize=6 * k, color=colour, va="center")
        ax.text(w * 0.33, yy, b, fontsize=6 * k, color=colour, va="center")
        ax.text(w * 0.55, yy, c, fontsize=6 * k, color=colour, va="center")


def title_block(
    fig: Figure,
    plan: Plan,
    level_id: str,
    *,
    panel: tuple[float, float, float, float],
    paper: tuple[float, float],
    lang: Lang,
    k: float,
    scale: int | None,
    opts: SheetOptions,
    title: str | None = None,
) -> None:
    """The title block: what, where, when, who, the rules, the scale; blanks for the
    property's seal and signatures. ``scale`` None (a diagram): 不按比例 / not to scale."""
    x, y, w, h = panel
    bh = h * 0.38
    ax = panel_axes(fig, (x, y, w, bh), paper)
    info = plan.site.info
    level = plan.site.level(level_id)
    rows = [
        (t("community", lang), info.community or ""),
        (t("site", lang), info.name),
        (t("level", lang), f"{level.id} {level.name or ''}".strip()),
        (t("date", lang), opts.date or dt.date.today().isoformat()),
        (t("revision", lang), info.revision or ""),
        (t("surveyor", lang), info.surveyor or ""),
        (t("rules_version", lang), plan.rules.rules_version),
        (t("scale", lang), f"1:{scale}" if scale else t("no_scale", lang)),
    ]
    title_h = bh * 0.12
    ax.add_patch(Rectangle((0, 0), w, bh, fill=False, lw=1.0))
    ax.text(
        w / 2,
        bh - title_h / 2,
        title or t("title", lang),
        ha="center",
        va="center",
        fontsize=8.5 * k,
    )
    ax.plot([0, w], [bh - title_h] * 2, color="black", lw=0.8)
    info_h = bh * 0.52
    row_h = info_h / len(rows)
    top = bh - title_h
    for i, (label, value) in enumerate(rows):
        yy = top - (i + 0.5) * row_h
        ax.text(2, yy, label, fontsize=6.5 * k, va="center")
        ax.text(w * 0.3, yy, value, fontsize=6.5 * k, va="center", clip_on=True)
        ax.plot([0, w], [top - (i + 1) * row_h] * 2, color="black", lw=0.4)
    ax.plot([w * 0.28, w * 0.28], [top - info_h, top], color="black", lw=0.4)
    sign_top = top - info_h
    cells = [
        (t("seal", lang), 0, w * 0.5),
        (t("sign_property", lang), w * 0.5, w),
    ]
    for label, a, b in cells:
        ax.add_patch(Rectangle((a, 0), b - a, sign_top, fill=False, lw=0.6))
        ax.text(a + 2, sign_top - 2, label, fontsize=6 * k, va="top")
    ax.text(w * 0.5 + 2, sign_top * 0.35, t("sign_surveyor", lang), fontsize=6 * k, va="top")
    ax.plot([w * 0.5, w], [sign_top * 0.45] * 2, color="black", lw=0.4)


def save_sheet(fig: Figure, path: Any, *, fmt: str | None = None) -> None:
    """Write a sheet (PNG at 150 dpi, SVG, or PDF page)."""
    with mpl.rc_context(style()):
        FigureCanvasAgg(fig)
        fig.savefig(path, format=fmt, dpi=150)
