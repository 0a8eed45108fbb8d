"""DXF drawings: hand-made drawings with known answers, the real Banpo B3 car park, and the
round trip through the planner's own DXF export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import ezdxf
import pytest
import shapely
from ezdxf.entities import LWPolyline
from shapely.geometry import shape

from planner.errors import PlannerError
from planner.plan import make_plan
from planner.readers import parse_site, read_site, site_from_conversion
from planner.readers.dxf import convert_dxf
from planner.readers.layers import LayerMap
from planner.samples import sample_path
from planner.writers.dxf import write_dxf


def _square(msp, x: float, y: float, w: float, h: float, layer: str) -> None:  # type: ignore[no-untyped-def]  # noqa: PLR0917
    msp.add_lwpolyline(
        [(x, y), (x + w, y), (x + w, y + h), (x, y + h)], close=True, dxfattribs={"layer": layer}
    )


def _drawing(version: str = "R2013", units: int = 4) -> ezdxf.document.Drawing:
    """A 20 x 10 m garage in millimetres: outline, two stalls numbered in Chinese, a column
    drawn as a circle, a block of two stalls inserted twice, a hatch stall, a wall."""
    doc = ezdxf.new(version)
    doc.header["$INSUNITS"] = units
    msp = doc.modelspace()
    _square(msp, 0, 0, 20000, 10000, "车库轮廓")
    for k, x in enumerate((1000, 3500)):
        _square(msp, x, 0, 2500, 5300, "车位")
        msp.add_text(f"车位{k + 1:03d}", dxfattribs={"layer": "车位"}).set_placement(
            (x + 1250, 2650)
        )
    msp.add_circle((8000, 7000), 300, dxfattribs={"layer": "柱"})
    block = doc.blocks.new("双车位")
    block.add_lwpolyline(
        [(0, 0), (2500, 0), (2500, 5300), (0, 5300)], close=True, dxfattribs={"layer": "车位"}
    )
    block.add_lwpolyline(
        [(2500, 0), (5000, 0), (5000, 5300), (2500, 5300)], close=True, dxfattribs={"layer": "车位"}
    )
    msp.add_blockref("双车位", (10000, 0), dxfattribs={"layer": "车位"})
    msp.add_blockref("双车位", (10000, 10000), dxfattribs={"layer": "车位", "rotation": -90})
    hatch = msp.add_hatch(dxfattribs={"layer": "车位"})
    hatch.paths.add_polyline_path(
        [(16000, 0), (18500, 0), (18500, 5300), (16000, 5300)], is_closed=True
    )
    msp.add_line((0, 8000), (6000, 8000), dxfattribs={"layer": "墙"})
    msp.add_line((0, 0), (1, 1), dxfattribs={"layer": "随便什么"})
    return doc


def test_hand_made_drawing_converts_with_known_answers(tmp_path: Path) -> None:
    path = tmp_path / "garage.dxf"
    _drawing().saveas(path)
    conv = convert_dxf(path, name="garage.dxf")
    assert conv.counts["space"] == 7
    assert conv.counts["obstacle:column"] == 1
    assert conv.counts["obstacle:wall"] == 1
    assert conv.unmapped == {"随便什么": 1}
    site = site_from_conversion(conv)
    assert site.frame.units == "mm"
    assert site.level("B1").outline.area == pytest.approx(200.0)
    ids = [s.id for s in site.spaces]
    assert ids[:2] == ["车位001", "车位002"]
    assert all(s.polygon.area == pytest.approx(2.5 * 5.3) for s in site.spaces)
    turned = sorted(
        s.polygon.bounds for s in site.spaces if s.polygon.bounds[2] - s.polygon.bounds[0] > 5
    )
    # the second INSERT, turned -90° about (10, 10), lies on its side below y = 10
    assert turned == [pytest.approx((10, 5, 15.3, 7.5)), pytest.approx((10, 7.5, 15.3, 10))]
    (column,) = [o for o in site.obstacles if o.type == "column"]
    assert column.geometry.bounds == pytest.approx((7.7, 6.7, 8.3, 7.3))  # bounding square
    (comp,) = site.compartments
    assert comp.polygon.area == pytest.approx(200.0)
    codes = [w.code for w in site.warnings]
    assert "LAYERS_UNMAPPED" in codes
    assert "CONVERTED_COMPLETE" in codes


def test_legacy_cp936_drawing_keeps_chinese_stall_numbers(tmp_path: Path) -> None:
    doc = _drawing(version="R2000")
    doc.encoding = "gbk"  # cp936: written with $DWGCODEPAGE = ANSI_936, as Chinese CAD does
    path = tmp_path / "gbk.dxf"
    doc.saveas(path)
    raw = path.read_bytes()
    assert b"ANSI_936" in raw
    assert "车位001".encode("cp936") in raw  # really written in the legacy code page
    site = site_from_conversion(convert_dxf(path))
    assert [s.id for s in site.spaces][:2] == ["车位001", "车位002"]
    assert site_from_conversion(convert_dxf(raw)).spaces[0].id == "车位001"  # from bytes too


def test_units_from_insunits_or_given(tmp_path: Path) -> None:
    path = tmp_path / "cm.dxf"
    _drawing(units=5).saveas(path)
    assert site_from_conversion(convert_dxf(path)).frame.units == "cm"
    assert site_from_conversion(convert_dxf(path, units="mm")).frame.units == "mm"


def test_open_compartment_lines_close_with_walls(tmp_path: Path) -> None:
    doc = ezdxf.new("R2013")
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()
    _square(msp, 0, 0, 40, 20, "OUTLINE")
    msp.add_line((20, 0), (20, 12), dxfattribs={"layer": "防火分区"})  # ends at a wall
    msp.add_line((20, 12), (20, 20), dxfattribs={"layer": "WALL"})
    _square(msp, 2, 0, 2.5, 5.3, "PARKING")
    conv = convert_dxf(doc_bytes(doc, tmp_path))
    site = site_from_conversion(conv)
    areas = sorted(round(c.polygon.area, 1) for c in site.compartments)
    assert areas == [400.0, 400.0]


def doc_bytes(doc: ezdxf.document.Drawing, tmp_path: Path) -> bytes:
    path = tmp_path / "x.dxf"
    doc.saveas(path)
    return path.read_bytes()


def test_nothing_mapped_and_not_a_dxf() -> None:
    doc = ezdxf.new("R2013")
    doc.modelspace().add_line((0, 0), (1, 1), dxfattribs={"layer": "ZZZ"})
    import io

    stream = io.StringIO()
    doc.write(stream)
    with pytest.raises(
        PlannerError, match=r"no entity of the drawing maps to a site kind.*--layers"
    ):
        convert_dxf(stream.getvalue().encode())
    with pytest.raises(PlannerError, match="not a DXF drawing"):
        convert_dxf(b"\x00\x01 not a drawing")


def test_round_trip_through_the_planners_own_dxf(tmp_path: Path) -> None:
    site = read_site(sample_path("b"))
    plan = make_plan(site)
    path = write_dxf(plan, tmp_path / "plan.dxf")
    back = site_from_conversion(convert_dxf(path))
    assert [lv.id for lv in back.levels] == [lv.id for lv in site.levels]
    assert sorted(c.id for c in back.compartments) == sorted(c.id for c in site.compartments)
    assert sorted(s.id for s in back.spaces) == sorted(s.id for s in site.spaces)
    before = {s.id: s.polygon for s in site.spaces}
    for s in back.spaces:
        assert s.polygon.equals_exact(
            before[s.id], tolerance=0.001
        ) or s.polygon.normalize().equals_exact(before[s.id].normalize(), tolerance=0.001)
    comps = {c.id: c.polygon for c in site.compartments}
    for c in back.compartments:
        assert c.polygon.symmetric_difference(comps[c.id]).area < 0.01
    types = sorted((o.level, o.type) for o in site.obstacles)
    assert sorted((o.level, o.type) for o in back.obstacles) == types


# -- the real Banpo B3 car park (no licence: read from ../shared, never copied) -------------
BANPO_MAP = """[layers]
"p-parking-*" = "space"
"e-pillar" = "obstacle:column"
"e-zone-area" = "compartment"
"e-outline" = "level"
"e-charger" = "charger"
"e-elevator" = "obstacle:shaft"
"e-entrance" = "obstacle:ramp"
"""


@pytest.mark.realdata
def test_banpo_converts_and_plans_its_ev_stalls(realdata: Path, tmp_path: Path) -> None:
    layer_map = tmp_path / "banpo.toml"
    layer_map.write_text(BANPO_MAP, encoding="utf-8")
    dxf = realdata / "banpo-b3-dxf" / "banpo-b3.dxf"
    conv = convert_dxf(dxf, layers=LayerMap.load(layer_map), name="banpo-b3")
    assert conv.counts["space"] == 53
    assert conv.counts["obstacle:column"] == 19
    assert conv.counts["compartment"] == 3
    assert "e-drivewayline" in conv.unmapped
    doc = conv.collection()
    ev = _ev_stalls(dxf)
    level = next(f for f in doc["features"] if f["properties"]["kind"] == "level")
    level["properties"].update(
        garage_type="underground",
        floor=-3,
        **dict.fromkeys(
            ("fire_alarm", "smoke_exhaust", "sprinklers", "emergency_lighting", "evacuation_signs"),
            True,
        ),
    )
    spaces = [f for f in doc["features"] if f["properties"]["kind"] == "space"]
    ev_ids = [
        f["properties"]["id"]
        for f in spaces
        if any(shape(f["geometry"]).equals_exact(g, 1e-6) for g in ev)
    ]
    assert len(ev_ids) == 5
    for k, sid in enumerate(ev_ids):
        doc["features"].append(
            {
                "type": "Feature",
                "geometry": None,
                "properties": {
                    "kind": "request",
                    "id": f"EV{k + 1}",
                    "space": sid,
                    "charger_kw": 7,
                    "registered": f"2024-05-0{k + 1}",
                    "documents": ["id_document", "property_consent", "parking_certificate"],
                },
            }
        )
    site = parse_site(json.dumps(doc, ensure_ascii=False).encode())
    assert all(
        site.spaces[[s.id for s in site.spaces].index(i)].charger is not None for i in ev_ids
    ), "the e-charger circles are the charger points"
    plan = make_plan(site)
    zones = {c.id: c.polygon for c in site.compartments}
    for r in plan.requests:
        assert r.status in ("planned", "blocked"), (r.id, r.status, r.reasons)
        if r.status == "blocked":
            assert any(x.effect == "blocked" for x in r.reasons)
        else:
            cable = next(c for c in plan.cables if c.request == r.id)
            assert cable.line.difference(zones[cable.compartment].buffer(0.001)).length < 0.01
    assert any(r.status == "planned" for r in plan.requests)


def _ev_stalls(path: Path) -> list[shapely.Polygon]:
    doc = ezdxf.readfile(path)
    return [
        shapely.Polygon(list(e.get_points("xy")))  # millimetres, as converted
        for e in doc.modelspace().query('LWPOLYLINE[layer=="p-parking-large-electric"]')
        if isinstance(e, LWPolyline)
    ]


def test_curves_3d_entities_and_minsert_are_converted_or_reported(tmp_path: Path) -> None:
    """Issue 11 item 6: nothing on a mapped layer is lost without a word."""
    import ezdxf as ez

    doc = ez.new()
    msp = doc.modelspace()
    msp.add_lwpolyline(
        [(0, 0), (60000, 0), (60000, 30000), (0, 30000)],
        close=True,
        dxfattribs={"layer": "OUTLINE"},
    )
    stall = [(1000, 1000), (3500, 1000), (3500, 6300), (1000, 6300)]
    msp.add_polyline3d([(x, y, 0) for x, y in stall], close=True, dxfattribs={"layer": "PARKING"})
    msp.add_solid(
        [(40000, 1000), (42500, 1000), (40000, 6300), (42500, 6300)],
        dxfattribs={"layer": "PARKING"},
    )
    msp.add_3dface(
        [(45000, 1000, 0), (47500, 1000, 0), (47500, 6300, 0), (45000, 6300, 0)],
        dxfattribs={"layer": "PARKING"},
    )
    msp.add_spline([(10000, 10000), (12000, 12000), (14000, 10000)], dxfattribs={"layer": "WALL"})
    msp.add_arc((30000, 20000), 500, 0, 180, dxfattribs={"layer": "WALL"})
    msp.add_ellipse((20000, 20000), major_axis=(600, 0), ratio=0.5, dxfattribs={"layer": "COLUMN"})
    block = doc.blocks.new("STALL")
    block.add_lwpolyline(
        [(0, 0), (2500, 0), (2500, 5300), (0, 5300)], close=True, dxfattribs={"layer": "PARKING"}
    )
    msp.add_blockref("STALL", (5000, 10000)).grid(size=(2, 3), spacing=(6000, 3000))
    mesh = msp.add_mesh(dxfattribs={"layer": "PARKING"})
    with mesh.edit_data() as data:
        data.vertices = [(0, 0, 0), (1, 0, 0), (1, 1, 0)]
        data.faces = [(0, 1, 2)]
    path = tmp_path / "curves.dxf"
    doc.saveas(path)
    conv = convert_dxf(path, name="curves")
    assert conv.counts["space"] == 3 + 6  # 3D polyline, SOLID, 3DFACE and a 2 x 3 MINSERT
    assert conv.counts["obstacle:wall"] == 2  # SPLINE and ARC, flattened
    assert conv.counts["obstacle:column"] == 1  # ELLIPSE
    assert any("MESH on PARKING" in n for n in conv.notes)


def test_a_huge_hatch_is_sized_before_it_is_computed_and_only_on_mapped_layers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11 item 2: a HATCH of 20,000 edges is counted and left out, never flattened;
    one on an unmapped layer is not even looked at."""
    doc = ezdxf.new()
    msp = doc.modelspace()
    _square(msp, 0, 0, 60000, 30000, "OUTLINE")
    _square(msp, 1000, 1000, 2500, 5300, "PARKING")
    ring = shapely.Point(20000, 20000).buffer(5000, quad_segs=5000).exterior.coords
    msp.add_hatch(dxfattribs={"layer": "PARKING"}).paths.add_polyline_path(ring)
    msp.add_hatch(dxfattribs={"layer": "FURNITURE"}).paths.add_polyline_path(
        [(50000, 1000), (51000, 1000), (51000, 2000)]
    )
    path = tmp_path / "hatch.dxf"
    doc.saveas(path)
    flattened: list[object] = []
    real = ezdxf.path.from_hatch

    def spy(e: Any) -> Any:
        flattened.append(e)
        return real(e)

    monkeypatch.setattr(ezdxf.path, "from_hatch", spy)  # the module the reader calls
    conv = convert_dxf(path, name="hatch")
    assert conv.counts["space"] == 1
    assert "1 entity of a mapped layer could not be used: HATCH on PARKING" in conv.notes
    assert conv.unmapped["FURNITURE"] == 1
    assert flattened == []


