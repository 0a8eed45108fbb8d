"""Text pages typeset with fpdf2: the owner papers (:mod:`planner.papers`) and the text
parts of ``approval.pdf`` (design notes, tables).

A page of text drawn as a matplotlib figure is slow to write: the CJK font is embedded as
Type 3 (it is CFF-flavoured OpenType) and every glyph outside the first 256 is its own
PDF object; a 9 pt table page took half a second. fpdf2 embeds the font once per document
as CFF, with a text layer that viewers search and copy (pypdf misreads its CMaps, pypdf
issue 2295; PDFium, Chromium's engine, reads them), and sets a page in milliseconds.

Places are in mm from the page's top-left corner, as fpdf2 and :func:`text_layout` use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from fpdf import FPDF
from fpdf.fonts import TTFFont
from PIL import Image

from planner.fonts import cjk_font_path
from planner.styles import MM_PER_INCH

PT_MM = MM_PER_INCH / 72
"""One typographic point in mm."""


def _pil(image: Any) -> Any:
    """An image array (floats in 0-1 as matplotlib reads a PNG, or bytes) as a PIL image."""
    arr = np.asarray(image)
    if arr.dtype.kind == "f":
        arr = np.round(np.clip(arr, 0, 1) * 255)
    return Image.fromarray(arr.astype(np.uint8))


Typeset = Callable[["Typesetter", tuple[int, int]], None]
"""A page to typeset: given the document, it adds itself with its "x / y" number."""


class Typesetter:
    """One fpdf2 document in the CJK font (Noto Sans CJK SC, embedded once)."""

    def __init__(
        self,
        *,
        title: str,
        size_mm: tuple[float, float] = (210.0, 297.0),
        font: Path | None = None,
    ) -> None:
        pdf = FPDF(orientation="portrait", unit="mm", format=size_mm)
        pdf.set_auto_page_break(auto=False)
        pdf.set_creator("EV garage planner")
        pdf.set_title(title)
        pdf.add_font("cjk", fname=str(font or cjk_font_path()))  # a cut-down copy, or whole
        pdf.set_font("cjk", size=9.0)
        self.pdf = pdf
        current = pdf.current_font
        assert isinstance(current, TTFFont)
        # The subset keeps the whole font's bounding box, which encloses every glyph it
        # keeps: fontTools would otherwise trace each kept glyph's outline, twice (fpdf2
        # compiles the subset twice), half of what a document's output costs.
        current.ttfont.recalcBBoxes = False
        self.ascent = current.desc.ascent / 1000  # of the em: fpdf2 places text by its baseline
        self.size_mm = size_mm
        self._colour = ""
        self._done: bytes | None = None

    def page(self, size_mm: tuple[float, float] | None = None) -> None:
        """Start a page of ``size_mm`` (width, height), the document's size by default."""
        w, h = size_mm or self.size_mm
        self.pdf.add_page(format=(w, h))  # as given: "landscape" would swap them
        self.size_mm = (w, h)

    @property
    def pages(self) -> int:
        """Pages set so far."""
        return int(self.pdf.page_no())

    def section(self, title: str, level: int = 0) -> None:
        """A bookmark to the current page."""
        self.pdf.start_section(title, level=level)

    def text(
        self,
        x_mm: float,
        top_mm: float,
        text: str,
        *,
        size: float,
        colour: str = "#000000",
        align: str = "left",
    ) -> None:
        """One line with the top of its em at ``top_mm``; ``align`` says whether ``x_mm``
        is its left edge, its centre or its right edge."""
        if align != "left":
            width = self.width(text, size=size)
            x_mm -= width / 2 if align == "centre" else width
        self.baseline(x_mm, top_mm + self.ascent * size * PT_MM, text, size=size, colour=colour)

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
        """One line starting at (x, y) on its baseline; ``upwards`` turns it a quarter
        left, to read from the foot of the page up."""
        pdf = self.pdf
        pdf.set_font_size(size)
        if colour != self._colour:  # fpdf2 parses the hex colour anew at every call
            pdf.set_text_color(colour)
            self._colour = colour
        if upwards:
            with pdf.rotation(90, x=x_mm, y=y_mm):
                pdf.text(x_mm, y_mm, text)
        else:
            pdf.text(x_mm, y_mm, text)

    def width(self, text: str, *, size: float) -> float:
        """The width of one line of ``text`` at ``size``, in mm."""
        self.pdf.set_font_size(size)
        return float(self.pdf.get_string_width(text))

    def lines(
        self,
        x_mm: float,
        top_mm: float,
        lines: Sequence[str],
        *,
        size: float,
        step_mm: float,
        colour: str = "#000000",
    ) -> None:
        """Lines one under another, ``step_mm`` apart."""
        for k, line in enumerate(lines):
            if line:
                self.text(x_mm, top_mm + k * step_mm, line, size=size, colour=colour)

    def rule(self, x0_mm: float, x1_mm: float, top_mm: float, *, width_pt: float) -> None:
        """A black horizontal line ``width_pt`` thick."""
        self.pdf.set_draw_color(0)
        self.pdf.set_line_width(width_pt * PT_MM)
        self.pdf.line(x0_mm, top_mm, x1_mm, top_mm)

    def image(self, image: Any, x_mm: float, top_mm: float, side_mm: float) -> None:
        """An RGB(A) array in a square ``side_mm`` wide."""
        self.pdf.image(_pil(image), x=x_mm, y=top_mm, w=side_mm, h=side_mm)

    def output(self) -> bytes:
        """The finished document (the font files are closed then: fpdf2 keeps them open
        to subset them)."""
        if self._done is None:
            self._done = bytes(self.pdf.output())
            self.close()
        return self._done

    def close(self) -> None:
        """Close the font files without writing the document."""
        for font in self.pdf.fonts.values():
            if isinstance(font, TTFFont):
                font.close()

    def __enter__(self) -> Typesetter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
