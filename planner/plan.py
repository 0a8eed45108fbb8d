"""The orchestration: a site and the rules in, a plan out.

:func:`make_plan` applies R1-R16 in the order a surveyor would: who may have a charger at all
(fire systems, power cap, duplicate, vote, documents), which compartment feeds each space,
where each box goes, the routes from it, the cables' conductors, and finally the
compartment's capacity, first come first served. Every request of the site comes out exactly
once, with a status and the reasons for it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import shapely
from pydantic import BaseModel, ConfigDict, Field
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from planner import checks, electrical
from planner.chargers import charger_point, compartment_of
from planner.findings import STATUSES, Finding, Reason, Status, reason, status_of
from planner.limits import Deadline, Limits
from planner.placement import (
    BoxSite,
    PlacementMode,
    centroid_site,
    column_site,
    min_cable_node,
)
from planner.routing import Route, RouteCache, Router, RoutingMode
from planner.rules import Rules
from planner.site import Compartment, Level, Obstacle, Request, Site, Space

STRUCTURE_TYPES = ("column", "wall", "shaft", "room")
"""Obstacles a charger can be mounted against (R15)."""


class PlanOptions(BaseModel):
    """How to plan (modes, not thresholds: those are in :class:`~planner.rules.Rules`)."""

    model_config = ConfigDict(frozen=True)

    routing: RoutingMode = "rectilinear"
    placement: PlacementMode = "centroid"
    managed: bool = False
    box_positions: dict[str, tuple[float, float]] = Field(default_factory=dict)
    """Manual box positions by compartment id, in local metres."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class MeterBox(_Frozen):
    """The meter box (or bank of boxes) of one compartment."""

    id: str
    compartment: str
    level: str
    point: Point
    placement: str
    offset_m: float
    meters: int
    boxes: int
    connected_kw: float
    demand_kw: float
    capacity_kw: float | None
    spare_chargers: int | None
    saving_m: float | None = None


class Cable(_Frozen):
    """One owner's cable from the box to the charger."""

    request: str
    space: str
    compartment: str
    level: str
    line: LineString
    route_m: float
    cable_m: float
    conductor_mm2: float
    voltage_drop_pct: float
    tray_m: float = 0.0


class RequestOutcome(_Frozen):
    """A request as decided: status, reasons, where its charger is."""

    id: str
    space: str
    level: str | None
    compartment: str | None
    status: Status
    reasons: tuple[Reason, ...]
    point: Point | None
    charger_kw: float
    registered: str | None
    applicant: str | None
    charger_type: str | None
    car_brand: str | None
    tenure: str | None
    queue: int | None = None
    guaranteed_kw: float | None = None
    overnight_kwh: float | None = None


class CompartmentSummary(_Frozen):
    """Figures per compartment for the summary table and the report."""

    id: str
    level: str
    name: str | None
    area_m2: float
    counts: dict[str, int]
    connected_kw: float
    demand_kw: float
    capacity_kw: float | None
    spare_chargers: int | None
    boxes: int
    cable_m: float


class Plan(_Frozen):
    """A whole plan: boxes, cables, decided requests, findings and summaries."""

    site: Site
    rules: Rules
    options: PlanOptions
    boxes: tuple[MeterBox, ...]
    cables: tuple[Cable, ...]
    requests: tuple[RequestOutcome, ...]
    findings: tuple[Finding, ...]
    compartments: tuple[CompartmentSummary, ...]
    unassigned: dict[str, dict[str, int]]

    def space_status(self, level_id: str) -> dict[str, Status]:
        """Each requested stall of a level with the most favourable status among its
        requests (a duplicate refused beside a planned charger leaves the stall planned)."""
        out: dict[str, Status] = {}
        for r in self.requests:
            if r.level == level_id and (
                r.space not in out or STATUSES.index(r.status) < STATUSES.index(out[r.space])
            ):
                out[r.space] = r.status
        return out

    def counts(self) -> dict[str, int]:
        """Requests by status over the whole site."""
        c = Counter(r.status for r in self.requests)
        return {s: c.get(s, 0) for s in STATUSES}


