"""Routing: hand-checked geometries, the extremitypathfinder fixtures (MIT) and invariants."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
import shapely.affinity
from hypothesis import assume, example, given
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon, box

from planner.routing import ALIGN_M, Router, RoutingMode, axis_of, free_space, route_length

ROOM = box(0, 0, 20, 10)
COLUMN = box(9, 4, 11, 6)


def _one(router: Router, a: Point, b: Point) -> Any:
    (route,) = router.route_all(a, [b])
    return route


def test_around_a_column_by_hand() -> None:
    a, b = Point(5, 5), Point(15, 5)
    eu = _one(Router(ROOM, [COLUMN], mode="euclidean", clearance_m=0), a, b)
    assert eu.length_m == pytest.approx(2 * math.hypot(4, 1) + 2)
    rect = _one(Router(ROOM, [COLUMN], mode="rectilinear", clearance_m=0), a, b)
    assert rect.length_m == pytest.approx(12.0)
    rect_c = _one(Router(ROOM, [COLUMN], mode="rectilinear", clearance_m=0.1), a, b)
    assert rect_c.length_m == pytest.approx(12.2)
    assert rect_c.line.coords[0] == (5, 5)
    assert rect_c.line.coords[-1] == (15, 5)
    segments = zip(rect_c.line.coords, rect_c.line.coords[1:], strict=False)
    assert all(p[0] == pytest.approx(q[0]) or p[1] == pytest.approx(q[1]) for p, q in segments)


def test_clearance_closes_the_gap_between_column_and_wall() -> None:
    column = box(9, 0.15, 11, 6)
    a, b = Point(5, 1), Point(15, 1)
    open_gap = _one(Router(ROOM, [column], clearance_m=0), a, b)
    assert open_gap.length_m == pytest.approx(0.85 * 2 + 10)
    closed = _one(Router(ROOM, [column], clearance_m=0.1), a, b)
    assert closed.length_m == pytest.approx(2 * 5.1 + 10)


def test_walls_drawn_as_lines_block_even_without_clearance() -> None:
    wall = LineString([(10, 0), (10, 8)])
    route = _one(Router(ROOM, [wall], clearance_m=0), Point(5, 1), Point(15, 1))
    # over the wall's end, 5 mm past it (WALL_THICKNESS_M) on either side of its line
    assert route.length_m == pytest.approx(7.005 + 10 + 7.005)


def test_a_rotated_building_routes_like_an_unrotated_one() -> None:
    a, b = Point(5, 5), Point(15, 5)
    straight = _one(Router(ROOM, [COLUMN], clearance_m=0.1), a, b).length_m
    turn = 30.0

    def rot(g: Any) -> Any:
        return shapely.affinity.rotate(g, turn, origin=(0, 0))

    room, col = rot(ROOM), rot(COLUMN)
    assert axis_of(room) == pytest.approx(30.0)
    route = _one(Router(room, [col], clearance_m=0.1), rot(a), rot(b))
    assert route.length_m == pytest.approx(straight)
    assert route.line.within(room)


def test_trays_are_followed_at_a_discount() -> None:
    hall = box(0, 0, 30, 10)
    tray = LineString([(0, 2), (30, 2)])
    route = _one(
        Router(hall, [], [tray], clearance_m=0, tray_cost_factor=0.7), Point(1, 1), Point(29, 1)
    )
    assert route.tray_m == pytest.approx(28)
    assert route.length_m == pytest.approx(30)
    assert route.cost == pytest.approx(2 + 28 * 0.7)
    far = LineString([(0, 8), (30, 8)])  # 7 m up and down costs more than it saves
    plain = _one(
        Router(hall, [], [far], clearance_m=0, tray_cost_factor=0.7), Point(1, 1), Point(29, 1)
    )
    assert (plain.tray_m, plain.length_m) == (0, pytest.approx(28))


def test_terminals_in_the_clearance_join_by_a_stub() -> None:
    route = _one(Router(ROOM, [], clearance_m=0.1), Point(5, 0.02), Point(15, 5))
    assert route.line.coords[0] == pytest.approx((5, 0.02))
    assert route.length_m == pytest.approx(0.08 + 4.9 + 10)


def test_walled_in_target_has_no_route() -> None:
    pocket = LineString([(12, 2), (16, 2), (16, 6), (12, 6), (12, 2)])
    router = Router(ROOM, [pocket], clearance_m=0.1)
    assert router.route_all(Point(3, 3), [Point(14, 4), Point(18, 8)])[0] is None
    assert router.route_all(Point(3, 3), [Point(18, 8)])[0] is not None


# -- the extremitypathfinder fixtures (MIT, read from ../shared/realdata) ---------------------
def _fixture_free(env: dict[str, Any]) -> Any:
    b = env.get("boundary_derived", env.get("boundary"))
    holes = env["holes_derived"] if "holes_derived" in env else env["holes"]
    return Polygon(b).difference(shapely.union_all([Polygon(h) for h in holes]))


def _close(got: float | None, expected: float | None) -> bool:
    if expected is None or got is None:
        return got is expected
    return abs(got - expected) <= 1e-6 * max(1.0, expected)


@pytest.mark.realdata
def test_euclidean_reproduces_extremitypathfinder(realdata: Path) -> None:
    envs = json.loads((realdata / "extremitypathfinder-testcases" / "test_cases.json").read_text())[
        "environments"
    ]
    checked = 0
    for name, env in envs.items():
        free = _fixture_free(env)
        for case in env["test_cases"]:
            a, b = Point(case["start"]), Point(case["goal"])
            for s, g in ((a, b), (b, a)):  # upstream checks each case reversed too
                got = route_length(free, s, g, mode="euclidean")
                assert _close(got, case["expected_length"]), (name, case, got)
                checked += 1
    assert checked == 2 * 39
    unreachable = envs["separated_env"]["test_cases"][0]
    assert unreachable["expected_length"] is None


@pytest.mark.realdata
def test_rectilinear_reproduces_the_l1_oracle(realdata: Path) -> None:
    base = realdata / "extremitypathfinder-testcases"
    envs = json.loads((base / "test_cases.json").read_text())["environments"]
    oracle = json.loads((base / "l1_oracle.json").read_text())["environments"]
    checked = 0
    for name, cases in oracle.items():
        free = _fixture_free(envs[name])
        for case in cases:
            got = route_length(free, Point(case["start"]), Point(case["goal"]), mode="rectilinear")
            assert _close(got, case["l1"]), (name, case, got)
            eu = route_length(free, Point(case["start"]), Point(case["goal"]), mode="euclidean")
            assert _close(eu, case["euclidean"])
            checked += 1
    assert checked == 30


# -- invariants -----------------------------------------------------------------------------
def _mm(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Coordinates as drawn on real plans: whole millimetres."""
    return st.integers(round(lo * 1000), round(hi * 1000)).map(lambda v: v / 1000)


