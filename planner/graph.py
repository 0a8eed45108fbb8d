"""The routing graph in compressed sparse arrays, and the one search the router runs on it.

A compartment's track graph holds tens of thousands of nodes (Zurich's 17,000 m² level:
55,000 nodes, 100,000 edges) and is built anew whenever the free space changes (a new
clearance in the desk). As a :mod:`networkx` graph, building it and searching it cost a
Python object or a dict per node and edge. Here the nodes are rows of one coordinate array
(sorted by x, then y) and the edges a CSR adjacency with their cost, length and tray flag
beside; the search is :func:`scipy.sparse.csgraph.dijkstra`, in C.

Ties: rectilinear routing has many equally short paths, and which one is drawn follows
from the order the search settles its nodes. :meth:`RouteGraph.search` settles by
distance, then depth in scipy's shortest-path tree, then node index: an order that depends
on the graph's content only, not on the order its edges were added. Edge costs are held on
a grid of 2^-20 m (:data:`COST_STEP_M`, under a micrometre), so every sum of them is exact:
two equally short paths cost exactly the same whatever order their lengths are added in,
and float rounding (which differs when the same garage is drawn from another origin) no
longer decides which of them is drawn, nor how the shared tray is merged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

if TYPE_CHECKING:
    import networkx as nx

TIGHT = 1e-9
"""Relative tolerance of ``dist[u] + cost(u, v) = dist[v]`` (sums of float lengths)."""
COST_STEP_M = 2.0**-20
"""The grid edge costs are held on (0.95 micrometre): a binary fraction, so the costs and
every path's sum of them are exact floats up to 2^33 m."""


def _on_cost_grid(cost: np.ndarray) -> np.ndarray:
    """``cost`` rounded to :data:`COST_STEP_M`; a positive cost stays at least one step (an
    edge a rounding long between two tracks still costs something)."""
    steps = np.round(cost / COST_STEP_M)
    return np.where(cost > 0, np.maximum(steps, 1.0), steps) * COST_STEP_M


