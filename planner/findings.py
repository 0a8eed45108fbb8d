"""Reasons and findings: what the planner says about each request, and why.

Every code has one entry in :data:`CATALOGUE` with its rule, clause, severity and effect on a
request's status, so a reason always names its rule and clause and the status follows from
the reasons alone (blocked > deferred > pending > planned).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict
from shapely.geometry.base import BaseGeometry

from planner.errors import Severity

Status = Literal["planned", "pending", "deferred", "blocked"]
STATUSES: tuple[Status, ...] = ("planned", "pending", "deferred", "blocked")
_STRENGTH = {s: i for i, s in enumerate(STATUSES)}

POLICY = "兰州市既有居民小区电动汽车充电设施建设方案"


@dataclass(frozen=True)
class Entry:
    """What a code means: its rule and clause, how grave it is, what it does to a request."""

    rule: str
    clause: str
    severity: Severity
    effect: Status = "planned"


PLANNER_RULE = "planner rule"
"""Clause of codes whose rule is the planner's own (the scheme has no clause for them)."""

CATALOGUE: dict[str, Entry] = {
    "FIRE_FACILITIES_MISSING": Entry(
        "R1",
        "方案 二(三)2(6)；附件1 第1、8条；GB/T 51313-2018 6.1.6（方案 二(三)1(5) 引用）",
        "error",
        "blocked",
    ),
    "GARAGE_TYPE_ASSUMED": Entry("R1", "site-format: missing garage_type = underground", "warning"),
    "LEVEL_TOO_DEEP": Entry("R2", "GB/T 51313-2018 6.1.5-1（方案 二(三)2(6) 宜）", "warning"),
    "LEVEL_BELOW_B1": Entry("R2", "GB/T 51313-2018 6.1.5-1（方案 二(三)2(6) 宜）", "warning"),
    "COMPARTMENT_AREA_OVER_LIMIT": Entry("R3", "GB 50067-2014 5.1.1、5.1.2", "warning"),
    "FIRE_UNIT_OVER_LIMIT": Entry(
        "R4", "GB/T 51313-2018 6.1.5、表 6.1.5（方案 二(三)2(6) 宜）", "warning"
    ),
    "MIN_CABLE_SAVING": Entry("R5", "方案 二(三)1(1)（中心位置装设表箱）", "info"),
    "BOX_MOVED": Entry("R5", "方案 二(三)1(1)（中心位置装设表箱）", "info"),
    "BOX_MOUNT_FALLBACK": Entry("R5", "方案 二(三)1(1)（中心位置装设表箱）", "warning"),
    "SPACE_UNKNOWN": Entry("R6", f"{PLANNER_RULE} (site-format §1: space ids)", "error", "blocked"),
    "SPACE_OUTSIDE_COMPARTMENT": Entry(
        "R6", "方案 二(三)1(1)（以防火分区作为区域划分界限）", "error", "blocked"
    ),
    "CHARGER_MOVED": Entry("R6", "方案 二(三)1(1)（以防火分区作为区域划分界限）", "warning"),
    "CHARGER_OVER_CAP": Entry("R7", "方案 二(三)1(1)“充电桩容量不宜超过7千瓦”", "error", "blocked"),
    "NO_ROUTE": Entry(
        "R8", "practice (cables within the compartment, around obstacles)", "error", "blocked"
    ),
    "AMPACITY_INSUFFICIENT": Entry(
        "E3", "IEC 60364-5-52 523, B.52.14, B.52.17 (GB/T 16895.6)", "error", "blocked"
    ),
    "VOLTAGE_DROP_OVER_LIMIT": Entry(
        "E4", "IEC 60364-5-52 525, Annex G (GB/T 16895.6)", "error", "blocked"
    ),
    "SHORT_CIRCUIT_REACH": Entry(
        "E4",
        "IEC 60364-4-43 (GB/T 16895.5); GB 50054-2011 6.2 [unconfirmed clause]",
        "error",
        "blocked",
    ),
    "LONG_RUN": Entry("E4", "IEC 60364-5-52 Annex G (GB/T 16895.6)", "warning"),
    "PHASE_LOADS": Entry("E5", "JGJ 16-2008 3.5.5; IEC 60364-7-722.311", "info"),
    "TRAY_BUNCHED": Entry(
        "E3", "GB 50054-2011 7.6.14 [unconfirmed]; IEC 60364-5-52 B.52.17 (row 1)", "warning"
    ),
    "BUILD_OUT": Entry("R12", "方案 二(三)1(1)（车桩相随、适度超前，整体规划）", "info"),
    "BUILD_OUT_OVER_CAPACITY": Entry(
        "R12", "方案 二(三)1(1)（车桩相随、适度超前，整体规划）", "warning"
    ),
    "BOX_SUPPLY_OVER_RANGE": Entry("E5", "JGJ 16-2008 3.5.5", "warning"),
    "COMPARTMENT_OVER_CAPACITY": Entry(
        "R12",
        f"{PLANNER_RULE} (first come, first served; the scheme sets no order)",
        "error",
        "deferred",
    ),
    "CAPACITY_UNKNOWN": Entry("R12", "方案 二(三)1(1)（供电企业勘察、整体规划）", "warning"),
    "CAPACITY_IF_COMPLETED": Entry(
        "R12",
        f"{PLANNER_RULE} (pending requests hold no capacity; 方案 二(三)1(2) 受理)",
        "info",
    ),
    "MANAGED_CHARGING": Entry("E6", "方案 一(二)（智能有序）；IEC 61851-1", "info"),
    "MANAGED_MINIMUM": Entry("E6", "方案 一(二)（智能有序）；IEC 61851-1", "error", "deferred"),
    "REGISTRATION_MISSING": Entry(
        "R12", f"{PLANNER_RULE} (first come, first served; registration 方案 二(二))", "warning"
    ),
    "VOTE_MISSING": Entry("R13", "方案 二(三)1(2)；民法典 第278条", "error", "pending"),
    "VOTE_FAILED": Entry("R13", "方案 二(三)1(2)；民法典 第278条", "error", "blocked"),
    "DOCUMENTS_MISSING": Entry(
        "R14", "方案 二(三)1(2)（发改能源〔2016〕1611号）；附件1 第3条", "error", "pending"
    ),
    "SUPPLY_NON_DIRECT": Entry("R14", "方案 二(三)2(2)、2(3)；附件1 第3条", "info"),
    "CHARGER_CLEARANCE": Entry("R15", "GB/T 51313-2018 4.0.2-4", "warning"),
    "DUPLICATE_SPACE_REQUEST": Entry(
        "R16",
        f"{PLANNER_RULE} (after 发改能源〔2016〕1611号 一表一车位; 附件3)",
        "error",
        "blocked",
    ),
    "PII_MASKED": Entry(
        "privacy", f"{PLANNER_RULE} (no ID or phone number in any output)", "warning"
    ),
}
"""Every code the planner emits, with rule, clause, severity and effect."""


