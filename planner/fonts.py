"""The CJK font for drawings and documents: Noto Sans CJK SC (SIL Open Font Licence), as
shipped in the ``mplfonts`` wheel, registered with matplotlib's font manager on first use.
The wheel's SimHei is not freely licensed and is never registered."""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Iterable
from pathlib import Path
from typing import Any

CJK_FILE = "NotoSansCJKsc-Regular.otf"


def cjk_font_path() -> Path:
    """Path of the Noto Sans CJK SC file, found without importing ``mplfonts``."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "the mplfonts package is missing: reinstall the planner "
            "(python3 dev.py test or pip install -e .)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / CJK_FILE
    if not path.exists():
        raise RuntimeError(f"{path} is missing from the mplfonts package: reinstall it")
    return path


def cjk_subset(texts: Iterable[str], path: Path) -> Path:
    """Write to ``path`` the CJK font cut down to the characters of ``texts`` and printable
    ASCII, the same glyphs with the same metrics: the owner papers' documents load it
    instead of the 16 MB file. Speed shaped this: each document of 500 requests spent 0.8 s
    of its 1.9 s loading the whole font, looking glyphs up in it and subsetting it again;
    cut once per run, the pages come out the same (pixel for pixel, every page of a 1,000-
    paper document compared) and the 5k package's owner papers take 13.4 s, not 15.5 s."""
    from fontTools import subset  # fontTools only for the owner papers

    chars = set(map(chr, range(0x20, 0x7F)))
    for text in set(texts):  # the papers' texts repeat (10,000 papers, 15,000 strings)
        chars.update(text)
    options = subset.Options()
    options.layout_features = ["*"]  # the font's own tables kept whole: only glyphs go
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(cjk_font_path()), options)
    try:  # the font file stays open while its tables are read lazily
        cutter = subset.Subsetter(options)
        cutter.populate(unicodes=sorted(map(ord, chars)))
        cutter.subset(font)
        subset.save_font(font, str(path), options)
    finally:
        font.close()
    return path


@functools.cache
def cjk_family() -> str:
    """Register the CJK font with matplotlib (once) and return its family name."""
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return str(font_manager.FontProperties(fname=str(path)).get_name())


@functools.cache
def advance_pt(ch: str, size: float) -> float:
    """Width of one character of the CJK font at ``size`` points, in points (cached)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    renderer = _renderer(FigureCanvasAgg, Figure)
    prop = FontProperties(family=cjk_family(), size=size)
    w, _, _ = renderer.get_text_width_height_descent(ch, prop, ismath=False)
    return float(w) * 72 / float(renderer.dpi)


def text_box_pt(text: str, size: float) -> tuple[float, float]:
    """The ascent and descent (points) of the box that anchors a one-line ``text`` in the
    CJK font at ``size``, as matplotlib (>= 3.11, ``Text._get_layout``, line spacing
    "normal") lays it out for PDF: the text's own unhinted extent, but never less than the
    font's typographic ascender and descender (OS/2 table). The extent of a line is that
    of its highest and lowest glyph, each measured once (laying out a whole line in the
    CJK font took 0.7 ms)."""
    typo_ascent, typo_descent = _typo_box()
    ascent = max((_glyph_box(ch)[0] for ch in text), default=0.0)
    descent = max((_glyph_box(ch)[1] for ch in text), default=0.0)
    return max(ascent, typo_ascent) * size, max(descent, typo_descent) * size


_REFERENCE_PT = 1000.0
"""Glyphs are measured at this size and scaled: unhinted outlines scale linearly."""


@functools.cache
def _glyph_box(ch: str) -> tuple[float, float]:
    """Ascent and descent of one character's outline, per point of font size."""
    from matplotlib.font_manager import get_font
    from matplotlib.ft2font import LoadFlags

    font = get_font(str(cjk_font_path()))
    font.set_size(_REFERENCE_PT, 72)
    font.set_text(ch, 0.0, flags=LoadFlags.NO_HINTING)
    _, height = font.get_width_height()
    descent = font.get_descent() / 64
    return (height / 64 - descent) / _REFERENCE_PT, descent / _REFERENCE_PT


@functools.cache
def _typo_box() -> tuple[float, float]:
    """The font's typographic ascender and descender, per point of font size."""
    from matplotlib.font_manager import get_font

    font = get_font(str(cjk_font_path()))
    os2 = font.get_sfnt_table("OS/2")
    assert os2 is not None
    return os2["sTypoAscender"] / font.units_per_EM, -os2["sTypoDescender"] / font.units_per_EM


_RENDERER: list[Any] = []


def _renderer(canvas: type, figure: type) -> Any:
    if not _RENDERER:
        _RENDERER.append(canvas(figure(dpi=72)).get_renderer())
    return _RENDERER[0]


def text_width_pt(text: str, size: float) -> float:
    """Width of a one-line text in points, from cached character advances."""
    return sum(advance_pt(ch, size) for ch in text)


def is_cjk(ch: str) -> bool:
    """A CJK ideograph, CJK punctuation or a full-width form."""
    return "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or "\u3000" <= ch <= "\u303f"


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds any Chinese (it then needs the larger minimum height)."""
    return any(is_cjk(ch) for ch in text)


def wrap(text: str, width_pt: float, size: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width_pt`` at font ``size``: anywhere
    between CJK characters, at spaces in Latin text (a long word is cut if it must)."""
    lines: list[str] = []
    for para in text.split("\n"):
        line, width = "", 0.0
        last_space = -1
        for ch in para:
            w = advance_pt(ch, size)
            if width + w > width_pt and line:
                if ch != " " and last_space > 0 and not is_cjk(ch):
                    lines.append(line[:last_space])
                    line = line[last_space + 1 :]
                    width = sum(advance_pt(c, size) for c in line)
                else:
                    lines.append(line)
                    line, width = "", 0.0
                last_space = -1
                if ch == " ":
                    continue
            if ch == " ":
                last_space = len(line)
            line += ch
            width += w
        lines.append(line)
    return lines