@dataclass(frozen=True, eq=False)
class RouteGraph:
    """An undirected routing graph: node ``i`` at ``xy[i]``; the edges leaving it are
    ``indptr[i]:indptr[i + 1]`` of ``indices`` (their far ends, ascending), ``cost``,
    ``length`` and ``tray`` (each edge is stored once in each direction)."""

    xy: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    cost: np.ndarray
    length: np.ndarray
    tray: np.ndarray

    @classmethod
    def from_edges(
        cls,
        a: np.ndarray,
        b: np.ndarray,
        *,
        length: np.ndarray,
        cost: np.ndarray,
        tray: np.ndarray,
        nodes: np.ndarray | None = None,
    ) -> RouteGraph:
        """The graph of edges ``a[k]``-``b[k]`` (coordinates, m x 2) and of the extra
        ``nodes``. Where two edges join the same nodes the cheaper is kept (the first of
        equal ones); an edge from a node to itself is dropped."""
        a, b = np.asarray(a, float).reshape(-1, 2), np.asarray(b, float).reshape(-1, 2)
        extra = np.empty((0, 2)) if nodes is None else np.asarray(nodes, float).reshape(-1, 2)
        pts = np.vstack([a, b, extra])
        # as complex numbers, nodes sort by x then y and compare exactly, as tuples would
        keys, inverse = np.unique(_complex(pts), return_inverse=True)
        inverse = inverse.reshape(-1)
        m = len(a)
        u, v = inverse[:m], inverse[m : 2 * m]
        keep = u != v
        u, v = u[keep], v[keep]
        src, dst = np.concatenate([u, v]), np.concatenate([v, u])
        c = np.tile(_on_cost_grid(np.asarray(cost, float)[keep]), 2)
        ln = np.tile(np.asarray(length, float)[keep], 2)
        tr = np.tile(np.asarray(tray, bool)[keep], 2)
        order = np.lexsort((np.arange(len(src)), c, dst, src))
        src, dst = src[order], dst[order]
        first = np.ones(len(src), bool)
        first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
        order = order[first]
        n = len(keys)
        indptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(src[first], minlength=n), out=indptr[1:])
        return cls(
            xy=np.column_stack([keys.real, keys.imag]),
            indptr=indptr,
            indices=dst[first].astype(np.int64),
            cost=c[order],
            length=ln[order],
            tray=tr[order],
        )

    def to_networkx(self) -> nx.Graph[tuple[float, float]]:
        """The graph as networkx's, nodes keyed by their coordinate tuples."""
        import networkx as nx  # noqa: PLC0415 - only for tests and callers that want it

        graph: nx.Graph[tuple[float, float]] = nx.Graph()
        nodes = [self.node(i) for i in range(len(self.xy))]
        graph.add_nodes_from(nodes)
        for e in np.flatnonzero(self.sources < self.indices):
            graph.add_edge(
                nodes[int(self.sources[e])],
                nodes[int(self.indices[e])],
                cost=float(self.cost[e]),
                length=float(self.length[e]),
                tray=bool(self.tray[e]),
            )
        return graph

    # -- lookups ------------------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        return len(self.xy)

    @property
    def n_edges(self) -> int:
        """Undirected edges."""
        return len(self.indices) // 2

    def node(self, i: int) -> tuple[float, float]:
        """Node ``i``'s coordinates."""
        return (float(self.xy[i, 0]), float(self.xy[i, 1]))

    def index(self, pts: np.ndarray | Sequence[tuple[float, float]]) -> np.ndarray:
        """The node at each point (exact coordinates), -1 where there is none."""
        return _find(self._keys, _complex(np.asarray(pts, float).reshape(-1, 2)))

    def edge_ids(self, u: Sequence[int] | np.ndarray, v: Sequence[int] | np.ndarray) -> np.ndarray:
        """The directed edge ``u[k] -> v[k]`` of each pair, -1 where they are not joined."""
        u, v = np.asarray(u, np.int64), np.asarray(v, np.int64)
        return _find(self._edge_codes, u * self.n_nodes + v)

    def neighbours(self, i: int) -> np.ndarray:
        return self.indices[self.indptr[i] : self.indptr[i + 1]]

    @cached_property
    def sources(self) -> np.ndarray:
        """The near end of every stored edge (``indices`` holds the far end)."""
        return np.repeat(np.arange(self.n_nodes), np.diff(self.indptr))

    @cached_property
    def _keys(self) -> np.ndarray:
        return _complex(self.xy)

    @cached_property
    def _edge_codes(self) -> np.ndarray:
        codes: np.ndarray = self.sources * self.n_nodes + self.indices  # ascending
        return codes

    # -- searches -----------------------------------------------------------------------
    def matrix(self, weight: Literal["cost", "length"] = "cost") -> csr_array:
        """The adjacency as a scipy CSR array of ``weight``."""
        data = self.cost if weight == "cost" else self.length
        return csr_array((data, self.indices, self.indptr), shape=(self.n_nodes,) * 2)

    def distances(
        self, sources: Sequence[int] | np.ndarray, weight: Literal["cost", "length"] = "cost"
    ) -> np.ndarray:
        """Least ``weight`` from each source to every node (one row per source; inf where
        unreachable)."""
        found: np.ndarray = dijkstra(
            self.matrix(weight), directed=True, indices=np.asarray(sources, np.int64)
        )
        return found.reshape(len(sources), self.n_nodes)

    def search(self, source: int) -> Search:
        """Least costs from ``source``, its settle order and the DAG of optimal steps.

        The order is by distance, then by depth in scipy's own shortest-path tree, then by
        index: a node joined to its predecessor by an edge too short to change the float
        sum (1e-15 m between two tracks a rounding apart) has the same distance, and the
        depth still settles the predecessor first."""
        dists, preds = dijkstra(
            self.matrix("cost"),
            directed=True,
            indices=np.asarray([source], np.int64),
            return_predecessors=True,
        )
        dist, pred = dists.reshape(-1), preds.reshape(-1)
        reached = np.flatnonzero(np.isfinite(dist))
        depth = _depths(pred)
        order = reached[np.lexsort((reached, depth[reached], dist[reached]))]
        rank = np.full(self.n_nodes, self.n_nodes, np.int64)
        rank[order] = np.arange(len(order))
        return Search(graph=self, source=source, dist=dist, order=order, rank=rank)

    def hop_sums(self, nodes: Sequence[int]) -> tuple[float, float, float]:
        """(cost, length, length on trays) of the walk through ``nodes``, summed in path
        order; a step between two nodes no edge joins counts its straight length."""
        if len(nodes) < 2:
            return 0.0, 0.0, 0.0
        e = self.edge_ids(nodes[:-1], nodes[1:]).tolist()
        cost = length = tray = 0.0
        for k, eid in enumerate(e):
            if eid < 0:
                d = math.dist(self.node(nodes[k]), self.node(nodes[k + 1]))
                cost, length = cost + d, length + d
                continue
            ln = float(self.length[eid])
            cost += float(self.cost[eid])
            length += ln
            if self.tray[eid]:
                tray += ln
        return cost, length, tray


