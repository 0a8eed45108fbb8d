"""The approval package as PDF (``approval.pdf``): the cover, the layout sheets, the system
diagrams, the design notes, the bill of materials, the request schedule, the owners' costs
and the rule checklist. The owner papers are :mod:`planner.papers`.

The drawn pages (the cover, and the layout sheets, drawn in batches by
:mod:`planner.layouts`) are matplotlib figures written with ``PdfPages``, the CJK font as
Type 3 glyphs; the system diagrams, notes and tables are typeset with fpdf2
(:mod:`planner.typeset`: a page in milliseconds, not half a second); pikepdf joins them in
order. Both keep a text layer that can be searched and copied. Chinese wraps
at any character, Latin text at spaces, measured with the font's own advances.
"""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl
import pikepdf
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from planner.bom import bom_table
from planner.canvas import typeset_page_number
from planner.checklist import checklist, source_text
from planner.diagram import design_notes, diagram_pages
from planner.drawing import (
    MM_PER_INCH,
    PAPER_MM,
    SheetOptions,
    frame,
    page_number,
    panel_axes,
    sheet_title,
    style,
    title_block,
)
from planner.fonts import wrap
from planner.i18n import Lang, code_title, rule_title, t
from planner.layouts import SHEETS_PER_TASK, LayoutPage, drawn_layouts
from planner.limits import check_time
from planner.papers import Page as TextPage
from planner.papers import set_page, text_layout
from planner.plan import Plan
from planner.progress import stage
from planner.schedule import COLUMNS, schedule_table, totals
from planner.sheets import PREFIX, Sheet, drawing_mm, sheet_set
from planner.styles import HEAD_COLOUR, THIN, TITLE_PT, text_pt
from planner.typeset import PT_MM, Typeset, Typesetter

A4_LANDSCAPE = (297.0, 210.0)
A3_LANDSCAPE = (420.0, 297.0)
TABLE_PT = 9.0
"""Tables, notes and owner papers: at least 9 pt (3.2 mm)."""


@dataclass(frozen=True)
class Column:
    """A table column: heading, width in mm, and whether the cell text wraps."""

    head: str
    width_mm: float
    align: str = "left"


def _page(size_mm: tuple[float, float]) -> Figure:
    fig = Figure(figsize=(size_mm[0] / MM_PER_INCH, size_mm[1] / MM_PER_INCH), dpi=100)
    FigureCanvasAgg(fig)
    return fig


Page = Figure | Typeset | LayoutPage
"""A page of the package: a drawn figure (the cover), a typeset one (diagrams, text and
tables) or a layout sheet's place (drawn in batches, :mod:`planner.layouts`)."""


@dataclass(frozen=True)
class Pages:
    """Pages whose number is known before any is made: iterating makes them one at a time
    (the drawing index needs every part's page count, and drawing a table's pages just to
    count them took as long as drawing them for the PDF)."""

    count: int
    draw: Callable[[], Iterator[Page]]

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Page]:
        return self.draw()

    def __add__(self, other: Pages) -> Pages:
        return Pages(self.count + other.count, lambda: itertools.chain(self, other))

    @staticmethod
    def joined(parts: Iterable[Pages]) -> Pages:
        """The pages of ``parts``, one after another."""
        return sum(parts, Pages(0, lambda: iter(())))


