"""Benchmark: plan a two-level basement where every stall requests a charger.

    .venv/bin/python bench/run.py            # all sizes, writes bench/RESULTS.md
    .venv/bin/python bench/run.py --quick    # 500 and 1,000 stalls only, prints, writes nothing
    .venv/bin/python bench/run.py --only floor desk peer --baseline COMMIT  # some sections

Each size is planned by the real command line (``planner plan SITE --out DIR --formats
geojson``) in a fresh process, timed wall-clock, with the peak resident memory of that
process. The euclidean comparison against extremitypathfinder needs it installed
(``pip install --no-deps extremitypathfinder``: it pins numpy<2 but runs on numpy 2;
never a dependency of the project); it is skipped with a note otherwise.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import city  # noqa: E402
from planner.synthetic import (  # noqa: E402
    STRIP_M,
    Block,
    LevelDrawing,
    collection,
    cut_compartments,
    feature,
)

FIRE = dict.fromkeys(
    ("fire_alarm", "smoke_exhaust", "sprinklers", "emergency_lighting", "evacuation_signs"),
    True,
)
DOCS = ["id_document", "property_consent", "parking_certificate"]
STRIPS = 8
ROWS = 4  # compartments stacked across the strips (every two strips)


def basement(
    stalls: int,
    *,
    columns_of_compartments: int = 5,
    levels: int = 2,
    strips: int = STRIPS,
    rows: int = ROWS,
) -> dict[str, Any]:
    """``levels`` levels, ``stalls`` in all, levels x ``rows`` x columns compartments (a
    row every ``strips / rows`` strips), every stall requesting."""
    bays = max(1, round(stalls / (levels * strips * 6)))
    cols = max(1, min(columns_of_compartments, bays))
    feats = [feature("site", None, name="基准测试车库", community="基准测试小区")]
    day = 0
    for n in range(1, levels + 1):
        level_id = f"B{n}"
        block = Block(bays=bays, strips=strips)
        level = LevelDrawing(
            id=level_id,
            props={"name": f"地下{n}层", "garage_type": "underground", "floor": -n, **FIRE},
            blocks=[block],
            stall_prefix=f"{level_id}-",
        )
        xcuts = [block.column_x(round(bays * k / cols)) for k in range(1, cols)]
        ycuts = [k * STRIP_M * strips / rows for k in range(1, rows)]
        polys = cut_compartments(block.outline, xs=xcuts, ys=ycuts)
        level.compartments = [
            (f"{level_id}-FQ{k:03d}" if rows * cols > 99 else f"{level_id}-FQ{k:02d}", p,
             {"capacity_kw": 2000})
            for k, p in enumerate(polys, start=1)
        ]  # fmt: skip
        lfeats = level.features()
        feats += lfeats
        for f in lfeats:
            if f["properties"]["kind"] == "space":
                day += 1
                feats.append(
                    feature(
                        "request",
                        None,
                        id=f"R{day:05d}",
                        space=f["properties"]["id"],
                        charger_kw=7,
                        documents=DOCS,
                        registered=f"2024-01-01T{(day // 3600) % 24:02d}:"
                        f"{(day // 60) % 60:02d}:{day % 60:02d}",
                    )
                )
    return collection(feats)


def _compiled(package: Path) -> None:
    """The package's bytecode written before anything is timed, as ``pip install`` writes
    it: a checkout run with ``PYTHONDONTWRITEBYTECODE`` set (as this machine's shells
    are) would otherwise compile every planner module again in every fresh process,
    0.25 s of a plan here that no installed copy pays."""
    if not compileall.compile_dir(package, quiet=1):
        raise SystemExit(f"could not compile {package}")


def _run_cli(site: Path, out: Path, routing: str = "rectilinear") -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one ``planner plan`` in a fresh process."""
    code = city.PEAK_MB + (
        "import sys, time;"
        "from planner.cli import main;"
        "t = time.perf_counter();"
        f"rc = main(['plan', {str(site)!r}, '--out', {str(out)!r}, '--formats', 'geojson',"
        f" '--routing', {routing!r}]);"
        "dt = time.perf_counter() - t;"
        "print('BENCH', dt, _peak_mb(), file=sys.stderr);"
        "sys.exit(rc)"
    )
    t0 = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    wall = time.perf_counter() - t0
    if run.returncode != 0:
        raise SystemExit(f"planner plan failed:\n{run.stdout}\n{run.stderr}")
    line = next(ln for ln in run.stderr.splitlines() if ln.startswith("BENCH"))
    _, _inner, rss = line.split()
    return wall, float(rss)


