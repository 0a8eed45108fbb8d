"""Synthetic basements: the module geometry, checked by hand."""

from __future__ import annotations

import pytest
import shapely

from planner.synthetic import Block, cut_compartments, simple_garage


def test_block_dimensions_and_counts() -> None:
    b = Block(bays=2, strips=1)
    assert b.width_m == pytest.approx(6 + 2 * 8.1 + 0.3)
    assert b.height_m == pytest.approx(16.6)
    assert len(b.stalls()) == 2 * 2 * 3
    assert len(b.columns()) == 3 * 2
    first = b.stalls()[0]
    assert first.bounds == pytest.approx((6.3, 0.0, 8.8, 5.3))


def test_columns_never_overlap_stalls_and_stalls_never_overlap() -> None:
    b = Block(bays=3, strips=2)
    stalls = shapely.union_all(b.stalls())
    assert stalls.area == pytest.approx(len(b.stalls()) * 2.5 * 5.3)
    for col in b.columns():
        assert col.intersection(stalls).area == pytest.approx(0.0)


def test_cores_and_rooms_replace_stall_groups() -> None:
    b = Block(bays=3, strips=2, cores=((1, 0, 1), (1, 1, 0)), rooms=((0, 0, 0),))
    assert len(b.stalls()) == 3 * 2 * 2 * 3 - 9
    (core,) = b.core_boxes()  # the two groups meet back to back: one shaft
    assert core.area == pytest.approx(7.5 * 10.6)
    assert len(b.room_boxes()) == 1


def test_cut_compartments_tile_the_outline() -> None:
    b = Block(bays=4, strips=2)
    cells = cut_compartments(b.outline, xs=[b.column_x(2)], ys=[b.strip_y(1)])
    assert len(cells) == 4
    assert sum(c.area for c in cells) == pytest.approx(b.outline.area)


def test_simple_garage_feature_counts() -> None:
    feats = simple_garage(bays=2, strips=1, cuts=[1])
    kinds = [f["properties"]["kind"] for f in feats]
    assert kinds.count("compartment") == 2
    assert kinds.count("space") == 12
    assert kinds.count("level") == 1