def _table_pages(
    title: str,
    header_lines: Sequence[str],
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    footer: str,
    size_mm: tuple[float, float] = A4_LANDSCAPE,
    font: float = TABLE_PT,
) -> Pages:
    """A table over as many pages as it needs, heading repeated, rows never split."""
    w_mm, h_mm = size_mm
    margin = 12.0
    line_mm = font * 1.35 / 72 * MM_PER_INCH
    wrapped = [
        [
            wrap(cell, (col.width_mm - 2) / MM_PER_INCH * 72, font)
            for cell, col in zip(row, columns, strict=True)
        ]
        for row in rows
    ]
    heights = [max(len(c) for c in cells) * line_mm + 1.5 for cells in wrapped]
    head_h = (
        line_mm * max(len(wrap(c.head, (c.width_mm - 2) / MM_PER_INCH * 72, font)) for c in columns)
        + 2
    )
    top0 = h_mm - margin - 8 - len(header_lines) * 5
    spans = _row_spans(heights, top=top0 - head_h, bottom=margin + 6)
    heads = [wrap(c.head, (c.width_mm - 2) / MM_PER_INCH * 72, font) for c in columns]

    def draw() -> Iterator[Typeset]:
        for page, (first, end) in enumerate(spans, start=1):
            yield functools.partial(typeset, page=page, rows=range(first, end))

    def typeset(setter: Typesetter, number: tuple[int, int], *, page: int, rows: range) -> None:
        setter.page(size_mm)
        setter.text(margin, margin, title, size=13)
        for k, line in enumerate(header_lines):
            setter.text(margin, margin + 8 + k * 5, line, size=TABLE_PT)
        y = h_mm - top0  # from the top of the page from here on
        x = margin
        for col, head in zip(columns, heads, strict=True):
            setter.lines(x + 1, y + 1, head, size=font, step_mm=line_mm, colour=HEAD_COLOUR)
            x += col.width_mm
        setter.rule(margin, w_mm - margin, y, width_pt=0.8)
        y += head_h
        setter.rule(margin, w_mm - margin, y, width_pt=0.6)
        for i in rows:
            x = margin
            for cells, col in zip(wrapped[i], columns, strict=True):
                setter.lines(x + 1, y + 0.8, cells, size=font, step_mm=line_mm)
                x += col.width_mm
            y += heights[i]
            setter.rule(margin, w_mm - margin, y, width_pt=0.2)
        setter.text(
            margin, h_mm - margin / 2 - TABLE_PT * PT_MM, f"{footer}  {page}", size=TABLE_PT
        )
        typeset_page_number(setter, number)

    return Pages(len(spans), draw)


