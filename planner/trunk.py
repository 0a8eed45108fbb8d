"""The shared cable tray of a compartment (桥架): a tree rooted at the meter box that every
owner's cable follows to its branch point, then its own branch to the charger.

The tree is a shortest-path (Steiner) arborescence, not a minimum Steiner tree: each cable
keeps the cost of its own optimal route (R8's cost), so no owner pays for the tray with a
longer cable. Rectilinear routing has many equally short paths per cable; among them
:func:`shared_paths` picks ones that share. It works on the graph of all optimal paths from
the box (the edges ``u -> v`` with ``dist[u] + cost(u, v) = dist[v]``, a DAG: every path in
it is optimal) and merges chargers farthest first, as the rectilinear Steiner arborescence
heuristic of Rao et al. does in the open plane (:func:`_merge_tree`). The tree is kept only
when it is shorter than the plain shortest-path tree (Dijkstra's predecessors), so it is
never longer than that; ``tests/test_trunk.py`` compares it with the shortest arborescence,
found exhaustively, on instances of up to 8 chargers. The graph is a
:class:`planner.graph.RouteGraph` and its nodes are indices into it. Euclidean routes are unique in
practice: there the tree is the union of the routes and shares only where they coincide.

:func:`tray_runs` turns the routes into tray segments: a piece shared by two or more
cables (or reserved ones) is trunk; the single-cable tail of a route is a branch, tray when
it is at least ``min_tray_branch_m`` long, else left in conduit. :func:`tray_size` picks
the smallest standard tray for the cables of a segment.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from planner import tables
from planner.graph import RouteGraph, Search
from planner.limits import check_time

Path = list[int]
"""A path as the graph's node indices, from the box to a charger."""


def tree_length(graph: RouteGraph, paths: Sequence[Sequence[int] | None]) -> float:
    """New tray in the union of ``paths`` (each edge once; existing trays add nothing; a
    step no edge joins, its straight length)."""
    pairs = {(min(a, b), max(a, b)) for p in paths if p for a, b in itertools.pairwise(p)}
    if not pairs:
        return 0.0
    u, v = np.asarray(sorted(pairs), np.int64).T
    e = graph.edge_ids(u, v)
    hop = e < 0
    added = np.where(graph.tray[e] | hop, 0.0, graph.length[e])
    straight = np.hypot(*(graph.xy[u[hop]] - graph.xy[v[hop]]).T) if hop.any() else []
    return float(math.fsum(added.tolist()) + math.fsum(straight))


def shared_paths(graph: RouteGraph, source: int, targets: Sequence[int]) -> list[Path | None]:
    """A path from ``source`` to each target (``None`` where none), each of the least cost,
    chosen so that they share (see the module's docstring)."""
    found = graph.search(source)
    reach = [t for t in targets if found.reached(t)]
    plain = [found.first_path(t) if found.reached(t) else None for t in targets]
    parent = _merge_tree(found, reach)
    shared: list[Path | None] = [
        _walk_tree(parent, t) if found.reached(t) else None for t in targets
    ]
    if tree_length(graph, plain) < tree_length(graph, shared) - 1e-9:
        return plain  # never longer than Dijkstra's own tree
    return shared


def extend(
    graph: RouteGraph,
    source: int,
    paths: Sequence[np.ndarray | None],
    extra: Sequence[int],
) -> list[Path | None]:
    """Optimal paths to ``extra`` targets (the build-out reserve) that join the tree of
    ``paths`` without changing it: each, farthest first, by the optimal path adding the
    least new tray to the tree built so far. ``paths`` are coordinates (k x 2) and may come
    from a graph with fewer terminals: their straight runs are followed through
    ``graph``'s extra nodes."""
    found = graph.search(source)
    parent: dict[int, int | None] = {source: None}
    for path in paths:
        if path is None:
            continue
        at = graph.index(path).tolist()
        for a, b in itertools.pairwise(at):
            for u, w in itertools.pairwise(_follow(graph, a, b)):
                parent.setdefault(w, u)
    added = np.where(graph.tray, 0.0, graph.length).tolist()
    for t in sorted((t for t in extra if found.reached(t)), key=lambda t: -found.dist[t]):
        check_time()
        _join(found, t, parent, added)
    return [_walk_tree(parent, t) if found.reached(t) else None for t in extra]


