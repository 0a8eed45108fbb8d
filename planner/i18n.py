"""Words on drawings and documents, in Chinese (default) and English."""

from __future__ import annotations

import functools
import re
import tomllib
from importlib import resources
from typing import Literal

from planner.errors import Problem, SiteError, printable
from planner.findings import Reason
from planner.fonts import has_cjk
from planner.privacy import mask_text

Lang = Literal["zh", "en"]

WORDS: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "planned": ("可建设", "planned"),
    "pending": ("待补件", "pending"),
    "deferred": ("容量不足待排队", "deferred"),
    # "deferred" in a system diagram's 22 mm request column (its legend says 待补件/排队)
    "deferred_short": ("待排队", "deferred"),
    # under a system diagram's incoming supply when no breaker covers it (E5 finding)
    "supply_over_range": (
        "进线超过{amps:g}A，\n须拆分表箱组",
        "over {amps:g} A per phase:\nsplit the bank",
    ),
    "blocked": ("不可建设", "blocked"),
    "unrequested": ("未申请车位", "stall, no request"),
    "meter_box": ("表箱", "meter box"),
    "cable": ("电缆路径", "cable route"),
    "tray": ("既有桥架", "existing tray"),
    "column": ("柱", "column"),
    "wall": ("墙", "wall"),
    "shaft": ("楼梯间/电梯井", "stair/lift shaft"),
    "ramp": ("坡道", "ramp"),
    "room": ("设备用房", "room"),
    "other": ("其他障碍", "other obstacle"),
    "compartment": ("防火分区", "fire compartment"),
    "legend": ("图例", "Legend"),
    "north": ("北", "N"),
    "scale": ("比例", "Scale"),
    "no_scale": ("不按比例", "not to scale"),
    "diagram": ("配电系统图", "Distribution system diagram"),
    "notes": ("设计说明", "Design notes"),
    "incoming": ("进线", "Incoming"),
    "circuit": ("回路编号", "Circuit"),
    "meter_short": ("电能表", "Meter"),
    "length": ("长度", "Length"),
    "diagram_legend": (
        "图例：断路器带剩余电流保护（RCBO）  Wh 单相电能表 5(60)A  * 暂定相别（待补件/排队）  "
        "虚线框：表箱 AW",
        "Legend: RCBO (breaker with RCD)   Wh single-phase meter 5(60)A   * provisional phase "
        "(pending/deferred)   dashed frame: box AW",
    ),
    "title": ("电动汽车自用充电桩表箱及线缆布置图", "EV charger meter box and cable layout"),
    "community": ("小区", "Community"),
    "site": ("项目", "Site"),
    "level": ("楼层", "Level"),
    "date": ("日期", "Date"),
    "revision": ("版本", "Revision"),
    "surveyor": ("勘察人", "Surveyor"),
    "rules_version": ("规则版本", "Rules"),
    "seal": ("物业服务企业（盖章）", "Property office (seal)"),
    "sign_property": ("物业负责人签字", "Property manager (signature)"),
    "sign_surveyor": ("勘察人签字", "Surveyor (signature)"),
    "meters": ("表位", "meters"),
    "connected": ("接入", "connected"),
    "demand": ("需用", "demand"),
    "capacity": ("容量", "capacity"),
    "unknown": ("未知", "unknown"),
    "schedule": ("申请明细表", "Request schedule"),
    "bom": ("主要材料设备表", "Bill of materials"),
    "cost": ("费用估算(元)", "est. cost CNY"),
    "tray_m": ("桥架长度", "on tray m"),
    "conduit_m": ("穿管长度", "conduit m"),
    "costs": ("用户费用估算表", "Owners' cost estimate"),
    "bom_level": ("楼层", "Level"),
    "bom_item": ("名称", "Item"),
    "bom_spec": ("规格型号", "Specification"),
    "bom_unit": ("单位", "Unit"),
    "bom_quantity": ("数量", "Quantity"),
    "bom_total": ("合计", "Total"),
    "bom_meter_box": ("电能计量表箱", "meter box"),
    "bom_meter": ("单相电能表", "single-phase meter"),
    "bom_rcbo": ("剩余电流保护断路器", "RCBO"),
    "bom_incoming_breaker": ("进线断路器", "incoming breaker"),
    "bom_incoming_cable": ("进线电缆（长度现场确定）", "incoming cable (length on site)"),
    "bom_owner_cable": ("用户电缆", "owners' cables"),
    "bom_conduit": ("穿线钢管", "conduit"),
    "bom_tray": ("电缆桥架", "cable tray"),
    "unit_piece": ("台", "pcs"),
    "unit_set": ("套", "sets"),
    "unit_m": ("米", "m"),
    "cost_cable": ("电缆费", "cable"),
    "cost_conduit": ("穿管费", "conduit"),
    "cost_tray": ("桥架分摊", "tray share"),
    "cost_total": ("合计（元）", "total (CNY)"),
    "cost_note": (
        "价格为估算值（见价格表来源），以实际采购价为准；桥架费用按每段桥架上的电缆根数均摊（含预留）。",
        "Prices are estimates (see the price table's sources); the actual purchase decides. "
        "Each tray run's cost is shared equally by the cables on it (reserve included).",
    ),
    "tray_run": ("新建电缆桥架", "planned cable tray"),
    "checklist": ("规则核查表", "Rule checklist"),
    "no": ("序号", "No."),
    "request": ("申请编号", "Request"),
    "space": ("车位", "Space"),
    "applicant": ("申请人", "Applicant"),
    "status": ("状态", "Status"),
    "reasons": ("原因", "Reasons"),
    "cable_m": ("电缆长度 m", "Cable m"),
    "conductor": ("导线 mm²", "Conductor mm²"),
    "vdrop": ("压降 %", "V-drop %"),
    "designation": ("电缆型号", "Cable"),
    "methods": ("敷设方式", "Laid"),
    "grouping": ("校正系数", "Grouping"),
    "phase": ("相别", "Phase"),
    "breaker": ("保护电器", "Protection"),
    "box": ("表箱", "Box"),
    "tariff": ("电价类别", "Tariff"),
    "tariff_direct": ("居民个人充电桩", "residential private charger"),
    "tariff_non_direct": ("由电力设施产权单位确定", "set by the facility owner"),
    "rule": ("规则", "Rule"),
    "outcome": ("结论", "Outcome"),
    "rule_name": ("规则名称", "Rule"),
    "cable_planned": ("可建设回路", "approved circuit"),
    "cable_pending": ("暂定回路（待补件）", "provisional (pending)"),
    "cable_deferred": ("暂定回路（排队）", "provisional (deferred)"),
    "charger": ("充电桩", "charger"),
    "conduit": ("穿钢管敷设 SC", "in steel conduit (SC)"),
    "grid_line": ("轴线", "grid line"),
    "match_line": ("接续线 见", "match line, see"),
    "area_plan": ("分区平面图", "area plan"),
    "key_plan": ("索引图", "key plan"),
    "layout_plan": ("充电设施平面布置图", "charging layout plan"),
    "notes_title": ("说明", "Notes"),
    "more_notes": ("另有{n}条说明见申请明细表", "{n} more notes: see the schedule"),
    "kw_columns": ("kW 接入/需用/容量", "kW conn./demand/cap."),
    "project": ("工程名称", "Project"),
    "drawing_title": ("图名", "Title"),
    "drawing_no": ("图号", "Drawing"),
    "designer": ("设计", "Designed"),
    "checker": ("校对", "Checked"),
    "reviewer": ("审核", "Reviewed"),
    "approver": ("审定", "Approved"),
    "signature": ("签字", "Signature"),
    "countersign": ("会签", "Countersigned"),
    "sign_utility": ("供电企业", "Utility"),
    "cover": ("图纸目录", "Drawing index"),
    "show_stall_ids": ("显示车位编号", "show stall ids"),
    "app_site": ("场地", "Site"),
    "app_source": ("来源", "Source"),
    "app_sample": ("示例", "Sample"),
    "app_upload": ("上传", "Upload"),
    "app_sample_site": ("示例场地", "Sample site"),
    "app_site_file": (
        "场地文件（GeoJSON、DXF、DWG、IMDF zip 或 project.geojson）",
        "Site file (GeoJSON, DXF, DWG, IMDF zip or project.geojson)",
    ),
    "app_csv_file": ("申请表 CSV（可选）", "Requests CSV (optional)"),
    "app_options": ("参数", "Options"),
    "app_routing": ("布线", "Routing"),
    "app_rectilinear": ("直角", "rectilinear"),
    "app_euclidean": ("最短", "euclidean"),
    "app_placement": ("表箱位置", "Box placement"),
    "app_clearance": ("净距 m", "Clearance m"),
    "app_slack": ("余量 %", "Slack %"),
    "app_vdrop": ("压降限值 %", "Voltage drop limit %"),
    "app_managed": ("智能有序充电", "Managed charging"),
    "app_trunk": ("桥架", "Tray"),
    "app_trunk_shared": ("共用桥架", "shared"),
    "app_trunk_none": ("各自敷设", "each its own"),
    "app_reserve": ("预留", "Build-out reserve"),
    "app_all": ("全部", "all"),
    "app_capacities": ("调整容量 (kW)", "Capacities (kW)"),
    "app_move_box": ("移动表箱", "Move a meter box"),
    "app_position": ("位置", "Position"),
    "app_face": ("柱/墙", "column or wall"),
    "app_xy": ("坐标", "coordinates"),
    "app_move": ("移动并重新布线", "Move and re-route"),
    "app_reset": ("恢复", "Reset"),
    "app_downloads": ("下载", "Downloads"),
    "app_project_file": (
        "项目文件 project.geojson（保存后可重新打开）",
        "Project file project.geojson (save, reopen later)",
    ),
    "app_prepare": ("生成下载文件", "Prepare files"),
    "app_stale_files": ("参数已变化，请重新生成", "Options changed: prepare the files again"),
    "unmatched": (
        "{n} / {total} 条申请的车位在场地中不存在：{rows}",
        "{n} of {total} requests name a space the site does not have: {rows}",
    ),
    "csv_without_site": (
        "申请表 CSV 需要对应的场地文件：请先上传场地文件（GeoJSON、DXF、DWG 或 IMDF）。",
        "A requests CSV needs its site: upload the site file (GeoJSON, DXF, DWG or IMDF) first.",
    ),
    "stale_plan": (
        "下图为上一次的规划，与当前输入不符；请先修正上面的问题。",
        "The plan below is the previous one and does not match the inputs: fix the problem "
        "above first.",
    ),
    "complete_site": ("补全场地信息", "Complete the site"),
    "to_complete": (
        "该场地尚缺以下信息（在“补全场地信息”中填写）：",
        "The site still lacks (fill it in under “Complete the site”):",
    ),
    "apply": ("应用", "Apply"),
    "draw_compartment": (
        "**绘制防火分区**（按角点坐标，图纸坐标）",
        "**Draw a compartment** (corners, in the drawing's coordinates)",
    ),
    "corners": ("角点 x1,y1; x2,y2; x3,y3 …", "corners x1,y1; x2,y2; x3,y3 ..."),
    "replace": ("替换的防火分区", "compartments it replaces"),
    "add_compartment": ("添加防火分区", "Add the compartment"),
    "answers_file": (
        "或上传补充信息文件（answers.toml，与 planner convert --answers 相同）",
        "Or upload the answers (answers.toml, as for planner convert --answers)",
    ),
    "use_answers": ("应用补充信息", "Apply the answers"),
    "app_placement_centre": ("分区中心（柱面或墙面）", "centre (column or wall face)"),
    "app_placement_centroid": ("分区形心", "centroid"),
    "app_placement_column": ("中心附近的柱", "column near the centre"),
    "app_placement_min-cable": ("线缆总长最短", "least cable"),
    "choose": ("请选择", "Choose"),
    "compartment_layer": (
        "或上传防火分区图层（GeoJSON 或 DXF/DWG，与场地同一坐标）",
        "or upload a compartment layer (GeoJSON or DXF/DWG, in the site's coordinates)",
    ),
    "selection_taken": (
        "所选区域已填入“绘制防火分区”的角点，请补充编号后添加。",
        "The selected area is in the compartment's corners below: give it an id and add it.",
    ),
    "use_layer": ("用此图层替换该楼层的防火分区", "Replace this level's compartments with it"),
    "edit_requests": ("编辑申请", "Edit requests"),
    "unassigned": (
        "{n} 个车位不在任何防火分区内：{ids}",
        "{n} spaces are in no fire compartment: {ids}",
    ),
    "pages": ("页码", "Page"),
    "paper": ("图幅", "Paper"),
    "sheet": ("图号", "Sheet"),
    "registered": ("登记时间", "Registered"),
    "queue": ("排队序号", "Queue"),
    "charger_kw": ("充电桩功率 kW", "Charger kW"),
    "deciding": ("决定性原因（规则、依据）", "Deciding reason (rule, clause)"),
    "route_m": ("路径长度 m", "Route m"),
    "totals": ("合计", "totals"),
    "total_of": ("合计项", "Total by"),
    "total_item": ("名称", "Item"),
    "circuits_n": ("回路数", "Circuits"),
    "subjects": ("涉及对象", "Concerns"),
    "found": ("核查发现", "Found"),
    "clause": ("依据", "Source"),
    "passed": ("通过", "passed"),
    "failed": ("不通过", "failed"),
    "advice": ("提示", "advice"),
    "not_applicable": ("不适用", "not applicable"),
    "page": ("第 {n} 页", "page {n}"),
    "see_schedule": ("详见申请明细表", "details in the schedule"),
    "none": ("无", "none"),
    "code": ("代码", "Code"),
    "severity": ("级别", "Severity"),
    "severity_error": ("错误", "error"),
    "severity_warning": ("提示", "warning"),
    "severity_info": ("说明", "info"),
    "box_placement": ("布置方式", "placement"),
    "box_mount": ("安装于", "mount"),
    "box_offset": ("距分区中心 m", "offset from centre m"),
    "box_sizes": ("表箱规格（表位）", "box sizes (meters)"),
    "phase_kw": ("各相功率 kW A/B/C", "phase kW A/B/C"),
    "phase_a": ("各相电流 A A/B/C", "phase current A A/B/C"),
    "unbalance": ("三相不平衡度", "unbalance"),
    "incoming_breaker": ("进线断路器 A", "incoming breaker A"),
    "incoming_cable": ("进线电缆", "incoming cable"),
    "spare": ("尚可接入充电桩", "spare chargers"),
    "placed_centre": ("分区中心（柱/墙面）", "centre"),
    "placed_centroid": ("分区形心", "centroid"),
    "placed_interior_point": ("分区内点", "interior point"),
    "placed_column": ("柱", "column"),
    "placed_wall": ("墙", "wall"),
    "placed_min_cable": ("线缆最短", "least cable"),
    "placed_manual": ("手动", "manual"),
}