@st.composite
def garages(draw: st.DrawFn) -> tuple[Polygon, list[Polygon], Point, list[Point], float]:
    w = draw(_mm(12, 60))
    h = draw(_mm(8, 30))
    comp = box(0, 0, w, h)
    cols = []
    for _ in range(draw(st.integers(0, 12))):
        x, y = draw(_mm(0, w - 1)), draw(_mm(0, h - 1))
        s = draw(_mm(0.3, 1.2))
        cols.append(box(x, y, x + s, y + s))
    clearance = draw(st.sampled_from([0.0, 0.1, 0.25]))
    pts = [Point(draw(_mm(0, w)), draw(_mm(0, h))) for _ in range(4)]
    return comp, cols, pts[0], pts[1:], clearance


@given(garages())
def test_routes_stay_inside_and_clear_and_lengths_are_ordered(
    case: tuple[Polygon, list[Polygon], Point, list[Point], float],
) -> None:
    comp, cols, box_pt, chargers, clearance = case
    free = free_space(comp, cols, clearance_m=clearance)
    assume(free.covers(box_pt) and all(free.covers(p) for p in chargers))
    rect = Router(comp, cols, mode="rectilinear", clearance_m=clearance).route_all(box_pt, chargers)
    eucl = Router(comp, cols, mode="euclidean", clearance_m=clearance).route_all(box_pt, chargers)
    obstacles = shapely.union_all(cols) if cols else Polygon()
    # with zero clearance routes may run along edges; aligning corners of a plan's rounded
    # coordinates onto shared tracks may shift a run by up to ALIGN_M
    inside = obstacles.buffer(-ALIGN_M)
    for p, r, e in zip(chargers, rect, eucl, strict=True):
        assert (r is None) == (e is None)
        if r is None or e is None:
            continue
        for route in (r, e):
            assert Point(route.line.coords[0]).distance(box_pt) < 1e-6
            assert Point(route.line.coords[-1]).distance(p) < 1e-6
            assert route.line.difference(comp.buffer(1e-6)).length < 1e-6
            assert shapely.intersection(route.line, inside).length < 1e-6
            if clearance > 0 and cols:
                assert route.line.distance(obstacles) >= clearance - ALIGN_M
        straight = box_pt.distance(p)
        assert r.length_m >= e.length_m - 1e-6
        assert e.length_m >= straight - 1e-6


