"""Eligibility and application rules: fire systems and depth (R1, R2), compartment areas
(R3, R4), the power cap (R7), owners' votes (R13), documents (R14), one request per space
(R16). Each returns reasons from the catalogue; nothing here routes or sizes anything."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from planner.findings import Reason, reason
from planner.rules import Rules
from planner.site import Compartment, Level, Request, SiteInfo, Space

FIRE_NAMES_ZH = {
    "fire_alarm": "火灾自动报警系统",
    "smoke_exhaust": "排烟设施",
    "sprinklers": "自动喷水灭火系统",
    "emergency_lighting": "消防应急照明",
    "evacuation_signs": "疏散指示标志",
}


def garage_type(level: Level) -> str:
    """The level's garage type; missing counts as underground (the strictest case)."""
    return level.garage_type or "underground"


def level_reasons(level: Level, rules: Rules) -> list[Reason]:
    """R1 (fire systems), R2 (depth) and the garage-type assumption for one level."""
    out: list[Reason] = []
    gtype = garage_type(level)
    if level.garage_type is None:
        out.append(
            reason(
                "GARAGE_TYPE_ASSUMED",
                f"level {level.id} has no garage_type; treated as underground",
            )
        )
    missing = level.missing_fire_systems
    if gtype in rules.fire_check_garage_types and missing:
        names = ", ".join(f"{m} ({FIRE_NAMES_ZH[m]})" for m in missing)
        out.append(
            reason(
                "FIRE_FACILITIES_MISSING",
                f"level {level.id} ({gtype.replace('_', '-')}) lacks {names}: no chargers may be "
                "installed until all five fire systems are in place",
            )
        )
    if level.floor is not None:
        if level.floor <= rules.too_deep_floor:
            blocking = rules.block_too_deep
            out.append(
                reason(
                    "LEVEL_TOO_DEEP",
                    f"level {level.id} is floor {level.floor}, at or below {rules.too_deep_floor}; "
                    "charging areas should not be this deep (宜)",
                    severity="error" if blocking else "warning",
                    effect="blocked" if blocking else "planned",
                )
            )
        elif level.floor <= rules.below_b1_floor:
            out.append(
                reason(
                    "LEVEL_BELOW_B1",
                    f"level {level.id} is floor {level.floor}, below B1; charging areas are "
                    "preferably on the ground floor or B1 (宜)",
                )
            )
    return out


def compartment_reasons(comp: Compartment, level: Level, rules: Rules) -> list[Reason]:
    """R3 (compartment area, sanity of the input) and R4 (fire unit, advisory)."""
    out: list[Reason] = []
    gtype = garage_type(level)
    area = comp.polygon.area
    limit = rules.compartment_area_limit_m2.get(gtype)  # type: ignore[call-overload]
    if limit is not None:
        factor = rules.sprinkler_area_factor if level.sprinklers is True else 1.0
        if area > limit * factor:
            with_spr = f" (x{factor:g} with sprinklers)" if factor != 1 else ""
            out.append(
                reason(
                    "COMPARTMENT_AREA_OVER_LIMIT",
                    f"compartment {comp.id} is {area:,.0f} m², over the {limit * factor:,.0f} m² "
                    f"allowed for a {gtype.replace('_', '-')} garage{with_spr}: check the drawn "
                    "compartment boundaries",
                )
            )
    unit = rules.fire_unit_limit_m2.get(gtype)  # type: ignore[call-overload]
    if unit is not None and area > unit:
        out.append(
            reason(
                "FIRE_UNIT_OVER_LIMIT",
                f"compartment {comp.id} is {area:,.0f} m², larger than the {unit:,.0f} m² "
                "fire unit advised for charging areas (walls >= 2.0 h, doors >= class B); "
                "advisory for existing garages",
            )
        )
    return out


def cap_reason(req: Request, rules: Rules) -> Reason | None:
    """R7: chargers above the cap are blocked (a warning with ``block_over_cap=false``)."""
    if req.charger_kw > rules.charger_cap_kw + 1e-9:
        block = rules.block_over_cap
        return reason(
            "CHARGER_OVER_CAP",
            f"a {req.charger_kw:g} kW charger is over the {rules.charger_cap_kw:g} kW the "
            "scheme sets for private chargers (充电桩容量不宜超过7千瓦, 'should not exceed'; "
            "the utility meters private chargers at this cap); "
            + (
                "blocked: choose a charger of at most the cap, or --set block_over_cap=false "
                "to plan it with a warning"
                if block
                else "planned with a warning because block_over_cap is false"
            ),
            severity="error" if block else "warning",
            effect="blocked" if block else "planned",
        )
    return None


