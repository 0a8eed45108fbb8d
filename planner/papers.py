"""The owner papers: the notice (附件1) for every applicant not blocked and the four-party
commitment (附件3) for every planned request, filled with what the plan knows.

A garage of 5,000 applicants has 10,000 papers. Drawn as matplotlib figures each took a
quarter of a second (every glyph a Type 3 procedure, the CJK subset embedded again per file),
so they are typeset with fpdf2 instead: ``CHUNK`` requests' papers in one document, the font
embedded once (as CFF, with a text layer that can be searched); pikepdf then copies each
paper's pages into its own file. The chunks are typeset by worker processes at once and
joined, a bookmark per request with its notice and commitment under it, into one document,
which is what a property office prints (``owner-papers.pdf``, when asked).

Where the lines go is decided once, by :func:`text_layout` (also used for the design notes
in ``approval.pdf``): paragraphs wrap with the font's own advances, and a line asking for a
signature or a seal keeps ``SEAL_MM`` of free paper below it.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pikepdf

from planner.errors import PlannerError
from planner.fonts import cjk_subset, wrap
from planner.limits import check_time
from planner.names import safe_names
from planner.plan import Cable, Plan, RequestOutcome
from planner.progress import stage
from planner.styles import INFO_COLOUR, MM_PER_INCH, TITLE_PT
from planner.typeset import Typesetter
from planner.workers import in_a_process, in_order

A4_PORTRAIT = (210.0, 297.0)
MARGIN_MM = 18.0
INFO_PT = 9.0
BODY_PT = 9.5
"""Owner papers and notes: at least 9 pt (3.2 mm)."""
LINE_SPACING = 1.55
COMBINED = "owner-papers.pdf"
"""Every owner paper in one file (``notices/owner-papers.pdf``); no request's paper can be
named so, as theirs end in ``-notice.pdf`` or ``-commitment.pdf``."""

BLANK = "＿＿＿＿"

SEAL_MM = 40.0
"""Room left beside each signature for a seal (a round company seal is 40 mm across,
国务院 国发〔1999〕25号 第十二条 [unconfirmed])."""
SIGNATURE = re.compile(r"(盖章|公章|签字)")


# ----------------------------------------------------------------------------- layout ---


@dataclass(frozen=True)
class Line:
    """One line of text on a page: its left edge (or centre) and top, in mm from the
    page's top-left corner."""

    x_mm: float
    top_mm: float
    text: str
    size: float
    colour: str = "#000000"
    centred: bool = False


@dataclass(frozen=True)
class Picture:
    """The QR code: a square ``side_mm`` wide with its top-left corner here."""

    x_mm: float
    top_mm: float
    side_mm: float


Page = list[Line | Picture]


@functools.lru_cache(maxsize=4096)
def _wrapped(text: str, width_pt: float, size: float) -> tuple[str, ...]:
    """:func:`wrap`, kept: most paragraphs are the same on every owner's paper."""
    return tuple(wrap(text, width_pt, size))


def _line_mm(size: float) -> float:
    return size * LINE_SPACING / 72 * MM_PER_INCH


def text_layout(
    title: str,
    paragraphs: Sequence[str],
    *,
    size: float = BODY_PT,
    info: Sequence[str] = (),
    image: bool = False,
) -> list[Page]:
    """Paragraphs on A4 portrait pages, below ``title`` and the ``info`` lines. A line
    asking for a signature or a seal keeps ``SEAL_MM`` of free paper below and beside it
    and stays with the date under it; ``image`` leaves a ``SEAL_MM`` square for the QR code,
    centred after the text."""
    w_mm, h_mm = A4_PORTRAIT
    line_mm = _line_mm(size)
    width_pt = (w_mm - 2 * MARGIN_MM) / MM_PER_INCH * 72
    page: Page = [Line(w_mm / 2, MARGIN_MM, title, TITLE_PT, centred=True)]
    pages = [page]
    y = MARGIN_MM + 14
    for extra in info:
        page.append(Line(MARGIN_MM, y, extra, INFO_PT, INFO_COLOUR))
        y += line_mm
    y += line_mm / 2
    for p in paragraphs:
        sign = bool(SIGNATURE.search(p)) and len(p) < 40
        need = SEAL_MM + line_mm if sign else line_mm
        keep = need + 3 * line_mm if sign else need  # the date under a seal stays with it
        for line in _wrapped(p, width_pt, size) if p else [""]:
            if y + keep > h_mm - MARGIN_MM:
                page = []
                pages.append(page)
                y = MARGIN_MM
            page.append(Line(MARGIN_MM, y, line, size))
            y += need
    if image:
        if y + SEAL_MM > h_mm - MARGIN_MM:
            page = []
            pages.append(page)
            y = MARGIN_MM
        page.append(Picture((w_mm - SEAL_MM) / 2, y, SEAL_MM))
    return pages


