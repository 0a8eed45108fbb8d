"""approval.pdf and the owner papers, read back through their text layer."""

from __future__ import annotations

import io
import itertools
import json
import re
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from planner.checklist import RULES, checklist
from planner.diagram import diagram_pages
from planner.documents import (
    _bom_pages,
    _checklist_pages,
    _cost_pages,
    _schedule_pages,
    write_approval_pdf,
)
from planner.fonts import wrap
from planner.papers import commitment_text, write_notices
from planner.plan import make_plan
from planner.readers import parse_site, read_site
from planner.samples import sample_path, sample_requests_path
from tests.conftest import examples
from tests.printing import pdf_page_texts, pdf_text, typeset


def _text(path: Path) -> str:
    return pdf_text(path)


@pytest.mark.parametrize("key", ["a", "b"])
def test_approval_pdf_pages_and_text_layer(key: str, tmp_path: Path) -> None:
    site = read_site(sample_path(key), requests=sample_requests_path(key))
    plan = make_plan(site)
    path = tmp_path / "approval.pdf"
    pages = write_approval_pdf(plan, path)
    from planner.sheets import sheet_set

    expected = (  # cover, layout sheets, diagrams, notes, BOM, schedule, costs, checklist
        1
        + sum(1 for s in sheet_set(plan) if s.kind != "diagram")
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


def test_every_page_carries_its_own_number(tmp_path: Path) -> None:
    """Each page says "k / n" once, k its place: the drawn cover, the layout sheets (their
    number laid over from a typeset page) and the typeset pages alike."""
    plan = make_plan(read_site(sample_path("d")))  # 5 layout sheets: two batches
    path = tmp_path / "approval.pdf"
    total = write_approval_pdf(plan, path)
    texts = pdf_page_texts(path)
    assert len(texts) == total
    for k, text in enumerate(texts, start=1):
        numbers = re.findall(r"\b(\d+) / (\d+)\b", text)
        assert numbers.count((str(k), str(total))) == 1, (k, numbers)


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
    assert "电动汽车自用桩安装使用告知书" in pdf_text(
        tmp_path / "notices" / f"{deferred.id}-notice.pdf"
    )
    leased = next(r for r in planned if r.tenure == "leased")
    text = pdf_text(tmp_path / "notices" / f"{leased.id}-notice.pdf") + pdf_text(
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
    unstated = next(r for r in planned if r.tenure is None)  # the file leaves it out
    assert "通过购买方式" not in commitment_text(plan, unstated)
    assert "通过＿＿＿＿方式取得" in commitment_text(plan, unstated)


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
    page = typeset(_checklist_pages(plan, "zh")).seen[0]
    heads = [t.text for t in page if t.colour == "#bf360c"]
    assert heads == ["规则", "规则名称", "结论", "涉及对象", "核查发现", "依据"]


def _papers_plan(*, tenure: str | None, community: str | None) -> Any:
    from planner.synthetic import feature, simple_garage

    feats = simple_garage(bays=2, strips=1, capacity_kw=100)
    feats[0]["properties"]["community"] = community
    space = next(f for f in feats if f["properties"]["kind"] == "space")
    if tenure:
        space["properties"]["tenure"] = tenure
    feats.append(
        feature(
            "request",
            None,
            id="Q1",
            space=space["properties"]["id"],
            charger_kw=7,
            registered="2024-01-01",
            applicant="王女士",
            documents=["id_document", "parking_certificate", "property_consent", "lease_contract"],
            lease_months=24,
        )
    )
    site = parse_site(json.dumps({"type": "FeatureCollection", "features": feats}).encode())
    return make_plan(site)


@pytest.mark.parametrize(
    ("tenure", "phrase"),
    [(None, "通过＿＿＿＿方式"), ("owned", "通过购买方式"), ("leased", "通过租赁方式")],
)
def test_the_commitment_leaves_the_owner_blank_and_states_tenure_only_when_given(
    tenure: str | None, phrase: str
) -> None:
    """Issue 13 item 7: 甲方 is written by the owner (the alias never enters a contract),
    the tenure phrase only where the site states it, the community as named."""
    plan = _papers_plan(tenure=tenure, community="阳光花园")
    (r,) = plan.requests
    text = commitment_text(plan, r)
    assert phrase in text
    assert "甲方＿＿＿＿购买了" in text
    assert "王女士" not in text
    assert "阳光花园停车场" in text
    assert "小区停车场" not in text
    plan = _papers_plan(tenure=tenure, community="金城小区")
    assert "金城小区停车场" in commitment_text(plan, plan.requests[0])
    assert "金城小区小区" not in commitment_text(plan, plan.requests[0])


def test_the_commitment_keeps_the_schemes_paragraphs() -> None:
    plan = _papers_plan(tenure="owned", community="阳光花园")
    lines = commitment_text(plan, plan.requests[0]).splitlines()
    assert any("有义务提示甲方" in ln for ln in lines)
    assert any("参照居民区充电基础设施安装指南" in ln for ln in lines)
    # every paragraph ends as a sentence, a heading or a blank to fill
    for ln in lines:
        assert not ln or ln[-1] in "。：:　 ＿）" or ln.endswith(("承诺", "承诺书")), ln


def _signature_gaps(pages: Any) -> list[float]:
    """The paper below each line asking for a signature or a seal, as typeset."""
    from planner.papers import SEAL_MM, SIGNATURE

    gaps = []
    for page in typeset(pages).seen:
        ys = sorted((t.y_mm, t.text) for t in page if t.text.strip() and "/" not in t.text)
        for (y, text), (y_next, _) in itertools.pairwise(ys):
            if SIGNATURE.search(text) and len(text) < 40:
                gaps.append(y_next - y)
    assert gaps
    assert SEAL_MM == 40
    return gaps


def test_every_signature_has_room_for_a_40_mm_seal() -> None:
    from planner.documents import _text_pages
    from planner.papers import notice_text

    plan = _papers_plan(tenure="owned", community="阳光花园")
    body = commitment_text(plan, plan.requests[0]).splitlines()
    assert min(_signature_gaps(_text_pages(body[0], body[1:]))) >= 40
    notice = notice_text(qr=False)
    assert min(_signature_gaps(_text_pages(notice[0], notice[1:]))) >= 40


def test_the_notice_names_the_service_line_unless_a_qr_code_is_given(tmp_path: Path) -> None:
    import numpy as np
    from matplotlib.image import imsave

    from planner.errors import PlannerError
    from planner.papers import read_qr, write_paper

    plan = _papers_plan(tenure="owned", community="阳光花园")
    (r,) = plan.requests
    write_paper(plan, r, tmp_path / "plain.pdf", kind="notice")
    text = pdf_text(tmp_path / "plain.pdf")
    assert "0931-4607052" in text
    assert "二维码" not in text
    code = np.kron(np.random.default_rng(1).integers(0, 2, (25, 25)), np.ones((8, 8)))
    imsave(tmp_path / "qr.png", code, cmap="gray")
    image = read_qr(tmp_path / "qr.png")
    write_paper(plan, r, tmp_path / "qr.pdf", kind="notice", qr=image)
    text = pdf_text(tmp_path / "qr.pdf")
    assert "二维码" in text
    assert "0931-4607052" not in text
    from planner.documents import _text_pages
    from planner.papers import notice_text

    setter = typeset(_text_pages("t", notice_text(qr=True)[1:], image=image))
    with pikepdf.open(io.BytesIO(setter.output())) as pdf:
        assert sum(len(p.get_images()) for p in pdf.pages) == 1
    (tmp_path / "bad.png").write_bytes(b"not an image")
    with pytest.raises(PlannerError, match="--qr"):
        read_qr(tmp_path / "bad.png")


@settings(max_examples=examples(200))
@given(
    st.lists(st.floats(0.5, 300.0), max_size=60),
    st.floats(20.0, 280.0),
)
def test_row_spans_put_every_row_on_one_page_in_order(heights: list[float], top: float) -> None:
    """Pagination of a table: every row once, in order, pages never empty (but the one of
    an empty table), each page's rows fitting above its foot unless one row alone is
    taller than the page."""
    from planner.documents import _row_spans

    bottom = 18.0
    spans = _row_spans(heights, top=top, bottom=bottom)
    assert [i for first, end in spans for i in range(first, end)] == list(range(len(heights)))
    assert len(spans) >= 1
    for first, end in spans:
        assert end > first or not heights
        used = sum(heights[first:end])
        assert top - used > bottom or end - first == 1


def test_table_pages_are_counted_before_they_are_set() -> None:
    """The drawing index counts each part's pages from its layout, before any is set; as
    many are set as were counted, each numbered "x / y"."""
    plan = make_plan(read_site(sample_path("a"), requests=sample_requests_path("a")))
    for build in (_bom_pages, _schedule_pages, _cost_pages, _checklist_pages):
        pages = build(plan, "zh")
        setter = typeset(pages)
        assert len(pages) == len(setter.seen) == setter.pages >= 1
        for k, page in enumerate(setter.seen, start=1):
            assert page[-1].text == f"{k} / {len(pages)}"
