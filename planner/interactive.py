"""The zoomable plan of one level for the app: plotly, hover details on every requested
stall, cable and meter box. One trace per kind and status (polygons joined with gaps), so a
level of thousands of stalls stays light in the browser."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from planner.i18n import Lang, reason_text, t
from planner.plan import Cable, MeterBox, Plan, RequestOutcome
from planner.site import SiteLevelView
from planner.styles import (
    COMPARTMENT_EDGE,
    COMPARTMENT_TINTS,
    EXISTING_TRAY,
    OBSTACLE_STYLE,
    PLANNED_TRAY,
    SCREEN_OBSTACLE_EDGE,
    SCREEN_OBSTACLE_FILL,
    SCREEN_STALL_EDGE,
    STATUS_COLOURS,
)
from planner.trunk import TrayRun


def _joined(geoms: Iterable[BaseGeometry]) -> tuple[list[float | None], list[float | None]]:
    """Outlines (or lines) of many geometries as one x/y list separated by gaps."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for g in geoms:
        parts = (
            [g]
            if g.geom_type in ("Polygon", "LineString", "LinearRing")
            else list(getattr(g, "geoms", []))
        )
        for part in parts:
            coords = np.asarray(part.exterior.coords if isinstance(part, Polygon) else part.coords)
            xs += [*coords[:, 0].tolist(), None]
            ys += [*coords[:, 1].tolist(), None]
    return xs, ys


def plan_figure(
    plan: Plan, level_id: str, *, lang: Lang = "zh", stall_ids: bool = False
) -> go.Figure:
    """The level's plan as a plotly figure, equal axes, in local metres; every stall's id
    on hover, and written on the plan with ``stall_ids``. Traces from the bottom up: the
    compartments, the stalls by status, the structures, walls and trays, the planned tray,
    the cables, then what answers the pointer (requests, boxes, stalls)."""
    view = plan.site.on_level(level_id)
    requests = [r for r in plan.requests if r.level == level_id]
    cables = {c.request: c for c in plan.cables if c.level == level_id}
    traces = [
        *_area_traces(plan, view, level_id, lang),
        *_line_traces(view, lang),
        *_tray_traces([r for r in plan.trays if r.level == level_id], lang),
        *_cable_traces(requests, cables, lang),
        *_request_traces(requests, cables, lang),
        *_box_traces([b for b in plan.boxes if b.level == level_id], lang),
        *_stall_traces(view, stall_ids, lang),
    ]
    fig = go.Figure(data=traces)
    fig.update_yaxes(scaleanchor="x", scaleratio=1, showgrid=False, zeroline=False, title_text="m")
    fig.update_xaxes(showgrid=False, zeroline=False, title_text="m")
    fig.update_layout(
        height=640,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        legend={"orientation": "h", "y": -0.08},
        plot_bgcolor="white",
        hoverlabel={"align": "left"},
        dragmode="pan",
    )
    return fig


def _fill(
    geoms: list[BaseGeometry], name: str, colour: str, line: str, opacity: float = 1.0
) -> list[go.Scatter]:
    """Areas filled in ``colour`` with a thin ``line`` edge."""
    style = {"fill": "toself", "fillcolor": colour, "opacity": opacity}
    return _trace(geoms, name, line={"color": line, "width": 0.6}, **style)


def _lines(geoms: Sequence[BaseGeometry], name: str, colour: str, width: float) -> list[go.Scatter]:
    """Lines (or outlines) in ``colour``, ``width`` px wide."""
    return _trace(geoms, name, line={"color": colour, "width": width})


def _trace(geoms: Sequence[BaseGeometry], name: str, **style: Any) -> list[go.Scatter]:
    """One trace of many geometries (none when there are none), no hover."""
    if not geoms:
        return []
    xs, ys = _joined(geoms)
    return [go.Scatter(x=xs, y=ys, mode="lines", name=name, hoverinfo="skip", **style)]


def _area_traces(plan: Plan, view: SiteLevelView, level_id: str, lang: Lang) -> list[go.Scatter]:
    """Compartments, stalls by status and the structures, as filled areas."""
    out: list[go.Scatter] = []
    for i, c in enumerate(view.compartments):
        out += _fill(
            [c.polygon], f"{c.id} {c.name or ''}", COMPARTMENT_TINTS[i % 8], COMPARTMENT_EDGE
        )
    by_status: dict[str, list[BaseGeometry]] = {}
    status_of: dict[str, str] = dict(plan.space_status(level_id))
    for s in view.spaces:
        by_status.setdefault(status_of.get(s.id, "unrequested"), []).append(s.polygon)
    out += _fill(
        by_status.get("unrequested", []),
        t("unrequested", lang),
        "white",
        SCREEN_STALL_EDGE["unrequested"],
    )
    for st in ("planned", "pending", "deferred", "blocked"):
        out += _fill(
            by_status.get(st, []),
            t(st, lang),
            STATUS_COLOURS[st],
            SCREEN_STALL_EDGE["requested"],
            0.6,
        )
    for kind in ("column", "shaft", "ramp", "room", "other"):
        out += _fill(
            [
                o.geometry
                for o in view.obstacles
                if o.type == kind and o.geometry.geom_type == "Polygon"
            ],
            t(kind, lang),
            SCREEN_OBSTACLE_FILL["column" if kind == "column" else "other"],
            SCREEN_OBSTACLE_EDGE,
        )
    return out


