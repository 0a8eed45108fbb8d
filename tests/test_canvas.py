"""The two drawing surfaces put a text in the same place: a matplotlib sheet saved as PDF
and a typeset page, read back by PDFium, character by character."""

from __future__ import annotations

import io

import matplotlib as mpl
import pypdfium2 as pdfium
from matplotlib.backends.backend_pdf import PdfPages

from planner.canvas import AxesCanvas, Canvas, PageCanvas
from planner.documents import _page
from planner.drawing import panel_axes, style
from planner.typeset import Typesetter

PAGE = (210.0, 297.0)
PANEL = (20.0, 30.0, 150.0, 200.0)
ANCHORS = [
    (ha, va, 0.0)
    for ha in ("left", "center", "right")
    for va in ("baseline", "bottom", "center", "top")
] + [("left", "center", 90.0)]


def _draw(canvas: Canvas) -> None:
    for k, (ha, va, rotation) in enumerate(ANCHORS):
        y = 10.0 + 14.0 * k
        canvas.text(75.0, y, "配电lpWP01", size=10.0, ha=ha, va=va, rotation=rotation)
        canvas.line([0, 150], [y, y], lw=0.5)


def _boxes(data: bytes) -> list[tuple[str, tuple[float, ...]]]:
    """Each printed character and its box in mm (left, bottom, right, top)."""
    doc = pdfium.PdfDocument(data)
    try:
        text = doc[0].get_textpage()
        out = []
        for i in range(text.count_chars()):
            ch = text.get_text_range(i, 1)
            if ch.strip():
                out.append((ch, tuple(v * 25.4 / 72 for v in text.get_charbox(i))))
        return out
    finally:
        doc.close()


def test_texts_sit_where_matplotlib_puts_them() -> None:
    with mpl.rc_context(style()):
        fig = _page(PAGE)
        _draw(AxesCanvas(panel_axes(fig, PANEL, PAGE)))
        drawn = io.BytesIO()
        with PdfPages(drawn) as pdf:
            pdf.savefig(fig)
    with Typesetter(title="t", size_mm=PAGE) as setter:
        setter.page()
        _draw(PageCanvas(setter, PANEL[:2]))
        typeset = setter.output()
    a, b = _boxes(drawn.getvalue()), _boxes(typeset)
    assert [ch for ch, _ in a] == [ch for ch, _ in b]
    assert len(a) == len(ANCHORS) * len("配电lpWP01")
    worst = max(
        abs(p - q)
        for (_, pa), (_, pb) in zip(a, b, strict=True)
        for p, q in zip(pa, pb, strict=True)
    )
    assert worst < 0.1, worst  # mm