# ------------------------------------------------------------------------------ texts ---


@functools.cache  # read once: 5,000 requests ask for both templates
def _template(name: str) -> str:
    return resources.files("planner.templates").joinpath(name).read_text(encoding="utf-8")


def commitment_text(plan: Plan, r: RequestOutcome) -> str:
    """附件3 with what the plan knows filled in; blanks for the rest. 甲方's name and the
    address stay blank for the owner to write (an alias never enters a contract), the
    tenure phrase is filled only where the site states the space's tenure, and the
    community is printed as the site names it."""
    level = plan.site.level(r.level) if r.level else None
    location = BLANK
    if level is not None:
        location = f"{level.name or level.id}（{r.level}）{r.compartment or ''}防火分区"
    how = {"owned": "购买", "leased": "租赁"}.get(r.tenure or "", BLANK)
    form = {"wall": "壁挂", "floor": "落地"}.get(r.charger_type or "", BLANK)
    return _template("commitment_zh.txt").format(
        owner=BLANK,
        brand=r.car_brand or BLANK,
        how=how,
        community=plan.site.info.community or f"{BLANK}小区",
        space=r.space,
        form=form,
        location=location,
        removal=BLANK,
        address="",
    )


QR_SENTENCE = "有接电意向住户可扫描告知书第三页二维码进行需求登记。"
SERVICE_LINE = (
    "有接电意向住户可拨打充电设施用电报装绿色通道服务专线（电话：0931-4607052）进行需求登记。"
)
"""附件1 第2条 points to a QR code; without one the scheme's public service line (方案
二(一)2: 工作专班服务专线，电话：0931-4607052, an office number) takes its place."""


def notice_text(*, qr: bool) -> list[str]:
    """附件1's paragraphs; item 2 names the service line unless a QR image is supplied."""
    lines = _template("notice_zh.txt").splitlines()
    if not qr:
        lines = [ln.replace(QR_SENTENCE, SERVICE_LINE) for ln in lines]
    return lines


class _Index:
    """A request's cable and a compartment's box, looked up once per run (10,000 papers
    must not scan every cable each)."""

    def __init__(self, plan: Plan) -> None:
        self.cables: dict[str, Cable] = {}
        for c in plan.cables:
            self.cables.setdefault(c.request, c)
        self.boxes: dict[str, str] = {}
        for b in plan.boxes:
            self.boxes.setdefault(b.compartment, b.id)
        self._words: dict[str, str] = {}

    def same(self, words: Iterable[str]) -> tuple[str, ...]:
        """The words as one object each per run: the papers repeat the templates' lines
        (285,000 strings at 5,000 requests, 15,000 different), held by this process while
        the papers are typeset and pickled for the workers."""
        return tuple(self._words.setdefault(w, w) for w in words)


def notice_facts(plan: Plan, r: RequestOutcome, *, index: _Index | None = None) -> list[str]:
    """What the plan knows of one request, printed above the attachment's text."""
    index = index or _Index(plan)
    cable = index.cables.get(r.id)
    box = index.boxes.get(r.compartment or "", BLANK)
    return [
        f"小区：{plan.site.info.community or BLANK}    车位：{r.space}    申请编号：{r.id}",
        f"充电桩功率：{r.charger_kw:g} kW    形式："
        + {"wall": "壁挂式", "floor": "落地式"}.get(r.charger_type or "", BLANK)
        + f"    车辆品牌：{r.car_brand or BLANK}",
        f"表箱：{box}    电缆路径长度："
        + (
            f"{cable.route_m:.1f} m（敷设长度 {cable.cable_m:.1f} m）    电缆：{cable.designation}"
            if cable
            else BLANK
        ),
    ]


