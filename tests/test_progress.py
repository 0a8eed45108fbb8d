"""Progress of long work: stages counted, told to a listener, silent by default (issue 14
item 6)."""

from __future__ import annotations

import io
from pathlib import Path

from planner.cli import main
from planner.plan import make_plan
from planner.progress import reporting, stage, terminal
from planner.readers import read_site
from planner.samples import sample_path


def test_stages_reach_the_listener_and_nobody_else() -> None:
    heard: list[tuple[str, int, int | None]] = []
    with stage("unheard", total=2) as step:  # no listener: nothing happens
        step.advance()
    with reporting(lambda *a: heard.append(a)):
        plan = make_plan(read_site(sample_path("b")))
    comps = len(plan.site.compartments)
    mine = [h for h in heard if h[0] == "planning compartments"]
    assert mine[0] == ("planning compartments", 0, comps)
    assert mine[-1] == ("planning compartments", comps, comps)
    assert [d for _, d, _ in mine] == list(range(comps + 1))


def test_plain_lines_off_a_terminal() -> None:
    out = io.StringIO()
    listen = terminal(out)
    with reporting(listen), stage("drawing sheets", total=3) as step:
        for _ in range(3):
            step.advance()
    with reporting(listen), stage("reading x"):
        pass
    assert out.getvalue().splitlines() == [
        "planner: drawing sheets 0/3",
        "planner: drawing sheets 3/3",
        "planner: reading x done",  # a stage of unknown length: only once done
    ]


def test_the_cli_reports_unless_quiet(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    site = str(sample_path("b"))
    assert main(["plan", site, "--out", str(tmp_path / "a"), "--formats", "geojson"]) == 0
    err = capsys.readouterr().err
    assert "planner: planning compartments 0/" in err
    assert "planner: reading b-two-levels.geojson" in err
    for args in (["-q", "plan", site], ["plan", site, "-q"]):
        assert main([*args, "--out", str(tmp_path / "q"), "--formats", "geojson"]) == 0
        assert "planning compartments" not in capsys.readouterr().err


def test_stage_names_in_chinese() -> None:
    from planner.i18n import stage_text

    assert stage_text("planning compartments", "zh") == "规划防火分区"
    assert stage_text("reading site.geojson", "zh") == "读取 site.geojson"
    assert stage_text("drawing sheets", "en") == "drawing sheets"
