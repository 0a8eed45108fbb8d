"""``schedule.csv``: the request schedule for Excel (UTF-8 with BOM, one header row)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from planner.bom import bom_table
from planner.i18n import Lang
from planner.plan import Plan
from planner.schedule import schedule_table


def write_bom_csv(plan: Plan, path: Path, *, lang: Lang = "zh") -> Path:
    """Write ``bom.csv``: the bill of materials, one header row (Excel-ready)."""
    header, rows = bom_table(plan, lang)
    return write_csv(path, header, rows)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""Cell starts a spreadsheet would read as a formula (OWASP, CSV injection)."""
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def excel_safe(cell: str) -> str:
    """A cell Excel shows as text: one beginning like a formula gets a leading apostrophe
    (OWASP's rule); a plain number stays a number.

    >>> excel_safe("=1+2"), excel_safe("-3.5"), excel_safe("@SUM(A1)"), excel_safe("R01")
    ("'=1+2", '-3.5', "'@SUM(A1)", 'R01')
    """
    if cell.startswith(FORMULA_START) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """Every CSV the planner writes: UTF-8 with BOM, Excel's dialect (comma, CRLF, quotes
    where needed), one header row, no cell that a spreadsheet would run."""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([excel_safe(h) for h in header])
        writer.writerows([excel_safe(str(c)) for c in row] for row in rows)
    return path


def write_schedule_csv(plan: Plan, path: Path, *, lang: Lang = "zh") -> Path:
    """Write the schedule: exactly one header row, then one row per request, every column
    (:mod:`planner.schedule`)."""
    header, rows = schedule_table(plan, lang)
    return write_csv(path, header, rows)
