"""``schedule.csv``: the request schedule for Excel (UTF-8 with BOM, one header row)."""

from __future__ import annotations

import csv
from pathlib import Path

from planner.documents import schedule_rows
from planner.i18n import Lang, t
from planner.plan import Plan

HEADER_KEYS = (
    "no",
    "request",
    "space",
    "applicant",
    "status",
    "reasons",
    "cable_m",
    "conductor",
    "designation",
    "methods",
    "grouping",
    "vdrop",
    "phase",
    "breaker",
    "box",
    "tariff",
)


def write_schedule_csv(plan: Plan, path: Path, *, lang: Lang = "zh") -> Path:
    """Write the schedule: exactly one header row, then one row per request."""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)  # Excel's dialect: comma, CRLF, quotes where needed
        writer.writerow([t(k, lang) for k in HEADER_KEYS])
        writer.writerows(schedule_rows(plan, lang))
    return path