# ---------------------------------------------------------------------------- QR code ---


def read_qr(path: Path | str) -> Any:
    """The QR image of the registration channel (PNG or JPEG) as an array, or a
    :class:`PlannerError` saying how to supply one."""
    import matplotlib.image as mpimg  # noqa: PLC0415 - matplotlib only with a QR code

    try:
        image = mpimg.imread(str(path))
    except (OSError, ValueError, SyntaxError) as exc:
        raise PlannerError(
            f"--qr '{path}': not a readable PNG or JPEG image ({exc}). Fix: export the "
            "registration QR code (附件1 第2条) as a PNG file."
        ) from None
    if getattr(image, "ndim", 0) not in (2, 3) or min(image.shape[:2]) < 21:
        raise PlannerError(
            f"--qr '{path}': the image is {getattr(image, 'shape', '?')}, too small for a QR "
            "code (at least 21 x 21 pixels). Fix: export the QR code at full size."
        )
    return image


# ---------------------------------------------------------------------------- writing ---


@dataclass(frozen=True)
class Paper:
    """One owner paper: its file, its request's bookmark title, its own entry under that
    bookmark, and its pages (1-based) in the document it was typeset in."""

    path: Path
    title: str
    entry: str
    first: int
    last: int


def set_page(setter: Typesetter, page: Page, image: Any = None) -> None:
    """One page of a :func:`text_layout` on a new page of ``setter``; ``image`` (an RGB(A)
    array) in its picture square."""
    setter.page(A4_PORTRAIT)
    for item in page:
        if isinstance(item, Picture):
            setter.image(image, item.x_mm, item.top_mm, item.side_mm)
            continue
        align = "centre" if item.centred else "left"
        setter.text(
            item.x_mm, item.top_mm, item.text, size=item.size, colour=item.colour, align=align
        )


TITLE = "电动汽车自用桩安装告知书及承诺书"
"""The combined document's title; each paper's file gets its request's."""


class _Typesetter:
    """One fpdf2 document of owner papers."""

    def __init__(self, qr: Any, font: Path | None = None) -> None:
        self.setter = Typesetter(title=TITLE, size_mm=A4_PORTRAIT, font=font)
        self.qr = qr

    def add(self, pages: list[Page], *, bookmarks: Sequence[tuple[str, int]]) -> tuple[int, int]:
        """Set ``pages``; the first carries the ``(title, level)`` bookmarks. Returns the
        first and last page (from 1)."""
        setter = self.setter
        first = setter.pages + 1
        for k, page in enumerate(pages):
            set_page(setter, page, self.qr)
            for title, level in bookmarks if k == 0 else ():
                setter.section(title, level)
        return first, setter.pages

    def output(self) -> bytes:
        return self.setter.output()


@dataclass(frozen=True)
class _Text:
    """One paper's words: its kind, its entry under the request's bookmark, its heading,
    the facts printed above its text, its paragraphs, and whether it holds the QR code."""

    kind: str
    entry: str
    heading: str
    facts: tuple[str, ...]
    paragraphs: tuple[str, ...]
    qr: bool = False

    def pages(self) -> list[Page]:
        return text_layout(self.heading, self.paragraphs, info=self.facts, image=self.qr)

    def words(self) -> tuple[str, ...]:
        """Everything of it that is printed on its pages (the bookmarks are not)."""
        return (self.heading, *self.facts, *self.paragraphs)


def _request_texts(
    plan: Plan, r: RequestOutcome, *, qr: bool, index: _Index | None = None
) -> list[_Text]:
    """The papers of one request: its notice, and its commitment when it is planned."""
    index = index or _Index(plan)
    facts = index.same(notice_facts(plan, r, index=index))
    notice = index.same(notice_text(qr=qr))
    heading = index.same([notice[0] + "（附件1）"])[0]
    out = [_Text("notice", "告知书（附件1）", heading, facts, notice[1:], qr)]
    if r.status == "planned":
        lines = index.same(commitment_text(plan, r).splitlines())
        heading = index.same([lines[0] + "（附件3）"])[0]
        out.append(_Text("commitment", "承诺书（附件3）", heading, facts, lines[1:]))
    return out


