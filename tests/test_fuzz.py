"""Fuzzing every reader and the planner: any bytes, and structurally mutated valid inputs,
give a site (then a plan accounting for every request) or a PlannerError with a message,
never another exception, never a hang. 200 examples per target by default; set
HYPOTHESIS_PROFILE=thorough for 10,000. Inputs that once crashed live in tests/data/crashes
and are replayed here."""

from __future__ import annotations

import builtins
import copy
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import ezdxf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz.structured import IMDF_FIXTURE, IMDF_LEVEL, dxf_with_blocks, imdf_archive
from planner.errors import PlannerError
from planner.limits import Deadline, Limits
from planner.plan import PlanOptions, make_plan
from planner.readers import parse_site
from planner.readers.dxf import convert_dxf
from planner.readers.imdf import convert_imdf
from planner.samples import sample_path
from planner.site import Site
from tests.conftest import examples

CRASHES = Path(__file__).parent / "data" / "crashes"
SMALL = Limits(time_budget_s=20.0)
SAMPLE_D = json.loads(sample_path("d").read_text(encoding="utf-8"))

JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=10,
)


def _site_or_error(data: bytes, csv: bytes | None = None) -> Site | None:
    try:
        return parse_site(data, requests_csv=csv, limits=SMALL)
    except PlannerError as exc:
        assert str(exc).strip()
        return None


def _plan_accounts_for_everything(site: Site) -> None:
    try:
        plan = make_plan(site, options=PlanOptions(), limits=SMALL)
    except PlannerError as exc:  # the time budget is the only refusal a site can meet here
        assert "time_budget_s" in str(exc)
        return
    assert [r.id for r in plan.requests] == [r.id for r in site.requests]
    for r in plan.requests:
        assert r.status == "planned" or r.reasons


@given(st.binary(max_size=2000))
def test_site_reader_on_any_bytes(data: bytes) -> None:
    _site_or_error(data)


@given(st.data())
def test_site_reader_and_planner_on_mutated_sites(data: st.DataObject) -> None:
    doc = copy.deepcopy(SAMPLE_D)
    for _ in range(data.draw(st.integers(1, 3))):
        feats = doc["features"]
        k = data.draw(st.integers(0, len(feats) - 1))
        how = data.draw(st.sampled_from(["prop", "geometry", "coords", "drop", "dup", "kind"]))
        f = feats[k]
        if how == "prop":
            key = data.draw(st.sampled_from([*f["properties"], "charger", "vote", "crs"]))
            f["properties"][key] = data.draw(JSON_VALUE)
        elif how == "geometry":
            f["geometry"] = data.draw(JSON_VALUE)
        elif how == "coords" and isinstance(f.get("geometry"), dict):
            f["geometry"]["coordinates"] = data.draw(JSON_VALUE)
        elif how == "drop":
            feats.pop(k)
        elif how == "dup":
            feats.append(copy.deepcopy(f))
        else:
            f["properties"]["kind"] = data.draw(
                st.sampled_from(
                    ["request", "space", "compartment", "obstacle", "tray", "level", "site"]
                )
            )
    site = _site_or_error(json.dumps(doc, allow_nan=True).encode())
    if site is not None:
        _plan_accounts_for_everything(site)


@given(st.text(max_size=600))
def test_requests_csv_on_any_text(text: str) -> None:
    site_bytes = sample_path("d").read_bytes()
    site = _site_or_error(site_bytes, ("id,space,charger_kw\n" + text).encode())
    if site is not None:
        _plan_accounts_for_everything(site)


def _small_dxf() -> str:
    doc = ezdxf.new("R2013")
    msp = doc.modelspace()
    msp.add_lwpolyline(
        [(0, 0), (20000, 0), (20000, 10000), (0, 10000)],
        close=True,
        dxfattribs={"layer": "OUTLINE"},
    )
    msp.add_lwpolyline(
        [(1000, 0), (3500, 0), (3500, 5300), (1000, 5300)],
        close=True,
        dxfattribs={"layer": "PARKING"},
    )
    msp.add_circle((8000, 7000), 300, dxfattribs={"layer": "COLUMN"})
    msp.add_text("A001", dxfattribs={"layer": "PARKING"}).set_placement((2250, 2650))
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue()


DXF_TEXT = _small_dxf()


def _convert_or_error(fn: Any, data: Any) -> None:
    try:
        conv = fn(data)
    except PlannerError as exc:
        assert str(exc).strip()
        return
    site = _site_or_error(conv.to_bytes())
    if site is not None:
        _plan_accounts_for_everything(site)


@given(st.binary(max_size=1500))
def test_dxf_reader_on_any_bytes(data: bytes) -> None:
    _convert_or_error(lambda d: convert_dxf(d, limits=SMALL), data)