@dataclass(frozen=True, eq=False)
class Search:
    """One single-source search: ``dist`` per node (inf: unreachable), the reached nodes
    in ``order`` (by distance, then index) and each node's ``rank`` in it."""

    graph: RouteGraph
    source: int
    dist: np.ndarray
    order: np.ndarray
    rank: np.ndarray

    @cached_property
    def dag(self) -> tuple[list[int], list[int], list[int]]:
        """The optimal steps into each node (``u -> v`` with ``dist[u] + cost = dist[v]``
        within :data:`TIGHT`, ``u`` settled first): for node ``v`` the entries
        ``ptr[v]:ptr[v + 1]`` of ``preds`` (in settle order) and of ``edges`` (their ids).
        Every path in it is optimal."""
        g, dist, rank = self.graph, self.dist, self.rank
        src, dst = g.sources, g.indices
        with np.errstate(invalid="ignore"):
            tol = TIGHT * np.maximum(1.0, dist[dst])
            ok = np.isfinite(dist[dst]) & (dist[src] + g.cost <= dist[dst] + tol)
        ok &= rank[src] < rank[dst]
        e = np.flatnonzero(ok)
        e = e[np.lexsort((rank[src[e]], dst[e]))]
        ptr = np.zeros(g.n_nodes + 1, np.int64)
        np.cumsum(np.bincount(dst[e], minlength=g.n_nodes), out=ptr[1:])
        return ptr.tolist(), src[e].tolist(), e.tolist()

    def reached(self, i: int) -> bool:
        return bool(np.isfinite(self.dist[i]))

    def first_path(self, target: int) -> list[int]:
        """The path of the search's own tree: each node's first optimal predecessor."""
        ptr, preds, _ = self.dag
        nodes = [target]
        while (v := nodes[-1]) != self.source:
            if ptr[v] == ptr[v + 1]:  # scipy's own predecessor is always a DAG one
                raise RuntimeError(f"node {v} of the search has no optimal predecessor")
            nodes.append(preds[ptr[v]])
        nodes.reverse()
        return nodes


def _find(table: np.ndarray, q: np.ndarray) -> np.ndarray:
    """The position of each of ``q`` in the ascending ``table``, -1 where it is absent."""
    if not len(table):
        return np.full(len(q), -1, np.int64)
    pos = np.minimum(np.searchsorted(table, q), len(table) - 1)
    return np.where(table[pos] == q, pos, -1)


def _depths(pred: np.ndarray) -> np.ndarray:
    """Each node's depth in a tree of predecessor pointers (negative at roots and at
    nodes outside it), by pointer jumping: a few vectorised passes, not one per level."""
    up = pred.astype(np.int64)
    depth = (up >= 0).astype(np.int64)
    live = up >= 0
    while live.any():
        step = np.where(live, up, 0)
        depth = np.where(live, depth + depth[step], depth)
        up = np.where(live, up[step], up)
        live = up >= 0
    return depth


def _complex(xy: np.ndarray) -> np.ndarray:
    """Points as complex numbers, built part by part (``x + 1j * y`` would round nothing
    but could turn a -0.0 into 0.0 and back)."""
    out = np.empty(len(xy), complex)
    out.real, out.imag = xy[:, 0], xy[:, 1]
    return out
