"""The command line: a summary and exit 0, or the problems and exit 2, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from planner.cli import main
from planner.samples import sample_path, sample_requests_path
from tests.conftest import find, to_bytes


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    import planner

    assert planner.__version__ == version("ev-garage-planner")
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"planner {planner.__version__}"


def test_an_unknown_sample_lists_the_known_ones() -> None:
    from planner.errors import UnknownIdError

    with pytest.raises(UnknownIdError, match="the samples are: a, b, c, d"):
        sample_path("z")


def test_planning_collects_garbage_less_often_and_writing_leaves_the_plan_out(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import gc

    from planner.plan import make_plan
    from planner.writers import write_outputs

    seen: dict[str, Any] = {}

    def planning(*args: Any, **kwargs: Any) -> Any:
        seen["planning"] = gc.get_threshold()[0]
        return make_plan(*args, **kwargs)

    def writing(*args: Any, **kwargs: Any) -> Any:
        seen["writing"] = (gc.get_threshold(), gc.get_freeze_count())
        return write_outputs(*args, **kwargs)

    before = gc.get_threshold()
    monkeypatch.setattr("planner.cli.make_plan", planning)
    monkeypatch.setattr("planner.cli.write_outputs", writing)
    argv = ["-q", "plan", str(sample_path("a")), "--out", str(tmp_path / "o"), "--formats", "csv"]
    assert main(argv) == 0
    assert seen["planning"] == 50_000
    assert seen["writing"][0] == before
    assert seen["writing"][1] > 0  # the plan frozen out of the scans
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_validate_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(sample_path("a"))]) == 0
    out = capsys.readouterr().out
    assert "site: 和平小区地下车库 (兰州市城关区和平小区)" in out
    assert "level B1 地下一层: floor -1, underground, 367 spaces" in out
    assert "compartment FQ1 防火分区一: 1,812.7 m², capacity 30 kW" in out
    assert "3 compartments, 367 spaces, 147 obstacles" in out
    assert "20 requests" in out
    assert "warnings: 1" in out


def test_validate_with_requests_csv(capsys: pytest.CaptureFixture[str]) -> None:
    csv = sample_requests_path("b")
    assert csv is not None
    assert main(["validate", str(sample_path("b")), "--requests", str(csv)]) == 0
    out = capsys.readouterr().out
    assert "2 levels, 4 compartments" in out
    assert "10 requests" in out
    assert "(level 'B2'): has no garage_type; it is treated as underground" in out


def test_validate_refuses_bad_input_with_exit_2(
    tiny: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    find(tiny, "request", "R1")["properties"]["charger_kw"] = -7
    path = tmp_path / "bad.geojson"
    path.write_bytes(to_bytes(tiny))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("planner: 1 problem in the site file:")
    assert "(request 'R1'): property 'charger_kw' = -7" in err
    assert "Traceback" not in err


def test_validate_size_limit_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(sample_path("a")), "--max-mb", "0.01"]) == 2
    assert "over the limit of" in capsys.readouterr().err


def test_console_script_exit_codes(tmp_path: Path) -> None:
    """The installed entry point, in a fresh process: 0, then 2 without a traceback."""
    ok = subprocess.run(
        [sys.executable, "-m", "planner.cli", "validate", str(sample_path("d"))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "EPSG:4326 projected to local metres" in ok.stdout
    bad = tmp_path / "bad.geojson"
    bad.write_bytes(b"\x89PNG\r\n")
    run = subprocess.run(
        [sys.executable, "-m", "planner.cli", "validate", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert "not UTF-8" in run.stderr
    assert "Traceback" not in run.stderr


def test_plan_writes_outputs_and_prints_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(["plan", str(sample_path("a")), "--out", str(out), "--formats", "geojson"])
    assert code == 0
    text = capsys.readouterr().out
    assert "compartment  plan pend defr blck" in text
    assert "FQ1" in text
    assert "requests: 20 (8 planned, 2 pending, 4 deferred, 6 blocked)" in text
    assert (out / "plan.geojson").exists()
    report = (out / "report.json").read_text(encoding="utf-8")
    assert '"FQ1"' in report


def test_plan_options_and_overrides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "plan",
            str(sample_path("a")),
            "--out",
            str(tmp_path),
            "--managed",
            "--routing",
            "euclidean",
            "--placement",
            "column",
            "--set",
            "voltage_drop_limit_pct=5",
            "--formats",
            "geojson",
        ]
    )
    assert code == 0
    assert "0 deferred" in capsys.readouterr().out
    import json

    rep = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert rep["options"]["routing"] == "euclidean"
    assert rep["rules"]["voltage_drop_limit_pct"] == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "nonsense=1"], "there is no rule 'nonsense'"),
        (["--formats", "geojson,xls"], "unknown format(s) xls"),
    ],
)
def test_plan_refuses_bad_options_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["plan", str(sample_path("a")), "--out", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_plan_refuses_bad_site_with_exit_2(
    tiny: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    find(tiny, "space", "S1")["properties"]["level"] = "B7"
    path = tmp_path / "bad.geojson"
    path.write_bytes(to_bytes(tiny))
    assert main(["plan", str(path), "--out", str(tmp_path / "o")]) == 2
    assert "level 'B7'" in capsys.readouterr().err


def test_plan_writes_every_format_and_the_owner_papers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert (
        main(
            [
                "plan",
                str(sample_path("b")),
                "--requests",
                str(sample_requests_path("b")),
                "--out",
                str(out),
                "--notices",
                "--lang",
                "en",
            ]
        )
        == 0
    )
    names = {p.name for p in out.iterdir()}
    assert names >= {
        "plan.geojson",
        "report.json",
        "plan.gpkg",
        "plan.dxf",
        "schedule.csv",
        "approval.pdf",
        "sheet-B1.png",
        "sheet-B1.svg",
        "sheet-B2.png",
        "sheet-B2.svg",
        "notices",
    }
    plan = json.loads((out / "plan.geojson").read_text(encoding="utf-8"))
    statuses = [
        f["properties"]["status"] for f in plan["features"] if f["properties"]["kind"] == "request"
    ]
    expected = sum(s != "blocked" for s in statuses) + statuses.count("planned")
    assert len(list((out / "notices").glob("*-notice.pdf"))) == sum(
        s != "blocked" for s in statuses
    )
    assert len(list((out / "notices").glob("*.pdf"))) == expected
    assert "wrote" in capsys.readouterr().out


def test_convert_writes_a_site_and_lists_what_to_complete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import ezdxf

    doc = ezdxf.new("R2013")
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()
    msp.add_lwpolyline(
        [(0, 0), (30, 0), (30, 12), (0, 12)], close=True, dxfattribs={"layer": "OUTLINE"}
    )
    msp.add_lwpolyline(
        [(2, 0), (4.5, 0), (4.5, 5.3), (2, 5.3)], close=True, dxfattribs={"layer": "PARKING"}
    )
    msp.add_line((0, 0), (5, 5), dxfattribs={"layer": "MYSTERY"})
    dxf = tmp_path / "g.dxf"
    doc.saveas(dxf)
    target = tmp_path / "site.geojson"
    assert main(["convert", str(dxf), "--to", str(target)]) == 0
    out = capsys.readouterr().out
    assert "space: 1" in out
    assert "MYSTERY: 1 entities" in out
    assert "to complete" in out
    assert "the five fire systems" in out
    assert main(["validate", str(target)]) == 0
    assert main(["plan", str(dxf), "--out", str(tmp_path / "o"), "--formats", "geojson"]) == 0
    assert main(["convert", str(tmp_path / "nope.dxf"), "--to", str(target)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_out_that_holds_the_input_or_is_a_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site.geojson"
    site.write_bytes(sample_path("d").read_bytes())
    assert main(["plan", str(site), "--out", str(tmp_path)]) == 2
    assert "holds the input" in capsys.readouterr().err
    assert main(["plan", str(sample_path("d")), "--out", str(site)]) == 2
    assert "is a file" in capsys.readouterr().err
    assert site.read_bytes() == sample_path("d").read_bytes()
