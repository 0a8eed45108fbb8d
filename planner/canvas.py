"""Line drawings in millimetres on either surface: a matplotlib axes (the layout sheets,
saved as PNG, SVG and PDF) or a typeset page (:mod:`planner.typeset`; the system diagrams,
which only go into ``approval.pdf``).

A system diagram is some 250 texts and 200 strokes. As a matplotlib figure it took 0.3 s to
build and 0.45 s to write (every CJK glyph a Type 3 procedure), 216 pages at 5,000 stalls;
typeset, a few milliseconds. The title block is drawn through the same interface, so the
diagrams and the layout sheets share its code.

Coordinates are mm from the lower-left corner of a panel, y up, as matplotlib's are. Texts
are anchored as matplotlib anchors them (``ha``, ``va``; :func:`planner.fonts.text_box_pt`),
so a text sits in the same place on either surface (``tests/test_canvas.py``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Protocol

from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.patches import Ellipse, Rectangle

from planner.fonts import text_box_pt
from planner.styles import PAGE_NUMBER_MM, PAGE_NUMBER_PT
from planner.typeset import PT_MM, Typesetter


class Canvas(Protocol):
    """What a diagram or a title block draws with."""

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        ha: str = "left",
        va: str = "baseline",
        colour: str = "black",
        rotation: float = 0.0,
    ) -> None:
        """``text`` at ``size`` points anchored at (x, y) as matplotlib anchors it."""

    def line(
        self, xs: Sequence[float], ys: Sequence[float], *, lw: float, colour: str = "black"
    ) -> None:
        """A polyline ``lw`` points wide."""

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        lw: float,
        fill: str | None = None,
        dashes: tuple[float, float] | None = None,
    ) -> None:
        """A rectangle from its lower-left corner, filled with ``fill`` if given, dashed
        ``dashes`` (on, off) in multiples of its line width if given."""

    def ellipse(self, cx: float, cy: float, w: float, h: float, *, lw: float) -> None:
        """An ellipse ``w`` by ``h`` around its centre, not filled."""


class AxesCanvas:
    """A :class:`Canvas` on a matplotlib axes whose data units are mm
    (:func:`planner.drawing.panel_axes`)."""

    def __init__(self, ax: Axes) -> None:
        self.ax = ax

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        ha: str = "left",
        va: str = "baseline",
        colour: str = "black",
        rotation: float = 0.0,
    ) -> None:
        self.ax.text(x, y, text, fontsize=size, ha=ha, va=va, color=colour, rotation=rotation)

    def line(
        self, xs: Sequence[float], ys: Sequence[float], *, lw: float, colour: str = "black"
    ) -> None:
        self.ax.plot(xs, ys, color=colour, lw=lw)

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        lw: float,
        fill: str | None = None,
        dashes: tuple[float, float] | None = None,
    ) -> None:
        self.ax.add_patch(
            Rectangle(
                (x, y),
                w,
                h,
                fill=fill is not None,
                facecolor=fill or "none",
                edgecolor="black",
                lw=lw,
                ls=(0, dashes) if dashes else "-",
            )
        )

    def ellipse(self, cx: float, cy: float, w: float, h: float, *, lw: float) -> None:
        self.ax.add_patch(Ellipse((cx, cy), w, h, fill=False, lw=lw))


def _box(text: str, size: float) -> tuple[float, float]:
    """The height and descent (mm) of the box matplotlib anchors a one-line ``text`` by."""
    ascent, descent = text_box_pt(text, size)
    return (ascent + descent) * PT_MM, descent * PT_MM


class PageCanvas:
    """A :class:`Canvas` on a typeset page: a panel whose lower-left corner is at
    ``origin`` (mm from the page's lower-left corner)."""

    def __init__(self, setter: Typesetter, origin: tuple[float, float]) -> None:
        self.setter = setter
        self.x0 = origin[0]
        self.top = setter.size_mm[1] - origin[1]  # the panel's y = 0, from the page's top

    def _at(self, x: float, y: float) -> tuple[float, float]:
        return self.x0 + x, self.top - y

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        ha: str = "left",
        va: str = "baseline",
        colour: str = "black",
        rotation: float = 0.0,
    ) -> None:
        setter = self.setter
        height, descent = _box(text, size)
        width = setter.width(text, size=size)
        colour = to_hex(colour)
        if rotation:  # upright text, or text reading upwards (the 会签 label)
            assert rotation == 90, rotation
            # the box turned a quarter left: its left edge is the glyphs' tops, its height
            # the text's width
            across = {"left": 0.0, "center": -height / 2, "right": -height}[ha]
            start = {"bottom": 0.0, "baseline": 0.0, "top": -width}.get(va, -width / 2)
            px, py = self._at(x + height - descent + across, y + start)
            setter.baseline(px, py, text, size=size, colour=colour, upwards=True)
            return
        # where the baseline goes under matplotlib's anchoring of the text's box
        lift = {"baseline": 0.0, "bottom": descent, "top": descent - height}.get(
            va, descent - height / 2
        )
        along = {"left": 0.0, "center": -width / 2, "right": -width}[ha]
        px, py = self._at(x + along, y + lift)
        setter.baseline(px, py, text, size=size, colour=colour)

    def line(
        self, xs: Sequence[float], ys: Sequence[float], *, lw: float, colour: str = "black"
    ) -> None:
        pdf = self.setter.pdf
        pdf.set_draw_color(to_hex(colour))
        pdf.set_line_width(lw * PT_MM)
        points = [self._at(x, y) for x, y in zip(xs, ys, strict=True)]
        for (ax, ay), (bx, by) in itertools.pairwise(points):
            pdf.line(ax, ay, bx, by)

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        lw: float,
        fill: str | None = None,
        dashes: tuple[float, float] | None = None,
    ) -> None:
        pdf = self.setter.pdf
        pdf.set_draw_color(0)
        pdf.set_line_width(lw * PT_MM)
        if fill is not None:
            pdf.set_fill_color(to_hex(fill))
        if dashes:  # matplotlib scales a dash pattern by the line's width
            pdf.set_dash_pattern(dash=dashes[0] * lw * PT_MM, gap=dashes[1] * lw * PT_MM)
        left, top = self._at(x, y + h)
        pdf.rect(left, top, w, h, style="DF" if fill is not None else "D")
        if dashes:
            pdf.set_dash_pattern()

    def ellipse(self, cx: float, cy: float, w: float, h: float, *, lw: float) -> None:
        pdf = self.setter.pdf
        pdf.set_draw_color(0)
        pdf.set_line_width(lw * PT_MM)
        left, top = self._at(cx - w / 2, cy + h / 2)
        pdf.ellipse(left, top, w, h, style="D")


def typeset_page_number(setter: Typesetter, page: tuple[int, int]) -> None:
    """ "x / y" on the current typeset page, where :func:`planner.drawing.page_number`
    puts it on a drawn one."""
    right, up = PAGE_NUMBER_MM
    PageCanvas(setter, (0.0, 0.0)).text(
        setter.size_mm[0] - right,
        up,
        f"{page[0]} / {page[1]}",
        size=PAGE_NUMBER_PT,
        ha="right",
        va="center",
    )
