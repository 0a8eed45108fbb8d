"""PNG files from pixel arrays: read back by Pillow, the same pixels and resolution."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from planner.drawing import render_level, save_sheet, style
from planner.plan import make_plan
from planner.png import png_bytes
from planner.readers import read_site
from planner.samples import sample_path


@given(
    st.integers(1, 40),
    st.integers(1, 40),
    st.sampled_from([3, 4]),
    st.integers(0, 2**32 - 1),
)
def test_pixels_come_back_as_written(height: int, width: int, channels: int, seed: int) -> None:
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, channels), np.uint8)
    image = Image.open(io.BytesIO(png_bytes(pixels, dpi=150)))
    assert image.size == (width, height)
    back = np.asarray(image.convert("RGBA" if channels == 4 else "RGB"))
    if channels == 4 and (pixels[..., 3] == 255).all():
        assert image.mode == "RGB"
        back = np.asarray(image.convert("RGBA"))
    np.testing.assert_array_equal(back, pixels)
    assert image.info["dpi"] == pytest.approx((150, 150), abs=0.02)  # 5,906 per metre


def test_an_opaque_image_drops_its_alpha() -> None:
    pixels = np.full((2, 3, 4), 255, np.uint8)
    pixels[0, 0] = (10, 20, 30, 255)
    image = Image.open(io.BytesIO(png_bytes(pixels, dpi=96)))
    assert image.mode == "RGB"
    assert image.getpixel((0, 0)) == (10, 20, 30)


def test_not_an_image_array_is_refused() -> None:
    with pytest.raises(ValueError, match="uint8"):
        png_bytes(np.zeros((2, 2, 3), np.float64), dpi=150)


def test_a_sheet_looks_as_matplotlib_draws_it(tmp_path: Path) -> None:
    # the PNG is the PDF page rendered by PDFium: not Agg's pixels, but the same drawing
    # (at a tenth of the size, within a few grey levels nearly everywhere)
    plan = make_plan(read_site(sample_path("c")))
    fig = render_level(plan, "B1")
    save_sheet(fig, tmp_path / "ours.png")
    with mpl.rc_context(style()):
        fig.savefig(tmp_path / "agg.png", dpi=150)
    ours = Image.open(tmp_path / "ours.png")
    assert ours.mode == "RGB"
    assert ours.info["dpi"] == pytest.approx((150, 150), abs=0.02)
    assert ours.size == (2481, 1754)  # A3 at 150 dpi, rounded up (Agg truncates: 2480 x 1753)
    small = (248, 175)
    a = np.asarray(ours.convert("L").resize(small, Image.Resampling.BOX), dtype=float)
    b = Image.open(tmp_path / "agg.png").convert("L").resize(small, Image.Resampling.BOX)
    diff = np.abs(a - np.asarray(b, dtype=float))
    assert (a < 250).mean() > 0.2  # drawn, not blank
    assert diff.mean() < 3
    assert np.percentile(diff, 99) < 40