def _fresh(code: str) -> float:
    """Wall seconds of ``python -c code`` in a fresh process (start-up included)."""
    t0 = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if run.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{run.stdout}\n{run.stderr}")
    return time.perf_counter() - t0


def versus_floor(sites: dict[str, Path], out: Path, repeats: int) -> dict[str, dict[str, float]]:
    """``planner plan --formats geojson`` against bench/floor.py (the file read and all its
    geometries built in one vectorised call) on each site, all as fresh processes, taken in
    turn (floor and plan of one site, then of the next) so that neither a site nor the
    floor gets a quieter machine; medians of ``repeats`` each."""
    floors: dict[str, list[float]] = {name: [] for name in sites}
    plans: dict[str, list[float]] = {name: [] for name in sites}
    for _ in range(repeats):
        for name, site in sites.items():
            floor_code = f"import runpy, sys; sys.argv = ['floor', {str(site)!r}]; " + (
                f"runpy.run_path({str(ROOT / 'bench' / 'floor.py')!r})"
            )
            plan_code = (
                "import sys; from planner.cli import main; "
                f"sys.exit(main(['-q', 'plan', {str(site)!r}, '--out', {str(out)!r}, "
                "'--formats', 'geojson']))"
            )
            floors[name].append(_fresh(floor_code))
            plans[name].append(_fresh(plan_code))
    result = {}
    for name in sites:
        f, p = statistics.median(floors[name]), statistics.median(plans[name])
        result[name] = {"floor_s": f, "plan_s": p, "ratio": p / f}
    return result