@pytest.mark.parametrize("verbose", [[], ["-v"]])
def test_what_ezdxf_recovers_never_shows_a_phone_number(tmp_path: Path, verbose: list[str]) -> None:
    """ezdxf logs a damaged value it recovers as written: an owner's phone number typed
    into a flags field reached the terminal. Silent by default, masked with -v (a fresh
    process: under pytest its capture handler stands in for logging's last resort)."""
    path = tmp_path / "garage.dxf"
    _drawing().saveas(path)
    text = path.read_text(encoding="utf-8")
    at = text.index("LWPOLYLINE")
    flags = text.index("\n 70\n", at) + len("\n 70\n")
    end = text.index("\n", flags)
    path.write_text(text[:flags] + "1 电话139 1234 5678" + text[end:], encoding="utf-8")
    command = [*verbose, "plan", str(path), "--out", str(tmp_path / "out"), "--formats", "geojson"]
    said = subprocess.run(
        [sys.executable, "-m", "planner", *command], capture_output=True, text=True, check=False
    )
    assert said.returncode in (0, 2), said.stderr
    assert "5678" not in said.stdout + said.stderr
    assert ("recovered invalid integer value" in said.stderr) == bool(verbose)


def test_a_phone_number_in_a_file_name_goes_nowhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A drawing saved under an owner's name and phone number: the conversion's warnings
    (which the plan's files carry), the terminal and the desk's messages show it masked."""
    from planner.cli import main
    from planner.i18n import error_text
    from planner.session import load_upload

    folder = tmp_path / "张三 139-1234-5678"
    folder.mkdir()
    path = folder / "张三13912345678.dxf"
    _drawing().saveas(path)
    out = tmp_path / "out"
    assert main(["plan", str(path), "--out", str(out), "--formats", "geojson,csv"]) == 0
    assert main(["plan", str(folder / "13912345678.txt"), "--out", str(out)]) == 2
    said = capsys.readouterr()
    assert "张三" in said.err  # the folder's name is there, its number is not
    for text in (said.out, said.err, *(p.read_text("utf-8") for p in out.iterdir())):
        assert "5678" not in text
    with pytest.raises(PlannerError) as refused:
        load_upload("13912345678.txt", b"{}")
    assert all("5678" not in error_text(refused.value, lang) for lang in ("zh", "en"))


def test_what_a_conversion_leaves_to_complete_is_masked(tmp_path: Path) -> None:
    """The notes a conversion hands on as warnings quote the drawing's own names (levels,
    layers) and its file name: masked there too, however the conversion was made."""
    path = tmp_path / "garage.dxf"
    _drawing().saveas(path)
    conv = convert_dxf(path, name="garage.dxf")
    conv.source = "张三13912345678.dxf"
    conv.to_complete.append("level 139-1234-5678: no outline layer")
    conv.unmapped["13912345678"] = 2
    site = site_from_conversion(conv)
    said = [w.model_dump_json() for w in site.warnings]
    assert len(said) > 2
    assert not [w for w in said if "5678" in w]
