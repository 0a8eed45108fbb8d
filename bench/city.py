"""Benchmark: a city in one run (issue 16 item 8) and the owner papers (issue 15 item 4).

``city``: 200 generated communities of 50-300 stalls (``planner.synthetic.community``, 40%
of the stalls requesting) planned by ``planner batch`` as a fresh process, with 1 and with 2
local workers; communities per minute and the projection for the city's 2,000.
``papers``: the 5,000-stall basement planned with ``--combined-notices`` (10,000 owner papers
and their combined PDF) as a fresh process; wall time and peak memory.
Run from bench/run.py (``--only city papers``), which writes the sections of RESULTS.md.
"""

from __future__ import annotations

import contextlib
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.synthetic import collection, community  # noqa: E402

SIZES = (50, 80, 120, 160, 200, 250, 300)
CITY = 200
FORMATS = "geojson,gpkg,dxf,csv"
"""The package without drawings: a city run overnight makes the drawings of the communities
the surveyors take up next (``planner plan`` per community)."""


def make_city(folder: Path, n: int = CITY) -> Path:
    """``n`` communities cycling through ``SIZES``, every fifth drawn in lon/lat."""
    (folder / "sites").mkdir(parents=True, exist_ok=True)
    rows = [["community", "site", "requests", "options"]]
    for k in range(n):
        lonlat = (103.7 + 0.002 * k, 36.05) if k % 5 == 0 else None
        feats = community(SIZES[k % len(SIZES)], name=f"小区{k:04d}", lonlat=lonlat, share=0.4)
        path = folder / "sites" / f"Q{k:04d}.geojson"
        path.write_text(json.dumps(collection(feats), ensure_ascii=False), encoding="utf-8")
        rows.append([f"Q{k:04d}", f"sites/{path.name}", "", ""])
    manifest = folder / "manifest.csv"
    with manifest.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    return manifest


def _timed(args: list[str]) -> tuple[float, float]:
    """Wall seconds of ``planner ARGS`` in a fresh process, and its own peak RSS in MB
    (the batch's worker processes not included)."""
    wall, rss, _ = _timed_run(args)
    return wall, rss


def _timed_run(args: list[str]) -> tuple[float, float, str]:
    """As :func:`_timed`, with the run's stderr (the planner's log under ``-v``)."""
    wall, rss, _, log = _timed_tree(args)
    return wall, rss, log


