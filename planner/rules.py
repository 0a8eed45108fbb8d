"""The rules the planner applies (``shared/domain.md`` R1-R16), in one frozen, typed object.

Every threshold lives here with its unit in its name, its rule and source clause in its
description, and ``[unconfirmed]`` where the number was read from a third-party quotation and
not from the official text. Override fields per run with ``--set RULE=VALUE`` (CLI) or
:meth:`Rules.with_overrides`; nothing else in the planner holds a number of its own.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from planner.errors import PlannerError
from planner.site import GarageType


def _f(default: Any, rule: str, text: str, **kw: Any) -> Any:
    return Field(default, description=f"{rule}: {text}", json_schema_extra={"rule": rule}, **kw)


class Rules(BaseModel):
    """Every threshold of R1-R16 with the defaults of ``domain.md``.

    Examples
    --------
    >>> Rules().charger_cap_kw
    7.0
    >>> Rules().with_overrides(["voltage_drop_limit_pct=5"]).voltage_drop_limit_pct
    5.0
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    rules_version: str = _f(
        "domain.md R1-R16 (2026-11)", "-", "the rule set's version, printed in the title block"
    )
    # R1
    fire_check_garage_types: tuple[GarageType, ...] = _f(
        ("underground", "semi_underground", "high_rise"),
        "R1",
        "garage types that need all five fire systems (fire alarm, smoke exhaust, sprinklers, "
        "emergency lighting, evacuation signs) before any charger; scheme 二(三)1(5), "
        "二(三)2(6), 附件1 第1、8条; GB/T 51313-2018 6.1.6",
    )
    # R2
    too_deep_floor: int = _f(
        -4,
        "R2",
        "floor at or below which LEVEL_TOO_DEEP applies; "
        "GB/T 51313-2018 6.1.5-1 (宜, advisory for existing garages)",
    )
    below_b1_floor: int = _f(-2, "R2", "floor at or below which LEVEL_BELOW_B1 applies")
    block_too_deep: bool = _f(False, "R2", "make LEVEL_TOO_DEEP block instead of warn")
    # R3
    compartment_area_limit_m2: dict[GarageType, float] = _f(
        {
            "underground": 2000.0,
            "high_rise": 2000.0,
            "semi_underground": 2500.0,
            "multi_storey": 2500.0,
            "single_storey": 3000.0,
        },
        "R3",
        "largest fire compartment by garage type, m²; GB 50067-2014 5.1.1, 5.1.2 "
        "[unconfirmed: quoted, not read from the standard]",
    )
    sprinkler_area_factor: float = _f(
        2.0,
        "R3",
        "the compartment limit is multiplied by this "
        "where sprinklers are present; GB 50067-2014 5.1.2",
        gt=0,
    )
    # R4
    fire_unit_limit_m2: dict[GarageType, float] = _f(
        {
            "underground": 1000.0,
            "high_rise": 1000.0,
            "semi_underground": 1000.0,
            "multi_storey": 1250.0,
            "single_storey": 1500.0,
        },
        "R4",
        "largest fire unit for a charging area, m² (walls >= 2.0 h, doors >= class B 乙级); "
        "GB/T 51313-2018 6.1.5, table 6.1.5; advisory for existing garages",
    )
    # R5
    meter_positions_per_box: int = _f(
        12,
        "R5",
        "meter positions in one meter box; a bank "
        "holds ceil(meters / positions) boxes [unconfirmed]",
        gt=0,
    )
    # R7
    charger_cap_kw: float = _f(
        7.0, "R7", 'largest private charger, kW; scheme 二(三)1(1) "不宜超过7千瓦"', gt=0
    )
    # R8
    clearance_m: float = _f(
        0.1,
        "R8",
        "clearance of cable routes from obstacles and compartment walls, m; practice",
        ge=0,
    )
    tray_cost_factor: float = _f(
        0.7,
        "R8",
        "cost of one metre along an existing tray relative to one metre elsewhere; practice",
        gt=0,
        le=1,
    )
    # R9
    slack: float = _f(0.05, "R9", "cable slack as a fraction of the run; practice", ge=0)
    mount_height_m: float = _f(
        1.5,
        "R9",
        "height of meter box and charger terminals, m; "
        "the cable goes up to the ceiling and down again",
        ge=0,
    )
    # R10
    supply_voltage_v: float = _f(220.0, "R10", "single-phase supply voltage, V", gt=0)
    breaker_a: float = _f(40.0, "R10", "breaker rating per charger circuit, A", gt=0)
    conductor_sizes_mm2: tuple[float, ...] = _f(
        (6.0, 10.0, 16.0, 25.0),
        "R10",
        "copper conductor sizes tried, smallest first, mm²; IEC 60364-5-52 (GB/T 16895.6)",
    )
    ampacity_a: tuple[float, ...] = _f(
        (51.0, 70.0, 94.0, 119.0),
        "R10",
        "ampacity of each size on a tray in free air, PVC, 30 °C, A; IEC 60364-5-52 tables B.52.x",
    )
    grouping_factor: float = _f(0.8, "R10", "derating for a single layer on a tray", gt=0, le=1)
    resistivity_ohm_mm2_per_m: float = _f(
        0.0217, "R10", "copper resistivity at 70 °C, Ω·mm²/m", gt=0
    )
    voltage_drop_limit_pct: float = _f(4.0, "R10", "largest voltage drop, %", gt=0)
    long_run_m: float = _f(100.0, "R10", "cable length above which LONG_RUN warns, m", gt=0)
    # R11
    demand_factor_steps: tuple[tuple[int, float], ...] = _f(
        ((4, 1.0), (10, 0.85), (50, 0.65)),
        "R11",
        "(up to k chargers, demand factor Kx) steps; design atlas 18D705-2 as quoted by "
        "vendors [unconfirmed: upper values of the quoted ranges]",
    )
    demand_factor_above: float = _f(0.45, "R11", "Kx above the last step [unconfirmed]", gt=0, le=1)
    # R12
    managed_hours: float = _f(
        8.0,
        "R12",
        "overnight charging hours for managed charging (智能有序充电); scheme 一(二)",
        gt=0,
    )
    # R13
    vote_participation_share: float = _f(
        2 / 3,
        "R13",
        "share of exclusive area and of owners that must take part; Civil Code art. 278",
        ge=0,
        le=1,
    )
    vote_approval_share: float = _f(
        3 / 4,
        "R13",
        "share of participating area and owners that must approve; Civil Code art. 278",
        ge=0,
        le=1,
    )
    vote_tolerance: float = _f(1e-9, "R13", "tolerance of vote share comparisons", ge=0)
    # R14
    check_documents: bool = _f(
        True,
        "R14",
        "check the documents of direct-supply applications; scheme 二(三)1(2), 附件1 第3条",
    )
    # R15
    charger_edge_offset_m: float = _f(
        0.4,
        "R15",
        "charger distance inside the stall edge, m; GB/T 51313-2018 4.0.2-4 (quoted)",
        ge=0,
    )

    @model_validator(mode="after")
    def _consistent(self) -> Rules:
        if len(self.conductor_sizes_mm2) != len(self.ampacity_a) or not self.ampacity_a:
            raise ValueError("conductor_sizes_mm2 and ampacity_a must have the same length")
        if list(self.conductor_sizes_mm2) != sorted(self.conductor_sizes_mm2):
            raise ValueError("conductor_sizes_mm2 must be given smallest first")
        return self

    def with_overrides(self, assignments: list[str]) -> Rules:
        """A copy with ``RULE=VALUE`` assignments applied (values parsed as JSON if they can
        be). Raises :class:`PlannerError` naming the rule and the allowed names or values."""
        data = self.model_dump()
        for text in assignments:
            name, sep, raw = text.partition("=")
            name = name.strip()
            if not sep or not name:
                raise PlannerError(
                    f"--set '{text}' is not RULE=VALUE. Fix: write e.g. "
                    "--set voltage_drop_limit_pct=5."
                )
            if name not in type(self).model_fields:
                close = difflib.get_close_matches(name, type(self).model_fields, n=3)
                hint = f" Did you mean {', '.join(close)}?" if close else ""
                raise PlannerError(
                    f"--set: there is no rule '{name}'.{hint} Fix: use one of "
                    + ", ".join(type(self).model_fields)
                    + "."
                )
            try:
                value = json.loads(raw)
            except json.JSONDecodeError:
                value = raw
            data[name] = value
        try:
            return type(self).model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "rules"
            raise PlannerError(
                f"--set {where}: {err['msg']}. Fix: give a value the rule "
                "accepts (see the rules table in the README)."
            ) from None

    @classmethod
    def table(cls) -> list[tuple[str, str, Any, str]]:
        """(rule, field, default, description) for every field, for docs and the app."""
        rows = []
        for name, field in cls.model_fields.items():
            extra = field.json_schema_extra
            rule = extra.get("rule", "-") if isinstance(extra, dict) else "-"
            rows.append((str(rule), name, field.default, field.description or ""))
        return rows
