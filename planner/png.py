"""PNG files of the layout sheets: each is its PDF page as printed, rendered by PDFium.

A sheet's PNG used to be drawn a second time by matplotlib's Agg renderer, which lays out
and rasterises every label again (0.2 s an A3 sheet, most of it text); PDFium renders the
PDF page matplotlib has written anyway in a quarter of that, from the same vector drawing
and the same embedded glyphs, so the PNG is the page exactly as it prints.

matplotlib saves PNGs through Pillow, which tries every PNG row filter on every row: on an
A3 sheet at 150 dpi (4.4 megapixels) that took 0.15 s of the 0.33 s a sheet's PNG cost,
for a file no smaller than zlib makes of the unfiltered rows in a third of the time (a
drawing is mostly flat colour, which filtering does not help). So the rows go to zlib
unfiltered (filter type 0), in the three chunks a viewer needs and the one that keeps the
resolution (``pHYs``); the PNG specification, ISO/IEC 15948:2004, clauses 5.3 (chunks),
11.2.2 (IHDR), 11.3.5.3 (pHYs) and 9 (filtering). Speed forced this shape.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np
import pypdfium2 as pdfium

SIGNATURE = b"\x89PNG\r\n\x1a\n"
INCH_M = 0.0254


def png_bytes(pixels: np.ndarray, *, dpi: float, level: int = 1) -> bytes:
    """An ``(height, width, 3 or 4)`` uint8 array as a PNG file; the alpha channel is left
    out when every pixel is opaque (the same image, a quarter fewer bytes)."""
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] not in (3, 4):
        raise ValueError(
            f"a PNG needs an (h, w, 3|4) uint8 array, not {pixels.dtype} {pixels.shape}"
        )
    if pixels.shape[2] == 4 and bool((pixels[..., 3] == 255).all()):
        pixels = pixels[..., :3]
    height, width, channels = pixels.shape
    rows = np.zeros((height, 1 + width * channels), dtype=np.uint8)  # byte 0: filter "none"
    rows[:, 1:] = pixels.reshape(height, -1)
    per_metre = round(dpi / INCH_M)
    colour = 2 if channels == 3 else 6  # truecolour, or truecolour with alpha
    return b"".join(
        [
            SIGNATURE,
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)),
            _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),  # unit: metre
            _chunk(b"IDAT", zlib.compress(rows.tobytes(), level)),
            _chunk(b"IEND", b""),
        ]
    )


def pdf_pixels(pdf: bytes, *, dpi: float) -> Iterator[np.ndarray]:
    """Each page of the PDF ``pdf`` as an ``(height, width, 3)`` RGB array at ``dpi``, on
    white paper."""
    doc = pdfium.PdfDocument(pdf)
    try:
        for k in range(len(doc)):
            page = doc[k]
            bitmap = page.render(scale=dpi / 72, rev_byteorder=True)  # RGB, not PDFium's BGR
            pixels = np.array(bitmap.to_numpy(), copy=True)  # the bitmap's memory is freed
            bitmap.close()
            page.close()
            yield pixels[..., :3]
    finally:
        doc.close()


def write_png(pixels: np.ndarray, target: str | Path | IO[bytes], *, dpi: float) -> None:
    """:func:`png_bytes` written to a path or an open binary file."""
    data = png_bytes(pixels, dpi=dpi)
    if isinstance(target, str | Path):
        Path(target).write_bytes(data)
    else:
        target.write(data)


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body)
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)
