"""The system diagram sheets: one per bank (more past 24 circuits), every circuit on it,
text legible at A3 (GB/T 50001: 3.5 mm Chinese, 2.5 mm digits and Latin)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from planner.diagram import design_notes
from planner.documents import write_approval_pdf
from planner.plan import make_plan
from planner.readers import read_site
from planner.samples import sample_path
from planner.sheets import CIRCUITS_PER_SHEET
from tests.printing import pdf_char_sizes, pdf_page_texts

MM_PER_PT = 25.4 / 72


def _cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_sheet_per_bank_legible_at_a3(tmp_path: Path, lang: str) -> None:
    plan = make_plan(read_site(sample_path("a")))
    path = tmp_path / "approval.pdf"
    write_approval_pdf(plan, path, lang=lang)  # type: ignore[arg-type]
    pages = PdfReader(path).pages
    page_texts = pdf_page_texts(path)
    page_sizes = pdf_char_sizes(path)
    from planner.sheets import sheet_set

    layouts = 1 + sum(1 for s in sheet_set(plan) if s.kind != "diagram")  # cover, sheets
    assert len(pages) > layouts + len(plan.boxes)
    for k, box in enumerate(plan.boxes):
        text = page_texts[layouts + k]
        assert box.id in text
        for rid in box.circuits:
            assert rid in text
        sizes = page_sizes[layouts + k]
        assert sizes
        for s, mm in sizes:
            assert mm >= (3.5 if _cjk(s) else 2.5) - 0.01, (s, mm)
        assert (box.incoming_cable or "—").replace("×", "") in text.replace("×", "")
    notes = page_texts[layouts + len(plan.boxes)]
    assert ("设计说明" if lang == "zh" else "Design notes") in notes


def test_diagrams_paginate_past_24_circuits(tmp_path: Path) -> None:
    from tests.test_plan import _garage_with_requests

    plan = make_plan(_garage_with_requests(30, capacity=None, bays=16))
    (box,) = plan.boxes
    assert len(box.circuits) == 30
    assert box.box_sizes == (12, 12, 6)
    from planner.diagram import diagram_pages

    assert len(list(diagram_pages(plan))) == 2 == -(-30 // CIRCUITS_PER_SHEET)


def test_design_notes_read_the_rules() -> None:
    plan = make_plan(read_site(sample_path("a")))
    zh = "\n".join(design_notes(plan, "zh"))
    assert "表箱后线缆由用户自行敷设" in zh
    assert "ZR-YJV-0.6/1kV-3×S" in zh
    assert "4%" in zh
    en = "\n".join(design_notes(plan, "en"))
    assert "30 mA type A" in en
    assert "box_sizes" in en  # the unconfirmed figures are named


def test_a_bank_over_one_breakers_range_says_split_it(tmp_path: Path) -> None:
    """30 chargers of 7 kW on one bank need about 319 A a phase, over the largest incoming
    breaker (250 A): no incoming cable, and its diagram says, in red under the supply,
    that the bank must be split (the E5 finding BOX_SUPPLY_OVER_RANGE)."""
    from tests.test_plan import _garage_with_requests

    plan = make_plan(_garage_with_requests(30, capacity=None, bays=16))
    (box,) = plan.boxes
    assert box.incoming_cable is None
    assert "BOX_SUPPLY_OVER_RANGE" in {f.code for f in plan.findings}
    path = tmp_path / "approval.pdf"
    write_approval_pdf(plan, path)
    diagrams = [p for p in pdf_page_texts(path) if "配电系统图" in p and "WP01" in p]
    assert diagrams
    assert all("须拆分表箱组" in p.replace("\n", "") for p in diagrams)
    small = make_plan(read_site(sample_path("a")))
    write_approval_pdf(small, tmp_path / "a.pdf")
    assert not any("须拆分表箱组" in p for p in pdf_page_texts(tmp_path / "a.pdf"))
