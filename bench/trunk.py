"""Benchmark of the shared tray (issue 12 item 2), rectilinear, one compartment per size:

    .venv/bin/python bench/trunk.py          # writes its section of bench/RESULTS.md
    .venv/bin/python bench/trunk.py --quick  # 5, 10, 20 requests; prints only

For 5 to 100 requests on a generated garage (one compartment, the box at its centre, the
requested stalls drawn at random with a fixed seed) it reports:

- tray / separate: the planned tray's length over the sum of the cables' own runs;
- tray / Dijkstra: the full tree over the union of Dijkstra's own shortest-path tree;
- tray / bound: the full tree over a lower bound of any tree joining the box and the
  chargers (the larger of half the perimeter of their bounding box and their rectilinear
  minimum spanning tree over 1.5, Hwang's ratio);
- excess: the largest amount by which a cable is longer than its own optimal route
  (must be 0);
- trunk s: the time of the path-sharing step alone (``planner.trunk.shared_paths``).

"Full tree" counts every piece of the cables' union; the planned tray leaves the short
stubs (< ``min_tray_branch_m``) in conduit, so it is shorter still.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner import trunk  # noqa: E402
from planner.plan import PlanOptions, make_plan  # noqa: E402
from planner.readers import parse_site  # noqa: E402
from planner.routing import Router, _track_graph  # noqa: E402
from planner.synthetic import collection, feature, simple_garage  # noqa: E402

SIZES = (5, 10, 20, 50, 100)
DOCS = ["id_document", "property_consent", "parking_certificate"]
START, END = "<!-- trunk:start -->", "<!-- trunk:end -->"


def _site(n: int, seed: int = 7):  # type: ignore[no-untyped-def]
    bays = max(3, int(n / 4) + 2)
    feats = simple_garage(bays=bays, strips=2, capacity_kw=100_000)
    spaces = [f["properties"]["id"] for f in feats if f["properties"]["kind"] == "space"]
    chosen = random.Random(seed).sample(spaces, min(n, len(spaces)))
    for k, sid in enumerate(chosen):
        feats.append(
            feature(
                "request",
                None,
                id=f"R{k}",
                space=sid,
                charger_kw=7,
                documents=DOCS,
                registered="2024-01-01",
            )
        )
    return parse_site(json.dumps(collection(feats)).encode())


def _lower_bound(points: np.ndarray) -> float:
    lo, hi = points.min(axis=0), points.max(axis=0)
    half_perimeter = float((hi - lo).sum())
    graph: nx.Graph[int] = nx.Graph()
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            graph.add_edge(i, j, weight=float(np.abs(points[i] - points[j]).sum()))
    rmst = float(sum(d["weight"] for *_, d in nx.minimum_spanning_edges(graph, data=True)))
    return max(half_perimeter, rmst / 1.5)


def measure(n: int) -> dict[str, float]:
    site = _site(n)
    shared = make_plan(site)
    alone = make_plan(site, options=PlanOptions(trunk="none"))
    tray = sum(r.length_m for r in shared.trays)
    separate = sum(c.route_m for c in alone.cables)
    full = shapely.union_all([c.line for c in shared.cables]).length
    dijkstra = shapely.union_all([c.line for c in alone.cables]).length
    own = {c.request: c.route_m for c in alone.cables}
    excess = max(c.route_m - own[c.request] for c in shared.cables)
    # the path-sharing step alone, on the same graph the plan searched
    (comp,) = site.compartments
    (box,) = shared.boxes
    router = Router(comp.polygon, [o.geometry for o in site.obstacles], mode="rectilinear")
    targets = [r.point for r in shared.requests if r.point is not None]
    free_axis, trays_axis, pts = router._prepare([box.point, *targets])
    graph = _track_graph(free_axis, pts, trays_axis, 0.7)
    at = graph.index(pts).tolist()
    t0 = time.perf_counter()
    trunk.shared_paths(graph, at[0], at[1:])
    elapsed = time.perf_counter() - t0
    bound = _lower_bound(np.asarray([(p.x, p.y) for p in [box.point, *targets]]))
    return {
        "n": n,
        "tray_m": tray,
        "separate_m": separate,
        "tray/separate": tray / separate,
        "full/dijkstra": full / dijkstra,
        "full/bound": full / bound,
        "excess_m": max(excess, 0.0),
        "trunk_s": elapsed,
    }


def table(rows: list[dict[str, float]]) -> str:
    head = (
        "| requests | tray m | separate m | tray / separate | tray / Dijkstra | tray / bound "
        "| excess m | trunk s |"
    )
    out = [head, "|" + "---|" * 8]
    for r in rows:
        out.append(
            f"| {r['n']:.0f} | {r['tray_m']:.1f} | {r['separate_m']:.1f} | "
            f"{r['tray/separate']:.2f} | {r['full/dijkstra']:.2f} | {r['full/bound']:.2f} | "
            f"{r['excess_m']:.3f} | {r['trunk_s']:.3f} |"
        )
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    rows = [measure(n) for n in (SIZES[:3] if args.quick else SIZES)]
    text = table(rows)
    print(text)
    if args.quick:
        return
    results = ROOT / "bench" / "RESULTS.md"
    body = results.read_text(encoding="utf-8")
    section = (
        f"{START}\n## Shared tray (bench/trunk.py)\n\nOne compartment, rectilinear, the box at its "
        "centre, random requested stalls (seed 7); written by `bench/trunk.py`. Tray / bound "
        "and tray / Dijkstra compare the full tree (every piece of the cables' union).\n\n"
        f"{text}\n{END}"
    )
    if START in body:
        body = body[: body.index(START)] + section + body[body.index(END) + len(END) :]
    else:
        body = body.rstrip() + "\n\n" + section + "\n"
    results.write_text(body, encoding="utf-8")


if __name__ == "__main__":
    main()
