"""The electrical design of every circuit and box (``domain.md`` R9, E1-E6).

Each charger has its own final circuit from the meter box: one single-phase meter, one
RCBO, one cable (E1). The cable is sized by how it is laid (E2-E3: method and grouping of
each segment of its route, the worst segment decides), its voltage drop and the reach of its
breaker's magnetic trip (E4). Meters go to phases A, B, C, each to the least-loaded one, and
the compartment's demand is the equivalent three-phase load (E5); managed charging shares
each phase's limit (E6). The incoming breaker and cable are sized from the heaviest phase.

All functions are pure and take the :class:`~planner.rules.Rules` explicitly; the tables
of the standards are read from :mod:`planner.tables`.

Examples (``domain.md`` worked example 1, PVC)
-----------------------------------------------
>>> from planner.rules import Rules
>>> rules = Rules(insulation="pvc")
>>> cable = cable_length_m(30, ceiling_height_m=3.6, rules=rules)
>>> round(cable, 2)
35.91
>>> c = size_circuit(cable, charger_kw=7, segments=[Segment(30, "E", 1)], rules=rules)
>>> c.conductor_mm2, round(c.voltage_drop_pct, 2)
(6.0, 3.9)
>>> size_circuit(cable, charger_kw=7, segments=[Segment(30, "B2", 1)], rules=rules).conductor_mm2
10.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from planner import tables
from planner.rules import Rules
from planner.tables import Method

Phase = Literal["A", "B", "C"]
PHASES: tuple[Phase, ...] = ("A", "B", "C")
Limit = Literal["ampacity", "voltage_drop", "short_circuit_reach"]


# --------------------------------------------------------------------------- E1, R9
def current_a(charger_kw: float, rules: Rules) -> float:
    """E1: ``Ib = P / (U cos φ)`` of one single-phase charger (31.8 A at 7 kW)."""
    return charger_kw * 1000 / (rules.supply_voltage_v * rules.cos_phi)


def cable_length_m(
    route_m: float, *, ceiling_height_m: float, rules: Rules, charger_type: str | None = None
) -> float:
    """R9: ``(route + rise at the box + rise at the charger) * (1 + slack)``; a wall charger
    is fed at the mounting height, a floor-standing one at ``floor_feed_height_m``."""
    box_rise = max(ceiling_height_m - rules.mount_height_m, 0.0)
    feed = rules.floor_feed_height_m if charger_type == "floor" else rules.mount_height_m
    charger_rise = max(ceiling_height_m - feed, 0.0)
    return (route_m + box_rise + charger_rise) * (1 + rules.slack)


def breaker_label(rules: Rules) -> str:
    """The RCBO of each circuit, e.g. ``C40/2P RCBO 30mA A``."""
    return f"C{rules.breaker_a:g}/2P RCBO 30mA {rules.rcd_type}"


def designation(conductor_mm2: float, rules: Rules) -> str:
    """E2: the cable's designation, e.g. ``ZR-YJV-0.6/1kV-3×10``."""
    kind = "ZR-YJV" if rules.insulation == "xlpe" else "ZR-VV"
    return f"{kind}-0.6/1kV-3×{conductor_mm2:g}"


# --------------------------------------------------------------------------- E3
@dataclass(frozen=True)
class Segment:
    """A stretch of a route laid one way: its length, method and how many cables share it."""

    length_m: float
    method: Method
    cables: int = 1
    existing_tray: bool = False
    bunched: bool = False
    """On a tray holding more than one layer (row 1 of B.52.17 applies, not row 4)."""

    def factor(self) -> float:
        """k_group of table B.52.17: row 4 on a (single-layer) tray, row 1 in conduit or
        bunched on a tray of more than one layer."""
        return tables.grouping_factor(self.cables, tray=self.method == "E" and not self.bunched)


def iz_a(segments: Sequence[Segment], conductor_mm2: float, rules: Rules) -> tuple[float, float]:
    """E3: ``Iz = min over segments of Iz0 * k_temp * k_group`` and that segment's factor."""
    k_temp = tables.temperature_factor(rules.insulation, rules.ambient_c)
    segs = segments or [Segment(0.0, rules.off_tray_method, 1)]
    best: tuple[float, float] | None = None
    for seg in segs:
        iz = tables.ampacity_a(rules.insulation, seg.method, conductor_mm2) * k_temp * seg.factor()
        if best is None or iz < best[0]:
            best = (iz, seg.factor())
    assert best is not None
    return best


