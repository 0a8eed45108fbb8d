"""DWG drawings through pycadkit, read from ../shared/realdata/dwg in place (issue 14 item 1)."""

from __future__ import annotations

import contextlib
import io
from collections import Counter
from pathlib import Path

import pytest

from planner.errors import InputLimitError, PlannerError
from planner.i18n import error_text
from planner.limits import Limits
from planner.readers import convert, read_site
from planner.readers.dwg import dwg_to_dxf, is_dwg
from planner.readers.dxf import convert_dxf


def _kinds(conv: object) -> Counter[str]:
    return Counter(getattr(conv, "counts", {}))


@pytest.mark.realdata
def test_the_banpo_dwg_gives_what_its_dxf_gives(realdata: Path) -> None:
    dwg = convert(realdata / "dwg/banpo/banpo-zumen.dwg", name="banpo.dwg", kind="dwg")
    dxf_path = next((realdata / "banpo-b3-dxf").glob("*.dxf"))
    dxf = convert(dxf_path, name="banpo.dxf", kind="dxf")
    assert dwg.counts["space"] == dxf.counts["space"] == 53
    assert dwg.counts["obstacle:column"] == dxf.counts["obstacle:column"] == 19
    assert dict(dwg.counts) == dict(dxf.counts)

    def stalls(conv: object) -> set[str]:
        return {
            f["properties"]["id"]
            for f in getattr(conv, "features", [])
            if f["properties"]["kind"] == "space"
        }

    assert stalls(dwg) == stalls(dxf)


@pytest.mark.realdata
@pytest.mark.parametrize("name", ["Basement", "Ground", "Level_2"])
def test_the_contoso_drawings_convert(realdata: Path, name: str) -> None:
    """Counted by hand in the drawings: 36 closed polylines on WALLS, one OUTLINE, 63 UNITS
    and no column layer at all (the issue expected columns: these drawings have none)."""
    conv = convert(realdata / f"dwg/azure-contoso-1.0/{name}.dwg", name=f"{name}.dwg", kind="dwg")
    assert conv.counts["level"] == 1
    assert conv.counts["obstacle:wall"] == 36
    assert conv.counts.get("obstacle:column", 0) == 0
    assert conv.unmapped["UNITS"] == 63
    site = conv.collection()
    assert (
        next(f for f in site["features"] if f["properties"]["kind"] == "site")["properties"][
            "units"
        ]
        == "mm"
    )


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("version", "twin"),
    [("AC1015", "AC1015"), ("AC1018", "AC1015"), ("AC1024", "AC1032"), ("AC1032", "AC1032")],
)
def test_every_dwg_version_matches_its_dxf_twin_entity_for_entity(
    realdata: Path, version: str, twin: str
) -> None:
    """The same drawing saved as DWG 2000 ... 2018 against the DXF saved beside it (2000 and
    2018; the 2004 file matches the 2000 twin, the 2010 one the 2018 twin)."""
    import ezdxf
    from ezdxf import recover

    data = (realdata / f"dwg/acadsharp/sample_{version}.dwg").read_bytes()
    assert is_dwg(data)
    doc, _ = recover.read(io.BytesIO(dwg_to_dxf(data, name="s.dwg", limits=Limits())))
    saved = ezdxf.readfile(realdata / f"dwg/acadsharp/sample_{twin}.dxf")
    kinds = {"LINE", "LWPOLYLINE", "CIRCLE", "ARC", "TEXT", "MTEXT", "INSERT"}

    def count(d: object) -> Counter[tuple[str, str]]:
        msp = d.modelspace()  # type: ignore[attr-defined]
        return Counter((e.dxf.layer, e.dxftype()) for e in msp if e.dxftype() in kinds)

    assert count(doc) == count(saved)


@pytest.mark.realdata
def test_a_gbk_drawing_keeps_its_chinese_layer_names(realdata: Path) -> None:
    """The TArch drawing is in GBK: its layers come through as Chinese (read past the
    TArch refusal, straight through pycadkit to the DXF reader)."""
    import cadkit

    data = (realdata / "dwg/libredwg/2013_gh109_1.dwg").read_bytes()
    doc = cadkit.read(data)
    assert doc.codepage == "GBK"
    with pytest.raises(PlannerError):  # nothing of it maps to a garage
        convert_dxf(doc.to_dxf_bytes("r2018"))
    assert "洁具" in {layer["name"] for layer in doc.layers}