def test_a_corner_left_twice_by_alignment_is_still_a_corner() -> None:
    """Found by hypothesis: columns 1 mm apart were aligned onto one track, which left a
    vertex twice in a row in the free space; the any-angle search no longer saw that
    corner as one to bend round, and found no way through the 3 mm gap under the columns
    that the rectilinear search took. By hand: (0, 0.005) is aligned to (0, 0.006), then
    round the aligned corner (0.0035, 0.003) to (0.008, 0): 0.001 + 0.0046 + 0.0054 m."""
    comp = box(0, 0, 12, 8)
    cols = [box(0.003, 0.003, 0.303, 0.303), box(0, 0.006, 0.3, 0.306)]
    cols.append(box(0.004, 0.003, 0.304, 0.303))
    target = [Point(0.008, 0)]
    eucl = Router(comp, cols, mode="euclidean", clearance_m=0.0).route_all(Point(0, 0.005), target)
    rect = Router(comp, cols, mode="rectilinear", clearance_m=0.0).route_all(
        Point(0, 0.005), target
    )
    assert eucl[0] is not None
    assert rect[0] is not None
    assert round(eucl[0].length_m, 4) == 0.011
    assert round(rect[0].length_m, 4) == 0.015


@pytest.mark.parametrize("angle", range(1, 90, 4))
def test_chargers_on_one_line_of_a_turned_room_share_one_track(angle: int) -> None:
    """Found by hypothesis: two chargers at the same end of one stall row, turned into the
    axis frame, stood on tracks 1e-14 m apart (71 of 89 turns here), and which of the
    equally short ways the cables took changed with the drawing's origin. Terminals far
    from any corner are now put on the micrometre. By hand, in the room's own frame
    (20 x 10 m, clearance 0.1 m): tracks at x = 0.1, 5.3, 10.3, 15.1, 19.9 and
    y = 0.1, 2.7, 5.1, 7.9, 9.9, five each."""
    room = shapely.affinity.rotate(box(0, 0, 20, 10), angle, origin=(0, 0))
    drawn = [(10.3, 5.1), (5.3, 2.7), (5.3, 7.9), (15.1, 2.7)]
    terminals = [shapely.affinity.rotate(Point(p), angle, origin=(0, 0)) for p in drawn]
    graph, nodes = Router(room, [], clearance_m=0.1, axis_deg=float(angle)).graph(terminals)
    assert nodes[1, 0] == nodes[2, 0]
    assert nodes[1, 1] == nodes[3, 1]
    assert len(np.unique(graph.xy[:, 0])) == 5
    assert len(np.unique(graph.xy[:, 1])) == 5


