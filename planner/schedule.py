"""The request schedule (申请明细表): one row per request, circuits first in the order of
their banks and meters (E5: planned, then provisional), then the requests without a
circuit (blocked) in the order of the input. ``schedule.csv`` has every column; the PDF
schedule those with a width, and the totals per box and per cable designation.

matplotlib-free: the CSV writer and the app read it as the PDF does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from planner.findings import deciding_reason
from planner.i18n import Lang, reason_text, t
from planner.plan import Cable, Plan, RequestOutcome, circuit_ref
from planner.sheets import Sheet, sheet_of_spaces, sheet_set


@dataclass(frozen=True)
class Col:
    """A schedule column: its word key, and its width in mm on the PDF (None: CSV only)."""

    key: str
    width_mm: float | None


COLUMNS: tuple[Col, ...] = (
    Col("no", 8),
    Col("circuit", 26),
    Col("sheet", 15),
    Col("level", 11),
    Col("compartment", 17),
    Col("space", 17),
    Col("request", 15),
    Col("applicant", 16),
    Col("registered", 20),
    Col("queue", 9),
    Col("charger_kw", 10),
    Col("status", 17),
    Col("deciding", 52),
    Col("reasons", None),
    Col("phase", 8),
    Col("route_m", 11),
    Col("cable_m", 11),
    Col("conductor", None),
    Col("designation", 30),
    Col("methods", 11),
    Col("grouping", None),
    Col("breaker", 28),
    Col("vdrop", 10),
    Col("cost", 11),
    Col("tariff", 20),
)
"""Widths fill A3 landscape (396 mm inside the margins)."""


def clause_text(clause: str, lang: Lang) -> str:
    """A reason's clause in ``lang``: the planner's own rules and practice by their
    Chinese names (their English explanation is in ``report.json``)."""
    if lang == "zh":
        if clause.startswith("planner rule"):
            return "规划规则"
        if clause.startswith("practice"):
            return "工程惯例"
    return clause


def tariff(plan: Plan, lang: Lang) -> str:
    """The tariff category of the site's supply."""
    return t("tariff_direct" if plan.site.info.supply == "direct" else "tariff_non_direct", lang)


def ordered(plan: Plan) -> list[RequestOutcome]:
    """Requests with a circuit in bank and meter order, then the others as given."""
    pos = {rid: (b, i) for b, box in enumerate(plan.boxes) for i, rid in enumerate(box.circuits)}
    n = len(plan.requests)
    return sorted(
        plan.requests,
        key=lambda r: pos.get(r.id, (len(plan.boxes), n)),
    )


def _row(
    plan: Plan,
    r: RequestOutcome,
    c: Cable | None,
    *,
    circuit: str,
    sheet: str,
    lang: Lang,
) -> dict[str, str]:
    decide = deciding_reason(r.reasons, r.status)
    words = "; ".join(dict.fromkeys(reason_text(x, lang) for x in r.reasons))
    return {
        "circuit": circuit,
        "sheet": sheet,
        "level": r.level or "",
        "compartment": r.compartment or "",
        "space": r.space,
        "request": r.id,
        "applicant": r.applicant or "",
        "registered": (r.registered or "")[:16].replace("T", " "),
        "queue": "" if r.queue is None else str(r.queue),
        "charger_kw": f"{r.charger_kw:g}",
        "status": t(r.status, lang),
        "deciding": (
            f"{decide.rule} {reason_text(decide, lang)}（{clause_text(decide.clause, lang)}）"
            if decide
            else ""
        ),
        "reasons": words,
        "phase": (r.phase or "") + ("*" if r.phase and r.phase_provisional else ""),
        "route_m": f"{c.route_m:.1f}" if c else "",
        "cable_m": f"{c.cable_m:.1f}" if c else "",
        "conductor": f"{c.conductor_mm2:g}" if c else "",
        "designation": c.designation if c else "",
        "methods": "/".join(c.methods) if c else "",
        "grouping": f"{c.grouping:.2f}" if c else "",
        "breaker": c.breaker if c else "",
        "vdrop": f"{c.voltage_drop_pct:.2f}" if c else "",
        "cost": f"{c.cost_cny:.0f}" if c and c.cost_cny is not None else "",
        "tariff": tariff(plan, lang) if r.status != "blocked" else "",
    }


def schedule_table(
    plan: Plan, lang: Lang, *, sheets: list[Sheet] | None = None, pdf: bool = False
) -> tuple[list[str], list[list[str]]]:
    """Headings and rows of the schedule: every column (the CSV) or the PDF's."""
    cols = [c for c in COLUMNS if c.width_mm is not None or not pdf]
    circuits = plan.circuits()
    cables = {c.request: c for c in plan.cables}
    on_sheet = sheet_of_spaces(plan, sheets if sheets is not None else sheet_set(plan))
    rows = []
    for n, r in enumerate(ordered(plan), start=1):
        box, wp = circuits.get(r.id, ("", ""))
        cells = _row(
            plan,
            r,
            cables.get(r.id),
            circuit=circuit_ref(box, wp) if wp else "",
            sheet=on_sheet.get(r.space, ""),
            lang=lang,
        )
        cells["no"] = str(n)
        rows.append([cells[c.key] for c in cols])
    return [t(c.key, lang) for c in cols], rows


def totals(plan: Plan, lang: Lang) -> tuple[list[str], list[list[str]]]:
    """Totals per box bank and per cable designation: circuits, cable metres, kW."""
    status = {r.id: r for r in plan.requests}
    by: dict[tuple[str, str], list[Cable]] = defaultdict(list)
    for c in plan.cables:
        box = next((b.id for b in plan.boxes if b.compartment == c.compartment), "")
        by[(t("box", lang), box)].append(c)
        by[(t("designation", lang), c.designation)].append(c)
    head = [t(k, lang) for k in ("total_of", "total_item", "circuits_n", "cable_m", "charger_kw")]
    rows = [
        [
            what,
            item,
            str(len(cs)),
            f"{sum(c.cable_m for c in cs):.1f}",
            f"{sum(status[c.request].charger_kw for c in cs):g}",
        ]
        for (what, item), cs in by.items()
    ]
    rows.sort(key=lambda row: (row[0] != t("box", lang), row[1]))
    return head, rows
