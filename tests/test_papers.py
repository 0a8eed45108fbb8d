"""The owner papers typeset in one document and split per paper (planner.papers); their
texts are checked in test_documents."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from pypdf.generic import Destination

from planner.cli import main
from planner.papers import COMBINED, SEAL_MM, SIGNATURE, Line, Picture, text_layout, write_notices
from planner.plan import make_plan
from planner.readers import read_site
from planner.samples import sample_path
from tests.printing import pdf_text


def _pages(path: Path) -> list[str]:
    doc = pdfium.PdfDocument(str(path))
    try:
        return [page.get_textpage().get_text_range() for page in doc]
    finally:
        doc.close()


def test_one_document_splits_into_the_same_pages_and_a_bookmark_per_request(
    tmp_path: Path,
) -> None:
    plan = make_plan(read_site(sample_path("a")))
    paths = write_notices(plan, tmp_path, combined=True)
    assert paths[-1] == tmp_path / COMBINED
    # the chunks' documents the combined file was joined from do not stay behind
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    applicants = [r for r in plan.requests if r.status != "blocked"]
    planned = [r for r in applicants if r.status == "planned"]
    assert 0 < len(planned) < len(applicants)  # both kinds of applicant are exercised
    combined = _pages(tmp_path / COMBINED)
    # the split files hold exactly the combined document's pages, in its order
    split = [page for p in paths[:-1] for page in _pages(p)]
    assert split == combined
    # one bookmark per applicant, its papers under it, each pointing at its first page
    reader = PdfReader(tmp_path / COMBINED)
    outline: list[Any] = reader.outline  # bookmarks, each request's papers in a list after it
    tops = [o for o in outline if isinstance(o, Destination)]
    assert [o.title for o in tops] == [f"{r.id} {r.space}" for r in applicants]
    children = [o for o in outline if isinstance(o, list)]
    kinds = [[c.title for c in group] for group in children]
    assert kinds == [
        ["告知书（附件1）", "承诺书（附件3）"] if r.status == "planned" else ["告知书（附件1）"]
        for r in applicants
    ]
    for r, top, group in zip(applicants, tops, children, strict=True):
        page = reader.get_destination_page_number(top)
        assert page is not None
        assert page == reader.get_destination_page_number(group[0])
        assert r.space in combined[page]
        assert r.id in combined[page]
        assert "电动汽车自用桩安装使用告知书" in combined[page]
    # each file is titled by its request and holds nobody else's facts
    for r in planned:
        path = tmp_path / f"{r.id}-commitment.pdf"
        meta = PdfReader(path).metadata
        assert meta is not None
        assert meta.title == f"{r.id} {r.space}"
        assert "电动汽车自用桩安装承诺书" in pdf_text(path)
        others = [q.id for q in applicants if q.id != r.id and not q.id.startswith(r.id)]
        assert not any(f"申请编号：{q}" in pdf_text(path) for q in others)


@pytest.mark.parametrize("chunk", [1000, 2])
def test_the_font_is_embedded_once_a_chunk_in_the_combined_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Thousands of papers must not carry the CJK font thousands of times: once for each
    ``CHUNK`` requests typeset together."""
    from planner import papers

    monkeypatch.setattr(papers, "CHUNK", chunk)
    plan = make_plan(read_site(sample_path("a")))
    write_notices(plan, tmp_path, combined=True)
    applicants = sum(r.status != "blocked" for r in plan.requests)
    reader = PdfReader(tmp_path / COMBINED)
    resources: list[Any] = [page["/Resources"] for page in reader.pages]
    fonts = {
        res["/Font"][name].indirect_reference.idnum for res in resources for name in res["/Font"]
    }
    assert len(fonts) == -(-applicants // chunk)
    assert (tmp_path / COMBINED).stat().st_size < len(fonts) * 2 * max(
        p.stat().st_size for p in tmp_path.glob("*-notice.pdf")
    ) + 40_000 * len(reader.pages)


@pytest.mark.parametrize("qr", [False, True])
def test_a_signature_keeps_room_for_a_seal_and_text_stays_on_the_paper(qr: bool) -> None:
    paragraphs = ["甲方（签字）："] + ["很长的一段文字。" * 30] * 12 + ["乙方（盖章）：", "日期："]
    pages = text_layout("标题", paragraphs, info=["小区：阳光花园"], image=qr)
    lines = [item for page in pages for item in page if isinstance(item, Line)]
    for page in pages:
        tops = [item.top_mm for item in page]
        assert all(18.0 <= y <= 297.0 - 18.0 for y in tops)
        for a, b in itertools.pairwise(page):
            if isinstance(a, Line) and SIGNATURE.search(a.text) and len(a.text) < 40:
                assert b.top_mm - a.top_mm >= SEAL_MM
    assert lines[0].centred
    assert lines[0].text == "标题"
    pictures = [item for page in pages for item in page if isinstance(item, Picture)]
    assert len(pictures) == int(qr)
    assert len(pages) >= 2


def test_the_cli_writes_the_combined_papers_when_asked(tmp_path: Path) -> None:
    out = tmp_path / "out"
    site = str(sample_path("a"))
    args = ["-q", "plan", site, "--formats", "csv"]
    assert main([*args, "--out", str(out), "--combined-notices"]) == 0
    assert (out / "notices" / COMBINED).exists()
    assert len(list((out / "notices").glob("*-notice.pdf"))) > 0
    out2 = tmp_path / "out2"
    assert main([*args, "--out", str(out2), "--notices"]) == 0
    assert not (out2 / "notices" / COMBINED).exists()


@pytest.mark.parametrize("combined", [False, True])
def test_workers_write_the_same_papers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, combined: bool
) -> None:
    """The papers typeset and copied into their files by worker processes are the files
    one process writes, byte for byte (and the same on every run), the combined one too."""
    from planner import papers

    monkeypatch.setattr(papers, "PARALLEL_FROM", 1)
    monkeypatch.setattr(papers, "CHUNK", 3)
    plan = make_plan(read_site(sample_path("a")))
    made: list[list[tuple[str, bytes]]] = []
    for workers in (1, 2, 1):
        folder = tmp_path / f"w{len(made)}"
        paths = write_notices(plan, folder, workers=workers, combined=combined)
        assert len(paths) > 3
        made.append([(p.name, p.read_bytes()) for p in paths])
    assert made[0] == made[1] == made[2]


