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
