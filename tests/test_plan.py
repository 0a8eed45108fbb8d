"""The whole plan: known answers, the sample sites' coverage, and nothing lost."""

from __future__ import annotations

import itertools
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
import shapely
import shapely.ops
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Point

from planner.errors import PlannerError
from planner.findings import CATALOGUE, status_of
from planner.plan import Plan, PlanOptions, make_plan, report
from planner.readers import parse_site, read_site
from planner.rules import Rules
from planner.samples import sample_path, sample_requests_path
from planner.synthetic import feature, simple_garage

SAMPLE_README = Path(__file__).resolve().parents[1] / "sample_sites" / "README.md"


def _site(feats: list[dict[str, Any]]) -> Any:
    return parse_site(json.dumps({"type": "FeatureCollection", "features": feats}).encode())


def _garage_with_requests(
    n: int, *, capacity: float | None, docs: bool = True, bays: int = 6
) -> Any:
    feats = simple_garage(bays=bays, strips=1, capacity_kw=capacity)
    spaces = [f["properties"]["id"] for f in feats if f["properties"]["kind"] == "space"]
    documents = ["id_document", "property_consent", "parking_certificate"] if docs else []
    feats += [
        feature(
            "request",
            None,
            id=f"R{k:02d}",
            space=spaces[k],
            charger_kw=7,
            registered=f"2024-04-{k + 1:02d}",
            documents=documents,
        )
        for k in range(n)
    ]
    return _site(feats)


def _request_codes(r: Any) -> list[str]:
    """A request's codes without the compartment's advisory R3/R4 findings."""
    return [x.code for x in r.reasons if x.rule not in ("R3", "R4")]


def _check_nothing_lost(site: Any, plan: Plan) -> None:
    assert [r.id for r in plan.requests] == [r.id for r in site.requests]
    cabled = {c.request for c in plan.cables}
    for r in plan.requests:
        assert r.status == status_of(r.reasons)
        if r.status != "planned":
            assert any(x.effect == r.status for x in r.reasons)
        assert (r.id in cabled) == (r.status != "blocked") or (
            r.status == "blocked" and r.id not in cabled
        )
        if r.status in ("planned", "pending", "deferred"):
            assert r.id in cabled
        for x in r.reasons:
            assert x.rule
            assert x.clause
            assert x.code in CATALOGUE


def test_example_4_fourteen_requests_against_30_kw() -> None:
    """E5: 3 x the heaviest phase, no diversity: three join (7/7/7 = 21 kW), the fourth
    would make 14/7/7 = 42 kW. (Under the former R11 demand factors five joined.)"""
    site = _garage_with_requests(14, capacity=30, bays=8)
    plan = make_plan(site)
    assert [r.status for r in plan.requests] == ["planned"] * 3 + ["deferred"] * 11
    (box,) = plan.boxes
    assert (box.meters, box.spare_chargers) == (3, 0)
    assert box.demand_kw == pytest.approx(21.0)
    assert box.connected_kw == pytest.approx(21.0)
    assert box.phase_kw == {"A": 7.0, "B": 7.0, "C": 7.0}
    deferred = plan.requests[3]
    assert _request_codes(deferred) == ["COMPARTMENT_OVER_CAPACITY"]
    assert deferred.queue == 4
    assert [r.phase for r in plan.requests[:5]] == ["A", "B", "C", "A", "B"]
    assert [r.phase_provisional for r in plan.requests[2:4]] == [False, True]
    assert box.circuits == tuple(r.id for r in plan.requests)
    assert box.box_sizes == (12, 2)
    _check_nothing_lost(site, plan)


def test_example_4_sixty_kw_takes_six() -> None:
    plan = make_plan(_garage_with_requests(14, capacity=60, bays=8))
    assert [r.status for r in plan.requests].count("planned") == 6
    assert plan.boxes[0].demand_kw == pytest.approx(42.0)


