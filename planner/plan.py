"""The orchestration: a site and the rules in, a plan out.

:func:`make_plan` applies R1-R16 in the order a surveyor would: who may have a charger at all
(fire systems, power cap, duplicate, vote, documents), which compartment feeds each space,
where each box goes, the routes from it, the cables' conductors, and finally the
compartment's capacity, first come first served. Every request of the site comes out exactly
once, with a status and the reasons for it.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import numpy as np
import shapely
from pydantic import BaseModel, ConfigDict, Field, field_validator
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from planner import checks, electrical, tables
from planner.chargers import charger_point, compartment_of, compartments_of, derived_chargers
from planner.costs import OwnerCost, Prices, owner_cost
from planner.electrical import Circuit, Phase, Segment
from planner.errors import PlannerError, Severity
from planner.findings import STATUSES, Finding, Reason, Status, reason, status_of
from planner.installation import cable_segments
from planner.limits import Deadline, Limits, check_time, current
from planner.placement import (
    BoxSite,
    Mounts,
    PlacementMode,
    centre_site,
    centroid_site,
    min_cable_node,
    mount_faces,
)
from planner.privacy import get_logger
from planner.progress import stage
from planner.projection import Geom
from planner.routing import Route, RouteCache, Router, RoutingMode
from planner.rules import Rules
from planner.site import Compartment, Level, Obstacle, Request, Site, SiteLevelView, Space
from planner.trunk import TrayRun, noded_routes, tray_runs, tray_size

log = get_logger(__name__)

STRUCTURE_TYPES = ("column", "wall", "shaft", "room")
DEFAULT_PRICES = Prices.default()
"""Obstacles a charger can be mounted against (R15)."""


TrunkMode = Literal["shared", "none"]


class PlanOptions(BaseModel):
    """How to plan (modes, not thresholds: those are in :class:`~planner.rules.Rules`)."""

    model_config = ConfigDict(frozen=True)

    routing: RoutingMode = "rectilinear"
    placement: PlacementMode = "centre"
    managed: bool = False
    trunk: TrunkMode = "shared"
    """``shared``: one tray tree per compartment that the cables follow (issue 12);
    ``none``: each cable its own run, as before, for comparison."""
    reserve: Literal["none", "all"] | float = "none"
    """Build-out reserve (车桩相随、适度超前): the share of each compartment's unrequested
    spaces the tray and the bank are laid out for, nearest the box first."""
    box_positions: dict[str, tuple[float, float]] = Field(default_factory=dict)
    """Manual box positions by compartment id, in local metres."""

    @field_validator("reserve")
    @classmethod
    def _share(cls, v: Literal["none", "all"] | float) -> Literal["none", "all"] | float:
        if isinstance(v, float) and not 0.0 <= v <= 1.0:
            raise ValueError("a reserve share is between 0 and 1, e.g. 0.45")
        return v

    def reserve_share(self) -> float:
        """The reserve as a share of the unrequested spaces (none 0, all 1)."""
        return {"none": 0.0, "all": 1.0}.get(self.reserve, self.reserve)  # type: ignore[arg-type]


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
    """Meters of planned requests (the circuits that are connected now)."""
    boxes: int
    connected_kw: float
    demand_kw: float
    capacity_kw: float | None
    spare_chargers: int | None
    saving_m: float | None = None
    mount: str | None = None
    mount_type: str | None = None
    box_sizes: tuple[int, ...] = ()
    """Meter positions of each box of the bank, for every circuit drawn (planned and
    provisional)."""
    circuits: tuple[str, ...] = ()
    """Request ids of the bank's circuits in meter order (planned, then provisional)."""
    phase_kw: dict[str, float] = Field(default_factory=dict)
    phase_a: dict[str, float] = Field(default_factory=dict)
    unbalance: float = 0.0
    ip_a: float = 0.0
    incoming_breaker_a: float | None = None
    incoming_cable: str | None = None
    phase_limit_kw: float | None = None
    """Under managed charging: the load-management limit of each phase."""


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
    designation: str = ""
    phase: str | None = None
    phase_provisional: bool = False
    breaker: str = ""
    methods: tuple[str, ...] = ()
    grouping: float = 1.0
    iz_a: float = 0.0
    ib_a: float = 0.0
    short_circuit_reach_m: float = 0.0
    segments: tuple[Segment, ...] = ()
    conduit_m: float = 0.0
    """Horizontal run off any tray (in conduit on the ceiling)."""
    cost: OwnerCost | None = None
    """The owner's estimate (cable, conduit, tray share)."""

    @property
    def cost_cny(self) -> float | None:
        """The owner's total estimate, yuan (``None`` when a price is missing)."""
        return None if self.cost is None else self.cost.total_cny


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
    phase: str | None = None
    phase_provisional: bool = False


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
    box_sizes: tuple[int, ...] = ()
    phase_kw: dict[str, float] = Field(default_factory=dict)
    phase_a: dict[str, float] = Field(default_factory=dict)
    unbalance: float = 0.0
    incoming_breaker_a: float | None = None
    incoming_cable: str | None = None
    tray_m: float = 0.0
    build_out: dict[str, Any] | None = None
    """With a reserve: what the build-out would need (chargers, meters, demand_kw by E5,
    tray_m, fits: the capacity serves it, or None when unknown)."""


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
    trays: tuple[TrayRun, ...] = ()
    """The planned shared tray, segment by segment (issue 12)."""
    prices: Prices = Field(default_factory=Prices.default)
    """The price table the owners' estimates use."""

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

    def circuits(self) -> dict[str, tuple[str, str]]:
        """Each request with a circuit: ``(box id, "WP<nn>")``, numbered within its bank in
        the meter order of E5 (planned first, then provisional), so a later join takes the
        next number and never renumbers the others. ``f"{box}-{wp}"`` is unique in the
        site (:func:`circuit_ref`)."""
        return {
            rid: (b.id, circuit_number(i)) for b in self.boxes for i, rid in enumerate(b.circuits)
        }

    def counts(self) -> dict[str, int]:
        """Requests by status over the whole site."""
        c = Counter(r.status for r in self.requests)
        return {s: c.get(s, 0) for s in STATUSES}


# ---------------------------------------------------------------------------------------
def circuit_number(index: int) -> str:
    """``WP01`` ... the circuits of a bank in meter order (index from 0)."""
    return f"WP{index + 1:02d}"


def circuit_ref(box_id: str, number: str) -> str:
    """A circuit's name unique in the site: ``<box id>-WP<nn>``."""
    return f"{box_id}-{number}"


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
        self.cable_m: float = 0.0
        self.segments: list[Segment] = []
        self.circuit: Circuit | None = None
        self.queue: int | None = None
        self.guaranteed_kw: float | None = None
        self.overnight_kwh: float | None = None
        self.phase: Phase | None = None
        self.provisional = False

    @property
    def blocked(self) -> bool:
        return status_of(self.reasons) == "blocked"


