"""Limits on what the planner reads and how long it plans: files come from strangers.

Every limit has a default fit for real garages, a name, and a way to raise it: ``--limit
NAME=VALUE`` on the command line (``--max-mb`` for the file size). Hitting one gives its own
message naming it, quickly and without reading the whole input into memory.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from pydantic import BaseModel, ConfigDict, Field

from planner.errors import InputLimitError, PlannerError
from planner.overrides import with_overrides


class Limits(BaseModel):
    """What one input may hold and one plan may take."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    max_bytes: int = Field(50_000_000, gt=0, description="largest input file, bytes")
    max_features: int = Field(200_000, gt=0, description="features in a site file")
    max_vertices: int = Field(100_000, gt=0, description="positions in one geometry")
    max_json_depth: int = Field(64, gt=0, description="nesting depth of a site file's JSON")
    max_abs_coord_m: float = Field(1e8, gt=0, description="largest coordinate, metres")
    max_zip_entries: int = Field(1_000, gt=0, description="entries in an IMDF zip")
    max_zip_bytes: int = Field(500_000_000, gt=0, description="unpacked size of an IMDF zip")
    max_dxf_entities: int = Field(500_000, gt=0, description="entities in a DXF drawing")
    max_block_depth: int = Field(32, gt=0, description="nesting of blocks in a DXF drawing")
    max_csv_rows: int = Field(100_000, gt=0, description="rows of a requests CSV")
    max_route_nodes: int = Field(
        1_000_000, gt=0, description="nodes of one compartment's routing graph"
    )
    time_budget_s: float = Field(
        300.0, gt=0, description="longest time one run (read, plan, write) may take"
    )

    def with_overrides(self, assignments: list[str]) -> Limits:
        """A copy with ``NAME=VALUE`` assignments applied."""
        return with_overrides(
            self,
            assignments,
            flag="--limit",
            noun="limit",
            example="time_budget_s=600",
            fix="give a positive number",
        )


def over(limit: str, found: int | float, allowed: int | float, what: str, fix: str) -> None:
    """Raise the message of one limit: what was found, the limit's name and how to raise."""
    raise InputLimitError(
        f"{what}: {found:,} is over the limit {limit} = {allowed:,}. Fix: {fix}, or raise "
        f"the limit with --limit {limit}=N."
    )


class Deadline:
    """The time budget of one run: reading, converting, planning and writing.

    Opened once per run with :meth:`active` (the CLI around a whole command, the app
    around each upload, plan and download); the stages call :func:`check_time` at their
    loops, which raises once the budget is spent, or at once when ``cancelled()`` says
    nobody waits for the result any more (the app's closed browser tab).
    """

    def __init__(
        self,
        budget_s: float,
        *,
        limits: Limits | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> None:
        self.budget_s = budget_s
        self.limits = limits or Limits(time_budget_s=budget_s)
        self.cancelled = cancelled
        self.start = time.monotonic()

    @classmethod
    def of(cls, limits: Limits, *, cancelled: Callable[[], bool] | None = None) -> Deadline:
        """The budget ``limits.time_budget_s``, carrying the other limits for the stages."""
        return cls(limits.time_budget_s, limits=limits, cancelled=cancelled)

    def check(self) -> None:
        """Raise :class:`InputLimitError` naming ``time_budget_s`` if time is up, or
        :class:`RunCancelledError` if the run was cancelled."""
        if self.cancelled is not None and self.cancelled():
            raise RunCancelledError("nobody waits for this run any more (session closed); stopped")
        spent = time.monotonic() - self.start
        if spent > self.budget_s:
            raise InputLimitError(
                f"reading, planning and writing took more than the time budget of "
                f"{self.budget_s:g} s (limit time_budget_s). Fix: plan one level at a time, "
                "simplify the drawing, or raise the limit with "
                f"--limit time_budget_s={max(self.budget_s * 4, 60):g}."
            )

    def linked(self, stop: threading.Event) -> Deadline:
        """This budget (the same start, limits and cancellation) that also stops once
        ``stop`` is set: the compartments planned on threads end at their next check when
        one of them fails or the command is interrupted, instead of running on unseen."""
        own = self.cancelled

        def cancelled() -> bool:
            return stop.is_set() or (own is not None and own())

        twin = Deadline(self.budget_s, limits=self.limits, cancelled=cancelled)
        twin.start = self.start
        return twin

    @contextmanager
    def active(self) -> Iterator[Deadline]:
        """Make this the budget that :func:`check_time` and :func:`current` see."""
        token = _CURRENT.set(self)
        try:
            yield self
        finally:
            _CURRENT.reset(token)


class RunCancelledError(PlannerError):
    """The run was stopped because its result is no longer wanted."""


_CURRENT: ContextVar[Deadline | None] = ContextVar("planner_deadline", default=None)


def current() -> Deadline | None:
    """The budget of the run in progress in this thread, if one was opened."""
    return _CURRENT.get()


def current_limits() -> Limits:
    """The limits of the run in progress (the defaults outside a run)."""
    run = _CURRENT.get()
    return Limits() if run is None else run.limits


@contextmanager
def running(limits: Limits | None = None) -> Iterator[Deadline]:
    """The run in progress, or a new one under ``limits`` when none is (a reader or a plan
    called on its own, as in a script or a test)."""
    run = _CURRENT.get()
    if run is not None:
        yield run
        return
    with Deadline.of(limits or Limits()).active() as new:
        yield new


def check_time() -> None:
    """Raise if the run in progress has spent its time budget (no-op outside a run)."""
    run = _CURRENT.get()
    if run is not None:
        run.check()


class Ticker:
    """:func:`check_time` every ``every`` calls: cheap enough for the innermost loops."""

    def __init__(self, every: int = 1024) -> None:
        self.every = every
        self.n = 0

    def __call__(self) -> None:
        self.n += 1
        if self.n % self.every == 0:
            check_time()