FONT = ".owner-papers-font.otf"
"""The CJK font cut down to the papers' characters (:func:`planner.fonts.cjk_subset`), in
the papers' folder while they are typeset, removed afterwards."""

CHUNK = 500
"""Requests whose papers one process typesets into one document and copies into their
files: 10 documents at 5,000 requests, shared out among the workers; the same documents
(and so the same files) for any number of workers."""
PARALLEL_FROM = 2 * CHUNK
"""Applicants below which one process writes every paper (a worker takes a second to
start; 1,000 applicants take about five in one process)."""


@dataclass(frozen=True)
class _Paper:
    """One paper to typeset: where its file goes, its request's bookmark title, its text."""

    path: Path
    title: str
    text: _Text


def write_notices(
    plan: Plan, folder: Path, *, qr: Any = None, combined: bool = False, workers: int = 1
) -> list[Path]:
    """The owner papers (``<request>-notice.pdf`` and ``<request>-commitment.pdf``): the
    notice (附件1) for every applicant who is not blocked (物业应向申请人发放, 方案 二(三)1(4)),
    and the commitment (附件3) for every planned request. ``qr``: the registration QR image
    (:func:`read_qr`); without it the notice names the scheme's service line.
    ``combined``: also :data:`COMBINED`, all of them in one file with a bookmark per
    request and its papers under it, to print. ``workers`` processes typeset ``CHUNK``
    applicants at a time (the font embedded once per chunk) and copy each paper's pages
    into its own file; the files are the same for any number. The workers are given the
    papers' words, not the plan: a plan of 5,000 stalls is 200 MB in each process."""
    folder.mkdir(parents=True, exist_ok=True)
    names = safe_names([r.id for r in plan.requests])  # ids that clean up alike stay apart
    applicants = [r for r in plan.requests if r.status != "blocked"]
    index = _Index(plan)
    chunks = [
        tuple(
            _Paper(folder / f"{names[r.id]}-{text.kind}.pdf", f"{r.id} {r.space}", text)
            for r in part
            for text in _request_texts(plan, r, qr=qr is not None, index=index)
        )
        for part in (applicants[i : i + CHUNK] for i in range(0, len(applicants), CHUNK))
    ]
    papers: list[Paper] = []
    parts: list[tuple[Path, list[Paper]]] = []  # each chunk's document, for the combined
    workers = workers if len(applicants) >= PARALLEL_FROM else 1
    font = folder / FONT  # every chunk loads the font cut down to the papers' characters
    try:
        if chunks:  # no applicant, no paper: nothing to cut the font for
            cjk_subset((s for chunk in chunks for todo in chunk for s in todo.text.words()), font)
        work = _Work(qr, folder if combined else None, font)
        with (
            stage("owner papers", total=len(applicants)) as step,
            # this process only gathers: a helping one would hold a typesetter of its own
            in_order(
                _typeset, work, list(enumerate(chunks)), workers=workers, helping=False
            ) as done,
        ):
            for chunk, (part, written) in zip(chunks, done, strict=True):
                check_time()  # the time budget is checked per chunk
                papers += written
                if part is not None:
                    parts.append((part, written))
                step.advance(len({paper.title for paper in chunk}))
        paths = [paper.path for paper in papers]
        if combined:
            # the join holds every page's objects (240 MB at 20,000 pages): done in a
            # process of its own, that gives them back to the system as it ends
            in_a_process(_join, (folder / COMBINED, parts), apart=workers > 1)
            paths.append(folder / COMBINED)
    finally:  # every chunk's document, gathered or not (the pool has ended by now)
        for part in folder.glob(f".{COMBINED}.part-*"):
            part.unlink(missing_ok=True)
        font.unlink(missing_ok=True)
    return paths


@dataclass(frozen=True)
class _Work:
    """What every chunk's process is given once: the QR image, the folder for the
    chunks' documents when they are wanted for the combined file, and the cut-down font."""

    qr: Any
    parts: Path | None
    font: Path