# ---------------------------------------------------------------------------------------
class _Case:
    """Working state of one request while the rules are applied."""

    def __init__(self, req: Request, order: int) -> None:
        self.req = req
        self.order = order
        self.reasons: list[Reason] = []
        self.space: Space | None = None
        self.level: Level | None = None
        self.comp: Compartment | None = None
        self.point: Point | None = None
        self.route: Route | None = None
        self.cable: Cable | None = None
        self.queue: int | None = None
        self.guaranteed_kw: float | None = None
        self.overnight_kwh: float | None = None

    @property
    def blocked(self) -> bool:
        return status_of(self.reasons) == "blocked"


def make_plan(
    site: Site,
    rules: Rules | None = None,
    *,
    options: PlanOptions | None = None,
    route_cache: RouteCache | None = None,
    time_budget_s: float | None = None,
) -> Plan:
    """Plan every request of ``site`` under ``rules``.

    Parameters
    ----------
    site
        A validated site (see :func:`planner.read_site`).
    rules
        Thresholds; the defaults of ``domain.md`` if ``None``.
    options
        Routing and placement modes, managed charging, manual box positions.
    route_cache
        Routes already found, by content (the app keeps one per session); ``None``
        routes everything afresh.
    time_budget_s
        Longest time the plan may take (default: ``Limits().time_budget_s``, 300 s);
        past it, :class:`~planner.errors.InputLimitError` says which limit to raise.

    Examples
    --------
    >>> from planner import read_site
    >>> from planner.samples import sample_path
    >>> plan = make_plan(read_site(sample_path("d")))
    >>> plan.counts()["planned"]
    6
    """
    rules = rules or Rules()
    options = options or PlanOptions()
    deadline = Deadline(Limits().time_budget_s if time_budget_s is None else time_budget_s)
    findings: list[Finding] = []
    for w in site.warnings:
        if w.code in ("GARAGE_TYPE_ASSUMED", "PII_MASKED"):
            continue  # said again below, with the rule, by level and by request
        findings.append(
            Finding(
                code=w.code,
                severity=w.severity,
                rule="input",
                clause="site-format §1",
                message=str(w),
                subject=w.feature_id,
            )
        )
    pii = {w.feature_id for w in site.warnings if w.code == "PII_MASKED" and w.kind == "request"}
    if site.info.supply == "non_direct":
        findings.append(
            Finding.of(
                reason(
                    "SUPPLY_NON_DIRECT",
                    "non-direct supply (非电网直供电): documents and tariff are "
                    "set by the owner of the power facilities; the same layout rules apply",
                ),
                subject=site.info.name,
            )
        )

    spaces = {s.id: s for s in site.spaces}
    level_rs = {lv.id: checks.level_reasons(lv, rules) for lv in site.levels}
    comp_rs: dict[str, list[Reason]] = {}
    for lv in site.levels:
        for r in level_rs[lv.id]:
            findings.append(Finding.of(r, subject=lv.id, level=lv.id, geometry=lv.outline))
    for comp in site.compartments:
        comp_rs[comp.id] = checks.compartment_reasons(comp, site.level(comp.level), rules)
        for r in comp_rs[comp.id]:
            findings.append(Finding.of(r, subject=comp.id, level=comp.level, geometry=comp.polygon))
    comps_by_level: dict[str, list[Compartment]] = defaultdict(list)
    for comp in site.compartments:
        comps_by_level[comp.level].append(comp)

    dupes = checks.duplicates(site.requests)
    cases = [_Case(req, n) for n, req in enumerate(site.requests)]
    for case in cases:
        _decide_application(
            case,
            site=site,
            spaces=spaces,
            level_rs=level_rs,
            comps_by_level=comps_by_level,
            comp_rs=comp_rs,
            dupes=dupes,
            pii=pii,
            rules=rules,
        )

    by_comp: dict[str, list[_Case]] = defaultdict(list)
    for case in cases:
        if case.comp is not None:
            by_comp[case.comp.id].append(case)
    boxes: list[MeterBox] = []
    summaries: list[CompartmentSummary] = []
    for comp in site.compartments:
        group = by_comp.get(comp.id, [])
        deadline.check()
        box, extra = _plan_compartment(comp, group, site, rules, options, route_cache, deadline)
        findings.extend(extra)
        if box is not None:
            boxes.append(box)
        summaries.append(_summary(comp, group, box, rules))

    outcomes = []
    cables = []
    for case in cases:
        status = status_of(case.reasons)
        if case.cable is not None and status != "blocked":
            cables.append(case.cable)
        outcomes.append(_outcome(case, status))
        subject = case.req.space
        for r in case.reasons:
            findings.append(
                Finding.of(
                    r,
                    subject=subject,
                    level=case.level.id if case.level else None,
                    geometry=case.point,
                )
            )
    unassigned: dict[str, dict[str, int]] = {}
    for level_id in [*(lv.id for lv in site.levels), "?"]:
        counted = Counter(
            o.status for o in outcomes if o.compartment is None and (o.level or "?") == level_id
        )
        if counted:
            unassigned[level_id] = {s: counted.get(s, 0) for s in STATUSES}
    return Plan(
        site=site,
        rules=rules,
        options=options,
        boxes=tuple(boxes),
        cables=tuple(cables),
        requests=tuple(outcomes),
        findings=tuple(findings),
        compartments=tuple(summaries),
        unassigned=unassigned,
    )


