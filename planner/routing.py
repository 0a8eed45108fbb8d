"""Cable routes inside one fire compartment (R6, R8).

The free space of a compartment is the compartment shrunk by the clearance, minus its
obstacles grown by the clearance (so a column standing within twice the clearance of a wall
closes the gap, as it does on site). Two routers share it:

``rectilinear`` (default)
    Straight runs parallel to the compartment's axis. The geometry is turned so the axis is
    +x, and a sparse *track graph* is built: through every corner of the free space and every
    terminal, the maximal free horizontal and vertical segments (an extended Hanan grid cut
    at obstacles, so open aisles hold few tracks and columns cut the rest); nodes where
    tracks cross. Exact for axis-parallel obstacles.
``euclidean``
    Any-angle: a visibility graph over the reflex corners of the free space and the
    terminals, exact for polygonal obstacles.

Existing trays are added as edges of their own angle, costing ``tray_cost_factor`` per metre.
Terminals (the box and the chargers) outside the free space join it by the shortest straight
stub to the nearest free point; stubs are exempt from the clearance but never cross an
obstacle, and count in the route's length. One Dijkstra search per box serves all its cables:
the graph is a :class:`planner.graph.RouteGraph` (compressed sparse arrays) and the search
scipy's, in C.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import itertools
import math
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import shapely
import shapely.affinity
import shapely.ops
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from planner import trunk
from planner.graph import RouteGraph
from planner.limits import check_time, current_limits, over
from planner.projection import Geom, transform_xy

RoutingMode = Literal["rectilinear", "euclidean"]

ALIGN_M = 0.002
"""Corners closer than this in x (or y) of the axis frame are put on one track; a run may
so pass up to this much nearer an obstacle than the clearance (2 mm: drawing noise)."""

WALL_THICKNESS_M = 0.005
"""Walls drawn as lines get this half-thickness (a 1 cm wall) when the clearance is smaller,
so they block; it must stay above ``ALIGN_M`` / 2 or alignment would close them."""

_EPS = 1e-9

TERMINAL_DECIMALS = 6
"""Terminals on no corner's track are put on the micrometre (in the axis frame): the float
noise a turn leaves (about 1e-14 m per metre from the origin) goes, a value drawn in
millimetres stays as drawn, and a terminal moves by half a micrometre at most. Two values
meant equal still differ if they straddle a half-micrometre, a chance of about their noise
over 1e-6 m (1e-5 at 100 km from the origin). A route runs through the nodes exactly, so
routes that share a node share its coordinates (and are noded as one on
:data:`planner.trunk.GRID_M`), and joins its terminals by their stubs, here a fraction of
a micrometre."""

_SLACK_M = ALIGN_M * math.sqrt(2) + _EPS
"""How far aligning may move a terminal's node beyond its own snap: ``ALIGN_M`` in x and
in y, as it moves the corners around it."""


@dataclass(frozen=True)
class Route:
    """One cable route: its line (compartment coordinates) and horizontal length as drawn."""

    line: LineString
    length_m: float
    cost: float
    tray_m: float


def axis_of(polygon: Polygon) -> float:
    """Default routing axis (degrees, in [0, 180)): the direction of the longest edge of the
    polygon's minimum rotated rectangle."""
    rect = polygon.minimum_rotated_rectangle
    coords = shapely.get_coordinates(rect)  # a line for a degenerate polygon
    if len(coords) < 3:
        return 0.0
    edges = np.diff(coords, axis=0)
    longest = edges[int(np.argmax(np.hypot(edges[:, 0], edges[:, 1])))]
    return math.degrees(math.atan2(longest[1], longest[0])) % 180.0


def free_space(
    compartment: Polygon, obstacles: Iterable[BaseGeometry], *, clearance_m: float
) -> BaseGeometry:
    """The region routes may use: compartment shrunk by, and obstacles grown by, the
    clearance (mitred, so rectangles stay rectangles)."""
    grown: list[BaseGeometry] = []
    for ob in obstacles:
        if ob.geom_type in ("LineString", "MultiLineString"):
            grown.append(
                ob.buffer(
                    max(clearance_m, WALL_THICKNESS_M), cap_style="square", join_style="mitre"
                )
            )
        elif clearance_m > 0:
            grown.append(ob.buffer(clearance_m, join_style="mitre"))
        else:
            grown.append(ob)
    inner = compartment.buffer(-clearance_m, join_style="mitre") if clearance_m > 0 else compartment
    if not grown:
        return inner
    return inner.difference(shapely.union_all(grown))


def _blockers(obstacles: Iterable[BaseGeometry]) -> BaseGeometry:
    """Obstacles as areas (walls given their minimal thickness): what stubs may not cross."""
    parts = [
        ob.buffer(WALL_THICKNESS_M, cap_style="square", join_style="mitre")
        if ob.geom_type in ("LineString", "MultiLineString")
        else ob
        for ob in obstacles
    ]
    return shapely.union_all(parts) if parts else Polygon()


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [] if geom.is_empty else [geom]
    return [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon) and not g.is_empty]


