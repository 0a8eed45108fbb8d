"""Every limit gives its own message, names itself and says how to raise it, quickly."""

from __future__ import annotations

import io
import json
import struct
import time
import zipfile
from pathlib import Path
from typing import Any

import ezdxf
import numpy as np
import pytest

from planner.cli import main
from planner.errors import InputLimitError, PlannerError
from planner.limits import Deadline, Limits, RunCancelledError
from planner.plan import make_plan
from planner.readers import parse_site, read_site
from planner.readers.dxf import convert_dxf
from planner.readers.imdf import convert_imdf
from planner.samples import sample_path
from planner.writers import write_outputs
from tests.conftest import find, to_bytes


def test_a_150_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.geojson"
    with path.open("wb") as f:
        f.truncate(150_000_000)  # sparse: nothing written, nothing read
    t0 = time.perf_counter()
    with pytest.raises(
        InputLimitError,
        match=r"150,000,000 bytes, over the limit of "
        r"50,000,000 bytes \(50 MB\).*--max-mb",
    ):
        read_site(path)
    assert time.perf_counter() - t0 < 5


@pytest.mark.parametrize(
    ("limit", "value", "mutate", "message"),
    [
        (
            "max_features",
            5,
            None,
            r"features in the site file: 9 is over the limit "
            r"max_features = 5.*--limit max_features=N",
        ),
        ("max_vertices", 4, "vertices", r"over the limit max_vertices = 4.*--limit max_vert"),
        (
            "max_json_depth",
            6,
            None,
            r"JSON nesting depth of the site file: 7 is over the "
            r"limit max_json_depth = 6",
        ),
        (
            "max_abs_coord_m",
            10.0,
            None,
            r"allowed are coordinates within 1e\+01 m of the "
            r"origin \(limit max_abs_coord_m\)",
        ),
    ],
)
def test_site_file_limits(
    tiny: dict[str, Any], limit: str, value: Any, mutate: str | None, message: str
) -> None:
    if mutate == "vertices":
        ring = [[x / 10, 0] for x in range(20)] + [[2, 5], [0, 5], [0, 0]]
        find(tiny, "space", "S1")["geometry"]["coordinates"] = [ring]
    lim = Limits().with_overrides([f"{limit}={value}"])
    with pytest.raises(PlannerError, match=message):
        parse_site(to_bytes(tiny), limits=lim)


def test_deep_json_is_refused_by_name() -> None:
    deep = b'{"type": "FeatureCollection", "features": [' + b"[" * 5000 + b"]" * 5000 + b"]}"
    with pytest.raises(InputLimitError, match="max_json_depth"):
        parse_site(deep)


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def _declare_size(data: bytes, size: int) -> bytes:
    """Patch every header of a one-member zip to declare ``size`` unpacked bytes, as a zip
    bomb's directory does (a real 2 GB member would take minutes to make)."""
    out = bytearray(data)
    local = out.find(b"PK\x03\x04")
    struct.pack_into("<I", out, local + 22, size)
    central = out.find(b"PK\x01\x02")
    struct.pack_into("<I", out, central + 24, size)
    return bytes(out)


def test_a_2_gb_zip_bomb_is_refused_from_its_directory() -> None:
    bomb = _declare_size(_zip({"x_level.geojson": b"0" * 1000}), 2_000_000_000)
    t0 = time.perf_counter()
    with pytest.raises(
        InputLimitError,
        match=r"bytes the IMDF zip unpacks to: "
        r"2,000,000,000 is over the limit max_zip_bytes",
    ):
        convert_imdf(bomb)
    assert time.perf_counter() - t0 < 5


def test_a_member_larger_than_declared_is_refused() -> None:
    liar = _declare_size(_zip({"x_level.geojson": b"{" * 5000}), 10)
    with pytest.raises(PlannerError, match=r"x_level\.geojson"):
        convert_imdf(liar)


def test_too_many_zip_entries() -> None:
    many = _zip({f"f{k}.txt": b"" for k in range(30)})
    with pytest.raises(
        InputLimitError,
        match=r"entries in the IMDF zip: 30 is over the limit "
        r"max_zip_entries = 20",
    ):
        convert_imdf(many, limits=Limits(max_zip_entries=20))


def test_dxf_entity_limit(tmp_path: Path) -> None:
    doc = ezdxf.new("R2013")
    for k in range(50):
        doc.modelspace().add_line((k, 0), (k, 1), dxfattribs={"layer": "WALL"})
    path = tmp_path / "d.dxf"
    doc.saveas(path)
    with pytest.raises(
        InputLimitError,
        match=r"entities in the drawing \(blocks exploded\): "
        r"\d+ is over the limit max_dxf_entities = 10",
    ):
        convert_dxf(path, limits=Limits(max_dxf_entities=10))