def _row_spans(heights: Sequence[float], *, top: float, bottom: float) -> list[tuple[int, int]]:
    """The rows of each page, ``(first, end)``: as many as fit between ``top`` and
    ``bottom`` (mm from the foot of the page), at least one page even with no rows, and a
    row taller than a page kept whole on a page of its own after the first."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(heights) or not spans:
        first, y = i, top
        while i < len(heights) and y - heights[i] > bottom:
            y -= heights[i]
            i += 1
        if i == first and i < len(heights):  # too tall for any page: alone, overflowing
            i += 1
        spans.append((first, i))
        if not heights:
            break
    return spans


def _schedule_pages(plan: Plan, lang: Lang, sheets: list[Sheet] | None = None) -> Pages:
    """The schedule on A3 landscape at 9 pt, then its totals per box and per designation."""
    info = plan.site.info
    head = [f"{t('community', lang)}: {info.community or ''}    {t('site', lang)}: {info.name}"]
    widths = [c.width_mm for c in COLUMNS if c.width_mm is not None]
    header, rows = schedule_table(plan, lang, sheets=sheets, pdf=True)
    cols = [Column(h, w) for h, w in zip(header, widths, strict=True)]
    schedule = _table_pages(
        t("schedule", lang), head, cols, rows, footer=t("schedule", lang), size_mm=A3_LANDSCAPE
    )
    header, rows = totals(plan, lang)
    cols = [Column(h, w) for h, w in zip(header, (40, 90, 30, 40, 40), strict=True)]
    return schedule + _table_pages(
        f"{t('schedule', lang)} — {t('totals', lang)}", head, cols, rows, footer=t("schedule", lang)
    )


def _bom_pages(plan: Plan, lang: Lang) -> Pages:
    header, rows = bom_table(plan, lang)
    widths = (30, 70, 90, 25, 30)
    cols = [Column(h, w) for h, w in zip(header, widths, strict=True)]
    info = plan.site.info
    head = [f"{t('community', lang)}: {info.community or ''}    {t('site', lang)}: {info.name}"]
    return _table_pages(t("bom", lang), head, cols, rows, footer=t("bom", lang))


def cost_rows(plan: Plan, compartment: str, lang: Lang = "zh") -> list[list[str]]:
    """Each owner's estimate in one compartment, then the compartment's total."""
    rows = []
    totals = [0.0, 0.0, 0.0, 0.0]
    for c in plan.cables:
        if c.compartment != compartment or c.cost is None:
            continue
        parts = (c.cost.cable_cny, c.cost.conduit_cny, c.cost.tray_cny, c.cost_cny)
        for k, v in enumerate(parts):
            totals[k] += v or 0.0
        rows.append(
            [
                c.request,
                c.space,
                c.designation,
                f"{c.cable_m:.1f}",
                f"{c.tray_m:.1f}",
                f"{c.conduit_m:.1f}",
                *("" if v is None else f"{v:.0f}" for v in parts),
            ]
        )
    if rows:
        rows.append([t("bom_total", lang), "", "", "", "", "", *(f"{v:.0f}" for v in totals)])
    return rows


def _cost_pages(plan: Plan, lang: Lang) -> Pages:
    keys = ("request", "space", "designation", "cable_m")
    cols = [Column(t(k, lang), w) for k, w in zip(keys, (22, 22, 45, 20), strict=True)]
    cols += [Column(t("tray_m", lang), 20), Column(t("conduit_m", lang), 20)]
    cols += [
        Column(t(k, lang), 28) for k in ("cost_cable", "cost_conduit", "cost_tray", "cost_total")
    ]
    tables = []
    for comp in plan.site.compartments:
        rows = cost_rows(plan, comp.id, lang)
        if not rows:
            continue
        head = [f"{t('compartment', lang)} {comp.id}    {t('cost_note', lang)}"]
        tables.append(
            _table_pages(f"{t('costs', lang)} {comp.id}", head, cols, rows, footer=t("costs", lang))
        )
    return Pages.joined(tables)


def checklist_rows(plan: Plan, lang: Lang) -> list[list[str]]:
    """The checklist as printed: rule, title, outcome, subjects, what was found, source;
    in Chinese the findings by their Chinese names (the codes stay in ``report.json``)."""
    rows = []
    for row in checklist(plan):
        subjects = ", ".join(row.subjects[:40]) + (" …" if len(row.subjects) > 40 else "")
        found = [code_title(c, lang) for c in row.codes]
        rows.append(
            [
                row.rule if row.rule != "privacy" else "-",
                rule_title(row.rule, lang),
                t(row.outcome, lang),
                subjects,
                "；".join(found) if lang == "zh" else "; ".join(found),
                source_text(row.rule, lang),
            ]
        )
    return rows


def _checklist_pages(plan: Plan, lang: Lang) -> Pages:
    keys = ("rule", "rule_name", "outcome", "subjects", "found", "clause")
    widths = (14, 45, 20, 80, 55, 59)
    cols = [Column(t(k, lang), w) for k, w in zip(keys, widths, strict=True)]
    info = plan.site.info
    head = [
        f"{t('community', lang)}: {info.community or ''}    {t('site', lang)}: {info.name}"
        f"    {t('rules_version', lang)}: {plan.rules.rules_version}"
    ]
    return _table_pages(
        t("checklist", lang), head, cols, checklist_rows(plan, lang), footer=t("checklist", lang)
    )


@dataclass(frozen=True)
class Part:
    """A part of the package: its name in the drawing index, and its pages."""

    title: str
    pages: Callable[[], Pages]
    number: str = ""
    paper: str = "A4"


def package_parts(plan: Plan, opts: SheetOptions, sheets: list[Sheet]) -> list[Part]:
    """The package after its cover, in order: each layout sheet, each system diagram, the
    design notes, the bill of materials, the schedule, the owners' costs, the checklist."""
    lang = opts.lang

    def layout(s: Sheet) -> Callable[[], Pages]:  # drawn by planner.layouts
        return lambda: Pages(1, lambda: iter([LayoutPage(s)]))

    def diagram(s: Sheet) -> Callable[[], Pages]:  # a diagram sheet is one page
        return lambda: Pages(1, lambda: diagram_pages(plan, options=opts, sheets=[s]))

    parts = [
        Part(sheet_title(plan, s, lang), layout(s), s.number, opts.paper)
        for s in sheets
        if s.kind != "diagram"
    ]
    parts += [
        Part(
            f"{t('diagram', lang)} {s.box}" + (f" ({s.part}/{s.parts})" if s.parts else ""),
            diagram(s),
            s.number,
            "A3",
        )
        for s in sheets
        if s.kind == "diagram"
    ]
    parts += [
        Part(t("notes", lang), lambda: _text_pages(t("notes", lang), design_notes(plan, lang))),
        Part(t("bom", lang), lambda: _bom_pages(plan, lang)),
        Part(t("schedule", lang), lambda: _schedule_pages(plan, lang, sheets), paper="A3"),
        Part(t("costs", lang), lambda: _cost_pages(plan, lang)),
        Part(t("checklist", lang), lambda: _checklist_pages(plan, lang)),
    ]
    return parts


COVER_ROWS = 30
"""Rows of the drawing index on one cover page."""


