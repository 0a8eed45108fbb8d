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


def compartments_of(
    spaces: Sequence[Space], compartments: Sequence[Compartment]
) -> list[Compartment | None]:
    """:func:`compartment_of` for many spaces of one level at once: only the compartments
    whose bounds meet a space's are measured (the others share no area with it), with the
    same intersection, so each space gets the same compartment."""
    out: list[Compartment | None] = [None] * len(spaces)
    if not spaces or not compartments:
        return out
    polys = np.empty(len(spaces), dtype=object)
    polys[:] = [sp.polygon for sp in spaces]
    comps = np.empty(len(compartments), dtype=object)
    comps[:] = [c.polygon for c in compartments]
    si, ci = shapely.STRtree(comps).query(polys)
    order = np.lexsort((ci, si))  # by space, then in the compartments' order
    si, ci = si[order], ci[order]
    shared = shapely.area(shapely.intersection(comps[ci], polys[si]))
    half = shapely.area(polys) / 2
    for s_i, c_i, a in zip(si.tolist(), ci.tolist(), shared.tolist(), strict=True):
        if out[s_i] is None and a > half[s_i]:
            out[s_i] = compartments[c_i]
    return out


def derived_charger(
    space: Polygon,
    *,
    structures: BaseGeometry,
    neighbours: BaseGeometry,
    offset_m: float,
    towards: Point | None = None,
) -> Point:
    """R15: on the stall's short side nearest a wall, column or compartment boundary (the
    back of the stall), ``offset_m`` inside the stall edge.

    ``structures`` are walls, columns and boundaries near the stall; where both short sides
    are as near (within 1 cm), the side backing onto another stall (``neighbours``) is the
    back, as in rows parked back to back; where the two are alike in that too, the end
    nearer ``towards`` (the compartment's centroid, near which its box hangs: the shorter
    cable), else the lower end of the stall, else the one to the left, wherever the stall
    is drawn.
    """
    (point,) = derived_chargers(
        [space], structures=structures, neighbours=neighbours, offset_m=offset_m, towards=towards
    )
    return point


def derived_chargers(
    spaces: Sequence[Polygon],
    *,
    structures: BaseGeometry,
    neighbours: BaseGeometry,
    offset_m: float,
    towards: Point | None = None,
) -> list[Point]:
    """:func:`derived_charger` of many stalls at once (the distances in one vectorised call
    each: a compartment's stalls share ``structures`` and ``neighbours``)."""
    if not spaces:
        return []
    rects = shapely.oriented_envelope(np.asarray(spaces, dtype=object))
    corners = [np.asarray(r.exterior.coords)[:4] for r in rects]
    c = np.stack(corners)  # n x 4 x 2
    b = np.roll(c, -1, axis=1)  # edge i runs from corner i to corner i + 1
    lengths = np.hypot(*(b - c).transpose(2, 0, 1))  # n x 4
    short = np.argsort(lengths, axis=1, kind="stable")[:, :2]  # the two short sides
    rows = np.arange(len(spaces))[:, None]
    mids = (c[rows, short] + b[rows, short]) / 2  # n x 2 x 2
    flat = shapely.points(mids.reshape(-1, 2))
    if structures.is_empty:
        d = np.full(len(flat), np.inf)
    else:  # rounded as Python rounds (1 cm): ties then go to the side backing onto a stall
        # (a nanometre added first: a distance drawn on the millimetre grid that ends in
        # 5 mm, 1.245 m, is 1.2449999999999 or 1.2450000000001 as rounding has it, and
        # would round down or up with the drawing's origin)
        d = np.array([round(float(x) + 1e-9, 2) for x in shapely.distance(flat, structures)])
    backs = (
        np.ones(len(flat), dtype=int)
        if neighbours.is_empty
        else np.where(shapely.distance(flat, neighbours) < 0.05, 0, 1)
    )
    d2, backs2 = d.reshape(-1, 2), backs.reshape(-1, 2)
    centres = shapely.get_coordinates(shapely.centroid(np.asarray(spaces, dtype=object)))
    # where both ends are alike, the one nearer ``towards``, else the lower, else the left:
    # in the envelope's order instead, a turned stall's could start at either end as
    # rounding had it, and the same garage drawn from another origin moved its chargers
    step = mids[:, 1] - mids[:, 0]
    nearer = np.zeros(len(spaces))  # how much nearer ``towards`` the second end is
    if towards is not None:
        gap = mids - (towards.x, towards.y)
        nearer = np.hypot(gap[:, 0, 0], gap[:, 0, 1]) - np.hypot(gap[:, 1, 0], gap[:, 1, 1])
    level = np.abs(nearer) <= 1e-6
    lower = (step[:, 1] < -1e-6) | ((np.abs(step[:, 1]) <= 1e-6) & (step[:, 0] < 0))
    second_first = (nearer > 1e-6) | (level & lower)
    out = []
    for n in range(len(spaces)):
        this, that = (d2[n, 0], backs2[n, 0]), (d2[n, 1], backs2[n, 1])
        pick = 1 if that < this or (that == this and second_first[n]) else 0
        mid = mids[n, pick]
        inward = centres[n] - mid
        norm = float(np.hypot(*inward))
        out.append(Point(mid) if norm == 0 else Point(mid + inward / norm * min(offset_m, norm)))
    return out


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
    derived: Point | None = None,
) -> ChargerPoint:
    """R15 and R6: the request's point (or the space's), else derived (``derived``: already
    found by :func:`derived_chargers`); kept if too close to the stall edge (warning);
    moved into the compartment if it lies outside it (warning)."""
    reasons: list[Reason] = []
    point = given if given is not None else space.charger
    is_given = point is not None
    if point is None:
        point = (
            derived
            if derived is not None
            else derived_charger(
                space.polygon,
                structures=structures,
                neighbours=neighbours,
                offset_m=offset_m,
                towards=compartment.polygon.centroid,
            )
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
