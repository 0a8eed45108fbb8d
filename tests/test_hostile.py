"""Hostile numbers (issue 11, family 1): NaN, infinities and 1e308 wherever a number is read
are refused with one message naming the field, exit status 2, no traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


@pytest.mark.parametrize("raw", ["[0, 1.3407807929942597e+154]", "[-2e8, 0]"])
def test_a_charger_point_out_of_range_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], raw: str
) -> None:
    """A given charger point as far as no geometry may be (the thorough fuzz profile found
    the first one overflowing the distance to it): refused like a geometry there."""
    site = _site_with(tmp_path, "space", "charger", raw)
    assert main(["plan", str(site), "--out", str(tmp_path / "out"), "--formats", "geojson"]) == 2
    err = capsys.readouterr().err
    assert "'charger'" in err
    assert "max_abs_coord_m" in err
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


@pytest.mark.parametrize("special", ["/dev/zero", "fifo", "folder"])
@pytest.mark.parametrize("role", ["site", "requests", "layers"])
def test_special_files_as_inputs_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], special: str, role: str
) -> None:
    import os

    from planner.samples import sample_path

    path = special
    if special == "fifo":
        path = str(tmp_path / "pipe")
        os.mkfifo(path)
    elif special == "folder":
        path = str(tmp_path / "dir.csv")
        Path(path).mkdir()
    site = path if role == "site" else str(sample_path("d"))
    args = ["plan", site, "--out", str(tmp_path / "out"), "--formats", "geojson"]
    if role == "requests":
        args += ["--requests", path]
    if role == "layers":  # a layer map is read for drawings
        import ezdxf

        doc = ezdxf.new()
        doc.modelspace().add_lwpolyline([(0, 0), (5000, 0), (5000, 2500)], close=True)
        doc.saveas(tmp_path / "g.dxf")
        args[1] = str(tmp_path / "g.dxf")
        args += ["--layers", path]
    if role == "site" and special == "folder":
        path = str(tmp_path / "dir.geojson")
        Path(path).mkdir()
        args[1] = path
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Fix:" in err or "folder" in err
    assert not (tmp_path / "out").exists()


def test_ctrl_c_exits_130_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from planner import cli
    from planner.samples import sample_path

    def interrupt(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "make_plan", interrupt)
    assert cli.main(["plan", str(sample_path("d")), "--out", str(tmp_path / "o")]) == 130
    err = _messages(capsys.readouterr().err)
    assert err == ["planner: interrupted; nothing was written"]


@pytest.mark.parametrize(("cell", "word"), [("7_0", "charger_kw"), ("nan", "charger_kw")])
def test_csv_numbers_are_plain_decimals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cell: str, word: str
) -> None:
    from planner.samples import sample_path

    csv_path = tmp_path / "r.csv"
    csv_path.write_text(f"id,space,charger_kw\nQ1,B1-001,{cell}\n", encoding="utf-8")
    args = ["validate", str(sample_path("d")), "--requests", str(csv_path)]
    assert main(args) == 2
    assert word in capsys.readouterr().err


@pytest.mark.parametrize("when", ["1999-12-31", "2099-01-01"])
def test_registration_dates_out_of_range_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], when: str
) -> None:
    site = _site_with(tmp_path, "request", "registered", json.dumps(when))
    assert main(["validate", str(site)]) == 2
    assert "registered" in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["\x1b[2J", "a\nb", "\ud800", "\u202eevil", "\x00"])
def test_unprintable_text_is_refused_and_never_echoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    feats = simple_garage(bays=2, strips=1)
    feats.append(feature("request", None, id=f"R{bad}", space="B1-001", charger_kw=7))
    path = tmp_path / "site.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "unprintable character" in err
    assert bad not in err
    assert all(ch.isprintable() or ch == "\n" for ch in err)


def test_a_csv_cell_over_the_csv_limit_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from planner.samples import sample_path

    big = tmp_path / "big.csv"
    big.write_text("id,space,charger_kw,applicant\nQ1,B1-001,7," + "x" * 200_000 + "\n")
    assert main(["validate", str(sample_path("d")), "--requests", str(big)]) == 2
    assert "cannot be read as CSV" in capsys.readouterr().err


def _zip(members: dict[str, bytes], *, encrypt: bool = False) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    raw = bytearray(buf.getvalue())
    if encrypt:  # the encryption flag in the local and central headers
        raw[raw.find(b"PK\x03\x04") + 6] |= 1
        raw[raw.find(b"PK\x01\x02") + 8] |= 1
    return bytes(raw)


@pytest.mark.parametrize(
    ("members", "encrypt", "word"),
    [
        ({"manifest.json": b"{}"}, True, "encrypted"),
        ({"a/unit.geojson": b"{}", "b/unit.geojson": b"{}"}, False, "twice"),
    ],
)
def test_zip_members_that_cannot_be_read_whole_are_refused(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    members: dict[str, bytes],
    encrypt: bool,
    word: str,
) -> None:
    path = tmp_path / "imdf.zip"
    path.write_bytes(_zip(members, encrypt=encrypt))
    assert main(["convert", str(path), "--to", str(tmp_path / "site.geojson")]) == 2
    assert word in capsys.readouterr().err
    assert not (tmp_path / "site.geojson").exists()


def test_an_imdf_folder_obeys_the_zip_limits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "imdf"
    folder.mkdir()
    (folder / "unit.geojson").write_bytes(b" " * 5000)
    args = ["convert", str(folder), "--to", str(tmp_path / "s.geojson")]
    assert main([*args, "--limit", "max_zip_bytes=1000"]) == 2
    assert "over the limit" in capsys.readouterr().err


def test_a_compartment_outside_its_level_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from planner.synthetic import transform_features

    feats = simple_garage(bays=2, strips=1)
    comps = [f for f in feats if f["properties"]["kind"] == "compartment"]
    moved = transform_features(comps, lambda x, y: (x + 500, y))
    others = [f for f in feats if f["properties"]["kind"] != "compartment"]
    path = tmp_path / "site.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": others + moved}))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "lie outside the outline of level 'B1' (100% of its area)" in err


def test_the_requests_csv_has_a_row_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from planner.samples import sample_path

    rows = "\n".join(f"Q{n},B1-001,7" for n in range(30))
    path = tmp_path / "r.csv"
    path.write_text("id,space,charger_kw\n" + rows + "\n")
    args = ["validate", str(sample_path("d")), "--requests", str(path)]
    assert main([*args, "--limit", "max_csv_rows=20"]) == 2
    assert "max_csv_rows" in capsys.readouterr().err


@pytest.mark.parametrize("shape", ["self", "mutual", "tree"])
def test_block_recursion_is_bounded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], shape: str
) -> None:
    import ezdxf

    doc = ezdxf.new()
    a = doc.blocks.new("A")
    a.add_lwpolyline([(0, 0), (2500, 0), (2500, 5300)], close=True, dxfattribs={"layer": "PARKING"})
    if shape == "self":
        a.add_blockref("A", (10, 0))
    elif shape == "mutual":
        b = doc.blocks.new("B")
        a.add_blockref("B", (10, 0))
        b.add_blockref("A", (0, 10))
    else:  # ten copies of the one below, eight levels deep: 10^8 stalls
        for level in range(8):
            blk = doc.blocks.new(f"T{level}")
            for k in range(10):
                if level:
                    blk.add_blockref(f"T{level - 1}", (k * 3000, 0))
                else:
                    blk.add_lwpolyline([(0, 0), (2500, 0), (2500, 5300)], close=True)
        doc.modelspace().add_blockref("T7", (0, 0))
    if shape != "tree":
        doc.modelspace().add_blockref("A", (0, 0))
    path = tmp_path / "r.dxf"
    doc.saveas(path)
    limit = ["--limit", "max_dxf_entities=20000"]  # the default 500,000 takes ~30 s to reach
    assert main(["convert", str(path), "--to", str(tmp_path / "s.geojson"), *limit]) == 2
    err = capsys.readouterr().err
    assert ("max_dxf_entities" if shape == "tree" else "max_block_depth") in err


FIELDS = [
    ("site", "name"),
    ("site", "community"),
    ("site", "north_deg"),
    ("site", "units"),
    ("level", "id"),
    ("level", "floor"),
    ("level", "ceiling_height_m"),
    ("level", "sprinklers"),
    ("compartment", "id"),
    ("compartment", "capacity_kw"),
    ("compartment", "axis_deg"),
    ("space", "id"),
    ("space", "tenure"),
    ("space", "charger"),
    ("obstacle", "type"),
    ("request", "id"),
    ("request", "space"),
    ("request", "charger_kw"),
    ("request", "registered"),
    ("request", "applicant"),
    ("request", "lease_months"),
    ("request", "documents"),
    ("request", "vote"),
]
HOSTILE = st.one_of(
    st.text(alphabet=st.characters(codec=None), max_size=40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.booleans(),
    st.none(),
    st.lists(st.one_of(st.integers(), st.text(max_size=5), st.floats()), max_size=4),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


@given(field=st.sampled_from(FIELDS), value=HOSTILE)
def test_any_value_in_any_field_ends_in_a_plan_or_a_message(
    field: tuple[str, str], value: object
) -> None:
    """Issue 11 item 8: hostile strings and numbers for every field never raise anything but
    the planner's own refusal, and a plan accounts for every request."""
    from planner.errors import PlannerError
    from planner.plan import make_plan
    from planner.readers import parse_site

    kind, name = field
    feats = simple_garage(bays=2, strips=1, capacity_kw=30)
    feats.append(feature("request", None, id="R1", space="B1-001", charger_kw=7))
    target = next(f for f in feats if f["properties"]["kind"] == kind)
    target["properties"][name] = value
    raw = json.dumps({"type": "FeatureCollection", "features": feats}).encode()
    try:
        site = parse_site(raw)
    except PlannerError as exc:
        assert str(exc)
        return
    plan = make_plan(site)
    assert len(plan.requests) == len(site.requests)