class Reason(BaseModel):
    """Why a request has its status: ``{code, severity, rule, clause, message}``."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    rule: str
    clause: str
    message: str
    effect: Status = "planned"


def reason(
    code: str, message: str, *, severity: Severity | None = None, effect: Status | None = None
) -> Reason:
    """A reason for ``code`` from the catalogue (severity and effect may be overridden)."""
    entry = CATALOGUE[code]
    return Reason(
        code=code,
        severity=severity or entry.severity,
        rule=entry.rule,
        clause=entry.clause,
        message=message,
        effect=entry.effect if effect is None else effect,
    )


def status_of(reasons: list[Reason] | tuple[Reason, ...]) -> Status:
    """The strongest effect among the reasons (blocked > deferred > pending > planned)."""
    best: Status = "planned"
    for r in reasons:
        if _STRENGTH[r.effect] > _STRENGTH[best]:
            best = r.effect
    return best


class Finding(BaseModel):
    """A finding of the plan about the site, a level, a compartment, a space or a request."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    code: str
    severity: Severity
    rule: str
    clause: str
    message: str
    subject: str | None = None
    level: str | None = None
    geometry: BaseGeometry | None = None

    @classmethod
    def of(
        cls,
        r: Reason,
        *,
        subject: str | None,
        level: str | None = None,
        geometry: BaseGeometry | None = None,
    ) -> Finding:
        """A finding from a reason."""
        return cls(
            code=r.code,
            severity=r.severity,
            rule=r.rule,
            clause=r.clause,
            message=r.message,
            subject=subject,
            level=level,
            geometry=geometry,
        )


RULES: tuple[str, ...] = (
    *(f"R{i}" for i in range(1, 10)),
    *(f"E{i}" for i in range(1, 7)),
    *(f"R{i}" for i in range(12, 17)),
    "privacy",
)
"""The rules in the order domain.md lists them (R10 and R11 became E1-E6: "see Electrical
design"); the checklist and the deciding reason follow it."""


def deciding_reason(reasons: Sequence[Reason], status: Status) -> Reason | None:
    """The reason that decides a request's ``status``: the first error in rule order
    among those with that effect (a duplicate refused outright is blocked by R16 even when
    its vote, R13, is missing too), else the first error; ``None`` for a planned request."""
    if status == "planned":
        return None
    order = {rule: i for i, rule in enumerate(RULES)}
    errors = [x for x in reasons if x.severity == "error"]
    found = [x for x in errors if x.effect == status] or errors
    return min(found, key=lambda x: order.get(x.rule, len(order))) if found else None