@pytest.mark.realdata
def test_a_tarch_drawing_is_refused_with_how_to_export_it(realdata: Path) -> None:
    with pytest.raises(PlannerError, match=r"TArch \(天正\).*TCH_WALL x9.*图形导出.*T3") as caught:
        read_site(realdata / "dwg/libredwg/2013_gh109_1.dwg")
    assert error_text(caught.value, "zh").startswith(
        "“2013_gh109_1.dwg”是天正（TArch）图纸：其墙、柱是天正自定义对象"
        "（TCH_COLUMN x3, TCH_OPENING x7, TCH_WALL x9）"
    )
    assert "改正：请在天正中用“文件布图 → 图形导出”（保存类型：T3）导出" in error_text(
        caught.value, "zh"
    )


def test_r11_and_older_and_damaged_files_get_one_clear_message(tmp_path: Path) -> None:
    old = tmp_path / "old.dwg"
    old.write_bytes(b"AC1009" + bytes(200))
    with pytest.raises(PlannerError, match=r"AC1009 \(R11/R12\), older than R13.*DWG 2000-2018"):
        read_site(old)
    bad = tmp_path / "bad.dwg"
    bad.write_bytes(b"AC1032" + bytes(range(256)) * 8)
    with pytest.raises(PlannerError, match=r"damaged.*AUDIT/RECOVER"):
        read_site(bad)
    other = tmp_path / "notdwg.dwg"
    other.write_bytes(b"%PDF-1.4 not a drawing")
    with pytest.raises(PlannerError, match="not a DWG drawing"):
        read_site(other)


@pytest.mark.realdata
def test_a_dwg_over_the_limits_is_refused(realdata: Path) -> None:
    path = realdata / "dwg/banpo/banpo-zumen.dwg"
    with pytest.raises(InputLimitError, match="over a limit"):
        read_site(path, limits=Limits(max_dxf_entities=10))
    with pytest.raises(InputLimitError):
        read_site(path, limits=Limits(max_bytes=1000))


@pytest.mark.realdata
def test_the_cli_and_the_desk_read_dwg(realdata: Path, tmp_path: Path) -> None:
    from planner.cli import main
    from planner.session import load_upload

    path = realdata / "dwg/banpo/banpo-zumen.dwg"
    assert main(["convert", str(path), "--to", str(tmp_path / "site.geojson")]) == 0
    assert main(["validate", str(realdata / "dwg/libredwg/2013_gh109_1.dwg")]) == 2
    site = load_upload("banpo-zumen.dwg", path.read_bytes())
    assert len(site.spaces) == 53


@pytest.mark.parametrize("seed", range(3))
def test_hostile_dwg_bytes_give_a_planner_error_never_a_crash(seed: int) -> None:
    """Random and truncated DWG-looking bytes (every version header) end in a
    PlannerError; nothing else escapes the reader."""
    import random

    rng = random.Random(seed)
    for head in (b"AC1012", b"AC1015", b"AC1018", b"AC1024", b"AC1027", b"AC1032", b"AC9999"):
        for size in (0, 16, 128, 1024, 20_000):
            data = head + rng.randbytes(size)
            with pytest.raises(PlannerError):
                convert(data, name="x.dwg", kind="dwg")


@pytest.mark.realdata
def test_a_truncated_or_flipped_real_dwg_gives_a_planner_error(realdata: Path) -> None:
    data = (realdata / "dwg/banpo/banpo-zumen.dwg").read_bytes()
    for cut in (0.05, 0.3, 0.6, 0.95):
        with pytest.raises(PlannerError):
            convert(data[: int(len(data) * cut)], name="cut.dwg", kind="dwg")
    for at in range(200, len(data), len(data) // 7):  # a damaged byte here and there
        flipped = bytearray(data)
        flipped[at] ^= 0xFF
        with contextlib.suppress(PlannerError):  # a PlannerError or a drawing, nothing else
            convert(bytes(flipped), name="flip.dwg", kind="dwg")
