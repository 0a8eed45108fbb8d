"""The system diagram (配电系统图) of each meter box bank, and the design notes (设计说明).

One A3 landscape sheet per bank (a further sheet per 24 circuits), drawn as Chinese
electrical drawings are: the incoming line with its breaker and cable designation on the
left, the busbar, and one row per circuit with its phase, meter, RCBO and outgoing cable,
length, space and request; the boxes of the bank are framed; the title block is that of the
layout sheets. Symbols follow GB/T 4728 (circuit breaker: a contact with a cross at its fixed
end; residual-current device: the breaker with an ellipse through its contact; meter: a
rectangle marked Wh), line weights the three grades of GB/T 50786 (busbar 1.0 mm, circuits
0.5 mm, frames 0.25 mm). Text is at least 3.5 mm high (Chinese) and 2.5 mm (digits and Latin)
at A3 (GB/T 50001): 10 pt and 7.5 pt.

The sheets are typeset (:mod:`planner.canvas`): they go into ``approval.pdf`` only.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from planner import tables
from planner.canvas import Canvas, PageCanvas, typeset_page_number
from planner.drawing import PAPER_MM, SheetOptions, draw_title_block, frame_rects
from planner.i18n import Lang, t
from planner.plan import Cable, MeterBox, Plan, RequestOutcome, circuit_number
from planner.rules import Rules
from planner.sheets import CIRCUITS_PER_SHEET, Sheet, drawing_mm, panel_mm, sheet_set
from planner.styles import (
    CJK_PT,
    HEAD_COLOUR,
    HEAVY,
    LATIN_PT,
    MEDIUM,
    STATUS_COLOURS,
    STATUS_NOTE_COLOUR,
    THIN,
)
from planner.typeset import Typeset, Typesetter


def diagram_pages(
    plan: Plan,
    *,
    options: SheetOptions | None = None,
    sheets: list[Sheet] | None = None,
) -> Iterator[Typeset]:
    """Every system diagram sheet of the plan, bank by bank (``CIRCUITS_PER_SHEET`` circuits
    a sheet), under the drawing numbers of :func:`planner.sheets.sheet_set`: each a page to
    typeset, given its page number in the package."""
    opts = options or SheetOptions()
    sheets = sheets if sheets is not None else sheet_set(plan, opts.paper)
    boxes = {b.id: b for b in plan.boxes}
    for s in sheets:
        if s.kind != "diagram" or s.box is None:
            continue
        box = boxes[s.box]
        chunk = list(box.circuits[s.first : s.first + CIRCUITS_PER_SHEET])
        yield functools.partial(
            set_diagram, plan=plan, box=box, circuit_ids=chunk, sheet=s, options=opts
        )


def set_diagram(
    setter: Typesetter,
    number: tuple[int, int],
    *,
    plan: Plan,
    box: MeterBox,
    circuit_ids: Sequence[str],
    sheet: Sheet,
    options: SheetOptions,
) -> None:
    """One sheet of a bank's system diagram on a new A3 page, numbered ``number``."""
    lang = options.lang
    setter.page(PAPER_MM["A3"])
    page = PageCanvas(setter, (0.0, 0.0))
    for x, y, w, h, lw in frame_rects("A3"):
        page.rect(x, y, w, h, lw=lw)
    x, y, w, h = drawing_mm("A3")
    cables = {c.request: c for c in plan.cables}
    reqs = {r.id: r for r in plan.requests}
    part = (sheet.part or 1, sheet.parts or 1)
    _draw(
        PageCanvas(setter, (x, y)), (w, h), box, circuit_ids, sheet.first, cables, reqs, lang, part
    )
    title = f"{t('diagram', lang)} {box.id}" + (f" ({part[0]}/{part[1]})" if part[1] > 1 else "")
    px, py, pw, _ = panel_mm("A3")
    draw_title_block(
        PageCanvas(setter, (px, py)),
        plan,
        width=pw,
        lang=lang,
        scale=None,
        number=sheet.number,
        title=title,
        date=options.date,
    )
    typeset_page_number(setter, number)


COLUMN_MM = {
    "phase": 2.0,
    "circuit": 12.0,
    "breaker": 30.0,
    "meter_short": 62.0,
    "designation": 80.0,
    "length": 126.0,
    "space": 152.0,
    "request": 172.0,
}
"""Where each column of the circuits starts, mm right of the busbar. The request column
leaves 22 mm inside the bank's frame for the request's id (and, under it, the status of a
request not planned, in its short words: 待补件, 待排队)."""
UNDER_MM = 1.5
"""How far under its circuit's line the second line of text hangs (the RCBO's rating, the
laying methods): clear of the breaker's cross, which reaches 1 mm under it."""