def make_plan(
    site: Site,
    rules: Rules | None = None,
    *,
    options: PlanOptions | None = None,
    route_cache: RouteCache | None = None,
    limits: Limits | None = None,
    prices: Prices | None = None,
    threads: int = 1,
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
        Routes already found, by content (the app keeps one per session); ``None``: a
        cache for this plan alone, so compartments alike in all that routing depends on
        (stacked levels of one layout) are routed once.
    prices
        The price table of the owners' estimates (default: the bundled estimates,
        :meth:`planner.costs.Prices.default`).
    limits
        The time budget and the size of routing graphs (default: :class:`Limits`, 300 s).
        Inside a run opened with :meth:`Deadline.active` (the CLI's, the app's) the plan
        spends that run's budget unless ``limits`` is given; past it,
        :class:`~planner.errors.InputLimitError` says which limit to raise.
    threads
        Compartments planned at once, each on a thread of its own (the command gives
        one per core). The plan is the same for any number: a compartment's work
        touches only its own requests, and the results are taken in the site's order.

    Examples
    --------
    >>> from planner import read_site
    >>> from planner.samples import sample_path
    >>> plan = make_plan(read_site(sample_path("d")))
    >>> plan.counts()["planned"]
    6
    """
    if threads < 1:
        raise ValueError(f"threads: at least 1, not {threads}")
    run = current()
    if run is None or limits is not None:
        run = Deadline.of(limits or Limits())
    with run.active():
        return _make_plan(
            _Context(
                site,
                rules or Rules(),
                options or PlanOptions(),
                # without one, a cache for this plan: compartments alike in every routing
                # input (stacked levels of one layout) are routed once
                route_cache if route_cache is not None else RouteCache(),
                prices or DEFAULT_PRICES,
                threads,
            )
        )


@dataclasses.dataclass(frozen=True)
class _Context:
    """What every stage of one plan reads."""

    site: Site
    rules: Rules
    options: PlanOptions
    route_cache: RouteCache | None
    prices: Prices
    threads: int


@dataclasses.dataclass(frozen=True)
class _SiteChecks:
    """The level and compartment rules' reasons, and their findings."""

    levels: dict[str, list[Reason]]
    compartments: dict[str, list[Reason]]
    findings: list[Finding]


@dataclasses.dataclass(frozen=True)
class _Compartments:
    """What planning every compartment gave."""

    boxes: list[MeterBox]
    summaries: list[CompartmentSummary]
    trays: list[TrayRun]
    findings: list[Finding]


def _make_plan(ctx: _Context) -> Plan:
    """The plan as a pipeline: the input's findings, the site rules, each space's
    compartment (R6), each request's application rules, each compartment's box, routes
    and circuits, then each request's outcome. Findings keep that order."""
    site, rules, options, prices = ctx.site, ctx.rules, ctx.options, ctx.prices
    findings = _input_findings(site)
    checked = _site_checks(ctx)
    findings += checked.findings
    assigned = _assign_spaces(site)
    check_box_positions(site, options)
    cases = _decide_requests(ctx, checked, assigned)
    planned = _plan_compartments(ctx, cases)
    findings += planned.findings
    outcomes, cables, decided = _outcomes(cases, planned.trays, prices)
    findings += decided
    log.info(
        "planned %d compartments: %d boxes, %d cables, %d tray runs; requests %s",
        len(site.compartments),
        len(planned.boxes),
        len(cables),
        len(planned.trays),
        ", ".join(f"{s} {n}" for s, n in Counter(o.status for o in outcomes).items()),
    )
    return Plan(
        site=site,
        rules=rules,
        options=options,
        boxes=tuple(planned.boxes),
        cables=tuple(cables),
        requests=tuple(outcomes),
        findings=tuple(findings),
        compartments=tuple(planned.summaries),
        unassigned=_unassigned(site, outcomes),
        trays=tuple(planned.trays),
        prices=prices,
    )


def _input_findings(site: Site) -> list[Finding]:
    """The reader's warnings, and the supply's word (non-direct supply)."""
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
    return findings


def _site_checks(ctx: _Context) -> _SiteChecks:
    """The rules of each level (R1, R2, R12) and each compartment (R3, R4)."""
    site, findings = ctx.site, []
    level_rs = {lv.id: checks.level_reasons(lv, ctx.rules) for lv in site.levels}
    for lv in site.levels:
        for r in level_rs[lv.id]:
            findings.append(Finding.of(r, subject=lv.id, level=lv.id, geometry=lv.outline))
    comp_rs: dict[str, list[Reason]] = {}
    for comp in site.compartments:
        comp_rs[comp.id] = checks.compartment_reasons(comp, site.level(comp.level), ctx.rules)
        for r in comp_rs[comp.id]:
            findings.append(Finding.of(r, subject=comp.id, level=comp.level, geometry=comp.polygon))
    return _SiteChecks(level_rs, comp_rs, findings)


def _assign_spaces(site: Site) -> dict[str, Compartment | None]:
    """R6: each space's compartment, every space of a level at once."""
    comps_by_level: dict[str, list[Compartment]] = defaultdict(list)
    for comp in site.compartments:
        comps_by_level[comp.level].append(comp)
    assigned: dict[str, Compartment | None] = {}
    for lv in site.levels:
        on_level = [sp for sp in site.spaces if sp.level == lv.id]
        found = compartments_of(on_level, comps_by_level.get(lv.id, []))
        assigned.update(zip((sp.id for sp in on_level), found, strict=True))
    return assigned


def _decide_requests(
    ctx: _Context, checked: _SiteChecks, assigned: dict[str, Compartment | None]
) -> list[_Case]:
    """Each request under the application rules, then R16 (one request per space)."""
    site = ctx.site
    spaces = {s.id: s for s in site.spaces}
    pii = {w.feature_id for w in site.warnings if w.code == "PII_MASKED" and w.kind == "request"}
    cases = [_Case(req, n) for n, req in enumerate(site.requests)]
    for case in cases:
        _decide_application(
            case,
            site=site,
            spaces=spaces,
            level_rs=checked.levels,
            assigned=assigned,
            comp_rs=checked.compartments,
            pii=pii,
            rules=ctx.rules,
        )
    # R16: the earliest request of a space not blocked by the rules above holds it
    dupes = checks.duplicates(site.requests, {c.req.id for c in cases if c.blocked})
    for case in cases:
        if case.req.id in dupes and case.space is not None:
            case.reasons.append(
                reason(
                    "DUPLICATE_SPACE_REQUEST",
                    f"space {case.space.id} is held by request {dupes[case.req.id]}, the "
                    "earliest request for it that the application rules do not block",
                )
            )
    return cases


