"""Progress of long work, told to whoever listens: the command line's bar (tqdm on a
terminal, plain lines otherwise) or the desk's progress bar. Silent when nobody listens.

The work says what it does with :func:`stage` (a context manager that counts);
:func:`reporting` installs a listener for the work run inside it (a context variable, so
each desk session and each thread has its own)::

    with reporting(print_lines):
        with stage("planning compartments", total=12) as step:
            for comp in comps:
                ...
                step.advance()
"""

from __future__ import annotations

import contextvars
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from planner.privacy import get_logger, mask_text

log = get_logger(__name__)

Listener = Callable[[str, int, int | None], None]
"""``listener(what, done, total)``: called when a stage starts (done 0; total None when
its length is unknown), as it advances, and when it ends (done == total, a number)."""

_LISTENER: contextvars.ContextVar[Listener | None] = contextvars.ContextVar(
    "planner_progress", default=None
)


class Stage:
    """One stage of work being counted."""

    def __init__(self, what: str, total: int | None, listener: Listener | None) -> None:
        self.what, self.total, self.done = what, total, 0
        self._listener = listener

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more pieces done."""
        self.done += n
        if self._listener is not None:
            self._listener(self.what, self.done, self.total)


@contextmanager
def stage(what: str, *, total: int | None = None) -> Iterator[Stage]:
    """Count a stage of work (``total`` pieces, or unknown); its start and end (with the
    time it took) are logged at INFO."""
    what = mask_text(what)[0]  # a stage may name an input file; no personal number is shown
    listener = _LISTENER.get()
    step = Stage(what, total, listener)
    log.info("%s: started%s", what, "" if total is None else f" ({total})")
    start = time.perf_counter()
    if listener is not None:
        listener(what, 0, total)
    yield step
    log.info("%s: done in %.2f s", what, time.perf_counter() - start)
    if listener is not None and (total is None or step.done < total):
        end = total if total is not None else max(step.done, 1)
        listener(what, end, end)  # the end: done == total


@contextmanager
def reporting(listener: Listener | None) -> Iterator[None]:
    """Tell ``listener`` of every stage of the work run inside (None: silence)."""
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)


def terminal(stream: IO[str] | None = None) -> Listener:
    """The command line's listener: a tqdm bar per stage on a terminal, else one plain
    line when a stage starts and when it ends (and every 10 s between)."""
    out = stream or sys.stderr
    if out.isatty():
        return _Bars(out)
    last: dict[str, float] = {}
    open_ended: set[str] = set()

    def lines(what: str, done: int, total: int | None) -> None:
        """Counted stages when they start, every 10 s and when they end; a stage of
        unknown length only once it is done (so a refused input prints its message
        alone)."""
        if total is None:
            open_ended.add(what)
            return
        now = time.monotonic()
        if what in open_ended:
            open_ended.discard(what)
            print(f"planner: {what} done", file=out, flush=True)
        elif done == 0 or done >= total or now - last.get(what, 0.0) >= 10:
            last[what] = now
            print(f"planner: {what} {done}/{total}", file=out, flush=True)

    return lines


class _Bars:
    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.bars: dict[str, Any] = {}

    def __call__(self, what: str, done: int, total: int | None) -> None:
        from tqdm import tqdm  # noqa: PLC0415 - only on a terminal

        bar = self.bars.get(what)
        if bar is None:
            bar = self.bars[what] = tqdm(
                total=total, desc=what, file=self.out, leave=False, dynamic_ncols=True
            )
        bar.update(done - bar.n)
        if total is not None and done >= total:
            bar.close()
            del self.bars[what]