# --------------------------------------------------------------------------- E4
def voltage_drop_pct(
    cable_m: float, *, charger_kw: float, conductor_mm2: float, rules: Rules
) -> float:
    """E4: ``ΔU% = 100 * 2 * Ib * L * (ρ / S * cos φ + x * sin φ) / U``."""
    sin_phi = math.sqrt(max(0.0, 1 - rules.cos_phi**2))
    per_m = rules.resistivity_ohm_mm2_per_m / conductor_mm2 * rules.cos_phi + (
        rules.reactance_ohm_per_m * sin_phi
    )
    return 100 * 2 * current_a(charger_kw, rules) * cable_m * per_m / rules.supply_voltage_v


def longest_within_drop_m(*, charger_kw: float, conductor_mm2: float, rules: Rules) -> float:
    """The longest cable whose voltage drop stays within the limit at this size."""
    per_m = voltage_drop_pct(1.0, charger_kw=charger_kw, conductor_mm2=conductor_mm2, rules=rules)
    return rules.voltage_drop_limit_pct / per_m


def short_circuit_reach_m(conductor_mm2: float, rules: Rules) -> float:
    """E4: the longest cable on which a line-neutral fault at the charger still trips the
    breaker magnetically: ``0.8 * U * S / (2 * ρ * Ia)``, ``Ia = 10 * In`` (C curve)."""
    ia = rules.magnetic_trip_multiple * rules.breaker_a
    return (
        rules.short_circuit_factor
        * rules.supply_voltage_v
        * conductor_mm2
        / (2 * rules.resistivity_ohm_mm2_per_m * ia)
    )


@dataclass(frozen=True)
class Circuit:
    """The final circuit of one charger as sized."""

    conductor_mm2: float
    designation: str
    ib_a: float
    iz_a: float
    grouping: float
    voltage_drop_pct: float
    short_circuit_reach_m: float
    failures: tuple[Limit, ...] = ()
    """The limits no size meets (empty when the circuit passes)."""
    passing_length_m: float | None = None
    """When a length limit fails: the longest cable the largest size would carry."""

    @property
    def ok(self) -> bool:
        return not self.failures


def size_circuit(
    cable_m: float, *, charger_kw: float, segments: Sequence[Segment], rules: Rules
) -> Circuit:
    """E1-E4: the smallest size holding ``Ib <= In <= Iz``, the voltage-drop limit and the
    short-circuit reach; none does: the largest size with the limits it fails and the
    longest cable that would pass.

    >>> r = Rules(insulation="pvc")
    >>> c = size_circuit(109.41, charger_kw=7, segments=[Segment(100, "E", 1)], rules=r)
    >>> c.conductor_mm2, round(c.voltage_drop_pct, 2)  # worked example 3
    (25.0, 2.85)
    >>> c = size_circuit(216, charger_kw=7, segments=[Segment(200, "E", 1)], rules=r)
    >>> c.failures, round(c.passing_length_m, 1)
    (('voltage_drop',), 215.1)
    """
    ib = current_a(charger_kw, rules)

    def build(size: float, failures: tuple[Limit, ...] = ()) -> Circuit:
        iz, k = iz_a(segments, size, rules)
        passing = None
        if "voltage_drop" in failures or "short_circuit_reach" in failures:
            passing = min(
                longest_within_drop_m(charger_kw=charger_kw, conductor_mm2=size, rules=rules),
                short_circuit_reach_m(size, rules),
            )
        return Circuit(
            conductor_mm2=size,
            designation=designation(size, rules),
            ib_a=ib,
            iz_a=iz,
            grouping=k,
            voltage_drop_pct=voltage_drop_pct(
                cable_m, charger_kw=charger_kw, conductor_mm2=size, rules=rules
            ),
            short_circuit_reach_m=short_circuit_reach_m(size, rules),
            failures=failures,
            passing_length_m=passing,
        )

    for size in rules.conductor_sizes_mm2:
        c = build(size)
        if (
            ib <= rules.breaker_a + 1e-9
            and c.iz_a >= rules.breaker_a - 1e-9
            and c.voltage_drop_pct <= rules.voltage_drop_limit_pct + 1e-9
            and cable_m <= c.short_circuit_reach_m + 1e-9
        ):
            return c
    largest = build(rules.conductor_sizes_mm2[-1])
    failures: list[Limit] = []
    if largest.iz_a < rules.breaker_a - 1e-9 or ib > rules.breaker_a + 1e-9:
        failures.append("ampacity")
    if largest.voltage_drop_pct > rules.voltage_drop_limit_pct + 1e-9:
        failures.append("voltage_drop")
    if cable_m > largest.short_circuit_reach_m + 1e-9:
        failures.append("short_circuit_reach")
    return build(largest.conductor_mm2, tuple(failures))


