"""Processes for the heavy parts of a package (layout sheets, owner papers' files).

Workers start from a fresh interpreter (``forkserver`` where there is one, else
``spawn``), never by forking a running planner: the desk runs in Streamlit's threads, and a
forked copy of a threaded process can hang on a lock another thread held. As with any
multiprocessing program, a script calling the planner with more than one worker keeps its
own work under ``if __name__ == "__main__":`` (a worker imports the main script as it
starts); ``planner`` and ``python -m planner`` do. The desk draws in one process for that
reason: Streamlit runs ``app.py`` as ``__main__``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from planner.errors import PlannerError

State = TypeVar("State")
Batch = TypeVar("Batch")
Result = TypeVar("Result")


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_pool(
    workers: int, *, initializer: Callable[..., None], initargs: tuple[object, ...]
) -> ProcessPoolExecutor:
    """A pool of ``workers`` fresh processes, each set up once by ``initializer``."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=initializer, initargs=initargs
    )


@contextlib.contextmanager
def in_order(
    work: Callable[[State, Batch], Result],
    state: State,
    batches: Sequence[Batch],
    *,
    workers: int,
) -> Iterator[Iterator[Result]]:
    """``work(state, batch)`` for every batch, the results in the batches' order. With one
    worker (or one batch) in this process, as the results are read; else on a pool of fresh
    processes, each given ``state`` once (pickled), all batches submitted before the
    iterator is yielded, so the caller may do other work first. Leaving early cancels the
    batches not begun. ``work`` must be a module-level function."""
    workers = min(workers, len(batches))
    if workers <= 1:
        yield (work(state, b) for b in batches)
        return
    data = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    with worker_pool(workers, initializer=_keep, initargs=(data,)) as pool:
        futures = [pool.submit(_run, work, b) for b in batches]
        try:
            yield _results(futures)
        finally:  # stopped early (an error, the time budget): start no more
            for f in futures:
                f.cancel()


def _results(futures: Sequence[Future[Result]]) -> Iterator[Result]:
    for f in futures:
        try:
            yield f.result()
        except BrokenProcessPool:
            raise PlannerError(
                "a worker process stopped before it finished (the machine may have run out "
                "of memory); nothing was written. Fix: run again with fewer workers "
                "(--workers 1 draws everything in one process)."
            ) from None


_STATE: list[Any] = []
"""What a worker process was given by :func:`in_order` (set once, as it starts)."""


def _keep(data: bytes) -> None:
    _STATE[:] = [pickle.loads(data)]  # the parent's own state, pickled by it


def _run(work: Callable[[Any, Batch], Result], batch: Batch) -> Result:
    return work(_STATE[0], batch)