def test_example_5_managed_charging_plans_all_fourteen() -> None:
    site = _garage_with_requests(14, capacity=30, bays=8)
    plan = make_plan(site, options=PlanOptions(managed=True))
    assert {r.status for r in plan.requests} == {"planned"}
    shares = [round(r.guaranteed_kw or 0, 2) for r in plan.requests[:3]]
    assert shares == [2.0, 2.0, 2.5]
    assert [round(r.overnight_kwh or 0) for r in plan.requests[:3]] == [16, 16, 20]
    for r in plan.requests:
        assert _request_codes(r) == ["MANAGED_CHARGING"]
    assert plan.boxes[0].phase_limit_kw == pytest.approx(10.0)
    comp = plan.boxes[0].compartment
    box_findings = [f for f in plan.findings if f.code == "MANAGED_CHARGING" and f.subject == comp]
    assert box_findings
    assert "10.00 kW" in box_findings[0].message


def test_example_5_the_twenty_second_is_deferred_managed_minimum() -> None:
    plan = make_plan(
        _garage_with_requests(22, capacity=30, bays=12), options=PlanOptions(managed=True)
    )
    assert [r.status for r in plan.requests] == ["planned"] * 21 + ["deferred"]
    assert "MANAGED_MINIMUM" in {x.code for x in plan.requests[-1].reasons}


def test_pending_requests_hold_no_capacity_and_say_whether_they_would_fit() -> None:
    """R12: pending requests are queued after the complete ones and each is judged alone
    against what the joined requests leave. (Formerly pending requests held capacity.)"""
    site = _garage_with_requests(6, capacity=30, docs=False)
    plan = make_plan(site)
    assert [r.status for r in plan.requests] == ["pending"] * 6
    assert plan.boxes[0].meters == 0
    assert plan.boxes[0].connected_kw == 0
    for r in plan.requests:
        fit = [x for x in r.reasons if x.code == "CAPACITY_IF_COMPLETED"]
        assert len(fit) == 1
        assert "would fit" in fit[0].message


def test_pending_behind_a_full_compartment_would_not_fit() -> None:
    feats = simple_garage(bays=6, strips=1, capacity_kw=21)
    spaces = [f["properties"]["id"] for f in feats if f["properties"]["kind"] == "space"]
    docs = ["id_document", "property_consent", "parking_certificate"]
    feats += [
        feature(
            "request",
            None,
            id=f"R{k}",
            space=spaces[k],
            charger_kw=7,
            registered=f"2024-04-{k + 1:02d}",
            documents=docs if k != 0 else [],
        )
        for k in range(5)
    ]
    plan = make_plan(_site(feats))
    statuses = {r.id: r.status for r in plan.requests}
    assert statuses == {
        "R0": "pending",
        "R1": "planned",
        "R2": "planned",
        "R3": "planned",
        "R4": "deferred",
    }
    r0 = next(r for r in plan.requests if r.id == "R0")
    (fit,) = [x for x in r0.reasons if x.code == "CAPACITY_IF_COMPLETED"]
    assert "would not fit" in fit.message
    assert "1 deferred" in fit.message
    assert r0.queue == 5  # queued after the complete requests


def test_no_box_where_the_level_lacks_fire_systems() -> None:
    feats = simple_garage(bays=3, strips=1, fire=False)
    feats.append(feature("request", None, id="R1", space="B1-001", charger_kw=7))
    plan = make_plan(_site(feats))
    assert plan.boxes == ()
    assert plan.cables == ()
    (r,) = plan.requests
    assert r.status == "blocked"
    fire = [x for x in r.reasons if x.code == "FIRE_FACILITIES_MISSING"]
    assert fire
    assert all(s in fire[0].message for s in ("fire_alarm", "smoke_exhaust", "sprinklers"))


