"""Where a charger stands in its stall (R15), and assigning spaces to compartments (R6)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
import shapely.affinity
import shapely.ops
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from planner.findings import Reason, reason
from planner.site import Compartment, Space


def compartment_of(space: Space, compartments: Sequence[Compartment]) -> Compartment | None:
    """R6: the compartment holding more than half of the space's area, if any."""
    area = space.polygon.area
    for c in compartments:
        if c.polygon.intersection(space.polygon).area > area / 2:
            return c
    return None


def derived_charger(
    space: Polygon, *, structures: BaseGeometry, neighbours: BaseGeometry, offset_m: float
) -> Point:
    """R15: on the stall's short side nearest a wall, column or compartment boundary (the
    back of the stall), ``offset_m`` inside the stall edge.

    ``structures`` are walls, columns and boundaries near the stall; where both short sides
    are as near (within 1 cm), the side backing onto another stall (``neighbours``) is the
    back, as in rows parked back to back.
    """
    rect = space.minimum_rotated_rectangle
    c = np.asarray(rect.exterior.coords)[:4]
    edges = [(c[i], c[(i + 1) % 4]) for i in range(4)]
    lengths = [float(np.hypot(*(b - a))) for a, b in edges]
    short = sorted(range(4), key=lambda i: lengths[i])[:2]
    centre = np.asarray(space.centroid.coords[0])
    best: tuple[float, int, Point] | None = None
    for i in short:
        a, b = edges[i]
        mid = Point((a + b) / 2)
        d = round(mid.distance(structures), 2) if not structures.is_empty else float("inf")
        backs_onto_stall = 0 if (not neighbours.is_empty and mid.distance(neighbours) < 0.05) else 1
        inward = centre - np.asarray(mid.coords[0])
        norm = float(np.hypot(*inward))
        point = (
            mid
            if norm == 0
            else Point(np.asarray(mid.coords[0]) + inward / norm * min(offset_m, norm))
        )
        score = (d, backs_onto_stall, point)
        if best is None or score[:2] < best[:2]:
            best = score
    assert best is not None
    return best[2]


@dataclass(frozen=True)
class ChargerPoint:
    """Where the charger is, and what was said about it."""

    point: Point
    reasons: tuple[Reason, ...]
    given: bool


def charger_point(
    space: Space,
    compartment: Compartment,
    *,
    given: Point | None,
    structures: BaseGeometry,
    neighbours: BaseGeometry,
    offset_m: float,
) -> ChargerPoint:
    """R15 and R6: the request's point (or the space's), else derived; kept if too close to
    the stall edge (warning); moved into the compartment if it lies outside it (warning)."""
    reasons: list[Reason] = []
    point = given if given is not None else space.charger
    is_given = point is not None
    if point is None:
        point = derived_charger(
            space.polygon, structures=structures, neighbours=neighbours, offset_m=offset_m
        )
    elif (
        not space.polygon.covers(point) or space.polygon.exterior.distance(point) < offset_m - 1e-9
    ):
        edge = space.polygon.exterior.distance(point)
        where = (
            "outside the stall"
            if not space.polygon.covers(point)
            else f"{edge:.2f} m from the stall edge"
        )
        reasons.append(
            reason(
                "CHARGER_CLEARANCE",
                f"the given charger point is {where}, closer than {offset_m:g} m; it is kept "
                "where it was drawn",
            )
        )
    if not compartment.polygon.covers(point):
        inside = space.polygon.intersection(compartment.polygon)
        moved = shapely.ops.nearest_points(inside, point)[0]
        reasons.append(
            reason(
                "CHARGER_MOVED",
                f"the charger point lies outside compartment {compartment.id}; it was moved "
                f"{moved.distance(point):.2f} m to the nearest point of the space inside it",
            )
        )
        point = moved
    return ChargerPoint(point, tuple(reasons), is_given)