CODE_WORDS: dict[str, tuple[str, str]] = {
    "FIRE_FACILITIES_MISSING": ("消防设施不全，不得配建充电设施", "fire systems missing"),
    "GARAGE_TYPE_ASSUMED": ("未注明车库类型，按地下车库核查", "garage type assumed underground"),
    "LEVEL_TOO_DEEP": ("楼层过深（宜设在首层或地下一层）", "level too deep"),
    "LEVEL_BELOW_B1": ("位于地下一层以下（宜）", "below B1"),
    "COMPARTMENT_AREA_OVER_LIMIT": ("防火分区面积超限，请核对", "compartment area over limit"),
    "FIRE_UNIT_OVER_LIMIT": ("超出充电区防火单元建议面积", "fire unit over advised area"),
    "MIN_CABLE_SAVING": ("最短线缆布置节省长度", "min-cable saving"),
    "BOX_MOVED": ("表箱人工调整位置", "meter box moved by hand"),
    "SPACE_UNKNOWN": ("车位不存在", "space unknown"),
    "SPACE_OUTSIDE_COMPARTMENT": ("车位跨防火分区", "space outside any compartment"),
    "CHARGER_MOVED": ("充电桩位置移入本分区", "charger moved into the compartment"),
    "CHARGER_OVER_CAP": ("功率超过7千瓦", "over the 7 kW cap"),
    "NO_ROUTE": ("分区内无可行线缆路径", "no cable route"),
    "VOLTAGE_DROP_OVER_LIMIT": ("电压降超限，须在车位附近增设表箱", "voltage drop over limit"),
    "SHORT_CIRCUIT_REACH": (
        "线路过长，末端短路时断路器不能瞬时脱扣，须在车位附近增设表箱",
        "beyond the breaker's short-circuit reach",
    ),
    "AMPACITY_INSUFFICIENT": ("载流量不足", "ampacity insufficient"),
    "LONG_RUN": ("线缆过长", "long cable run"),
    "PHASE_LOADS": ("三相负荷分配", "phase loads"),
    "TRAY_BUNCHED": ("桥架内电缆超过一层", "tray holds more than one layer"),
    "BUILD_OUT": ("远期全部建设所需", "what the full build-out needs"),
    "BUILD_OUT_OVER_CAPACITY": ("远期全部建设超过分区容量", "build-out over capacity"),
    "BOX_SUPPLY_OVER_RANGE": ("表箱进线超过250A，须拆分表箱组", "box supply over 250 A"),
    "BOX_MOUNT_FALLBACK": ("表箱安装面紧邻车位", "box mounted beside a stall"),
    "MANAGED_MINIMUM": ("有序充电每桩功率低于1.32kW，排队等候", "managed share below minimum"),
    "CAPACITY_IF_COMPLETED": ("补齐材料后的容量预判", "capacity if completed"),
    "COMPARTMENT_OVER_CAPACITY": ("分区容量已满，按登记顺序排队", "compartment capacity taken"),
    "CAPACITY_UNKNOWN": ("分区供电容量未知", "capacity unknown"),
    "MANAGED_CHARGING": ("智能有序充电", "managed charging"),
    "REGISTRATION_MISSING": ("无登记时间，排在最后", "no registration time"),
    "VOTE_MISSING": ("公共车位须业主表决", "owners' vote missing"),
    "VOTE_FAILED": ("业主表决未通过", "owners' vote failed"),
    "DOCUMENTS_MISSING": ("申请材料不全", "documents missing"),
    "SUPPLY_NON_DIRECT": ("非电网直供电，材料及电价由产权单位确定", "non-direct supply"),
    "CHARGER_CLEARANCE": ("充电桩距车位边缘不足0.4米", "charger close to stall edge"),
    "DUPLICATE_SPACE_REQUEST": ("同一车位重复申请", "duplicate request for the space"),
    "PII_MASKED": ("已隐去身份证号/手机号", "ID/phone number masked"),
}