def test_level_too_deep_warns_on_a_b4() -> None:
    feats = simple_garage(bays=2, strips=1)
    feats[1]["properties"]["floor"] = -4
    feats.append(
        feature(
            "request",
            None,
            id="R1",
            space="B1-001",
            charger_kw=7,
            registered="2024-01-01",
            documents=["id_document", "property_consent", "parking_certificate"],
        )
    )
    (r,) = make_plan(_site(feats)).requests
    assert r.status == "planned"
    assert [x.code for x in r.reasons] == ["LEVEL_TOO_DEEP", "CAPACITY_UNKNOWN"]


def _codes(plan: Plan) -> set[str]:
    return {x.code for r in plan.requests for x in r.reasons}


def test_sample_a_reaches_what_its_readme_claims() -> None:
    site = read_site(sample_path("a"))
    plan = make_plan(site)
    _check_nothing_lost(site, plan)
    assert set(plan.counts().values()) != {0}
    assert all(n > 0 for n in plan.counts().values())
    text = SAMPLE_README.read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("Not reached by (a):"))
    claimed_missing = set(re.findall(r"`([A-Z0-9_]+)`", line))
    box_codes: tuple[str, ...] = (
        "MIN_CABLE_SAVING",
        "BOX_MOVED",
        "BOX_MOUNT_FALLBACK",
        "PHASE_LOADS",
        "TRAY_BUNCHED",
    )
    box_codes = (*box_codes, "BUILD_OUT", "BUILD_OUT_OVER_CAPACITY")  # compartment findings
    request_codes = {c for c in CATALOGUE if c not in (*box_codes, "BOX_SUPPLY_OVER_RANGE")}
    assert _codes(plan) == request_codes - claimed_missing
    managed = make_plan(site, options=PlanOptions(managed=True))
    assert "MANAGED_CHARGING" in _codes(managed)


def test_sample_b_blocks_the_level_without_smoke_exhaust() -> None:
    site = read_site(sample_path("b"), requests=sample_requests_path("b"))
    plan = make_plan(site)
    _check_nothing_lost(site, plan)
    b2 = [r for r in plan.requests if r.level == "B2"]
    assert b2
    assert all(r.status == "blocked" for r in b2)
    assert {"FIRE_FACILITIES_MISSING", "GARAGE_TYPE_ASSUMED", "LEVEL_BELOW_B1"} <= {
        x.code for r in b2 for x in r.reasons
    }
    assert {b.level for b in plan.boxes} == {"B1"}


def test_sample_c_non_direct_and_boxes_at_interior_points() -> None:
    site = read_site(sample_path("c"))
    plan = make_plan(site)
    _check_nothing_lost(site, plan)
    assert "SUPPLY_NON_DIRECT" in _codes(plan)
    assert "DOCUMENTS_MISSING" not in _codes(plan)
    assert {b.placement for b in plan.boxes} == {"centre"}
    assert all(b.mount_type is not None for b in plan.boxes)
    for b in plan.boxes:
        comp = next(c for c in site.compartments if c.id == b.compartment)
        assert comp.polygon.covers(b.point)
        assert all(not o.geometry.buffer(0.1 - 1e-9).contains(b.point) for o in site.obstacles)


@pytest.mark.parametrize("key", ["a", "b", "c", "d"])
@pytest.mark.parametrize("routing", ["rectilinear", "euclidean"])
def test_every_cable_stays_in_its_compartment_and_clear(key: str, routing: str) -> None:
    site = read_site(sample_path(key), requests=sample_requests_path(key))
    plan = make_plan(site, options=PlanOptions(routing=routing))
    comps = {c.id: c.polygon for c in site.compartments}
    for cable in plan.cables:
        assert cable.line.difference(comps[cable.compartment].buffer(1e-6)).length < 1e-6
        for o in site.obstacles:
            if o.level == cable.level and o.geometry.geom_type == "Polygon":
                assert shapely.intersection(cable.line, o.geometry.buffer(-1e-6)).length < 1e-6
        box = next(b for b in plan.boxes if b.compartment == cable.compartment)
        assert shapely.Point(cable.line.coords[0]).distance(box.point) < 1e-6
        req = next(r for r in plan.requests if r.id == cable.request)
        assert req.point is not None
        assert shapely.Point(cable.line.coords[-1]).distance(req.point) < 1e-6


