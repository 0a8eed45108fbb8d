"""Structured hostile inputs: DXF drawings built around blocks, and IMDF archives built
around their members, from a stream of choices.

Random bytes almost never reach the block expansion of a DXF reader or the member checks
of a zip reader; these builders do, every time: blocks that insert themselves, each
other or a wide tree of others, MINSERT arrays, scaled, mirrored and degenerate inserts,
hatches and curves inside blocks; zip members with duplicate names, the same file in two
folders, paths that climb out, sizes that lie, encryption flags, damaged data. The same
builders run under atheris (coverage-guided, on demand: ``fuzz/atheris_harness.py``) and
under hypothesis in ``tests/test_fuzz.py`` (in CI), through the small :class:`Draw`
interface each adapts to.
"""

from __future__ import annotations

import builtins
import io
import json
import warnings
import zipfile
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

import ezdxf

T = TypeVar("T")


class Draw(Protocol):
    """Choices drawn from the fuzzer."""

    def int(self, lo: int, hi: int) -> int: ...
    def float(self, lo: builtins.float, hi: builtins.float) -> builtins.float: ...
    def text(self, max_size: builtins.int) -> str: ...
    def bytes(self, max_size: builtins.int) -> builtins.bytes: ...


def pick(draw: Draw, options: Sequence[T]) -> T:
    """One of ``options``."""
    return options[draw.int(0, len(options) - 1)]


class AtherisDraw:
    """:class:`Draw` over ``atheris.FuzzedDataProvider``."""

    def __init__(self, fdp: Any) -> None:
        self.fdp = fdp

    def int(self, lo: int, hi: int) -> int:
        return int(self.fdp.ConsumeIntInRange(lo, hi))

    def float(self, lo: builtins.float, hi: builtins.float) -> builtins.float:
        return float(self.fdp.ConsumeFloatInRange(lo, hi))

    def text(self, max_size: builtins.int) -> str:
        return str(self.fdp.ConsumeUnicodeNoSurrogates(max_size))

    def bytes(self, max_size: builtins.int) -> builtins.bytes:
        return bytes(self.fdp.ConsumeBytes(max_size))


LAYERS = ("PARKING", "COLUMN", "WALL", "OUTLINE", "FIRE", "车位", "0", "OTHER")
"""Layers of the default layer map (and two it does not know)."""


def _block_content(draw: Draw, block: Any, names: list[str]) -> None:
    """A few entities in a block: stalls, columns, hatches, curves, inserts of any block
    (itself included)."""
    for _ in range(draw.int(0, 4)):
        layer = pick(draw, LAYERS)
        what = draw.int(0, 6)
        x, y = draw.float(-1e4, 1e4), draw.float(-1e4, 1e4)
        w, h = draw.float(-3000, 3000), draw.float(-6000, 6000)
        attribs = {"layer": layer}
        if what == 0:
            block.add_lwpolyline(
                [(x, y), (x + w, y), (x + w, y + h), (x, y + h)], close=True, dxfattribs=attribs
            )
        elif what == 1:
            block.add_circle((x, y), abs(w) / 10, dxfattribs=attribs)
        elif what == 2:
            hatch = block.add_hatch(dxfattribs=attribs)
            hatch.paths.add_polyline_path([(x, y), (x + w, y), (x, y + h)], is_closed=True)
        elif what == 3:
            block.add_arc(
                (x, y), abs(w) / 2 + 1, draw.float(0, 360), draw.float(0, 360), dxfattribs=attribs
            )
        elif what == 4:
            block.add_text(draw.text(12), dxfattribs=attribs).set_placement((x, y))
        elif what == 5:
            block.add_line((x, y), (x + w, y + h), dxfattribs=attribs)
        else:
            ref = block.add_blockref(pick(draw, names), (x, y), dxfattribs=attribs)
            _insert_shape(draw, ref)


def _insert_shape(draw: Draw, ref: Any) -> None:
    """Scale (zero, negative, huge), rotation and MINSERT array of an insert."""
    ref.dxf.xscale = pick(draw, (1.0, -1.0, 0.0, 1e-9, 1e9, draw.float(-10, 10)))
    ref.dxf.yscale = pick(draw, (1.0, -1.0, 0.0, draw.float(-10, 10)))
    ref.dxf.rotation = draw.float(-720, 720)
    if draw.int(0, 3) == 0:
        ref.grid(size=(draw.int(1, 40), draw.int(1, 40)), spacing=(draw.float(-1e4, 1e4), 3000))


