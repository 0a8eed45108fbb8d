"""The app's zoomable plan: one trace per kind and status, hover on every request."""

from __future__ import annotations

from planner.interactive import figure_summary, plan_figure
from planner.plan import make_plan
from planner.readers import read_site
from planner.samples import sample_path


def test_plan_figure_traces_and_hover() -> None:
    plan = make_plan(read_site(sample_path("a")))
    fig = plan_figure(plan, "B1")
    names = figure_summary(fig)
    assert "可建设" in names
    assert "表箱" in names
    requests = next(tr for tr in fig.data if tr.name == "申请编号")
    with_point = [r for r in plan.requests if r.level == "B1" and r.point is not None]
    assert len(requests.x) == len(with_point)
    hover = " ".join(requests.hovertext)
    assert "CHARGER_OVER_CAP" in hover
    assert "R7" in hover
    boxes = next(tr for tr in fig.data if tr.name == "表箱")
    assert list(boxes.text) == [b.id for b in plan.boxes]
    assert fig.layout.yaxis.scaleanchor == "x"


def test_english_figure() -> None:
    plan = make_plan(read_site(sample_path("d")))
    names = figure_summary(plan_figure(plan, "B1", lang="en"))
    assert "meter box" in names
    assert "planned" in names


def test_the_planned_tray_is_shown_with_its_size_count_and_fill() -> None:
    plan = make_plan(read_site(sample_path("a")))
    fig = plan_figure(plan, "B1")
    (trace,) = [t for t in fig.data if t.name == "新建电缆桥架"]
    texts = [x for x in trace.text if x]
    assert len({*texts}) == len(plan.trays)
    run = plan.trays[0]
    assert any(run.size in x and f"{run.fill:.0%}" in x for x in texts)


def test_polygon_walls_and_wall_rings_are_shown() -> None:
    """A wall drawn as a polygon (a ring with a hole too) shows as its edges: it was
    missing from the app's plan (issue 14 item 8)."""
    import json

    from shapely.geometry import Polygon

    from planner.readers import parse_site
    from planner.synthetic import feature, simple_garage

    feats = simple_garage(bays=2, strips=1, capacity_kw=100)
    level = next(f for f in feats if f["properties"]["kind"] == "level")
    outline = Polygon(level["geometry"]["coordinates"][0])
    ring = outline.difference(outline.buffer(-0.3))
    feats.append(feature("obstacle", ring, level="B1", type="wall"))
    site = parse_site(json.dumps({"type": "FeatureCollection", "features": feats}).encode())
    fig = plan_figure(make_plan(site), "B1")
    walls = next(tr for tr in fig.data if tr.name == "墙")
    xs = [x for x in walls.x if x is not None]
    assert len(xs) >= 10  # both rings of the wall
    assert walls.fill in (None, "none")  # its hole is not painted over
