"""How each cable is laid along its route (``domain.md`` E3): segments by installation
method and the number of cables sharing each.

Two cables share a stretch where they run within ``share_distance_m`` (0.05 m) of each
other for at least ``share_min_length_m`` (1 m). A stretch lies on a tray (reference method
E) where it follows an existing tray of the site, or where more than ``tray_from_cables``
cables share it (such a run is taken to be a tray); elsewhere the cable is in conduit on the
ceiling (``off_tray_method``, B2).

The routes of one compartment are noded together once (``shapely.union_all``), so every
route is a chain of pieces that other routes either follow or not; one spatial query finds,
for each piece, the routes within the sharing distance, and the runs are measured along
all routes at once with array operations (no route or pair of routes is looked at in
Python).

Examples
--------
Three cables leave a box together along y = 0; two branch off after 10 m and 20 m:

>>> from shapely.geometry import LineString
>>> from planner.rules import Rules
>>> lines = [
...     LineString([(0, 0), (10, 0), (10, 5)]),
...     LineString([(0, 0), (20, 0), (20, 5)]),
...     LineString([(0, 0), (30, 0), (30, 5)]),
... ]
>>> segs = cable_segments(lines, rules=Rules())
>>> [(round(s.length_m, 1), s.method, s.cables) for s in segs[2]]
[(10.0, 'B2', 3), (10.0, 'B2', 2), (15.0, 'B2', 1)]
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from planner.electrical import Segment
from planner.rules import Rules
from planner.trunk import axis_frame, noded_routes

_ON_M = 1e-4
"""A piece lies on a route when its midpoint is this close (noding moves nothing more)."""


def cable_segments(
    lines: Sequence[LineString],
    *,
    rules: Rules,
    trays: Sequence[LineString] = (),
    planned: Sequence[LineString] = (),
    bunched: Sequence[LineString] = (),
    angle_deg: float = 0.0,
    noded: BaseGeometry | None = None,
) -> list[list[Segment]]:
    """The segments of each route, in order from the box, with method and cable count.
    ``planned`` are the stretches of the planned shared tray (made of the routes' own
    pieces, :mod:`planner.trunk`): laid on a tray, method E, like an existing one.
    ``angle_deg``: the axes the routes follow (the router's), where they are noded;
    ``noded``: their :func:`planner.trunk.noded_routes`, when the caller has it already."""
    if not lines:
        return []
    # in the routes' axis frame on the tray's grid (planner.trunk.axis_frame): routes a
    # float step apart would stay two pieces side by side, each lying on both routes, and
    # a shared stretch would count twice in each; lengths and distances are the world's
    arr = axis_frame(lines, angle_deg)
    if noded is None:
        noded = noded_routes(lines, angle_deg)
    if trays:  # cut the routes where they join and leave an existing tray
        band = shapely.union_all(axis_frame(trays, angle_deg)).buffer(
            rules.share_distance_m, cap_style="flat"
        )
        inside = shapely.get_parts(shapely.intersection(noded, band))
        outside = shapely.get_parts(shapely.difference(noded, band))
        parts = [*inside, *outside]
        # a route merely crossing a tray is not laid on it: only stretches along it count
        tray_flags = [
            bool(shapely.length(p) >= rules.share_min_length_m - 1e-9) for p in inside
        ] + [False] * len(outside)
    else:
        parts = list(shapely.get_parts(noded))
        tray_flags = [False] * len(parts)
    pieces = np.asarray(parts, dtype=object)
    keep = (shapely.get_type_id(pieces) == 1) & (shapely.length(pieces) > 1e-9)
    pieces = pieces[keep]
    on_tray = np.asarray(tray_flags, dtype=bool)[keep]
    mids = shapely.line_interpolate_point(pieces, 0.5, normalized=True)
    on_planned = np.zeros(len(pieces), dtype=bool)
    if planned:
        on_planned = shapely.dwithin(mids, shapely.union_all(axis_frame(planned, angle_deg)), _ON_M)
    on_bunched = np.zeros(len(pieces), dtype=bool)
    if bunched:
        on_bunched = shapely.dwithin(mids, shapely.union_all(axis_frame(bunched, angle_deg)), _ON_M)
    lengths = shapely.length(pieces)
    tree = shapely.STRtree(arr)
    on_piece, on_line = tree.query(mids, predicate="dwithin", distance=_ON_M)
    # every route's pieces in order from the box, all routes in one array
    along = shapely.line_locate_point(arr[on_line], mids[on_piece])
    order = np.lexsort((along, on_line))
    route, piece = on_line[order], on_piece[order]
    near_piece, near_line = tree.query(mids, predicate="dwithin", distance=rules.share_distance_m)
    counts = _shared_counts(route, piece, lengths, near_piece, near_line, rules)
    first = np.searchsorted(route, np.arange(len(lines) + 1))
    shared = on_planned | on_bunched
    return [
        _merge(piece[a:b], counts[a:b], lengths, on_tray, shared, rules, on_bunched)
        for a, b in pairwise(first)
    ]


def _shared_counts(  # noqa: PLR0917 - a private kernel of cable_segments
    route: np.ndarray,
    piece: np.ndarray,
    lengths: np.ndarray,
    near_piece: np.ndarray,
    near_line: np.ndarray,
    rules: Rules,
) -> np.ndarray:
    """For each position of the routes' pieces (``route``, ``piece``: route by route, in
    order along each), how many routes share it, its own included: another route counts
    where it stays near along a run of at least the minimum length.

    All routes at once, as arrays: the (position, other route) pairs sorted by route,
    other route and position; a run is a stretch of consecutive positions; the runs long
    enough add one over their positions (a difference array)."""
    n = len(piece)
    near_order = np.argsort(near_piece, kind="stable")
    near_line = near_line[near_order]
    bounds = np.searchsorted(near_piece[near_order], np.arange(len(lengths) + 1))
    per_pos = bounds[piece + 1] - bounds[piece]
    pos = np.repeat(np.arange(n), per_pos)
    # the rows of near_line for each position's piece, one after another
    rows = np.arange(len(pos)) - np.repeat(np.cumsum(per_pos) - per_pos, per_pos)
    other = near_line[bounds[piece][pos] + rows]
    keep = other != route[pos]
    pos, other = pos[keep], other[keep]
    if len(pos) == 0:  # no route runs near another
        return np.ones(n, dtype=int)
    by = np.lexsort((pos, other, route[pos]))  # route, then other route, then position
    pos, other = pos[by], other[by]
    owner = route[pos]
    new_run = np.ones(len(pos), dtype=bool)
    new_run[1:] = (owner[1:] != owner[:-1]) | (other[1:] != other[:-1]) | (pos[1:] != pos[:-1] + 1)
    starts = pos[new_run]
    last = np.flatnonzero(np.append(new_run[1:], True))
    ends = pos[last] + 1  # one past each run's last position
    cum = np.concatenate([[0.0], np.cumsum(lengths[piece])])
    long_enough = cum[ends] - cum[starts] >= rules.share_min_length_m - 1e-9
    marks = np.zeros(n + 1, dtype=int)
    np.add.at(marks, starts[long_enough], 1)
    np.add.at(marks, ends[long_enough], -1)
    counts: np.ndarray = 1 + np.cumsum(marks)[:n]
    return counts


def _merge(  # noqa: PLR0917 - a private kernel of cable_segments
    rows: np.ndarray,
    counts: np.ndarray,
    lengths: np.ndarray,
    on_tray: np.ndarray,
    on_planned: np.ndarray,
    rules: Rules,
    on_bunched: np.ndarray,
) -> list[Segment]:
    """Consecutive pieces laid alike become one segment."""
    segs: list[Segment] = []
    for r, n in zip(rows, counts, strict=True):
        existing = bool(on_tray[r])
        tray = existing or bool(on_planned[r]) or n > rules.tray_from_cables
        method = "E" if tray else rules.off_tray_method
        bunch = bool(on_bunched[r])
        length = float(lengths[r])
        last = segs[-1] if segs else None
        here = (method, n, existing, bunch)
        if last and (last.method, last.cables, last.existing_tray, last.bunched) == here:
            segs[-1] = Segment(last.length_m + length, method, int(n), existing, bunch)
        else:
            segs.append(Segment(length, method, int(n), existing, bunch))
    return segs