def _decide_application(
    case: _Case,
    *,
    site: Site,
    spaces: dict[str, Space],
    level_rs: dict[str, list[Reason]],
    comps_by_level: dict[str, list[Compartment]],
    comp_rs: dict[str, list[Reason]],
    dupes: dict[str, str],
    pii: set[str | None],
    rules: Rules,
) -> None:
    """Everything that does not need a route: R1, R2, R6, R7, R13, R14, R16."""
    req = case.req
    add = case.reasons.append
    if req.id in pii:
        add(reason("PII_MASKED", "an ID or phone number in this request was masked"))
    if req.registered is None:
        add(
            reason(
                "REGISTRATION_MISSING",
                "no registration time: queued after every registered request",
            )
        )
    space = spaces.get(req.space)
    if space is None:
        add(reason("SPACE_UNKNOWN", f"space '{req.space}' is not in the site file"))
        return
    case.space = space
    case.level = site.level(space.level)
    case.reasons.extend(level_rs[space.level])
    comp = compartment_of(space, comps_by_level.get(space.level, []))
    if comp is None:
        add(
            reason(
                "SPACE_OUTSIDE_COMPARTMENT",
                f"no fire compartment holds more than half of space {space.id}",
            )
        )
    else:
        case.comp = comp
        case.reasons.extend(comp_rs[comp.id])
    cap = checks.cap_reason(req, rules)
    if cap:
        add(cap)
    if req.id in dupes:
        add(
            reason(
                "DUPLICATE_SPACE_REQUEST",
                f"space {space.id} already has request {dupes[req.id]}, registered earlier",
            )
        )
    if space.tenure == "common":
        vote = checks.vote_reason(req, rules)
        if vote:
            add(vote)
    docs = checks.documents_reason(req, space, site.info, rules)
    if docs:
        add(docs)


def _structures(
    comp: Compartment, level: Level, obstacles: Sequence[Obstacle], spaces: Sequence[Space]
) -> tuple[BaseGeometry, BaseGeometry]:
    """What chargers are mounted against (R15) near a compartment, and the stalls there."""
    near = comp.polygon.buffer(1.0)
    parts: list[BaseGeometry] = [comp.polygon.exterior, level.outline.exterior]
    parts += [
        o.geometry for o in obstacles if o.type in STRUCTURE_TYPES and o.geometry.intersects(near)
    ]
    stalls = [s.polygon for s in spaces if s.polygon.intersects(near)]
    return shapely.union_all(parts), shapely.union_all(stalls) if stalls else Point()


