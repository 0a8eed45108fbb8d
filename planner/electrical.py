"""Cable length, conductor size, voltage drop (R9, R10) and compartment demand (R11, R12).

All functions are pure and take the :class:`~planner.rules.Rules` explicitly.

Examples (``domain.md`` worked example 1)
------------------------------------------
>>> from planner.rules import Rules
>>> rules = Rules()
>>> round(cable_length_m(30, ceiling_height_m=3.6, rules=rules), 2)
35.91
>>> c = size_conductor(35.91, charger_kw=7, rules=rules)
>>> c.conductor_mm2, round(c.voltage_drop_pct, 2)
(6.0, 3.76)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from planner.rules import Rules


def cable_length_m(route_m: float, *, ceiling_height_m: float, rules: Rules) -> float:
    """R9: ``(route + 2 * (ceiling - mount height)) * (1 + slack)``."""
    vertical = 2 * max(ceiling_height_m - rules.mount_height_m, 0.0)
    return (route_m + vertical) * (1 + rules.slack)


def current_a(charger_kw: float, rules: Rules) -> float:
    """R10: single-phase current ``I = P / U``."""
    return charger_kw * 1000 / rules.supply_voltage_v


def voltage_drop_pct(
    cable_m: float, *, charger_kw: float, conductor_mm2: float, rules: Rules
) -> float:
    """R10: ``ΔU% = 100 * 2 * I * L * ρ / S / U`` (go and return conductor)."""
    i = current_a(charger_kw, rules)
    return (
        100
        * 2
        * i
        * cable_m
        * rules.resistivity_ohm_mm2_per_m
        / conductor_mm2
        / rules.supply_voltage_v
    )


@dataclass(frozen=True)
class Conductor:
    """The conductor chosen for one cable."""

    conductor_mm2: float
    voltage_drop_pct: float
    within_limit: bool


def size_conductor(cable_m: float, *, charger_kw: float, rules: Rules) -> Conductor:
    """R10: the smallest size whose derated ampacity carries the breaker and whose voltage
    drop is within the limit; none passes: the largest size, ``within_limit=False``."""
    for size, ampacity in zip(rules.conductor_sizes_mm2, rules.ampacity_a, strict=True):
        if ampacity * rules.grouping_factor < rules.breaker_a:
            continue
        drop = voltage_drop_pct(cable_m, charger_kw=charger_kw, conductor_mm2=size, rules=rules)
        if drop <= rules.voltage_drop_limit_pct:
            return Conductor(size, drop, True)
    largest = rules.conductor_sizes_mm2[-1]
    drop = voltage_drop_pct(cable_m, charger_kw=charger_kw, conductor_mm2=largest, rules=rules)
    return Conductor(largest, drop, False)


def demand_factor(k: int, rules: Rules) -> float:
    """R11: Kx for ``k`` chargers."""
    for up_to, factor in rules.demand_factor_steps:
        if k <= up_to:
            return factor
    return rules.demand_factor_above


def demand_kw(charger_kws: Sequence[float], rules: Rules) -> float:
    """R11: ``max over k <= N of Kx(k) * (sum of the first k chargers)``; 0 for none.

    >>> round(demand_kw([7.0] * 11, Rules()), 2)  # the running maximum: not 50.05
    59.5
    """
    best = 0.0
    total = 0.0
    for k, kw in enumerate(charger_kws, start=1):
        total += kw
        best = max(best, demand_factor(k, rules) * total)
    return best


@dataclass(frozen=True)
class Admission:
    """R12 first come, first served: who joins, and what is left."""

    joined: int
    connected_kw: float
    demand_kw: float
    spare_chargers: int | None


def admit(
    charger_kws: Sequence[float],
    *,
    capacity_kw: float | None,
    rules: Rules,
    max_spare: int = 10_000,
) -> Admission:
    """R12: requests (already in FCFS order) join while the demand stays within capacity;
    the first that does not fit stops the queue (no skipping ahead). ``spare_chargers``
    counts further chargers of the cap's power that would still join (``None`` when the
    capacity is unknown; 0 once the queue has stopped).

    >>> a = admit([7.0] * 14, capacity_kw=30, rules=Rules())  # worked example 4
    >>> a.joined, round(a.demand_kw, 2), a.spare_chargers
    (5, 29.75, 0)
    """
    if capacity_kw is None:
        return Admission(len(charger_kws), sum(charger_kws), demand_kw(charger_kws, rules), None)
    limit = capacity_kw + 1e-9
    total = best = 0.0
    joined = 0
    for kw in charger_kws:
        trial = max(best, demand_factor(joined + 1, rules) * (total + kw))
        if trial > limit:
            break
        joined += 1
        total += kw
        best = trial
    connected, demand = total, best
    spare = 0
    if joined == len(charger_kws):
        while spare < max_spare:
            trial = max(
                best, demand_factor(joined + spare + 1, rules) * (total + rules.charger_cap_kw)
            )
            if trial > limit:
                break
            spare += 1
            total += rules.charger_cap_kw
            best = trial
    return Admission(joined, connected, demand, spare)


def managed_share_kw(charger_kw: float, *, capacity_kw: float | None, count: int) -> float:
    """R12 managed charging: ``min(charger_kw, capacity_kw / N)``."""
    if capacity_kw is None or count == 0:
        return charger_kw
    return min(charger_kw, capacity_kw / count)


def boxes_in_bank(meters: int, rules: Rules) -> int:
    """R5: ``ceil(meters / positions per box)``, at least one box where a box is placed."""
    return max(1, math.ceil(meters / rules.meter_positions_per_box))
