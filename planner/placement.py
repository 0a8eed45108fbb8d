"""Where each compartment's meter box goes (R5).

``centroid`` (the policy: 表箱 at the centre of the 防火分区): the compartment's centroid, or,
where that lies outside the compartment or inside an obstacle or its clearance, the nearest
valid interior point. ``column``: the face of the column or wall nearest the centroid.
``min-cable`` is computed by :func:`min_cable_node` from the routing graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import networkx as nx
import shapely
import shapely.affinity
import shapely.ops
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from planner.site import Obstacle

Placement = Literal["centroid", "interior_point", "column", "wall", "min_cable", "manual"]
PlacementMode = Literal["centroid", "column", "min-cable"]


@dataclass(frozen=True)
class BoxSite:
    """A meter box position and how it was chosen."""

    point: Point
    placement: Placement
    offset_m: float
    saving_m: float | None = None
    """For ``min_cable``: route metres saved against the policy placement."""


def _main_part(free: BaseGeometry) -> BaseGeometry:
    """The largest piece of free space: the box serves the compartment's main floor, not a
    walled-in pocket."""
    parts = [g for g in shapely.get_parts(free) if g.area > 0]
    return max(parts, key=lambda g: g.area) if parts else free


def centroid_site(compartment: Polygon, free: BaseGeometry) -> BoxSite | None:
    """R5 policy placement: the centroid if it is valid, else the nearest valid point."""
    c = compartment.centroid
    if free.is_empty:
        return None
    if free.covers(c):
        return BoxSite(c, "centroid", 0.0)
    q = shapely.ops.nearest_points(_main_part(free), c)[0]
    return BoxSite(q, "interior_point", q.distance(c))


def column_site(
    compartment: Polygon, free: BaseGeometry, obstacles: Sequence[Obstacle], *, clearance_m: float
) -> BoxSite | None:
    """R5 option ``column``: on the face of the column or wall nearest the centroid (at the
    clearance from it); the policy placement where there is none."""
    c = compartment.centroid
    best: BoxSite | None = None
    main = _main_part(free)
    for ob in obstacles:
        if ob.type not in ("column", "wall") or not ob.geometry.intersects(compartment):
            continue
        face = ob.geometry.buffer(max(clearance_m, 1e-3), join_style="mitre").exterior
        q = shapely.ops.nearest_points(face, c)[0]
        if not main.covers(q):
            q = (
                shapely.ops.nearest_points(main.intersection(face.buffer(1e-6)), c)[0]
                if main.intersects(face.buffer(1e-6))
                else None
            )
        if q is None:
            continue
        site = BoxSite(q, "column" if ob.type == "column" else "wall", q.distance(c))
        if best is None or site.offset_m < best.offset_m:
            best = site
    return best or centroid_site(compartment, free)


def min_cable_node(
    graph: nx.Graph,
    sources: Sequence[tuple[float, float]],
    *,
    prefer: tuple[float, float] = (0.0, 0.0),
) -> tuple[tuple[float, float], float] | None:
    """R5 option ``min-cable``: the graph node with the least total length to all
    ``sources`` (the chargers), and that total; among equal totals (rectilinear plateaus)
    the node nearest ``prefer`` (the policy point). One search per charger."""
    if not sources:
        return None
    totals: dict[tuple[float, float], float] = {}
    counts: dict[tuple[float, float], int] = {}
    for s in sources:
        dist = nx.single_source_dijkstra_path_length(graph, s, weight="length")
        for node, d in dist.items():
            totals[node] = totals.get(node, 0.0) + d
            counts[node] = counts.get(node, 0) + 1
    full = [n for n, k in counts.items() if k == len(sources)]
    if not full:
        return None
    best = min(
        full, key=lambda n: (round(totals[n], 6), (n[0] - prefer[0]) ** 2 + (n[1] - prefer[1]) ** 2)
    )
    return best, totals[best]
