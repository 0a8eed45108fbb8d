"""The worker pools: results in order, and a worker that dies is a message, not a
traceback."""

from __future__ import annotations

import os
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from planner.errors import PlannerError
from planner.workers import in_order
from tests.conftest import kill_children_since


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
        in_order(_dies, 0, [1, 2], workers=2, helping=False) as results,
    ):
        list(results)


def _main_seen(state: int, batch: int) -> str:
    return str(getattr(sys.modules.get("__mp_main__"), "__file__", ""))


@pytest.fixture
def app_as_main(tmp_path: Path) -> Iterator[tuple[types.ModuleType, Path]]:
    """As under Streamlit, which installs app.py as ``__main__``: a process importing it
    would run the whole app again; this one only leaves a file (``ran``) when it is run.
    Yields the module and that file's path; the real ``__main__`` comes back after."""
    marker = tmp_path / "ran"
    script = tmp_path / "app.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    app = types.ModuleType("__main__")
    app.__file__ = str(script)
    before = sys.modules["__main__"]
    sys.modules["__main__"] = app
    try:
        yield app, marker
    finally:
        sys.modules["__main__"] = before


def test_workers_never_run_the_main_script(app_as_main: tuple[types.ModuleType, Path]) -> None:
    app, marker = app_as_main
    with in_order(_main_seen, 0, [1, 2, 3], workers=2) as results:
        seen = list(results)
    assert sys.modules["__main__"] is app  # given back to its owner
    assert not marker.exists()
    assert str(app.__file__) not in seen


def _whose(state: int, batch: int) -> int:
    import time

    time.sleep(0.05)
    return os.getpid()


def test_the_parent_does_the_batches_still_waiting() -> None:
    # three workers: this process and a pool of two, which hold three batches (one each
    # and one queued); the parent, once it reads the results, takes the waiting ones from
    # the last back
    with in_order(_whose, 0, list(range(12)), workers=3) as results:
        pids = list(results)
    assert pids[-1] == os.getpid()
    assert pids[0] != os.getpid()


def test_the_parent_can_leave_every_batch_to_the_workers() -> None:
    with in_order(_whose, 0, list(range(12)), workers=2, helping=False) as results:
        pids = list(results)
    assert os.getpid() not in pids
    assert len(set(pids)) <= 2  # the pool is the two workers (fewer than REPLACE_FROM)


def test_the_forkserver_preload_freezes_what_it_loads() -> None:
    # in a fresh process, as the forkserver imports it: the workers' modules are loaded and
    # the collector frozen over them, so forked workers share those pages
    import subprocess

    code = (
        "import gc, sys; import planner._preload;"
        "print(gc.get_freeze_count() > 10_000, 'planner.layouts' in sys.modules,"
        " 'planner.papers' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["True", "True", "True"]


def test_with_many_batches_the_parent_stands_in_for_a_worker() -> None:
    from planner.workers import REPLACE_FROM

    with in_order(_whose, 0, list(range(REPLACE_FROM + 4)), workers=2) as results:
        pids = set(results)
    assert os.getpid() in pids
    assert len(pids - {os.getpid()}) == 1  # a pool of one


def test_hiding_the_main_script_puts_back_what_was_there() -> None:
    from planner.workers import main_script_hidden

    before = sys.modules["__main__"]
    with main_script_hidden():
        assert sys.modules["__main__"] is not before
        assert getattr(sys.modules["__main__"], "__file__", None) is None
    assert sys.modules["__main__"] is before
    del sys.modules["__main__"]
    try:
        with main_script_hidden():
            pass
        assert "__main__" not in sys.modules  # none before, none after
    finally:
        sys.modules["__main__"] = before


def _parent(state: int, batch: int) -> int:
    return os.getppid()


def test_the_forkserver_started_early_serves_the_pool_and_skips_the_main_script(
    app_as_main: tuple[types.ModuleType, Path],
) -> None:
    """start_early (what the command calls before planning a package) leaves a forkserver
    running, which never runs the main script, and the pool's workers are its children."""
    import multiprocessing.forkserver

    from planner.workers import start_early

    _, marker = app_as_main
    start_early()
    server = multiprocessing.forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    assert server is not None
    os.kill(server, 0)  # running
    with in_order(_parent, 0, [1, 2, 3], workers=2, helping=False) as results:
        parents = set(results)
    assert parents == {server}
    assert not marker.exists()


def test_two_threads_hiding_the_main_script_leave_it_in_place() -> None:
    """Two desk sessions starting workers at once, the first finishing first: the second
    waits for the first, so neither keeps the other's bare module as the main script, and
    the real one is back after both (without the turn-taking a bare one stayed)."""
    import threading
    import time

    from planner.workers import main_script_hidden

    original = sys.modules["__main__"]
    a_in, b_trying, a_out = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with main_script_hidden():
            a_in.set()
            b_trying.wait(5)
            time.sleep(0.1)  # the second is at the door (or, unguarded, inside) meanwhile
        a_out.set()

    def second() -> None:
        a_in.wait(5)
        b_trying.set()
        with main_script_hidden():
            a_out.wait(5)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(10)
    assert sys.modules["__main__"] is original


def _zeros(n: int) -> bytes:
    return bytes(n)


def test_a_result_comes_back_whole_through_a_file_and_leaves_none(tmp_path: Path) -> None:
    from planner.workers import spooled, unspooled

    path = spooled(str(tmp_path), _zeros, 20_000_000)
    assert len(path.encode()) < 512  # what the pool's pipe carries: one short write
    assert unspooled(path) == bytes(20_000_000)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(PlannerError, match="set TMPDIR to a folder with room"):
        spooled(str(tmp_path / "gone"), _zeros, 10)  # as a full or vanished folder


def _large(state: int, batch: int) -> bytes:
    if batch >= 4:  # still at work when the workers are killed, whatever the machine's pace
        time.sleep(30)
    return bytes(state)  # the worker spends most of its time handing it over


def _killing_after_two(results: Iterator[bytes], before: set[int | None]) -> None:
    """Read ``results``; after the second, kill the workers started since ``before``
    (they are handing over the third and fourth, or at work on the fifth and sixth: on a
    quick machine they had handed over all twelve before the kill, and the pool never
    broke)."""
    for seen, _ in enumerate(results, 1):
        if seen == 2:
            kill_children_since(before)


@pytest.mark.timeout(120)  # a hang is this test's failure
def test_workers_killed_while_handing_over_large_results_never_hang() -> None:
    # large results through the pool's pipe hung nearly every try: a worker killed mid-send
    # left half a message that concurrent.futures waited on for ever
    import multiprocessing

    for _ in range(5):  # a forkserver's pool starts in half a second
        before = {c.pid for c in multiprocessing.active_children()}
        with (
            pytest.raises(PlannerError, match="fewer workers"),
            in_order(_large, 20_000_000, list(range(12)), workers=2, helping=False) as results,
        ):
            _killing_after_two(results, before)
