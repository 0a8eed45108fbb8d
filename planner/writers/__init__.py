"""Writers: every output of a plan, by format name (contract section 3)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from planner.i18n import Lang
from planner.plan import Plan
from planner.writers.geojson import plan_features, write_plan_geojson, write_report

FORMATS = ("geojson", "gpkg", "dxf", "csv", "pdf", "png", "svg")


def sheet_name(level_id: str) -> str:
    """``sheet-<level>`` with the level id made safe for a file name."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in level_id)
    return f"sheet-{safe or 'level'}"


def write_outputs(
    plan: Plan,
    out: Path,
    *,
    formats: Sequence[str] = FORMATS,
    notices: bool = False,
    lang: Lang = "zh",
    paper: str = "A3",
    date: str | None = None,
) -> list[Path]:
    """Write the chosen formats (and the owner papers) into ``out``; ``report.json``
    always. Heavy modules (matplotlib, geopandas, ezdxf) load only when asked for."""
    out.mkdir(parents=True, exist_ok=True)
    written = [write_report(plan, out / "report.json")]
    if "geojson" in formats:
        written.append(write_plan_geojson(plan, out / "plan.geojson"))
    if "gpkg" in formats:
        from planner.writers.gpkg import write_gpkg

        written.append(write_gpkg(plan, out / "plan.gpkg"))
    if "dxf" in formats:
        from planner.writers.dxf import write_dxf

        written.append(write_dxf(plan, out / "plan.dxf"))
    if "csv" in formats:
        from planner.writers.csv import write_schedule_csv

        written.append(write_schedule_csv(plan, out / "schedule.csv", lang=lang))
    if {"pdf", "png", "svg"} & set(formats) or notices:
        from planner.documents import write_approval_pdf, write_notices
        from planner.drawing import SheetOptions, render_level, save_sheet

        opts = SheetOptions(lang=lang, paper=paper, date=date)  # type: ignore[arg-type]
        for lv in plan.site.levels:
            if not {"png", "svg"} & set(formats):
                break
            fig = render_level(plan, lv.id, options=opts)
            for fmt in ("png", "svg"):
                if fmt in formats:
                    path = out / f"{sheet_name(lv.id)}.{fmt}"
                    save_sheet(fig, path)
                    written.append(path)
        if "pdf" in formats:
            write_approval_pdf(plan, out / "approval.pdf", lang=lang, sheet=opts)
            written.append(out / "approval.pdf")
        if notices:
            written += write_notices(plan, out / "notices")
    return written


__all__ = [
    "FORMATS",
    "plan_features",
    "sheet_name",
    "write_outputs",
    "write_plan_geojson",
    "write_report",
]
