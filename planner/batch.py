"""A whole city's communities in one run: ``planner batch MANIFEST.csv --out DIR``.

The manifest (UTF-8, a BOM allowed) has the header ``community,site,requests,options`` and a
row per community: its id, a site file of any kind the planner reads or a project file
(paths relative to the manifest), an optional requests CSV, and options and rule overrides
in one column (``routing=euclidean;clearance_m=0.2;reserve=0.45``).

Each community is one job, a pure function of its inputs (:func:`run_job`): the inputs
travel as bytes and the package comes back as bytes, so a Dask worker needs no shared disk.
The client writes each package to ``DIR/<community>/`` through a temporary folder renamed
when complete, with a stamp (:data:`STAMP`) holding the hash of the inputs, the options and
the planner's own source. A rerun skips every community whose stamp matches, so an
interrupted run resumes where it stopped and a changed input redoes exactly its community.
A refused community is recorded (its folder then holds the stamp alone, with the CLI's
message) and never stops the others.

Jobs run on a local process pool (``concurrent.futures``) or, with ``scheduler``, on an
existing Dask cluster, which reruns the tasks of a worker that dies.
"""

from __future__ import annotations

import concurrent.futures
import csv
import datetime
import hashlib
import io
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import shapely
from pyproj import Transformer

from planner.errors import PlannerError, printable
from planner.i18n import t
from planner.limits import Deadline, Limits
from planner.names import safe_names
from planner.overrides import with_overrides
from planner.plan import PlanOptions, make_plan
from planner.privacy import get_logger, mask_text
from planner.progress import reporting
from planner.project import project_of
from planner.projection import transform_xy
from planner.rules import Rules
from planner.session import load_upload
from planner.styles import INFO_COLOUR, STATUS_COLOURS
from planner.workers import available_cpus, spool, spooled, unspooled
from planner.writers import replace_folder, write_outputs
from planner.writers.csv import write_csv

log = get_logger(__name__)

MANIFEST_COLUMNS = ("community", "site", "requests", "options")
STAMP = ".planner-batch.json"
"""Inside each community's folder: the inputs' hash, the outcome and its summary row."""
SUMMARY = "city_summary.csv"
FAILURES = "failures.csv"
GPKG = "city.gpkg"
OVERVIEW = "city_overview.pdf"


# ----------------------------------------------------------------------- the manifest ---


@dataclass(frozen=True)
class Entry:
    """One manifest row: paths resolved against the manifest's folder."""

    community: str
    site: Path
    requests: Path | None
    options: str
    line: int


