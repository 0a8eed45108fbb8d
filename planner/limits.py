"""Limits on what the planner reads and how long it plans: files come from strangers.

Every limit has a default fit for real garages, a name, and a way to raise it: ``--limit
NAME=VALUE`` on the command line (``--max-mb`` for the file size). Hitting one gives its own
message naming it, quickly and without reading the whole input into memory.
"""

from __future__ import annotations

import json
import time

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from planner.errors import InputLimitError, PlannerError


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
    time_budget_s: float = Field(300.0, gt=0, description="longest time one plan may take")

    def with_overrides(self, assignments: list[str]) -> Limits:
        """A copy with ``NAME=VALUE`` assignments applied."""
        data = self.model_dump()
        for text in assignments:
            name, sep, raw = text.partition("=")
            name = name.strip()
            if not sep or name not in type(self).model_fields:
                raise PlannerError(
                    f"--limit '{text}' is not NAME=VALUE with a known limit. "
                    "Fix: use one of " + ", ".join(type(self).model_fields) + "."
                )
            try:
                data[name] = json.loads(raw)
            except json.JSONDecodeError:
                data[name] = raw
        try:
            return type(self).model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise PlannerError(
                f"--limit {err['loc'][0]}: {err['msg']}. Fix: give a positive number."
            ) from None


def over(limit: str, found: int | float, allowed: int | float, what: str, fix: str) -> None:
    """Raise the message of one limit: what was found, the limit's name and how to raise."""
    raise InputLimitError(
        f"{what}: {found:,} is over the limit {limit} = {allowed:,}. Fix: {fix}, or raise "
        f"the limit with --limit {limit}=N."
    )


class Deadline:
    """The time budget of one plan; :meth:`check` raises once it is spent."""

    def __init__(self, budget_s: float) -> None:
        self.budget_s = budget_s
        self.start = time.monotonic()

    def check(self) -> None:
        """Raise :class:`InputLimitError` naming ``time_budget_s`` if time is up."""
        spent = time.monotonic() - self.start
        if spent > self.budget_s:
            raise InputLimitError(
                f"planning took more than the time budget of {self.budget_s:g} s (limit "
                "time_budget_s). Fix: plan one level at a time, simplify the drawing, or "
                f"raise the limit with --limit time_budget_s={max(self.budget_s * 4, 60):g}."
            )