def _plan_compartments(ctx: _Context, cases: list[_Case]) -> _Compartments:
    """Each compartment's box, routes, tray and circuits, in the site's order."""
    site = ctx.site
    by_comp: dict[str, list[_Case]] = defaultdict(list)
    for case in cases:
        if case.comp is not None:
            by_comp[case.comp.id].append(case)
    indexes = {lv.id: _LevelIndex(site.on_level(lv.id)) for lv in site.levels}
    jobs = [
        (comp, by_comp.get(comp.id, []), indexes[comp.level].near(comp.polygon))
        for comp in site.compartments
    ]
    out = _Compartments([], [], [], [])
    # closed as the loop ends, however it ends: the threads stop with it
    with (
        stage("planning compartments", total=len(jobs)) as step,
        contextlib.closing(_each_planned(ctx, jobs)) as planned,
    ):
        for (comp, group, _), done in zip(jobs, planned, strict=True):
            out.findings.extend(done.findings)
            out.trays.extend(done.trays)
            if done.box is not None:
                out.boxes.append(done.box)
            out.summaries.append(_summary(comp, group, done, ctx.rules))
            step.advance()
    return out


_Job = tuple[Compartment, list[_Case], SiteLevelView]


def _each_planned(ctx: _Context, jobs: list[_Job]) -> Generator[_Done, None, None]:
    """Each job's compartment planned, in the jobs' order, ``ctx.threads`` at a time.

    Speed shaped this: much of a compartment's time is in shapely (GEOS) and numpy, which
    let go of the interpreter while they work, so on two cores two threads took a sixth
    off the 5,000-stall basement's plan (a twentieth off the 20,000-stall level, whose
    routing searches, in scipy, keep the interpreter). Threads, not processes: they share
    the site and the route cache without copying or starting anything. What the threads
    share is read only (the site, its spatial indexes, queried here beforehand) or
    guarded (the route cache); each compartment's requests are its own, and no geometry
    two threads share is prepared (GEOS's prepared geometries are not thread-safe,
    libgeos issue 825: the router prepares its own). Each job runs under the plan's time
    budget, linked to a stop that ends the others at their next check when one fails or
    the command is interrupted (else ^C would wait for a large compartment to finish)."""

    def plan_one(job: _Job) -> _Done:
        comp, group, view = job
        check_time()
        began = time.perf_counter()
        done = _plan_compartment(
            comp, group, ctx.site, view, ctx.rules, ctx.options, ctx.route_cache
        )
        log.debug(
            "compartment %s: %d requests, box %s, %.2f s",
            comp.id,
            len(group),
            "placed" if done.box is not None else "none",
            time.perf_counter() - began,
        )
        return done

    threads = min(ctx.threads, len(jobs))
    if threads <= 1:
        yield from map(plan_one, jobs)
        return
    stop = threading.Event()  # set as the loop below ends, however it ends
    run = current()
    assert run is not None  # make_plan opened it

    def on_a_thread(job: _Job) -> _Done:
        with run.linked(stop).active():  # stops at its next check once ``stop`` is set
            return plan_one(job)

    with ThreadPoolExecutor(threads, thread_name_prefix="compartment") as pool:
        futures = [pool.submit(contextvars.copy_context().run, on_a_thread, j) for j in jobs]
        try:
            for future in futures:
                yield future.result()
        finally:  # an error, the time budget or ^C: start no more, stop those under way
            stop.set()
            for future in futures:
                future.cancel()


def _outcomes(
    cases: list[_Case], trays: list[TrayRun], prices: Prices
) -> tuple[list[RequestOutcome], list[Cable], list[Finding]]:
    """Each request's status and reasons, its priced cable, and its findings."""
    outcomes, cables, findings = [], [], []
    on_trays: dict[str, list[tuple[str, float, int]]] = defaultdict(list)
    for run in trays:
        share = (run.size, run.length_m, run.cables + run.reserve)  # its length measured once
        for rid in run.requests:
            on_trays[rid].append(share)
    for case in cases:
        status = status_of(case.reasons)
        if case.cable is not None and status != "blocked":
            cables.append(_priced(case.cable, on_trays[case.req.id], prices))
        outcomes.append(_outcome(case, status))
        level = case.level.id if case.level else None
        for r in case.reasons:
            findings.append(Finding.of(r, subject=case.req.space, level=level, geometry=case.point))
    return outcomes, cables, findings


def _unassigned(site: Site, outcomes: list[RequestOutcome]) -> dict[str, dict[str, int]]:
    """Requests in no compartment, by level (``?``: on no level), by status."""
    unassigned: dict[str, dict[str, int]] = {}
    for level_id in [*(lv.id for lv in site.levels), "?"]:
        counted = Counter(
            o.status for o in outcomes if o.compartment is None and (o.level or "?") == level_id
        )
        if counted:
            unassigned[level_id] = {s: counted.get(s, 0) for s in STATUSES}
    return unassigned


def _priced(cable: Cable, trays: list[tuple[str, float, int]], prices: Prices) -> Cable:
    """The cable with the owner's estimate: cable, conduit off the trays, tray share."""
    conduit_m = max(cable.route_m - cable.tray_m, 0.0)
    cost = owner_cost(
        designation=cable.designation,
        cable_m=cable.cable_m,
        conduit_m=conduit_m,
        tray_shares=trays,
        prices=prices,
    )
    return cable.model_copy(update={"conduit_m": conduit_m, "cost": cost})


def _decide_application(
    case: _Case,
    *,
    site: Site,
    spaces: dict[str, Space],
    level_rs: dict[str, list[Reason]],
    assigned: dict[str, Compartment | None],
    comp_rs: dict[str, list[Reason]],
    pii: set[str | None],
    rules: Rules,
) -> None:
    """Everything that does not need a route: R1, R2, R6, R7, R13, R14 (R16 follows)."""
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
    comp = assigned.get(space.id)
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
    for found in (
        checks.cap_reason(req, rules),
        checks.vote_reason(req, rules) if space.tenure == "common" else None,
        checks.documents_reason(req, space, site.info, rules),
        checks.supply_reason(site.info),
    ):
        if found:
            add(found)


def _structures(
    comp: Compartment, level: Level, obstacles: Sequence[Obstacle], spaces: Sequence[Space]
) -> tuple[BaseGeometry, BaseGeometry]:
    """What chargers are mounted against (R15) near a compartment, and the stalls there."""
    near = comp.polygon.buffer(1.0)
    parts: list[BaseGeometry] = [comp.polygon.exterior, level.outline.exterior]
    parts += touching([o.geometry for o in obstacles if o.type in STRUCTURE_TYPES], near)
    stalls = touching([s.polygon for s in spaces], near)
    # only distances are taken to these: a collection is as near as its union, and needs
    # no overlay of a hundred stalls
    return shapely.GeometryCollection(parts), shapely.GeometryCollection(stalls)