def test_time_budget_per_plan() -> None:
    site = read_site(sample_path("a"))
    with pytest.raises(
        InputLimitError,
        match=r"time budget of 1e-06 s \(limit "
        r"time_budget_s\).*--limit time_budget_s=",
    ):
        make_plan(site, limits=Limits(time_budget_s=1e-6))
    assert make_plan(site, limits=Limits(time_budget_s=60)).counts()["planned"] == 8


def _many_entities_dxf(tmp_path: Path, n: int = 3000) -> Path:
    doc = ezdxf.new("R2013")
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (90000, 0), (90000, 9000), (0, 9000)], close=True)
    for k in range(n):
        msp.add_line((k * 10, 0), (k * 10, 100), dxfattribs={"layer": "WALL"})
    path = tmp_path / "many.dxf"
    doc.saveas(path)
    return path


def test_one_time_budget_covers_conversion(tmp_path: Path) -> None:
    path = _many_entities_dxf(tmp_path)
    with Deadline(1e-9).active(), pytest.raises(InputLimitError, match="time_budget_s"):
        convert_dxf(path)
    assert convert_dxf(path).unmapped  # the same drawing converts within the default budget
    target = tmp_path / "site.geojson"
    args = ["convert", str(path), "--to", str(target), "--limit", "time_budget_s=1e-9"]
    assert main(args) == 2
    assert not target.exists()


def test_one_time_budget_covers_writing(tmp_path: Path) -> None:
    plan = make_plan(read_site(sample_path("d")))
    out = tmp_path / "out"
    with Deadline(1e-9).active(), pytest.raises(InputLimitError, match="time_budget_s"):
        write_outputs(plan, out, formats=["geojson", "csv"])
    assert list(tmp_path.iterdir()) == []  # nothing half-written, no staging folder left


def test_a_cancelled_run_stops_at_the_next_check() -> None:
    site = read_site(sample_path("d"))
    asked = []

    def closed() -> bool:
        asked.append(1)
        return True

    with Deadline(300, cancelled=closed).active(), pytest.raises(RunCancelledError):
        make_plan(site)
    assert len(asked) == 1


def _zigzag_compartment(site: dict[str, Any], teeth: int) -> None:
    """FQ1's top edge as ``teeth`` sloping teeth: every vertex has its own x and y."""
    xs = np.linspace(10, 0, 2 * teeth + 1)
    ys = 9.5 + 0.4 * (np.arange(2 * teeth + 1) % 2) + np.linspace(0, 0.05, 2 * teeth + 1)
    ring = [[0, 0], [10, 0], *zip(xs.tolist(), ys.tolist(), strict=True), [0, 0]]
    comp = next(f for f in site["features"] if f["properties"].get("id") == "FQ1")
    comp["geometry"] = {"type": "Polygon", "coordinates": [ring]}


def test_routing_graph_of_a_finely_drawn_compartment_is_bounded(tiny: dict[str, Any]) -> None:
    _zigzag_compartment(tiny, teeth=150)
    site = parse_site(to_bytes(tiny))
    with pytest.raises(
        InputLimitError,
        match=r"nodes of a compartment's track graph .* over the limit max_route_nodes = 500"
        r".*--routing euclidean",
    ):
        make_plan(site, limits=Limits(max_route_nodes=500))
    plan = make_plan(site)  # within the default limit the same site plans
    assert plan.counts()["planned"] == 1


def test_cli_limit_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(sample_path("a")), "--limit", "max_features=10"]) == 2
    assert "max_features = 10" in capsys.readouterr().err
    assert main(["validate", str(sample_path("a")), "--limit", "nonsense=1"]) == 2
    assert "there is no limit" in capsys.readouterr().err
    assert (
        main(
            [
                "plan",
                str(sample_path("d")),
                "--out",
                str(tmp_path),
                "--formats",
                "geojson",
                "--limit",
                "time_budget_s=120",
            ]
        )
        == 0
    )


def test_limits_document_themselves() -> None:
    for name, field in Limits.model_fields.items():
        assert field.description, name
    json.dumps(Limits().model_dump())


def test_a_minsert_array_is_counted_before_it_expands(tmp_path: Path) -> None:
    doc = ezdxf.new()
    block = doc.blocks.new("STALL")
    block.add_lwpolyline([(0, 0), (2500, 0), (2500, 5300), (0, 5300)], close=True)
    msp = doc.modelspace()
    msp.add_blockref("STALL", (0, 0), dxfattribs={"layer": "PARKING"}).grid(
        size=(1000, 1000), spacing=(6000, 3000)
    )
    path = tmp_path / "array.dxf"
    doc.saveas(path)
    with pytest.raises(  # refused from its count, before a copy is made
        InputLimitError, match=r"block STALL arrayed 1,000,000 times\): 1,000,000 is over"
    ):
        convert_dxf(path)
