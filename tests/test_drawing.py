"""Layout sheets: what a property office reads on them, checked from the renderer."""

from __future__ import annotations

import itertools
import json
import logging
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from planner.drawing import SheetOptions, render_level, save_sheet
from planner.plan import make_plan
from planner.readers import parse_site, read_site
from planner.samples import sample_path, sample_requests_path
from planner.synthetic import feature, simple_garage


def _texts(fig: Any) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _overlaps(fig: Any) -> list[tuple[str, str, float]]:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # lay out legends and tables as they will be printed
    renderer = canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in _texts(fig)]
    bad = []
    for (ta, a), (tb, b) in itertools.combinations(boxes, 2):
        ix = min(a.x1, b.x1) - max(a.x0, b.x0)
        iy = min(a.y1, b.y1) - max(a.y0, b.y0)
        if ix > 0 and iy > 0:
            smaller = min(a.width * a.height, b.width * b.height)
            if smaller > 0 and ix * iy > 0.10 * smaller:
                bad.append((ta, tb, ix * iy / smaller))
    return bad


def _all_requested(bays: int, strips: int) -> Any:
    feats = simple_garage(bays=bays, strips=strips, cuts=[bays // 2], capacity_kw=500)
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
    site = parse_site(json.dumps({"type": "FeatureCollection", "features": feats}).encode())
    return site, len(spaces)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_two_labels_overlap_on_a_200_stall_level(lang: str) -> None:
    site, n = _all_requested(bays=17, strips=2)
    assert 190 <= n <= 210
    plan = make_plan(site)
    fig = render_level(plan, "B1", options=SheetOptions(lang=lang))  # type: ignore[arg-type]
    assert _overlaps(fig) == []
    shown = {t.get_text() for t in _texts(fig)}
    assert any(s.id in shown for s in site.spaces), "space numbers are shown where they fit"


@pytest.mark.parametrize("key", ["a", "b", "c", "d"])
def test_sample_sheets_have_no_overlaps_and_carry_the_title_block(key: str) -> None:
    site = read_site(sample_path(key), requests=sample_requests_path(key))
    plan = make_plan(site)
    for lv in site.levels:
        fig = render_level(plan, lv.id, options=SheetOptions(date="2026-11-26"))
        assert _overlaps(fig) == []
        shown = " ".join(t.get_text() for t in _texts(fig))
        assert site.info.name in shown
        for word in (
            "图例",
            "北",
            "比例",
            "物业服务企业（盖章）",
            "物业负责人签字",
            "2026-11-26",
            plan.rules.rules_version,
        ):
            assert word in shown, word
        for b in plan.boxes:
            if b.level == lv.id:
                assert f"{b.id}  表位 {b.meters}" in shown
        for c in site.compartments:
            if c.level == lv.id:
                assert c.id in shown


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
    plan = make_plan(read_site(sample_path("a")))
    path = tmp_path / "sheet.svg"
    save_sheet(render_level(plan, "B1"), path)
    ids = {el.get("id") for el in ET.parse(path).iter() if el.tag.endswith("g")}
    assert {b.id for b in plan.boxes} <= ids


def test_a1_sheet_is_a1_and_scale_is_standard() -> None:
    plan = make_plan(read_site(sample_path("d")))
    fig = render_level(plan, "B1", options=SheetOptions(paper="A1"))
    w, h = fig.get_size_inches()
    assert (round(w * 25.4), round(h * 25.4)) == (841, 594)
    shown = " ".join(t.get_text() for t in _texts(fig))
    assert "1:" in shown
