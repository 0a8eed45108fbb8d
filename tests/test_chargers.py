"""The vectorised charger derivation gives exactly the stall-by-stall answer (R15)."""

from __future__ import annotations

import math

import numpy as np
import shapely
import shapely.affinity
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from planner.chargers import derived_charger, derived_chargers
from tests.conftest import examples


def _one_by_one(
    space: Polygon, structures: BaseGeometry, neighbours: BaseGeometry, offset_m: float
) -> Point:
    """R15 as first written, one stall at a time: the reference. Distances rounded to the
    centimetre a nanometre up; of two ends alike, the lower (then the left) one."""
    c = shapely.get_coordinates(space.minimum_rotated_rectangle)[:4]  # its exterior ring
    edges = [(c[i], c[(i + 1) % 4]) for i in range(4)]
    lengths = [float(np.hypot(*(b - a))) for a, b in edges]
    short = sorted(range(4), key=lambda i: lengths[i])[:2]
    centre = np.asarray(space.centroid.coords[0])
    best = None
    for i in short:
        a, b = edges[i]
        mid = Point((a + b) / 2)
        d = round(mid.distance(structures) + 1e-9, 2) if not structures.is_empty else math.inf
        backs = 0 if (not neighbours.is_empty and mid.distance(neighbours) < 0.05) else 1
        inward = centre - np.asarray(mid.coords[0])
        norm = float(np.hypot(*inward))
        point = mid if norm == 0 else Point(mid.coords[0] + inward / norm * min(offset_m, norm))
        here = (d, backs, round(mid.y, 6), round(mid.x, 6))
        if best is None or here < best[0]:
            best = (here, point)
    assert best is not None
    return best[1]


# corners on the millimetre (a drawing's precision): a corner at 1.6e-206 m made GEOS's
# distance divide by a subnormal (a RuntimeWarning, here an error), no garage's question
_MM = st.integers(-50_000, 50_000).map(lambda v: v / 1000)
stalls = st.lists(
    st.tuples(
        _MM,
        _MM,
        st.floats(2.0, 3.0),
        st.floats(4.5, 6.0),
        st.floats(0, 180),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=examples(60), deadline=None)
@given(stalls, st.booleans(), st.booleans())
def test_many_at_once_equal_one_by_one(
    specs: list[tuple[float, float, float, float, float]], walls: bool, rows: bool
) -> None:
    spaces = [
        shapely.affinity.rotate(box(x, y, x + w, y + d), a, origin=(x, y))
        for x, y, w, d, a in specs
    ]
    structures = (
        shapely.union_all([LineString([(-60, -60), (60, -60)]), box(-1, -1, 1, 1)])
        if walls
        else Polygon()
    )
    neighbours = shapely.union_all(spaces[::2]) if rows else Polygon()
    got = derived_chargers(spaces, structures=structures, neighbours=neighbours, offset_m=0.4)
    want = [_one_by_one(sp, structures, neighbours, 0.4) for sp in spaces]
    assert [p.coords[0] for p in got] == [p.coords[0] for p in want]


def test_a_stall_against_a_wall_gets_its_charger_at_the_back() -> None:
    stall = box(0, 0, 2.5, 5.0)  # the wall runs along y = 5.3, behind the stall
    wall = LineString([(-10, 5.3), (10, 5.3)])
    p = derived_charger(stall, structures=wall, neighbours=Polygon(), offset_m=0.4)
    assert (round(p.x, 6), round(p.y, 6)) == (1.25, 4.6)


@settings(max_examples=examples(40), deadline=None)
@given(stalls, st.integers(1, 4))
def test_spaces_assigned_at_once_as_one_by_one(
    specs: list[tuple[float, float, float, float, float]], cuts: int
) -> None:
    """R6 for a level's spaces at once gives each the compartment found one by one."""
    from planner.chargers import compartment_of, compartments_of
    from planner.site import Compartment, Space

    spaces = [
        Space(
            id=f"S{k}",
            level="B1",
            polygon=shapely.affinity.rotate(box(x, y, x + w, y + d), a, origin=(x, y)),
        )
        for k, (x, y, w, d, a) in enumerate(specs)
    ]
    step = 120 / cuts
    comps = [
        Compartment(
            id=f"FQ{k}", level="B1", polygon=box(-60 + k * step, -60, -60 + (k + 1) * step, 60)
        )
        for k in range(cuts)
    ]
    assert compartments_of(spaces, comps) == [compartment_of(sp, comps) for sp in spaces]


def test_of_two_ends_alike_the_one_towards_the_box_is_taken() -> None:
    """A stall between two rows (both ends back onto a stall, a column as far from each):
    the end nearer the compartment's centroid, where its box hangs; with none given, the
    lower end."""
    stall = box(0, 0, 2.5, 5.0)
    rows = shapely.union_all([box(0, -5.0, 2.5, 0), box(0, 5.0, 2.5, 10.0)])
    column = shapely.union_all([box(4.0, -0.5, 4.5, 0.5), box(4.0, 4.5, 4.5, 5.5)])

    def charger(towards: Point | None) -> Point:
        return derived_charger(
            stall, structures=column, neighbours=rows, offset_m=0.4, towards=towards
        )

    up, down, either = charger(Point(1.25, 30.0)), charger(Point(1.25, -30.0)), charger(None)
    assert (round(up.x, 6), round(up.y, 6)) == (1.25, 4.6)
    assert (round(down.x, 6), round(down.y, 6)) == (1.25, 0.4)
    assert (round(either.x, 6), round(either.y, 6)) == (1.25, 0.4)