DOCUMENT_WORDS: dict[str, tuple[str, str]] = {
    "id_document": ("身份证件", "ID document"),
    "parking_certificate": ("车位产权证明", "parking certificate"),
    "property_consent": ("物业同意证明", "property consent"),
    "lease_contract": ("车位租赁合同", "lease contract"),
    "owner_consent": ("车位所有人同意书", "owner's consent"),
}

RULE_TITLES: dict[str, tuple[str, str]] = {
    "R1": ("消防设施（五项）", "Fire systems (all five)"),
    "R2": ("楼层深度", "Level depth"),
    "R3": ("防火分区面积", "Compartment area"),
    "R4": ("充电区防火单元", "Fire unit of charging area"),
    "R5": ("每个防火分区一处表箱", "One meter box per compartment"),
    "R6": ("车位归属防火分区", "Space in one compartment"),
    "R7": ("充电桩功率不超过7千瓦", "Charger at most 7 kW"),
    "R8": ("线缆路径", "Cable routing"),
    "R9": ("线缆长度", "Cable length"),
    "R10": ("导线截面与电压降", "Conductor and voltage drop"),
    "R11": ("需用系数", "Demand factors"),
    "E1": ("回路与保护电器", "Circuit and protective device"),
    "E2": ("电缆型号", "Cable type"),
    "E3": ("敷设方式与载流量", "Installation and ampacity"),
    "E4": ("电压降与短路保护", "Voltage drop and short-circuit reach"),
    "E5": ("三相负荷与需用负荷", "Phases and demand"),
    "E6": ("智能有序充电", "Managed charging"),
    "R12": ("容量，先到先得", "Capacity, first come first served"),
    "R13": ("公共车位业主表决", "Owners' vote on common spaces"),
    "R14": ("申请材料", "Documents"),
    "R15": ("充电桩位置", "Charger position"),
    "R16": ("一位一桩", "One charger per space"),
    "privacy": ("个人信息保护", "Privacy"),
}