def _follow(graph: RouteGraph, a: int, b: int) -> list[int]:
    """The nodes of ``graph`` along the straight run from ``a`` to ``b`` (``[a, b]`` where
    the run is not on its tracks: never seen, the step then counts its straight length)."""
    if a < 0 or b < 0:
        return []
    goal = graph.xy[b]
    nodes = [a]
    while nodes[-1] != b:
        here = graph.xy[nodes[-1]]
        left = math.dist(here, goal)
        near = graph.neighbours(nodes[-1])
        pos = graph.xy[near]
        ahead = np.hypot(*(goal - pos).T)
        cross = (pos[:, 0] - here[0]) * (goal[1] - here[1]) - (pos[:, 1] - here[1]) * (
            goal[0] - here[0]
        )
        on_run = (ahead < left - 1e-12) & (np.abs(cross) <= 1e-9 * max(1.0, left))
        if not on_run.any():
            return [a, b]
        nodes.append(int(near[on_run][np.argmin(ahead[on_run])]))
    return nodes


def _join(
    found: Search, target: int, parent: dict[int, int | None], added_by_edge: list[float]
) -> None:
    """Hang ``target`` on the tree by the optimal-path-DAG path that adds the least new
    tray: a search backwards from the target to the first tree node."""
    if target in parent:
        return
    ptr, preds, edges = found.dag
    best = {target: 0.0}
    towards: dict[int, int] = {}
    heap: list[tuple[float, int, int]] = [(0.0, 0, target)]
    count = itertools.count(1)
    v = target
    while heap:
        added, _, v = heapq.heappop(heap)
        if added > best[v]:
            continue
        if v in parent:
            break
        for k in range(ptr[v], ptr[v + 1]):
            u = preds[k]
            a = added + added_by_edge[edges[k]]
            if a < best.get(u, math.inf):
                best[u], towards[u] = a, v
                heapq.heappush(heap, (a, next(count), u))
    u = v
    while u != target:
        w = towards[u]
        parent[w] = u
        u = w


def _merge_tree(found: Search, targets: Sequence[int]) -> dict[int, int | None]:
    """The rectilinear Steiner arborescence heuristic of Rao, Sadayappan, Hwang and Shor
    (1992), on the DAG of optimal paths: repeatedly merge the two chargers (or merge points)
    whose farthest common DAG ancestor is farthest from the box, at that ancestor.

    One sweep over the nodes in order of falling distance finds those points: each active
    point's label spreads to the DAG predecessors of the nodes that carry it, and the first
    node that two live labels reach is the farthest merge point of all. Each processed node
    passes on one label only, so the sweep is linear in the edges. Returns the tree as
    ``parent`` pointers (the box's is ``None``)."""
    source = found.source
    wanted = set(targets)
    ptr, preds, _ = found.dag
    parent: dict[int, int | None] = {source: None}
    anchor: list[int] = []  # label -> the node it stands for
    alive: list[bool] = []
    carried: dict[int, list[int]] = {}
    via: dict[tuple[int, int], int] = {}

    def new_label(at: int) -> int:
        anchor.append(at)
        alive.append(True)
        return len(anchor) - 1

    for k, v in enumerate(reversed(found.order.tolist())):  # farthest first
        if k % 4096 == 0:
            check_time()
        live = sorted({lab for lab in carried.pop(v, ()) if alive[lab]})
        if v in wanted and v != source:
            live.append(new_label(v))
        if not live:
            continue
        if len(live) >= 2 or v == source:
            for lab in live:  # hang each label's subtree from v along the way it came
                u = v
                while u != anchor[lab]:
                    w = via[u, lab]
                    parent[w] = u
                    u = w
                alive[lab] = False
            if v == source:
                break
            live = [new_label(v)]
        lab = live[0]
        for j in range(ptr[v], ptr[v + 1]):
            u = preds[j]
            if (u, lab) not in via:
                via[u, lab] = v
                carried.setdefault(u, []).append(lab)
    return parent


def _walk_tree(parent: dict[int, int | None], t: int) -> Path:
    nodes = [t]
    while (up := parent[nodes[-1]]) is not None:
        nodes.append(up)
    nodes.reverse()
    return nodes