def _cover_pages(
    plan: Plan, opts: SheetOptions, index: list[tuple[str, str, str, str]]
) -> Iterator[Figure]:
    """The cover: the drawing index (图纸目录) in a frame with the title block."""
    lang = opts.lang
    w, h = PAPER_MM["A3"]
    x0, y0, dw, dh = drawing_mm("A3")
    cols = (
        (t("no", lang), 14),
        (t("drawing_no", lang), 30),
        (t("drawing_title", lang), 160),
        (t("paper", lang), 22),
        (t("pages", lang), 30),
    )
    chunks = [index[i : i + COVER_ROWS] for i in range(0, len(index), COVER_ROWS)] or [[]]
    for k, chunk in enumerate(chunks):
        fig = _page((w, h))
        frame(fig, "A3")
        ax = panel_axes(fig, (x0, y0, dw, dh), (w, h))
        ax.text(dw / 2, dh - 8, t("cover", lang), fontsize=TITLE_PT, ha="center", va="center")
        y = dh - 20
        for i, rowcells in enumerate([tuple(c for c, _ in cols), *chunk]):
            x = 0.0
            cells = rowcells if i == 0 else (str(k * COVER_ROWS + i), *rowcells)
            for cell, (_, cw) in zip(cells, cols, strict=True):
                colour = HEAD_COLOUR if i == 0 else "black"
                ax.text(x + 1.5, y - 3.5, cell, fontsize=text_pt(cell), va="center", color=colour)
                x += cw
            y -= 7.5
            ax.plot([0, x], [y, y], color="black", lw=THIN)
        title_block(
            fig,
            plan,
            level_id=plan.site.levels[0].id,
            paper="A3",
            lang=lang,
            scale=None,
            number=f"{PREFIX}-00",
            title=t("cover", lang) + (f" ({k + 1}/{len(chunks)})" if len(chunks) > 1 else ""),
            date=opts.date,
        )
        yield fig


def write_approval_pdf(
    plan: Plan,
    path: Path,
    *,
    lang: Lang = "zh",
    sheet: SheetOptions | None = None,
    images: Sequence[str] = (),
    image_dir: Path | None = None,
    workers: int = 1,
) -> int:
    """Write ``approval.pdf``: the cover with the drawing index, the layout sheets (plans,
    key plans and area plans), the system diagram of each meter box bank, the design
    notes, the BOM, the schedule, the owners' costs and the checklist; every page numbered
    "x / y". Returns the number of pages. Each layout sheet is also saved in ``image_dir``
    in the ``images`` formats (``png``, ``svg``) as ``<sheet.file>.<fmt>``, from the same
    drawing. ``workers`` processes draw the layout sheets (:mod:`planner.layouts`); the
    file is the same for any number."""
    with approval_pdf(
        plan, path, lang=lang, sheet=sheet, images=images, image_dir=image_dir, workers=workers
    ) as total:
        pass
    return total


@contextlib.contextmanager
def approval_pdf(
    plan: Plan,
    path: Path,
    *,
    lang: Lang = "zh",
    sheet: SheetOptions | None = None,
    images: Sequence[str] = (),
    image_dir: Path | None = None,
    workers: int = 1,
) -> Iterator[int]:
    """:func:`write_approval_pdf` around the caller's own work: on entering, the layout
    sheets start drawing on the ``workers`` and the page count is yielded; the caller's
    block runs meanwhile (the package's other files), then the other pages are typeset and
    the file is joined. With one worker the sheets are drawn on leaving, as they are read."""
    opts = sheet or SheetOptions(lang=lang)
    sheets = sheet_set(plan, opts.paper)
    with mpl.rc_context(style()):
        parts = package_parts(plan, opts, sheets)
        made = [p.pages() for p in parts]  # laid out, counted, not yet drawn
        index, total = _drawing_index(parts, made)
    items = list(itertools.chain(*made))  # markers and typeset pages: nothing drawn yet
    layouts = [item.sheet for item in items if isinstance(item, LayoutPage)]
    with drawn_layouts(
        plan,
        layouts,
        sheets=sheets,
        options=opts,
        images=images,
        folder=image_dir,
        workers=workers,
    ) as batches:
        yield total
        with mpl.rc_context(style()):
            title = f"{plan.site.info.name} {t('title', lang)}"
            pages = itertools.chain(_cover_pages(plan, opts, index), items)
            paper = PAPER_MM[opts.paper]
            _assemble(path, pages, batches, title=title, total=total, paper=paper)