def test_whether_the_papers_need_a_pool_is_known_before_typesetting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from planner import papers

    plan = make_plan(read_site(sample_path("a")))
    applicants = sum(r.status != "blocked" for r in plan.requests)
    assert 0 < applicants < len(plan.requests)  # the blocked are not counted
    monkeypatch.setattr(papers, "PARALLEL_FROM", applicants)
    assert papers.papers_on_a_pool(plan, workers=2)
    assert not papers.papers_on_a_pool(plan, workers=1)  # one process: never a pool
    monkeypatch.setattr(papers, "PARALLEL_FROM", applicants + 1)
    assert not papers.papers_on_a_pool(plan, workers=2)


def test_without_the_combined_file_nothing_else_stays(tmp_path: Path) -> None:
    plan = make_plan(read_site(sample_path("c")))
    written = write_notices(plan, tmp_path / "n")
    assert sorted(p.name for p in (tmp_path / "n").iterdir()) == sorted(p.name for p in written)
    assert COMBINED not in {p.name for p in written}


def test_an_interrupted_combined_leaves_no_chunk_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped between chunks (the time budget, an interrupt), the chunks' documents the
    combined file would have been joined from are removed."""
    from planner import papers

    monkeypatch.setattr(papers, "CHUNK", 2)
    calls = iter(range(100))

    def stop_at_the_second_chunk() -> None:
        if next(calls) == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(papers, "check_time", stop_at_the_second_chunk)
    plan = make_plan(read_site(sample_path("a")))
    with pytest.raises(KeyboardInterrupt):
        write_notices(plan, tmp_path, combined=True)
    assert any(tmp_path.glob("*-notice.pdf"))  # the first chunks were written
    assert not list(tmp_path.glob(f".{COMBINED}.part-*"))
    assert not (tmp_path / COMBINED).exists()


def test_the_papers_words_are_held_once_per_run() -> None:
    """Thousands of papers repeat the templates' lines: one string object each per run
    (what this process holds while they are typeset, and pickles for the workers)."""
    from planner.papers import _Index, _request_texts, notice_text

    plan = make_plan(read_site(sample_path("a")))
    index = _Index(plan)
    planned = [r for r in plan.requests if r.status == "planned"][:2]
    first, second = (_request_texts(plan, r, qr=False, index=index) for r in planned)
    assert first[0].paragraphs == tuple(notice_text(qr=False)[1:])
    assert all(a is b for a, b in zip(first[0].paragraphs, second[0].paragraphs, strict=True))
    assert first[0].heading is second[0].heading
    shared = [a is b for a, b in zip(first[1].paragraphs, second[1].paragraphs, strict=False)]
    assert sum(shared) > len(shared) / 2  # the commitment's template lines; its filled ones differ


@pytest.mark.parametrize("private", [True, False])
def test_pages_are_appended_in_order_with_or_without_the_private_call(
    private: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """_append_page adds each page at the end, by pikepdf's private QPDF call or, where a
    pikepdf lacks it, by the public one."""
    import pikepdf

    from planner.papers import _append_page

    src = pikepdf.new()
    for width in (100, 200, 300):
        src.add_blank_page(page_size=(width, 100))
    out = pikepdf.new()
    if not private:
        monkeypatch.delattr(pikepdf.Pdf, "_add_page")
    for leaf in src.pages:
        _append_page(out, out.copy_foreign(leaf.obj))
    assert [float(p.mediabox[2]) for p in out.pages] == [100.0, 200.0, 300.0]