def test_rectilinear_runs_along_the_building_axis_in_sample_c() -> None:
    """Sample c is turned 30°: every run is at 30° or 120°, stubs at the ends excepted."""
    site = read_site(sample_path("c"))
    plan = make_plan(site)
    for cable in plan.cables:
        coords = list(cable.line.coords)
        runs = list(itertools.pairwise(coords[1:-1]))
        assert runs or len(coords) <= 3
        for p, q in runs:
            assert math.dist(p, q) > 0.01, "no sub-centimetre jogs from rounding"
            deg = math.degrees(math.atan2(q[1] - p[1], q[0] - p[0])) % 90
            assert deg == pytest.approx(30, abs=1e-3), (cable.request, deg)  # mm rounding


def test_min_cable_reports_its_saving_and_never_does_worse() -> None:
    site = read_site(sample_path("c"))
    policy = make_plan(site)
    best = make_plan(site, options=PlanOptions(placement="min-cable"))
    assert {b.placement for b in best.boxes} == {"min_cable"}
    savings = [f for f in best.findings if f.code == "MIN_CABLE_SAVING"]
    assert len(savings) == len(best.boxes)
    for b in best.boxes:
        assert b.saving_m is not None
        assert b.saving_m >= -1e-6
    total = sum(c.route_m for c in best.cables)
    assert total <= sum(c.route_m for c in policy.cables) + 1e-6


def test_manual_box_position_reroutes() -> None:
    site = read_site(sample_path("d"))
    plan = make_plan(site)
    box = plan.boxes[0]
    comp = next(c for c in site.compartments if c.id == box.compartment)
    stalls = shapely.union_all([sp.polygon for sp in site.spaces])
    walls = shapely.union_all([o.geometry for o in site.obstacles]).buffer(0.3)
    floor = comp.polygon.buffer(-0.3).difference(stalls.buffer(0.3)).difference(walls)
    target = Point(box.point.x + 6.0, box.point.y)
    q = shapely.ops.nearest_points(floor, target)[0]
    moved_to = (q.x, q.y)
    moved = make_plan(site, options=PlanOptions(box_positions={box.compartment: moved_to}))
    mbox = next(b for b in moved.boxes if b.compartment == box.compartment)
    assert mbox.placement == "manual"
    assert (mbox.point.x, mbox.point.y) == pytest.approx(moved_to)
    for c in moved.cables:
        if c.compartment == box.compartment:
            assert c.line.coords[0] == pytest.approx(moved_to)


def test_report_has_the_contract_keys() -> None:
    plan = make_plan(read_site(sample_path("a")))
    rep = report(plan)
    assert {"options", "rules", "levels", "findings"} <= set(rep)
    (level,) = rep["levels"]
    assert level["id"] == "B1"
    comp = level["compartments"][0]
    assert set(comp) >= {
        "id",
        "counts",
        "connected_kw",
        "demand_kw",
        "capacity_kw",
        "spare_chargers",
        "boxes",
        "cable_m",
    }
    assert level["unassigned"]["blocked"] == 1
    assert rep["unassigned_no_level"]["blocked"] == 1
    json.dumps(rep)


