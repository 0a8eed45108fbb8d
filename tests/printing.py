"""What a printed page shows, read back: font sizes as the PDF sets them, and the
footprints of a figure's texts and cables on the paper."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.text import Text
from shapely.geometry import LineString, Polygon

from planner.typeset import Typesetter

MM_PER_PT = 25.4 / 72


def cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)


def pdf_text(path: Any) -> str:
    """The text layer of a whole PDF as a viewer reads it (PDFium, Chromium's engine):
    pypdf misreads the CFF fonts fpdf2 embeds for the typeset pages (pypdf issue 2295)."""
    return "\n".join(pdf_page_texts(path))


def pdf_page_texts(path: Any) -> list[str]:
    """The text layer of each page, read as :func:`pdf_text` reads it."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        return [page.get_textpage().get_text_range() for page in doc]
    finally:
        doc.close()


def pdf_char_sizes(path: Any) -> list[list[tuple[str, float]]]:
    """Each page's printed characters with their font size in mm, as PDFium reads them
    (the size the PDF sets, times its matrices), drawn and typeset pages alike."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    doc = pdfium.PdfDocument(str(path))
    try:
        pages = []
        for page in doc:
            text = page.get_textpage()
            chars = []
            for i in range(text.count_chars()):
                ch = text.get_text_range(i, 1)
                if ch.strip():
                    chars.append((ch, pdfium_c.FPDFText_GetFontSize(text.raw, i) * MM_PER_PT))
            pages.append(chars)
        return pages
    finally:
        doc.close()


def page_mm(page: Any) -> tuple[float, float]:
    box = page.mediabox
    return float(box.width) * MM_PER_PT, float(box.height) * MM_PER_PT


def texts(fig: Any) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def drawn(fig: Any) -> tuple[FigureCanvasAgg, np.ndarray]:
    """``fig`` drawn on an Agg canvas, and its pixels as an RGB array of ints."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # type: ignore[no-untyped-call]  # matplotlib's Agg canvas is unannotated
    rgba = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
    return canvas, np.asarray(rgba)[..., :3].astype(int)


def text_polygon(t: Text, renderer: Any) -> Polygon:
    """The paper footprint of a text in display pixels, turned with the text (a rotated
    label's axis-aligned box would cover far more than the label)."""
    angle = t.get_rotation() % 180
    if min(angle, 180 - angle) < 0.01 or abs(angle - 90) < 0.01:
        b = t.get_window_extent(renderer)
        upright: Polygon = shapely.box(b.x0, b.y0, b.x1, b.y1)
        return upright
    rotation = t.get_rotation()
    t.set_rotation(0)
    b = t.get_window_extent(renderer)
    t.set_rotation(rotation)
    x, y = t.get_transform().transform(t.get_position())
    box = shapely.box(b.x0, b.y0, b.x1, b.y1)
    turned: Polygon = shapely.affinity.rotate(box, rotation, origin=(x, y))
    return turned


def cable_lines(fig: Any) -> list[LineString]:
    """The cables of a sheet (LineCollections whose gid starts with ``cables-``) in
    display pixels."""
    out = []
    for ax in fig.axes:
        for coll in ax.collections:
            if isinstance(coll, LineCollection) and str(coll.get_gid() or "").startswith("cables-"):
                for seg in coll.get_segments():
                    xy = ax.transData.transform(np.asarray(seg))
                    if len(xy) >= 2:
                        out.append(LineString(xy))
    return out


def overlaps(fig: Any, *, shrink_px: float = 0.5) -> list[tuple[str, str]]:
    """Pairs of texts on the drawing (the plan's axes) that overlap, and texts that touch
    a cable: ``(text, other text or "cable")``."""
    canvas, _ = drawn(fig)
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    plan_axes = fig.axes[0]
    mine = [t for t in texts(fig) if t.axes is plan_axes]
    polys = [(t.get_text(), text_polygon(t, renderer).buffer(-shrink_px)) for t in mine]
    bad: list[tuple[str, str]] = []
    tree = shapely.STRtree([p for _, p in polys])
    for i, (text, p) in enumerate(polys):
        for j in tree.query(p, predicate="intersects"):
            if j > i:
                bad.append((text, polys[j][0]))
    symbols = []
    for patch in plan_axes.patches:  # boxes, chargers, grid bubbles
        xy = patch.get_transform().transform(patch.get_path().vertices)
        if len(xy) >= 3:
            symbols.append(Polygon(xy).buffer(0))
    for text, p in polys:
        for s in symbols:
            if p.intersects(s) and not s.contains(p):  # a bubble's own label sits inside it
                bad.append((text, "symbol"))
    lines = cable_lines(fig)
    if lines:
        ltree = shapely.STRtree(lines)
        bad += [(text, "cable") for text, p in polys if len(ltree.query(p, predicate="intersects"))]
    return bad


@dataclass(frozen=True)
class Set:
    """A text as a typeset page sets it: its baseline's start in mm from the page's
    top-left corner."""

    text: str
    x_mm: float
    y_mm: float
    size: float
    colour: str


class Recording(Typesetter):
    """A typesetter that also keeps what each page sets, page by page, and each page's
    size (mm)."""

    def __init__(self) -> None:
        super().__init__(title="test")
        self.seen: list[list[Set]] = []
        self.sizes: list[tuple[float, float]] = []

    def page(self, size_mm: tuple[float, float] | None = None) -> None:
        super().page(size_mm)
        self.seen.append([])
        self.sizes.append(self.size_mm)

    def baseline(
        self,
        x_mm: float,
        y_mm: float,
        text: str,
        *,
        size: float,
        colour: str = "#000000",
        upwards: bool = False,
    ) -> None:
        self.seen[-1].append(Set(text, x_mm, y_mm, size, colour))
        super().baseline(x_mm, y_mm, text, size=size, colour=colour, upwards=upwards)


def typeset(pages: Iterable[Any]) -> Recording:
    """Typeset pages (:data:`planner.documents.Typeset`) set on a :class:`Recording`."""
    setter = Recording()
    made = list(pages)
    for k, page in enumerate(made, start=1):
        page(setter, (k, len(made)))
    setter.output()  # finished: its font file closed
    return setter
