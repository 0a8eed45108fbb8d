"""Layout sheets: what a property office reads on them, checked from the renderer and from
the printed PDF (issue 13)."""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pypdf import PdfReader

from planner.drawing import (
    SheetOptions,
    circuit_range,
    render_level,
    render_sheet,
    render_sheets,
    save_sheet,
    sheet_notes,
)
from planner.plan import Plan, make_plan
from planner.readers import parse_site, read_site
from planner.samples import sample_path, sample_requests_path
from planner.sheets import BINDING_MM, MARGIN_MM, PLAN_SCALES, sheet_set
from planner.synthetic import feature, simple_garage
from tests.printing import (
    cjk,
    drawn,
    overlaps,
    page_mm,
    pdf_char_sizes,
    pdf_page_texts,
    texts,
    typeset,
)

A3 = (420.0, 297.0)
WALL_RGB = np.array([0x61, 0x61, 0x61])
"""The wall's face colour (planner.styles.OBSTACLE_STYLE["wall"])."""


def _site_of(feats: list[Any]) -> Any:
    return parse_site(json.dumps({"type": "FeatureCollection", "features": feats}).encode())


def _all_requested(bays: int, strips: int, **kw: Any) -> Any:
    feats = simple_garage(bays=bays, strips=strips, cuts=[bays // 2], capacity_kw=500, **kw)
    spaces = [f["properties"]["id"] for f in feats if f["properties"]["kind"] == "space"]
    feats += [
        feature(
            "request",
            None,
            id=f"R{k:03d}",
            space=s,
            charger_kw=7,
            registered="2024-01-01",
            documents=["id_document"],
        )
        for k, s in enumerate(spaces)
    ]
    return _site_of(feats), len(spaces)


def _sample(key: str) -> Plan:
    return make_plan(read_site(sample_path(key), requests=sample_requests_path(key)))


def _shown(fig: Any) -> str:
    return " ".join(t.get_text() for t in texts(fig))


def test_a_level_too_big_for_1_150_is_split_into_area_plans_with_a_key_plan() -> None:
    plan = _sample("a")  # 314 x 50 m: more than A3 holds at 1:150
    sheets = sheet_set(plan)
    key = [s for s in sheets if s.kind == "key"]
    areas = [s for s in sheets if s.kind == "area"]
    assert len(key) == 1
    assert key[0].file == "sheet-B1"
    assert len(areas) == key[0].parts >= 2
    assert [s.file for s in areas] == [f"sheet-B1-{n}" for n in range(1, len(areas) + 1)]
    assert {s.scale for s in areas} == {PLAN_SCALES[-1]}
    assert [s.number for s in sheets] == [f"电施-{n:02d}" for n in range(1, len(sheets) + 1)]
    outline = plan.site.levels[0].outline
    import shapely

    covered = shapely.union_all([shapely.box(*s.window) for s in areas])
    assert covered.contains(outline)  # every part of the level is on an area plan
    fig = render_sheet(plan, key[0], sheets=sheets, options=SheetOptions())
    shown = _shown(fig)
    for s in areas:
        assert s.number in shown  # the key plan says which area is on which sheet
    for c in plan.site.compartments:
        assert c.id in shown


def test_a_level_that_fits_is_one_plan_at_1_100_or_1_150() -> None:
    site, _ = _all_requested(bays=2, strips=1)
    plan = make_plan(site)
    (sheet, *_diagrams) = sheet_set(plan)
    assert sheet.kind == "plan"
    assert sheet.scale in PLAN_SCALES
    assert sheet.file == "sheet-B1"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_stall_is_findable_and_no_label_overlaps_on_a_200_stall_level(lang: str) -> None:
    """Circuit number and stall id on every requested stall, on the sheet the schedule
    names; no label touches another, a symbol or a cable."""
    site, n = _all_requested(bays=17, strips=2)
    assert 190 <= n <= 210
    plan = make_plan(site)
    circuits = plan.circuits()
    shown: set[str] = set()
    for _sheet, fig in render_sheets(plan, options=SheetOptions(lang=lang)):  # type: ignore[arg-type]
        assert overlaps(fig) == []
        shown |= {t.get_text() for t in texts(fig)}
    for r in plan.requests:
        if r.id in circuits:
            assert f"{circuits[r.id][1]} {r.space}" in shown, r.id


@pytest.mark.parametrize("key", ["a", "b", "c", "d"])
def test_sample_sheets_carry_frame_title_block_and_labels_apart(key: str) -> None:
    plan = _sample(key)
    sheets = sheet_set(plan)
    for sheet, fig in render_sheets(plan, options=SheetOptions(date="2026-11-26"), sheets=sheets):
        assert overlaps(fig) == [], sheet.number
        shown = _shown(fig)
        for word in (
            "图例",
            "说明",
            "北",
            "比例",
            "工程名称",
            "图名",
            "图号",
            "日期",
            "版本",
            "设计",
            "校对",
            "审核",
            "审定",
            "会签",
            "供电企业",
            "物业服务企业（盖章）",
            "2026-11-26",
            sheet.number,
            "表箱后线缆由用户自行敷设",
            plan.site.info.name,
        ):
            assert word in shown, (sheet.number, word)
        assert "domain.md" not in shown
        assert plan.rules.rules_version.split()[0] in shown
        for b in plan.boxes:
            if b.level == sheet.level and _in(sheet.window, b.point):
                assert f"{b.id} AW" in shown
        for c in plan.site.compartments:
            if c.level == sheet.level and c.polygon.intersection(_box(sheet.window)).area > 50:
                assert c.id in shown


def _box(window: tuple[float, float, float, float]) -> Any:
    import shapely

    return shapely.box(*window)


def _in(window: tuple[float, float, float, float], p: Any) -> bool:
    return bool(window[0] <= p.x <= window[2] and window[1] <= p.y <= window[3])


def test_the_frame_has_its_binding_edge() -> None:
    from matplotlib.patches import Rectangle

    plan = _sample("b")
    fig = render_level(plan, "B1")
    frames = [
        a
        for a in fig.artists
        if isinstance(a, Rectangle) and a.get_linewidth() > 2  # the heavy frame line
    ]
    (frame,) = frames
    x, y = frame.get_xy()
    assert x * A3[0] == pytest.approx(BINDING_MM)
    assert y * A3[1] == pytest.approx(MARGIN_MM["A3"])
    assert (x + frame.get_width()) * A3[0] == pytest.approx(A3[0] - MARGIN_MM["A3"])


def test_blocked_and_deferred_stalls_point_to_a_note_naming_the_reason() -> None:
    """A level without sprinklers: every stall blocked, its note names the missing system
    in Chinese; the stall carries that note's number."""
    feats = simple_garage(bays=3, strips=1, capacity_kw=100)
    level = next(f for f in feats if f["properties"]["kind"] == "level")
    level["properties"]["sprinklers"] = False
    space = next(f for f in feats if f["properties"]["kind"] == "space")["properties"]["id"]
    feats.append(feature("request", None, id="Q1", space=space, charger_kw=7))
    plan = make_plan(_site_of(feats))
    (r,) = plan.requests
    assert r.status == "blocked"
    notes = sheet_notes(plan, "zh")
    n = notes.numbers["Q1"]
    text = notes.lines_for({n})[-1]
    assert text.startswith(f"{n}. 不可建设：R1")
    assert "缺自动喷水灭火系统" in text
    fig = render_level(plan, "B1")
    shown = _shown(fig)
    assert f"{space} ({n})" in shown
    assert f"{n}. 不可建设：R1" in shown


def test_the_grid_is_drawn_and_each_box_is_located_from_its_nearest_grid_lines() -> None:
    feats = simple_garage(bays=2, strips=1, capacity_kw=100)
    level = next(f for f in feats if f["properties"]["kind"] == "level")
    x0, y0, x1, y1 = np.asarray(level["geometry"]["coordinates"][0]).reshape(-1, 2).min(
        0
    ).tolist() + (np.asarray(level["geometry"]["coordinates"][0]).reshape(-1, 2).max(0).tolist())
    from shapely.geometry import LineString

    xs = [x0 + 1, (x0 + x1) / 2, x1 - 1]
    ys = [y0 + 1, y1 - 1]
    for i, x in enumerate(xs, start=1):
        feats.append(feature("axis", LineString([(x, y0), (x, y1)]), level="B1", label=str(i)))
    for label, y in zip("AB", ys, strict=True):
        feats.append(feature("axis", LineString([(x0, y), (x1, y)]), level="B1", label=label))
    space = next(f for f in feats if f["properties"]["kind"] == "space")["properties"]["id"]
    feats.append(
        feature(
            "request",
            None,
            id="Q1",
            space=space,
            charger_kw=7,
            registered="2024-01-01",
            documents=["id_document", "parking_certificate", "property_consent"],
        )
    )
    plan = make_plan(_site_of(feats))
    (box,) = plan.boxes
    fig = render_level(plan, "B1")
    shown = [t.get_text() for t in texts(fig)]
    for label in ("1", "2", "3", "A", "B"):
        assert shown.count(label) == 2  # a bubble at each end
    dx = min(abs(x - box.point.x) for x in xs) * 1000
    dy = min(abs(y - box.point.y) for y in ys) * 1000
    for d in (dx, dy):
        if d > 50:
            assert f"{d:.0f}" in shown
    assert "轴线" in shown


def test_circuit_ranges() -> None:
    assert circuit_range(["WP03", "WP01", "WP02", "WP07", "WP09", "WP08"]) == "WP01-WP03,WP07-WP09"
    assert circuit_range(["WP05"]) == "WP05"
    assert circuit_range([]) == ""


def test_polygons_keep_their_holes() -> None:
    """A wall drawn as a ring (a polygon with a hole) fills only the ring: the stalls in
    the hole show (the Zurich car park printed as one black shape)."""
    from shapely.geometry import Polygon

    feats = simple_garage(bays=3, strips=1, capacity_kw=100)
    level = next(f for f in feats if f["properties"]["kind"] == "level")
    outline = Polygon(level["geometry"]["coordinates"][0])
    ring = outline.buffer(0.0).difference(outline.buffer(-0.3))
    feats.append(feature("obstacle", ring, level="B1", type="wall"))
    plan = make_plan(_site_of(feats))
    fig = render_level(plan, "B1")
    _, img = drawn(fig)
    ax = fig.axes[0]
    inside = outline.buffer(-2.0)
    rng = np.random.default_rng(3)
    xmin, ymin, xmax, ymax = inside.bounds
    for _ in range(40):
        x, y = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
        px, py = ax.transData.transform((x, y))
        colour = img[img.shape[0] - int(py), int(px)]
        assert colour.sum() > 3 * 150, (x, y, colour)  # never the wall's grey or black


def test_rendering_emits_no_font_warnings(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    plan = make_plan(read_site(sample_path("c")))
    with caplog.at_level(logging.WARNING):
        fig = render_level(plan, "B1")
        save_sheet(fig, tmp_path / "s.png")
        save_sheet(fig, tmp_path / "s.svg")
        fig_en = render_level(plan, "B1", options=SheetOptions(lang="en", paper="A1"))
        save_sheet(fig_en, tmp_path / "s1.png")
    assert caplog.records == []


def test_svg_has_a_group_per_meter_box(tmp_path: Path) -> None:
    plan = make_plan(read_site(sample_path("b")))
    sheets = sheet_set(plan)
    ids: set[str] = set()
    for n, (_s, fig) in enumerate(render_sheets(plan, sheets=sheets)):
        path = tmp_path / f"sheet{n}.svg"
        save_sheet(fig, path)
        ids |= {el.get("id") or "" for el in ET.parse(path).iter() if el.tag.endswith("g")}
    assert {b.id for b in plan.boxes} <= ids


def test_the_same_plan_gives_the_same_svg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two drawings of one sheet are byte for byte one file (matplotlib's ids would be
    random without a fixed salt; its date comes from SOURCE_DATE_EPOCH)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    plan = make_plan(read_site(sample_path("a")))
    for n in range(2):
        save_sheet(render_level(plan, "B1"), tmp_path / f"s{n}.svg")
    first = (tmp_path / "s0.svg").read_bytes()
    assert b'clip-path="url(#' in first
    assert first == (tmp_path / "s1.svg").read_bytes()


def test_svg_texts_are_text_in_the_cjk_font(tmp_path: Path) -> None:
    """The SVG's labels are words a search finds and an editor changes, not glyph outlines:
    every meter box's label and the sheets' Chinese titles are <text> in Noto Sans CJK SC."""
    plan = make_plan(read_site(sample_path("c")))
    texts = []
    for n, (_s, fig) in enumerate(render_sheets(plan, sheets=sheet_set(plan))):
        save_sheet(fig, tmp_path / f"s{n}.svg")
        root = ET.parse(tmp_path / f"s{n}.svg").getroot()
        texts += [el for el in root.iter() if el.tag.endswith("}text")]
    words = {"".join(el.itertext()).strip() for el in texts}
    assert {f"{b.id} AW" for b in plan.boxes} <= words
    assert "地下一层（B1）索引图" in words
    assert all("Noto Sans CJK SC" in (el.get("style") or "") for el in texts)


def test_a1_sheet_is_a1_and_holds_more_than_a3() -> None:
    plan = make_plan(read_site(sample_path("a")))
    fig = render_level(plan, "B1", options=SheetOptions(paper="A1"))
    w, h = fig.get_size_inches()
    assert (round(w * 25.4), round(h * 25.4)) == (841, 594)
    assert len(sheet_set(plan, "A1")) < len(sheet_set(plan, "A3"))


def _check_pdf(path: Path) -> None:
    """Framed pages (A3: cover, layout sheets, diagrams): Chinese >= 3.5 mm, digits and
    Latin >= 2.5 mm; other pages (tables, notes, A4 and the A3 schedule) >= 9 pt; every
    page numbered x / y."""
    reader = PdfReader(path)
    texts = pdf_page_texts(path)  # pypdf misreads the typeset pages' fonts
    all_sizes = pdf_char_sizes(path)
    total = len(reader.pages)
    for n, (page, text) in enumerate(zip(reader.pages, texts, strict=True), start=1):
        sizes = all_sizes[n - 1]
        assert sizes
        assert f"{n} / {total}" in text
        framed = page_mm(page) == pytest.approx(A3, abs=1) and "申请明细表" not in text[:40]
        for run, mm in sizes:
            floor = (3.5 if cjk(run) else 2.5) if framed else 9 * 25.4 / 72
            assert mm >= floor - 0.01, (n, run, mm)


@pytest.mark.parametrize(
    "key",
    [  # a and b (15-17 s each) in CI; c and d keep the default loop covered
        pytest.param("a", marks=pytest.mark.slow),
        pytest.param("b", marks=pytest.mark.slow),
        "c",
        "d",
    ],
)
def test_every_page_of_the_package_is_legible_at_print_size(key: str, tmp_path: Path) -> None:
    from planner.documents import write_approval_pdf

    plan = _sample(key)
    path = tmp_path / "approval.pdf"
    write_approval_pdf(plan, path)
    _check_pdf(path)
    cover = PdfReader(path).pages[0].extract_text()
    assert "图纸目录" in cover
    for s in sheet_set(plan):
        assert s.number in cover


def _figure_sizes_ok(fig: Any, where: str) -> None:
    """Every text of a framed sheet as set: Chinese >= 3.5 mm, digits and Latin >= 2.5 mm
    (the PDF sets these sizes: the sample packages are read back from the PDF above)."""
    w, h = (v * 25.4 for v in fig.get_size_inches())
    assert (round(w), round(h)) in ((420, 297), (841, 594)), where
    for t in texts(fig):
        mm = float(t.get_fontsize()) * 25.4 / 72
        assert mm >= (3.5 if cjk(t.get_text()) else 2.5) - 0.01, (where, t.get_text(), mm)


def _typeset_sizes_ok(pages: Any, where: str) -> None:
    """:func:`_figure_sizes_ok` for typeset sheets (the system diagrams), on A3."""
    setter = typeset(pages)
    assert setter.sizes, where
    for size, page in zip(setter.sizes, setter.seen, strict=True):
        assert (round(size[0]), round(size[1])) == (420, 297), where
        for t in page:
            mm = t.size * 25.4 / 72
            assert mm >= (3.5 if cjk(t.text) else 2.5) - 0.01, (where, t.text, mm)


def _zurich_plan(realdata: Path) -> Plan:
    from planner.readers.imdf import convert_imdf

    conv = convert_imdf(realdata / "zurich-airport-L-1-imdf", name="zurich")
    doc = conv.collection()
    level = next(f for f in doc["features"] if f["properties"]["kind"] == "level")
    systems = (
        "fire_alarm",
        "smoke_exhaust",
        "sprinklers",
        "emergency_lighting",
        "evacuation_signs",
    )
    level["properties"].update(garage_type="underground", **dict.fromkeys(systems, True))
    spaces = [f["properties"]["id"] for f in doc["features"] if f["properties"]["kind"] == "space"]
    for k, sid in enumerate(spaces[::10]):  # a request on every tenth stall
        doc["features"].append(
            feature(
                "request",
                None,
                id=f"Z{k:03d}",
                space=sid,
                charger_kw=7,
                registered="2024-01-01",
                documents=["id_document", "property_consent", "parking_certificate"],
            )
        )
    return make_plan(parse_site(json.dumps(doc).encode()))


@pytest.mark.slow
@pytest.mark.realdata
def test_the_zurich_level_prints_with_its_holes_legibly(realdata: Path) -> None:
    """Issue 13 item 5: the wall rings keep their holes (what lies in a hole shows), no
    more than half the drawn area is near-black; every sheet legible, labels apart."""
    from planner.diagram import diagram_pages

    plan = _zurich_plan(realdata)
    rings = [
        o.geometry
        for o in plan.site.obstacles
        if o.geometry.geom_type == "Polygon" and o.geometry.interiors
    ]
    assert len(rings) >= 5
    sheets = sheet_set(plan)
    key = next(s for s in sheets if s.kind == "key")
    for sheet, fig in render_sheets(plan, sheets=sheets):
        _figure_sizes_ok(fig, sheet.number)
        assert overlaps(fig) == [], sheet.number
        if sheet is not key and sheet.part % 7:
            continue
        _, img = drawn(fig)
        ax = fig.axes[0]
        x0, y0, x1, y1 = (int(v) for v in ax.bbox.extents)
        plot_px = img[img.shape[0] - y1 : img.shape[0] - y0, x0:x1]
        dark = (plot_px.sum(axis=2) < 3 * 60).mean()
        assert dark <= 0.5, (sheet.number, dark)
        if sheet is key:
            import shapely

            rng = np.random.default_rng(5)
            samples, hits = 0, 0
            for ring in rings:
                for hole in ring.interiors:
                    inner = shapely.Polygon(hole).buffer(-0.3)
                    if inner.is_empty:
                        continue
                    pts = np.asarray(
                        shapely.points(
                            rng.uniform(*inner.bounds[::2], 400),
                            rng.uniform(*inner.bounds[1::2], 400),
                        )
                    )
                    for p in pts[shapely.contains(inner, pts)]:
                        px, py = ax.transData.transform((p.x, p.y))
                        colour = img[img.shape[0] - int(py), int(px)]
                        samples += 1
                        hits += bool(np.abs(colour - WALL_RGB).max() < 16)  # the wall's face
            assert samples > 50
            assert hits / samples < 0.2, hits / samples
    _typeset_sizes_ok(diagram_pages(plan, sheets=sheets), "diagram")


@pytest.mark.slow
def test_a_5000_stall_basement_prints_legibly_on_every_sheet() -> None:
    """Issue 13 item 1 at size: every layout and diagram sheet of a 5,000-stall two-level
    basement (every stall requesting) legible at A3, every stall findable."""
    import sys

    from planner.diagram import diagram_pages

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.run import basement

    plan = make_plan(parse_site(json.dumps(basement(5000)).encode()))
    sheets = sheet_set(plan)
    assert sum(s.kind == "key" for s in sheets) == 2
    circuits = plan.circuits()
    shown: set[str] = set()
    for sheet, fig in render_sheets(plan, sheets=sheets):
        _figure_sizes_ok(fig, sheet.number)
        shown |= {t.get_text() for t in texts(fig)}
    _typeset_sizes_ok(diagram_pages(plan, sheets=sheets), "diagram")
    missing = [r.id for r in plan.requests if f"{circuits[r.id][1]} {r.space}" not in shown]
    assert missing == []
