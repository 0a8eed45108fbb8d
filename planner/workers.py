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

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor


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
