"""The rules the planner applies (``shared/domain.md`` R1-R16), in one frozen, typed object.

Every threshold lives here with its unit in its name, its rule and source clause in its
description, and ``[unconfirmed]`` where the number was read from a third-party quotation and
not from the official text. Override fields per run with ``--set RULE=VALUE`` (CLI) or
:meth:`Rules.with_overrides`. The tables of the standards (ampacities, correction factors)
live in :mod:`planner.tables`, each with its table and sources; nothing else in the planner
holds a number of its own.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from planner.overrides import with_overrides
from planner.site import GarageType
from planner.tables import BOX_SIZES, SIZES_MM2, Insulation, Method


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

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    rules_version: str = _f(
        "兰州既有居民小区自用充电桩规划规则 R1-R16、E1-E6（2026-12-01）",
        "-",
        "the rule set's name and date, printed in the title block and the checklist",
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
    box_sizes: tuple[int, ...] = _f(
        BOX_SIZES,
        "R5",
        "meter positions of the standard boxes a bank is made of, smallest first; the bank "
        "is the fewest boxes, largest first, the last the smallest that fits "
        "[unconfirmed: 9 and 12]",
    )
    box_depth_m: float = _f(
        0.2,
        "R5",
        "how far a wall- or column-mounted box stands out, m; a face whose strip this deep "
        "touches a parking space is not used (the box would block a car door)",
        ge=0,
    )
    # R7
    charger_cap_kw: float = _f(
        7.0,
        "R7",
        'largest private charger, kW; scheme 二(三)1(1) "充电桩容量不宜超过7千瓦" (不宜: '
        '"should not"; the utility meters private chargers at this cap)',
        gt=0,
    )
    block_over_cap: bool = _f(
        True, "R7", "block chargers over the cap (false: a warning only, the scheme's 不宜)"
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
    floor_feed_height_m: float = _f(
        0.3,
        "R9",
        "height at which a floor-standing charger (charger_type floor) is fed, m; its rise "
        "is ceiling_height_m minus this",
        ge=0,
    )
    # R10 / E1-E4
    supply_voltage_v: float = _f(220.0, "R10", "single-phase supply voltage, V", gt=0)
    cos_phi: float = _f(
        1.0, "E1", "power factor of a charger; Ib = P / (U cos φ); IEC 60364-7-722", gt=0, le=1
    )
    breaker_a: float = _f(
        40.0,
        "E1",
        "rated current In of each charger's RCBO (2-pole, C curve, 30 mA type A with the "
        "charger's 6 mA DC detection); Ib <= In <= Iz; IEC 60364-7-722.433, 722.531.2",
        gt=0,
    )
    rcd_type: Literal["A", "B"] = _f(
        "A",
        "E1",
        "RCD type of the RCBO: A where the charger detects 6 mA DC (GB/T 18487.1), else B; "
        "IEC 60364-7-722.531.2",
    )
    magnetic_trip_multiple: float = _f(
        10.0, "E4", "Ia / In of the breaker's magnetic trip: 10 for a C curve (IEC 60898-1)", gt=1
    )
    insulation: Insulation = _f(
        "xlpe",
        "E2",
        "cable insulation: xlpe (ZR-YJV-0.6/1kV) or pvc (ZR-VV-0.6/1kV); flame-retardant "
        "class after GB 31247 [unconfirmed]",
    )
    conductor_sizes_mm2: tuple[float, ...] = _f(
        SIZES_MM2,
        "E2",
        "copper conductor sizes tried, smallest first, mm² (each must be in the ampacity "
        "table, planner.tables.AMPACITY)",
    )
    ambient_c: float = _f(
        30.0, "E3", "ambient air temperature, °C; k_temp of IEC 60364-5-52 table B.52.14", le=60
    )
    off_tray_method: Method = _f(
        "B2",
        "E3",
        "installation off a tray: B2 (multi-core cable in conduit on the ceiling); "
        "IEC 60364-5-52 table B.52.1",
    )
    tray_from_cables: int = _f(
        4,
        "E3",
        "a run shared by more than this many cables is taken to be a tray (method E)",
        ge=0,
    )
    min_tray_branch_m: float = _f(
        3.0,
        "E3",
        "a cable's own branch off the shared tray shorter than this stays in conduit, m (issue 12)",
        ge=0,
        le=1000,
    )
    share_distance_m: float = _f(
        0.05, "E3", "two cables share a run where they lie within this distance ...", gt=0
    )
    share_min_length_m: float = _f(1.0, "E3", "... for at least this length, m", ge=0)
    resistivity_ohm_mm2_per_m: float = _f(
        0.0225,
        "E4",
        "copper resistivity in service, Ω·mm²/m; IEC 60364-5-52 Annex G",
        gt=0,
    )
    reactance_ohm_per_m: float = _f(
        8e-5, "E4", "cable reactance per metre of conductor, Ω/m; IEC 60364-5-52 Annex G", ge=0
    )
    voltage_drop_limit_pct: float = _f(
        4.0,
        "E4",
        "largest voltage drop from the meter box to the charger, %; IEC 60364-5-52 Annex G "
        "(the owner's installation starts at the meter)",
        gt=0,
    )
    short_circuit_factor: float = _f(
        0.8,
        "E4",
        "share of the nominal voltage left at the fault (conventional method); "
        "cable_m <= 0.8 U S / (2 ρ Ia); IEC 60364-4-43, GB 50054-2011 6.2 [unconfirmed clause]",
        gt=0,
        le=1,
    )
    block_over_limit: bool = _f(
        True,
        "E4",
        "block a cable no size can keep within the voltage-drop limit or the short-circuit "
        "reach (false: a warning only)",
    )
    long_run_m: float = _f(100.0, "E4", "cable length above which LONG_RUN warns, m", gt=0)
    # R11 / E5
    diversity: Literal["none", "atlas"] = _f(
        "none",
        "E5",
        "demand factor Kx: none (every charging point at full load, IEC 60364-7-722.311) "
        "or atlas (18D705-2 as quoted by vendors, with a running maximum)",
    )
    demand_factor_steps: tuple[tuple[int, float], ...] = _f(
        ((4, 1.0), (10, 0.85), (50, 0.65)),
        "E5",
        "(up to k chargers, Kx) steps of diversity=atlas; design atlas 18D705-2 as quoted by "
        "vendors [unconfirmed: upper values of the quoted ranges]",
    )
    demand_factor_above: float = _f(
        0.45, "E5", "Kx above the last step of diversity=atlas [unconfirmed]", gt=0, le=1
    )
    # R12 / E6
    managed_hours: float = _f(
        8.0,
        "E6",
        "overnight charging hours for managed charging (智能有序充电); scheme 一(二)",
        gt=0,
    )
    managed_min_a: float = _f(
        6.0,
        "E6",
        "smallest current a managed charger can be told to draw, A (1.32 kW at 220 V); "
        "IEC 61851-1 (PWM duty cycle of 10 %)",
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
        "check the documents of applications; scheme 二(三)1(2), 附件1 第3条",
    )
    lease_min_months: int = _f(
        12,
        "R14",
        "shortest lease of a leased space, months; 发改能源〔2016〕1611号 (one year or more), "
        "cited by scheme 二(三)1(2)",
        ge=0,
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
        sizes = list(self.conductor_sizes_mm2)
        if not sizes or sizes != sorted(sizes):
            raise ValueError("conductor_sizes_mm2 must be given, smallest first")
        unknown = [s for s in sizes if s not in SIZES_MM2]
        if unknown:
            raise ValueError(
                "conductor_sizes_mm2 "
                + ", ".join(f"{s:g}" for s in unknown)
                + " have no tabulated ampacity; use sizes among "
                + ", ".join(f"{s:g}" for s in SIZES_MM2)
            )
        boxes = list(self.box_sizes)
        if not boxes or boxes != sorted(boxes) or boxes[0] < 1:
            raise ValueError("box_sizes must be positive, smallest first")
        return self

    def with_overrides(self, assignments: list[str]) -> Rules:
        """A copy with ``RULE=VALUE`` assignments applied (values parsed as JSON if they can
        be). Raises :class:`PlannerError` naming the rule and the allowed names or values."""
        return with_overrides(
            self,
            assignments,
            flag="--set",
            noun="rule",
            example="voltage_drop_limit_pct=5",
            fix="give a value the rule accepts (see the rules table in the README)",
        )

    @classmethod
    def table(cls) -> list[tuple[str, str, Any, str]]:
        """(rule, field, default, description) for every field, for docs and the app."""
        rows = []
        for name, field in cls.model_fields.items():
            extra = field.json_schema_extra
            rule = extra.get("rule", "-") if isinstance(extra, dict) else "-"
            rows.append((str(rule), name, field.default, field.description or ""))
        return rows