def _draw(  # noqa: PLR0917 - one private drawing step
    ax: Canvas,
    size: tuple[float, float],
    box: MeterBox,
    circuit_ids: Sequence[str],
    first: int,
    cables: dict[str, Cable],
    reqs: dict[str, RequestOutcome],
    lang: Lang,
    sheet: tuple[int, int],
) -> None:
    w, h = size
    top = h - 28.0
    row = 9.5  # two lines of text a circuit, the lower one 3.5 mm; 24 rows clear the legend
    bus_x = 62.0
    rows = max(len(circuit_ids), 1)
    bottom = top - rows * row
    ax.text(4, h - 6, f"{t('diagram', lang)}  {box.id}", size=CJK_PT * 1.4, va="top")
    _incoming(ax, box, lang, y_in=top - row / 2, bus=(bus_x, bottom, top))
    # headings: Chinese at 3.5 mm (the least legible height on A3); English at the texts'
    # size, as "Phase" at 3.5 mm ran into the next column's "Circuit" 10 mm on; all on
    # one baseline (aligned by their boxes' bottoms, "Length" stood above "Cable")
    head_pt = CJK_PT if lang == "zh" else LATIN_PT
    for key, x in COLUMN_MM.items():
        ax.text(bus_x + x, top + 6.7, t(key, lang), size=head_pt, colour=HEAD_COLOUR)
    ax.line([bus_x, w - 4], [top + 4.5, top + 4.5], lw=THIN)
    for i, rid in enumerate(circuit_ids):
        y = top - (i + 0.5) * row
        _circuit(ax, bus_x, y, first + i, rid, cables.get(rid), reqs.get(rid), lang)
    _bank_outlines(ax, box, first, len(circuit_ids), top=top, row=row, bus_x=bus_x, w=w)
    legend = t("diagram_legend", lang)
    ax.text(4, 6, legend, size=CJK_PT, va="bottom")
    ax.text(w - 4, 2, f"{sheet[0]} / {sheet[1]}", size=LATIN_PT, ha="right", va="bottom")


def _incoming(
    ax: Canvas, box: MeterBox, lang: Lang, *, y_in: float, bus: tuple[float, float, float]
) -> None:
    """The bus bar and the incoming supply: breaker, cable and the bank's loads."""
    bus_x, bottom, top = bus
    ax.line([bus_x, bus_x], [bottom, top + 4], lw=HEAVY)
    ax.line([6, bus_x], [y_in, y_in], lw=MEDIUM)
    _breaker(ax, 30, y_in, rcd=False)
    breaker = f"{box.incoming_breaker_a:g}A/3P" if box.incoming_breaker_a else "—"
    ax.text(6, y_in + 10, f"{t('incoming', lang)}", size=CJK_PT, va="bottom")
    ax.text(6, y_in + 5, box.incoming_cable or "—", size=LATIN_PT, va="bottom")
    ax.text(24, y_in - 1.5, breaker, size=LATIN_PT, va="top")
    ax.text(
        6,
        y_in - 8,
        f"Pe={box.connected_kw:g}kW  Ip={box.ip_a:.1f}A",
        size=LATIN_PT,
        va="top",
    )
    ax.text(
        6,
        y_in - 14,
        "A/B/C " + "/".join(f"{box.phase_kw.get(p, 0):g}" for p in "ABC") + " kW",
        size=LATIN_PT,
        va="top",
    )
    ax.text(6, y_in - 19, f"3~ 380/220V  {box.demand_kw:g}kW", size=LATIN_PT, va="top")
    if box.incoming_cable is None:  # no breaker or cable in range: the bank must be split
        over = t("supply_over_range", lang, amps=tables.INCOMING_BREAKERS_A[-1])
        size = CJK_PT if lang == "zh" else LATIN_PT
        for k, words in enumerate(over.split("\n")):
            ax.text(
                6, y_in - 25 - 5 * k, words, size=size, va="top", colour=STATUS_COLOURS["blocked"]
            )


