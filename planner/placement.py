"""Where each compartment's meter box goes (R5).

``centre`` (the default, the scheme's 中心位置 for a box that hangs on a structure): on the
face of a column, wall, shaft, room or of the compartment's own boundary nearest the
compartment's centroid, on a face that touches no parking space (a box standing out
``box_depth_m`` there would block a car door); ``column`` is another name for it.
``centroid``: a free-standing box at the centroid, or, where that lies outside the
compartment or inside an obstacle or its clearance, the nearest valid interior point.
``min-cable`` is computed by :func:`min_cable_node` from the routing graph, over the
mountable faces only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import shapely
import shapely.affinity
import shapely.ops
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from planner.graph import RouteGraph
from planner.site import Obstacle

Placement = Literal["centre", "centroid", "interior_point", "column", "wall", "min_cable", "manual"]
PlacementMode = Literal["centre", "centroid", "column", "min-cable"]
MOUNT_TYPES = ("column", "wall", "shaft", "room")
"""Obstacles a box can hang on (and the compartment boundary, which is a wall)."""


@dataclass(frozen=True)
class BoxSite:
    """A meter box position and how it was chosen."""

    point: Point
    placement: Placement
    offset_m: float
    saving_m: float | None = None
    """For ``min_cable``: route metres saved against the policy placement."""
    mount: str | None = None
    """Id of the structure the box hangs on (None: free-standing, or an unnamed one)."""
    mount_type: str | None = None
    """What it hangs on: column, wall, shaft, room or boundary (the compartment's wall)."""
    fallback: bool = False
    """True when every face near the centre touches a parking space and the nearest face
    was taken all the same."""


@dataclass(frozen=True)
class Mounts:
    """The faces a box can hang on in one compartment: ``lines`` (clear of stalls) and
    ``any_face`` (stalls or not), both on the free space's boundary."""

    lines: BaseGeometry
    any_face: BaseGeometry
    structures: tuple[tuple[BaseGeometry, str | None, str], ...]


def mount_faces(
    compartment: Polygon,
    free: BaseGeometry,
    obstacles: Sequence[Obstacle],
    stalls: Sequence[Polygon],
    *,
    clearance_m: float,
    box_depth_m: float,
) -> Mounts:
    """R5: the stretches of the free space's boundary that lie along a structure (at the
    clearance) and whose strip ``box_depth_m`` deep touches no stall."""
    main = _main_part(free)
    structures: list[tuple[BaseGeometry, str | None, str]] = [
        (compartment.exterior, None, "boundary")
    ]
    geoms = np.empty(len(obstacles), dtype=object)
    geoms[:] = [ob.geometry for ob in obstacles]
    inside = shapely.intersects(geoms, compartment)  # one vectorised test for the level
    for n, ob in enumerate(obstacles):
        if ob.type in MOUNT_TYPES and inside[n]:
            name = ob.id or f"{ob.type}-{ob.index if ob.index is not None else n}"
            structures.append((ob.geometry, name, ob.type))
    if main.is_empty:
        return Mounts(main, main, tuple(structures))
    reach = shapely.union_all([g for g, _, _ in structures]).buffer(clearance_m + 2e-3)
    faces = main.boundary.intersection(reach)
    clear = faces
    if stalls:
        clear = faces.difference(shapely.union_all(list(stalls)).buffer(box_depth_m + 1e-3))
    return Mounts(clear, faces, tuple(structures))


TIE_M = 1e-3
"""Face points this much farther from the centroid than the nearest are as near (R5)."""


def centre_site(
    compartment: Polygon, free: BaseGeometry, mounts: Mounts, *, axis_deg: float = 0.0
) -> BoxSite | None:
    """R5 default: the point of the mountable faces nearest the centroid (a face touching
    a stall only where there is no other), recording the structure it hangs on. Among
    points as near (:func:`nearest_face_point`), the first in the garage's axes
    (``axis_deg``, the router's)."""
    c = compartment.centroid
    faces, fallback = mounts.lines, False
    if faces.is_empty:
        faces, fallback = mounts.any_face, True
    if faces.is_empty:
        return centroid_site(compartment, free)
    q = nearest_face_point(faces, c, axis_deg=axis_deg)
    _, name, kind = min(mounts.structures, key=lambda s: s[0].distance(q))
    return BoxSite(q, "centre", q.distance(c), mount=name, mount_type=kind, fallback=fallback)


def nearest_face_point(faces: BaseGeometry, centre: Point, *, axis_deg: float = 0.0) -> Point:
    """The point of ``faces`` (lines) nearest ``centre``; where several are as near (within
    :data:`TIE_M`: a column's two sides, the faces of a symmetric bay, common in a garage's
    grid), the one of least offset from ``centre`` along the garage's y axis, then its x
    axis (``axis_deg``), rounded to the millimetre.

    That choice is the drawing's, not the arithmetic's: left to GEOS's nearest point, a
    tie went to whichever side float rounding favoured, and the same garage drawn from
    another origin (moved, nothing else) got its box on the other side of a column.
    Every segment is measured at once, its coordinates taken relative to ``centre``; a
    lone point among the faces (where a face only touches a structure) counts as itself."""
    # single lines and points (an overlay's collection may hold multi-lines)
    parts = shapely.get_parts(shapely.get_parts(faces))
    xy, part = shapely.get_coordinates(parts, return_index=True)
    xy = xy - (centre.x, centre.y)
    same = part[1:] == part[:-1]  # consecutive vertices of one line make a segment
    lone = shapely.get_type_id(parts) == 0
    a = np.concatenate([xy[:-1][same], xy[lone[part]]])
    b = np.concatenate([xy[1:][same], xy[lone[part]]])
    d = b - a
    lengths2 = np.einsum("ij,ij->i", d, d)
    t = np.clip(-np.einsum("ij,ij->i", a, d) / np.where(lengths2 > 0, lengths2, 1.0), 0.0, 1.0)
    near = a + t[:, None] * d
    dist = np.hypot(near[:, 0], near[:, 1])
    tied = near[dist <= dist.min() + TIE_M]
    # the axes as a set (a turn of 90 degrees names the same ones): the turn into them
    # nearest to none, so 0 and 179.99999999997 (the same garage, moved) are one frame
    turn = np.radians(-(((axis_deg + 45.0) % 90.0) - 45.0))
    c, s = np.cos(turn), np.sin(turn)
    along_x = np.round(tied[:, 0] * c - tied[:, 1] * s, 3)
    along_y = np.round(tied[:, 0] * s + tied[:, 1] * c, 3)
    pick = np.lexsort((along_x, along_y))[0]
    return Point(centre.x + tied[pick, 0], centre.y + tied[pick, 1])


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
    main = _main_part(free)  # a centroid walled into a pocket cannot feed the stalls
    if main.covers(c):
        return BoxSite(c, "centroid", 0.0)
    q = shapely.ops.nearest_points(main, c)[0]
    return BoxSite(q, "interior_point", q.distance(c))


def min_cable_node(
    graph: RouteGraph,
    sources: Sequence[tuple[float, float]],
    *,
    prefer: tuple[float, float] = (0.0, 0.0),
    allowed: np.ndarray | None = None,
) -> tuple[tuple[float, float], float] | None:
    """R5 option ``min-cable``: the graph node (among ``allowed``, a mask of the mountable
    ones, when given) with the least total length to all ``sources`` (the chargers, nodes
    of the graph), and that total; among equal totals (rectilinear plateaus) the node
    nearest ``prefer`` (the policy point). The chargers are searched a block at a time."""
    if not sources:
        return None
    at = graph.index(np.asarray(sources, float))
    if (at < 0).any():  # a charger that is not a node of the graph
        return None
    total = np.zeros(graph.n_nodes)
    for first in range(0, len(at), _SEARCH_BLOCK):
        for row in graph.distances(at[first : first + _SEARCH_BLOCK], weight="length"):
            total += row  # one charger after another, as a running sum
    ok = np.isfinite(total)
    if allowed is not None:
        ok &= allowed
    full = np.flatnonzero(ok)
    if not len(full):
        return None
    near = ((graph.xy[full] - np.asarray(prefer)) ** 2).sum(axis=1)
    best = int(full[np.lexsort((near, np.round(total[full], 6)))[0]])
    return graph.node(best), float(total[best])


_SEARCH_BLOCK = 32
"""Chargers searched at once by :func:`min_cable_node` (a row of distances per charger)."""