def test_a_terminal_far_from_corners_is_put_on_the_micrometre_and_joined_by_its_stub() -> None:
    """Both ends far from any corner get nodes on the micrometre, (3.123457, 5.0) and
    (15.0, 5.0); the route runs through them exactly (routes sharing a node share its
    coordinates) and reaches the points as given by their stubs (0.3 µm)."""
    src, dst = Point(3.1234567891, 5.0000003), Point(15.0000004, 5.0000003)
    (route,) = Router(box(0, 0, 20, 10), [], clearance_m=0.1).route_all(src, [dst])
    assert route is not None
    assert list(route.line.coords) == [src.coords[0], (3.123457, 5.0), (15.0, 5.0), dst.coords[0]]
    assert route.length_m == pytest.approx(11.876543, abs=1e-6)


@pytest.mark.parametrize(("mode", "around"), [("euclidean", 0.96), ("rectilinear", 1.1)])
def test_a_terminal_in_a_sliver_alignment_would_close_stays_in_it(
    mode: RoutingMode, around: float
) -> None:
    """Found by hypothesis: a column 1 mm from the wall leaves a 1 mm sliver that
    alignment closes; the box in it was carried 0.3 m out, so the route from the box to
    itself came out 0.601 m long. Alignment is now refused and the exact free space kept.
    By hand: to itself 0; up the sliver 0.2; to (0.5, 0) over the column's top, any-angle
    0.3 + 0.3 + hypot(0.199, 0.3) = 0.96, along the axes 0.001 + 0.3 + 0.499 + 0.3 = 1.1."""
    comp = box(0, 0, 12, 8)
    cols = [box(0, 0.301, 0.3, 0.601), box(0.001, 0, 0.301, 0.3)]
    routes = Router(comp, cols, mode=mode, clearance_m=0.0).route_all(
        Point(0, 0), [Point(0, 0), Point(0, 0.2), Point(0.5, 0)]
    )
    lengths = [None if r is None else round(r.length_m, 4) for r in routes]
    assert lengths == [0.0, 0.2, around]


def test_a_charger_on_a_reflex_corner_does_not_stop_the_way_to_others() -> None:
    """Found by hypothesis: a charger snapped onto the corner of a column (zero clearance)
    was a dead end of the any-angle search, so the charger behind the column got no route."""
    comp, col = box(0, 0, 12, 8), box(0, 0, 0.3, 0.3)
    targets = [Point(0.3, 0), Point(0, 0.3), Point(0.299, 0.3)]
    for mode in ("rectilinear", "euclidean"):
        routes = Router(comp, [col], mode=mode, clearance_m=0.0).route_all(Point(0, 0.3), targets)
        assert [None if r is None else round(r.length_m, 3) for r in routes] == [0.6, 0.0, 0.301]


@given(garages())
# found at 10,000 examples: every terminal aligned onto the corner (0.1, 0.1), so the graph
# says 0 and the route is its two stubs, 0.002 + hypot(0.001, 0.002) = 0.00424 m
@example(
    (
        box(0, 0, 12, 8),
        [],
        Point(0.1, 0.102),
        [Point(0.1, 0.101), Point(0.101, 0.102), Point(0.1, 0.101)],
        0.1,
    )
)
def test_the_eager_visibility_graph_and_the_lazy_search_agree(
    case: tuple[Polygon, list[Polygon], Point, list[Point], float],
) -> None:
    """Issue 17 item 3: min-cable placement's whole visibility graph (Router.graph) and
    the routes' lazy search are built from one set-up; both give the same shortest
    lengths from the first terminal, also where a column stands between them."""
    import networkx as nx

    comp, cols, box_pt, chargers, clearance = case
    router = Router(comp, cols, mode="euclidean", clearance_m=clearance)
    assume(router.free.covers(box_pt) and all(router.free.covers(p) for p in chargers))
    routes = router.route_all(box_pt, chargers)
    found, nodes = router.graph([box_pt, *chargers])
    graph = found.to_networkx()
    far = nx.single_source_dijkstra_path_length(graph, tuple(nodes[0]), weight="length")
    for node, route in zip(nodes[1:], routes, strict=True):
        if route is None:
            assert tuple(node) not in far
            continue
        # the route adds its stubs to the terminals as drawn: each end aligned by up to
        # ALIGN_M in x and in y (the bound was 2 * ALIGN_M, one axis per end, and too tight)
        stubs = 2 * math.hypot(ALIGN_M, ALIGN_M)
        assert far[tuple(node)] == pytest.approx(route.length_m, abs=stubs + 1e-6)