def t(key: str, lang: Lang, **fmt: object) -> str:
    """The word for ``key`` in ``lang``."""
    zh, en = WORDS[key]
    text = zh if lang == "zh" else en
    return text.format(**fmt) if fmt else text


def reason_text(r: Reason, lang: Lang) -> str:
    """A reason in words: the engine's message in English, a short phrase in Chinese."""
    if lang == "en":
        return r.message
    zh = CODE_WORDS.get(r.code, (r.code, r.code))[0]
    if r.code == "DOCUMENTS_MISSING":
        parts = []
        for part in r.message.split(";"):
            if part.strip().startswith("missing documents:"):
                names = [d.strip() for d in part.split(":", 1)[1].split(",")]
                parts.append("缺" + "、".join(DOCUMENT_WORDS.get(n, (n, n))[0] for n in names))
            elif "lease term" in part:
                parts.append("租赁期须不少于12个月")
        zh += "：" + "，".join(parts) if parts else ""
    if r.code == "FIRE_FACILITIES_MISSING":  # the systems missing, by their Chinese names
        names = re.findall(r"\(([\u4e00-\u9fff]+)\)", r.message)
        zh += "：缺" + "、".join(names) if names else ""
    if r.code == "CAPACITY_IF_COMPLETED":
        zh += "：可接入" if "would fit" in r.message else "：容量不足"
    return zh