# --------------------------------------------------------------------------- E5
def demand_factor(n: int, rules: Rules) -> float:
    """E5: Kx for ``n`` chargers: 1 without diversity, else the atlas steps."""
    if rules.diversity == "none":
        return 1.0
    for up_to, factor in rules.demand_factor_steps:
        if n <= up_to:
            return factor
    return rules.demand_factor_above


@dataclass
class Phases:
    """Loads per phase as meters are given out, and the running demand (E5)."""

    kw: dict[str, float] = field(default_factory=lambda: dict.fromkeys(PHASES, 0.0))
    count: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PHASES, 0))
    demand_kw: float = 0.0
    meters: int = 0

    def copy(self) -> Phases:
        return Phases(dict(self.kw), dict(self.count), self.demand_kw, self.meters)

    def least(self) -> Phase:
        """The least-loaded phase (ties A, B, C)."""
        return min(PHASES, key=lambda p: (self.kw[p], PHASES.index(p)))

    def add(self, kw: float, rules: Rules) -> Phase:
        """Give the next meter the least-loaded phase; update the running demand."""
        phase = self.least()
        self.kw[phase] += kw
        self.count[phase] += 1
        self.meters += 1
        self.demand_kw = max(
            self.demand_kw, 3 * max(self.kw.values()) * demand_factor(self.meters, rules)
        )
        return phase

    def trial_demand(self, kw: float, rules: Rules) -> float:
        """The demand if one more charger of ``kw`` joined."""
        trial = self.copy()
        trial.add(kw, rules)
        return trial.demand_kw

    def amperes(self, rules: Rules) -> dict[str, float]:
        """Current per phase of the connected load (no diversity: the meters' own)."""
        return {p: self.kw[p] * 1000 / (rules.supply_voltage_v * rules.cos_phi) for p in PHASES}

    def unbalance(self, rules: Rules) -> float:
        """``(Imax - Imin) / Imax`` (0 with no load)."""
        amps = self.amperes(rules).values()
        top = max(amps)
        return 0.0 if top <= 0 else (top - min(amps)) / top


@dataclass(frozen=True)
class Admission:
    """R12 / E5 first come, first served: who joins, on which phase, and what is left."""

    joined: int
    phases: tuple[Phase, ...]
    """The phase of each joined charger, in joining order."""
    loads: Phases
    connected_kw: float
    demand_kw: float
    spare_chargers: int | None


def admit(
    charger_kws: Sequence[float], *, capacity_kw: float | None, rules: Rules, max_spare: int = 1000
) -> Admission:
    """R12 / E5: chargers (in FCFS order) join while the equivalent three-phase demand
    ``3 * max phase kW * Kx`` stays within the capacity; the first that does not fit stops
    the queue. ``spare_chargers``: further chargers of the cap's power that would still join
    (``None`` for an unknown capacity, 0 once the queue stopped).

    >>> a = admit([7.0] * 14, capacity_kw=30, rules=Rules())  # worked example 4
    >>> a.joined, a.demand_kw, a.spare_chargers
    (3, 21.0, 0)
    >>> admit([7.0] * 14, capacity_kw=60, rules=Rules()).joined
    6
    """
    loads = Phases()
    phases: list[Phase] = []
    limit = None if capacity_kw is None else capacity_kw + 1e-9
    for kw in charger_kws:
        if limit is not None and loads.trial_demand(kw, rules) > limit:
            break
        phases.append(loads.add(kw, rules))
    joined = len(phases)
    connected = sum(charger_kws[:joined])
    spare: int | None = None
    if limit is not None:
        spare = 0
        if joined == len(charger_kws):
            probe = loads.copy()
            while spare < max_spare and probe.trial_demand(rules.charger_cap_kw, rules) <= limit:
                probe.add(rules.charger_cap_kw, rules)
                spare += 1
    return Admission(joined, tuple(phases), loads, connected, loads.demand_kw, spare)


