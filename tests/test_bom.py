"""The bill of materials adds up from the plan (issue 12 item 6)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from planner.bom import TOTAL, bill, bom_table
from planner.plan import make_plan
from planner.readers import read_site
from planner.samples import sample_path, sample_requests_path
from planner.session import bom_rows
from planner.writers import write_outputs


@pytest.mark.parametrize("key", ["a", "b"])
def test_totals_add_up_from_the_plan(key: str) -> None:
    plan = make_plan(read_site(sample_path(key), requests=sample_requests_path(key)))
    rows = bill(plan)
    total = {(r.item, r.spec): r.quantity for r in rows if r.level == TOTAL}
    per_level: dict[tuple[str, str], float] = {}
    for r in rows:
        if r.level != TOTAL:
            per_level[r.item, r.spec] = per_level.get((r.item, r.spec), 0) + r.quantity
    assert per_level == pytest.approx(total, abs=0.1)
    cable = sum(q for (item, _), q in total.items() if item == "owner_cable")
    assert cable == pytest.approx(sum(c.cable_m for c in plan.cables), abs=0.1)
    tray = sum(q for (item, _), q in total.items() if item == "tray")
    assert tray == pytest.approx(sum(t.length_m for t in plan.trays), abs=0.1)
    meters = sum(q for (item, _), q in total.items() if item == "meter")
    assert meters == sum(b.meters for b in plan.boxes)
    boxes = sum(q for (item, _), q in total.items() if item == "meter_box")
    assert boxes == sum(len(b.box_sizes) for b in plan.boxes)


def test_bom_csv_and_the_apps_table(tmp_path: Path) -> None:
    plan = make_plan(read_site(sample_path("a")))
    write_outputs(plan, tmp_path / "out", formats=["csv"])
    text = (tmp_path / "out" / "bom.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = bom_table(plan, "zh")
    assert rows == [header, *body]
    assert rows[0] == ["楼层", "名称", "规格型号", "单位", "数量"]
    assert any(r[1] == "电缆桥架" for r in rows)
    app = bom_rows(plan, "en")
    assert app
    assert set(app[0]) == {"Level", "Item", "Specification", "Unit", "Quantity"}