def _reflex_corners(free: BaseGeometry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Corners of the free space where its interior angle exceeds 180°, the only places a
    taut shortest path bends, with their previous and next ring vertices."""
    pts, prevs, nexts = [], [], []
    for part in _polygons(free):
        poly = orient(part, sign=1.0)  # interior on the left of every ring
        for ring in (poly.exterior, *poly.interiors):
            c = np.asarray(ring.coords)[:-1]
            # a vertex twice in a row (aligning corners leaves them, drawings may have them)
            # makes a zero-length edge with no direction: the corner would not be reflex
            c = c[np.any(c != np.roll(c, 1, axis=0), axis=1)]
            if len(c) < 3:
                continue
            prev, nxt = np.roll(c, 1, axis=0), np.roll(c, -1, axis=0)
            d1, d2 = c - prev, nxt - c
            cross = d1[:, 0] * d2[:, 1] - d1[:, 1] * d2[:, 0]
            keep = cross < -_EPS
            pts.append(c[keep])
            prevs.append(prev[keep])
            nexts.append(nxt[keep])
    if not pts:
        empty = np.empty((0, 2))
        return empty, empty, empty
    return np.vstack(pts), np.vstack(prevs), np.vstack(nexts)


def _all_vertices(free: BaseGeometry) -> np.ndarray:
    coords = [
        np.asarray(r.coords)[:-1] for p in _polygons(free) for r in (p.exterior, *p.interiors)
    ]
    return np.vstack(coords) if coords else np.empty((0, 2))


class Router:
    """Routes from one box to many chargers inside one compartment.

    Parameters
    ----------
    compartment
        The compartment polygon (local metres).
    obstacles
        Obstacle geometries on the compartment's level (polygons or wall lines).
    trays
        Existing trays (lines) cables may follow at a discount.
    mode
        ``"rectilinear"`` or ``"euclidean"``.
    clearance_m, tray_cost_factor
        From the rules (R8).
    axis_deg
        Routing axis for rectilinear mode; ``None``: :func:`axis_of` the compartment.
    """

    def __init__(
        self,
        compartment: Polygon,
        obstacles: Sequence[BaseGeometry] = (),
        trays: Sequence[LineString] = (),
        *,
        mode: RoutingMode = "rectilinear",
        clearance_m: float = 0.1,
        tray_cost_factor: float = 0.7,
        axis_deg: float | None = None,
    ) -> None:
        self.mode = mode
        self.compartment = compartment
        near = [ob for ob in obstacles if ob.intersects(compartment)]
        self.free = free_space(compartment, near, clearance_m=clearance_m)
        shapely.prepare(self.free)
        self.blockers = _blockers(near)
        shapely.prepare(self.blockers)
        self.trays = [t for t in trays if t.intersects(self.free)]
        self.tray_cost_factor = tray_cost_factor
        angle = axis_of(compartment) if axis_deg is None else axis_deg
        self.angle = angle if mode == "rectilinear" else 0.0
        digest = hashlib.blake2b(digest_size=20)
        for part in (compartment, *near, *self.trays):
            digest.update(shapely.to_wkb(part))
        digest.update(repr((mode, clearance_m, tray_cost_factor, self.angle)).encode())
        self._content = digest.digest()
        self.origin = (0.0, 0.0)  # the world origin: a plan on a mm grid stays on it at 0°

    # -- frames ---------------------------------------------------------------------------
    def _to_axis(self, geom: Geom) -> Geom:
        if not self.angle:
            return geom
        return shapely.affinity.rotate(geom, -self.angle, origin=self.origin)

    def _from_axis(self, geom: Geom) -> Geom:
        if not self.angle:
            return geom
        return shapely.affinity.rotate(geom, self.angle, origin=self.origin)

    def _from_axis_xy(self, xy: np.ndarray) -> np.ndarray:
        """Axis-frame coordinates (n x 2) back to the world, without building geometries."""
        if not self.angle:
            return xy
        a = math.radians(self.angle)
        c, s = math.cos(a), math.sin(a)
        ox, oy = self.origin
        x, y = xy[:, 0] - ox, xy[:, 1] - oy
        return np.column_stack([ox + c * x - s * y, oy + s * x + c * y])

    # -- terminals ------------------------------------------------------------------------
    def snap(self, p: Point) -> tuple[Point, LineString | None] | None:
        """The free point a terminal joins the network at, and its stub (``None`` when it is
        already free). ``None`` when no stub can reach free space without crossing an
        obstacle."""
        if self.free.is_empty:
            return None
        if self.free.covers(p):
            return p, None
        q = shapely.ops.nearest_points(self.free, p)[0]
        stub = LineString([p, q])
        if stub.length > 0 and shapely.intersection(stub, self.blockers).length > 1e-6:
            return None
        return q, stub

    def content_key(self, source: Point, targets: Sequence[Point]) -> bytes:
        """A key for the routes from ``source`` to ``targets`` that depends only on what
        they are made of (geometry and routing options), for :class:`RouteCache`."""
        digest = hashlib.blake2b(self._content, digest_size=20)
        digest.update(shapely.to_wkb(source))
        for t in targets:
            digest.update(shapely.to_wkb(t))
        return digest.digest()

    # -- search ---------------------------------------------------------------------------
    def _prepare(
        self, terminals: Sequence[Point]
    ) -> tuple[BaseGeometry, list[LineString], np.ndarray]:
        """Free space and trays in the axis frame, and the terminals' node coordinates.

        In the axis frame, corner coordinates that differ by less than ``ALIGN_M`` (what
        rounding a turned plan leaves) are made equal, so they share one track instead of
        making sub-millimetre jogs; terminals are aligned the same way, or put on the
        micrometre (:func:`_snapped`).
        """
        free_axis = self._to_axis(self.free)
        trays_axis = [self._to_axis(t) for t in self.trays]
        given = shapely.get_coordinates([self._to_axis(p) for p in terminals])
        xs, ys = _clusters(free_axis)
        aligned = _align(free_axis, xs, ys)
        if _same_shape(free_axis, aligned):
            shapely.prepare(aligned)
            snapped = _snapped(given, xs, ys)
            pts = _placed(aligned, given, snapped)
            if _terminals_kept(free_axis, given, snapped, pts):
                return aligned, trays_axis, pts
        # alignment would pinch a sliver shut or open one: keep the exact geometry
        shapely.prepare(free_axis)
        return free_axis, trays_axis, _placed(free_axis, given, given)

    def graph(self, terminals: Sequence[Point]) -> tuple[RouteGraph, np.ndarray]:
        """The whole routing graph (in the axis frame) holding the given free terminals,
        and the terminals' node coordinates in that frame."""
        free_axis, trays_axis, arr = self._prepare(terminals)
        if self.mode == "rectilinear":
            graph = _track_graph(free_axis, arr, trays_axis, self.tray_cost_factor)
        else:
            graph = _visibility_graph(free_axis, arr, trays_axis, self.tray_cost_factor)
        return graph, arr

    def to_world(self, xy: tuple[float, float]) -> Point:
        """A graph node as a point in compartment (world) coordinates."""
        p = self._from_axis(Point(xy))
        assert isinstance(p, Point)
        return p

    def route_all(
        self,
        source: Point,
        targets: Sequence[Point],
        *,
        share: bool = False,
        extra: Sequence[Point] = (),
    ) -> list[Route | None]:
        """Shortest routes from ``source`` to each target (``None`` where there is none),
        found by one single-source search; with ``share``, chosen among the equally short
        ones so that they run together (the shared tray, :mod:`planner.trunk`). ``extra``
        targets (the build-out reserve; their routes follow the others' in the list) join
        that tree without changing the others' routes."""
        if extra and (not share or self.mode == "euclidean"):
            return self.route_all(source, [*targets, *extra], share=share)
        if extra:
            return self._route_shared(source, targets, extra)
        snapped_src = self.snap(source)
        snapped = [self.snap(t) for t in targets]
        if snapped_src is None or self.free.is_empty:
            return [None] * len(targets)
        terminals = [snapped_src[0]] + [s[0] for s in snapped if s is not None]
        free_axis, trays_axis, pts = self._prepare(terminals)
        check_time()
        if self.mode == "euclidean":
            paths = _visibility_search(free_axis, pts, trays_axis, self.tray_cost_factor)
        else:
            graph = _track_graph(free_axis, pts, trays_axis, self.tray_cost_factor)
            check_time()
            paths = _shared_graph_paths(graph, pts) if share else _graph_paths(graph, pts)
        return self._routes(source, targets, snapped_src, snapped, paths)

    def _route_shared(
        self, source: Point, targets: Sequence[Point], extra: Sequence[Point]
    ) -> list[Route | None]:
        """Rectilinear shared routes to ``targets``, exactly as without ``extra``, then to
        ``extra`` joining their tree on the graph that holds every terminal."""
        routes = self.route_all(source, targets, share=True)
        everything = [*targets, *extra]
        snapped_src = self.snap(source)
        snapped = [self.snap(t) for t in everything]
        if snapped_src is None or self.free.is_empty:
            return routes + [None] * len(extra)
        main = [snapped_src[0]] + [s[0] for s in snapped[: len(targets)] if s is not None]
        free_axis, trays_axis, pts = self._prepare(main)
        small = _track_graph(free_axis, pts, trays_axis, self.tray_cost_factor)
        at = small.index(pts).tolist()
        paths = [
            None if p is None else small.xy[p] for p in trunk.shared_paths(small, at[0], at[1:])
        ]
        check_time()
        terminals = main + [s[0] for s in snapped[len(targets) :] if s is not None]
        free_axis, trays_axis, pts = self._prepare(terminals)
        big = _track_graph(free_axis, pts, trays_axis, self.tray_cost_factor)
        check_time()
        at = big.index(pts).tolist()
        found = trunk.extend(big, at[0], paths, at[len(main) :])
        more = [None if nodes is None else _as_path(big, nodes) for nodes in found]
        return routes + self._routes(source, extra, snapped_src, snapped[len(targets) :], more)

    def _routes(
        self,
        source: Point,
        targets: Sequence[Point],
        snapped_src: tuple[Point, LineString | None],
        snapped: Sequence[tuple[Point, LineString | None] | None],
        paths: Sequence[_Path | None],
    ) -> list[Route | None]:
        routes: list[Route | None] = []
        k = 0
        for target, snap in zip(targets, snapped, strict=True):
            if snap is None:
                routes.append(None)
                continue
            found = paths[k]
            k += 1
            routes.append(
                None
                if found is None
                else self._route(
                    found,
                    source=source,
                    source_free=snapped_src[0],
                    target=target,
                    target_free=snap[0],
                )
            )
        return routes

    def _route(
        self,
        path: _Path,
        *,
        source: Point,
        source_free: Point,
        target: Point,
        target_free: Point,
    ) -> Route:
        coords_axis = path.coords if len(path.coords) > 1 else path.coords * 2
        taut = LineString(coords_axis).simplify(1e-9)
        middle = [tuple(c) for c in self._from_axis_xy(np.asarray(taut.coords))]
        coords = [
            source.coords[0],
            source_free.coords[0],
            *middle,
            target_free.coords[0],
            target.coords[0],
        ]
        clean = [coords[0]]
        for c in coords[1:]:
            if math.dist(c, clean[-1]) > 1e-9:
                clean.append(c)
        if len(clean) == 1:
            clean.append(clean[0])
        line = LineString(clean)
        extra = line.length - path.length
        return Route(line=line, length_m=line.length, cost=path.cost + extra, tray_m=path.tray)


class RouteCache:
    """Routes by content (see :meth:`Router.content_key`), least recently used dropped
    first. Pass one to :func:`planner.plan.make_plan` to re-plan quickly when only rules
    that do not move cables change; it holds no global state: whoever makes one owns it."""

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[bytes, list[Route | None]] = OrderedDict()
        self._lock = threading.Lock()  # compartments are planned on threads
        self.hits = 0
        self.misses = 0

    def routes(
        self,
        router: Router,
        source: Point,
        targets: Sequence[Point],
        *,
        share: bool = False,
        extra: Sequence[Point] = (),
    ) -> list[Route | None]:
        """The routes, from the cache when the same inputs were routed before."""
        key = router.content_key(source, [*targets, *extra]) + bytes([share, len(extra) > 0])
        key += len(targets).to_bytes(8, "little")
        with self._lock:
            if key in self._data:
                self.hits += 1
                self._data.move_to_end(key)
                return self._data[key]
            self.misses += 1
        # routed outside the lock: two threads with the same key both route, alike
        found = router.route_all(source, targets, share=share, extra=extra)
        with self._lock:
            self._data[key] = found
            if len(self._data) > self.max_entries:
                self._data.popitem(last=False)
        return found

    def __len__(self) -> int:
        return len(self._data)


@dataclass(frozen=True)
class _Path:
    """A path found in the axis frame: its nodes, cost, length and length on trays."""

    coords: list[tuple[float, float]]
    cost: float
    length: float
    tray: float


def _graph_paths(graph: RouteGraph, pts: np.ndarray) -> list[_Path | None]:
    """One search from ``pts[0]``; the path of its own tree to each of ``pts[1:]``."""
    at = graph.index(pts).tolist()
    found = graph.search(at[0])
    return [_as_path(graph, found.first_path(t)) if found.reached(t) else None for t in at[1:]]


def _as_path(graph: RouteGraph, nodes: list[int]) -> _Path:
    cost, length, tray = graph.hop_sums(nodes)
    return _Path(coords=[graph.node(i) for i in nodes], cost=cost, length=length, tray=tray)


def _shared_graph_paths(graph: RouteGraph, pts: np.ndarray) -> list[_Path | None]:
    """Optimal paths from ``pts[0]`` chosen to share (:func:`planner.trunk.shared_paths`)."""
    at = graph.index(pts).tolist()
    found = trunk.shared_paths(graph, at[0], at[1:])
    return [None if nodes is None else _as_path(graph, nodes) for nodes in found]


def _tray_parts(free: BaseGeometry, trays: Sequence[BaseGeometry]) -> list[LineString]:
    """The parts of the existing trays inside the free space (each an extra edge)."""
    return [
        g
        for t in trays
        for g in shapely.get_parts(free.intersection(t))
        if g.geom_type == "LineString" and g.length > 0
    ]


@dataclass(frozen=True)
class _Sight:
    """The nodes of an any-angle search, for the lazy search and the eager graph alike:
    the free points (terminals and tray vertices, in the caller's order), then the reflex
    corners of the free space that are not one of them, with each node's ring neighbours
    (a free point's are itself: no tangency to keep)."""

    nodes: np.ndarray
    constrained: np.ndarray
    """True at corners: an edge through one must be tangent there."""
    prev: np.ndarray
    next: np.ndarray
    corners: np.ndarray
    """Every reflex corner, kept or not (a target on one is no sink)."""

    @classmethod
    def of(cls, free: BaseGeometry, free_pts: np.ndarray) -> _Sight:
        corners, prevs, nexts = _reflex_corners(free)
        # a terminal or tray vertex on a corner is free to end there: it wins over the corner
        seen = {_key(p) for p in free_pts}
        keep = np.asarray([_key(c) not in seen for c in corners], dtype=bool)
        _bound_nodes(len(free_pts) + int(keep.sum()), "visibility graph")
        n_free = len(free_pts)
        return cls(
            nodes=np.vstack([free_pts, corners[keep]]),
            constrained=np.concatenate([np.zeros(n_free, bool), np.ones(int(keep.sum()), bool)]),
            prev=np.vstack([free_pts, prevs[keep]]),
            next=np.vstack([free_pts, nexts[keep]]),
            corners=corners,
        )


def _visibility_search(
    free: BaseGeometry,
    terminals: np.ndarray,
    trays: Sequence[BaseGeometry],
    tray_cost: float,
) -> list[_Path | None]:
    """Any-angle shortest paths from ``terminals[0]`` to each other terminal, discovering
    the visibility graph lazily.

    Dijkstra over the reflex corners: a node's sight lines are tested only towards nodes it
    could bring closer (``dist[u] + |uv| < dist[v]``) and, at corners, only tangent ones; the
    targets are sinks, and the search stops once every target is settled. The visibility
    test (the costly part) so runs on the few corners near each straight line instead of on
    every pair, and the result is the same exact shortest path as on the full graph.
    """
    tray_parts = _tray_parts(free, trays)
    index: dict[tuple[float, float], int] = {}
    pts: list[np.ndarray] = []
    for p in [*terminals, *(q for t in tray_parts for q in np.asarray(t.coords))]:
        if _key(p) not in index:
            index[_key(p)] = len(pts)
            pts.append(np.asarray(p, dtype=float))
    sight = _Sight.of(free, np.asarray(pts).reshape(-1, 2))
    nodes, n = sight.nodes, len(sight.nodes)
    target_idx = [index[_key(p)] for p in terminals[1:]]
    is_target = np.zeros(n, bool)
    is_target[target_idx] = True
    is_target[0] = False
    # a target on a reflex corner may be where the way to others bends: it is no sink
    on_corner = {_key(c) for c in sight.corners}
    sink = is_target.copy()
    for k in target_idx:
        if _key(nodes[k]) in on_corner:
            sink[k] = False
    tray_adj: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for t in tray_parts:
        c = np.asarray(t.coords)
        for a, b in itertools.pairwise(c):
            ia, ib = index[_key(a)], index[_key(b)]
            tray_adj[ia].append((ib, math.dist(a, b)))
            tray_adj[ib].append((ia, math.dist(a, b)))
    search = _Search(free, sight, tray_adj, tray_cost)
    remaining = int(is_target.sum())
    while search.heap and remaining:
        d, u = heapq.heappop(search.heap)
        if search.settled[u]:
            continue
        search.settled[u] = True
        check_time()
        if is_target[u]:
            remaining -= 1
            if sink[u] or not remaining:
                continue
        search.relax(u, d)
    return [search.path(index[_key(p)]) for p in terminals[1:]]


class _Search:
    """Dijkstra's state over the any-angle nodes from node 0: cost, length and tray length
    so far, predecessor and settled flags, and the heap."""

    def __init__(
        self,
        free: BaseGeometry,
        sight: _Sight,
        tray_adj: dict[int, list[tuple[int, float]]],
        tray_cost: float,
    ) -> None:
        n = len(sight.nodes)
        self.free, self.sight, self.tray_adj, self.tray_cost = free, sight, tray_adj, tray_cost
        self.dist = np.full(n, np.inf)
        self.length = np.full(n, np.inf)
        self.tray_len = np.zeros(n)
        self.pred = np.full(n, -1)
        self.settled = np.zeros(n, bool)
        self.dist[0] = self.length[0] = 0.0
        self.heap: list[tuple[float, int]] = [(0.0, 0)]

    def relax(self, u: int, d: float) -> None:
        """Reach on from ``u`` (settled at cost ``d``): along every sight line that could
        bring a node closer and is tangent at its corners, then along the trays."""
        nodes, sight = self.sight.nodes, self.sight
        n = len(nodes)
        delta = nodes - nodes[u]
        reach = np.hypot(delta[:, 0], delta[:, 1])
        cand = ~self.settled & (d + reach < self.dist - 1e-12)
        if sight.constrained[u]:
            here = np.broadcast_to(nodes[u], nodes.shape)
            cand &= _tangent(
                delta,
                here,
                np.broadcast_to(sight.prev[u], nodes.shape),
                np.broadcast_to(sight.next[u], nodes.shape),
                np.ones(n, bool),
            )
        cand &= _tangent(-delta, nodes, sight.prev, sight.next, sight.constrained)
        idx = np.flatnonzero(cand)
        if idx.size:
            segs = shapely.linestrings(
                np.stack([np.broadcast_to(nodes[u], (idx.size, 2)), nodes[idx]], axis=1)
            )
            for v in idx[shapely.covers(self.free, segs)]:
                self._set(int(v), u, d + reach[v], reach[v], 0.0)
        for v, seg in self.tray_adj.get(u, []):
            if not self.settled[v] and d + seg * self.tray_cost < self.dist[v] - 1e-12:
                self._set(v, u, d + seg * self.tray_cost, seg, seg)

    def _set(self, v: int, u: int, cost: float, step: float, on_tray: float) -> None:
        self.dist[v] = cost
        self.length[v] = self.length[u] + step
        self.tray_len[v] = self.tray_len[u] + on_tray
        self.pred[v] = u
        heapq.heappush(self.heap, (float(self.dist[v]), v))

    def path(self, v: int) -> _Path | None:
        """The path found to node ``v``, or ``None`` when it was not reached."""
        if not np.isfinite(self.dist[v]):
            return None
        chain = [v]
        while chain[-1] != 0:
            chain.append(int(self.pred[chain[-1]]))
        nodes = self.sight.nodes
        coords = [(float(nodes[k][0]), float(nodes[k][1])) for k in reversed(chain)]
        return _Path(
            coords=coords,
            cost=float(self.dist[v]),
            length=float(self.length[v]),
            tray=float(self.tray_len[v]),
        )


def _clusters(geom: BaseGeometry) -> tuple[np.ndarray, np.ndarray]:
    """Representative x and y values: coordinates chained within ``ALIGN_M`` share one."""
    coords = shapely.get_coordinates(geom)
    return _cluster(coords[:, 0]), _cluster(coords[:, 1])


def _cluster(values: np.ndarray) -> np.ndarray:
    """Sorted unique values with each run of near-equal values replaced by its mean, as
    pairs (value, representative)."""
    v = np.unique(values)
    if len(v) == 0:
        return np.empty((0, 2))
    breaks = np.flatnonzero(np.diff(v) > ALIGN_M) + 1
    groups = np.split(v, breaks)
    rep = np.concatenate([np.full(len(g), g.mean()) for g in groups])
    return np.column_stack([v, rep])


def _align(geom: BaseGeometry, xs: np.ndarray, ys: np.ndarray) -> BaseGeometry:
    """Move every coordinate to its representative; repair what that may pinch."""
    if geom.is_empty or (np.all(xs[:, 0] == xs[:, 1]) and np.all(ys[:, 0] == ys[:, 1])):
        return geom

    def fn(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (xs[np.searchsorted(xs[:, 0], x), 1], ys[np.searchsorted(ys[:, 0], y), 1])

    out = transform_xy(geom, fn)
    if not out.is_valid:
        fixed = shapely.make_valid(out)
        out = shapely.union_all(
            [g for g in shapely.get_parts(fixed) if g.geom_type in ("Polygon", "MultiPolygon")]
        )
    return out


def _snapped(given: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Terminals' coordinates aligned like the corners (onto a corner's representative
    within ``ALIGN_M``); the others rounded to :data:`TERMINAL_DECIMALS`.

    Without the rounding two chargers at the same end of one stall row, turned into the
    axis frame, stood on tracks 1e-14 m apart; the step between them cost one
    :data:`planner.graph.COST_STEP_M`, so which of the equally short ways the cables took,
    and how the shared tray merged, changed with the drawing's origin (found by
    ``test_a_garage_drawn_from_another_origin_gets_the_same_plan``). Each value is rounded
    alone, not chained to the other terminals': a terminal's node must not depend on which
    others are routed (the build-out reserve joins a tree found without it)."""
    return np.column_stack([_terminal_values(given[:, 0], xs), _terminal_values(given[:, 1], ys)])


def _terminal_values(v: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Each value onto the representative of the nearest corner value in ``table`` (a
    :func:`_cluster`; the lower one on a tie) within ``ALIGN_M``, else rounded."""
    rounded = np.round(v, TERMINAL_DECIMALS)
    if len(table) == 0:
        return rounded
    i = np.clip(np.searchsorted(table[:, 0], v), 1, len(table) - 1)
    lower = np.abs(table[i - 1, 0] - v) <= np.abs(table[i, 0] - v)
    j = np.where(lower, i - 1, i)
    return np.where(np.abs(table[j, 0] - v) <= ALIGN_M, table[j, 1], rounded)


def _placed(free: BaseGeometry, given: np.ndarray, snapped: np.ndarray) -> np.ndarray:
    """The node coordinates of terminals (axis frame): ``snapped`` (aligned like the
    corners) where that is free, else as ``given``, else the nearest free point."""
    out = snapped.copy()
    for i in np.flatnonzero(~shapely.covers(free, shapely.points(snapped))):
        q = Point(given[i])
        out[i] = q.coords[0] if free.covers(q) else shapely.ops.nearest_points(free, q)[0].coords[0]
    return out


def _terminals_kept(
    exact: BaseGeometry, given: np.ndarray, snapped: np.ndarray, placed: np.ndarray
) -> bool:
    """True when aligning moved no terminal's node further than it moved the corners
    near it: a terminal in a sliver the alignment closed would be carried out of it
    (0.3 m in a test), and then the alignment changed the way, not just the corners.

    Each node is compared with where the exact geometry puts it, allowing the terminal's
    own snap and ``ALIGN_M`` in x and y; only the few that moved further than that are
    placed again on the exact geometry (speed: this runs for every compartment)."""
    allowed = np.hypot(*(snapped - given).T) + _SLACK_M
    far = np.flatnonzero(np.hypot(*(placed - given).T) > allowed)
    if len(far) == 0:
        return True
    shapely.prepare(exact)
    there = _placed(exact, given[far], given[far])
    return bool(np.all(np.hypot(*(placed[far] - there).T) <= allowed[far]))


def _same_shape(a: BaseGeometry, b: BaseGeometry) -> bool:
    """True when ``b`` is ``a`` with corners nudged: same parts, same holes, and no more
    area changed than nudging every edge by ``ALIGN_M`` could."""
    pa, pb = _polygons(a), _polygons(b)
    if len(pa) != len(pb) or sum(len(p.interiors) for p in pa) != sum(len(p.interiors) for p in pb):
        return False
    return bool(a.symmetric_difference(b).area <= a.length * ALIGN_M)


def _key(xy: Iterable[float]) -> tuple[float, float]:
    x, y = xy
    return (float(x), float(y))


def _visibility_graph(
    free: BaseGeometry, terminals: np.ndarray, trays: Sequence[BaseGeometry], tray_cost: float
) -> RouteGraph:
    """Any-angle: nodes are reflex corners, terminals and tray vertices; an edge joins every
    pair that sees each other through the (closed) free space.

    Only edges tangent at their corners are tested (both ring neighbours of a corner on one
    side of the edge): a shortest path never turns into an obstacle, so the others can never
    be used, and the costly visibility test runs on a fraction of the pairs.
    """
    tray_parts = _tray_parts(free, trays)
    free_pts = np.vstack([terminals, *[np.asarray(t.coords) for t in tray_parts]])
    sight = _Sight.of(free, np.unique(free_pts, axis=0))
    nodes, constrained, prev_all, next_all = sight.nodes, sight.constrained, sight.prev, sight.next
    ends: list[tuple[np.ndarray, np.ndarray]] = []
    n = len(nodes)
    for first in range(0, n - 1, _BLOCK):  # pairs (i, j > i) a block of rows at a time
        check_time()
        rows = np.arange(first, min(first + _BLOCK, n - 1))
        i = np.repeat(rows, n - 1 - rows)
        j = np.concatenate([np.arange(r + 1, n) for r in rows])
        d = nodes[j] - nodes[i]
        ok = _tangent(d, nodes[i], prev_all[i], next_all[i], constrained[i])
        ok &= _tangent(d, nodes[j], prev_all[j], next_all[j], constrained[j])
        i, j = i[ok], j[ok]
        segs = shapely.linestrings(np.stack([nodes[i], nodes[j]], axis=1))
        visible = shapely.covers(free, segs)
        ends.append((nodes[i[visible]], nodes[j[visible]]))
    a = np.vstack([np.empty((0, 2)), *(e[0] for e in ends)])
    b = np.vstack([np.empty((0, 2)), *(e[1] for e in ends)])
    return _with_trays(
        a,
        b,
        np.hypot(*(b - a).T),
        tray_parts=tray_parts,
        cuts=None,
        tray_cost=tray_cost,
        nodes=nodes,
    )


def _with_trays(
    a: np.ndarray,
    b: np.ndarray,
    length: np.ndarray,
    *,
    tray_parts: list[LineString],
    cuts: list[list[tuple[float, float]]] | None,
    tray_cost: float,
    nodes: np.ndarray,
) -> RouteGraph:
    """The graph of the free edges ``a[k]``-``b[k]`` (cost = length) and of the trays'
    edges (cost ``tray_cost`` per metre; :func:`_tray_edges`), holding ``nodes``."""
    ta, tb = _tray_edges(tray_parts, cuts)
    tray_len = np.hypot(*(tb - ta).T)
    return RouteGraph.from_edges(
        np.vstack([a, ta]),
        np.vstack([b, tb]),
        length=np.concatenate([length, tray_len]),
        cost=np.concatenate([length, tray_len * tray_cost]),
        tray=np.concatenate([np.zeros(len(a), bool), np.ones(len(ta), bool)]),
        nodes=nodes,
    )


def _tray_edges(
    tray_parts: list[LineString], cuts: list[list[tuple[float, float]]] | None
) -> tuple[np.ndarray, np.ndarray]:
    """The trays' edges (their ends, k x 2 each): every tray segment, cut at the points of
    ``cuts`` (one list per segment, in the trays' order; ``None``: uncut) where tracks
    cross it."""
    starts: list[tuple[float, float]] = []
    ends: list[tuple[float, float]] = []
    segment = iter(cuts or [])
    for part in tray_parts:
        c = np.asarray(part.coords)
        for start, end in itertools.pairwise(c):
            first = (float(start[0]), float(start[1]))
            inner = next(segment) if cuts is not None else []
            seq = sorted(inner, key=functools.partial(math.dist, first))
            chain = [first, *seq, (float(end[0]), float(end[1]))]
            for u, w in itertools.pairwise(chain):
                starts.append(u)
                ends.append(w)
    return np.asarray(starts, float).reshape(-1, 2), np.asarray(ends, float).reshape(-1, 2)


def _tangent(
    d: np.ndarray, at: np.ndarray, prev: np.ndarray, nxt: np.ndarray, constrained: np.ndarray
) -> np.ndarray:
    """For each edge direction ``d`` through corner ``at``: are both ring neighbours on one
    side of it (or on it)? Unconstrained nodes (terminals) always pass."""
    s1 = d[:, 0] * (prev[:, 1] - at[:, 1]) - d[:, 1] * (prev[:, 0] - at[:, 0])
    s2 = d[:, 0] * (nxt[:, 1] - at[:, 1]) - d[:, 1] * (nxt[:, 0] - at[:, 0])
    scale = np.hypot(d[:, 0], d[:, 1]) * 1e-12
    ok: np.ndarray = (
        ~constrained | (s1 * s2 >= -(scale**2)) | (np.abs(s1) <= scale) | (np.abs(s2) <= scale)
    )
    return ok


_BLOCK = 256
"""Lines or rows handled between two checks of the time budget."""


def _bound_nodes(n: int, what: str) -> None:
    """Refuse a routing graph over ``max_route_nodes`` before building it."""
    allowed = current_limits().max_route_nodes
    if n > allowed:
        over(
            "max_route_nodes",
            n,
            allowed,
            f"nodes of a compartment's {what} (a curved or finely drawn outline?)",
            "simplify the compartment's outline and obstacles in the drawing, or plan this "
            "compartment with --routing euclidean",
        )


def _ring_edges(free: BaseGeometry) -> np.ndarray | None:
    """Every edge of the rings of an all-polygon free space, as rows (x0, y0, x1, y1);
    ``None`` for anything else."""
    polys = list(shapely.get_parts(free))
    if any(p.geom_type != "Polygon" for p in polys):
        return None
    rings = [r for p in polys for r in (p.exterior, *p.interiors)]
    coords = [np.asarray(r.coords) for r in rings if not r.is_empty]
    if not coords:
        return np.empty((0, 4))
    return np.vstack([np.hstack([c[:-1], c[1:]]) for c in coords])


def _spans(
    free: BaseGeometry,
    values: np.ndarray,
    *,
    axis: int,
    edges: np.ndarray | None,
) -> list[list[tuple[float, float]]]:
    """Where each axis-parallel line lies in the closed free space, as sorted disjoint
    spans along it: lines ``y = value`` (``axis`` 0, spans in x) or ``x = value`` (1).

    A scan over the rings' edges instead of cutting each line with GEOS (which for one
    compartment of 2,500 holes took 1.7 s of a 3.8 s plan: speed forced this shape). On a
    line the closed free space is where the free interior lies just above the line or
    just below it (the rings' crossings, counted by parity); a point where the space only
    touches the line makes no span, and none held a track. Each crossing is computed in
    extended precision and rounded once, as GEOS rounds its own; an edge's end is its
    vertex exactly. ``edges``: :func:`_ring_edges` of ``free`` (found once for both
    axes); ``None``, for anything but polygons, has the lines cut by GEOS
    (:func:`_pieces`)."""
    if edges is None:
        return _pieces(free, values, axis=axis)
    if not len(edges) or not len(values):
        return [[] for _ in values]
    along, across = (0, 1) if axis == 0 else (1, 0)
    u0, v0, u1, v1 = edges[:, along], edges[:, across], edges[:, 2 + along], edges[:, 2 + across]
    keep = v0 != v1  # edges along the line's own direction cross nothing
    u0, v0, u1, v1 = u0[keep], v0[keep], u1[keep], v1[keep]
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    low, high = np.minimum(v0, v1), np.maximum(v0, v1)
    spans: list[list[tuple[float, float]]] = [[] for _ in values]
    for side in ("left", "right"):  # the interior just above the line, then just below
        first = np.searchsorted(sorted_values, low, side=side)
        stop = np.searchsorted(sorted_values, high, side=side)
        counts = stop - first
        total = int(counts.sum())
        edge = np.repeat(np.arange(len(counts)), counts)
        line = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts) + first[edge]
        check_time()
        at = _crossing(u0[edge], v0[edge], u1[edge], v1[edge], sorted_values[line])
        by = np.lexsort((at, line))
        line, at = line[by], at[by]
        # a closed ring crosses a line an even number of times when each edge counts for
        # the half-open range of its ends (the lower, or the upper end), so they pair up
        assert bool(np.all(line[0::2] == line[1::2]))
        starts, ends = at[0::2], at[1::2]
        for k, a, b in zip(order[line[0::2]], starts, ends, strict=True):
            spans[int(k)].append((float(a), float(b)))
    return [_merged(s) for s in spans]