def test_huge_strings_are_refused_before_anything_is_drawn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = _site_with(tmp_path, "site", "name", json.dumps("小" * 200_000))
    assert main(["plan", str(site), "--out", str(tmp_path / "out")]) == 2
    assert "200,000 characters long" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_out_that_cannot_be_written_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``--out`` as ``/``, where nothing may be created (``/proc``), or on a full disk:
    exit 2, one line, the earlier plan in the folder untouched."""
    import errno

    import planner.writers
    from planner.samples import sample_path

    site = str(sample_path("d"))
    plan = ["plan", site, "--formats", "geojson,csv", "--out"]
    for bad, words in [("/", "replaces"), ("/proc/x", "cannot write")]:
        assert main([*plan, bad]) == 2
        (message,) = _messages(capsys.readouterr().err)
        assert words in message
    out = tmp_path / "out"
    assert main([*plan, str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(planner.writers, "write_plan_geojson", full)
    capsys.readouterr()
    assert main([*plan, str(out)]) == 2
    err = _messages(capsys.readouterr().err)
    assert err == [
        f"planner: --out: writing '{out}' failed (No space left on device); nothing was "
        "changed there. Fix: free some space or choose a folder you may write to."
    ]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging left behind


PROGRESS = re.compile(r"^planner: .+ (\d+/\d+|done)$")
"""A progress line (planner.progress, off a terminal), not a message."""


def _messages(err: str) -> list[str]:
    """What the command said on stderr, its progress lines aside."""
    return [ln for ln in err.strip().splitlines() if not PROGRESS.match(ln)]
