"""Where one plan's time goes, by stage: ``python bench/stages.py SITE OUT`` plans SITE with
``planner plan --formats geojson`` and prints a JSON object of seconds per stage.

Each stage is a set of the planner's functions, wrapped with a timer for this run only.
Time is exclusive: while a stage's function calls another stage's, the time goes to the
inner one, so the stages add up to the whole run ("other" is what no stage claims: start-up
of the command, the summaries, the report on the terminal). The compartments are planned on
one thread here (``--workers 1``), where the command would use one per core.
"""

from __future__ import annotations

import functools
import inspect
import json
import sys
import time
from collections import defaultdict
from typing import Any

from planner import chargers, placement, plan, project, routing, trunk, writers
from planner.cli import main
from planner.readers import geojson

STAGES: dict[str, list[tuple[Any, str]]] = {
    "read": [(geojson, "parse_site")],
    "checks": [(plan, "_make_plan")],  # what make_plan does outside the stages below
    "placement": [
        (plan, "_structures"),
        (plan, "charger_point"),
        (chargers, "derived_charger"),
        (plan, "mount_faces"),
        (placement, "mount_faces"),
        (plan, "_box_site"),
        (plan, "_reserve_points"),
    ],
    "routing graph": [(routing, "_track_graph"), (routing, "free_space")],
    "searches": [(routing.Router, "route_all")],
    "tray geometry": [(plan, "tray_runs"), (trunk, "tray_runs"), (plan, "_trays")],
    "electrical": [
        (plan, "_size_circuits"),
        (plan, "_capacity_and_phases"),
        (plan, "_cable"),
        (plan, "_meter_box"),
    ],
    "writing": [(writers, "_write_all"), (project, "write_project")],
}

spent: dict[str, float] = defaultdict(float)
stack: list[list[Any]] = []  # [stage, started, time spent in inner stages]


def _timed(name: str, fn: Any) -> Any:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        frame: list[Any] = [name, time.perf_counter(), 0.0]
        stack.append(frame)
        try:
            return fn(*args, **kwargs)
        finally:
            stack.pop()
            total = time.perf_counter() - frame[1]
            spent[name] += total - frame[2]
            if stack:
                stack[-1][2] += total

    return wrapper


for stage_name, targets in STAGES.items():
    for owner, attr in targets:
        if hasattr(owner, attr):
            setattr(owner, attr, _timed(stage_name, getattr(owner, attr)))

site, out = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
# one thread: the timers keep one stack, and each second is one stage's (older commits,
# timed as "before", planned on one thread and had no such option)
one = ["--workers", "1"] if "threads" in inspect.signature(plan.make_plan).parameters else []
rc = main(["-q", "plan", site, "--out", out, "--formats", "geojson", *one])
whole = time.perf_counter() - t0
spent["other"] = whole - sum(spent.values())
spent["total"] = whole
print(json.dumps({k: round(v, 3) for k, v in spent.items()}))
sys.exit(rc)
