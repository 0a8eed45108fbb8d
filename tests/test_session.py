"""The app's logic without the app."""

from __future__ import annotations

import io
import zipfile

import pytest

from planner.errors import PlannerError
from planner.limits import Limits
from planner.plan import make_plan
from planner.readers import read_site
from planner.samples import sample_path
from planner.session import (
    box_candidates,
    export_files,
    load_upload,
    request_rows,
    to_local,
    to_source,
    with_capacities,
)


def test_load_upload_reads_like_the_cli_and_refuses_other_files() -> None:
    site = load_upload("d.geojson", sample_path("d").read_bytes())
    assert site.frame.crs == "EPSG:4326"
    with pytest.raises(PlannerError, match=r"'plan\.pdf' is not a file this version .*Fix: upl"):
        load_upload("plan.pdf", b"%PDF")
    with pytest.raises(PlannerError, match="over the limit"):
        load_upload("d.geojson", sample_path("d").read_bytes(), limits=Limits(max_bytes=1000))


def test_capacities_change_the_plan() -> None:
    site = read_site(sample_path("a"))
    roomy = with_capacities(site, {"FQ1": 1000.0})
    assert make_plan(roomy).counts()["deferred"] == 0
    assert make_plan(site).counts()["deferred"] == 4
    assert with_capacities(site, {}) is site


def test_box_candidates_are_faces_inside_the_compartment_nearest_first() -> None:
    site = read_site(sample_path("a"))
    found = box_candidates(site, "FQ1")
    assert found
    comp = next(c for c in site.compartments if c.id == "FQ1")
    import shapely

    dists = [shapely.Point(xy).distance(comp.polygon.centroid) for _, xy in found]
    assert dists == sorted(dists)
    assert all(comp.polygon.contains(shapely.Point(xy)) for _, xy in found)
    assert found[0][0].startswith("column")


def test_typed_coordinates_are_in_the_site_files_own_crs() -> None:
    site = read_site(sample_path("d"))
    lon, lat = to_source(site, 5.0, 5.0)
    assert 103.8 < lon < 103.9
    assert to_local(site, lon, lat) == pytest.approx((5.0, 5.0), abs=1e-6)


def test_export_files_hold_every_download() -> None:
    plan = make_plan(read_site(sample_path("d")))
    files = export_files(plan)
    assert {
        "approval.pdf",
        "plan.geojson",
        "plan.gpkg",
        "plan.dxf",
        "schedule.csv",
        "sheet-B1.png",
        "sheet-B1.svg",
        "report.json",
        "notices.zip",
    } <= set(files)
    with zipfile.ZipFile(io.BytesIO(files["notices.zip"])) as z:
        expected = [f"{r.id}-notice.pdf" for r in plan.requests if r.status != "blocked"]
        expected += [f"{r.id}-commitment.pdf" for r in plan.requests if r.status == "planned"]
        assert sorted(z.namelist()) == sorted(expected)
    assert files["approval.pdf"].startswith(b"%PDF")


def test_request_rows_one_per_request() -> None:
    plan = make_plan(read_site(sample_path("a")))
    rows = request_rows(plan, "en")
    assert [r["Request"] for r in rows] == [r.id for r in plan.requests]