def touching(geoms: Sequence[Geom], area: BaseGeometry) -> list[Geom]:
    """The ``geoms`` that intersect ``area``, in their order (one vectorised test: a
    level's stalls and obstacles are tested against each of its compartments)."""
    if not geoms:
        return []
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = geoms
    return list(arr[shapely.intersects(arr, area)])


def check_box_positions(site: Site, options: PlanOptions) -> None:
    """R5: a manual box position must lie inside its compartment, outside every obstacle
    and every parking space; else the input is refused, naming the box."""
    comps = {c.id: c for c in site.compartments}
    for comp_id, xy in options.box_positions.items():
        box = f"{comp_id}-BX"
        comp = comps.get(comp_id)
        if comp is None:
            raise PlannerError(
                f"meter box {box}: there is no compartment '{comp_id}'. Fix: move the box of "
                "one of " + ", ".join(sorted(comps)) + "."
            )
        p = Point(xy)
        if not comp.polygon.covers(p):
            raise PlannerError(
                f"meter box {box}: ({xy[0]:.2f}, {xy[1]:.2f}) lies outside compartment "
                f"{comp_id}. Fix: give a position inside it (cables never leave their "
                "compartment)."
            )
        view = site.on_level(comp.level)
        hit = next((o for o in view.obstacles if o.geometry.buffer(1e-9).contains(p)), None)
        if hit is not None:
            raise PlannerError(
                f"meter box {box}: ({xy[0]:.2f}, {xy[1]:.2f}) lies inside {hit.type} "
                f"{hit.id or ''}".rstrip()
                + ". Fix: put the box on the face of the structure, not inside it."
            )
        stall = next((sp for sp in view.spaces if sp.polygon.contains(p)), None)
        if stall is not None:
            raise PlannerError(
                f"meter box {box}: ({xy[0]:.2f}, {xy[1]:.2f}) lies inside parking space "
                f"{stall.id}. Fix: put it on a column or wall face toward an aisle."
            )


@dataclasses.dataclass
class _Done:
    """What planning one compartment gives."""

    box: MeterBox | None
    findings: list[Finding]
    trays: list[TrayRun] = dataclasses.field(default_factory=list)
    build_out: dict[str, Any] | None = None


class _LevelIndex:
    """A level's stalls and obstacles in spatial indexes: each compartment looks only at
    what lies near it, so planning stays linear in the number of compartments."""

    MARGIN_M = 2.0
    """Beyond the widest reach of a compartment's tests (structures within 1 m of it)."""

    def __init__(self, view: SiteLevelView) -> None:
        self.view = view
        self.spaces = shapely.STRtree([sp.polygon for sp in view.spaces])
        self.obstacles = shapely.STRtree([o.geometry for o in view.obstacles])

    def near(self, area: BaseGeometry) -> SiteLevelView:
        """The level with only the stalls and obstacles whose bounds come within
        ``MARGIN_M`` of ``area``'s, in their order: every feature any test of the
        compartment could take is among them."""
        env = shapely.box(*area.bounds).buffer(self.MARGIN_M, join_style="mitre")
        spaces = np.sort(self.spaces.query(env))
        obstacles = np.sort(self.obstacles.query(env))
        return self.view.model_copy(
            update={
                "spaces": tuple(self.view.spaces[i] for i in spaces),
                "obstacles": tuple(self.view.obstacles[i] for i in obstacles),
            }
        )


def _plan_compartment(  # noqa: PLR0917 - one private step of make_plan
    comp: Compartment,
    group: list[_Case],
    site: Site,
    view: SiteLevelView,
    rules: Rules,
    options: PlanOptions,
    route_cache: RouteCache | None,
) -> _Done:
    """R15 charger points, R5 box, R8 routes, E1-E4 circuits, R12/E5/E6 capacity and
    phases, and the box's bank and supply, for one compartment's requests."""
    findings: list[Finding] = []
    live = [c for c in group if not c.blocked]
    if not live:
        return _Done(None, findings)
    level = site.level(comp.level)
    structures, neighbours = _structures(comp, level, view.obstacles, view.spaces)
    _place_chargers(comp, group, structures, neighbours, rules)
    trays = [t.line for t in view.trays]
    router = Router(
        comp.polygon,
        [o.geometry for o in view.obstacles],
        trays,
        mode=options.routing,
        clearance_m=rules.clearance_m,
        tray_cost_factor=rules.tray_cost_factor,
        axis_deg=comp.axis_deg,
    )
    box_site = _box_site(
        comp, router=router, mounts=_mounts(comp, router, view, rules), options=options, live=live
    )
    if box_site is None:
        for case in live:
            case.reasons.append(
                reason(
                    "NO_ROUTE",
                    f"compartment {comp.id} has no free floor left for a meter box and cables",
                )
            )
        return _Done(None, findings)
    findings += _box_site_findings(comp, box_site)
    share = options.trunk == "shared"
    spare = _reserve_points(
        comp, site, view.spaces, box_site.point, structures, neighbours, rules, options
    )
    targets = _chargers(live)  # the reserve joins their tree, changing none of them
    found = (
        router.route_all(box_site.point, targets, share=share, extra=spare)
        if route_cache is None
        else route_cache.routes(router, box_site.point, targets, share=share, extra=spare)
    )
    reserved = [r.line for r in found[len(live) :] if r is not None]
    routed = _routed(comp, live, found[: len(live)], level, rules)
    tray = _TrayLayout(comp, level, rules, trays, reserved, angle_deg=router.angle)
    _size_circuits(routed, trays, rules, tray=tray if share else None, angle_deg=router.angle)
    drawn = [c for c in routed if not c.blocked]
    loads, phase_limit, spare_n = _capacity_and_phases(comp, drawn, rules, options)
    if not drawn:
        return _Done(None, findings)
    for case in drawn:
        case.cable = _cable(case, comp, rules)
    runs = tray.sized(drawn) if share else []
    findings += _tray_findings(comp, runs)
    box, said = _meter_box(
        comp, box_site, drawn, loads, phase_limit, spare_n, rules, reserve=len(reserved)
    )
    findings += said
    build_out = (
        _build_out(comp, drawn, len(reserved), runs, rules) if options.reserve_share() else None
    )
    if build_out is not None:
        findings += _build_out_findings(comp, build_out)
    return _Done(box, findings, runs, build_out)


def _mounts(comp: Compartment, router: Router, view: SiteLevelView, rules: Rules) -> Mounts:
    """R5: the structure faces a box may hang on (walls, columns, stall ends)."""
    return mount_faces(
        comp.polygon,
        router.free,
        view.obstacles,
        touching([sp.polygon for sp in view.spaces], comp.polygon),
        clearance_m=rules.clearance_m,
        box_depth_m=rules.box_depth_m,
    )


