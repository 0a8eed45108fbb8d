"""Redraw the reviewers' sheets in docs/: ``python docs/make_sheets.py``: each sample's
first sheet (the level, or its key plan) and, where the level is split, its first area plan."""

from pathlib import Path

from planner.drawing import SheetOptions, render_sheet, save_sheet
from planner.plan import make_plan
from planner.readers import read_site
from planner.samples import SAMPLES, sample_path, sample_requests_path
from planner.sheets import sheet_set

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    for old in here.glob("sheet-*.png"):
        old.unlink()
    for key in SAMPLES:
        site = read_site(sample_path(key), requests=sample_requests_path(key))
        plan = make_plan(site)
        sheets = sheet_set(plan)
        level = site.levels[0].id
        shown = [s for s in sheets if s.level == level and s.kind != "diagram"][:2]
        for s in shown:
            fig = render_sheet(plan, s, sheets=sheets, options=SheetOptions(date="2026-12-01"))
            save_sheet(fig, here / f"{s.file.replace('sheet-', f'sheet-{key}-')}.png")
            print(f"wrote docs/{s.file.replace('sheet-', f'sheet-{key}-')}.png")
