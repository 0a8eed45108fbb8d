"""How each cable is laid (E3): segments, sharing and methods on hand-drawn routes."""

from __future__ import annotations

import math
from typing import Any

import pytest
from shapely.geometry import LineString

from planner.installation import cable_segments
from planner.rules import Rules
from planner.trunk import noded_routes

RULES = Rules()


def _laid(segs: list[Any]) -> list[tuple[float, str, int]]:
    return [(round(s.length_m, 2), s.method, s.cables) for s in segs]


def test_three_share_a_run_and_two_branch_off() -> None:
    """A hand-drawn garage: three cables leave the box along one aisle; the first branches
    off after 10 m, the second after 20 m."""
    lines = [
        LineString([(0, 0), (10, 0), (10, 5)]),
        LineString([(0, 0), (20, 0), (20, 5)]),
        LineString([(0, 0), (30, 0), (30, 5)]),
    ]
    segs = cable_segments(lines, rules=RULES)
    assert _laid(segs[0]) == [(10.0, "B2", 3), (5.0, "B2", 1)]
    assert _laid(segs[1]) == [(10.0, "B2", 3), (10.0, "B2", 2), (5.0, "B2", 1)]
    assert _laid(segs[2]) == [(10.0, "B2", 3), (10.0, "B2", 2), (15.0, "B2", 1)]
    assert {s.factor() for s in segs[2]} == {0.70, 0.80, 1.0}


@pytest.mark.parametrize(("offset", "shared"), [(0.03, True), (0.049, True), (0.06, False)])
def test_runs_within_five_centimetres_share(offset: float, shared: bool) -> None:
    lines = [LineString([(0, 0), (10, 0)]), LineString([(0, offset), (10, offset)])]
    segs = cable_segments(lines, rules=RULES)
    assert segs[0][0].cables == (2 if shared else 1)


def test_a_shared_stretch_under_a_metre_does_not_count() -> None:
    lines = [
        LineString([(0, 0), (0.8, 0), (0.8, 5)]),
        LineString([(0, 0), (0.8, 0), (0.8, -5)]),
    ]
    segs = cable_segments(lines, rules=RULES)
    assert all(s.cables == 1 for s in segs[0] + segs[1])


def test_more_than_four_cables_are_on_a_tray() -> None:
    lines = [LineString([(0, 0), (12, 0), (12, 2 + k)]) for k in range(5)]
    segs = cable_segments(lines, rules=RULES)
    assert segs[0][0].method == "E"
    assert segs[0][0].cables == 5
    assert segs[0][0].factor() == 0.75  # B.52.17 row 4
    bunched = cable_segments(lines, rules=RULES.with_overrides(["tray_from_cables=5"]))
    assert (bunched[0][0].method, bunched[0][0].factor()) == ("B2", 0.60)  # row 1


def test_an_existing_tray_is_method_e() -> None:
    tray = LineString([(5, -0.02), (15, -0.02)])
    (segs,) = cable_segments([LineString([(0, 0), (20, 0)])], rules=RULES, trays=[tray])
    assert _laid(segs) == [(5.0, "B2", 1), (10.0, "E", 1), (5.0, "B2", 1)]
    assert segs[1].existing_tray


def test_lengths_add_up_to_the_route() -> None:
    lines = [
        LineString([(0, 0), (7, 0), (7, 3), (9, 3)]),
        LineString([(0, 0), (7, 0), (7, -4)]),
        LineString([(0, 0), (0, 6)]),
    ]
    for line, segs in zip(lines, cable_segments(lines, rules=RULES), strict=True):
        assert sum(s.length_m for s in segs) == pytest.approx(line.length)


def test_crossing_a_tray_is_not_laying_on_it() -> None:
    tray = LineString([(5, -5), (5, 5)])
    (segs,) = cable_segments([LineString([(0, 0), (10, 0)])], rules=RULES, trays=[tray])
    assert {s.method for s in segs} == {"B2"}
    assert sum(s.length_m for s in segs) == pytest.approx(10)


def test_short_shared_ends_of_two_routes_do_not_add_up() -> None:
    """The routes are measured all at once: the last 0.6 m of one route and the first
    0.6 m of the next both lie on a third, and are two short stretches, not one of 1.2 m."""
    lines = [
        LineString([(0, 0), (10, 0)]),
        LineString([(20, 0), (30, 0)]),
        LineString([(9.4, 0), (20.6, 0)]),
    ]
    segs = cable_segments(lines, rules=RULES)
    assert [_laid(s) for s in segs] == [[(10.0, "B2", 1)], [(10.0, "B2", 1)], [(11.2, "B2", 1)]]


def test_routes_a_float_step_apart_are_one_stretch_counted_once() -> None:
    """Sample c's box, a turned plan: two routes leave it along the same 1.65 m of track,
    their vertices a float step apart (1e-14 m). They are one stretch of two cables,
    counted once in each route, whose segments add up to the route (they added up to
    1.65 m more, the shared stretch twice, and charged it as tray twice)."""
    x0, y0 = 381.9341608672223, 157.4897407538528
    lines = [
        LineString([(x0, y0), (383.36250392490206, 158.31439624764403), (415.75, 177.01)]),
        LineString(
            [
                (x0 + 1.4e-14, y0 + 2.8e-14),
                (383.36250392490206, 158.31439624764403),
                (391.41, 144.37),
            ]
        ),
    ]
    for line, segs in zip(lines, cable_segments(lines, rules=RULES), strict=True):
        assert sum(s.length_m for s in segs) == pytest.approx(line.length, abs=1e-5)
        assert segs[0].cables == 2
        assert segs[0].length_m == pytest.approx(math.dist((x0, y0), line.coords[1]), abs=1e-5)
        assert [s.cables for s in segs[1:]] == [1]


def test_the_noding_a_caller_hands_over_is_the_one_made_here() -> None:
    """The plan nodes a compartment's routes once for its tray and its circuits
    (``trunk.noded_routes``): handed over, the segments are those made without it, on a
    plan turned 30 degrees with an existing tray along the shared aisle."""
    turn = math.radians(30)

    def turned(*xy: tuple[float, float]) -> LineString:
        c, s = math.cos(turn), math.sin(turn)
        return LineString([(x * c - y * s, x * s + y * c) for x, y in xy])

    lines = [
        turned((0, 0), (10, 0), (10, 5)),
        turned((0, 0), (20, 0), (20, -5)),
        turned((0, 0), (30, 0), (30, 5)),
    ]
    tray = [turned((12, 0), (25, 0))]
    made = cable_segments(lines, rules=RULES, trays=tray, angle_deg=30)
    given = cable_segments(
        lines, rules=RULES, trays=tray, angle_deg=30, noded=noded_routes(lines, 30)
    )
    assert [_laid(s) for s in given] == [_laid(s) for s in made]
    # the last cable: three share 10 m, two 2 m more, then the tray's 13 m (E), then alone
    assert _laid(made[2]) == [
        (10.0, "B2", 3),
        (2.0, "B2", 2),
        (8.0, "E", 2),
        (5.0, "E", 1),
        (10.0, "B2", 1),
    ]