def papers_on_a_pool(plan: Plan, *, workers: int) -> bool:
    """Whether :func:`write_notices` starts a pool of its own for ``plan`` (the caller
    keeps one pool at a time)."""
    applicants = sum(r.status != "blocked" for r in plan.requests)
    return workers > 1 and applicants >= PARALLEL_FROM


def _typeset(work: _Work, job: tuple[int, Sequence[_Paper]]) -> tuple[Path | None, list[Paper]]:
    """Typeset one chunk's papers into one document and copy each paper's pages into its
    own file. Returns where the document was saved (when it is wanted for the combined
    file) and its papers, their pages counted in it."""
    number, chunk = job
    setter = _Typesetter(work.qr, work.font)
    papers = []
    for todo in chunk:
        first, last = setter.add(todo.text.pages(), bookmarks=())
        papers.append(Paper(todo.path, todo.title, todo.text.entry, first, last))
    data = setter.output()
    with pikepdf.open(io.BytesIO(data)) as src:
        # the pages listed once: ``src.pages[k]`` walks the page tree to its k-th leaf
        # (0.8 ms a page at 20,000 pages), iterating does not
        leaves = list(src.pages)
        for paper in papers:
            with pikepdf.new() as dst:
                for page in leaves[paper.first - 1 : paper.last]:
                    dst.pages.append(page)
                dst.docinfo["/Title"] = paper.title
                dst.save(paper.path, deterministic_id=True)  # the same file on every run
    if work.parts is None:
        return None, papers
    part = work.parts / f".{COMBINED}.part-{number:04d}"
    part.write_bytes(data)
    return part, papers


def _join(job: tuple[Path, Sequence[tuple[Path, Sequence[Paper]]]]) -> None:
    """The chunks' documents (files) joined into the file ``path``, with a bookmark per
    request and its papers under it."""
    path, parts = job
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(pikepdf.new())
        marks: list[tuple[Paper, pikepdf.Object]] = []
        for part, papers in parts:
            src = stack.enter_context(pikepdf.open(part))  # open until saved: streams read then
            copied = []
            for leaf in src.pages:
                copy = out.copy_foreign(leaf.obj)
                _append_page(out, copy)
                copied.append(copy)
            marks += [(paper, copied[paper.first - 1]) for paper in papers]
        with out.open_outline() as outline:
            top: pikepdf.OutlineItem | None = None
            for paper, page in marks:
                where = pikepdf.Array([page, pikepdf.Name.Fit])  # a page, not its number:
                if top is None or top.title != paper.title:  # that lookup is quadratic too
                    top = pikepdf.OutlineItem(paper.title, where)
                    outline.root.append(top)
                top.children.append(pikepdf.OutlineItem(paper.entry, where))
        out.docinfo["/Title"] = TITLE
        out.docinfo["/Creator"] = "EV garage planner"
        out.save(path, deterministic_id=True)  # no date: the same file on every run


def _append_page(pdf: pikepdf.Pdf, page: pikepdf.Object) -> None:
    """``page`` added at the end of ``pdf``: by QPDF's own addPage, which pikepdf exposes
    only privately (``Pdf._add_page``); its public ``pages.append`` and ``pages.extend``
    find the end of the page list afresh each time (19 s for 20,000 pages against 0.2 s,
    pikepdf 10.18). Should a later pikepdf drop the private call, the public one is used:
    slower, the same file."""
    add = getattr(pdf, "_add_page", None)
    if add is not None:
        add(page, first=False)
    else:  # a pikepdf without the private call
        pdf.pages.append(pikepdf.Page(page))


def write_paper(plan: Plan, r: RequestOutcome, path: Path, *, kind: str, qr: Any = None) -> int:
    """One request's notice or commitment alone (``kind``), as :func:`write_notices` writes
    it. Returns its pages."""
    setter = _Typesetter(qr)
    n = 0
    for text in _request_texts(plan, r, qr=qr is not None):
        if text.kind == kind:
            first, last = setter.add(text.pages(), bookmarks=[(f"{r.id} {r.space}", 0)])
            n = last - first + 1
    if not n:
        raise ValueError(f"request {r.id} ({r.status}) has no {kind}")
    path.write_bytes(setter.output())
    return n
