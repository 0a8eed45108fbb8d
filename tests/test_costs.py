"""Each owner's estimate (issue 12 item 7): the price table, its override, the split."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from planner.cli import main
from planner.costs import Prices, owner_cost
from planner.errors import PlannerError
from planner.plan import make_plan
from planner.readers import read_site
from planner.samples import sample_path


def test_bundled_prices_are_marked_as_estimates() -> None:
    prices = Prices.default()
    assert prices.estimated()
    assert all("[unconfirmed]" in p.source for p in prices.rows.values())
    assert prices.per_m("cable", "ZR-YJV-0.6/1kV-3×10") == 42


def test_owner_cost_by_hand() -> None:
    """20 m of 3×10 at 42, 3 m of conduit at 15, and two tray runs: 10 m of 100×50 at 60
    shared by 4 cables (150), 5 m of two 600×150 trays side by side at 240 shared by 8."""
    cost = owner_cost(
        designation="ZR-YJV-0.6/1kV-3×10",
        cable_m=20.0,
        conduit_m=3.0,
        tray_shares=[("100×50", 10.0, 4), ("2×600×150", 5.0, 8)],
        prices=Prices.default(),
    )
    assert (cost.cable_cny, cost.conduit_cny, cost.tray_cny) == (840.0, 45.0, 450.0)
    assert cost.total_cny == 1335.0


def test_a_price_table_overrides_rows_and_bad_ones_are_refused(tmp_path: Path) -> None:
    good = tmp_path / "prices.csv"
    good.write_text(
        "item,spec,unit,price_cny,source\ncable,ZR-YJV-0.6/1kV-3×6,m,30,utility list 2026\n",
        encoding="utf-8-sig",
    )
    prices = Prices.load(good)
    assert prices.per_m("cable", "ZR-YJV-0.6/1kV-3×6") == 30
    assert prices.per_m("cable", "ZR-YJV-0.6/1kV-3×10") == 42  # the rest stay
    for bad in ("nan", "-5", "1e9", "四十"):
        path = tmp_path / "bad.csv"
        path.write_text(f"item,spec,unit,price_cny,source\ncable,x,m,{bad},s\n", encoding="utf-8")
        with pytest.raises(PlannerError, match=r"row 2: price_cny .* is not a price"):
            Prices.load(path)


def test_costs_reach_the_plan_the_schedule_and_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = make_plan(read_site(sample_path("a")))
    for c in plan.cables:
        assert c.cost is not None
        assert c.cost_cny == pytest.approx(
            (c.cost.cable_cny or 0) + (c.cost.conduit_cny or 0) + (c.cost.tray_cny or 0)
        )
    out = tmp_path / "out"
    assert main(["plan", str(sample_path("a")), "--out", str(out), "--formats", "geojson,csv"]) == 0
    feats = json.loads((out / "plan.geojson").read_text(encoding="utf-8"))["features"]
    cables = {
        f["properties"]["request"]: f["properties"]
        for f in feats
        if f["properties"]["kind"] == "cable"
    }
    runs = [f["properties"] for f in feats if f["properties"]["kind"] == "tray_run"]
    assert runs
    assert {"compartment", "level", "cables", "size", "fill", "reserve"} <= set(runs[0])
    rows = list(csv.reader(io.StringIO((out / "schedule.csv").read_text(encoding="utf-8-sig"))))
    col = rows[0].index("费用估算(元)")
    rid_col = rows[0].index("申请编号")
    by_id = {r[rid_col]: r[col] for r in rows[1:]}
    for rid, props in cables.items():
        assert by_id[rid] == f"{props['cost_cny']:.0f}"
    bad = tmp_path / "bad.csv"
    bad.write_text("item,spec\ncable,x\n", encoding="utf-8")
    capsys.readouterr()
    args = ["plan", str(sample_path("a")), "--out", str(tmp_path / "o2"), "--prices", str(bad)]
    assert main(args) == 2
    assert "no unit, price_cny" in capsys.readouterr().err
