"""Writers: every output of a plan, by format name (contract section 3)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from planner.errors import PlannerError
from planner.i18n import Lang
from planner.limits import check_time
from planner.plan import Plan
from planner.privacy import get_logger
from planner.progress import stage
from planner.writers.geojson import plan_features, write_plan_geojson, write_report

if TYPE_CHECKING:
    from collections.abc import Callable

log = get_logger(__name__)

FORMATS = ("geojson", "gpkg", "dxf", "csv", "pdf", "png", "svg")


MARKER = ".planner-output"
"""A file in every output folder: it says the planner wrote the folder, so a later run may
replace it whole."""


def check_out(out: Path, inputs: Sequence[Path] = ()) -> None:
    """Refuse an output folder the planner may not replace: a file, a folder holding files
    it did not write, or one that holds (or is) one of the inputs."""
    target = out.resolve()
    for given in inputs:
        src = given.resolve()
        if src == target or target in src.parents:
            raise PlannerError(
                f"--out '{out}' holds the input '{given}': a new plan replaces that folder "
                "whole. Fix: write the plan to another folder."
            )
    if out.exists() and not out.is_dir():
        raise PlannerError(f"--out '{out}' is a file. Fix: give a folder (new or empty).")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise PlannerError(
            f"--out '{out}' holds files the planner did not write; a plan replaces its "
            "folder whole. Fix: choose a new or empty folder."
        )


def write_outputs(
    plan: Plan,
    out: Path,
    *,
    formats: Sequence[str] = FORMATS,
    notices: bool = False,
    combined: bool = False,
    lang: Lang = "zh",
    paper: str = "A3",
    date: str | None = None,
    qr: Path | None = None,
    workers: int = 1,
) -> list[Path]:
    """Write the chosen formats (and the owner papers) into ``out``; ``report.json``
        always. All or nothing: everything is written into a folder beside ``out`` that
        replaces it only when complete, so a failed or interrupted run leaves the previous
        contents as they were, and files of an earlier run never mix with this one's. Heavy
        modules (matplotlib, geopandas, ezdxf) load only when asked for. ``project.geojson``
        (the inputs, to reopen the plan) is written always, like ``report.json``. ``qr``: the
        registration QR image printed on the owner notices; ``combined``: the owner papers also in
        one ``notices/owner-papers.pdf``; ``workers``: processes drawing the layout sheets (the
    files are the same for any number)."""
    check_out(out)
    qr_image = None
    if qr is not None and notices:
        from planner.papers import read_qr

        qr_image = read_qr(qr)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.partial-"))
    except OSError as exc:
        raise PlannerError(
            f"--out: cannot write beside '{out}' ({exc.strerror}). Fix: choose a folder "
            "you may write to."
        ) from None
    began = time.perf_counter()
    try:
        written = _write_all(
            plan,
            stage,
            formats=formats,
            notices=notices,
            combined=combined,
            lang=lang,
            paper=paper,
            date=date,
            qr=qr_image,
            workers=workers,
        )
        (stage / MARKER).write_text(
            "\n".join(str(p.relative_to(stage)) for p in written) + "\n", encoding="utf-8"
        )
        replace_folder(stage, out)
        log.info("wrote %d files to %s in %.2f s", len(written), out, time.perf_counter() - began)
    except OSError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        raise PlannerError(
            f"--out: writing '{out}' failed ({exc.strerror or exc}); nothing was changed "
            "there. Fix: free some space or choose a folder you may write to."
        ) from None
    except BaseException:  # an interrupt or a bug: no half-written folder stays behind
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return [out / p.relative_to(stage) for p in written]


def replace_folder(stage: Path, out: Path) -> None:
    """Put the finished folder in place of ``out`` (two renames on one file system)."""
    if not out.exists():
        stage.rename(out)
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    out.rename(old)
    try:
        stage.rename(out)
    except OSError:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _write_all(
    plan: Plan,
    out: Path,
    *,
    formats: Sequence[str],
    notices: bool,
    combined: bool,
    lang: Lang,
    paper: str,
    date: str | None,
    qr: object = None,
    workers: int = 1,
) -> list[Path]:
    data: list[Path] = []
    drawings: list[Path] = []
    papers: list[Path] = []

    def done(into: list[Path]) -> Callable[[Path], None]:
        def add(path: Path) -> None:
            into.append(path)
            check_time()  # the time budget covers writing too

        return add

    def owner_papers() -> list[Path]:
        from planner.papers import write_notices

        # the time budget is checked per owner
        return write_notices(plan, out / "notices", qr=qr, combined=combined, workers=workers)

    if notices:
        from planner.papers import papers_on_a_pool

        pooled = papers_on_a_pool(plan, workers=workers)
    else:
        pooled = False
    # the layout sheets start drawing on the workers first; this process writes the rest
    # meanwhile (but the owner papers that start a pool of their own: one pool at a time,
    # for memory), then typesets the approval PDF's other pages and joins it
    with _drawings(
        plan,
        out,
        formats=formats,
        lang=lang,
        paper=paper,
        date=date,
        workers=workers,
        done=done(drawings),
    ):
        _write_data(plan, out, formats=formats, lang=lang, done=done(data))
        if notices and not pooled:
            papers = owner_papers()
    if pooled:
        papers = owner_papers()
    return [*data, *drawings, *papers]


def _write_data(
    plan: Plan,
    out: Path,
    *,
    formats: Sequence[str],
    lang: Lang,
    done: Callable[[Path], None],
) -> None:
    """The report, the project file and the data formats (GeoJSON, GeoPackage, DXF, CSV)."""
    done(write_report(plan, out / "report.json"))
    from planner.project import write_project

    done(write_project(plan.site, plan.options, plan.rules, out / "project.geojson"))
    if "geojson" in formats:
        done(write_plan_geojson(plan, out / "plan.geojson"))
    if "gpkg" in formats:
        from planner.writers.gpkg import write_gpkg

        done(write_gpkg(plan, out / "plan.gpkg"))
    if "dxf" in formats:
        from planner.writers.dxf import write_dxf

        done(write_dxf(plan, out / "plan.dxf"))
    if "csv" in formats:
        from planner.writers.csv import write_bom_csv, write_schedule_csv

        done(write_schedule_csv(plan, out / "schedule.csv", lang=lang))
        done(write_bom_csv(plan, out / "bom.csv", lang=lang))


@contextlib.contextmanager
def _drawings(
    plan: Plan,
    out: Path,
    *,
    formats: Sequence[str],
    lang: Lang,
    paper: str,
    date: str | None,
    workers: int,
    done: Callable[[Path], None],
) -> Iterator[None]:
    """``approval.pdf`` and the PNG and SVG sheets, each layout sheet drawn once, around
    the caller's block (:func:`planner.documents.approval_pdf`). Nothing of the drawing
    (matplotlib, fpdf2, PDFium) is imported when no drawing is asked for."""
    if not {"pdf", "png", "svg"} & set(formats):
        yield
        return
    from planner.documents import approval_pdf
    from planner.drawing import SheetOptions, render_sheets, save_sheet
    from planner.sheets import sheet_set

    opts = SheetOptions(lang=lang, paper=paper, date=date)  # type: ignore[arg-type]
    images = [fmt for fmt in ("png", "svg") if fmt in formats]
    if "pdf" in formats:  # each layout sheet drawn once, for the PDF and the images
        with approval_pdf(
            plan,
            out / "approval.pdf",
            lang=lang,
            sheet=opts,
            images=images,
            image_dir=out,
            workers=workers,
        ):
            yield
        for sheet in sheet_set(plan, opts.paper):
            if sheet.kind != "diagram":
                for fmt in images:
                    done(out / f"{sheet.file}.{fmt}")
        done(out / "approval.pdf")
        return
    yield
    sheets = sheet_set(plan, opts.paper)  # PNG or SVG sheets alone
    layouts = sum(s.kind != "diagram" for s in sheets)
    with stage("drawing sheets", total=layouts) as step:
        for sheet, fig in render_sheets(plan, options=opts, sheets=sheets):
            for fmt in images:
                path = out / f"{sheet.file}.{fmt}"
                save_sheet(fig, path)
                done(path)
            step.advance()


__all__ = [
    "FORMATS",
    "MARKER",
    "check_out",
    "plan_features",
    "write_outputs",
    "write_plan_geojson",
    "write_report",
]