def _chargers(cases: Sequence[_Case]) -> list[Point]:
    """The charger points of requests placed by R15 (every live request has one)."""
    points = [c.point for c in cases]
    assert all(p is not None for p in points)
    return [p for p in points if p is not None]


def _place_chargers(
    comp: Compartment,
    group: list[_Case],
    structures: BaseGeometry,
    neighbours: BaseGeometry,
    rules: Rules,
) -> None:
    """R15: each request's charger point (given, drawn on its space, or derived: those
    derived at once), with the reasons it gives."""
    need = [c for c in group if c.req.point is None and c.space and c.space.charger is None]
    derived = dict(
        zip(
            (id(c) for c in need),
            derived_chargers(
                [c.space.polygon for c in need if c.space],
                structures=structures,
                neighbours=neighbours,
                offset_m=rules.charger_edge_offset_m,
                towards=comp.polygon.centroid,
            ),
            strict=True,
        )
    )
    for case in group:
        assert case.space is not None
        cp = charger_point(
            case.space,
            comp,
            given=case.req.point,
            structures=structures,
            neighbours=neighbours,
            offset_m=rules.charger_edge_offset_m,
            derived=derived.get(id(case)),
        )
        case.point = cp.point
        case.reasons.extend(cp.reasons)


def _routed(
    comp: Compartment,
    live: list[_Case],
    routes: Sequence[Route | None],
    level: Level,
    rules: Rules,
) -> list[_Case]:
    """R8: the requests a route reaches, with their route and cable length; the others
    get NO_ROUTE."""
    routed: list[_Case] = []
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
        case.route = route
        case.cable_m = electrical.cable_length_m(
            route.length_m,
            ceiling_height_m=level.ceiling_height_m,
            rules=rules,
            charger_type=case.req.charger_type,
        )
        routed.append(case)
    return routed


class _TrayLayout:
    """The shared tray of one compartment for a set of cables: its runs (geometry and
    counts) and its sized runs, each computed once per set (circuit sizing asks again as
    cables drop out)."""

    def __init__(
        self,
        comp: Compartment,
        level: Level,
        rules: Rules,
        existing: Sequence[LineString],
        reserved: list[LineString],
        *,
        angle_deg: float = 0.0,
    ) -> None:
        self.comp, self.level, self.rules = comp, level, rules
        self.existing, self.reserved = existing, reserved
        self.angle_deg = angle_deg  # the router's axes, where the routes are noded
        self._runs: dict[tuple[tuple[str, ...], bool], list[TrayRun]] = {}
        self._sized: dict[tuple[tuple[str, float], ...], list[TrayRun]] = {}
        self._noded: dict[tuple[str, ...], BaseGeometry] = {}

    def noded(self, cases: list[_Case]) -> BaseGeometry:
        """These cables' routes noded together (:func:`planner.trunk.noded_routes`),
        once for their tray and their circuits' segments."""
        key = tuple(c.req.id for c in cases)
        if key not in self._noded:
            lines = [c.route.line for c in cases if c.route is not None]
            self._noded[key] = noded_routes(lines, self.angle_deg)
        return self._noded[key]

    def runs(self, cases: list[_Case], with_reserve: bool) -> list[TrayRun]:
        extra = list(self.reserved) if with_reserve else []
        key = (tuple(c.req.id for c in cases), bool(extra))
        if key not in self._runs:
            lines = [c.route.line for c in cases if c.route is not None]
            self._runs[key] = tray_runs(
                [*lines, *extra],
                [False] * len(lines) + [True] * len(extra),
                min_branch_m=self.rules.min_tray_branch_m,
                existing=self.existing,
                share_m=self.rules.share_distance_m,
                angle_deg=self.angle_deg,
                # the reserve's routes add nodes of their own: the cables' alone are shared
                noded=None if extra else self.noded(cases),
            )
        return self._runs[key]

    def planned_lines(self, cases: list[_Case]) -> list[LineString]:
        """The planned tray's lines for these cables (the reserve left out)."""
        return [r.line for r in self.runs(cases, False)]

    def sized(self, kept: list[_Case]) -> list[TrayRun]:
        """The runs for these cables and the reserve, sized for their conductors."""
        key = tuple((c.req.id, c.circuit.conductor_mm2 if c.circuit else 0.0) for c in kept)
        if key not in self._sized:
            self._sized[key] = _trays(
                self.comp, kept, self.runs(kept, True), self.reserved, self.level, self.rules
            )
        return self._sized[key]


def _box_site(
    comp: Compartment,
    *,
    router: Router,
    mounts: Mounts,
    options: PlanOptions,
    live: list[_Case],
) -> BoxSite | None:
    """R5: the manual position, the centroid (free-standing), the mounted centre, or the
    mountable point of least cable."""
    manual = options.box_positions.get(comp.id)
    if manual is not None:
        p = Point(manual)
        return BoxSite(p, "manual", p.distance(comp.polygon.centroid))
    if options.placement == "centroid":
        return centroid_site(comp.polygon, router.free)
    policy = centre_site(comp.polygon, router.free, mounts, axis_deg=router.angle)
    if options.placement == "min-cable" and policy is not None:
        return _min_cable(comp, router, policy, mounts, live)
    return policy


def _box_site_findings(comp: Compartment, site: BoxSite) -> list[Finding]:
    """What the placement itself reports: a manual move, a min-cable saving, a face by a
    stall."""
    out: list[Reason] = []
    if site.placement == "manual":
        out.append(
            reason(
                "BOX_MOVED",
                f"the meter box of {comp.id} was placed by hand "
                f"{site.offset_m:.2f} m from the compartment centroid",
            )
        )
    if site.saving_m is not None:
        out.append(
            reason(
                "MIN_CABLE_SAVING",
                f"min-cable placement saves {site.saving_m:.1f} m of route against the centre "
                f"placement in {comp.id}",
            )
        )
    if site.fallback:
        out.append(
            reason(
                "BOX_MOUNT_FALLBACK",
                f"every structure face near the centre of {comp.id} touches a parking space; "
                "the box hangs on the nearest one: check it leaves the car doors free",
            )
        )
    return [Finding.of(r, subject=comp.id, level=comp.level, geometry=site.point) for r in out]