def _bank_outlines(
    ax: Canvas,
    box: MeterBox,
    first: int,
    count: int,
    *,
    top: float,
    row: float,
    bus_x: float,
    w: float,
) -> None:
    """Each box of the bank around the circuits of this sheet it holds (dashed), named
    AW<n> with its size."""
    start = 0
    for n, size in enumerate(box.box_sizes):
        lo, hi = max(start, first), min(start + size, first + count)
        if lo < hi:
            y0 = top - (hi - first) * row
            y1 = top - (lo - first) * row
            # half a millimetre under its rows: clear of the first circuit's RCD ellipse
            # above and of the last circuit's second line of text below
            ax.rect(bus_x - 4, y0 - 0.25, w - bus_x, y1 - y0 - 0.5, lw=THIN, dashes=(6, 3))
            # by the frame's lower left corner, left of the busbar: clear of the circuits'
            # texts however long a request's id is, and below the incoming line
            ax.text(
                bus_x - 5, y0 + 1, f"AW{n + 1} ({size})", size=LATIN_PT, ha="right", va="bottom"
            )
        start += size


def _circuit(  # noqa: PLR0917 - one private drawing step
    ax: Canvas,
    bus_x: float,
    y: float,
    index: int,
    rid: str,
    cable: Cable | None,
    req: RequestOutcome | None,
    lang: Lang,
) -> None:
    """One outgoing circuit: phase, number, RCBO, meter, cable and where it goes."""
    col = {key: bus_x + x for key, x in COLUMN_MM.items()}
    ax.line([bus_x, col["length"] - 2], [y, y], lw=MEDIUM)
    _breaker(ax, col["breaker"] + 2, y, rcd=True)
    ax.rect(col["meter_short"], y - 2.5, 10, 5, lw=MEDIUM, fill="white")
    ax.text(col["meter_short"] + 5, y, "Wh", size=LATIN_PT, ha="center", va="center")
    phase = (req.phase or "-") if req else "-"
    provisional = bool(req and req.phase_provisional)
    ax.text(col["phase"], y + 0.6, phase + ("*" if provisional else ""), size=LATIN_PT)
    ax.text(col["circuit"], y + 0.6, circuit_number(index), size=LATIN_PT)
    if cable is not None:  # e.g. C40/2P 30mA A (the RCBO of E1), under its symbol
        ax.text(
            col["breaker"] - 8,
            y - UNDER_MM,
            cable.breaker.replace(" RCBO", ""),
            size=LATIN_PT,
            va="top",
        )
        ax.text(col["designation"], y + 0.6, cable.designation, size=LATIN_PT)
        ax.text(col["designation"], y - UNDER_MM, "/".join(cable.methods), size=LATIN_PT, va="top")
        ax.text(col["length"], y + 0.6, f"{cable.cable_m:.1f} m", size=LATIN_PT)
        ax.text(col["space"], y + 0.6, cable.space, size=LATIN_PT)
    ax.text(col["request"], y + 0.6, rid, size=LATIN_PT)
    if req is not None and req.status != "planned":
        # no circuit line runs under the request's id: the status (Chinese at 3.5 mm, the
        # least legible height on an A3 sheet) may start just under the id
        ax.text(
            col["request"],
            y - 0.3,
            f"({t('deferred_short' if req.status == 'deferred' else req.status, lang)})",
            size=CJK_PT if lang == "zh" else LATIN_PT,
            colour=STATUS_NOTE_COLOUR,
            va="top",
        )


def _breaker(ax: Canvas, x: float, y: float, *, rcd: bool) -> None:
    """GB/T 4728 circuit breaker (07-13-05): an opened contact with a cross at the fixed
    end; with ``rcd`` the residual-current device's ellipse through the contact."""
    ax.line([x - 6, x + 6], [y, y], lw=MEDIUM * 2.2, colour="white")
    ax.line([x - 6, x + 4.5], [y, y + 3.2], lw=MEDIUM)
    ax.line([x + 5, x + 7], [y - 1, y + 1], lw=MEDIUM)
    ax.line([x + 5, x + 7], [y + 1, y - 1], lw=MEDIUM)
    if rcd:
        ax.ellipse(x - 0.5, y + 1.6, 3.0, 4.2, lw=THIN)


def design_notes(plan: Plan, lang: Lang) -> list[str]:
    """设计说明: the basis, the cable, how it is laid, the limits, protection, who lays it,
    and which numbers are unconfirmed; every figure read from the plan's rules."""
    r = plan.rules
    facts = _NoteFacts(
        r=r,
        unconfirmed=[name for _, name, _, desc in type(r).table() if "[unconfirmed" in desc],
        cable="ZR-YJV-0.6/1kV-3×S" if r.insulation == "xlpe" else "ZR-VV-0.6/1kV-3×S",
        sizes="、".join(f"{s:g}" for s in r.conductor_sizes_mm2),
        managed=plan.options.managed,
    )
    return _notes_en(facts) if lang == "en" else _notes_zh(facts)