def _line_traces(view: SiteLevelView, lang: Lang) -> list[go.Scatter]:
    """Walls drawn as lines, or as polygons (rings with holes too): their edges; and the
    existing trays."""
    walls = [
        o.geometry.boundary if o.geometry.geom_type in ("Polygon", "MultiPolygon") else o.geometry
        for o in view.obstacles
        if o.type == "wall" or o.geometry.geom_type not in ("Polygon", "MultiPolygon")
    ]
    return [
        *_lines(walls, t("wall", lang), OBSTACLE_STYLE["wall"][0], 2),
        *_lines([tr.line for tr in view.trays], t("tray", lang), EXISTING_TRAY, 6),
    ]


def _tray_traces(runs: list[TrayRun], lang: Lang) -> list[go.Scatter]:
    """The planned tray: hover a run for its size, cable count and fill."""
    if not runs:
        return []
    xs, ys = _joined([r.line for r in runs])
    hover: list[str | None] = []
    for run in runs:
        text = (
            f"{t('tray_run', lang)} {run.size}<br>{run.cables}"
            + (f" + {run.reserve}" if run.reserve else "")
            + f" × {t('cable', lang)}<br>fill {run.fill:.0%} · {run.length_m:.1f} m"
        )
        hover += [text] * len(run.line.coords) + [None]
    return [
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            name=t("tray_run", lang),
            text=hover,
            hoverinfo="text",
            line={"color": PLANNED_TRAY, "width": 7},
            opacity=0.8,
        )
    ]


def _cable_traces(
    requests: list[RequestOutcome], cables: dict[str, Cable], lang: Lang
) -> list[go.Scatter]:
    status = {r.id: r.status for r in requests}
    out: list[go.Scatter] = []
    for st in ("planned", "pending", "deferred"):
        out += _lines(
            [c.line for rid, c in cables.items() if status[rid] == st],
            f"{t('cable', lang)} ({t(st, lang)})",
            STATUS_COLOURS[st],
            1.5,
        )
    return out


def _request_text(r: RequestOutcome, cab: Cable | None, lang: Lang) -> str:
    reasons = "<br>".join(f"{x.rule} {x.code}: {reason_text(x, lang)}" for x in r.reasons)
    cable = (
        f"<br>{t('cable_m', lang)}: {cab.cable_m:.1f} / {cab.designation} / "
        f"{t('methods', lang)} {'/'.join(cab.methods)} ({cab.grouping:.2f}) / "
        f"{t('vdrop', lang)}: {cab.voltage_drop_pct:.2f}<br>{t('phase', lang)}: "
        f"{cab.phase or '-'}{'*' if cab.phase_provisional else ''} / {cab.breaker}"
        if cab
        else ""
    )
    return (
        f"<b>{r.space}</b> {r.id} {r.applicant or ''}<br>"
        f"{t('status', lang)}: {t(r.status, lang)}{cable}" + (f"<br>{reasons}" if reasons else "")
    )


def _request_traces(
    requests: list[RequestOutcome], cables: dict[str, Cable], lang: Lang
) -> list[go.Scatter]:
    """One hover point per request at its charger."""
    pts = [r for r in requests if r.point is not None]
    points = [r.point for r in pts if r.point is not None]
    if not pts:
        return []
    return [
        go.Scatter(
            x=[p.x for p in points],
            y=[p.y for p in points],
            mode="markers",
            name=t("request", lang),
            hovertext=[_request_text(r, cables.get(r.id), lang) for r in pts],
            hoverinfo="text",
            marker={
                "size": 7,
                "color": [STATUS_COLOURS[r.status] for r in pts],
                "line": {"color": "white", "width": 1},
            },
        )
    ]


def _box_text(b: MeterBox, lang: Lang) -> str:
    return (
        f"<b>{b.id}</b> ({b.placement})<br>{t('meters', lang)}: {b.meters}"
        f"<br>{t('connected', lang)} {b.connected_kw:.1f} kW / {t('demand', lang)} "
        f"{b.demand_kw:.1f} kW / {t('capacity', lang)} "
        + ("?" if b.capacity_kw is None else f"{b.capacity_kw:g}")
        + " kW<br>A/B/C "
        + "/".join(f"{b.phase_kw[p]:g}" for p in "ABC")
        + f" kW<br>{b.incoming_breaker_a or '-'} A, {b.incoming_cable or '-'}"
    )


def _box_traces(boxes: list[MeterBox], lang: Lang) -> list[go.Scatter]:
    if not boxes:
        return []
    return [
        go.Scatter(
            x=[b.point.x for b in boxes],
            y=[b.point.y for b in boxes],
            mode="markers+text",
            text=[b.id for b in boxes],
            textposition="top right",
            name=t("meter_box", lang),
            marker={"symbol": "square", "size": 12, "color": "black"},
            hovertext=[_box_text(b, lang) for b in boxes],
            hoverinfo="text",
        )
    ]


def _stall_traces(view: SiteLevelView, stall_ids: bool, lang: Lang) -> list[go.Scatter]:
    """The stall under the pointer, by its id."""
    if not view.spaces:
        return []
    centres = [s.polygon.centroid for s in view.spaces]
    return [
        go.Scatter(
            x=[c.x for c in centres],
            y=[c.y for c in centres],
            mode="markers+text" if stall_ids else "markers",
            text=[s.id for s in view.spaces] if stall_ids else None,
            textfont={"size": 9},
            marker={"size": 6, "opacity": 0.0},
            hovertext=[s.id for s in view.spaces],
            hoverinfo="text",
            name=t("space", lang),
        )
    ]


def figure_summary(fig: go.Figure) -> dict[str, Any]:
    """Trace names and point counts (for tests)."""
    return {tr.name: len(tr.x or []) for tr in fig.data}
