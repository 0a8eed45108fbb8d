"""Meter box placement (R5): domain.md worked example 7 and the options."""

from __future__ import annotations

import pytest
import shapely
import shapely.affinity
from shapely.geometry import Point, Polygon, box

from planner.placement import centre_site, centroid_site, mount_faces, nearest_face_point
from planner.routing import free_space
from planner.site import Obstacle


def _l_shape() -> Polygon:
    shape = shapely.union_all([box(0, 0, 40, 20), box(0, 20, 12, 60)])
    assert isinstance(shape, Polygon)
    return shape


L_SHAPE = _l_shape()


def test_example_7_l_shape_centroid_outside() -> None:
    c = L_SHAPE.centroid
    assert (c.x, c.y) == pytest.approx((14.75, 21.25))
    at_zero = centroid_site(L_SHAPE, free_space(L_SHAPE, [], clearance_m=0))
    assert at_zero is not None
    assert at_zero.placement == "interior_point"
    assert (at_zero.point.x, at_zero.point.y) == pytest.approx((14.75, 20.0))
    assert at_zero.offset_m == pytest.approx(1.25)
    with_clearance = centroid_site(L_SHAPE, free_space(L_SHAPE, [], clearance_m=0.1))
    assert with_clearance is not None
    assert (with_clearance.point.x, with_clearance.point.y) == pytest.approx((14.75, 19.9))


def test_centroid_inside_a_shaft_moves_to_the_nearest_free_point() -> None:
    comp = box(0, 0, 40, 20)
    shaft = box(18, 8, 23, 14)  # centroid (20, 10) inside; nearest free side is y = 8 - 0.1
    site = centroid_site(comp, free_space(comp, [shaft], clearance_m=0.1))
    assert site is not None
    assert site.placement == "interior_point"
    assert (site.point.x, site.point.y) == pytest.approx((20.0, 7.9))


def test_valid_centroid_stays() -> None:
    comp = box(0, 0, 40, 20)
    site = centroid_site(comp, free_space(comp, [box(0, 0, 1, 1)], clearance_m=0.1))
    assert site is not None
    assert (site.placement, site.offset_m) == ("centroid", 0.0)
    assert site.point.equals(Point(20, 10))


def test_centre_mounts_on_the_column_face_nearest_the_centroid() -> None:
    """R5 ``centre`` (formerly the ``column`` option, now the default and its alias): the
    nearest structure face, at the clearance from it."""
    comp = box(0, 0, 40, 20)
    cols = [
        Obstacle(level="B1", type="column", geometry=box(21.7, 9.7, 22.3, 10.3), id="Z1"),
        Obstacle(level="B1", type="column", geometry=box(5, 5, 5.6, 5.6), id="Z2"),
    ]
    free = free_space(comp, [c.geometry for c in cols], clearance_m=0.1)
    mounts = mount_faces(comp, free, cols, [], clearance_m=0.1, box_depth_m=0.2)
    site = centre_site(comp, free, mounts)
    assert site is not None
    assert (site.placement, site.mount, site.mount_type) == ("centre", "Z1", "column")
    assert (site.point.x, site.point.y) == pytest.approx((21.6, 10.0))
    assert site.offset_m == pytest.approx(1.6)


def test_centre_skips_a_face_that_touches_a_stall() -> None:
    """A stall right beside the column's west face: the box goes to another face."""
    comp = box(0, 0, 40, 20)
    col = Obstacle(level="B1", type="column", geometry=box(21.7, 9.7, 22.3, 10.3), id="Z1")
    stall = box(19.2, 8.0, 21.7, 13.3)
    free = free_space(comp, [col.geometry], clearance_m=0.1)
    mounts = mount_faces(comp, free, [col], [stall], clearance_m=0.1, box_depth_m=0.2)
    site = centre_site(comp, free, mounts)
    assert site is not None
    assert site.mount == "Z1"
    assert site.point.distance(stall) > 0.2
    assert not site.fallback
    assert site.point.y == pytest.approx(9.6) or site.point.y == pytest.approx(10.4)