PEAK_MB = """
def _peak_mb():
    # VmHWM starts afresh at exec; ru_maxrss keeps the forking parent's peak across exec
    # (a benchmark process grown to 600 MB made every child it started look that big)
    try:
        with open("/proc/self/status") as status:
            return next(int(ln.split()[1]) for ln in status if ln.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""
"""The source of ``_peak_mb()``, a child process's own peak RSS in MB, for the code the
benchmarks run in fresh processes."""


def _timed_tree(args: list[str]) -> tuple[float, float, dict[str, float], str]:
    """Wall seconds of ``planner ARGS`` in a fresh process, its own peak RSS in MB, the
    peaks of its whole process tree (itself and its worker processes, sampled every 0.2 s
    with psutil) in MB and its stderr. The tree's memory is the sum of the processes'
    proportional set sizes (``pss``: a page shared by n processes counts 1/n in each, so
    the shared libraries and the forkserver's preloaded modules count once); the sum of
    their RSS, which counts each shared page in every process, is given beside it."""
    import psutil

    code = PEAK_MB + (
        "import sys; from planner.cli import main; rc = main(sys.argv[1:]);"
        "print('BENCH', _peak_mb(), file=sys.stderr); sys.exit(rc)"
    )
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        run = subprocess.Popen(
            [sys.executable, "-c", code, *args], stdout=out, stderr=err, cwd=ROOT
        )
        tree_mb = {"pss": 0.0, "rss": 0.0}
        root = psutil.Process(run.pid)
        while run.poll() is None:
            with contextlib.suppress(psutil.Error):
                procs = [root, *root.children(recursive=True)]
                total = {"pss": 0, "rss": 0}
                for proc in procs:
                    with contextlib.suppress(psutil.Error):
                        info = proc.memory_full_info()
                        total["pss"] += info.pss
                        total["rss"] += info.rss
                for key, value in total.items():
                    tree_mb[key] = max(tree_mb[key], value / 2**20)
            time.sleep(0.2)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if run.returncode != 0:
        raise SystemExit(f"planner {' '.join(args)} failed:\n{stdout[-2000:]}\n{stderr[-2000:]}")
    line = next(ln for ln in stderr.splitlines() if ln.startswith("BENCH"))
    return wall, float(line.split()[1]), tree_mb, stderr


def measure_city(n: int = CITY, workers: tuple[int, ...] = (1, 2)) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        manifest = make_city(Path(tmp), n)
        stalls = sum(SIZES[k % len(SIZES)] for k in range(n))
        out: dict[str, Any] = {"communities": n, "stalls": stalls, "runs": {}}
        for w in workers:
            target = Path(tmp) / f"out{w}"
            cmd = ["-q", "batch", str(manifest)]
            wall, _ = _timed(
                [*cmd, "--out", str(target), "--formats", FORMATS, "--workers", str(w)]
            )
            again, _ = _timed(
                [*cmd, "--out", str(target), "--formats", FORMATS, "--workers", str(w)]
            )
            out["runs"][w] = {"seconds": wall, "per_minute": n / wall * 60, "rerun_s": again}
        return out


def city_section(m: dict[str, Any]) -> list[str]:
    lines = [
        "<!-- city:start -->",
        "## A city in one run (bench/city.py)",
        "",
        f"`planner batch` on {m['communities']} generated communities ({m['stalls']:,} stalls "
        f"of 50-300 per community, 40% requesting), `--formats {FORMATS}`, a fresh process "
        "per run, on this 2-core machine; the rerun finds every stamp matching and plans "
        "nothing.",
        "",
        "| workers | seconds | communities per minute | 2,000 communities | rerun s |",
        "|---:|---:|---:|---:|---:|",
    ]
    for w, r in m["runs"].items():
        projection = 2000 / r["per_minute"]
        lines.append(
            f"| {w} | {r['seconds']:.1f} | {r['per_minute']:.0f} | {projection:.0f} min | "
            f"{r['rerun_s']:.1f} |"
        )
    lines.append("<!-- city:end -->")
    return lines


def measure_papers(site: Path, repeats: int = 1) -> dict[str, Any]:
    walls, peaks = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            cmd = ["-q", "plan", str(site), "--out", tmp]
            wall, peak = _timed([*cmd, "--formats", "geojson", "--combined-notices"])
            papers = len(list(Path(tmp, "notices").glob("*.pdf")))
            combined = Path(tmp, "notices", "owner-papers.pdf").stat().st_size
        walls.append(wall)
        peaks.append(peak)
    return {
        "seconds": statistics.median(walls),
        "rss_mb": max(peaks),
        "files": papers,
        "combined_mb": combined / 1e6,
    }


def measure_package(site: Path, repeats: int = 3) -> dict[str, Any]:
    """The whole package of ``site`` (every format, the owner papers and their combined
    PDF), ``repeats`` times, each in a fresh process: the median wall seconds, the largest
    peak RSS and tree memory, the approval PDF's pages, the files, and each progress
    stage's seconds from the planner's own log (``-v``) in the median run."""
    runs = [_package_run(site) for _ in range(max(1, repeats))]
    runs.sort(key=lambda m: m["seconds"])
    median = runs[len(runs) // 2]
    return {
        **median,
        "walls": [m["seconds"] for m in runs],
        "rss_mb": max(m["rss_mb"] for m in runs),
        "tree_mb": {k: max(m["tree_mb"][k] for m in runs) for k in median["tree_mb"]},
    }


def _package_run(site: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["-v", "plan", str(site), "--out", tmp, "--notices", "--combined-notices"]
        cmd += ["--limit", "time_budget_s=3600"]  # the default 300 s could stop a slow host
        wall, rss, tree_mb, log = _timed_tree(cmd)
        import pikepdf

        with pikepdf.open(Path(tmp, "approval.pdf")) as pdf:
            pages = len(pdf.pages)
        files = sum(1 for p in Path(tmp).rglob("*") if p.is_file())
        size_mb = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file()) / 1e6
    stages: dict[str, float] = {}
    for line in log.splitlines():
        if ": done in " in line and line.rstrip().endswith(" s"):
            what, _, spent = line.rpartition(": done in ")
            name = what.split("planner.progress: ", 1)[-1].strip()
            stages[name] = stages.get(name, 0.0) + float(spent.split()[0])
    return {
        "seconds": wall,
        "rss_mb": rss,
        "tree_mb": tree_mb,
        "pages": pages,
        "files": files,
        "size_mb": size_mb,
        "stages": stages,
    }


def package_section(m: dict[str, Any]) -> list[str]:
    walls = ", ".join(f"{w:.1f}" for w in m["walls"])
    return [
        "<!-- package:start -->",
        "## The whole package at 5,000 stalls (bench/city.py)",
        "",
        "The 4,992-stall basement by `planner plan SITE --notices --combined-notices` (every "
        "format: approval.pdf, a PNG and an SVG per layout sheet, GeoJSON, GeoPackage, DXF, "
        "CSV, a notice and a commitment per request and their combined PDF), a fresh process "
        "per run using every core (layout sheets and owner papers on worker processes), "
        f"median of {len(m['walls'])} runs: {m['seconds']:.1f} s wall ({walls}; target "
        f"60 s), peak RSS {m['rss_mb']:.0f} MB, and "
        f"{m['tree_mb']['pss']:.0f} MB with its workers (their proportional set sizes, "
        f"sampled; target 1 GB; the sum of their RSS, counting every shared page in each "
        f"process, {m['tree_mb']['rss']:.0f} MB); approval.pdf "
        f"of {m['pages']:,} pages, {m['files']:,} files, {m['size_mb']:.0f} MB. Commit "
        f"`{m.get('commit', '?')}`.",
        "",
        "| stage (the planner's log, median run) | seconds |",
        "|---|---:|",
        *(f"| {name} | {s:.1f} |" for name, s in m["stages"].items()),
        "",
        "The stages overlap: the layout sheets draw on the workers from the start of writing, "
        "while this process writes the data files and typesets the approval PDF's text "
        "pages; the owner papers (typeset and split per chunk of 500 requests) follow.",
        "<!-- package:end -->",
    ]


def papers_section(m: dict[str, Any], plan_s: float | None) -> list[str]:
    lines = [
        "<!-- papers:start -->",
        "## The owner papers (bench/city.py)",
        "",
        "The 4,992-stall basement (every stall planned) by `planner plan SITE --formats geojson "
        f"--combined-notices`, a fresh process: {m['seconds']:.1f} s wall, peak RSS "
        f"{m['rss_mb']:.0f} MB, {m['files']:,} files in notices/ (a notice and a commitment "
        f"per request, and owner-papers.pdf of {m['combined_mb']:.0f} MB with a bookmark per "
        "request).",
    ]
    if plan_s is not None:
        lines.append(
            f"The plan alone takes {plan_s:.1f} s, so the papers take about "
            f"{m['seconds'] - plan_s:.0f} s (matplotlib took about 0.25 s per paper: 40 min)."
        )
    lines.append("<!-- papers:end -->")
    return lines
