"""The layout sheets of a package drawn in worker processes.

A layout sheet of a 5,000-stall basement takes about half a second to draw and save (as a PDF
page and an SVG, its PNG rendered from the page by PDFium), most of it matplotlib's text;
the basement has 98 of them. They are drawn ``SHEETS_PER_TASK`` at a time, each batch as
a PDF of its own, unnumbered, that :func:`planner.documents.approval_pdf` numbers and joins
with the rest, while the parent process writes the other files and typesets the text
pages (and then draws the batches no worker has begun). The batches are the same whatever
the number of workers, so the package is byte for byte the same drawn by one process or
by several.

The workers (:func:`planner.workers.in_order`) receive the pickled plan once each.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
from matplotlib.backends.backend_pdf import PdfPages

from planner.drawing import SHEET_DPI, SheetOptions, render_sheet, save_sheet, style
from planner.limits import check_time
from planner.plan import Plan
from planner.png import pdf_pixels, write_png
from planner.sheets import Sheet
from planner.workers import in_order

SHEETS_PER_TASK = 2
"""Layout sheets a worker draws into one PDF: few, so that both of a 2-core machine's
processes stay busy to the end (the last batch alone took 2.5 s of one core at 4 sheets
a batch), at the cost of the CJK glyphs embedded once per batch (the 5,000-stall
basement's approval.pdf 7.9 MB at 4, 10.3 MB at 2)."""


PARALLEL_FROM = 16
"""Layout sheets below which one process draws them all: starting a worker (a fresh
interpreter importing matplotlib, the plan unpickled) costs about as much as drawing a
few small sheets."""


@dataclass(frozen=True)
class LayoutPage:
    """A layout sheet's place in the package: drawn by :func:`drawn_layouts`."""

    sheet: Sheet


@dataclass(frozen=True)
class Batch:
    """What one worker draws: consecutive layout sheets, with the whole sheet set (for the
    key plan's and the match lines' references)."""

    pages: tuple[Sheet, ...]
    sheets: tuple[Sheet, ...]
    options: SheetOptions
    images: tuple[str, ...]
    folder: Path | None


@contextlib.contextmanager
def drawn_layouts(
    plan: Plan,
    pages: Sequence[Sheet],
    *,
    sheets: Sequence[Sheet],
    options: SheetOptions,
    images: Sequence[str] = (),
    folder: Path | None = None,
    workers: int = 1,
) -> Iterator[Iterator[tuple[int, bytes]]]:
    """Draw the layout sheets ``pages`` as PDFs of ``SHEETS_PER_TASK`` unnumbered pages
    (the caller numbers them), saving each sheet's ``images`` (``png``, ``svg``) in
    ``folder`` as ``<sheet.file>.<fmt>``. Yields an iterator of (pages, PDF bytes) in
    order; with ``workers`` > 1 the drawing has started when it is yielded, and the caller
    may do other work before reading it."""
    batches = [
        Batch(tuple(pages[i : i + SHEETS_PER_TASK]), tuple(sheets), options, tuple(images), folder)
        for i in range(0, len(pages), SHEETS_PER_TASK)
    ]
    workers = workers if len(pages) >= PARALLEL_FROM else 1
    with in_order(_draw, drawn_part(plan), batches, workers=workers) as drawn:
        yield zip((len(b.pages) for b in batches), drawn, strict=True)


def drawn_part(plan: Plan) -> Plan:
    """The plan as the layout sheets need it: without each cable's electrical segments
    and without the findings, which no layout sheet shows (the system diagrams and the
    checklist are typeset in the main process). Each worker is sent a copy of it: at 5,000
    stalls 26 MB resident instead of 61 MB in every worker (issue 15's memory target).
    Used for one process too, so that every test draws from what the workers get."""
    cables = tuple(c.model_copy(update={"segments": ()}) for c in plan.cables)
    return plan.model_copy(update={"cables": cables, "findings": ()})


def _draw(plan: Plan, batch: Batch) -> bytes:
    """One batch's sheets as a PDF (numbered when the package is joined), their SVGs saved
    on the way and their PNGs rendered from its pages."""
    sheets = list(batch.sheets)
    data = io.BytesIO()
    with mpl.rc_context(style()), PdfPages(data) as pdf:
        for sheet in batch.pages:
            check_time()  # the parent's budget, when drawn in its process
            fig = render_sheet(plan, sheet, sheets=sheets, options=batch.options)
            for fmt in batch.images:  # sheet-<level>, and sheet-<level>-<n> for its areas
                if fmt != "png":
                    assert batch.folder is not None
                    save_sheet(fig, batch.folder / f"{sheet.file}.{fmt}")
            pdf.savefig(fig)
    drawn = data.getvalue()
    if "png" in batch.images:
        assert batch.folder is not None
        for sheet, pixels in zip(batch.pages, pdf_pixels(drawn, dpi=SHEET_DPI), strict=True):
            write_png(pixels, batch.folder / f"{sheet.file}.png", dpi=SHEET_DPI)
    return drawn