def _plan_compartment(  # noqa: PLR0917 - one private step of make_plan
    comp: Compartment,
    group: list[_Case],
    site: Site,
    rules: Rules,
    options: PlanOptions,
    route_cache: RouteCache | None,
    deadline: Deadline,
) -> tuple[MeterBox | None, list[Finding]]:
    """R15 charger points, R5 box, R8 routes, R9/R10 cables, R12 capacity for one
    compartment's requests."""
    findings: list[Finding] = []
    live = [c for c in group if not c.blocked]
    if not live:
        return None, findings
    level = site.level(comp.level)
    view = site.on_level(comp.level)
    structures, neighbours = _structures(comp, level, view.obstacles, view.spaces)
    for case in group:
        assert case.space is not None
        cp = charger_point(
            case.space,
            comp,
            given=case.req.point,
            structures=structures,
            neighbours=neighbours,
            offset_m=rules.charger_edge_offset_m,
        )
        case.point = cp.point
        case.reasons.extend(cp.reasons)
    obstacles = [o.geometry for o in view.obstacles]
    trays = [t.line for t in view.trays]
    router = Router(
        comp.polygon,
        obstacles,
        trays,
        mode=options.routing,
        clearance_m=rules.clearance_m,
        tray_cost_factor=rules.tray_cost_factor,
        axis_deg=comp.axis_deg,
    )
    box_site = _box_site(
        comp, router=router, site=site, rules=rules, options=options, live=live, findings=findings
    )
    if box_site is None:
        for case in live:
            case.reasons.append(
                reason(
                    "NO_ROUTE",
                    f"compartment {comp.id} has no free floor left for a meter box and cables",
                )
            )
        return None, findings
    targets = [c.point for c in live]
    routes = (
        router.route_all(box_site.point, targets, deadline=deadline)
        if route_cache is None
        else route_cache.routes(router, box_site.point, targets, deadline=deadline)
    )
    for case, route in zip(live, routes, strict=True):
        if route is None:
            case.reasons.append(
                reason(
                    "NO_ROUTE",
                    f"no cable route from the box of {comp.id} reaches space "
                    f"{case.req.space} inside the compartment without crossing an obstacle",
                )
            )
            continue
        _size_cable(case, route, comp, level, rules)
    _apply_capacity(comp, [c for c in live if not c.blocked], rules, options)
    still = [c for c in group if not c.blocked]
    if not still:
        return None, findings
    joined = _fcfs([c for c in still if status_of(c.reasons) in ("planned", "pending")])
    kws = [c.req.charger_kw for c in joined]
    demand = electrical.demand_kw(kws, rules)
    spare: int | None = None
    if comp.capacity_kw is not None:
        spare = 0
        if len(joined) == len(still) and demand <= comp.capacity_kw + 1e-9:
            spare = electrical.admit(kws, capacity_kw=comp.capacity_kw, rules=rules).spare_chargers
    box = MeterBox(
        id=f"{comp.id}-BX",
        compartment=comp.id,
        level=comp.level,
        point=box_site.point,
        placement=box_site.placement,
        offset_m=box_site.offset_m,
        meters=len(joined),
        boxes=electrical.boxes_in_bank(len(joined), rules),
        connected_kw=sum(kws),
        demand_kw=demand,
        capacity_kw=comp.capacity_kw,
        spare_chargers=spare,
        saving_m=box_site.saving_m,
    )
    return box, findings


def _box_site(
    comp: Compartment,
    *,
    router: Router,
    site: Site,
    rules: Rules,
    options: PlanOptions,
    live: list[_Case],
    findings: list[Finding],
) -> BoxSite | None:
    manual = options.box_positions.get(comp.id)
    if manual is not None:
        p = Point(manual)
        findings.append(
            Finding.of(
                reason(
                    "BOX_MOVED",
                    f"the meter box of {comp.id} was placed by hand "
                    f"{p.distance(comp.polygon.centroid):.2f} m from the compartment centroid",
                ),
                subject=comp.id,
                level=comp.level,
                geometry=p,
            )
        )
        return BoxSite(p, "manual", p.distance(comp.polygon.centroid))
    policy = centroid_site(comp.polygon, router.free)
    if options.placement == "column":
        obstacles = [o for o in site.obstacles if o.level == comp.level]
        return column_site(comp.polygon, router.free, obstacles, clearance_m=rules.clearance_m)
    if options.placement == "min-cable" and policy is not None:
        return _min_cable(comp, router, policy, live, findings)
    return policy


