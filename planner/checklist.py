"""The rule checklist of the approval package: each rule's outcome derived from the plan.

A rule has *failed* when any finding of that rule is an error, gives *advice* (提示) when
its findings are warnings only (an advisory rule such as R4's 宜), both with the ids
concerned, is *not applicable* when nothing in the plan reaches it (no common-area request
for the vote rule, non-direct supply for documents, no cable for the electrical rules ...),
and has *passed* otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from planner.findings import RULES
from planner.plan import Plan

__all__ = ["RULES", "Row", "checklist", "source_text"]

Outcome = Literal["passed", "failed", "advice", "not_applicable"]

SOURCES: dict[str, str] = {
    "R1": "方案 二(三)1(5)、二(三)2(6)；附件1 第1、8条；GB/T 51313-2018 6.1.6",
    "R2": "GB/T 51313-2018 6.1.5-1",
    "R3": "GB 50067-2014 5.1.1、5.1.2",
    "R4": "GB/T 51313-2018 6.1.5、表 6.1.5",
    "R5": "方案 二(三)1(1)",
    "R6": "方案 二(三)1(1)",
    "R7": "方案 二(三)1(1)",
    "R8": "practice",
    "R9": "practice",
    "E1": "IEC 60364-7-722.433、722.531.2；GB/T 18487.1",
    "E2": "practice; GB 31247 [unconfirmed]",
    "E3": "IEC 60364-5-52 B.52.2-B.52.17 (GB/T 16895.6)",
    "E4": "IEC 60364-5-52 Annex G；IEC 60364-4-43",
    "E5": "IEC 60364-7-722.311；JGJ 16-2008 3.5.5",
    "E6": "方案 一(二)；IEC 61851-1",
    "R12": "planner rule (first come, first served)",
    "R13": "方案 二(三)1(2)；民法典 第278条",
    "R14": "方案 二(三)1(2)、2(2)；附件1 第3条",
    "R15": "GB/T 51313-2018 4.0.2-4",
    "R16": "planner rule (1611号 一表一车位；附件3)",
    "privacy": "planner rule (personal information)",
}


SOURCE_WORDS_ZH: dict[str, str] = {
    "practice": "工程惯例",
    "planner rule (first come, first served)": "规划规则（先到先得）",
    "planner rule (1611号 一表一车位；附件3)": "规划规则（1611号 一表一车位；附件3）",
    "planner rule (personal information)": "规划规则（个人信息保护）",
    "[unconfirmed]": "[待核实]",
    "Annex ": "附录",
}
"""The English words of ``SOURCES`` in Chinese, so a Chinese checklist reads in one language
(standard numbers such as GB/T 51313-2018 6.1.5 are the same in both)."""


def source_text(rule: str, lang: str = "zh") -> str:
    """Where ``rule`` comes from, in ``lang``."""
    text = SOURCES[rule]
    if lang == "zh":
        for en, zh in SOURCE_WORDS_ZH.items():
            text = text.replace(en, zh)
    return text


@dataclass(frozen=True)
class Row:
    """One rule's line in the checklist."""

    rule: str
    outcome: Outcome
    subjects: tuple[str, ...]
    codes: tuple[str, ...]
    source: str


def _applies(plan: Plan, rule: str) -> bool:
    site = plan.site
    reqs = plan.requests
    live = [r for r in reqs if r.status != "blocked"]
    if rule == "R1":
        checked = plan.rules.fire_check_garage_types
        return any((lv.garage_type or "underground") in checked for lv in site.levels)
    if rule == "R2":
        return any(lv.floor is not None for lv in site.levels)
    if rule in ("R3", "R4"):
        limits = (
            plan.rules.compartment_area_limit_m2 if rule == "R3" else plan.rules.fire_unit_limit_m2
        )
        return any((lv.garage_type or "underground") in limits for lv in site.levels)
    if rule == "R5":
        return bool(plan.boxes) or bool(live)
    if rule in ("R6", "R7", "R16", "privacy"):
        return bool(reqs) or rule == "privacy"
    if rule in ("R8", "R15"):
        return any(r.compartment is not None for r in reqs)
    if rule in ("R9", "E1", "E2", "E3", "E4"):
        return bool(plan.cables)
    if rule == "E6":
        return plan.options.managed and bool(live)
    if rule in ("R12", "E5"):
        return bool(live)
    if rule == "R13":
        return any(r.tenure == "common" for r in reqs)
    if rule == "R14":
        return plan.rules.check_documents and bool(reqs)
    return True


def checklist(plan: Plan) -> list[Row]:
    """Every rule with its outcome, the ids concerned and the codes found."""
    rows = []
    for rule in RULES:
        found = [f for f in plan.findings if f.rule == rule]
        bad = [f for f in found if f.severity in ("error", "warning")]
        if rule == "privacy":
            bad = []  # masking is the rule working, not failing
        subjects = tuple(dict.fromkeys(f.subject or "-" for f in bad))
        codes = tuple(dict.fromkeys(f.code for f in (bad or found)))
        outcome: Outcome = "passed" if _applies(plan, rule) else "not_applicable"
        if bad:
            outcome = "failed" if any(f.severity == "error" for f in bad) else "advice"
        rows.append(Row(rule, outcome, subjects, codes, SOURCES[rule]))
    return rows
