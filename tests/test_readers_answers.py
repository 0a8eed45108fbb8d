"""Completing a converted drawing from the command line: a TOML of answers and
--set-site / --set-level / --set-compartment (issue 14 item 2, scriptable part)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.cli import main
from planner.errors import PlannerError
from planner.readers import convert, read_site
from planner.readers.answers import apply_answers, assignments, load_answers, merge
from tests.test_readers_dxf import _drawing

FIVE = ("fire_alarm", "smoke_exhaust", "sprinklers", "emergency_lighting", "evacuation_signs")


def _dxf(tmp_path: Path) -> Path:
    path = tmp_path / "garage.dxf"
    _drawing().saveas(path)
    return path


def test_answers_fill_the_site_and_the_to_complete_list_shrinks(tmp_path: Path) -> None:
    conv = convert(_dxf(tmp_path), name="garage.dxf", kind="dxf")
    before = list(conv.to_complete)
    assert any(item.startswith("garage_type") for item in before)
    level = next(f for f in conv.features if f["properties"]["kind"] == "level")["properties"]
    comp = next(f for f in conv.features if f["properties"]["kind"] == "compartment")
    answers = {
        "site": {"community": "和平小区", "surveyor": "勘察组", "supply": "direct"},
        "levels": {
            level["id"]: {"floor": -1, "garage_type": "underground", **dict.fromkeys(FIVE, True)}
        },
        "compartments": {comp["properties"]["id"]: {"capacity_kw": 200}},
    }
    apply_answers(conv, answers)
    left = conv.to_complete
    for done in ("garage_type", "the five fire systems", "floor of", "capacity_kw", "the site's"):
        assert not any(item.startswith(done) for item in left), (done, left)
    assert any("fire compartments" in item for item in left)  # drawing them is still to do
    path = tmp_path / "site.geojson"
    path.write_bytes(conv.to_bytes())
    site = read_site(path)
    assert site.levels[0].floor == -1
    assert site.levels[0].missing_fire_systems == ()
    assert site.compartments[0].capacity_kw == 200
    assert site.info.community == "和平小区"


def test_half_answered_lists_name_what_is_left(tmp_path: Path) -> None:
    conv = convert(_dxf(tmp_path), name="garage.dxf", kind="dxf")
    level = next(f for f in conv.features if f["properties"]["kind"] == "level")["properties"]
    apply_answers(conv, {"levels": {level["id"]: {"fire_alarm": True}}})
    assert any(
        item.startswith(f"the five fire systems of level(s) {level['id']}")
        for item in conv.to_complete
    )


def test_the_cli_takes_a_toml_and_assignments(tmp_path: Path) -> None:
    dxf = _dxf(tmp_path)
    conv = convert(dxf, name="garage.dxf", kind="dxf")
    level_id = next(f for f in conv.features if f["properties"]["kind"] == "level")["properties"][
        "id"
    ]
    comp_id = next(f for f in conv.features if f["properties"]["kind"] == "compartment")[
        "properties"
    ]["id"]
    toml = tmp_path / "answers.toml"
    toml.write_text(
        f'[site]\ncommunity = "和平小区"\n\n[levels."{level_id}"]\nfloor = -1\n'
        'garage_type = "underground"\n',
        encoding="utf-8",
    )
    out = tmp_path / "site.geojson"
    args = ["convert", str(dxf), "--to", str(out), "--answers", str(toml)]
    args += [
        f"--set-level={level_id}:sprinklers=true",
        f"--set-compartment={comp_id}:capacity_kw=80",
    ]
    args += ["--set-site", "surveyor=勘察组", "--set-level", f"{level_id}:floor=-2"]
    assert main(args) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    props = {f["properties"]["kind"]: f["properties"] for f in doc["features"]}
    assert props["level"]["floor"] == -2  # the assignment wins over the file
    assert props["level"]["sprinklers"] is True
    assert props["level"]["garage_type"] == "underground"
    assert props["compartment"]["capacity_kw"] == 80
    assert props["site"]["community"] == "和平小区"
    assert props["site"]["surveyor"] == "勘察组"


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"levels": {"B9": {"floor": -1}}}, "no level 'B9' in the drawing. Fix: use one of"),
        ({"site": {"colour": "red"}}, "has no property 'colour'"),
        ({"compartments": {"X": {"capacity_kw": 1}}}, "no compartment 'X'"),
    ],
)
def test_answers_that_do_not_fit_the_drawing_say_so(
    tmp_path: Path, answers: dict[str, object], message: str
) -> None:
    conv = convert(_dxf(tmp_path), name="garage.dxf", kind="dxf")
    with pytest.raises(PlannerError, match=message):
        apply_answers(conv, merge(answers))


def test_bad_assignments_and_files_get_one_message(tmp_path: Path) -> None:
    with pytest.raises(PlannerError, match="is not ID:KEY=VALUE"):
        assignments([], ["floor=-1"], [])
    with pytest.raises(PlannerError, match="is not KEY=VALUE"):
        assignments(["community"], [], [])
    bad = tmp_path / "a.toml"
    bad.write_text("[site\n", encoding="utf-8")
    with pytest.raises(PlannerError, match="not TOML"):
        load_answers(bad)
    bad.write_text("[storeys.B1]\nfloor = 1\n", encoding="utf-8")
    with pytest.raises(PlannerError, match="unknown table"):
        load_answers(bad)
    dxf = _dxf(tmp_path)
    conv = convert(dxf, name="garage.dxf", kind="dxf")
    level_id = next(f for f in conv.features if f["properties"]["kind"] == "level")["properties"][
        "id"
    ]
    out = tmp_path / "site.geojson"
    assert (
        main(["convert", str(dxf), "--to", str(out), "--set-level", f"{level_id}:floor=deep"]) == 2
    )
    assert not out.exists()


def test_every_to_complete_item_reads_in_chinese(tmp_path: Path) -> None:
    """The desk shows what a drawing lacks in the chosen language (issue 14 item 7)."""
    import re

    from planner.i18n import complete_text

    conv = convert(_dxf(tmp_path), name="garage.dxf", kind="dxf")
    level = next(f for f in conv.features if f["properties"]["kind"] == "level")["properties"]
    items = list(conv.to_complete)
    apply_answers(conv, {"levels": {level["id"]: {"fire_alarm": True}}})  # the recounted form
    items += conv.to_complete
    items.append("drawing units ($INSUNITS = 0 is not mm, cm or m): millimetres assumed; x")
    for item in items:
        zh = complete_text(item, "zh")
        assert not re.search(r"[a-z]{5,}", zh.replace("mm", "")), (item, zh)
        assert complete_text(item, "en") == item
