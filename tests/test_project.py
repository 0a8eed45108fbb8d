"""Project files: plan, save, reopen, plan again: the same plan (issue 14 item 4)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from planner.cli import main
from planner.errors import PlannerError
from planner.plan import PlanOptions, make_plan
from planner.project import project_of, site_collection, write_project
from planner.readers import parse_site, read_site
from planner.rules import Rules
from planner.samples import sample_path, sample_requests_path


def _plan_args(key: str, out: Path, *extra: str) -> list[str]:
    args = ["plan", str(sample_path(key)), "--out", str(out), "--formats", "geojson", *extra]
    csv = sample_requests_path(key)
    return args + (["--requests", str(csv)] if csv else [])


def _features(path: Path) -> list[dict[str, Any]]:
    """The plan's features; PII_MASKED said once at the first reading is not said again
    (the project never held the number it masked)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for f in doc["features"]:
        p = f["properties"]
        if p["kind"] == "finding" and p["code"] == "PII_MASKED":
            continue
        if "reasons" in p:
            p["reasons"] = [r for r in p["reasons"] if r["code"] != "PII_MASKED"]
        out.append(f)
    return out


@pytest.mark.parametrize("key", ["a", "b", "c", "d"])
def test_reopening_the_project_plans_the_same_plan(key: str, tmp_path: Path) -> None:
    first, again = tmp_path / "first", tmp_path / "again"
    assert main(_plan_args(key, first, "--reserve", "0.45", "--set", "slack=0.1")) == 0
    project = first / "project.geojson"
    doc = json.loads(project.read_text(encoding="utf-8"))
    site_props = next(f for f in doc["features"] if f["properties"]["kind"] == "site")
    assert site_props["properties"]["project"]["options"]["reserve"] == 0.45
    assert site_props["properties"]["project"]["rules"] == {"slack": 0.1}
    kinds = {f["properties"]["kind"] for f in doc["features"]}
    assert not kinds & {"meter_box", "cable", "tray_run", "finding"}  # inputs only
    assert main(["plan", str(project), "--out", str(again), "--formats", "geojson"]) == 0
    assert _features(again / "plan.geojson") == _features(first / "plan.geojson")
    report = json.loads((again / "report.json").read_text(encoding="utf-8"))
    assert report["options"]["reserve"] == 0.45


def test_an_option_changed_on_reopening_changes_the_plan(tmp_path: Path) -> None:
    first, other = tmp_path / "first", tmp_path / "other"
    assert main(_plan_args("a", first)) == 0
    project = first / "project.geojson"
    assert main(["plan", str(project), "--out", str(other), "--formats", "geojson",
                 "--trunk", "none"]) == 0  # fmt: skip
    a, b = _features(first / "plan.geojson"), _features(other / "plan.geojson")
    assert sum(f["properties"]["kind"] == "tray_run" for f in a) > 0
    assert sum(f["properties"]["kind"] == "tray_run" for f in b) == 0


def test_box_moves_travel_in_the_files_units(tmp_path: Path) -> None:
    site = read_site(sample_path("d"))  # lon/lat
    plan = make_plan(site)
    box = plan.boxes[0]
    moved = (box.point.x + 1.0, box.point.y)
    options = PlanOptions(box_positions={box.compartment: moved})
    path = write_project(site, options, Rules(), tmp_path / "project.geojson")
    raw = json.loads(path.read_text(encoding="utf-8"))
    info = next(f for f in raw["features"] if f["properties"]["kind"] == "site")["properties"]
    lon, lat = info["project"]["box_positions"][box.compartment]
    assert 103 < lon < 105 and 35 < lat < 37  # noqa: PT018 - degrees, as the file is drawn
    back, _ = project_of(read_site(path))
    assert back.box_positions[box.compartment] == pytest.approx(moved, abs=1e-6)


def test_a_project_file_without_project_plans_with_the_defaults() -> None:
    site = read_site(sample_path("a"))
    options, rules = project_of(site)
    assert options == PlanOptions()
    assert rules == Rules()


@pytest.mark.parametrize(
    ("project", "message"),
    [
        ({"options": {"routing": "diagonal"}}, r"project\.options\.routing"),
        ({"options": {"speed": 1}}, "unknown option"),
        ({"rules": {"slak": 0.1}}, "no rule 'slak'. Did you mean slack"),
        ({"rules": {"slack": "lots"}}, r"project\.rules\.slack"),
        ({"box_positions": {"FQ9": [1, 2]}}, "no compartment 'FQ9'"),
        ({"box_positions": {"FQ1": [1]}}, r"FQ1 = \[1\] is not \[x, y\]"),
        ({"colour": 1}, "unknown key"),
    ],
)
def test_a_project_that_makes_no_sense_names_the_field(
    project: dict[str, Any], message: str
) -> None:
    doc = site_collection(read_site(sample_path("a")), project)
    site = parse_site(json.dumps(doc).encode())
    with pytest.raises(PlannerError, match=message):
        project_of(site)


def test_a_plan_file_opened_as_a_site_says_what_it_is(tmp_path: Path) -> None:
    assert main(_plan_args("b", tmp_path / "out")) == 0
    with pytest.raises(PlannerError, match=r"plan written by the planner.*project\.geojson"):
        read_site(tmp_path / "out" / "plan.geojson")
    assert main(["validate", str(tmp_path / "out" / "plan.geojson")]) == 2
