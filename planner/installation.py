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
each route with array operations (no pair of routes is compared in Python).

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

import numpy as np
import shapely
from shapely.geometry import LineString

from planner.electrical import Segment
from planner.rules import Rules

_ON_M = 1e-4
"""A piece lies on a route when its midpoint is this close (noding moves nothing more)."""


def cable_segments(
    lines: Sequence[LineString],
    *,
    rules: Rules,
    trays: Sequence[LineString] = (),
    planned: Sequence[LineString] = (),
    bunched: Sequence[LineString] = (),
) -> list[list[Segment]]:
    """The segments of each route, in order from the box, with method and cable count.
    ``planned`` are the stretches of the planned shared tray (made of the routes' own
    pieces, :mod:`planner.trunk`): laid on a tray, method E, like an existing one."""
    if not lines:
        return []
    arr = np.asarray(lines, dtype=object)
    noded = shapely.union_all(arr)
    if trays:  # cut the routes where they join and leave an existing tray
        band = shapely.union_all(list(trays)).buffer(rules.share_distance_m, cap_style="flat")
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
        on_planned = shapely.dwithin(mids, shapely.union_all(list(planned)), _ON_M)
    on_bunched = np.zeros(len(pieces), dtype=bool)
    if bunched:
        on_bunched = shapely.dwithin(mids, shapely.union_all(list(bunched)), _ON_M)
    lengths = shapely.length(pieces)
    tree = shapely.STRtree(arr)
    on_piece, on_line = tree.query(mids, predicate="dwithin", distance=_ON_M)
    near_piece, near_line = tree.query(mids, predicate="dwithin", distance=rules.share_distance_m)
    order = np.argsort(near_piece, kind="stable")
    near_piece, near_line = near_piece[order], near_line[order]
    bounds = np.searchsorted(near_piece, np.arange(len(pieces) + 1))
    out: list[list[Segment]] = []
    for i, line in enumerate(lines):
        rows = on_piece[on_line == i]
        if len(rows) == 0:
            out.append([])
            continue
        rows = rows[np.argsort(shapely.line_locate_point(line, mids[rows]))]
        counts = _shared_counts(i, rows, lengths, near_line, bounds, rules)
        out.append(
            _merge(rows, counts, lengths, on_tray, on_planned | on_bunched, rules, on_bunched)
        )
    return out


def _shared_counts(  # noqa: PLR0917 - a private kernel of cable_segments
    i: int,
    rows: np.ndarray,
    lengths: np.ndarray,
    near_line: np.ndarray,
    bounds: np.ndarray,
    rules: Rules,
) -> np.ndarray:
    """For each piece of route ``i`` (in order), how many routes share it, itself included:
    another route counts where it stays near route ``i`` along a run of at least the
    minimum length."""
    k = len(rows)
    per_row = [near_line[bounds[r] : bounds[r + 1]] for r in rows]
    others = np.unique(np.concatenate(per_row))
    others = others[others != i]
    if len(others) == 0:
        return np.ones(k, dtype=int)
    present = np.zeros((k, len(others)), dtype=bool)
    for n, lines_near in enumerate(per_row):
        present[n, np.searchsorted(others, lines_near[lines_near != i])] = True
    # runs of each other route along route i: +1 where a run starts, -1 after it ends
    padded = np.zeros((k + 2, len(others)), dtype=np.int8)
    padded[1:-1] = present
    step = np.diff(padded, axis=0)  # (k + 1) x routes
    cols_s, starts = np.nonzero(step.T == 1)
    cols_e, ends = np.nonzero(step.T == -1)
    cum = np.concatenate([[0.0], np.cumsum(lengths[rows])])
    keep = cum[ends] - cum[starts] >= rules.share_min_length_m - 1e-9
    marks = np.zeros((k + 1, len(others)), dtype=int)
    np.add.at(marks, (starts[keep], cols_s[keep]), 1)
    np.add.at(marks, (ends[keep], cols_e[keep]), -1)
    shared = np.cumsum(marks, axis=0)[:k] > 0
    counts: np.ndarray = 1 + shared.sum(axis=1)
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