def _min_cable(
    comp: Compartment, router: Router, policy: BoxSite, mounts: Mounts, live: list[_Case]
) -> BoxSite:
    """R5 option: the mountable graph node minimising the total route length."""
    targets = _chargers(live)
    snapped = [router.snap(p) for p in targets if p is not None]
    free_pts = [s[0] for s in snapped if s is not None]
    graph, pts = router.graph([policy.point, *free_pts])
    allowed = np.zeros(graph.n_nodes, bool)
    if graph.n_nodes and not mounts.lines.is_empty:
        world = router._from_axis_xy(graph.xy)
        allowed = np.asarray(shapely.dwithin(shapely.points(world), mounts.lines, 2e-3))
    best = min_cable_node(
        graph,
        [(float(x), float(y)) for x, y in pts[1:]],
        prefer=(float(pts[0][0]), float(pts[0][1])),
        allowed=allowed,
    )
    if best is None:
        return policy
    node, _ = best
    policy_total = sum((r.length_m for r in router.route_all(policy.point, targets) if r), 0.0)
    point = router.to_world(node)
    best_total = sum((r.length_m for r in router.route_all(point, targets) if r), 0.0)
    if best_total >= policy_total - 1e-6:  # the mounted centre is already as short
        return dataclasses.replace(policy, placement="min_cable", saving_m=0.0)
    _, name, kind = min(mounts.structures, key=lambda s: s[0].distance(point))
    return BoxSite(
        point,
        "min_cable",
        point.distance(comp.polygon.centroid),
        saving_m=policy_total - best_total,
        mount=name,
        mount_type=kind,
    )


def _size_circuits(
    routed: list[_Case],
    trays: Sequence[LineString],
    rules: Rules,
    *,
    tray: _TrayLayout | None = None,
    angle_deg: float = 0.0,
) -> None:
    """E1-E4 for every routed cable: segments by installation (E3, counting the cables that
    are drawn; with the shared ``tray``, its stretches, method E), then the size. A cable
    no size can serve is blocked (or warned) and no longer counts in its neighbours'
    grouping (nor shapes the tray), so those are sized again; so are the cables of a tray
    run that the tray's sizing finds holding more than one layer (row 1)."""
    counted = list(routed)
    bunched: list[LineString] = []
    for _ in range(6):  # each pass drops cables or adds bunched runs; it settles at once
        lines = [c.route.line for c in counted if c.route is not None]
        # the real cables' own tray: a reserve changes no conductor
        planned = tray.planned_lines(counted) if tray is not None else []
        segments = cable_segments(
            lines,
            rules=rules,
            trays=trays,
            planned=planned,
            bunched=bunched,
            angle_deg=angle_deg,
            noded=tray.noded(counted) if tray is not None else None,
        )
        for case, segs in zip(counted, segments, strict=True):
            case.segments = segs
            case.circuit = electrical.size_circuit(
                case.cable_m, charger_kw=case.req.charger_kw, segments=segs, rules=rules
            )
        kept = [
            c for c in counted if c.circuit is None or c.circuit.ok or not rules.block_over_limit
        ]
        if tray is not None:
            over = [r.line for r in tray.sized(kept) if r.layers > 1]
            if len(over) > len(bunched):  # a tray too full for one layer: row 1 there
                bunched, counted = over, kept
                continue
        if len(kept) == len(counted):  # blocked cables keep the sizing that failed
            break
        counted = kept
    for case in routed:
        _circuit_reasons(case, rules)


def _circuit_reasons(case: _Case, rules: Rules) -> None:
    """The findings of one sized circuit (E3, E4)."""
    c = case.circuit
    assert c is not None
    block = rules.block_over_limit
    severity: Severity = "error" if block else "warning"
    effect: Status = "blocked" if block else "planned"
    if "ampacity" in c.failures:
        case.reasons.append(
            reason(
                "AMPACITY_INSUFFICIENT",
                f"even {c.conductor_mm2:g} mm² carries only {c.iz_a:.1f} A where it is laid "
                f"(grouping {c.grouping:.2f}), under the {rules.breaker_a:g} A breaker: lay "
                "the cables on a tray or in fewer groups",
                severity=severity,
                effect=effect,
            )
        )
    passing = f"{c.passing_length_m:.1f}" if c.passing_length_m is not None else "?"
    if "voltage_drop" in c.failures:
        case.reasons.append(
            reason(
                "VOLTAGE_DROP_OVER_LIMIT",
                f"{case.cable_m:.1f} m of cable drops {c.voltage_drop_pct:.2f} % even at "
                f"{c.conductor_mm2:g} mm², over the {rules.voltage_drop_limit_pct:g} % limit; "
                f"at most {passing} m would pass: a second meter box nearer the space is the "
                "remedy",
                severity=severity,
                effect=effect,
            )
        )
    if "short_circuit_reach" in c.failures:
        case.reasons.append(
            reason(
                "SHORT_CIRCUIT_REACH",
                f"{case.cable_m:.1f} m of cable is beyond the {c.short_circuit_reach_m:.1f} m "
                f"within which a fault at the charger trips the C{rules.breaker_a:g} breaker "
                f"at once ({c.conductor_mm2:g} mm²); at most {passing} m would pass: a second "
                "meter box nearer the space is the remedy",
                severity=severity,
                effect=effect,
            )
        )
    if case.cable_m > rules.long_run_m:
        case.reasons.append(
            reason(
                "LONG_RUN",
                f"the cable is {case.cable_m:.1f} m long, over {rules.long_run_m:g} m",
            )
        )


def _fcfs(cases: Sequence[_Case]) -> list[_Case]:
    return sorted(cases, key=lambda c: checks.fcfs_key(c.req, c.order))


def _capacity_and_phases(
    comp: Compartment, drawn: list[_Case], rules: Rules, options: PlanOptions
) -> tuple[electrical.Phases, float | None, int | None]:
    """R12, E5, E6: complete requests join first come first served against the capacity
    (or the managed per-phase limit); the rest are deferred; pending requests hold no
    capacity and say whether they would fit. Meters get their phases in joining order,
    then provisional phases for the deferred and pending requests in queue order."""
    complete = _fcfs([c for c in drawn if status_of(c.reasons) == "planned"])
    pending = _fcfs([c for c in drawn if status_of(c.reasons) == "pending"])
    for n, case in enumerate([*complete, *pending], start=1):
        case.queue = n
    if comp.capacity_kw is None:
        for case in drawn:
            case.reasons.append(
                reason(
                    "CAPACITY_UNKNOWN",
                    f"compartment {comp.id} has no capacity_kw: nothing is "
                    "deferred, but the utility must confirm the supply",
                )
            )
    kws = [c.req.charger_kw for c in complete]
    phase_limit: float | None = None
    if options.managed:
        share = electrical.managed_shares(kws, capacity_kw=comp.capacity_kw, rules=rules)
        joined, phases, loads, spare = share.joined, share.phases, share.loads, share.spare_chargers
        phase_limit = share.phase_limit_kw
        for case, g in zip(complete, share.guaranteed_kw, strict=False):
            case.guaranteed_kw = g
            case.overnight_kwh = g * rules.managed_hours
            case.reasons.append(
                reason(
                    "MANAGED_CHARGING",
                    f"managed charging: at least {g:.2f} kW guaranteed, "
                    f"{g * rules.managed_hours:.1f} kWh over {rules.managed_hours:g} h",
                )
            )
        for case in complete[joined:]:
            case.reasons.append(
                reason(
                    "MANAGED_MINIMUM",
                    f"under managed charging one more charger on its phase would get less than "
                    f"{electrical.managed_minimum_kw(rules):.2f} kW "
                    f"({rules.managed_min_a:g} A, IEC 61851-1); queue position {case.queue}",
                )
            )
    else:
        adm = electrical.admit(kws, capacity_kw=comp.capacity_kw, rules=rules)
        joined, phases, loads, spare = adm.joined, adm.phases, adm.loads, adm.spare_chargers
        for case in complete[joined:]:
            case.reasons.append(
                reason(
                    "COMPARTMENT_OVER_CAPACITY",
                    f"compartment {comp.id}'s {comp.capacity_kw:g} kW are taken by the "
                    f"{joined} request(s) that joined earlier (demand {adm.demand_kw:.1f} kW, "
                    f"3 x the heaviest phase); queue position {case.queue}",
                )
            )
    for case, phase in zip(complete, phases, strict=False):
        case.phase = phase
    _pending_fit(comp, pending, loads, phase_limit, len(complete) - joined, rules)
    provisional = loads.copy()
    for case in [*complete[joined:], *pending]:
        case.phase = provisional.add(case.req.charger_kw, rules)
        case.provisional = True
    return loads, phase_limit, spare