def breakdown(site: Path, out: Path, *, code: Path = ROOT) -> dict[str, float]:
    """Seconds per stage of one plan in a fresh process (bench/stages.py: each stage's
    functions timed exclusively, a stage called inside another counted only once), with
    the planner of the tree ``code`` (a worktree of an older commit for "before")."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "stages.py"), str(site), str(out)],
        capture_output=True,
        text=True,
        cwd=code,
        env={**os.environ, "PYTHONPATH": str(code)},
        check=False,
    )
    if run.returncode != 0:
        raise SystemExit(f"bench/stages.py failed:\n{run.stdout}\n{run.stderr}")
    stages: dict[str, float] = json.loads(run.stdout.strip().splitlines()[-1])
    return stages


FLOOR_SIZES = {  # name: (stalls, basement() options)
    "5k": (5000, {}),
    "20k": (20000, {"levels": 1, "strips": 16, "rows": 8, "columns_of_compartments": 20}),
}


def _median_breakdown(site: Path, out: Path, repeats: int) -> dict[str, float]:
    runs = [breakdown(site, out) for _ in range(repeats)]
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def floor_section(repeats: int, baseline: str | None) -> list[str]:
    """The plan against the floor at 5,000 stalls, near-linearity up to 20,000 (one level,
    160 compartments) and where the time goes, before (``baseline``) and now."""
    with tempfile.TemporaryDirectory() as tmp:
        sites = {}
        for name, (n, opts) in FLOOR_SIZES.items():
            sites[name] = Path(tmp) / f"site-{name}.geojson"
            sites[name].write_text(json.dumps(basement(n, **opts), ensure_ascii=False))
        out = Path(tmp) / "out"
        timed = versus_floor(sites, out, repeats)
        five, big = timed["5k"], timed["20k"]
        print(f"5k: plan {five['plan_s']:.2f} s, floor {five['floor_s']:.2f} s", flush=True)
        print(f"20k: plan {big['plan_s']:.2f} s", flush=True)
        rss = _run_cli(sites["5k"], out)[1]
        before = None
        if not baseline:
            now = _median_breakdown(sites["5k"], out, repeats)
        else:  # before and now alternate, so that neither gets a quieter machine
            tree = Path(tmp) / "baseline"
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(tree), baseline],
                cwd=ROOT, check=True, capture_output=True,
            )  # fmt: skip
            _compiled(tree / "planner")
            try:
                runs = [
                    (breakdown(sites["5k"], out, code=tree), breakdown(sites["5k"], out))
                    for _ in range(repeats)
                ]
            finally:
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(tree)],
                    cwd=ROOT, check=False, capture_output=True,
                )  # fmt: skip
            before = {k: statistics.median(b[k] for b, _ in runs) for k in runs[0][0]}
            now = {k: statistics.median(n[k] for _, n in runs) for k in runs[0][1]}
    lines = [
        "<!-- floor:start -->",
        "## Against the floor (bench/floor.py)",
        "",
        "The floor reads the site file with plain `json` and builds all its geometries in "
        "one `shapely.from_geojson` call; `planner -q plan SITE --formats geojson` is timed "
        "against it, both as fresh processes (start-up included; the planner's bytecode "
        "compiled first, as an install has it), the floor and the plan of each site in "
        f"turn, one site after the other, medians of {repeats}. The plan uses every core "
        f"(the compartments on threads); the floor one. Commit `{_commit()}`.",
        "",
        "| site | floor s | plan s | plan / floor | target |",
        "|---|---:|---:|---:|---|",
        f"| 4,992 stalls, 2 levels, 40 compartments | {five['floor_s']:.2f} | "
        f"{five['plan_s']:.2f} | {five['ratio']:.1f} | <= 5 |",
        f"| 19,968 stalls, 1 level, 160 compartments | {big['floor_s']:.2f} | "
        f"{big['plan_s']:.2f} | {big['ratio']:.1f} | |",
        "",
        f"- time(20k) / time(5k): {big['plan_s'] / five['plan_s']:.2f} (target <= 4.5)",
        f"- peak RSS at 5k: {rss:.0f} MB (target < 300 MB)",
        "",
        "Where the time of the 5k plan goes (seconds per stage, `bench/stages.py`: each "
        "stage's functions timed exclusively in a fresh process, the compartments planned "
        "on one thread so that each second has one stage; medians):",
        "",
        "| stage | " + ("before | " if before else "") + "now |",
        "|---|" + ("---:|" if before else "") + "---:|",
    ]
    for k in now:
        was = f"{before.get(k, 0.0):.2f} | " if before else ""
        lines.append(f"| {k} | {was}{now[k]:.2f} |")
    if before:
        lines += ["", f"Before: commit `{baseline}`."]
    return [*lines, "<!-- floor:end -->"]


def peer_section(cmp: dict[str, Any] | None) -> list[str]:
    """The euclidean router against extremitypathfinder, as a marked section."""
    lines = ["<!-- peer:start -->", "## Euclidean router against extremitypathfinder", ""]
    if cmp is None:
        lines.append(
            "Not measured: extremitypathfinder is not installed "
            "(`pip install --no-deps extremitypathfinder`, for the benchmark only)."
        )
    else:
        lines += [
            f"{cmp['compartments']} compartments of the 5,000-stall basement, the same box "
            "and charger points as the plan, clearance 0.1 m, graph building counted on both "
            f"sides; medians of {cmp['runs']} runs (target: at least 50x per route).",
            "",
            f"- routes: {cmp['routes']} (compared: {cmp['compared']})",
            f"- ours: {cmp['ours_s']:.3f} s ({cmp['ours_s'] / cmp['routes'] * 1000:.2f} ms "
            "per route)",
            f"- extremitypathfinder: {cmp['theirs_s']:.3f} s "
            f"({cmp['theirs_s'] / cmp['routes'] * 1000:.2f} ms per route)",
            f"- speed-up: {cmp['speedup']:.1f}x",
            f"- largest relative length difference: {cmp['max_rel_diff']:.2e}",
        ]
    return [*lines, "<!-- peer:end -->"]


def desk_section(d: dict[str, float] | None) -> list[str]:
    """The Zurich desk measurement, as a marked section."""
    lines = ["<!-- desk:start -->", "## The desk on the Zurich L-1 car park (AppTest)", ""]
    if d is None:
        lines.append("Not measured: ../shared/realdata/zurich-airport-L-1-imdf is absent.")
    else:
        lines += [
            "The real `app.py` through `streamlit.testing.v1.AppTest`: the IMDF zip "
            "(523 stalls) uploaded with 40 requests (every 13th stall), completed by "
            f"`bench/zurich-answers.toml`; medians of {d['runs']:.0f} fresh sessions.",
            "",
            "| step | seconds | target |",
            "|---|---:|---|",
            f"| first plan (answers applied) | {d['first plan']:.2f} | < 5 |",
            f"| clearance change (re-routing) | {d['clearance change']:.2f} | < 1 |",
            f"| all files prepared | {d['files']:.2f} | < 10 |",
        ]
    return [*lines, "<!-- desk:end -->"]


def _papers(repeats: int) -> list[str]:
    """The owner papers of the 5k basement, and the plan alone for comparison."""
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site.geojson"
        site.write_text(json.dumps(basement(5000)), encoding="utf-8")
        plan_s = statistics.median(
            _run_cli(site, Path(tmp) / f"o{k}")[0] for k in range(max(1, min(repeats, 3)))
        )
        return city.papers_section(city.measure_papers(site, max(1, min(repeats, 3))), plan_s)


def _package() -> list[str]:
    """The whole package of the 5k basement, median of 3 fresh runs (a minute each)."""
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site.geojson"
        site.write_text(json.dumps(basement(5000)), encoding="utf-8")
        return city.package_section({**city.measure_package(site), "commit": _commit()})


def _replace_section(name: str, lines: list[str]) -> None:
    """Write one marked section of bench/RESULTS.md, the rest kept."""
    results = ROOT / "bench" / "RESULTS.md"
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = "\n".join(lines)
    if start in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    results.write_text(text, encoding="utf-8")


def measure(stalls: int, repeats: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site.geojson"
        doc = basement(stalls)
        site.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        n_stalls = sum(1 for f in doc["features"] if f["properties"]["kind"] == "space")
        n_comp = sum(1 for f in doc["features"] if f["properties"]["kind"] == "compartment")
        walls, rss = [], []
        for _ in range(repeats):
            w, r = _run_cli(site, Path(tmp) / "out")
            walls.append(w)
            rss.append(r)
    return {
        "stalls": n_stalls,
        "compartments": n_comp,
        "median_s": statistics.median(walls),
        "min_s": min(walls),
        "max_s": max(walls),
        "peak_rss_mb": max(rss),
        "runs": repeats,
    }


def versus_extremitypathfinder(repeats: int = 5, min_routes: int = 1000) -> dict[str, Any] | None:
    """Euclidean routing, ours against extremitypathfinder, on the compartments of the
    5,000-stall basement until at least ``min_routes`` routes: the same box and charger
    points, graph building counted on both sides (our Router and route_all; their store,
    prepare and searches), per compartment; medians of ``repeats`` runs."""
    try:
        from extremitypathfinder import PolygonEnvironment
    except ImportError:
        return None
    import numpy as np
    import shapely
    from shapely.geometry.polygon import orient

    from planner.plan import PlanOptions, make_plan
    from planner.readers import parse_site
    from planner.routing import Router

    site = parse_site(json.dumps(basement(5000)).encode())
    plan = make_plan(site, options=PlanOptions(routing="euclidean"))
    cases = []
    for comp in site.compartments:
        box = next(b for b in plan.boxes if b.compartment == comp.id).point
        points = [r.point for r in plan.requests if r.compartment == comp.id and r.point]
        obstacles = [o.geometry for o in site.obstacles if o.level == comp.level]
        cases.append((comp, box, points, obstacles))
        if sum(len(c[2]) for c in cases) >= min_routes:
            break
    ours_runs: list[float] = []
    theirs_runs: list[float] = []
    diffs: list[float] = []
    for _ in range(repeats):
        t_ours = t_theirs = 0.0
        for comp, box, points, obstacles in cases:
            t0 = time.perf_counter()
            router = Router(comp.polygon, obstacles, mode="euclidean", clearance_m=0.1)
            ours = router.route_all(box, points)
            t_ours += time.perf_counter() - t0
            main = orient(max(shapely.get_parts(router.free), key=lambda g: g.area), sign=1.0)
            boundary = [tuple(c) for c in np.asarray(main.exterior.coords)[:-1]]
            holes = [[tuple(c) for c in np.asarray(r.coords)[:-1]] for r in main.interiors]
            t0 = time.perf_counter()
            env = PolygonEnvironment()
            env.store(boundary, holes, validate=False)
            env.prepare()
            theirs = [
                env.find_shortest_path(tuple(box.coords[0]), tuple(p.coords[0]))[1] for p in points
            ]
            t_theirs += time.perf_counter() - t0
            if not ours_runs:  # the lengths compared once: every run finds the same
                diffs += [
                    abs(a.length_m - b) / max(b, 1.0)
                    for a, b in zip(ours, theirs, strict=True)
                    if a is not None and b is not None
                ]
        ours_runs.append(t_ours)
        theirs_runs.append(t_theirs)
    routes = sum(len(c[2]) for c in cases)
    ours_s, theirs_s = statistics.median(ours_runs), statistics.median(theirs_runs)
    return {
        "routes": routes,
        "compartments": len(cases),
        "ours_s": ours_s,
        "theirs_s": theirs_s,
        "speedup": theirs_s / ours_s,
        "max_rel_diff": max(diffs) if diffs else None,
        "compared": len(diffs),
        "runs": repeats,
    }


def render_big_level(stalls: int = 5000) -> dict[str, Any]:
    """Time drawing one level of ``stalls`` stalls, every one requested, to PNG."""
    import json as _json

    from planner.drawing import render_level, save_sheet
    from planner.plan import make_plan
    from planner.readers import parse_site

    doc = basement(stalls * 2)  # two levels of ``stalls`` each; draw the first
    site = parse_site(_json.dumps(doc).encode())
    plan = make_plan(site)
    level = site.levels[0]
    n = sum(1 for s in site.spaces if s.level == level.id)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        fig = render_level(plan, level.id)
        save_sheet(fig, Path(tmp) / "sheet.png")
        seconds = time.perf_counter() - t0
    return {"stalls": n, "seconds": seconds}


def app_reruns(repeats: int = 7) -> dict[str, Any]:
    """The app on the ~200-stall sample c: how long a parameter change takes to show the
    new plan (AppTest reruns, routing cache warm or cold)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.sidebar.selectbox(key="sample").set_value("c").run()
    times: dict[str, list[float]] = {"routing (cold)": [], "voltage drop (cached routes)": []}
    for k in range(repeats):
        t0 = time.perf_counter()
        at.sidebar.number_input(key="clearance").set_value(0.1 + 0.01 * (k + 1)).run()
        times["routing (cold)"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        at.sidebar.number_input(key="vdrop").set_value(3.0 + 0.1 * k).run()
        times["voltage drop (cached routes)"].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def zurich() -> dict[str, Any] | None:
    """The Zurich airport L-1 car park (IMDF, ../shared/realdata): convert it, request 50
    stalls, plan, in a fresh process; wall time and peak RSS. None where it is absent."""
    folder = ROOT.parent / "shared" / "realdata" / "zurich-airport-L-1-imdf"
    if not folder.is_dir():
        return None
    code = (
        city.PEAK_MB
        + f"""
import json, sys, time
t0 = time.perf_counter()
from planner.readers import parse_site
from planner.readers.imdf import convert_imdf
from planner.plan import make_plan
conv = convert_imdf({str(folder)!r})
doc = conv.collection()
lv = next(f for f in doc["features"] if f["properties"]["kind"] == "level")
lv["properties"].update(garage_type="underground", fire_alarm=True, smoke_exhaust=True,
                        sprinklers=True, emergency_lighting=True, evacuation_signs=True)
ids = [f["properties"]["id"] for f in doc["features"] if f["properties"]["kind"] == "space"]
for k, sid in enumerate(ids[:: max(1, len(ids) // 50)][:50]):
    doc["features"].append({{"type": "Feature", "geometry": None, "properties": {{
        "kind": "request", "id": f"Z{{k}}", "space": sid, "charger_kw": 7}}}})
plan = make_plan(parse_site(json.dumps(doc).encode()))
print("BENCH", time.perf_counter() - t0,
      _peak_mb(), len(ids), file=sys.stderr)
"""
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    line = next((ln for ln in run.stderr.splitlines() if ln.startswith("BENCH")), None)
    if line is None:
        raise SystemExit(run.stderr)
    _, secs, rss, stalls = line.split()
    return {"seconds": float(secs), "rss_mb": float(rss), "stalls": int(stalls)}


def desk_zurich(repeats: int = 5) -> dict[str, float] | None:
    """The real app.py through AppTest on the Zurich L-1 car park (523 stalls, IMDF):
    uploaded with 40 requests, completed by bench/zurich-answers.toml; medians of the first
    plan (answers applied to plan on screen), a clearance change (re-routing) and all
    files prepared. None where the real data is absent."""
    import io
    import zipfile

    from streamlit.testing.v1 import AppTest

    folder = ROOT.parent / "shared" / "realdata" / "zurich-airport-L-1-imdf"
    if not folder.is_dir():
        return None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for path in sorted(folder.glob("*.geojson")):
            z.write(path, arcname=path.name)
    ids = [f"L-1-{k:04d}" for k in range(13, 13 * 41, 13)]
    csv = "id,space,charger_kw,registered,documents\n" + "".join(
        f"Z{k:02d},{sid},7,2024-03-{1 + k % 28:02d},id_document;parking_certificate;"
        "property_consent\n"
        for k, sid in enumerate(ids)
    )
    answers = (ROOT / "bench" / "zurich-answers.toml").read_bytes()
    times: dict[str, list[float]] = {"first plan": [], "clearance change": [], "files": []}
    for k in range(repeats):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.run()
        at.sidebar.radio(key="source").set_value("upload").run()
        at.sidebar.file_uploader(key="site_file").upload(
            "zurich-L-1.zip", buffer.getvalue(), "application/zip"
        )
        at.sidebar.file_uploader(key="csv_file").upload("requests.csv", csv.encode(), "text/csv")
        at.run()
        at.file_uploader(key="answers_file").upload("answers.toml", answers, "text/plain")
        at.run()
        t0 = time.perf_counter()
        at.button(key="use_answers").click().run()
        times["first plan"].append(time.perf_counter() - t0)
        plan = at.session_state["last_plan"]
        if plan.counts()["planned"] == 0 or at.exception:
            raise SystemExit(f"the Zurich desk run planned nothing: {plan.counts()}")
        t0 = time.perf_counter()
        at.sidebar.number_input(key="clearance").set_value(0.15 + 0.01 * k).run()
        times["clearance change"].append(time.perf_counter() - t0)
        at.session_state["downloads_open"] = True  # the downloads opened (not timed)
        at.run()
        t0 = time.perf_counter()
        at.button(key="prepare").click().run()
        times["files"].append(time.perf_counter() - t0)
    return {**{name: statistics.median(v) for name, v in times.items()}, "runs": repeats}


def app_memory() -> dict[str, float] | None:
    """The server's RSS after 3 and after 20 rapid parameter changes, from the browser test
    (needs Chromium; None where it is absent)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "rss.json"
        env = {**__import__("os").environ, "PLANNER_RSS_REPORT": str(report)}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/test_app_browser.py::test_memory_stays_flat_over_rapid_changes",
                "--slow",  # the test is marked slow: skipped without it
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            check=False,
        )
        if not report.exists():
            return None
        data: dict[str, float] = json.loads(report.read_text())
        return data


def _commit() -> str:
    run = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return run.stdout.strip() or "unknown"


def main() -> None:  # noqa: PLR0912, PLR0915 - one optional section after another
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["floor", "desk", "peer", "city", "papers", "package"],
        help="measure only these and rewrite their sections of RESULTS.md: floor (the plan "
        "against bench/floor.py, 20k, the stage breakdown), desk (Zurich in the app), "
        "peer (extremitypathfinder), city (planner batch on 200 communities), papers (the "
        "owner papers of 5,000 stalls)",
    )
    parser.add_argument("--baseline", help="commit whose stage breakdown is 'before'")
    args = parser.parse_args()
    _compiled(ROOT / "planner")
    if args.only:
        make: dict[str, Callable[[], list[str]]] = {
            "floor": lambda: floor_section(args.repeats, args.baseline),
            "desk": lambda: desk_section(desk_zurich(args.repeats)),
            "peer": lambda: peer_section(versus_extremitypathfinder(args.repeats)),
            "city": lambda: city.city_section(city.measure_city()),
            "papers": lambda: _papers(args.repeats),
            "package": _package,
        }
        for name in args.only:
            _replace_section(name, make[name]())
            print(f"wrote the {name} section of bench/RESULTS.md", flush=True)
        return
    sizes = (500, 1000) if args.quick else (500, 1000, 2000, 5000)
    rows = []
    for n in sizes:
        row = measure(n, args.repeats)
        rows.append(row)
        print(
            f"{row['stalls']:>6} stalls {row['compartments']:>3} compartments: median "
            f"{row['median_s']:.2f} s, peak RSS {row['peak_rss_mb']:.0f} MB",
            flush=True,
        )
    cmp = None if args.quick else versus_extremitypathfinder()
    sheet = None if args.quick else render_big_level()
    reruns = None if args.quick else app_reruns()
    zrh = None if args.quick else zurich()
    memory = None if args.quick else app_memory()
    if memory:
        print(
            f"app memory: {memory['after_3_mb']:.0f} MB after 3 changes, "
            f"{memory['after_20_mb']:.0f} MB after 20"
        )
    if zrh:
        print(f"Zurich L-1: {zrh['seconds']:.1f} s, {zrh['rss_mb']:.0f} MB")
    if reruns:
        print("app reruns: " + ", ".join(f"{k} {v:.2f} s" for k, v in reruns.items()))
    if sheet:
        print(f"sheet of {sheet['stalls']} stalls drawn in {sheet['seconds']:.2f} s")
    if cmp:
        print(
            f"euclidean vs extremitypathfinder: {cmp['speedup']:.1f}x faster, max rel diff "
            f"{cmp['max_rel_diff']}"
        )
    if args.quick:
        return
    lines = [
        "# Benchmark results",
        "",
        "Written by `bench/run.py` (do not edit by hand). Each size is a two-level basement",
        "drawn by `planner.synthetic` with every stall requesting a 7 kW charger, planned by",
        "`planner plan SITE --out DIR --formats geojson` in a fresh process (reading,",
        "planning and writing included; Python start-up excluded from the peak RSS only).",
        "",
        f"- commit: `{_commit()}`",
        f"- machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {resource.getpagesize()} B pages",
        f"- runs per size: {args.repeats} (median reported)",
        "- targets: 5,000 stalls in under 10 s wall and 1.5 GB",
        "",
        "| stalls | compartments | median s | min s | max s | peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['stalls']:,} | {r['compartments']} | {r['median_s']:.2f} | "
            f"{r['min_s']:.2f} | {r['max_s']:.2f} | {r['peak_rss_mb']:.0f} |"
        )
    if sheet:
        lines += [
            "",
            "## Drawing",
            "",
            f"One level of {sheet['stalls']:,} stalls, every one requested, drawn to a "
            f"PNG layout sheet (A3, 150 dpi): {sheet['seconds']:.2f} s.",
        ]
    if reruns:
        lines += [
            "",
            "## App",
            "",
            "Sample c (198 stalls) in the app, median time from a changed parameter to "
            "the new plan on screen (AppTest rerun; target under 1 s):",
            "",
        ]
        lines += [f"- {k}: {v:.2f} s" for k, v in reruns.items()]
    if memory:
        growth = memory["after_20_mb"] - memory["after_3_mb"]
        lines += [
            "",
            "## App memory",
            "",
            "The Streamlit server's resident memory while a browser toggles a parameter 20 "
            f"times in a row: {memory['after_3_mb']:.0f} MB after 3 changes, "
            f"{memory['after_20_mb']:.0f} MB after 20 (growth {growth:.0f} MB; limit 100 MB).",
        ]
    if zrh:
        lines += [
            "",
            "## Zurich airport L-1 (IMDF, real data)",
            "",
            f"Converted ({zrh['stalls']} stalls cut from 178 parking blocks, 136 columns, "
            "one 17,000 m² compartment) and planned with 50 requested stalls, in a fresh "
            f"process: {zrh['seconds']:.1f} s, peak RSS {zrh['rss_mb']:.0f} MB "
            "(target: under 60 s and 2 GB).",
        ]
    results = ROOT / "bench" / "RESULTS.md"
    # every marked section stays (bench/trunk.py's, and city, papers and package, which
    # only --only measures); floor, desk and peer are measured again below
    marked = re.finditer(
        r"<!-- (\w+):start -->.*?<!-- \1:end -->",
        results.read_text(encoding="utf-8") if results.exists() else "",
        flags=re.DOTALL,
    )
    keep = "".join(f"\n{m.group()}\n" for m in marked)
    results.write_text("\n".join(lines) + "\n" + keep, encoding="utf-8")
    _replace_section("floor", floor_section(args.repeats, args.baseline))
    _replace_section("desk", desk_section(desk_zurich(args.repeats)))
    _replace_section("peer", peer_section(cmp))
    print("wrote bench/RESULTS.md")


if __name__ == "__main__":
    main()