# --------------------------------------------------------------------------- tray runs
@dataclass(frozen=True)
class TrayRun:
    """A stretch of the planned tray (world coordinates) and what it carries."""

    line: LineString
    cables: int
    """Real cables (planned, pending or deferred) on it."""
    reserve: int
    """Cables reserved for the build-out on it."""
    branch: bool
    """A single cable's own branch (the rest is trunk)."""
    members: tuple[int, ...] = ()
    """Indices (into the routes given to :func:`tray_runs`) of the cables on it."""
    compartment: str = ""
    level: str = ""
    requests: tuple[str, ...] = ()
    """Ids of the real requests whose cables lie on it."""
    size: str = ""
    fill: float = 0.0
    layers: int = 1
    """1 when its cables lie side by side in one layer; 2 when even two of the widest
    trays side by side cannot hold them so (bunched, row 1 of B.52.17)."""

    @property
    def length_m(self) -> float:
        """Drawn length."""
        return float(self.line.length)


_ON = 1e-4
GRID_M = 1e-6
"""The grid routes are noded on, in their axis frame (:func:`axis_frame`; here and in
:func:`planner.installation.cable_segments`): routes that leave one box side by side a
float step apart become one stretch; a micrometre moves no length that is written (to
the millimetre)."""


def axis_frame(
    geoms: Sequence[BaseGeometry] | np.ndarray, angle_deg: float, *, back: bool = False
) -> np.ndarray:
    """``geoms`` turned by ``-angle_deg`` about the origin, into the frame whose axes the
    rectilinear routes follow, as the router turns them (:class:`planner.routing.Router`);
    ``back``: from that frame to the world. At 0 degrees, the same geometries.

    Routes are noded there: on a turned plan two routes sharing a stretch lie a float
    step off one line in the world, and their union crossed them at a point and kept
    both, each lying on both routes (sample c counted 17 m of one cable's tray twice);
    in the axis frame, on the micrometre grid (:data:`GRID_M`), they are one line."""
    arr = np.asarray(geoms, dtype=object)
    if not angle_deg or not len(arr):
        return arr
    a = math.radians(angle_deg if back else -angle_deg)
    # exact at quarter turns, as shapely.affinity.rotate is (cos 90° is 6e-17 in floats)
    c, s = (0.0 if abs(v) < 2.5e-16 else v for v in (math.cos(a), math.sin(a)))
    turn = np.array([[c, s], [-s, c]])  # a row (x, y) @ turn: (x c - y s, x s + y c)
    return np.asarray(shapely.transform(arr, lambda xy: xy @ turn), dtype=object)


def noded_routes(lines: Sequence[LineString], angle_deg: float = 0.0) -> BaseGeometry:
    """The routes' union, noded in their axis frame on the micrometre grid
    (:func:`axis_frame`, :data:`GRID_M`): every route a chain of pieces that the others
    follow or not. :func:`tray_runs` and :func:`planner.installation.cable_segments` both
    start from it; given it for the same routes, in the same order, they do not node them
    again (the plan's circuits and its tray node one set of cables once)."""
    return shapely.union_all(shapely.set_precision(axis_frame(lines, angle_deg), GRID_M))