@dataclass(frozen=True)
class _NoteFacts:
    """What the design notes read from the plan."""

    r: Rules
    unconfirmed: list[str]
    cable: str
    sizes: str
    managed: bool


def _notes_en(f: _NoteFacts) -> list[str]:
    r, cable, sizes, managed, unconfirmed = f.r, f.cable, f.sizes, f.managed, f.unconfirmed
    diversity_en = (
        "no diversity (IEC 60364-7-722.311: every charging point at full load without load "
        "management)"
        if r.diversity == "none"
        else "demand factors of 18D705-2 as quoted by vendors [unconfirmed]"
    )
    return [
        "1 Basis: Lanzhou scheme 二(三)1(1) (one meter box at the centre of each fire "
        "compartment; the owner lays the cable after the box; chargers should not exceed "
        f"{r.charger_cap_kw:g} kW); GB/T 51313-2018; IEC 60364-7-722, 5-52, 4-43, 5-54 "
        "(GB/T 16895); GB 50054-2011; JGJ 16-2008; drawings after GB/T 4728, GB/T 50786, "
        "GB/T 50001.",
        "2 Supply: each box (bank) is fed three-phase 380/220 V; its incoming breaker and "
        "cable ZR-YJV-0.6/1kV-4×S+1×SPE are sized from the heaviest phase (XLPE, method E, "
        "IEC 60364-5-52 B.52.12; PE after IEC 60364-5-54 table 54.2). The feeder to the box "
        "is the utility's design.",
        f"3 Circuits: one per charger, {r.supply_voltage_v:g} V single phase: meter "
        f"5(60)A, RCBO C{r.breaker_a:g}/2P 30 mA type {r.rcd_type} (type A where the charger "
        "detects 6 mA DC, GB/T 18487.1; else type B); Ib <= In <= Iz (IEC 60364-7-722.433, "
        "722.531.2). Meters go to phases A, B, C, each to the least-loaded one.",
        f"4 Cable: {cable}, copper, flame-retardant, S = {sizes} mm²; length = (route + rise "
        f"at the box + rise at the charger) x {1 + r.slack:g}, the box and wall chargers at "
        f"{r.mount_height_m:g} m, floor chargers fed at {r.floor_feed_height_m:g} m.",
        "5 Installation: on the ceiling, in conduit (method "
        f"{r.off_tray_method}) or on a tray (method E) where the route follows an existing "
        f"tray or more than {r.tray_from_cables} cables share a run (within "
        f"{r.share_distance_m:g} m for {r.share_min_length_m:g} m or more); grouping "
        "factors of IEC 60364-5-52 table B.52.17 (row 1 bunched, row 4 one layer on a "
        f"perforated tray), temperature factor of table B.52.14 at {r.ambient_c:g} °C; the "
        "worst segment of each cable decides its ampacity.",
        f"6 Limits: voltage drop at most {r.voltage_drop_limit_pct:g} % from the box "
        f"(rho {r.resistivity_ohm_mm2_per_m:g} ohm·mm²/m, x {r.reactance_ohm_per_m:g} ohm/m, "
        "IEC 60364-5-52 Annex G); the breaker must trip magnetically on a fault at the "
        f"charger: cable <= {r.short_circuit_factor:g} U S / (2 rho Ia), Ia = "
        f"{r.magnetic_trip_multiple:g} In. A cable that cannot meet them at any size is "
        "refused: a second box nearer the space is the remedy.",
        f"7 Demand: {diversity_en}; the compartment's demand is 3 x the heaviest phase; "
        "requests join first come, first served while it stays within the capacity."
        + (
            " Managed charging: a load-management system limits each phase to capacity/3; "
            "each charger is guaranteed at least 1.32 kW (6 A, IEC 61851-1)."
            if managed
            else ""
        ),
        "8 Installation work: the cable after the box is laid by the owner's qualified "
        "installer at the owner's cost (表箱后线缆由用户自行敷设); supports, conduit and "
        "trays of non-combustible material; fire-stop every wall or slab crossed; the "
        f"box hangs on a column or wall face at {r.mount_height_m:g} m, never toward a "
        "parking space.",
        "9 Unconfirmed figures (quoted, not read from the standard): "
        + ", ".join(unconfirmed)
        + "; and the tables of planner.tables marked so.",
    ]


