"""Processes for the heavy parts of a package (layout sheets, owner papers).

Workers start from a fresh interpreter (``forkserver`` where there is one, else
``spawn``), never by forking a running planner: the desk runs in Streamlit's threads, and a
forked copy of a threaded process can hang on a lock another thread held. The forkserver
imports the drawing modules once, so each later worker starts with them loaded.

A worker never runs the main script. multiprocessing would have each new process import
it first (as ``__mp_main__``), which is why plain multiprocessing programs need ``if
__name__ == "__main__":``; here the work and its state are the planner's own, so the
script is hidden from the workers as they start. That is what lets the desk use workers:
Streamlit runs ``app.py`` as ``__main__``, and every worker would otherwise run the whole
app again before drawing a sheet.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.forkserver
import os
import pickle
import sys
import tempfile
import threading
import types
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar, cast

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


PRELOAD = ("planner._preload",)
"""What the forkserver imports once (matplotlib, fpdf2, the CJK font's metrics code, then
the garbage collector frozen over them: :mod:`planner._preload`), so a worker forked from
it starts drawing at once and shares those pages; the forkserver itself runs no threads."""


_HIDING = threading.RLock()
"""One thread at a time hides the main script: two desk sessions starting workers at once
would otherwise each keep the other's bare module as "the" main script, and the last to
finish would leave a bare ``__main__`` behind."""


@contextlib.contextmanager
def main_script_hidden() -> Iterator[None]:
    """While processes are started: ``sys.modules["__main__"]`` is a bare module, with no
    file and no spec, so multiprocessing gives new processes no main script to import.
    Restored afterwards unless another thread replaced it meanwhile (Streamlit installs
    each run's script as ``__main__``; that one is then kept). Threads take turns."""
    with _HIDING:
        main = sys.modules.get("__main__")
        bare = types.ModuleType("__main__")
        sys.modules["__main__"] = bare
        try:
            yield
        finally:
            if sys.modules.get("__main__") is bare:
                if main is None:
                    del sys.modules["__main__"]
                else:
                    sys.modules["__main__"] = main


def _context() -> multiprocessing.context.BaseContext:
    """How workers start: from the forkserver, which imports :data:`PRELOAD` once, where
    there is one; else each from a fresh interpreter (``spawn``)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    server = multiprocessing.get_context("forkserver")
    server.set_forkserver_preload(list(PRELOAD))
    return server


def worker_pool(
    workers: int, *, initializer: Callable[..., None], initargs: tuple[object, ...]
) -> ProcessPoolExecutor:
    """A pool of ``workers`` fresh processes, each set up once by ``initializer``."""
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=_context(), initializer=initializer, initargs=initargs
    )


def start_early() -> None:
    """Start the forkserver now, with its imports (:data:`PRELOAD`, about a second), in
    the background: the first pool forks its workers from it at once. The command calls
    this before it reads and plans a site whose package uses workers, so those imports run
    on another core meanwhile instead of after the plan, on the package's own time. Where
    there is no forkserver (``spawn``), each worker imports for itself, as before."""
    if _context().get_start_method() != "forkserver":
        return
    with main_script_hidden():  # the forkserver would import the main script as well
        multiprocessing.forkserver.ensure_running()


REPLACE_FROM = 16
"""Batches from which a helping caller stands in for one of the workers (the layout sheets
of a 5,000-stall basement are 25 batches, Zurich's L-1 7)."""


@contextlib.contextmanager
def in_order(
    work: Callable[[State, Batch], Result],
    state: State,
    batches: Sequence[Batch],
    *,
    workers: int,
    helping: bool = True,
) -> Iterator[Iterator[Result]]:
    """``work(state, batch)`` for every batch, the results in the batches' order, by
    ``workers`` processes. With one (or one batch) in this process, as the results are
    read; else on a pool of fresh processes, each given ``state`` once (pickled), all
    batches submitted before the iterator is yielded, so the caller may do other work
    first. ``helping``: reading the results, this process does the batches still waiting
    itself, and from ``REPLACE_FROM`` batches on it counts as one of the ``workers`` (the
    pool has one fewer). Not helping where that would hold a second copy of a large state
    in memory.
    Leaving early cancels the batches not begun. ``work`` must be a module-level
    function."""
    workers = min(workers, len(batches))
    if workers <= 1:
        yield (work(state, b) for b in batches)
        return
    # helping with many batches, one process fewer: this one has its own work first, then
    # takes batches, so the cores stay as busy with one copy of the state and the drawing
    # libraries less (230 MB a layout worker at 5,000 stalls); with few, the batch it takes
    # last leaves the pool's cores idle meanwhile (Zurich's 7: 10 % slower), so all stay
    pool_size = workers - 1 if helping and len(batches) >= REPLACE_FROM else workers
    data = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    with (
        spool() as folder,
        worker_pool(pool_size, initializer=_keep, initargs=(data,)) as pool,
    ):
        with main_script_hidden():  # the pool starts its processes as batches are submitted
            futures = [pool.submit(spooled, folder, _run, work, b) for b in batches]
        try:
            yield _results(futures, work, state, batches, helping=helping)
        finally:  # stopped early (an error, the time budget): start no more
            for f in futures:
                f.cancel()


def in_a_process(work: Callable[[State], Result], state: State, *, apart: bool) -> Result:
    """``work(state)`` in a fresh process of its own when ``apart`` (what it allocates goes
    back to the system as that process ends, where this one would keep it), else here.
    ``work`` must be a module-level function."""
    if not apart:
        return work(state)
    with (
        spool() as folder,
        worker_pool(1, initializer=_keep, initargs=(pickle.dumps(None),)) as pool,
    ):
        with main_script_hidden():
            future = pool.submit(spooled, folder, work, state)
        try:
            return cast(Result, unspooled(future.result()))
        except BrokenProcessPool:
            raise _stopped() from None


def _stopped() -> PlannerError:
    return PlannerError(
        "a worker process stopped before it finished (the machine may have run out "
        "of memory); nothing was written. Fix: run again with fewer workers "
        "(--workers 1 draws everything in one process)."
    )


def _results(
    futures: Sequence[Future[str]],
    work: Callable[[State, Batch], Result],
    state: State,
    batches: Sequence[Batch],
    *,
    helping: bool,
) -> Iterator[Result]:
    """The batches' results in order. This process, idle once it reads them, first takes
    the batches no worker has begun, from the last back (the workers take them from the
    first), and does them itself (``helping``): the same results, sooner."""
    own: dict[int, Result] = {}
    for k in reversed(range(len(futures)) if helping else ()):
        if not futures[k].cancel():  # begun or queued for a worker, and so are all before it
            break
        own[k] = work(state, batches[k])
    for k, f in enumerate(futures):
        if k in own:
            yield own[k]
            continue
        try:
            yield cast(Result, unspooled(f.result()))
        except BrokenProcessPool:
            raise _stopped() from None


def spool() -> tempfile.TemporaryDirectory[str]:
    """A private folder (mode 0700) for what workers hand back (:func:`spooled`), removed
    with what is left in it; enter it around the pool, which then stops first."""
    return tempfile.TemporaryDirectory(prefix="planner-results-", ignore_cleanup_errors=True)


def spooled(folder: str, work: Callable[..., object], *args: object) -> str:
    """In a worker: ``work(*args)`` pickled into a new file in ``folder``; that file's path
    is what goes back through the pool (:func:`unspooled` reads it).

    Never the result itself: a worker killed (out of memory, say) while it sends a large
    result leaves half a message in the pool's pipe, and ``concurrent.futures`` then waits
    for the rest for ever (its result reader blocks in ``recv``: seen with CPython 3.11.7,
    where a CI run hung so on 20 MB packages). A path is one short write, which a pipe
    delivers whole or not at all."""
    result = work(*args)
    try:
        fd, path = tempfile.mkstemp(dir=folder, suffix=".result")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError as exc:
        raise PlannerError(
            f"a worker could not hand its result back through the temporary folder "
            f"'{folder}' ({exc.strerror or exc}); nothing was written. Fix: free some space "
            "there, or set TMPDIR to a folder with room (or give --workers 1)."
        ) from None
    return path


def unspooled(path: str) -> object:
    """What a worker left at ``path`` (:func:`spooled`), the file removed. Only files this
    process's own workers wrote into its own private folder are read."""
    file = Path(path)
    try:
        with file.open("rb") as f:
            return pickle.load(f)
    finally:
        file.unlink(missing_ok=True)


_STATE: list[Any] = []
"""What a worker process was given by :func:`in_order` (set once, as it starts)."""


def _keep(data: bytes) -> None:
    _STATE[:] = [pickle.loads(data)]  # the parent's own state, pickled by it


def _run(work: Callable[[Any, Batch], Result], batch: Batch) -> Result:
    return work(_STATE[0], batch)