@st.composite
def random_requests(draw: st.DrawFn) -> tuple[Any, Rules]:
    feats = simple_garage(
        bays=draw(st.integers(1, 3)),
        strips=draw(st.integers(1, 2)),
        cuts=[],
        capacity_kw=draw(st.none() | st.sampled_from([0, 10, 30])),
    )
    spaces = [f["properties"]["id"] for f in feats if f["properties"]["kind"] == "space"]
    n = draw(st.integers(0, 12))
    for k in range(n):
        space = draw(st.sampled_from([*spaces, "NOPE"]))
        feats.append(
            feature(
                "request",
                None,
                id=f"R{k}",
                space=space,
                charger_kw=draw(st.sampled_from([3.5, 7, 11])),
                registered=draw(st.none() | st.sampled_from(["2024-01-01", "2024-01-02"])),
                documents=draw(
                    st.lists(
                        st.sampled_from(["id_document", "property_consent", "parking_certificate"]),
                        unique=True,
                    )
                ),
            )
        )
    rules = Rules().with_overrides([f"clearance_m={draw(st.sampled_from([0, 0.1]))}"])
    return _site(feats), rules


@given(random_requests(), st.booleans(), st.sampled_from(["rectilinear", "euclidean"]))
def test_every_request_is_accounted_for(
    case: tuple[Any, Rules], managed: bool, routing: str
) -> None:
    site, rules = case
    plan = make_plan(site, rules, options=PlanOptions(managed=managed, routing=routing))
    _check_nothing_lost(site, plan)
    if managed:  # E6: only the managed minimum defers
        for r in plan.requests:
            if r.status == "deferred":
                assert "MANAGED_MINIMUM" in {x.code for x in r.reasons}


def test_a_stall_shows_its_most_favourable_outcome() -> None:
    """B1-004 holds R01 (planned) and R09 (blocked duplicate): sheet and app show it planned."""
    plan = make_plan(read_site(sample_path("a")))
    by_space = plan.space_status("B1")
    assert by_space["B1-004"] == "planned"
    assert by_space["B1-014"] == "blocked"
    assert "B1-999" not in by_space  # the unknown space has no level


def _one_request_site() -> Any:
    return _garage_with_requests(1, capacity=100)


def test_a_cable_no_size_can_serve_is_blocked_with_the_length_that_would_pass() -> None:
    site = _one_request_site()
    tight = Rules().with_overrides(["voltage_drop_limit_pct=0.2"])
    (r,) = make_plan(site, tight).requests
    assert r.status == "blocked"
    (vd,) = [x for x in r.reasons if x.code == "VOLTAGE_DROP_OVER_LIMIT"]
    assert "at most" in vd.message
    assert "second meter box" in vd.message
    warned = make_plan(site, tight.with_overrides(["block_over_limit=false"]))
    assert warned.requests[0].status == "planned"
    assert warned.cables[0].conductor_mm2 == 35


def test_short_circuit_reach_blocks_on_its_own() -> None:
    """Ia = 150 In: the magnetic trip reaches only 2.3 m per 10 mm², 22.8 m at 35 mm², and
    the cable is 33 m long."""
    rules = Rules().with_overrides(["magnetic_trip_multiple=150", "voltage_drop_limit_pct=50"])
    (r,) = make_plan(_one_request_site(), rules).requests
    assert r.status == "blocked"
    assert {x.code for x in r.reasons} >= {"SHORT_CIRCUIT_REACH"}
    assert "VOLTAGE_DROP_OVER_LIMIT" not in {x.code for x in r.reasons}


def test_cable_properties_follow_the_segments() -> None:
    plan = make_plan(read_site(sample_path("a")))
    for c in plan.cables:
        assert c.designation.startswith("ZR-YJV-0.6/1kV-3×")
        assert c.methods == tuple(dict.fromkeys(s.method for s in c.segments))
        assert sum(s.length_m for s in c.segments) == pytest.approx(c.route_m, abs=1e-3)
        assert c.iz_a >= 40
        assert c.cable_m <= c.short_circuit_reach_m
        assert c.breaker == "C40/2P RCBO 30mA A"
    for b in plan.boxes:
        assert b.placement == "centre"
        assert sum(b.box_sizes) >= len(b.circuits)
        assert b.incoming_cable is not None