def _pending_fit(  # noqa: PLR0917 - one private step
    comp: Compartment,
    pending: list[_Case],
    loads: electrical.Phases,
    phase_limit: float | None,
    deferred: int,
    rules: Rules,
) -> None:
    """R12: each pending request alone, against the capacity left by the joined ones."""
    if comp.capacity_kw is None:
        return
    for case in pending:
        if phase_limit is not None:
            fits = phase_limit / (loads.count[loads.least()] + 1) >= (
                electrical.managed_minimum_kw(rules) - 1e-9
            )
        else:
            fits = loads.trial_demand(case.req.charger_kw, rules) <= comp.capacity_kw + 1e-9
        ahead = f"; {deferred} deferred request(s) are ahead of it in the queue" if deferred else ""
        case.reasons.append(
            reason(
                "CAPACITY_IF_COMPLETED",
                (
                    "if its application were completed today it would fit the capacity left "
                    if fits
                    else "if its application were completed today it would not fit the "
                    "capacity left "
                )
                + f"by the joined requests of {comp.id}{ahead}",
            )
        )


def _cable(case: _Case, comp: Compartment, rules: Rules) -> Cable:
    route, c = case.route, case.circuit
    assert route is not None
    assert c is not None
    assert case.space is not None
    return Cable(
        request=case.req.id,
        space=case.space.id,
        compartment=comp.id,
        level=comp.level,
        line=route.line,
        route_m=route.length_m,
        cable_m=case.cable_m,
        conductor_mm2=c.conductor_mm2,
        voltage_drop_pct=c.voltage_drop_pct,
        tray_m=sum(s.length_m for s in case.segments if s.method == "E"),
        designation=c.designation,
        phase=case.phase,
        phase_provisional=case.provisional,
        breaker=electrical.breaker_label(rules),
        methods=tuple(dict.fromkeys(s.method for s in case.segments)),
        grouping=c.grouping,
        iz_a=c.iz_a,
        ib_a=c.ib_a,
        short_circuit_reach_m=c.short_circuit_reach_m,
        segments=tuple(case.segments),
    )


def _meter_box(  # noqa: PLR0917 - one private step
    comp: Compartment,
    site: BoxSite,
    drawn: list[_Case],
    loads: electrical.Phases,
    phase_limit: float | None,
    spare: int | None,
    rules: Rules,
    *,
    reserve: int = 0,
) -> tuple[MeterBox, list[Finding]]:
    """The bank (R5, with room for ``reserve`` build-out meters), its phase loads (E5) and
    its incoming supply; and what it finds of them."""
    joined = sorted((c for c in drawn if not c.provisional), key=lambda c: c.queue or 0)
    provisional = sorted((c for c in drawn if c.provisional), key=lambda c: c.queue or 0)
    circuits = [*joined, *provisional]
    sizes = electrical.bank(len(circuits) + reserve, rules)
    if phase_limit is not None:
        demand = comp.capacity_kw or 0.0
        supply = electrical.incoming_supply(phase_limit, kx=1.0, rules=rules)
    else:
        demand = loads.demand_kw
        kx = electrical.demand_factor(loads.meters, rules)
        supply = electrical.incoming_supply(max(loads.kw.values()), kx=kx, rules=rules)
    box_id = f"{comp.id}-BX"
    amps = loads.amperes(rules)
    findings = _box_findings(comp, box_id, site.point, loads, amps, supply, phase_limit, rules)
    box = MeterBox(
        id=box_id,
        compartment=comp.id,
        level=comp.level,
        point=site.point,
        placement=site.placement,
        offset_m=site.offset_m,
        meters=len(joined),
        boxes=len(sizes),
        connected_kw=sum(c.req.charger_kw for c in joined),
        demand_kw=demand,
        capacity_kw=comp.capacity_kw,
        spare_chargers=spare,
        saving_m=site.saving_m,
        mount=site.mount,
        mount_type=site.mount_type,
        box_sizes=sizes,
        circuits=tuple(c.req.id for c in circuits),
        phase_kw=dict(loads.kw),
        phase_a=amps,
        unbalance=loads.unbalance(rules),
        ip_a=supply.ip_a,
        incoming_breaker_a=supply.breaker_a,
        incoming_cable=supply.cable,
        phase_limit_kw=phase_limit,
    )
    return box, findings


def _box_findings(  # noqa: PLR0917 - one private step of _meter_box
    comp: Compartment,
    box_id: str,
    point: Point,
    loads: electrical.Phases,
    amps: dict[str, float],
    supply: electrical.Supply,
    phase_limit: float | None,
    rules: Rules,
) -> list[Finding]:
    """What the box's bank says: its phase loads (E5), a supply over one breaker's range,
    and the load management a capped phase needs."""
    findings: list[Finding] = []
    findings.append(
        Finding.of(
            reason(
                "PHASE_LOADS",
                f"box {box_id}: "
                + ", ".join(f"{p} {loads.kw[p]:g} kW / {amps[p]:.1f} A" for p in loads.kw)
                + f"; unbalance {loads.unbalance(rules):.0%}",
            ),
            subject=comp.id,
            level=comp.level,
            geometry=point,
        )
    )
    if supply.cable is None:
        findings.append(
            Finding.of(
                reason(
                    "BOX_SUPPLY_OVER_RANGE",
                    f"box {box_id} needs {supply.ip_a:.0f} A per phase, over the 250 A a "
                    "single incoming breaker covers here: split the bank",
                ),
                subject=comp.id,
                level=comp.level,
                geometry=point,
            )
        )
    if phase_limit is not None:
        findings.append(
            Finding.of(
                reason(
                    "MANAGED_CHARGING",
                    f"box {box_id} needs a load-management system (智能有序充电) limiting each "
                    f"phase to {phase_limit:.2f} kW",
                ),
                subject=comp.id,
                level=comp.level,
                geometry=point,
            )
        )
    return findings