def dxf_with_blocks(draw: Draw) -> bytes:
    """A drawing whose garage is mostly made of blocks, as DXF bytes."""
    doc = ezdxf.new(pick(draw, ("R2000", "R2010", "R2018")))
    doc.header["$INSUNITS"] = pick(draw, (0, 4, 5, 6, 99))
    msp = doc.modelspace()
    msp.add_lwpolyline(
        [(0, 0), (60000, 0), (60000, 30000), (0, 30000)],
        close=True,
        dxfattribs={"layer": "OUTLINE"},
    )
    names = [f"B{k}" for k in range(draw.int(1, 5))]
    blocks = [doc.blocks.new(name) for name in names]
    for block in blocks:
        _block_content(draw, block, names)
    for _ in range(draw.int(1, 6)):
        ref = msp.add_blockref(
            pick(draw, names),
            (draw.float(0, 60000), draw.float(0, 30000)),
            dxfattribs={"layer": pick(draw, LAYERS)},
        )
        _insert_shape(draw, ref)
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue().encode("utf-8")


IMDF_LEVEL: dict[str, Any] = {
    "type": "Feature",
    "id": "L1",
    "feature_type": "level",
    "properties": {"ordinal": -1, "short_name": {"en": "B1"}, "name": {"en": "Garage"}},
    "geometry": {
        "type": "Polygon",
        "coordinates": [
            [[8.55, 47.45], [8.5503, 47.45], [8.5503, 47.4502], [8.55, 47.4502], [8.55, 47.45]]
        ],
    },
}
IMDF_FIXTURE: dict[str, Any] = {
    "type": "Feature",
    "id": "F1",
    "feature_type": "fixture",
    "properties": {"category": "parking way", "level_id": "L1"},
    "geometry": {
        "type": "Polygon",
        "coordinates": [
            [
                [8.5501, 47.4501],
                [8.55023, 47.4501],
                [8.55023, 47.45015],
                [8.5501, 47.45015],
                [8.5501, 47.4501],
            ]
        ],
    },
}
_MEMBERS = {"level": IMDF_LEVEL, "fixture": IMDF_FIXTURE, "unit": None, "opening": None}


def _member_name(draw: Draw, role: str) -> str:
    return pick(
        draw,
        (
            f"{role}.geojson",
            f"imdf/{role}.geojson",
            f"other/{role}.geojson",
            f"../{role}.geojson",
            f"/abs/{role}.geojson",
            f"{role}.GEOJSON",
            f"{draw.text(8)}{role}.geojson",
            draw.text(20),
        ),
    )


def _member_data(draw: Draw, role: str) -> bytes:
    feature = _MEMBERS.get(role)
    features = [] if feature is None else [feature]
    how = draw.int(0, 5)
    if how == 0:
        return draw.bytes(200)
    if how == 1:
        return json.dumps(
            {"type": "FeatureCollection", "features": features * draw.int(0, 50)}
        ).encode()
    if how == 2:
        return json.dumps({"type": "FeatureCollection", "features": draw.text(30)}).encode()
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def imdf_archive(draw: Draw) -> bytes:
    """An IMDF zip whose members are chosen to break a reader, as bytes."""
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w") as z:
        warnings.simplefilter("ignore")  # duplicate names are meant
        for _ in range(draw.int(0, 8)):
            role = pick(draw, ("level", "fixture", "unit", "opening", "manifest"))
            info = zipfile.ZipInfo(_member_name(draw, role))
            info.compress_type = pick(draw, (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED))
            if draw.int(0, 5) == 0:
                info.flag_bits |= 0x1  # says encrypted
            z.writestr(info, _member_data(draw, role))
    data = bytearray(buf.getvalue())
    for _ in range(draw.int(0, 2)):  # damage: a byte anywhere (sizes, CRCs, names)
        if data:
            data[draw.int(0, len(data) - 1)] = draw.int(0, 255)
    return bytes(data)