# --------------------------------------------------------------------------- E6
def managed_minimum_kw(rules: Rules) -> float:
    """E6: the least power a managed charger may be given (6 A at 220 V: 1.32 kW)."""
    return rules.managed_min_a * rules.supply_voltage_v / 1000


@dataclass(frozen=True)
class ManagedShare:
    """E6: who joins under managed charging, on which phase, with what guaranteed."""

    joined: int
    phases: tuple[Phase, ...]
    guaranteed_kw: tuple[float, ...]
    loads: Phases
    phase_limit_kw: float | None
    spare_chargers: int | None


def managed_shares(
    charger_kws: Sequence[float], *, capacity_kw: float | None, rules: Rules, max_spare: int = 1000
) -> ManagedShare:
    """E6: each phase is capped at ``capacity / 3``; each charger is guaranteed
    ``min(charger_kw, cap / chargers on its phase)``; the first request that would push its
    phase's share below 1.32 kW stops the queue (MANAGED_MINIMUM).

    >>> m = managed_shares([7.0] * 14, capacity_kw=30, rules=Rules())  # worked example 5
    >>> m.joined, [round(g, 2) for g in m.guaranteed_kw[:3]]
    (14, [2.0, 2.0, 2.5])
    >>> managed_shares([7.0] * 22, capacity_kw=30, rules=Rules()).joined
    21
    """
    loads = Phases()
    phases: list[Phase] = []
    cap = None if capacity_kw is None else capacity_kw / 3
    floor = managed_minimum_kw(rules) - 1e-9
    for kw in charger_kws:
        phase = loads.least()
        if cap is not None and cap / (loads.count[phase] + 1) < floor:
            break
        phases.append(loads.add(kw, rules))
    guaranteed = tuple(
        kw if cap is None else min(kw, cap / loads.count[p])
        for kw, p in zip(charger_kws, phases, strict=False)
    )
    spare: int | None = None
    if cap is not None:
        spare = 0
        if len(phases) == len(charger_kws):
            probe = loads.copy()
            while spare < max_spare and cap / (probe.count[probe.least()] + 1) >= floor:
                probe.add(rules.charger_cap_kw, rules)
                spare += 1
    return ManagedShare(len(phases), tuple(phases), guaranteed, loads, cap, spare)


# --------------------------------------------------------------------------- the box
def bank(meters: int, rules: Rules) -> tuple[int, ...]:
    """R5: the fewest standard boxes holding ``meters``, largest first, the last the
    smallest that fits (14 meters: 12 + 2); one smallest box for none.

    >>> bank(14, Rules()), bank(25, Rules()), bank(5, Rules())
    ((12, 2), (12, 12, 1), (6,))
    """
    sizes = rules.box_sizes
    out: list[int] = []
    left = meters
    while left > sizes[-1]:
        out.append(sizes[-1])
        left -= sizes[-1]
    out.append(next(s for s in sizes if s >= left))
    return tuple(out)


@dataclass(frozen=True)
class Supply:
    """The incoming supply of a box: design current, breaker and cable (None over range)."""

    ip_a: float
    breaker_a: float | None
    cable: str | None
    cable_mm2: float | None


def incoming_supply(phase_kw: float, *, kx: float, rules: Rules) -> Supply:
    """The box's incoming breaker and cable from the heaviest phase:
    ``Ip = phase kW * Kx * 1000 / (220 cos φ)``; breaker the smallest standard rating at or
    above it; cable ``ZR-YJV-0.6/1kV-4×S+1×SPE`` whose ampacity (XLPE, method E, three
    loaded conductors) holds the breaker. Over 250 A: no size (split the bank).

    >>> s = incoming_supply(35.0, kx=1.0, rules=Rules())  # worked example 8
    >>> round(s.ip_a), s.breaker_a, s.cable
    (159, 160.0, 'ZR-YJV-0.6/1kV-4×50+1×25')
    """
    ip = phase_kw * kx * 1000 / (rules.supply_voltage_v * rules.cos_phi)
    breaker = next((b for b in tables.INCOMING_BREAKERS_A if b >= ip - 1e-9), None)
    if breaker is None:
        return Supply(ip, None, None, None)
    row = tables.INCOMING_AMPACITY.row("xlpe/E/3")
    size = next((s for s, a in row.items() if a >= breaker), None)
    if size is None:
        return Supply(ip, breaker, None, None)
    pe = tables.pe_size_mm2(size)
    return Supply(ip, breaker, f"ZR-YJV-0.6/1kV-4×{size:g}+1×{pe:g}", size)