STAGE_WORDS: dict[str, str] = {
    "planning compartments": "规划防火分区",
    "drawing sheets": "绘制图纸",
    "approval.pdf pages": "生成 approval.pdf",
    "owner papers": "生成业主告知书和承诺书",
    "reading": "读取",
}
"""The progress stages (planner.progress) in Chinese."""


COMPLETE_ZH: tuple[tuple[str, str], ...] = (
    (
        r"garage_type of level\(s\) (.+) \(null: planned as underground\)",
        "楼层 {0} 的车库类型（未填：按地下车库核查）",
    ),
    (
        r"the five fire systems of level\(s\) (.+?): .*",
        "楼层 {0} 的五项消防设施（火灾自动报警、排烟、自动喷水灭火、应急照明、疏散指示；"
        "未填：视为缺失，申请不可建设）",
    ),
    (r"capacity_kw of every compartment .*", "各防火分区的供电容量 kW（未填：容量未知，不排队）"),
    (
        r"capacity_kw of compartment\(s\) (.+) \(null.*",
        "防火分区 {0} 的供电容量 kW（未填：容量未知，不排队）",
    ),
    (
        r"floor of level\(s\) (.+) \(null: depth not checked\)",
        "楼层 {0} 的层号（未填：不核查埋深）",
    ),
    (
        r"fire compartments: none in the source.*",
        "图纸中无防火分区，每层暂作一个防火分区；请绘制实际防火分区边界",
    ),
    (r"the site's name, community, supply and surveyor", "项目名称、小区、供电方式和勘察人"),
    (
        r"drawing units \(\$INSUNITS = (.+) is not mm, cm or m\).*",
        "图纸单位（$INSUNITS = {0} 不是 mm、cm 或 m）：暂按毫米；如有误请指定单位",
    ),
    (r"level (.+): no outline layer.*", "楼层 {0}：无车库轮廓图层，暂以图纸范围作为轮廓"),
)
"""The converter's to-complete items (planner.readers.conversion) in Chinese."""