def read_manifest(path: Path) -> list[Entry]:
    """The manifest's rows, or a :class:`PlannerError` naming the row and the fix. A row
    whose files are missing is kept: that community fails alone."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PlannerError(
            f"manifest '{path}': cannot be read ({exc.strerror}). Fix: check the path."
        ) from None
    except UnicodeDecodeError:
        raise PlannerError(
            f"manifest '{path}': not UTF-8 text. Fix: save it as CSV UTF-8 in Excel."
        ) from None
    rows = list(csv.reader(io.StringIO(text)))
    head = [h.strip().lower() for h in rows[0]] if rows else []
    if tuple(head[:2]) != MANIFEST_COLUMNS[:2] or not set(head) <= set(MANIFEST_COLUMNS):
        raise PlannerError(
            f"manifest '{path}': the header is {','.join(head) or '(empty)'}. Fix: start the "
            "file with the header community,site,requests,options (requests and options "
            "may be left empty)."
        )
    base = path.parent
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        cells = dict(zip(head, (c.strip() for c in row), strict=False))
        community, site = cells.get("community", ""), cells.get("site", "")
        community = mask_text(community)[0]  # it names a folder and rows of the summaries
        if not community or not site:
            raise PlannerError(
                f"manifest '{path}' line {n}: the community id or its site is empty. Fix: "
                "give both on every row."
            )
        key = community.casefold()
        if key in seen:
            raise PlannerError(
                f"manifest '{path}' line {n}: community '{community}' is listed already on "
                f"line {seen[key]}. Fix: give each community one row and its own id."
            )
        seen[key] = n
        req = cells.get("requests", "")
        entries.append(
            Entry(community, base / site, base / req if req else None, cells.get("options", ""), n)
        )
    return entries


def parse_options(text: str) -> tuple[dict[str, str], list[str]]:
    """``key=value;...`` split into plan options (:class:`~planner.plan.PlanOptions`
    fields) and rule overrides (``RULE=VALUE`` as ``--set`` takes them)."""
    options: dict[str, str] = {}
    overrides: list[str] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        key, sep, value = (s.strip() for s in part.partition("="))
        if not sep or not key:
            raise PlannerError(
                f"options '{part}': not key=value. Fix: write options as "
                "routing=euclidean;clearance_m=0.2, separated by semicolons."
            )
        if key in PlanOptions.model_fields:
            options[key] = value
        elif key in Rules.model_fields:
            overrides.append(f"{key}={value}")
        else:
            raise PlannerError(
                f"options: unknown option or rule '{key}'. Fix: use a plan option ("
                + ", ".join(PlanOptions.model_fields)
                + ") or a rule name as --set takes it."
            )
    return options, overrides


# ------------------------------------------------------------------------------ a job ---


@dataclass(frozen=True)
class Job:
    """What a worker needs to plan one community: everything as bytes."""

    community: str
    stamp: str
    site_name: str
    site: bytes
    requests: bytes | None
    options: str
    formats: tuple[str, ...]
    notices: bool
    limits: Limits


@dataclass(frozen=True)
class Outcome:
    """What comes back: the package's files (relative path -> bytes), the summary row,
    or the message that refused the community."""

    community: str
    stamp: str
    files: dict[str, bytes] = field(default_factory=dict)
    row: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0


def run_job(job: Job) -> Outcome:
    """Plan one community from its bytes and return its package: a pure function of the
    job (the worker's clock and temporary folder aside)."""
    start = time.perf_counter()
    try:
        with Deadline.of(job.limits).active(), reporting(None):
            files, row = _plan_package(job)
    except PlannerError as exc:
        return Outcome(
            job.community,
            job.stamp,
            row=_failure_row(job.community),
            error=_clean(str(exc)),
            seconds=time.perf_counter() - start,
        )
    except Exception as exc:  # a bug in one community must not stop the city
        return Outcome(
            job.community,
            job.stamp,
            row=_failure_row(job.community),
            error=_clean(f"internal error ({type(exc).__name__}: {exc}); please report it"),
            seconds=time.perf_counter() - start,
        )
    return Outcome(job.community, job.stamp, files, row, None, time.perf_counter() - start)


def _clean(message: str) -> str:
    return mask_text(printable(message))[0]


def _plan_package(job: Job) -> tuple[dict[str, bytes], dict[str, Any]]:
    site = load_upload(job.site_name, job.site, requests_csv=job.requests, limits=job.limits)
    saved, saved_rules = project_of(site)
    given, overrides = parse_options(job.options)
    rules = saved_rules.with_overrides(overrides)
    options = with_overrides(
        saved,
        [f"{k}={v}" for k, v in given.items()],
        flag="options",
        noun="option",
        example="routing=euclidean",
        fix="give a value the option takes (planner plan --help lists them)",
    )
    plan = make_plan(site, rules, options=options)
    with tempfile.TemporaryDirectory(prefix="planner-batch-") as tmp:
        out = Path(tmp) / "package"
        write_outputs(plan, out, formats=job.formats, notices=job.notices)
        files = {
            p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*"))
            if p.is_file()
        }
    return files, summary_row(plan, job.community)


# ---------------------------------------------------------------------- the summary ---

COLUMNS = (
    "community",
    "status",
    "levels",
    "compartments",
    "requests",
    "planned",
    "pending",
    "deferred",
    "blocked",
    "connected_kw",
    "demand_kw",
    "capacity_kw",
    "spare_chargers",
    "cable_m",
    "tray_m",
    "owners_cost_cny",
    "build_out_chargers",
    "build_out_demand_kw",
    "build_out_fits",
    "failure",
    "seconds",
)
"""``city_summary.csv``'s columns, one row per community. capacity_kw and spare_chargers
sum the compartments whose capacity is known (blank when none is); build_out_fits is
``yes`` when every compartment's capacity serves its build-out, ``no`` when one does not."""


def _failure_row(community: str) -> dict[str, Any]:
    return {"community": community, "status": "failed"}


def summary_row(plan: Any, community: str) -> dict[str, Any]:
    """One community's figures for the city summary (``outline`` aside: its site outline
    as WKB in EPSG:4326, or ``None`` for a local site)."""
    comps = plan.compartments
    counts = plan.counts()
    caps = [c.capacity_kw for c in comps if c.capacity_kw is not None]
    spares = [c.spare_chargers for c in comps if c.spare_chargers is not None]
    costs = [c.cost_cny for c in plan.cables]
    builds = [c.build_out for c in comps if c.build_out]
    fits = [b.get("fits") for b in builds]
    return {
        "community": community,
        "status": "planned",
        "levels": len(plan.site.levels),
        "compartments": len(comps),
        "requests": len(plan.requests),
        **counts,
        "connected_kw": round(sum(c.connected_kw for c in comps), 1),
        "demand_kw": round(sum(c.demand_kw for c in comps), 2),
        "capacity_kw": round(sum(caps), 1) if caps else None,
        "spare_chargers": sum(spares) if spares else None,
        "cable_m": round(sum(c.cable_m for c in comps), 1),
        "tray_m": round(sum(c.tray_m for c in comps), 1),
        "owners_cost_cny": round(sum(c for c in costs if c is not None), 2),
        "build_out_chargers": sum(b.get("chargers", 0) for b in builds) if builds else None,
        "build_out_demand_kw": round(sum(b.get("demand_kw", 0.0) for b in builds), 2)
        if builds
        else None,
        "build_out_fits": None if not builds or None in fits else ("yes" if all(fits) else "no"),
        "outline": _outline_wkb(plan.site),
    }


def _outline_wkb(site: Any) -> bytes | None:
    """The site's outline (the union of its levels') in EPSG:4326, where it is
    georeferenced."""
    if site.frame.crs is None or not site.levels:
        return None
    outline = shapely.union_all([lv.outline for lv in site.levels])
    drawn = site.frame.to_source(outline)
    to_wgs = Transformer.from_crs(site.frame.source_crs, "EPSG:4326", always_xy=True)
    return bytes(shapely.to_wkb(transform_xy(drawn, to_wgs.transform)))


# --------------------------------------------------------------------- the batch run ---


@dataclass
class BatchResult:
    """What a batch run did: the summary row of every community in manifest order, which
    were planned now, which were skipped (their stamp matched) and which failed."""

    rows: list[dict[str, Any]]
    ran: list[str]
    skipped: list[str]
    failed: dict[str, str]
    written: list[Path]


def source_hash() -> str:
    """A hash of the installed planner's source, templates and data: a new version
    redoes every community."""
    root = Path(__file__).parent
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix not in (".pyc",) and "__pycache__" not in p.parts:
            h.update(p.relative_to(root).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def _site_bytes(path: Path) -> tuple[str, bytes]:
    """A site file's name and bytes; an IMDF folder travels as a zip built in memory."""
    if path.is_dir():
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for p in sorted(path.rglob("*")):
                if p.is_file():
                    info = zipfile.ZipInfo(p.relative_to(path).as_posix())  # no mtime
                    z.writestr(info, p.read_bytes())
        return f"{path.name}.zip", buffer.getvalue()
    return path.name, path.read_bytes()


def _job(
    entry: Entry, *, formats: tuple[str, ...], notices: bool, limits: Limits, code: str
) -> Job | Outcome:
    """The job of one row, or its failure when an input cannot be read."""
    try:
        if not entry.site.exists():
            raise FileNotFoundError(entry.site)
        name, site = _site_bytes(entry.site)
        requests = entry.requests.read_bytes() if entry.requests else None
    except OSError as exc:
        missing = exc.filename or entry.site
        error = _clean(
            f"manifest line {entry.line}: '{missing}' cannot be read "
            f"({exc.strerror or 'no such file'}). Fix: give a path relative to the manifest."
        )
        # stamped by what was tried and why it failed: a rerun with the file still
        # missing changes nothing, one with the file back plans it
        stamp = _digest((entry.community.encode(), b"unreadable", error.encode(), code.encode()))
        return Outcome(entry.community, stamp, row=_failure_row(entry.community), error=error)
    stamp = _digest(
        (
            entry.community.encode(),
            name.encode(),
            site,
            requests or b"",
            entry.options.encode(),
            ",".join(formats).encode(),
            str(notices).encode(),
            limits.model_dump_json().encode(),
            code.encode(),
        )
    )
    return Job(
        entry.community,
        stamp,
        name,
        site,
        requests,
        entry.options,
        formats,
        notices,
        limits,
    )


def _digest(parts: Iterable[bytes]) -> str:
    """One hash over ``parts``, each hashed alone first (no ambiguity where one ends)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def _read_stamp(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_package(out: Path, folder: str, outcome: Outcome) -> None:
    """Write one community's folder whole: a temporary folder renamed into place, the
    stamp last inside it, so a folder with a stamp is always complete."""
    target = out / folder
    stage = Path(tempfile.mkdtemp(dir=out, prefix=f".{folder}.partial-"))
    try:
        for rel, data in outcome.files.items():
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        row = {k: v for k, v in outcome.row.items() if k != "outline"}
        outline = outcome.row.get("outline")
        stamp = {
            "stamp": outcome.stamp,
            "community": outcome.community,
            "error": outcome.error,
            "row": row,
            "outline": outline.hex() if outline else None,
            "seconds": round(outcome.seconds, 3),
        }
        (stage / STAMP).write_text(json.dumps(stamp, ensure_ascii=False), encoding="utf-8")
        replace_folder(stage, target)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _clear_partials(out: Path) -> None:
    """Folders an interrupted run left half-written (never taken for complete: they start
    with a dot and hold no stamp until renamed)."""
    for p in out.glob(".*.partial-*"):
        shutil.rmtree(p, ignore_errors=True)
    for p in out.glob(".*.old-*"):
        shutil.rmtree(p, ignore_errors=True)


Progress = Callable[[int, int, int, float], None]
"""Told after each community: done, failed, remaining, seconds since the start."""


def run_batch(
    manifest: Path,
    out: Path,
    *,
    formats: Iterable[str] = ("geojson", "csv"),
    notices: bool = False,
    scheduler: str | None = None,
    workers: int | None = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
) -> BatchResult:
    """Plan every community of ``manifest`` into ``out``; see the module's docstring.
    ``scheduler``: a Dask scheduler's address (``tcp://host:port``); without it, a local
    pool of ``workers`` processes (default: every core)."""
    entries = read_manifest(manifest)
    limits = limits or Limits()
    fmts = tuple(formats)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PlannerError(
            f"--out '{out}': cannot be created ({exc.strerror}). Fix: choose a folder you "
            "may write to."
        ) from None
    _clear_partials(out)
    folders = safe_names([e.community for e in entries])
    code = source_hash()
    outcomes: dict[str, Outcome] = {}
    rows: dict[str, dict[str, Any]] = {}
    outlines: dict[str, bytes | None] = {}
    jobs: list[Job] = []
    skipped: list[str] = []
    for e in entries:
        job = _job(e, formats=fmts, notices=notices, limits=limits, code=code)
        stamp = _read_stamp(out / folders[e.community])
        if isinstance(job, Outcome):  # unreadable input: its folder holds only the failure,
            outcomes[e.community] = job  # never an earlier run's package for another input
            rows[e.community] = {**job.row, "failure": job.error}
            if stamp is None or stamp.get("stamp") != job.stamp:
                _write_package(out, folders[e.community], job)
            continue
        if stamp is not None and stamp.get("stamp") == job.stamp:
            skipped.append(e.community)
            rows[e.community] = {**stamp["row"], "failure": stamp.get("error")}
            outlines[e.community] = bytes.fromhex(stamp["outline"]) if stamp["outline"] else None
            continue
        jobs.append(job)
    log.info(
        "%d communities: %d to plan, %d unchanged, %d unreadable",
        len(entries),
        len(jobs),
        len(skipped),
        len(outcomes),
    )
    ran: list[str] = []
    start = time.monotonic()
    failed_now = sum(1 for o in outcomes.values() if o.error)
    for done, outcome in enumerate(_results(jobs, scheduler=scheduler, workers=workers), 1):
        _write_package(out, folders[outcome.community], outcome)
        ran.append(outcome.community)
        rows[outcome.community] = {
            **{k: v for k, v in outcome.row.items() if k != "outline"},
            "failure": outcome.error,
            "seconds": round(outcome.seconds, 2),
        }
        outlines[outcome.community] = outcome.row.get("outline")
        if outcome.error:
            log.warning("community %s failed: %s", outcome.community, outcome.error)
        else:
            log.info("community %s planned in %.1f s", outcome.community, outcome.seconds)
        failed_now += outcome.error is not None
        if progress is not None:
            progress(done, failed_now, len(jobs) - done, time.monotonic() - start)
    ordered = [rows[e.community] for e in entries]
    failed = {r["community"]: r["failure"] for r in ordered if r.get("failure")}
    written = write_city(out, ordered, [outlines.get(e.community) for e in entries])
    return BatchResult(ordered, ran, skipped, failed, written)


def _results(jobs: list[Job], *, scheduler: str | None, workers: int | None) -> Iterator[Outcome]:
    """Each job's outcome as it completes: on the Dask cluster at ``scheduler``, else on
    a local process pool. An interrupt cancels what has not started."""
    if not jobs:
        return
    if scheduler is not None:
        yield from _dask_results(jobs, scheduler)
        return
    yield from local_results(run_job, jobs, workers=workers)


def local_results(
    work: Callable[[Job], Outcome], jobs: list[Job], *, workers: int | None
) -> Iterator[Outcome]:
    """``work(job)`` for every job on a pool of fresh processes, each outcome as it
    completes; a worker that dies (killed, out of memory) is a :class:`PlannerError`.

    Each outcome comes back as a file (:func:`planner.workers.spooled`), never through the
    pool's pipe, where a worker killed mid-send would hang the run. ``work`` must be a
    module-level function."""
    n = max(1, min(workers or available_cpus(), len(jobs)))
    # spawn: a fresh interpreter per worker, the same on every platform
    context = multiprocessing.get_context("spawn")
    with (
        spool() as folder,
        concurrent.futures.ProcessPoolExecutor(max_workers=n, mp_context=context) as pool,
    ):
        futures = [pool.submit(spooled, folder, work, job) for job in jobs]
        try:
            for future in concurrent.futures.as_completed(futures):
                yield cast(Outcome, unspooled(future.result()))
        except BrokenProcessPool:
            raise PlannerError(
                "a worker process died (killed, or out of memory) while planning; the "
                "communities finished so far are kept. Fix: run the same command again to "
                "resume, with fewer --workers if memory ran out."
            ) from None
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _dask_results(jobs: list[Job], scheduler: str) -> Iterator[Outcome]:
    try:
        from distributed import Client, as_completed  # noqa: PLC0415 - only with --scheduler
    except ImportError:  # pragma: no cover - a dependency
        raise PlannerError(
            "--scheduler needs dask.distributed. Fix: pip install 'dask[distributed]'."
        ) from None
    try:
        client = Client(scheduler, timeout="20s")  # type: ignore[no-untyped-call]
    except OSError as exc:
        raise PlannerError(
            f"--scheduler '{scheduler}': no Dask scheduler answers there ({exc}). Fix: start "
            "one (dask scheduler) and its workers, or leave --scheduler out to run locally."
        ) from None
    with client:
        # the key names the community and its inputs' hash: Dask reruns a dead worker's task
        futures = [
            client.submit(run_job, job, key=f"planner-{job.stamp[:20]}", pure=False) for job in jobs
        ]
        try:
            for future in as_completed(futures):  # type: ignore[no-untyped-call]
                yield future.result()
        finally:
            client.cancel(futures)  # type: ignore[no-untyped-call]


# ------------------------------------------------------------------- the city files ---


def write_city(out: Path, rows: list[dict[str, Any]], outlines: list[bytes | None]) -> list[Path]:
    """``city_summary.csv``, ``failures.csv``, ``city.gpkg`` and ``city_overview.pdf``, each
    written to a temporary name and renamed."""
    written = []
    cells = [[_cell(r.get(c)) for c in COLUMNS] for r in rows]
    written.append(_atomic(out / SUMMARY, lambda p: write_csv(p, list(COLUMNS), cells)))
    fails = [[r["community"], r["failure"]] for r in rows if r.get("failure")]
    written.append(_atomic(out / FAILURES, lambda p: write_csv(p, ["community", "failure"], fails)))
    written.append(_atomic(out / GPKG, lambda p: _write_gpkg(p, rows, outlines)))
    written.append(_atomic(out / OVERVIEW, lambda p: _write_overview(p, rows)))
    return written


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else str(value)
    return str(value)


def _atomic(path: Path, write: Callable[[Path], Any]) -> Path:
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}{path.suffix}")
    try:
        write(tmp)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _write_gpkg(path: Path, rows: list[dict[str, Any]], outlines: list[bytes | None]) -> None:
    geoms = [None if w is None else shapely.from_wkb(w) for w in outlines]
    gdf = gpd.GeoDataFrame(
        [{c: r.get(c) for c in COLUMNS} for r in rows],
        geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"),
    )
    for c in ("build_out_fits", "failure", "status", "community"):
        gdf[c] = gdf[c].astype("string")
    for c in _COUNTS:  # whole numbers stay whole beside a failed community's blanks
        gdf[c] = gdf[c].astype("Int64")
    gdf.to_file(path, layer="communities", driver="GPKG")


_STATUSES = ("planned", "pending", "deferred", "blocked")


def _write_overview(path: Path, rows: list[dict[str, Any]]) -> None:
    """One A4 page: the city's figures, requests by status, the communities with the most
    deferred or blocked requests, and the failures."""
    import matplotlib as mpl  # noqa: PLC0415 - matplotlib only for the overview
    from matplotlib.backends.backend_pdf import PdfPages  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    from planner.drawing import style  # noqa: PLC0415

    with mpl.rc_context(style()), PdfPages(path, metadata={"Title": "城市充电设施规划汇总"}) as pdf:
        fig = Figure(figsize=(210 / 25.4, 297 / 25.4))
        _overview_head(fig, rows)
        _overview_bars(fig, rows)
        y = _overview_worst(fig, rows, top=0.64)
        _overview_failures(fig, rows, top=y - 0.04)
        pdf.savefig(fig)


def _held(row: dict[str, Any]) -> int:
    return int(row.get("deferred") or 0) + int(row.get("blocked") or 0)


def _overview_head(fig: Any, rows: list[dict[str, Any]]) -> None:
    ok = [r for r in rows if r.get("status") == "planned"]
    requests = sum(int(r.get(s) or 0) for r in rows for s in _STATUSES)
    failed = sum(1 for r in rows if r.get("failure"))
    fig.text(0.5, 0.95, "城市住宅小区充电设施规划汇总", ha="center", va="top", fontsize=16)
    fig.text(
        0.5,
        0.92,
        f"小区 {len(rows)} 个：已规划 {len(ok)}，未能规划 {failed}；申请 {requests} 个    "
        f"{datetime.date.today().isoformat()}",
        ha="center",
        va="top",
        fontsize=10,
    )
    sums = {c: sum(float(r.get(c) or 0) for r in ok) for c in _TOTALS}
    fig.text(
        0.5,
        0.895,
        f"接入 {sums['connected_kw']:,.0f} kW，需用 {sums['demand_kw']:,.0f} kW，容量 "
        f"{sums['capacity_kw']:,.0f} kW；电缆 {sums['cable_m']:,.0f} m，桥架 "
        f"{sums['tray_m']:,.0f} m；业主费用估算 {sums['owners_cost_cny']:,.0f} 元",
        ha="center",
        va="top",
        fontsize=9,
        color=INFO_COLOUR,
    )


def _overview_bars(fig: Any, rows: list[dict[str, Any]]) -> None:
    """Requests by status over the city, in the drawings' status colours."""
    totals = [sum(int(r.get(s) or 0) for r in rows) for s in _STATUSES]
    ax = fig.add_axes((0.2, 0.7, 0.7, 0.15))
    ys = list(range(len(_STATUSES)))
    ax.barh(ys, totals, color=[STATUS_COLOURS[s] for s in _STATUSES])
    ax.set_yticks(ys, [t(s, "zh") for s in _STATUSES])
    ax.invert_yaxis()
    for k, n in zip(ys, totals, strict=True):
        ax.text(n, k, f" {n}", va="center", fontsize=9)
    ax.set_title("申请按状态", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)


def _overview_worst(fig: Any, rows: list[dict[str, Any]], *, top: float) -> float:
    """The 15 communities holding the most deferred or blocked requests; returns where
    the table ends."""
    ok = [r for r in rows if r.get("status") == "planned" and _held(r)]
    worst = sorted(ok, key=lambda r: (-_held(r), r["community"]))[:15]
    y = top
    fig.text(0.1, y, "待排队或不可建设的申请最多的小区", fontsize=11, va="top")
    y -= 0.03
    xs = (0.1, 0.42, 0.52, 0.64, 0.8)
    head = ("小区", "申请", t("planned", "zh"), t("deferred", "zh"), t("blocked", "zh"))
    for x, h in zip(xs, head, strict=True):
        fig.text(x, y, h, fontsize=9, va="top", color=INFO_COLOUR)
    for r in worst or [{"community": "（无）"}]:
        y -= 0.022
        cells = [r["community"], r.get("requests", "")] + [
            r.get(s, "") for s in ("planned", "deferred", "blocked")
        ]
        for x, v in zip(xs, cells, strict=True):
            fig.text(x, y, str(v), fontsize=9, va="top")
    return y


def _overview_failures(fig: Any, rows: list[dict[str, Any]], *, top: float) -> None:
    failed = [r for r in rows if r.get("failure")]
    if not failed:
        return
    y = top
    fig.text(0.1, y, f"未能规划的小区（{len(failed)}，详见 {FAILURES}）", fontsize=11, va="top")
    for r in failed[:10]:
        y -= 0.022
        first = str(r["failure"]).splitlines()[0]
        first = first if len(first) <= 80 else first[:79] + "…"
        fig.text(0.1, y, f"{r['community']}：{first}", fontsize=8, va="top")


_COUNTS = (*COLUMNS[2:9], "spare_chargers", "build_out_chargers")
"""The whole-number columns (levels ... blocked, and two more)."""
_TOTALS = ("connected_kw", "demand_kw", "capacity_kw", "cable_m", "tray_m", "owners_cost_cny")


def terminal_progress(stream: Any = None) -> Progress:
    """The CLI's progress: on a terminal a bar (done of all, the failed, the time left at
    the pace so far); otherwise, as in a night's log, a line per community with the same."""
    out = stream or sys.stderr
    if getattr(out, "isatty", lambda: False)():
        return _bar(out)

    def report(done: int, failed: int, remaining: int, spent: float) -> None:
        left = spent / done * remaining if done else 0.0
        print(
            f"planner batch: {done} done, {failed} failed, {remaining} remaining, "
            f"about {_duration(left)} left",
            file=out,
            flush=True,
        )

    return report


def _bar(out: Any) -> Progress:
    from tqdm import tqdm  # noqa: PLC0415 - only on a terminal

    bars: list[Any] = []

    def report(done: int, failed: int, remaining: int, spent: float) -> None:
        if not bars:
            bars.append(tqdm(total=done + remaining, desc="communities", file=out, unit="c"))
        bar = bars[0]
        bar.update(done - bar.n)
        bar.set_postfix(failed=failed, refresh=True)
        if not remaining:
            bar.close()

    return report


def _duration(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}"