def _min_cable(
    comp: Compartment, router: Router, policy: BoxSite, live: list[_Case], findings: list[Finding]
) -> BoxSite:
    """R5 option: the graph node minimising the total route length, with the saving."""
    snapped = [router.snap(c.point) for c in live if c.point is not None]
    free_pts = [s[0] for s in snapped if s is not None]
    stubs = sum(s[1].length for s in snapped if s is not None and s[1] is not None)
    graph, pts = router.graph([policy.point, *free_pts])
    best = min_cable_node(
        graph,
        [(float(x), float(y)) for x, y in pts[1:]],
        prefer=(float(pts[0][0]), float(pts[0][1])),
    )
    if best is None:
        return policy
    node, total = best
    policy_routes = router.route_all(policy.point, [c.point for c in live])
    policy_total = sum(r.length_m for r in policy_routes if r is not None)
    point = router.to_world(node)
    saving = policy_total - (total + stubs)
    findings.append(
        Finding.of(
            reason(
                "MIN_CABLE_SAVING",
                f"min-cable placement saves {saving:.1f} m of route against the policy placement "
                f"({policy_total:.1f} m -> {total + stubs:.1f} m) in {comp.id}",
            ),
            subject=comp.id,
            level=comp.level,
            geometry=point,
        )
    )
    return BoxSite(point, "min_cable", point.distance(comp.polygon.centroid), saving_m=saving)


def _size_cable(case: _Case, route: Route, comp: Compartment, level: Level, rules: Rules) -> None:
    """R9 and R10 for one routed request."""
    case.route = route
    cable_m = electrical.cable_length_m(
        route.length_m, ceiling_height_m=level.ceiling_height_m, rules=rules
    )
    cond = electrical.size_conductor(cable_m, charger_kw=case.req.charger_kw, rules=rules)
    if not cond.within_limit:
        case.reasons.append(
            reason(
                "VOLTAGE_DROP_OVER_LIMIT",
                f"{cable_m:.1f} m of cable drops {cond.voltage_drop_pct:.2f} % even at "
                f"{cond.conductor_mm2:g} mm², over the {rules.voltage_drop_limit_pct:g} % limit",
            )
        )
    if cable_m > rules.long_run_m:
        case.reasons.append(
            reason("LONG_RUN", f"the cable is {cable_m:.1f} m long, over {rules.long_run_m:g} m")
        )
    assert case.space is not None
    case.cable = Cable(
        request=case.req.id,
        space=case.space.id,
        compartment=comp.id,
        level=comp.level,
        line=route.line,
        route_m=route.length_m,
        cable_m=cable_m,
        conductor_mm2=cond.conductor_mm2,
        voltage_drop_pct=cond.voltage_drop_pct,
        tray_m=route.tray_m,
    )


def _fcfs(cases: Sequence[_Case]) -> list[_Case]:
    return sorted(cases, key=lambda c: checks.fcfs_key(c.req, c.order))