def test_a_manual_box_in_a_stall_is_refused_naming_the_box() -> None:
    site = read_site(sample_path("a"))
    stall = next(s for s in site.spaces if s.level == "B1")
    comp = next(c for c in site.compartments if c.polygon.contains(stall.polygon.centroid))
    p = stall.polygon.centroid
    with pytest.raises(PlannerError, match=rf"meter box {comp.id}-BX: .* inside parking space"):
        make_plan(site, options=PlanOptions(box_positions={comp.id: (p.x, p.y)}))
    with pytest.raises(PlannerError, match=rf"meter box {comp.id}-BX: .* outside compartment"):
        make_plan(site, options=PlanOptions(box_positions={comp.id: (-1e4, -1e4)}))


def test_r16_a_corrected_request_takes_the_space() -> None:
    feats = simple_garage(bays=2, strips=1)
    docs = ["id_document", "property_consent", "parking_certificate"]
    feats += [
        feature(
            "request",
            None,
            id="BIG",
            space="B1-001",
            charger_kw=11,
            registered="2024-04-01",
            documents=docs,
        ),
        feature(
            "request",
            None,
            id="FIX",
            space="B1-001",
            charger_kw=7,
            registered="2024-04-02",
            documents=docs,
        ),
    ]
    plan = make_plan(_site(feats))
    statuses = {r.id: r.status for r in plan.requests}
    assert statuses == {"BIG": "blocked", "FIX": "planned"}
    big = next(r for r in plan.requests if r.id == "BIG")
    assert {"CHARGER_OVER_CAP", "DUPLICATE_SPACE_REQUEST"} <= {x.code for x in big.reasons}


@pytest.mark.parametrize("key", ["a", "b", "c", "d"])
def test_compartments_planned_on_threads_give_the_same_plan(key: str) -> None:
    """Two or more threads plan the compartments at once (the command gives one per
    core): the plan file and the report are the same as one thread's, byte for byte."""
    from planner.jsonio import dumps
    from planner.writers.geojson import plan_features

    site = read_site(sample_path(key), requests=sample_requests_path(key))
    alone, together = make_plan(site), make_plan(site, threads=3)
    assert dumps(plan_features(together)) == dumps(plan_features(alone))
    assert dumps(report(together)) == dumps(report(alone))
    assert len(alone.compartments) >= 2


def test_the_time_budget_reaches_the_compartments_threads() -> None:
    """The budget is checked where the compartments are planned, which on threads is not
    where it was opened: it goes with each one (a context variable), and stops the plan."""
    from planner.errors import InputLimitError
    from planner.limits import Limits

    site = read_site(sample_path("a"))
    with pytest.raises(InputLimitError, match="time_budget_s"):
        make_plan(site, limits=Limits(time_budget_s=1e-6), threads=2)
    with pytest.raises(ValueError, match="threads: at least 1"):
        make_plan(site, threads=0)


def test_a_failing_compartment_stops_the_others_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compartments on threads: when one fails (or the command is interrupted), those under
    way stop at their next check of the time budget instead of running on unseen (a large
    compartment would keep ^C waiting); the first error is the one raised."""
    import threading
    import time

    import planner.plan as plan_module
    from planner.limits import RunCancelledError, check_time

    stopped = threading.Event()

    def planned(comp: Any, *args: Any) -> Any:
        if comp.id == "FQ1":
            time.sleep(0.2)
            raise ValueError("the first compartment failed")
        began = time.perf_counter()
        try:
            while time.perf_counter() - began < 30:  # a long compartment, checking the budget
                check_time()
                time.sleep(0.005)
        except RunCancelledError:
            stopped.set()
            raise
        raise AssertionError("never stopped")

    monkeypatch.setattr(plan_module, "_plan_compartment", planned)
    began = time.perf_counter()
    with pytest.raises(ValueError, match="the first compartment failed"):
        make_plan(read_site(sample_path("a")), threads=2)
    assert stopped.is_set()
    assert time.perf_counter() - began < 10