def test_centre_falls_back_to_the_compartment_wall() -> None:
    """No structure inside: the box hangs on the compartment's own boundary wall."""
    comp = box(0, 0, 40, 20)
    free = free_space(comp, [], clearance_m=0.1)
    site = centre_site(
        comp, free, mount_faces(comp, free, [], [], clearance_m=0.1, box_depth_m=0.2)
    )
    assert site is not None
    assert (site.mount, site.mount_type) == (None, "boundary")
    assert site.point.distance(Point(20, 10)) == pytest.approx(9.9)


def test_a_centroid_walled_into_a_pocket_puts_the_box_on_the_main_floor() -> None:
    """Issue 11 item 7: walls ring the centroid in a small pocket cut off from the stalls;
    the box goes to the largest free area, from which every cable can start."""
    comp = box(0, 0, 40, 20)
    ring = box(18, 8, 22, 12).exterior  # a closed wall around the centre
    walls = [Obstacle(level="B1", type="wall", geometry=ring, id="W1")]
    free = free_space(comp, [ring], clearance_m=0.1)
    mounts = mount_faces(comp, free, walls, [], clearance_m=0.1, box_depth_m=0.2)
    for site in (centre_site(comp, free, mounts), centroid_site(comp, free)):
        assert site is not None
        assert not box(18, 8, 22, 12).contains(site.point)
        biggest = max(shapely.get_parts(free), key=lambda g: g.area)
        assert biggest.buffer(1e-6).covers(site.point)


@pytest.mark.parametrize("shift", [0.0, 1e3, -7.3e5])
def test_of_equally_near_faces_the_first_in_the_garage_axes_is_taken(shift: float) -> None:
    """A column's two faces 1 m either side of the centre: the lower one (the garage's y
    axis first), wherever the garage is drawn; 1 mm nearer wins outright."""
    centre = Point(shift + 5.0, shift + 5.0)
    faces = shapely.MultiLineString(
        [
            [(shift + 4.0, shift + 6.0), (shift + 6.0, shift + 6.0)],  # above
            [(shift + 4.0, shift + 4.0), (shift + 6.0, shift + 4.0)],  # below
        ]
    )
    q = nearest_face_point(faces, centre)
    assert (q.x - shift, q.y - shift) == pytest.approx((5.0, 4.0), abs=1e-9)
    # the same axes named a quarter turn on: the same face
    q90 = nearest_face_point(faces, centre, axis_deg=90.0)
    assert (q90.x - shift, q90.y - shift) == pytest.approx((5.0, 4.0), abs=1e-9)
    above, below = list(faces.geoms)
    nearer = shapely.MultiLineString([above, shapely.affinity.translate(below, 0, -0.002)])
    q = nearest_face_point(nearer, centre)
    assert (q.x - shift, q.y - shift) == pytest.approx((5.0, 6.0), abs=1e-9)


def test_faces_of_lines_and_lone_points_and_multi_lines_are_all_measured() -> None:
    """What an overlay gives: a collection of a multi-line and a point. The two lines of
    the multi-line are not joined into a segment between them (which would pass 0.5 m
    from the centre), and the lone point, nearest, is taken."""
    centre = Point(0.0, 0.0)
    faces = shapely.GeometryCollection(
        [
            shapely.MultiLineString([[(-5, -3), (-1, -3)], [(1, 3), (5, 3)]]),
            Point(2.0, 0.0),
        ]
    )
    q = nearest_face_point(faces, centre)
    assert (q.x, q.y) == pytest.approx((2.0, 0.0))
    only_lines = shapely.MultiLineString([[(-5, -3), (-1, -3)], [(1, 3), (5, 3)]])
    q = nearest_face_point(only_lines, centre)  # (-1, -3) and (1, 3) tie: the lower
    assert (q.x, q.y) == pytest.approx((-1.0, -3.0))