def tray_runs(
    lines: Sequence[LineString],
    reserved: Sequence[bool],
    *,
    min_branch_m: float,
    existing: Sequence[LineString] = (),
    share_m: float = 0.05,
    angle_deg: float = 0.0,
    noded: BaseGeometry | None = None,
) -> list[TrayRun]:
    """The tray of a compartment from its routes (``reserved[i]``: route ``i`` is a
    build-out reservation): shared pieces are trunk, a route's single tail a branch when
    at least ``min_branch_m`` long. Where the routes follow an ``existing`` tray (within
    ``share_m``) nothing new is laid. ``angle_deg``: the axes the routes follow (the
    router's), where they are noded (:func:`axis_frame`); ``noded``: their
    :func:`noded_routes`, when the caller has it already."""
    if not lines:
        return []
    # in the axis frame on a micrometre grid: routes that start at the same box but reach
    # its track a float step apart would otherwise run side by side, never noded together
    arr = shapely.set_precision(axis_frame(lines, angle_deg), GRID_M)
    if noded is None:
        noded = shapely.union_all(arr)
    if existing:
        grown = shapely.union_all(axis_frame(existing, angle_deg))
        noded = shapely.difference(noded, grown.buffer(share_m, cap_style="flat"))
    pieces = np.asarray(shapely.get_parts(noded), dtype=object)
    pieces = pieces[(shapely.get_type_id(pieces) == 1) & (shapely.length(pieces) > 1e-9)]
    if not len(pieces):
        return []
    mids = shapely.line_interpolate_point(pieces, 0.5, normalized=True)
    on_piece, on_line = shapely.STRtree(arr).query(mids, predicate="dwithin", distance=_ON)
    res = np.asarray(reserved, dtype=bool)
    total = np.bincount(on_piece, minlength=len(pieces))
    # each piece's routes, in order: the rows of (piece, route) sorted by both
    order = np.lexsort((on_line, on_piece))
    on_piece, on_line = on_piece[order], on_line[order]
    first = np.searchsorted(on_piece, np.arange(len(pieces) + 1))
    groups: dict[tuple[int, ...], list[int]] = {}
    for k in np.flatnonzero(total >= 2).tolist():  # pieces carrying the same cables join up
        groups.setdefault(tuple(on_line[first[k] : first[k + 1]].tolist()), []).append(k)
    trunks = sorted(groups.items())
    runs: list[TrayRun] = []
    lines_of, of = _merged(pieces, [ks for _, ks in trunks])
    lines_of = axis_frame(lines_of, angle_deg, back=True)
    for line, g in zip(lines_of, of.tolist(), strict=True):
        who = trunks[g][0]
        n_spare = int(res[list(who)].sum())
        runs.append(
            TrayRun(
                line=line, cables=len(who) - n_spare, reserve=n_spare, branch=False, members=who
            )
        )
    tails: dict[int, list[int]] = {}
    for k in np.flatnonzero(total == 1).tolist():
        tails.setdefault(int(on_line[first[k]]), []).append(k)
    branches = sorted(tails.items())
    lines_of, of = _merged(pieces, [ks for _, ks in branches])
    lines_of = axis_frame(lines_of, angle_deg, back=True)
    long_enough = shapely.length(lines_of) >= min_branch_m - 1e-9
    for line, g, keep in zip(lines_of, of.tolist(), long_enough.tolist(), strict=True):
        if keep:
            i = branches[g][0]
            runs.append(
                TrayRun(
                    line=line,
                    cables=0 if res[i] else 1,
                    reserve=1 if res[i] else 0,
                    branch=True,
                    members=(i,),
                )
            )
    return runs


def _merged(pieces: np.ndarray, groups: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """The lines of ``line_merge(union_all(pieces[group]))`` for each group, and the group
    each line comes from (groups in order, each one's lines in order).

    Speed shaped this: groups of the same size are stacked as the rows of one array and
    merged by one call each (``union_all(axis=1)`` does per row what it does for a list), as
    a call per group (a hundred groups in a compartment of a hundred cables) took a third
    of tray_runs' time."""
    merged = np.empty(len(groups), dtype=object)
    sizes = np.fromiter(map(len, groups), dtype=np.intp, count=len(groups))
    for size in np.unique(sizes).tolist():
        rows = np.flatnonzero(sizes == size)
        stacked = pieces[np.asarray([groups[r] for r in rows.tolist()], dtype=np.intp)]
        merged[rows] = shapely.line_merge(shapely.union_all(stacked, axis=1))
    lines, of = shapely.get_parts(merged, return_index=True)
    return lines, of


# --------------------------------------------------------------------------- sizing
def tray_size(diameters_mm: Sequence[float]) -> tuple[str, float, int]:
    """(size label, fill, layers) of the smallest standard tray whose width holds the cables
    side by side in one layer and whose fill stays within the limit (GB 50054-2011 7.6.14);
    past the widest, two of them side by side (``2×600×150``), or bunched (layers 2)."""
    if not diameters_mm:
        return "", 0.0, 1
    width_needed = float(sum(diameters_mm))
    area = float(sum(math.pi * d * d / 4 for d in diameters_mm))
    limit = tables.tray_fill_max()
    sizes = tables.tray_sizes()
    for w, h in sizes:
        if width_needed <= w and area <= limit * w * h:
            return f"{w}×{h}", area / (w * h), 1
    w, h = sizes[-1]
    if width_needed <= 2 * w and area <= limit * 2 * w * h:
        return f"2×{w}×{h}", area / (2 * w * h), 1
    return f"2×{w}×{h}", area / (2 * w * h), 2