def _crossing(
    u0: np.ndarray, v0: np.ndarray, u1: np.ndarray, v1: np.ndarray, v: np.ndarray
) -> np.ndarray:
    """Where each edge (u0, v0)-(u1, v1) meets the line at ``v`` (along its ``u``)."""
    q = np.longdouble
    t = (v.astype(q) - v0.astype(q)) / (v1.astype(q) - v0.astype(q))
    u = (u0.astype(q) + t * (u1.astype(q) - u0.astype(q))).astype(np.float64)
    u = np.where(u0 == u1, u0, u)  # an edge across the line: its own coordinate
    return np.where(v == v0, u0, np.where(v == v1, u1, u))


def _merged(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Spans sorted, those meeting or overlapping (within ``_EPS``) made one."""
    out: list[list[float]] = []
    for a, b in sorted(spans):  # a <= b
        if out and a <= out[-1][1] + _EPS:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _pieces(
    free: BaseGeometry, values: np.ndarray, *, axis: int
) -> list[list[tuple[float, float]]]:
    """:func:`_spans` by GEOS: each line cut by the free space (a block at a time, so the
    time budget is checked while a large outline is cut), for a free space that is not
    all polygons.

    Each block is cut against the free space with only the holes its band can reach
    (:func:`_near_holes`): the outline and the holes kept are the same rings, so every
    crossing, computed from the same two segments, is the same number, at a fraction of
    the cost of cutting against every column."""
    xmin, ymin, xmax, ymax = free.bounds
    pad = 1.0 + 0.01 * max(xmax - xmin, ymax - ymin)
    ends = np.full_like(values, xmin - pad), np.full_like(values, xmax + pad)
    if axis == 1:
        ends = np.full_like(values, ymin - pad), np.full_like(values, ymax + pad)
    a, b = (np.column_stack([e, values] if axis == 0 else [values, e]) for e in ends)
    lines = np.asarray(shapely.linestrings(np.stack([a, b], axis=1)))
    out: list[list[tuple[float, float]]] = []
    for first in range(0, len(lines), _BLOCK):
        check_time()
        block = lines[first : first + _BLOCK]
        cut = shapely.intersection(_near_holes(free, block), block)
        for g in cut:
            spans = []
            for part in shapely.get_parts(g):
                if part.is_empty or part.geom_type not in ("LineString", "Point"):
                    continue
                c = np.asarray(part.coords)[:, axis]
                spans.append((float(c.min()), float(c.max())))
            out.append(_merged(spans))
    return out


def _near_holes(free: BaseGeometry, block: np.ndarray) -> BaseGeometry:
    """``free`` with only the holes whose bounds meet the block's bounds (polygon parts
    that do not are dropped whole)."""
    bx0, by0, bx1, by1 = shapely.total_bounds(block)
    parts = []
    for part in shapely.get_parts(free):
        if part.geom_type != "Polygon":
            return free  # anything but polygons: cut against the whole
        px0, py0, px1, py1 = part.bounds
        if px1 < bx0 or px0 > bx1 or py1 < by0 or py0 > by1:
            continue
        rings = np.empty(len(part.interiors), dtype=object)
        rings[:] = list(part.interiors)
        b = shapely.bounds(rings).reshape(-1, 4)
        meet = ~((b[:, 2] < bx0) | (b[:, 0] > bx1) | (b[:, 3] < by0) | (b[:, 1] > by1))
        parts.append(part if meet.all() else Polygon(part.exterior, list(rings[meet])))
    if not parts:
        return Polygon()
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _track_graph(
    free: BaseGeometry, terminals: np.ndarray, trays: Sequence[BaseGeometry], tray_cost: float
) -> RouteGraph:
    """Rectilinear: maximal free horizontal and vertical segments through every corner and
    terminal; nodes where they cross; trays as extra edges at their own angle."""
    tray_parts = _tray_parts(free, trays)
    tray_pts = [np.asarray(t.coords) for t in tray_parts]
    seeds = np.vstack([terminals, _all_vertices(free), *tray_pts])
    ys = np.unique(seeds[:, 1])
    xs = np.unique(seeds[:, 0])
    _bound_nodes(len(xs) + len(ys), "track graph (its tracks)")
    seeds_by_y: dict[float, list[float]] = defaultdict(list)
    seeds_by_x: dict[float, list[float]] = defaultdict(list)
    for x, y in seeds:
        seeds_by_y[float(y)].append(float(x))
        seeds_by_x[float(x)].append(float(y))
    # horizontal tracks: (y, x0, x1); vertical tracks: (x, y0, y1), only those holding a seed
    edges = _ring_edges(free)
    htracks = _tracks(_spans(free, ys, axis=0, edges=edges), ys, seeds_by_y)
    vtracks = _tracks(_spans(free, xs, axis=1, edges=edges), xs, seeds_by_x)
    on_h, on_v = _crossings(htracks, vtracks)
    extra_nodes = _tray_crossings(tray_parts, htracks, vtracks, on_h, on_v)
    ha, hb = _track_edges(htracks, on_h, axis=0)
    va, vb = _track_edges(vtracks, on_v, axis=1)
    run = np.concatenate([hb[:, 0] - ha[:, 0], vb[:, 1] - va[:, 1]])  # axis-parallel
    return _with_trays(
        np.vstack([ha, va]),
        np.vstack([hb, vb]),
        run,
        tray_parts=tray_parts,
        cuts=[inner for part in extra_nodes for inner in part],
        tray_cost=tray_cost,
        nodes=terminals,
    )


def _track_edges(
    tracks: list[tuple[float, float, float]], stops: list[list[float]], *, axis: int
) -> tuple[np.ndarray, np.ndarray]:
    """The edges of the tracks (``(value, start, end)``, along x for ``axis`` 0, else y)
    between consecutive distinct stops: each track's ends and the ``stops`` where others
    cross it. Returns their two ends (k x 2 each), each edge from its lower end."""
    if not tracks:
        return np.empty((0, 2)), np.empty((0, 2))
    arr = np.asarray(tracks, float)
    count = np.asarray([len(f) for f in stops]) + 2
    line = np.repeat(np.arange(len(tracks)), count)
    at = np.fromiter(
        itertools.chain.from_iterable((t[1], t[2], *f) for t, f in zip(tracks, stops, strict=True)),
        float,
        count=int(count.sum()),
    )
    order = np.lexsort((at, line))
    line, at = line[order], at[order]
    distinct = np.ones(len(at), bool)
    distinct[1:] = (line[1:] != line[:-1]) | (at[1:] != at[:-1])
    line, at = line[distinct], at[distinct]
    step = np.flatnonzero(line[1:] == line[:-1])
    value = arr[line[step], 0]
    lo, hi = at[step], at[step + 1]
    if axis == 0:
        return np.column_stack([lo, value]), np.column_stack([hi, value])
    return np.column_stack([value, lo]), np.column_stack([value, hi])


def _crossings(
    htracks: list[tuple[float, float, float]], vtracks: list[tuple[float, float, float]]
) -> tuple[list[list[float]], list[list[float]]]:
    """Where the tracks cross: for each horizontal track the x of every vertical one it
    meets, and for each vertical track the y of every horizontal one (bounded by
    ``max_route_nodes`` as they are found)."""
    on_h: list[list[float]] = [[] for _ in htracks]
    on_v: list[list[float]] = [[] for _ in vtracks]
    if not (htracks and vtracks):
        return on_h, on_v
    v = np.asarray(vtracks)
    order = np.argsort(v[:, 0])
    v = v[order]
    allowed, crossings = current_limits().max_route_nodes, 0
    for hi, (y, x0, x1) in enumerate(htracks):
        if hi % _BLOCK == 0:
            check_time()
        lo, hi_ = np.searchsorted(v[:, 0], [x0 - _EPS, x1 + _EPS])
        cand = v[lo:hi_]
        hit = np.flatnonzero((cand[:, 1] <= y + _EPS) & (cand[:, 2] >= y - _EPS))
        crossings += hit.size
        if crossings > allowed:
            _bound_nodes(crossings, "track graph (where its tracks cross)")
        for k in hit:
            on_h[hi].append(float(cand[k, 0]))
            on_v[int(order[lo + k])].append(y)
    return on_h, on_v


def _tracks(
    spans: list[list[tuple[float, float]]],
    values: np.ndarray,
    seeds: dict[float, list[float]],
) -> list[tuple[float, float, float]]:
    """Keep the free spans of each line that hold one of its seeds: (line value, start,
    end)."""
    out = []
    for value, merged in zip(values, spans, strict=True):
        marks = seeds.get(float(value), [])
        for a, b in merged:
            if any(a - _EPS <= m <= b + _EPS for m in marks):
                out.append((float(value), a, b))
    return out


def _tray_crossings(
    tray_parts: list[LineString],
    htracks: list[tuple[float, float, float]],
    vtracks: list[tuple[float, float, float]],
    on_h: list[list[float]],
    on_v: list[list[float]],
) -> list[list[list[tuple[float, float]]]]:
    """Where tray segments cross tracks: nodes on both, so cables can step on and off."""
    result: list[list[list[tuple[float, float]]]] = []
    for part in tray_parts:
        c = np.asarray(part.coords)
        per_segment: list[list[tuple[float, float]]] = []
        for (ax, ay), (bx, by) in itertools.pairwise(c):
            inner: list[tuple[float, float]] = []
            for hi, (y, x0, x1) in enumerate(htracks):
                if min(ay, by) - _EPS <= y <= max(ay, by) + _EPS and ay != by:
                    x = ax + (bx - ax) * (y - ay) / (by - ay)
                    if x0 - _EPS <= x <= x1 + _EPS:
                        inner.append((float(x), float(y)))
                        on_h[hi].append(float(x))
            for vi, (x, y0, y1) in enumerate(vtracks):
                if min(ax, bx) - _EPS <= x <= max(ax, bx) + _EPS and ax != bx:
                    y = ay + (by - ay) * (x - ax) / (bx - ax)
                    if y0 - _EPS <= y <= y1 + _EPS:
                        inner.append((float(x), float(y)))
                        on_v[vi].append(float(y))
            per_segment.append(inner)
        result.append(per_segment)
    return result


def route_length(
    free: BaseGeometry | Polygon | MultiPolygon, start: Point, goal: Point, *, mode: RoutingMode
) -> float | None:
    """Shortest length between two points of a given free space (zero clearance), by the
    same searches the router uses: for fixtures such as extremitypathfinder's."""
    if not (free.covers(start) and free.covers(goal)):
        return None
    terminals = np.asarray([start.coords[0], goal.coords[0]])
    if mode == "euclidean":
        (found,) = _visibility_search(free, terminals, [], 1.0)
    else:
        (found,) = _graph_paths(_track_graph(free, terminals, [], 1.0), terminals)
    return None if found is None else found.length
