"""The bill of materials (主要材料设备表) of a plan: per level and in total, with
quantities that add up from the plan itself (cables: the sum of ``cable_m``, which holds the
rises and the slack; conduit: the runs off any tray; tray: the drawn length of each run)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from planner.costs import DEFAULT_CONDUIT
from planner.electrical import breaker_label
from planner.i18n import Lang, t
from planner.plan import Plan

TOTAL = "*"
"""The level of the rows that total every level."""


ITEMS = (
    "meter_box",
    "meter",
    "rcbo",
    "incoming_breaker",
    "incoming_cable",
    "owner_cable",
    "conduit",
    "tray",
)


@dataclass(frozen=True)
class BomRow:
    """One line of the bill: what, of which kind, how many."""

    level: str
    item: str
    spec: str
    unit: str
    quantity: float


def bill(plan: Plan) -> list[BomRow]:
    """Every item per level, then the totals (level ``*``), in a fixed order."""
    qty: dict[tuple[str, str, str, str], float] = defaultdict(float)
    order = ITEMS
    for b in plan.boxes:
        for size in b.box_sizes:
            qty[b.level, "meter_box", f"{size}表位", "piece"] += 1
        qty[b.level, "meter", "5(60)A", "piece"] += b.meters
        qty[b.level, "rcbo", breaker_label(plan.rules), "piece"] += b.meters
        if b.incoming_breaker_a is not None:
            qty[b.level, "incoming_breaker", f"{b.incoming_breaker_a:g}A", "piece"] += 1
        if b.incoming_cable:
            qty[b.level, "incoming_cable", b.incoming_cable, "set"] += 1
    for c in plan.cables:
        qty[c.level, "owner_cable", c.designation, "m"] += c.cable_m
        if c.conduit_m > 0:
            qty[c.level, "conduit", DEFAULT_CONDUIT, "m"] += c.conduit_m
    for run in plan.trays:
        qty[run.level, "tray", run.size, "m"] += run.length_m
    levels = [lv.id for lv in plan.site.levels]
    rows = [
        BomRow(level, item, spec, unit, round(n, 2)) for (level, item, spec, unit), n in qty.items()
    ]
    totals: dict[tuple[str, str, str], float] = defaultdict(float)
    for (_, item, spec, unit), n in qty.items():
        totals[item, spec, unit] += n
    rows += [
        BomRow(TOTAL, item, spec, unit, round(n, 2)) for (item, spec, unit), n in totals.items()
    ]
    rank = {lv: k for k, lv in enumerate([*levels, TOTAL])}
    return sorted(rows, key=lambda r: (rank.get(r.level, len(rank)), order.index(r.item), r.spec))


def bom_table(plan: Plan, lang: Lang) -> tuple[list[str], list[list[str]]]:
    """The bill as a header and rows of text, in the sheets' language (for the PDF page,
    ``bom.csv`` and the app)."""
    header = [t(k, lang) for k in ("bom_level", "bom_item", "bom_spec", "bom_unit", "bom_quantity")]
    rows = [
        [
            t("bom_total", lang) if r.level == TOTAL else r.level,
            t(f"bom_{r.item}", lang),
            r.spec,
            t(f"unit_{r.unit}", lang),
            f"{r.quantity:g}" if r.unit != "m" else f"{r.quantity:.1f}",
        ]
        for r in bill(plan)
    ]
    return header, rows
