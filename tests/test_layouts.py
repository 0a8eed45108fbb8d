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