# -- the free spans of the track lines: the scan over the rings against GEOS's cut ----------


def test_free_spans_of_a_square_with_a_hole() -> None:
    from planner.routing import _ring_edges, _spans

    free = box(0, 0, 10, 10).difference(box(4, 4, 6, 6))
    ys = np.array([5.0, 4.0, 6.0, 0.0, 10.0, 2.0])
    assert _spans(free, ys, axis=0, edges=_ring_edges(free)) == [
        [(0.0, 4.0), (6.0, 10.0)],  # through the hole
        [(0.0, 10.0)],  # along its lower edge: the edge is free (the space is closed)
        [(0.0, 10.0)],
        [(0.0, 10.0)],  # along the outline
        [(0.0, 10.0)],
        [(0.0, 10.0)],
    ]
    assert _spans(free, np.array([5.0, 11.0]), axis=1, edges=_ring_edges(free)) == [
        [(0.0, 4.0), (6.0, 10.0)],
        [],
    ]


def _positive(spans: list[list[tuple[float, float]]]) -> list[list[tuple[float, float]]]:
    return [[(a, b) for a, b in line if b > a] for line in spans]


@given(
    st.lists(
        st.tuples(st.integers(1, 38), st.integers(1, 28), st.integers(1, 6), st.integers(1, 6)),
        max_size=12,
    ),
    st.sampled_from([0.0, 7.5, 33.0]),
    st.booleans(),
)
def test_free_spans_are_what_geos_cuts(
    holes: list[tuple[int, int, int, int]], angle: float, roofed: bool
) -> None:
    """The scan gives GEOS's pieces (but for a point where the space only touches a line):
    exactly where every ring is axis-parallel, within a nanometre where an edge slants
    (each crossing of a slanted edge may differ from GEOS's in its last bit)."""
    from planner.routing import _pieces, _ring_edges, _spans

    outline = Polygon([(0, 0), (40, 0), (40, 30), *([(20, 36)] if roofed else []), (0, 30)])
    obstacles = shapely.union_all([box(x, y, x + w, y + h) for x, y, w, h in holes])
    free = shapely.affinity.rotate(outline.difference(obstacles), angle, origin=(0, 0))
    assume(not free.is_empty)
    vertices = shapely.get_coordinates(free)
    for axis in (0, 1):
        values = np.unique(vertices[:, 1 - axis])
        ours, geos = (
            _positive(_spans(free, values, axis=axis, edges=_ring_edges(free))),
            _positive(_pieces(free, values, axis=axis)),
        )
        if angle == 0.0 and not roofed:
            assert ours == geos
        else:
            assert [len(s) for s in ours] == [len(s) for s in geos]
            for mine, theirs in zip(ours, geos, strict=True):
                np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-9)


def test_free_spans_of_anything_but_polygons_are_cut_by_geos() -> None:
    from planner.routing import _ring_edges, _spans

    free = shapely.GeometryCollection([box(0, 0, 4, 4), LineString([(4, 2), (9, 2)])])
    assert _spans(free, np.array([2.0]), axis=0, edges=_ring_edges(free)) == [[(0.0, 9.0)]]