@given(st.data())
def test_dxf_reader_on_mutated_drawings(data: st.DataObject) -> None:
    lines = DXF_TEXT.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        k = data.draw(st.integers(0, len(lines) - 1))
        how = data.draw(st.sampled_from(["replace", "drop", "dup"]))
        if how == "replace":
            lines[k] = data.draw(
                st.text(max_size=10)
                | st.sampled_from(
                    ["0", "LWPOLYLINE", "EOF", "SECTION", "-1e308", "nan", "999999999"]
                )
            )
        elif how == "drop":
            lines.pop(k)
        else:
            lines.insert(k, lines[k])
    _convert_or_error(
        lambda d: convert_dxf(d, limits=SMALL), "\n".join(lines).encode("utf-8", "surrogatepass")
    )


def _imdf() -> dict[str, Any]:
    """A one-level IMDF map: the same level and parking way the structured fuzzer uses."""
    return {"level": IMDF_LEVEL, "fixture": IMDF_FIXTURE}


@given(st.data())
def test_imdf_reader_on_mutated_archives(data: st.DataObject) -> None:
    parts = copy.deepcopy(_imdf())
    target = parts[data.draw(st.sampled_from(["level", "fixture"]))]
    where = data.draw(st.sampled_from(["properties", "geometry", "id", "coords"]))
    value = data.draw(JSON_VALUE)
    if where == "coords" and isinstance(target.get("geometry"), dict):
        target["geometry"]["coordinates"] = value
    else:
        target[where if where != "coords" else "geometry"] = value
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            "a_level.geojson",
            json.dumps({"type": "FeatureCollection", "features": [parts["level"]]}, allow_nan=True),
        )
        z.writestr(
            "a_fixture.geojson",
            json.dumps(
                {"type": "FeatureCollection", "features": [parts["fixture"]]}, allow_nan=True
            ),
        )
    _convert_or_error(lambda d: convert_imdf(d, limits=SMALL), buf.getvalue())


@given(st.binary(max_size=1500))
def test_imdf_reader_on_any_bytes(data: bytes) -> None:
    _convert_or_error(lambda d: convert_imdf(d, limits=SMALL), b"PK\x03\x04" + data)


@pytest.mark.parametrize("path", sorted(CRASHES.glob("*")), ids=lambda p: p.name)
def test_inputs_that_once_crashed(path: Path) -> None:
    data = path.read_bytes()
    reader = {
        ".dxf": lambda d: convert_dxf(d, limits=SMALL),
        ".zip": lambda d: convert_imdf(d, limits=SMALL),
    }.get(path.suffix)
    if reader is None:
        site = _site_or_error(data)
        if site is not None:
            _plan_accounts_for_everything(site)
    else:
        _convert_or_error(reader, data)


class _HypothesisDraw:
    """:class:`fuzz.structured.Draw` over hypothesis's ``st.data()``."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data

    def int(self, lo: int, hi: int) -> int:
        return self.data.draw(st.integers(lo, hi))

    def float(self, lo: builtins.float, hi: builtins.float) -> builtins.float:
        return self.data.draw(st.floats(lo, hi, allow_nan=False))

    def text(self, max_size: builtins.int) -> str:
        return self.data.draw(st.text(max_size=max_size))

    def bytes(self, max_size: builtins.int) -> builtins.bytes:
        return self.data.draw(st.binary(max_size=max_size))


@settings(max_examples=examples(40))
@given(st.data())
def test_dxf_block_expansion_on_hostile_blocks(data: st.DataObject) -> None:
    """Self-, mutual and tree recursion, MINSERT arrays, degenerate scales (issue 11 item 8):
    the drawing converts into a site or is refused with a message. (A drawing holds no
    requests, so there is nothing to plan: the plan's own fuzzing is above.)"""
    drawing = dxf_with_blocks(_HypothesisDraw(data))
    limits = Limits(time_budget_s=3.0, max_dxf_entities=2_000)
    with Deadline.of(limits).active():  # one budget for converting and reading, as the CLI
        try:
            site = parse_site(convert_dxf(drawing, limits=limits).to_bytes(), limits=limits)
        except PlannerError as exc:
            assert str(exc).strip()
            return
    assert site.requests == ()


@settings(max_examples=examples(100))
@given(st.data())
def test_imdf_archive_checks_on_hostile_members(data: st.DataObject) -> None:
    """Duplicate names, a file in two folders, climbing paths, encryption flags, lying
    sizes, damaged bytes (issue 11 item 8)."""
    _convert_or_error(lambda d: convert_imdf(d, limits=SMALL), imdf_archive(_HypothesisDraw(data)))
