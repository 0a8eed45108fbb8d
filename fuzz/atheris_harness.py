"""Coverage-guided fuzzing with atheris (on demand, not in CI):

    .venv/bin/pip install atheris
    .venv/bin/python fuzz/atheris_harness.py site  -max_total_time=600 fuzz/corpus-site
    .venv/bin/python fuzz/atheris_harness.py dxf   -max_total_time=600
    .venv/bin/python fuzz/atheris_harness.py imdf  -max_total_time=600
    .venv/bin/python fuzz/atheris_harness.py dxf-blocks -max_total_time=600
    .venv/bin/python fuzz/atheris_harness.py imdf-zip   -max_total_time=600

``site``, ``dxf`` and ``imdf`` feed raw bytes to a reader; ``dxf-blocks`` and ``imdf-zip``
build a drawing around nested, recursive and arrayed blocks, or a zip around hostile
members, from the fuzzer's bytes (:mod:`fuzz.structured`), so every input reaches the
block expansion or the archive checks.

Each input must end in a site (planned, every request accounted for) or a PlannerError;
anything else is a crash: atheris saves the input (crash-*), which then belongs in
tests/data/crashes/ with the suffix of its reader (.geojson, .dxf, .zip) as a regression.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

with atheris.instrument_imports():
    from fuzz.structured import AtherisDraw, dxf_with_blocks, imdf_archive
    from planner.errors import PlannerError
    from planner.limits import Limits
    from planner.plan import make_plan
    from planner.readers import parse_site
    from planner.readers.dxf import convert_dxf
    from planner.readers.imdf import convert_imdf

LIMITS = Limits(time_budget_s=10.0)


def _plan(site_bytes: bytes) -> None:
    site = parse_site(site_bytes, limits=LIMITS)
    plan = make_plan(site, limits=LIMITS)
    if [r.id for r in plan.requests] != [r.id for r in site.requests]:
        raise AssertionError("a request was lost")


def site_target(data: bytes) -> None:
    with contextlib.suppress(PlannerError):  # a refusal with a message is a correct answer
        _plan(data)


def dxf_target(data: bytes) -> None:
    with contextlib.suppress(PlannerError):
        _plan(convert_dxf(data, limits=LIMITS).to_bytes())


def imdf_target(data: bytes) -> None:
    with contextlib.suppress(PlannerError):
        _plan(convert_imdf(data, limits=LIMITS).to_bytes())


def dxf_blocks_target(data: bytes) -> None:
    drawing = dxf_with_blocks(AtherisDraw(atheris.FuzzedDataProvider(data)))
    dxf_target(drawing)


def imdf_zip_target(data: bytes) -> None:
    archive = imdf_archive(AtherisDraw(atheris.FuzzedDataProvider(data)))
    imdf_target(archive)


TARGETS = {
    "site": site_target,
    "dxf": dxf_target,
    "imdf": imdf_target,
    "dxf-blocks": dxf_blocks_target,
    "imdf-zip": imdf_zip_target,
}

if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else "site"
    if name not in TARGETS:
        sys.exit(f"usage: fuzz/atheris_harness.py {{{'|'.join(TARGETS)}}} [libFuzzer options]")
    atheris.Setup([sys.argv[0], *sys.argv[2:]], TARGETS[name])
    atheris.Fuzz()