def _notes_zh(f: _NoteFacts) -> list[str]:
    r, cable, sizes, managed, unconfirmed = f.r, f.cable, f.sizes, f.managed, f.unconfirmed
    diversity_zh = (
        "不计同时系数（IEC 60364-7-722.311：无负荷管理时每个充电点按满负荷计）"
        if r.diversity == "none"
        else "按18D705-2需用系数（厂商引用值，未经核实）"
    )
    return [
        "1．设计依据：《兰州市既有居民小区电动汽车充电设施建设方案》二(三)1(1)（以防火分区为界，"
        "在每个防火分区中心位置装设表箱，表箱后线缆由用户自行敷设，充电桩容量不宜超过"
        f"{r.charger_cap_kw:g}千瓦）；GB/T 51313-2018；IEC 60364-7-722、5-52、4-43、5-54"
        "（GB/T 16895）；GB 50054-2011；JGJ 16-2008；制图依据 GB/T 4728、GB/T 50786、GB/T 50001。",
        "2．供电：每处表箱（表箱组）三相四线380/220V进线，进线断路器及进线电缆"
        "ZR-YJV-0.6/1kV-4×S+1×SPE按最大相负荷选择（交联聚乙烯，敷设方式E，IEC 60364-5-52 "
        "表B.52.12；PE按IEC 60364-5-54表54.2）。电源至表箱的线路由供电企业另行设计。",
        f"3．回路：每个充电桩一个{r.supply_voltage_v:g}V单相回路，单相电能表5(60)A，剩余电流动作"
        f"断路器C{r.breaker_a:g}/2P 30mA {r.rcd_type}型（充电桩具备6mA直流检测时为A型，"
        "GB/T 18487.1；否则B型）；满足Ib≤In≤Iz（IEC 60364-7-722.433、722.531.2）。"
        "电能表按登记顺序接入负荷最小的一相（A、B、C）。",
        f"4．电缆：{cable}铜芯阻燃电缆，S取{sizes}mm²；长度=（路径+表箱处竖向+充电桩处竖向）×"
        f"{1 + r.slack:g}，表箱及壁挂式充电桩安装高度{r.mount_height_m:g}m，"
        f"落地式充电桩按{r.floor_feed_height_m:g}m计。",
        f"5．敷设：沿顶板穿管敷设（方式{r.off_tray_method}）；沿既有桥架或多于{r.tray_from_cables}根"
        f"电缆共用的路段（相距{r.share_distance_m:g}m以内且长度不小于{r.share_min_length_m:g}m）"
        "按桥架敷设（方式E）；成组校正系数按IEC 60364-5-52表B.52.17（第1行成束，第4行有孔托盘"
        f"单层），环境温度{r.ambient_c:g}°C按表B.52.14校正；每根电缆按最不利路段确定载流量。",
        f"6．限值：表箱至充电桩电压降不大于{r.voltage_drop_limit_pct:g}%"
        f"（ρ={r.resistivity_ohm_mm2_per_m:g}Ω·mm²/m，x={r.reactance_ohm_per_m:g}Ω/m，"
        "IEC 60364-5-52附录G）；末端单相短路时断路器应瞬时脱扣：电缆长度≤"
        f"{r.short_circuit_factor:g}·U·S/(2ρ·Ia)，Ia={r.magnetic_trip_multiple:g}In。"
        "任何截面均不能满足时不予布置，应在车位附近增设表箱。",
        f"7．负荷：{diversity_zh}；防火分区需用负荷按最大相负荷的3倍计；按登记先后接入，"
        "不超过该分区可供容量。"
        + (
            "采用智能有序充电：负荷管理系统按每相容量的1/3限载，每桩保证不低于1.32kW"
            "（6A，IEC 61851-1）。"
            if managed
            else ""
        ),
        "8．施工：表箱后线缆由用户自行委托有资质的施工单位敷设并承担费用；支架、管材及桥架采用"
        "不燃材料，穿越墙体、楼板处做防火封堵；表箱安装在柱面或墙面，底边距地"
        f"{r.mount_height_m:g}m，不得朝向车位。",
        "9．未经核实的数据（引自第三方资料，未查阅标准原文）："
        + "、".join(unconfirmed)
        + "；以及 planner.tables 中标注者。",
    ]
