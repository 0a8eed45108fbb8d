"""The shared tray (issue 12): every cable keeps its optimal cost, the tree is never longer
than Dijkstra's own and within 5 % of the shortest arborescence (found exhaustively)."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, box
from shapely.geometry.base import BaseGeometry

from planner import trunk
from planner.graph import RouteGraph
from planner.routing import _track_graph

Node = tuple[float, float]


def optimal_tree_length(graph: nx.Graph[Node], source: Node, targets: list[Node]) -> float:
    """The shortest arborescence whose every path is optimal, by the Dreyfus-Wagner
    programme over subsets of the targets on the DAG of optimal paths."""
    dist = nx.single_source_dijkstra_path_length(graph, source, weight="cost")
    terms = sorted({t for t in targets if t != source})
    nodes = sorted(dist, key=lambda n: -dist[n])  # children (farther) before parents
    index = {n: i for i, n in enumerate(nodes)}
    children: list[list[tuple[int, float]]] = [[] for _ in nodes]
    for u in nodes:
        for v, data in graph.adj[u].items():
            if v in dist and dist[u] < dist[v] and dist[u] + data["cost"] <= dist[v] + 1e-9:
                added = 0.0 if data.get("tray") else data["length"]
                children[index[u]].append((index[v], added))
    k = len(terms)
    cost = np.full((1 << k, len(nodes)), np.inf)
    for j, t in enumerate(terms):
        cost[1 << j, index[t]] = 0.0
    for subset in sorted(range(1, 1 << k), key=lambda m: bin(m).count("1")):
        low = subset & -subset
        part = (subset - 1) & subset
        while part:
            if part & low and part != subset:
                cost[subset] = np.minimum(cost[subset], cost[part] + cost[subset ^ part])
            part = (part - 1) & subset
        row = cost[subset]
        for i in range(len(nodes)):  # relax along the DAG, deepest first
            for c, w in children[i]:
                row[i] = min(row[i], w + row[c])
    return float(cost[(1 << k) - 1, index[source]])


def _instance(seed: int, n_targets: int) -> tuple[RouteGraph, int, list[int]]:
    rng = random.Random(seed)
    free: BaseGeometry = box(0, 0, 30, 20)
    for _ in range(rng.randint(0, 4)):  # columns
        x, y = rng.uniform(2, 26), rng.uniform(2, 16)
        free = free.difference(box(x, y, x + rng.uniform(0.5, 3), y + rng.uniform(0.5, 3)))
    pts: list[tuple[float, float]] = []
    while len(pts) < n_targets + 1:
        p = (round(rng.uniform(0, 30) * 2) / 2, round(rng.uniform(0, 20) * 2) / 2)
        if free.covers(shapely.Point(p)) and p not in pts:
            pts.append(p)
    arr = np.asarray(pts, dtype=float)
    graph = _track_graph(free, arr, [], 1.0)
    at = graph.index(arr).tolist()
    return graph, at[0], at[1:]


def _check(graph: RouteGraph, source: int, targets: list[int]) -> tuple[float, float, float]:
    """The shared paths checked against networkx on the same graph: each optimal, together
    a tree; their tray, Dijkstra's (networkx's own tree) and the shortest arborescence's."""
    nxg = graph.to_networkx()
    node = graph.node
    dist = nx.single_source_dijkstra_path_length(nxg, node(source), weight="cost")
    paths = trunk.shared_paths(graph, source, targets)
    for t, path in zip(targets, paths, strict=True):
        assert path is not None
        assert (path[0], path[-1]) == (source, t)
        cost = sum(nxg.edges[node(a), node(b)]["cost"] for a, b in itertools.pairwise(path))
        assert cost == pytest.approx(dist[node(t)], abs=1e-6)  # no owner's cable gets longer
    edges = {(min(e), max(e)) for p in paths if p for e in itertools.pairwise(p)}
    tree: nx.Graph[int] = nx.Graph()
    tree.add_edges_from(edges)
    assert nx.is_tree(tree)
    plain_paths = nx.single_source_dijkstra_path(nxg, node(source), weight="cost")
    at = graph.index
    plain = trunk.tree_length(graph, [at(plain_paths[node(t)]).tolist() for t in targets])
    best = optimal_tree_length(nxg, node(source), [node(t) for t in targets])
    return trunk.tree_length(graph, paths), plain, best


