"""Hostile numbers (issue 11, family 1): NaN, infinities and 1e308 wherever a number is read
are refused with one message naming the field, exit status 2, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.cli import main
from planner.synthetic import feature, simple_garage

BAD = ("NaN", "Infinity", "-Infinity", "1e308")


def _site_with(tmp_path: Path, kind: str, field: str, raw: str) -> Path:
    feats = simple_garage(bays=2, strips=1)
    feats.append(feature("request", None, id="R1", space="B1-001", charger_kw=7))
    for f in feats:
        if f["properties"]["kind"] == kind:
            f["properties"][field] = "@@BAD@@"
            break
    text = json.dumps({"type": "FeatureCollection", "features": feats})
    path = tmp_path / "site.geojson"
    path.write_text(text.replace('"@@BAD@@"', raw), encoding="utf-8")
    return path


@pytest.mark.parametrize("raw", BAD)
@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("level", "ceiling_height_m"),
        ("compartment", "capacity_kw"),
        ("compartment", "axis_deg"),
        ("request", "charger_kw"),
        ("site", "north_deg"),
    ],
)
def test_non_finite_and_huge_numbers_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, field: str, raw: str
) -> None:
    site = _site_with(tmp_path, kind, field, raw)
    assert main(["plan", str(site), "--out", str(tmp_path / "out"), "--formats", "geojson"]) == 2
    err = capsys.readouterr().err
    assert field in err
    assert "Fix:" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e308"])
def test_set_values_must_be_finite_and_in_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], raw: str
) -> None:
    from planner.samples import sample_path

    args = ["plan", str(sample_path("d")), "--out", str(tmp_path / "o"), "--formats", "geojson"]
    assert main([*args, "--set", f"clearance_m={raw}", "--set", f"ambient_c={raw}"]) == 2
    assert "--set" in capsys.readouterr().err


@pytest.mark.parametrize("raw", ["nan", "inf", "-5", "0", "1e308", "big"])
def test_max_mb_must_be_a_positive_size(capsys: pytest.CaptureFixture[str], raw: str) -> None:
    from planner.samples import sample_path

    with pytest.raises(SystemExit) as exc:
        main(["validate", str(sample_path("d")), "--max-mb", raw])
    assert exc.value.code == 2
    assert "--max-mb" in capsys.readouterr().err


def test_max_mb_and_limit_max_bytes_do_not_both_set_the_limit(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from planner.samples import sample_path

    site = str(sample_path("d"))
    assert main(["validate", site, "--max-mb", "3", "--limit", "max_bytes=5"]) == 2
    assert "give one" in capsys.readouterr().err
    assert main(["validate", site, "--limit", "time_budget_s=NaN"]) == 2
    assert "finite" in capsys.readouterr().err