def complete_text(item: str, lang: Lang) -> str:
    """One item of what a converted site still lacks, in ``lang`` (the English text where
    no translation matches)."""
    if lang != "zh":
        return item
    for pattern, zh in COMPLETE_ZH:
        m = re.fullmatch(pattern, item)
        if m:
            return zh.format(*m.groups())
    return item


def stage_text(what: str, lang: Lang) -> str:
    """A progress stage's name in ``lang``."""
    if lang != "zh":
        return what
    if what in STAGE_WORDS:
        return STAGE_WORDS[what]
    head, _, rest = what.partition(" ")
    return f"{STAGE_WORDS[head]} {rest}" if head in STAGE_WORDS else what


def code_title(code: str, lang: Lang) -> str:
    """A finding's code as a short phrase: Chinese words in Chinese, the code in English."""
    return CODE_WORDS.get(code, (code, code))[0] if lang == "zh" else code


def rule_title(rule: str, lang: Lang) -> str:
    """A rule's short title."""
    zh, en = RULE_TITLES.get(rule, (rule, rule))
    return zh if lang == "zh" else en


SOURCE_WORDS: dict[str, str] = {
    "site file": "场地文件",
    "requests CSV": "登记表（CSV）",
    "drawing": "图纸",
    "input": "输入文件",
    "answers (--answers)": "补充信息文件（--answers）",
    "layer map (--layers)": "图层对照表（--layers）",
    "price table": "价格表",
    "parking space": "车位",
    "Polygon": "多边形",
    "MultiPolygon": "多部件多边形",
    "LineString": "线",
    "MultiLineString": "多部件线",
    "Point": "点",
    "polygon": "多边形",
    "line": "线",
    "point": "点",
    "outer ring": "外边界",
    # GEOS's reasons for an invalid geometry (shapely.is_valid_reason), lower-cased
    "self-intersection": "自相交",
    "ring self-intersection": "边界自相交",
    "too few points": "点数过少",
    "hole lies outside shell": "洞在外边界之外",
    "holes are nested": "洞相互嵌套",
    "interior is disconnected": "内部不连通",
    "nested shells": "外边界相互嵌套",
    "duplicate rings": "边界重复",
    "ring is not closed": "边界未闭合",
    "JSON nesting depth of the site file": "场地文件的 JSON 嵌套层数",
    "features in the site file": "场地文件的要素数",
    "rows in the requests CSV (at least)": "登记表的行数（至少）",
    "entities in the drawing (blocks exploded)": "图纸的图元数（块已分解）",
}
"""Names of inputs and counted things in the planner's messages, in Chinese."""


