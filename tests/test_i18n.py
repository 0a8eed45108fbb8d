"""The planner's refusals read in Chinese in a Chinese desk (issue 14 item 7)."""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from planner.errors import PlannerError
from planner.i18n import _catalogue, error_text, message_text
from planner.plan import PlanOptions, check_box_positions, make_plan
from planner.readers import read_site
from planner.samples import sample_path
from planner.session import (
    load_upload,
    parse_corners,
    with_capacities,
    with_compartment,
    with_requests,
)
from planner.writers import write_outputs

# words that stay Latin in a Chinese message: file kinds, program names, field names
KEPT = {
    "DWG", "DXF", "CAD", "GeoJSON", "IMDF", "TArch", "AutoCAD", "AUDIT", "RECOVER", "UTF",
    "CSV", "Excel", "FeatureCollection", "Feature", "Polygon", "kind", "compartment", "geojson",
    "json", "dxf", "dwg", "zip", "plan", "project", "id", "space", "charger_kw", "kW", "AC1xxx",
    "crs", "units", "properties", "features", "box_positions", "options", "rules",
}  # fmt: skip


def _latin(text: str, *allowed: str) -> set[str]:
    """The Latin words of ``text`` that are neither kept names nor the input's own ids
    (ids with digits, like FQ1 or B1-Z001, never count)."""
    words = set(re.findall(r"(?<![\w-])[A-Za-z_]{3,}(?![\w-])", text))
    return words - KEPT - set(allowed)


def _refusal(make: Callable[[], Any]) -> PlannerError:
    with pytest.raises(PlannerError) as caught:
        make()
    return caught.value


def test_a_moved_box_refused_in_chinese_names_box_position_and_fix() -> None:
    site = read_site(sample_path("a"))
    exc = _refusal(lambda: check_box_positions(site, PlanOptions(box_positions={"FQ1": (200, 10)})))
    zh = error_text(exc, "zh")
    assert zh == (
        "表箱 FQ1-BX：位置（200.00, 10.00）在防火分区 FQ1 之外。"
        "改正：请给出该分区内的位置（电缆不出本防火分区）。"
    )
    assert error_text(exc, "en") == str(exc)  # the English desk and the CLI keep the text
    plan = make_plan(site)
    column = next(o for o in site.obstacles if o.type == "column")
    inside = column.geometry.centroid
    exc = _refusal(
        lambda: check_box_positions(
            site, PlanOptions(box_positions={plan.boxes[0].compartment: (inside.x, inside.y)})
        )
    )
    zh = error_text(exc, "zh")
    assert "柱" in zh
    assert "内部" in zh
    assert not _latin(zh)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: load_upload("plan.pdf", b"%PDF"), "不是本版本能读取的文件"),
        (lambda: parse_corners("1,2; x"), "角点“x”不是 x,y 形式"),
        (lambda: parse_corners("1,2; 3,4"), "至少需要三个角点"),
        (
            lambda: with_capacities(read_site(sample_path("a")), {"FQ1": "abc"}),  # type: ignore[dict-item]
            "容量 'abc' kW 不是 0 至 100,000 之间的数",
        ),
        (
            lambda: with_compartment(
                read_site(sample_path("a")),
                level="B1",
                ident="FQ1",
                corners=[(0, 0), (1, 0), (1, 1)],
                capacity_kw=None,
                replace=(),
            ),
            "防火分区“FQ1”已存在",
        ),
        (lambda: load_upload("old.dwg", b"AC1009" + bytes(200)), "早于 R13"),
        (lambda: load_upload("x.dwg", b"not a drawing at all"), "不是 DWG 图纸"),
    ],
)
def test_what_the_desk_refuses_reads_in_chinese(make: Callable[[], Any], expected: str) -> None:
    zh = error_text(_refusal(make), "zh")
    assert expected in zh
    assert "Fix" not in zh
    assert not _latin(zh, "abc", "pdf", "old"), zh


def test_a_planned_file_uploaded_as_a_site_says_so_in_chinese(tmp_path: Path) -> None:
    write_outputs(make_plan(read_site(sample_path("a"))), tmp_path, formats=("geojson",))
    data = (tmp_path / "plan.geojson").read_bytes()
    zh = error_text(_refusal(lambda: load_upload("plan.geojson", data)), "zh")
    assert zh.startswith("这是规划工具输出的规划结果")
    assert "project.geojson" in zh
    assert not _latin(zh, "cable", "finding", "meter_box", "tray_run")


def test_a_file_s_problems_are_listed_in_chinese_one_per_line() -> None:
    site = read_site(sample_path("a"))
    rows: list[dict[str, Any]] = [
        {"id": "Q1", "space": site.spaces[0].id, "charger_kw": "abc"},
        {"id": "Q2", "space": site.spaces[1].id, "charger_kw": 7, "registered": "someday"},
    ]
    exc = _refusal(lambda: with_requests(site, rows))
    lines = error_text(exc, "zh").splitlines()
    assert lines[0] == "场地文件中有 2 处错误："  # the rows are read with the site
    assert lines[1].startswith("  - 登记表（CSV）第 2 行（申请编号“Q1”）：属性 charger_kw 的值")
    assert "改正：请以千瓦为单位填写充电桩功率" in lines[1]
    assert "第 3 行" in lines[2]
    assert "ISO" in lines[2]
    for line in lines:
        assert not _latin(line, "abc", "someday", "ISO", "registered"), line


def test_geojson_problems_in_chinese() -> None:
    text = sample_path("a").read_text(encoding="utf-8")
    broken = text.replace('"kind":"level"', '"kind":"levle"', 1)
    exc = _refusal(lambda: load_upload("a.geojson", broken.encode()))
    zh = error_text(exc, "zh")
    assert zh.startswith("场地文件中有")
    assert "改正：" in zh
    assert not _latin(zh, "levle", "level", "site"), zh


def test_a_message_the_catalogue_lacks_stays_whole_in_english() -> None:
    text = "something new went wrong. Fix: do the new thing."
    assert message_text(text, "zh") == "something new went wrong. 改正：do the new thing."
    assert message_text(text, "en") == text


def test_every_catalogue_entry_uses_only_its_own_parts() -> None:
    for part in ("message", "fix"):
        for pattern, zh in _catalogue(part):
            fields = {f for _, f, _, _ in string.Formatter().parse(zh) if f is not None}
            allowed = {f"{p}{i}" for p in ("", "w", "f") for i in range(pattern.groups)}
            assert fields <= allowed, (pattern.pattern, zh)
            assert "Fix" not in zh, zh
            assert re.search(r"[\u4e00-\u9fff]", zh), zh


def test_a_request_s_reasons_read_in_one_language() -> None:
    from planner.session import reason_rows

    plan = make_plan(read_site(sample_path("a")))
    blocked = next(r for r in plan.requests if r.status != "planned")
    zh = reason_rows(plan, blocked.id, "zh")
    en = reason_rows(plan, blocked.id, "en")
    assert set(zh[0]) == {"规则", "代码", "原因", "依据", "级别"}
    assert {row["级别"] for row in zh} <= {"错误", "提示", "说明"}
    assert [row["Severity"] for row in en] == [x.severity for x in blocked.reasons]