def _reserve_points(  # noqa: PLR0917 - one private step
    comp: Compartment,
    site: Site,
    spaces: Sequence[Space],
    box: Point,
    structures: Any,
    neighbours: Any,
    rules: Rules,
    options: PlanOptions,
) -> list[Point]:
    """The charger points of the build-out reserve: the given share of the compartment's
    spaces nobody has asked for, nearest the box first (ties by id), rounded half up."""
    share = options.reserve_share()
    if share <= 0:
        return []
    asked = {r.space for r in site.requests}
    free = []
    for sp in spaces:  # the level's stalls near the compartment
        if sp.id in asked or compartment_of(sp, [comp]) is None:
            continue
        cp = charger_point(
            sp,
            comp,
            given=None,
            structures=structures,
            neighbours=neighbours,
            offset_m=rules.charger_edge_offset_m,
        )
        free.append((cp.point.distance(box), sp.id, cp.point))
    free.sort(key=lambda t: (t[0], t[1]))
    n = int(share * len(free) + 0.5)
    return [p for _, _, p in free[:n]]


def _reserve_conductor(line: LineString, level: Level, rules: Rules) -> float:
    """The conductor a reserved cable would need alone on the tray (for the tray's size)."""
    cable_m = electrical.cable_length_m(
        line.length, ceiling_height_m=level.ceiling_height_m, rules=rules, charger_type=None
    )
    c = electrical.size_circuit(
        cable_m,
        charger_kw=rules.charger_cap_kw,
        segments=[Segment(line.length, "E", 1)],
        rules=rules,
    )
    return c.conductor_mm2


def _trays(  # noqa: PLR0917 - one private step
    comp: Compartment,
    drawn: list[_Case],
    runs: list[TrayRun],
    reserved: Sequence[LineString],
    level: Level,
    rules: Rules,
) -> list[TrayRun]:
    """The runs of a compartment's tray (of ``drawn`` and the reserve), each sized for its
    cables."""
    sizes = [c.circuit.conductor_mm2 if c.circuit else 0.0 for c in drawn]
    sizes += [_reserve_conductor(line, level, rules) for line in reserved]
    out = []
    for run in runs:
        diameters = [tables.cable_diameter_mm(sizes[i]) for i in run.members]
        label, fill, layers = tray_size(diameters)
        ids = tuple(drawn[i].req.id for i in run.members if i < len(drawn))
        out.append(
            dataclasses.replace(
                run,
                compartment=comp.id,
                level=comp.level,
                size=label,
                fill=fill,
                layers=layers,
                requests=ids,
            )
        )
    return out


def _tray_findings(comp: Compartment, runs: list[TrayRun]) -> list[Finding]:
    out = []
    for run in runs:
        if run.layers > 1:
            r = reason(
                "TRAY_BUNCHED",
                f"{run.cables + run.reserve} cables on a tray run of {comp.id} do not lie in "
                f"one layer even on two {run.size.split('×', 1)[-1]} trays side by side; the "
                "bunched factor (B.52.17 row 1) applies: split the run or add a second box",
            )
            out.append(Finding.of(r, subject=comp.id, level=comp.level, geometry=run.line))
    return out


def _build_out(
    comp: Compartment, drawn: list[_Case], reserve: int, runs: list[TrayRun], rules: Rules
) -> dict[str, Any]:
    """What the compartment needs when the reserved spaces register too (E5)."""
    loads = electrical.Phases()
    for case in drawn:
        loads.add(case.req.charger_kw, rules)
    for _ in range(reserve):
        loads.add(rules.charger_cap_kw, rules)
    demand = round(loads.demand_kw, 2)
    fits = None if comp.capacity_kw is None else demand <= comp.capacity_kw + 1e-9
    return {
        "chargers": len(drawn) + reserve,
        "reserve": reserve,
        "meters": len(drawn) + reserve,
        "demand_kw": demand,
        "tray_m": round(sum(r.length_m for r in runs), 2),
        "fits": fits,
    }


def _build_out_findings(comp: Compartment, b: dict[str, Any]) -> list[Finding]:
    text = (
        f"build-out of {comp.id}: {b['chargers']} chargers ({b['reserve']} reserved), "
        f"{b['meters']} meter positions, {b['demand_kw']:.1f} kW equivalent three-phase "
        f"demand (E5), {b['tray_m']:.1f} m of tray"
    )
    out = [reason("BUILD_OUT", text)]
    if b["fits"] is False:
        out.append(
            reason(
                "BUILD_OUT_OVER_CAPACITY",
                f"the capacity of {comp.id} ({comp.capacity_kw:g} kW) cannot serve its "
                f"build-out ({b['demand_kw']:.1f} kW): plan a supply upgrade or managed charging",
            )
        )
    return [Finding.of(r, subject=comp.id, level=comp.level) for r in out]


def _summary(
    comp: Compartment, group: list[_Case], done: _Done, rules: Rules
) -> CompartmentSummary:
    box = done.box
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
        spare_chargers=box.spare_chargers if box else _empty_spare(comp, rules),
        boxes=box.boxes if box else 0,
        cable_m=cable,
        box_sizes=box.box_sizes if box else (),
        phase_kw=box.phase_kw if box else {},
        phase_a=box.phase_a if box else {},
        unbalance=box.unbalance if box else 0.0,
        incoming_breaker_a=box.incoming_breaker_a if box else None,
        incoming_cable=box.incoming_cable if box else None,
        tray_m=sum(r.length_m for r in done.trays),
        build_out=done.build_out,
    )


def _empty_spare(comp: Compartment, rules: Rules) -> int | None:
    """Chargers a compartment without a box could still take."""
    if comp.capacity_kw is None:
        return None
    return electrical.admit([], capacity_kw=comp.capacity_kw, rules=rules).spare_chargers


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
        tenure=case.space.tenure_stated if case.space else None,
        queue=case.queue,
        guaranteed_kw=case.guaranteed_kw,
        overnight_kwh=case.overnight_kwh,
        phase=case.phase if status != "blocked" else None,
        phase_provisional=case.provisional,
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
                "box_sizes": list(s.box_sizes),
                "phase_kw": {p: round(v, 3) for p, v in s.phase_kw.items()},
                "phase_a": {p: round(v, 2) for p, v in s.phase_a.items()},
                "unbalance": round(s.unbalance, 3),
                "incoming_breaker_a": s.incoming_breaker_a,
                "incoming_cable": s.incoming_cable,
                "cable_m": round(s.cable_m, 2),
                "tray_m": round(s.tray_m, 2),
                "build_out": s.build_out,
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
