"""approval.pdf and the owner papers, read back through their text layer."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from planner.checklist import RULES, checklist
from planner.diagram import diagram_pages
from planner.documents import (
    _bom_pages,
    _checklist_pages,
    _cost_pages,
    _schedule_pages,
    commitment_text,
    wrap,
    write_approval_pdf,
    write_notices,
)
from planner.plan import make_plan
from planner.readers import read_site
from planner.samples import sample_path, sample_requests_path


def _text(path: Path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(path).pages)


@pytest.mark.parametrize("key", ["a", "b"])
def test_approval_pdf_pages_and_text_layer(key: str, tmp_path: Path) -> None:
    site = read_site(sample_path(key), requests=sample_requests_path(key))
    plan = make_plan(site)
    path = tmp_path / "approval.pdf"
    pages = write_approval_pdf(plan, path)
    expected = (  # layout sheets, system diagrams, notes, BOM, schedule, costs, checklist
        len(site.levels)
        + sum(1 for _ in diagram_pages(plan))
        + 1
        + sum(1 for _ in _bom_pages(plan, "zh"))
        + sum(1 for _ in _schedule_pages(plan, "zh"))
        + sum(1 for _ in _cost_pages(plan, "zh"))
        + sum(1 for _ in _checklist_pages(plan, "zh"))
    )
    assert pages == expected == len(PdfReader(path).pages)
    text = _text(path)
    assert site.info.community is not None
    assert site.info.community in text
    assert "表箱" in text
    assert plan.requests[0].space in text
    assert "申请明细表" in text
    assert "主要材料设备表" in text
    assert "用户费用估算表" in text
    assert "规则核查表" in text
    assert "配电系统图" in text
    assert "设计说明" in text
    assert "13912345678" not in text


def test_english_approval_pdf(tmp_path: Path) -> None:
    plan = make_plan(read_site(sample_path("d")))
    path = tmp_path / "approval.pdf"
    write_approval_pdf(plan, path, lang="en")
    text = _text(path)
    for word in ("Legend", "meter box", "Request schedule", "Rule checklist", "planned"):
        assert word in text


def test_checklist_outcomes_follow_the_findings() -> None:
    plan = make_plan(read_site(sample_path("a")))
    rows = {r.rule: r for r in checklist(plan)}
    assert set(rows) == set(RULES)
    assert rows["R7"].outcome == "failed"
    assert rows["R7"].codes == ("CHARGER_OVER_CAP",)
    assert "B1-014" in rows["R7"].subjects
    assert rows["R1"].outcome == "passed"
    assert rows["R16"].outcome == "failed"
    plan_c = make_plan(read_site(sample_path("c")))
    rows_c = {r.rule: r for r in checklist(plan_c)}
    # non-direct supply now checks 附件1 第3条's documents, which (c) supplies
    assert rows_c["R14"].outcome == "passed"
    assert rows_c["R13"].outcome == "not_applicable"  # no common space asked for
    b = make_plan(read_site(sample_path("b"), requests=sample_requests_path("b")))
    rows_b = {r.rule: r for r in checklist(b)}
    assert rows_b["R1"].outcome == "failed"
    assert "B2" in rows_b["R1"].subjects


def test_wrap_breaks_chinese_anywhere_and_latin_at_spaces() -> None:
    lines = wrap("充电设施的所有人是甲方，甲方为充电设施及相关线路安全责任的第一责任人。", 60, 9)
    assert len(lines) > 2
    assert (
        "".join(lines) == "充电设施的所有人是甲方，甲方为充电设施及相关线路安全责任的第一责任人。"
    )
    latin = wrap("the quick brown fox jumps over the lazy dog", 60, 9)
    assert all(not w.startswith(" ") and not w.endswith(" ") for w in latin)
    assert " ".join(latin) == "the quick brown fox jumps over the lazy dog"


def test_owner_papers_for_every_applicant_not_blocked(tmp_path: Path) -> None:
    """方案 二(三)1(4): 物业应向申请人发放告知书 - every applicant not blocked gets the notice
    (附件1); planned ones also the commitment (附件3). Formerly planned ones got both in one
    file."""
    site = read_site(sample_path("a"))
    plan = make_plan(site)
    paths = write_notices(plan, tmp_path / "notices")
    planned = [r for r in plan.requests if r.status == "planned"]
    open_ = [r for r in plan.requests if r.status != "blocked"]
    assert sorted(p.name for p in paths) == sorted(
        [f"{r.id}-notice.pdf" for r in open_] + [f"{r.id}-commitment.pdf" for r in planned]
    )
    deferred = next(r for r in plan.requests if r.status == "deferred")
    assert "电动汽车自用桩安装使用告知书" in _text(
        tmp_path / "notices" / f"{deferred.id}-notice.pdf"
    )
    leased = next(r for r in planned if r.tenure == "leased")
    text = _text(tmp_path / "notices" / f"{leased.id}-notice.pdf") + _text(
        tmp_path / "notices" / f"{leased.id}-commitment.pdf"
    )
    for word in (
        "电动汽车自用桩安装使用告知书",
        "电动汽车自用桩安装承诺书",
        leased.space,
        "租赁",
        "比亚迪",
        "FQ1-BX",
        "和平",
    ):
        assert word in text, word
    owned = next(r for r in planned if r.tenure == "owned")
    assert "购买" in commitment_text(plan, owned)


def test_the_owners_address_is_always_blank() -> None:
    plan = make_plan(read_site(sample_path("a")))
    for r in plan.requests:
        lines = commitment_text(plan, r).splitlines()
        (address,) = [ln for ln in lines if ln.startswith("住址")]
        assert address == "住址："


def test_an_advisory_rule_with_warnings_only_gives_advice_not_failure() -> None:
    """R4 (GB/T 51313 6.1.5 宜) only warns: its row reads 提示 with the compartments
    concerned; a rule with an error still reads 不通过 (issue 13 item 6 in part)."""
    plan = make_plan(read_site(sample_path("a")))
    rows = {r.rule: r for r in checklist(plan)}
    r4 = rows["R4"]
    assert all(f.severity == "warning" for f in plan.findings if f.rule == "R4")
    assert r4.outcome == "advice"
    assert r4.subjects
    assert r4.codes == ("FIRE_UNIT_OVER_LIMIT",)
    assert rows["R7"].outcome == "failed"


@pytest.mark.parametrize("key", ["a", "b", "c"])
def test_the_chinese_checklist_reads_in_one_language_and_every_column_has_a_heading(
    key: str,
) -> None:
    """Issue 13 item 6: no English code or word in the Chinese checklist's cells (rule ids,
    the subjects' own ids and standard numbers aside); every column is headed."""
    import re

    from planner.documents import checklist_rows
    from planner.i18n import CODE_WORDS

    plan = make_plan(read_site(sample_path(key), requests=sample_requests_path(key)))
    found = {f.code for f in plan.findings} | {x.code for r in plan.requests for x in r.reasons}
    assert found <= set(CODE_WORDS), found - set(CODE_WORDS)
    for rule, title, outcome, _subjects, what, source in checklist_rows(plan, "zh"):
        assert not re.search(r"[A-Z]{2,}_[A-Z_]+", what), (rule, what)
        assert not re.search(r"[a-z]{4,}", title + outcome + what + source), (rule, source)
    page = next(iter(_checklist_pages(plan, "zh")))
    heads = [t.get_text() for t in page.texts if t.get_color() == "#bf360c"]
    assert heads == ["规则", "规则名称", "结论", "涉及对象", "核查发现", "依据"]