def _assemble(
    path: Path,
    pages: Iterable[Page],
    batches: Iterator[tuple[int, bytes]],
    *,
    title: str,
    total: int,
    paper: tuple[float, float],
) -> None:
    """Draw or typeset ``pages`` in order (the layout sheets, of ``paper`` size, come from
    ``batches``, a PDF of ``SHEETS_PER_TASK`` at a time, unnumbered: each gets its number
    from a typeset page laid over it) and join them into ``path``."""
    drawn = io.BytesIO()
    # each page's document (0 drawn here, 1 typeset, 2.. the layout batches), its place
    # there, and the typeset page laid over it (a layout sheet's number)
    order: list[tuple[int, int, int | None]] = []
    with (
        Typesetter(title=title) as setter,
        PdfPages(drawn, metadata={"Title": title, "Creator": "planner"}) as pdf,
        stage("approval.pdf pages", total=total) as step,
    ):
        laid = 0
        for item in pages:
            check_time()
            number = (len(order) + 1, total)
            if isinstance(item, LayoutPage):  # drawn in its batch; its number set here
                setter.page(paper)
                typeset_page_number(setter, number)
                batch, place = divmod(laid, SHEETS_PER_TASK)
                order.append((2 + batch, place, setter.pages - 1))
                laid += 1
                continue
            if isinstance(item, Figure):
                size = tuple(v * MM_PER_INCH for v in item.get_size_inches())
                page_number(item, (size[0], size[1]), number)
                pdf.savefig(item)
                order.append((0, pdf.get_pagecount() - 1, None))
            else:
                item(setter, number)
                order.append((1, setter.pages - 1, None))
            step.advance()
        typeset = setter.output() if setter.pages else b""
        laid_out = []
        for n, data in batches:
            check_time()
            laid_out.append(data)
            step.advance(n)
    _join(path, [drawn.getvalue(), typeset, *laid_out], order)
    assert len(order) == total, (len(order), total)


def _drawing_index(
    parts: Sequence[Part], made: Sequence[Pages]
) -> tuple[list[tuple[str, str, str, str]], int]:
    """The drawing index (number, title, paper, pages of each part) and the package's
    pages."""
    cover = max(1, math.ceil(len(parts) / COVER_ROWS))
    index, first = [], cover + 1
    for p, m in zip(parts, made, strict=True):
        n = len(m)
        pages = f"{first}" if n == 1 else f"{first}-{first + n - 1}"
        index.append((p.number, p.title, p.paper, pages))
        first += n
    return index, first - 1


def _join(path: Path, documents: Sequence[bytes], order: list[tuple[int, int, int | None]]) -> None:
    """Pages of ``documents`` (matplotlib's and fpdf2's PDFs) in one file, in ``order``
    (document, page, and a page of the typeset document, the second, laid over it or
    ``None``), with the first document's information (title, creator, dates: the same on
    every run under ``SOURCE_DATE_EPOCH``, as is the file's id)."""
    with contextlib.ExitStack() as stack:
        docs = [
            stack.enter_context(pikepdf.open(io.BytesIO(data))) if data else None
            for data in documents
        ]
        out = stack.enter_context(pikepdf.new())
        for k, page, over in order:
            doc = docs[k]
            assert doc is not None, k
            out.pages.append(doc.pages[page])
            if over is not None:
                typeset = docs[1]
                assert typeset is not None
                _lay_over(out, out.pages[-1], typeset.pages[over])
        first = docs[0]
        assert first is not None
        for key, value in first.docinfo.items():
            out.docinfo[key] = value
        out.save(path, deterministic_id=True)


def _lay_over(out: pikepdf.Pdf, page: pikepdf.Page, over: pikepdf.Page) -> None:
    """Draw ``over`` (a page of the same size) on top of ``page``, as a form XObject named
    by the page's place: pikepdf's ``add_overlay`` names it at random, and the file would
    differ from run to run (and the pages of one matplotlib PDF share one resource
    dictionary, so each page's name is its own)."""
    form = out.copy_foreign(over.as_form_xobject())
    name = pikepdf.Name(f"/PageNumber{page.index + 1}")
    page.add_resource(form, pikepdf.Name.XObject, name)
    page.contents_add(b"q\n", prepend=True)  # the page's own graphics state, closed
    page.contents_add(b"\nQ\nq " + bytes(name.unparse()) + b" Do Q\n")


def _text_pages(
    title: str,
    paragraphs: Sequence[str],
    *,
    size: float = 9.5,
    info: Sequence[str] = (),
    image: Any = None,
) -> Pages:
    """Paragraphs on A4 portrait pages, placed by :func:`planner.papers.text_layout` and
    typeset as the owner papers are (the design notes). ``image`` (an RGB(A) array) goes in
    the layout's picture square."""
    layout = text_layout(title, paragraphs, size=size, info=info, image=image is not None)

    def typeset(setter: Typesetter, number: tuple[int, int], *, page: TextPage) -> None:
        set_page(setter, page, image)
        typeset_page_number(setter, number)

    return Pages(len(layout), lambda: (functools.partial(typeset, page=p) for p in layout))
