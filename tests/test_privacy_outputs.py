"""No personal number in any output (issue 11 item 3): numbers planted in every place of
the inputs, written every way, are found in no output file, name, log or message."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from planner.cli import main
from planner.synthetic import feature, simple_garage
from tests.printing import pdf_text

MOBILE = "13912345678"
ID_NUMBER = "62010219900307123X"
WRITTEN = {
    "plain": MOBILE,
    "spaced": "139 1234 5678",
    "dashed": "139-1234-5678",
    "dotted": "139.1234.5678",
    "country": "+86 13912345678",
    "zero_width": "139\u200b1234\u200b5678",
    "full_width": "１３９１２３４５６７８",
    "id": ID_NUMBER,
    "id_spaced": "620102 19900307 123X",
}


def _digits(text: str) -> str:
    return re.sub(
        r"[^0-9X]", "", text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    )


def _leaks(text: str) -> list[str]:
    flat = _digits(text)
    return [n for n in (MOBILE, ID_NUMBER) if n in flat]


def test_no_personal_number_reaches_any_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    feats = simple_garage(bays=3, strips=1, capacity_kw=100)
    site = feats[0]["properties"]
    site["name"] = f"小区 {WRITTEN['spaced']}"
    site["community"] = f"社区 {WRITTEN['dashed']}"
    site["surveyor"] = f"勘察 {WRITTEN['id_spaced']}"
    for feat in feats:
        p = feat["properties"]
        if p["kind"] == "level":
            p["name"] = f"B1 {WRITTEN['dotted']}"
        if p["kind"] == "compartment":
            p["name"] = f"分区 {WRITTEN['zero_width']}"
    docs = ["id_document", "property_consent", "parking_certificate"]
    for n, (how, number) in enumerate(WRITTEN.items()):
        feats.append(
            feature(
                "request",
                None,
                id=f"R{n}-{number}" if how in ("plain", "id") else f"R{n}",
                space=f"B1-00{n % 6 + 1}",
                charger_kw=7,
                registered=f"2024-01-{n + 1:02d}",
                applicant=f"张 {number}",
                car_brand=number,
                documents=docs,
            )
        )
    feats[-1]["properties"][MOBILE] = "a property named by a number"
    path = tmp_path / "site.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), "utf-8")
    csv_path = tmp_path / "r.csv"
    csv_path.write_text(
        f"id,space,charger_kw,applicant,{ID_NUMBER}\nC1,B1-002,7,{WRITTEN['country']},x\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert (
        main(["plan", str(path), "--requests", str(csv_path), "--out", str(out), "--notices"]) == 0
    )
    captured = capsys.readouterr()
    leaks: dict[str, list[str]] = {
        "stdout": _leaks(captured.out),
        "stderr": _leaks(captured.err),
        "log": _leaks(caplog.text),
    }
    for f in sorted(out.rglob("*")):
        leaks[f"name {f.name}"] = _leaks(f.name)
        if not f.is_file():
            continue
        if f.suffix == ".pdf":
            text = pdf_text(f)
        elif f.suffix == ".png":
            continue  # pixels; the same texts are checked in the SVG and PDF
        else:
            text = f.read_bytes().decode("utf-8", "replace")
        leaks[str(f.relative_to(out))] = _leaks(text)
    assert {k: v for k, v in leaks.items() if v} == {}


def test_numbers_in_dxf_layers_and_texts_are_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import ezdxf

    doc = ezdxf.new()
    msp = doc.modelspace()
    doc.layers.add(f"PARKING {MOBILE}")
    msp.add_lwpolyline(
        [(0, 0), (20000, 0), (20000, 10000), (0, 10000)],
        close=True,
        dxfattribs={"layer": "OUTLINE"},
    )
    msp.add_lwpolyline(
        [(1000, 1000), (3500, 1000), (3500, 6300), (1000, 6300)],
        close=True,
        dxfattribs={"layer": f"PARKING {MOBILE}"},
    )
    msp.add_text(f"车位 {WRITTEN['dashed']}", dxfattribs={"layer": "NOTES"}).set_placement(
        (2000, 3000)
    )
    msp.add_text(ID_NUMBER, dxfattribs={"layer": "PARKING"}).set_placement((2000, 3000))
    path = tmp_path / "g.dxf"
    doc.saveas(path)
    out = tmp_path / "site.geojson"
    assert main(["convert", str(path), "--to", str(out), "--units", "mm"]) == 0
    captured = capsys.readouterr()
    text = out.read_text("utf-8")
    assert "masked" in captured.out + captured.err
    assert _leaks(text) == _leaks(captured.out) == _leaks(captured.err) == []


def test_no_personal_number_reaches_the_logs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 17 item 5: what the planner logs (file names among it) is masked at the
    source, whatever handler receives it: the CLI's -vv stream and the caller's own."""
    caplog.set_level(logging.DEBUG, logger="planner")
    feats = simple_garage(bays=3, strips=1, capacity_kw=100)
    for how, number in WRITTEN.items():
        path = tmp_path / f"site {number}.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), "utf-8")
        out = tmp_path / f"out-{how}"
        assert main(["-vv", "plan", str(path), "--out", str(out), "--formats", "geojson"]) == 0
        err = capsys.readouterr().err
        assert "planner: INFO planner.readers: read site" in err
        assert "planner: DEBUG planner.plan: compartment" in err
        assert _leaks(err) == [], how
    assert "read site" in caplog.text
    assert _leaks(caplog.text) == []


def test_the_planner_is_silent_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "site.geojson"
    feats = simple_garage(bays=3, strips=1, capacity_kw=100)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), "utf-8")
    assert (
        main(["-q", "plan", str(path), "--out", str(tmp_path / "o"), "--formats", "geojson"]) == 0
    )
    assert capsys.readouterr().err == ""
