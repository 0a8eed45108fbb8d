"""The worker pools: results in order, and a worker that dies is a message, not a
traceback."""

from __future__ import annotations

import os

import pytest

from planner.errors import PlannerError
from planner.workers import in_order


def _scaled(state: int, batch: int) -> int:
    return state * batch


def _dies(state: int, batch: int) -> int:
    os._exit(1)  # as the kernel's out-of-memory killer ends a process


def test_results_come_in_the_batches_order() -> None:
    for workers in (1, 2):
        with in_order(_scaled, 3, [4, 1, 3, 2], workers=workers) as results:
            assert list(results) == [12, 3, 9, 6]


def test_a_worker_that_dies_says_what_to_do() -> None:
    with (
        pytest.raises(PlannerError, match="--workers 1"),
        in_order(_dies, 0, [1, 2], workers=2) as results,
    ):
        list(results)