@functools.cache
def _catalogue(part: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The ``[[message]]`` or ``[[fix]]`` entries of templates/messages_zh.toml, each
    English template as a pattern with one group per ``{}``."""
    text = resources.files("planner.templates").joinpath("messages_zh.toml").read_text("utf-8")
    return tuple(
        (re.compile("(.+?)".join(re.escape(p) for p in e["en"].split("{}"))), e["zh"])
        for e in tomllib.loads(text)[part]
    )


def _word(text: str) -> str:
    if text in SOURCE_WORDS:
        return SOURCE_WORDS[text]
    return WORDS[text][0] if text in WORDS else text


def _translate(text: str, part: str) -> str:
    """One part of a message in Chinese, or ``text`` itself where the catalogue lacks it."""
    for pattern, zh in _catalogue(part):
        m = pattern.fullmatch(text)
        if m:
            parts = m.groups()
            words = {f"w{i}": _word(g) for i, g in enumerate(parts)}
            fixes = {f"f{i}": _translate(g, "fix") for i, g in enumerate(parts)}
            return zh.format(*parts, **words, **fixes)
    return text


def _sentence(text: str, part: str) -> str:
    body = text.strip().rstrip(".")
    zh = _translate(body, part)
    return zh + "。" if has_cjk(zh) else zh + ". "


def message_text(text: str, lang: Lang) -> str:
    """A planner message (\"<what is wrong>. Fix: <how>.\") in ``lang``; a part the
    catalogue (templates/messages_zh.toml) lacks stays in English."""
    if lang != "zh":
        return text
    head, sep, fix = text.partition(" Fix: ")
    hint = ""
    if ". Did you mean " in head:
        head, _, close = head.partition(". Did you mean ")
        hint = f"是否想用 {close.rstrip('?.')}？"
    out = _sentence(head, "message") + hint
    return (out + (f"改正：{_sentence(fix, 'fix')}" if sep else "")).rstrip()


def problem_text(p: Problem, lang: Lang) -> str:
    """One problem of an input file, where it is and what to do, in ``lang``."""
    if lang != "zh":
        return str(p)
    where = [SOURCE_WORDS.get(p.source, p.source)]
    if p.index is not None:
        where.append(f"第 {p.index} 行" if "CSV" in p.source else f"第 {p.index} 个要素")
    if p.kind or p.feature_id is not None:
        shown = f"“{p.feature_id}”" if p.feature_id is not None else ""
        where.append(f"（{_word(p.kind or '')}{shown}）")
    text = f"{''.join(where)}：{_sentence(p.message, 'message')}"
    if p.fix:
        text += f"改正：{_sentence(p.fix, 'fix')}"
    return printable(text.rstrip())


def error_text(exc: Exception, lang: Lang) -> str:
    """A refusal of the planner (:class:`~planner.errors.PlannerError`) as the desk shows
    it: in ``lang``, a file's problems one per line; no personal number in it (a file's
    name can hold one)."""
    if lang != "zh":
        return mask_text(str(exc))[0]
    if isinstance(exc, SiteError):
        errors = [p for p in exc.problems if p.severity == "error"]
        head = f"{SOURCE_WORDS.get(exc.source, exc.source)}中有 {len(errors)} 处错误："
        text = "\n".join([head] + [f"  - {problem_text(p, lang)}" for p in errors])
    else:
        text = message_text(str(exc), lang)
    return mask_text(text)[0]


FIELD_WORDS: dict[str, tuple[str, str]] = {
    "id": ("编号", "id"),
    "name": ("名称", "name"),
    "community": ("小区", "community"),
    "supply": ("供电方式", "supply"),
    "surveyor": ("勘察人", "surveyor"),
    "revision": ("版次", "revision"),
    "floor": ("楼层号（-1 = 地下一层）", "floor (-1 = B1)"),
    "garage_type": ("车库类型", "garage type"),
    "ceiling_height_m": ("净高 m", "ceiling height m"),
    "fire_alarm": ("火灾自动报警", "fire alarm"),
    "smoke_exhaust": ("排烟", "smoke exhaust"),
    "sprinklers": ("自动喷水灭火", "sprinklers"),
    "emergency_lighting": ("应急照明", "emergency lighting"),
    "evacuation_signs": ("疏散指示", "evacuation signs"),
    "level": ("楼层", "level"),
    "capacity_kw": ("容量 kW", "capacity kW"),
    "axis_deg": ("布线轴向 °", "routing axis °"),
    "space": ("车位", "space"),
    "charger_kw": ("充电桩功率 kW", "charger kW"),
    "registered": ("登记时间", "registered"),
    "applicant": ("申请人（代称）", "applicant (alias)"),
    "charger_type": ("安装方式", "charger type"),
    "car_brand": ("车辆品牌", "car brand"),
    "lease_months": ("租期（月）", "lease months"),
    "documents": ("申请材料（;分隔）", "documents (; separated)"),
}
"""Column headers of the desk's editors: the site file's property names in words."""


def field_label(name: str, lang: Lang) -> str:
    """An editor's column header for property ``name``."""
    zh, en = FIELD_WORDS.get(name, (name, name))
    return zh if lang == "zh" else en