@pytest.mark.parametrize("seed", range(24))
def test_shared_tree_is_optimal_per_cable_and_near_the_shortest(seed: int) -> None:
    graph, source, targets = _instance(seed, n_targets=2 + seed % 7)
    length, plain, best = _check(graph, source, targets)
    print(f"seed {seed}: tree {length:.2f}, dijkstra {plain:.2f}, best {best:.2f}")
    assert length <= plain + 1e-6
    assert best - 1e-6 <= length <= 1.05 * best + 1e-6


def test_a_comb_off_one_aisle_shares_the_aisle() -> None:
    """Eight chargers on a line 2 m off an aisle, box at its end: the trunk is the run
    along the line (20 m), each branch its own 0 m; Dijkstra alone would stair-step."""
    free = box(0, 0, 40, 10)
    pts = np.asarray([(0.0, 0.0)] + [(5.0 + 2.5 * k, 2.0) for k in range(8)])
    graph = _track_graph(free, pts, [], 1.0)
    at = graph.index(pts).tolist()
    length, _, best = _check(graph, at[0], at[1:])
    assert length == pytest.approx(best)
    assert length == pytest.approx(2.0 + 22.5)


def test_tray_runs_trunk_branch_and_conduit() -> None:
    lines = [
        LineString([(0, 0), (10, 0), (10, 5)]),
        LineString([(0, 0), (20, 0), (20, 1)]),
        LineString([(0, 0), (20, 0), (30, 0)]),
    ]
    runs = trunk.tray_runs(lines, [False, False, True], min_branch_m=3.0)
    got = sorted((round(r.length_m, 3), r.cables, r.reserve, r.branch, r.members) for r in runs)
    # 0-10 carries three (one reserved), 10-20 two (one reserved); the 5 m branch is tray,
    # the 1 m stub stays in conduit, the reserved 10 m tail is a reserved branch
    assert got == [
        (5.0, 1, 0, True, (0,)),
        (10.0, 0, 1, True, (2,)),
        (10.0, 1, 1, False, (1, 2)),
        (10.0, 2, 1, False, (0, 1, 2)),
    ]


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 8), st.integers(0, 8), st.integers(0, 8), st.integers(0, 8)),
        min_size=1,
        max_size=12,
    ),
    st.randoms(use_true_random=False),
)
def test_merged_groups_are_each_groups_own_merge(
    segments: list[tuple[int, int, int, int]], rnd: random.Random
) -> None:
    """The stacked merge gives, group by group, exactly what a call per group gives."""
    lines = [LineString([(a, b), (c, d)]) for a, b, c, d in segments if (a, b) != (c, d)]
    if not lines:
        return
    pieces = np.asarray(shapely.get_parts(shapely.union_all(lines)), dtype=object)
    order = list(range(len(pieces)))
    rnd.shuffle(order)
    groups: list[list[int]] = []
    while order:
        take = rnd.randint(1, len(order))
        groups.append(sorted(order[:take]))
        order = order[take:]
    got, of = trunk._merged(pieces, groups)
    want = [
        (g, line)
        for g, group in enumerate(groups)
        for line in shapely.get_parts(shapely.line_merge(shapely.union_all(list(pieces[group]))))
    ]
    assert of.tolist() == [g for g, _ in want]
    assert [line.wkb for line in got] == [line.wkb for _, line in want]


@pytest.mark.parametrize("seed", range(8))
def test_extra_targets_join_without_changing_the_others(seed: int) -> None:
    graph, source, targets = _instance(seed, n_targets=8)
    main, extra = targets[:5], targets[5:]
    alone = trunk.shared_paths(graph, source, main)
    coords = [None if p is None else graph.xy[p] for p in alone]
    both = alone + trunk.extend(graph, source, coords, extra)
    nxg = graph.to_networkx()
    node = graph.node
    dist = nx.single_source_dijkstra_path_length(nxg, node(source), weight="cost")
    edges = set()
    for t, path in zip(targets, both, strict=True):
        assert path is not None
        assert (path[0], path[-1]) == (source, t)
        cost = sum(nxg.edges[node(a), node(b)]["cost"] for a, b in itertools.pairwise(path))
        assert cost == pytest.approx(dist[node(t)], abs=1e-6)
        edges |= {frozenset(e) for e in itertools.pairwise(path)}
    tree: nx.Graph[int] = nx.Graph()
    tree.add_edges_from((a, b) for a, b in edges)
    assert nx.is_tree(tree)
