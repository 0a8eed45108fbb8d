"""The routing graph in sparse arrays: hand-made graphs with known answers, and its search
against networkx's Dijkstra on random grids."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.graph import COST_STEP_M, RouteGraph, _depths


def _graph(edges: list[tuple[tuple[float, float], tuple[float, float], float]]) -> RouteGraph:
    a = np.asarray([e[0] for e in edges], float)
    b = np.asarray([e[1] for e in edges], float)
    cost = np.asarray([e[2] for e in edges], float)
    length = np.hypot(*(b - a).T)
    return RouteGraph.from_edges(a, b, length=length, cost=cost, tray=cost < length)


def test_nodes_sorted_by_x_then_y_and_found_by_their_coordinates() -> None:
    g = _graph([((1, 0), (0, 0), 1.0), ((0, 0), (0, 1), 1.0)])
    assert g.xy.tolist() == [[0, 0], [0, 1], [1, 0]]
    assert g.index([(1, 0), (0, 1), (5, 5), (0, 0)]).tolist() == [2, 1, -1, 0]
    assert g.n_edges == 2
    assert g.edge_ids([0, 2, 1], [2, 0, 2]).tolist()[2] == -1  # (0, 1)-(1, 0): no edge
    e = g.edge_ids([0, 2], [2, 0])
    assert (e >= 0).all()
    assert g.cost[e].tolist() == [1.0, 1.0]


def test_a_repeated_edge_keeps_the_cheaper_and_a_loop_is_dropped() -> None:
    g = _graph([((0, 0), (2, 0), 2.0), ((2, 0), (0, 0), 1.4), ((2, 0), (2, 0), 0.0)])
    assert g.n_edges == 1
    (e,) = g.edge_ids([0], [1])
    assert g.cost[e] == pytest.approx(1.4, abs=COST_STEP_M)  # on the cost grid
    assert bool(g.tray[e])  # the tray (cost below length) wins


def test_extra_nodes_stand_alone_and_are_unreachable() -> None:
    g = RouteGraph.from_edges(
        np.asarray([[0.0, 0.0]]),
        np.asarray([[1.0, 0.0]]),
        length=np.ones(1),
        cost=np.ones(1),
        tray=np.zeros(1, bool),
        nodes=np.asarray([[5.0, 5.0], [0.0, 0.0]]),
    )
    assert g.n_nodes == 3
    found = g.search(int(g.index([(0, 0)])[0]))
    assert not found.reached(int(g.index([(5, 5)])[0]))
    assert found.order.tolist() == [0, 1]


def test_a_node_a_rounding_apart_settles_after_its_predecessor() -> None:
    """Two tracks 1.8e-15 m apart (seen on a real level), the far one with the lower
    index: the short edge between them costs one step of the cost grid (it would leave
    the float distance 100 m from the box unchanged, and distance alone could not order
    the two); the near one settles first and the path walks through both."""
    x0, x1 = 15.649999999999999, 15.65
    g = _graph([((0, 0), (x1, 0), 100.0), ((x1, 0), (x0, 0), x1 - x0), ((x0, 0), (x0, 3), 3.0)])
    src, near, far, end = g.index([(0, 0), (x1, 0), (x0, 0), (x0, 3)]).tolist()
    found = g.search(src)
    assert found.dist[far] - found.dist[near] == COST_STEP_M
    assert found.rank[near] < found.rank[far]
    assert found.first_path(end) == [src, near, far, end]


def test_equally_long_paths_cost_exactly_the_same_in_any_order_of_their_lengths() -> None:
    """0.1 + 0.2 is not 0.3 in floats, and a garage drawn from another origin rounds its
    lengths otherwise: on the cost grid both ways to the corner cost the same, exactly, so
    the tie is the graph's to break (depth, then index), not the rounding's."""
    g = _graph(
        [
            ((0, 0), (0.1, 0), 0.1),
            ((0.1, 0), (0.3, 0), 0.2),
            ((0, 0), (0, 0.3), 0.3),
            ((0.3, 0), (0.3, 0.3), 0.3),
            ((0, 0.3), (0.3, 0.3), 0.3),
        ]
    )
    src, corner, end = g.index([(0, 0), (0.3, 0), (0.3, 0.3)]).tolist()
    top = int(g.index([(0, 0.3)])[0])
    found = g.search(src)
    assert found.dist[corner] == found.dist[top]  # 0.1 + 0.2 against 0.3
    assert 0.1 + 0.2 != 0.3  # what the plain floats would have compared
    assert len(found.dag[0]) - 1 == g.n_nodes  # one pointer row per node
    preds = found.dag[1][found.dag[0][end] : found.dag[0][end + 1]]
    assert sorted(preds) == sorted([corner, top])  # both ways are optimal steps


def test_depths_by_pointer_jumping() -> None:
    pred = np.asarray([-9999, 0, 1, 2, 0, 4, -9999])
    assert _depths(pred).tolist() == [0, 1, 2, 3, 1, 2, 0]


@given(
    st.integers(2, 7),
    st.integers(2, 7),
    st.lists(st.sampled_from([0.5, 1.0, 1.5, 2.0]), min_size=98, max_size=98),
    st.integers(0, 48),
)
def test_the_search_agrees_with_networkx(w: int, h: int, costs: list[float], s: int) -> None:
    """On a grid with random costs (many ties): the same distances as networkx, every
    optimal predecessor settled first, and each node's own path of the optimal cost."""
    edges = []
    k = 0
    for i in range(w):
        for j in range(h):
            for di, dj in ((1, 0), (0, 1)):
                if i + di < w and j + dj < h:
                    edges.append(((i, j), (i + di, j + dj), costs[k % len(costs)]))
                    k += 1
    g = _graph([(a, b, c) for a, b, c in edges])
    ref: nx.Graph[tuple[float, float]] = nx.Graph()
    for a, b, c in edges:
        ref.add_edge((float(a[0]), float(a[1])), (float(b[0]), float(b[1])), cost=c)
    source = s % g.n_nodes
    want = nx.single_source_dijkstra_path_length(ref, g.node(source), weight="cost")
    found = g.search(source)
    for i in range(g.n_nodes):
        assert found.dist[i] == pytest.approx(want[g.node(i)], abs=1e-12)
        path = found.first_path(i)
        assert (path[0], path[-1]) == (source, i)
        assert g.hop_sums(path)[0] == pytest.approx(want[g.node(i)], abs=1e-9)
        assert all(found.rank[u] < found.rank[v] for u, v in itertools.pairwise(path))
    back = g.to_networkx()
    assert back.number_of_edges() == ref.number_of_edges()
    assert all(back.edges[a, b]["cost"] == c["cost"] for a, b, c in ref.edges(data=True))
