"""Layout sheets drawn by worker processes: the package is the same, byte for byte, as
one process draws it, images included."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner import layouts
from planner.documents import write_approval_pdf
from planner.plan import make_plan
from planner.readers import read_site
from planner.samples import sample_path
from planner.sheets import sheet_set


def test_workers_draw_the_same_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    monkeypatch.setattr(layouts, "PARALLEL_FROM", 1)  # sample d's 5 sheets: two batches
    plan = make_plan(read_site(sample_path("d")))
    files = [s.file for s in sheet_set(plan) if s.kind != "diagram"]
    assert len(files) > layouts.SHEETS_PER_TASK
    made = {}
    for workers in (1, 2):
        folder = tmp_path / str(workers)
        folder.mkdir()
        pages = write_approval_pdf(
            plan, folder / "approval.pdf", images=("png",), image_dir=folder, workers=workers
        )
        made[workers] = (
            pages,
            (folder / "approval.pdf").read_bytes(),
            [(folder / f"{f}.png").read_bytes() for f in files],
        )
    assert made[1] == made[2]


def test_a_failing_batch_stops_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An error in a batch reaches the caller and no approval.pdf is written."""
    plan = make_plan(read_site(sample_path("d")))

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(layouts, "render_sheet", broken)
    with pytest.raises(RuntimeError, match="drawing failed"):
        write_approval_pdf(plan, tmp_path / "approval.pdf")
    assert not (tmp_path / "approval.pdf").exists()


def test_the_workers_plan_leaves_out_only_what_no_layout_sheet_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers draw from a plan without the cables' segments and the findings: the
    sheets are the same as drawn from the whole plan, byte for byte."""
    import io

    from planner.drawing import render_sheet

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    plan = make_plan(read_site(sample_path("a")))
    slim = layouts.drawn_part(plan)
    assert plan.findings
    assert any(c.segments for c in plan.cables)
    assert slim.findings == ()
    assert all(c.segments == () for c in slim.cables)
    assert [c.model_copy(update={"segments": ()}) for c in plan.cables] == list(slim.cables)
    sheets = sheet_set(plan)
    for sheet in (s for s in sheets if s.kind != "diagram"):
        pngs = []
        for source in (plan, slim):
            out = io.BytesIO()
            render_sheet(source, sheet, sheets=sheets).savefig(out, format="png", dpi=40)
            pngs.append(out.getvalue())
        assert pngs[0] == pngs[1], sheet.file
