"""Redraw the reviewers' sheets in docs/: ``python docs/make_sheets.py``."""

from pathlib import Path

from planner.drawing import SheetOptions, render_level, save_sheet
from planner.plan import make_plan
from planner.readers import read_site
from planner.samples import SAMPLES, sample_path, sample_requests_path

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    for key in SAMPLES:
        site = read_site(sample_path(key), requests=sample_requests_path(key))
        plan = make_plan(site)
        level = site.levels[0]
        fig = render_level(plan, level.id, options=SheetOptions(date="2026-11-26"))
        save_sheet(fig, here / f"sheet-{key}-{level.id}.png")
        print(f"wrote docs/sheet-{key}-{level.id}.png")