def _apply_capacity(
    comp: Compartment, live: list[_Case], rules: Rules, options: PlanOptions
) -> None:
    """R12: first come, first served against the compartment's capacity, or managed."""
    queue = _fcfs(live)
    for n, case in enumerate(queue, start=1):
        case.queue = n
    if comp.capacity_kw is None:
        for case in queue:
            case.reasons.append(
                reason(
                    "CAPACITY_UNKNOWN",
                    f"compartment {comp.id} has no capacity_kw: nothing is "
                    "deferred, but the utility must confirm the supply",
                )
            )
    if options.managed:
        for case in queue:
            share = electrical.managed_share_kw(
                case.req.charger_kw, capacity_kw=comp.capacity_kw, count=len(queue)
            )
            case.guaranteed_kw = share
            case.overnight_kwh = share * rules.managed_hours
            case.reasons.append(
                reason(
                    "MANAGED_CHARGING",
                    f"managed charging: at least {share:.2f} kW guaranteed, "
                    f"{share * rules.managed_hours:.1f} kWh over {rules.managed_hours:g} h",
                )
            )
        return
    if comp.capacity_kw is None:
        return
    admission = electrical.admit(
        [c.req.charger_kw for c in queue], capacity_kw=comp.capacity_kw, rules=rules
    )
    for case in queue[admission.joined :]:
        case.reasons.append(
            reason(
                "COMPARTMENT_OVER_CAPACITY",
                f"compartment {comp.id}'s {comp.capacity_kw:g} kW are taken by the "
                f"{admission.joined} request(s) registered earlier (demand "
                f"{admission.demand_kw:.2f} kW); queue position {case.queue}",
            )
        )


def _summary(
    comp: Compartment, group: list[_Case], box: MeterBox | None, rules: Rules
) -> CompartmentSummary:
    counts = Counter(status_of(c.reasons) for c in group)
    cable = sum(
        c.cable.cable_m for c in group if c.cable is not None and status_of(c.reasons) != "blocked"
    )
    return CompartmentSummary(
        id=comp.id,
        level=comp.level,
        name=comp.name,
        area_m2=comp.polygon.area,
        counts={s: counts.get(s, 0) for s in STATUSES},
        connected_kw=box.connected_kw if box else 0.0,
        demand_kw=box.demand_kw if box else 0.0,
        capacity_kw=comp.capacity_kw,
        spare_chargers=box.spare_chargers
        if box
        else (
            None
            if comp.capacity_kw is None
            else electrical.admit([], capacity_kw=comp.capacity_kw, rules=rules).spare_chargers
        ),
        boxes=box.boxes if box else 0,
        cable_m=cable,
    )


def _outcome(case: _Case, status: Status) -> RequestOutcome:
    req = case.req
    return RequestOutcome(
        id=req.id,
        space=req.space,
        level=case.level.id if case.level else None,
        compartment=case.comp.id if case.comp else None,
        status=status,
        reasons=tuple(case.reasons),
        point=case.point or (case.space.polygon.centroid if case.space is not None else None),
        charger_kw=req.charger_kw,
        registered=req.registered.isoformat() if req.registered else None,
        applicant=req.applicant,
        charger_type=req.charger_type,
        car_brand=req.car_brand,
        tenure=case.space.tenure if case.space else None,
        queue=case.queue,
        guaranteed_kw=case.guaranteed_kw,
        overnight_kwh=case.overnight_kwh,
    )


def report(plan: Plan) -> dict[str, Any]:
    """``report.json``: options, rules, figures per level and compartment, findings."""
    levels = []
    for lv in plan.site.levels:
        comps = [
            {
                "id": s.id,
                "name": s.name,
                "area_m2": round(s.area_m2, 2),
                "counts": s.counts,
                "connected_kw": round(s.connected_kw, 3),
                "demand_kw": round(s.demand_kw, 3),
                "capacity_kw": s.capacity_kw,
                "spare_chargers": s.spare_chargers,
                "boxes": s.boxes,
                "cable_m": round(s.cable_m, 2),
            }
            for s in plan.compartments
            if s.level == lv.id
        ]
        levels.append(
            {
                "id": lv.id,
                "name": lv.name,
                "compartments": comps,
                "unassigned": plan.unassigned.get(lv.id, dict.fromkeys(STATUSES, 0)),
            }
        )
    out: dict[str, Any] = {
        "site": plan.site.info.name,
        "community": plan.site.info.community,
        "options": plan.options.model_dump(mode="json"),
        "rules": plan.rules.model_dump(mode="json"),
        "counts": plan.counts(),
        "levels": levels,
        "findings": [f.model_dump(mode="json", exclude={"geometry"}) for f in plan.findings],
    }
    if "?" in plan.unassigned:
        out["unassigned_no_level"] = plan.unassigned["?"]
    return out