def vote_reason(req: Request, rules: Rules) -> Reason | None:
    """R13: a common-area space needs a vote with >= 2/3 taking part (area and owners) and
    >= 3/4 of them approving (area and owners)."""
    vote = req.vote
    if vote is None:
        return reason(
            "VOTE_MISSING",
            f"space {req.space} is common area: the owners' vote (area and headcount) "
            "is needed before construction",
        )
    tol = rules.vote_tolerance
    p, a = rules.vote_participation_share, rules.vote_approval_share
    failed = []
    if vote.participating_area < p - tol:
        failed.append(f"participating area {vote.participating_area:.2f} < {p:.3f}")
    if vote.participating_owners < p - tol:
        failed.append(f"participating owners {vote.participating_owners:.2f} < {p:.3f}")
    if vote.approving_area < a - tol:
        failed.append(f"approving area {vote.approving_area:.2f} < {a:.3f}")
    if vote.approving_owners < a - tol:
        failed.append(f"approving owners {vote.approving_owners:.2f} < {a:.3f}")
    if failed:
        return reason("VOTE_FAILED", "the owners' vote did not pass: " + "; ".join(failed))
    return None


def required_documents(space: Space, info: SiteInfo) -> tuple[str, ...]:
    """R14: the documents an application for this space needs.

    Direct supply (二(三)1(2), citing 1611号): the owner's ID; urban sites also the property
    office's consent and, for owned spaces, the parking certificate, for leased ones the
    lease contract and the space owner's consent. Non-direct supply (附件1 第3条:
    身份证、充电设施报装申请、车位证明): the ID and the parking certificate, for leased
    spaces the lease contract instead; no property consent.
    """
    docs = ["id_document"]
    if info.supply == "non_direct":
        if space.tenure == "owned":
            docs.append("parking_certificate")
        elif space.tenure == "leased":
            docs.append("lease_contract")
        return tuple(docs)
    if info.urban:
        docs.append("property_consent")
        if space.tenure == "owned":
            docs.append("parking_certificate")
        elif space.tenure == "leased":
            docs += ["lease_contract", "owner_consent"]
    return tuple(docs)


def documents_reason(req: Request, space: Space, info: SiteInfo, rules: Rules) -> Reason | None:
    """R14: missing documents, or a lease shorter than ``lease_min_months`` (or none given)
    for a leased space under direct supply, make a request pending."""
    if not rules.check_documents:
        return None
    missing = [d for d in required_documents(space, info) if d not in req.documents]
    lease_short = (
        info.supply == "direct"
        and space.tenure == "leased"
        and (req.lease_months is None or req.lease_months < rules.lease_min_months)
    )
    if not missing and not lease_short:
        return None
    parts = []
    if missing:
        parts.append("missing documents: " + ", ".join(missing))
    if lease_short:
        term = "not given" if req.lease_months is None else f"{req.lease_months} months"
        parts.append(
            f"the lease term ({term}) must be at least {rules.lease_min_months} months "
            "(发改能源〔2016〕1611号)"
        )
    return reason("DOCUMENTS_MISSING", "; ".join(parts))


def supply_reason(info: SiteInfo) -> Reason | None:
    """R14: non-direct supply is noted on every request it concerns."""
    if info.supply != "non_direct":
        return None
    return reason(
        "SUPPLY_NON_DIRECT",
        "non-direct supply (非电网直供电): the owner of the power facilities sets the tariff "
        "and any further documents (二(三)2(2)); the documents of 附件1 第3条 were checked "
        "and the same layout rules apply",
    )


def fcfs_key(req: Request, order: int) -> tuple[int, float, int]:
    """R12 order: by registration time, ties by file order, unregistered last."""
    if req.registered is None:
        return (1, 0.0, order)
    return (0, req.registered.timestamp(), order)


def duplicates(requests: Sequence[Request], blocked: set[str] | None = None) -> dict[str, str]:
    """R16: request id -> the id of the request that holds its space: the earliest one
    not in ``blocked`` (blocked by the application rules). A space whose requests are all
    blocked has no winner and no duplicates.

    >>> from datetime import datetime
    >>> a = Request(id="a", space="S1", charger_kw=11, registered=datetime(2024, 1, 1))
    >>> b = Request(id="b", space="S1", charger_kw=7, registered=datetime(2024, 1, 2))
    >>> duplicates([a, b], blocked={"a"})
    {'a': 'b'}
    """
    blocked = blocked or set()
    by_space: dict[str, list[tuple[tuple[int, float, int], Request]]] = defaultdict(list)
    for n, req in enumerate(requests):
        by_space[req.space].append((fcfs_key(req, n), req))
    out: dict[str, str] = {}
    for reqs in by_space.values():
        reqs.sort(key=lambda kr: kr[0])
        winner = next((r for _, r in reqs if r.id not in blocked), None)
        if winner is None:
            continue
        for _, other in reqs:
            if other.id != winner.id:
                out[other.id] = winner.id
    return out
