"""The Streamlit app driven by AppTest: what the surveyor sees after each step."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
from streamlit.runtime import Runtime
from streamlit.testing.v1 import AppTest

from planner.samples import sample_path

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _downloads(at: AppTest) -> list[Any]:
    """The download buttons (AppTest has no typed element class for them)."""
    return [cast(Any, b) for b in at.get("download_button")]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _frame(at: AppTest, column: str):  # type: ignore[no-untyped-def]
    """The first dataframe shown that has ``column`` (summary: 可建设, boxes: 布置方式,
    requests: 申请编号)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _select(at: AppTest, key: str):  # type: ignore[no-untyped-def]
    """The select box of ``key`` (the app adds a digest of its options to the key)."""
    return next(w for w in at.selectbox if (w.key or "").startswith(f"{key}:"))


def _open(at: AppTest, key: str) -> None:
    """Open the expander of ``key`` as a click on its heading does (its state is kept)."""
    at.session_state[key] = True
    at.run()


def _upload(at: AppTest, name: str, data: bytes) -> None:
    at.sidebar.radio(key="source").set_value("upload").run()
    at.sidebar.file_uploader(key="site_file").upload(name, data, "application/json")
    at.run()


def test_opens_on_a_sample_with_its_plan_shown() -> None:
    at = _app()
    assert at.title[0].value == "电动汽车自用充电桩规划"
    assert "和平小区地下车库" in at.subheader[0].value
    assert _metrics(at) == {"可建设": "8", "待补件": "2", "容量不足待排队": "4", "不可建设": "6"}
    summary = _frame(at, "可建设")
    assert list(summary["防火分区"]) == ["FQ1", "FQ2", "FQ3"]
    assert list(summary["可建设"]) == [3, 2, 3]
    assert len(at.get("plotly_chart")) == 1
    reasons = at.table[0].value  # the first request's reasons, with rule and clause
    assert set(reasons.columns) >= {"规则", "代码", "依据"}
    assert list(reasons["代码"]) == ["FIRE_UNIT_OVER_LIMIT"]


def test_changing_a_parameter_changes_the_plan() -> None:
    at = _app()
    at.sidebar.checkbox(key="managed").check().run()
    assert _metrics(at)["容量不足待排队"] == "0"
    assert _metrics(at)["可建设"] == "12"
    at.sidebar.radio(key="lang").set_value("English").run()
    assert at.title[0].value == "EV charger planning"
    assert set(_metrics(at)) == {"planned", "pending", "deferred", "blocked"}


def test_choosing_a_request_shows_why_with_rule_and_clause() -> None:
    at = _app()
    _select(at, "pick").set_value("R08").run()
    reasons = at.table[0].value
    row = reasons[reasons["代码"] == "CHARGER_OVER_CAP"].iloc[0]
    assert row["规则"] == "R7"
    assert "7千瓦" in row["依据"]


def test_filters_narrow_the_request_table() -> None:
    at = _app()
    at.multiselect(key="filter_status").set_value(["blocked"]).run()
    table = _frame(at, "申请编号")
    assert len(table) == 6
    assert set(table["状态"]) == {"不可建设"}


def test_upload_a_site_then_a_bad_one_keeps_the_plan(tmp_path: Path) -> None:
    at = _app()
    _upload(at, "d.geojson", sample_path("d").read_bytes())
    assert "滨河小区地下车库" in at.subheader[0].value
    assert not at.error
    at.sidebar.file_uploader(key="site_file").set_value(
        (
            "broken.geojson",
            b'{"type": "FeatureCollection", "features": [{"type": "Feature", '
            b'"geometry": null, "properties": {"kind": "level"}}]}',
            "application/json",
        )
    ).run()
    (error,) = at.error
    assert "第 0 个要素（楼层）：缺少必填属性 id。改正：" in error.value  # in the desk's language
    assert "滨河小区地下车库" in at.subheader[0].value  # the previous plan stays
    assert _metrics(at)["可建设"] == "6"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.geojson", b"\x89PNG\r\n\x1a\n", "不是 UTF-8 文本"),
        ("x.geojson", b'{"type": "Feature"}', "不是 GeoJSON 要素集合"),
        (
            "x.geojson",
            b'{"type": "FeatureCollection", "features": [{"type": "Feature", '
            b'"properties": {"kind": "level", "id": "B1"}, "geometry": {"type": "Polygon", '
            b'"coordinates": [[[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]]}}]}',
            "多边形无效（自相交），位置（5.000, 5.000）",
        ),
        ("big.geojson", b" " * 50_000_001, "超过限制 50,000,000 字节（50 MB）"),
    ],
)
def test_bad_uploads_say_what_is_wrong(name: str, data: bytes, message: str) -> None:
    at = _app()
    _upload(at, name, data)
    assert any(message in e.value for e in at.error)
    assert "和平小区地下车库" in at.subheader[0].value


def test_move_a_box_to_a_column_and_by_coordinates() -> None:
    at = _app()
    _open(at, "move_open")
    _select(at, "move_comp").set_value("FQ1").run()
    at.button(key="move_apply").click().run()
    boxes = _frame(at, "布置方式")
    fq1 = boxes[boxes["防火分区"] == "FQ1"].iloc[0]
    assert fq1["布置方式"] == "手动"
    at.radio(key="move_how").set_value("xy").run()
    at.number_input(key="move_x").set_value(30.0).run()
    at.number_input(key="move_y").set_value(15.0).run()
    at.button(key="move_apply").click().run()
    boxes = _frame(at, "布置方式")
    fq1 = boxes[boxes["防火分区"] == "FQ1"].iloc[0]
    assert (fq1["x"], fq1["y"]) == (30.0, 15.0)
    at.button(key="move_reset").click().run()
    fq1 = _frame(at, "布置方式").iloc[0]
    assert fq1["布置方式"] == "分区中心（柱/墙面）"  # the default is now the mounted centre (R5)


def test_a_box_typed_into_a_stall_is_refused_and_the_plan_stays() -> None:
    from planner.readers import read_site
    from planner.samples import sample_path

    stall = next(sp for sp in read_site(sample_path("a")).spaces if sp.id == "B1-004")
    at = _app()
    _open(at, "move_open")
    _select(at, "move_comp").set_value("FQ1").run()
    at.radio(key="move_how").set_value("xy").run()
    at.number_input(key="move_x").set_value(stall.polygon.centroid.x).run()
    at.number_input(key="move_y").set_value(stall.polygon.centroid.y).run()
    at.button(key="move_apply").click().run()
    assert any("FQ1-BX" in e.value and "B1-004" in e.value for e in at.error)
    fq1 = _frame(at, "布置方式").iloc[0]
    assert fq1["布置方式"] == "分区中心（柱/墙面）"


def test_downloads_of_the_current_plan() -> None:
    at = _app()
    at.sidebar.selectbox(key="sample").set_value("d").run()
    assert [b.key for b in _downloads(at)] == ["dl_requests"]  # closed: nothing serialised
    _open(at, "downloads_open")
    at.button(key="prepare").click().run()
    labels = {b.label.split("（")[0] for b in _downloads(at)}
    sized = [b.label for b in _downloads(at) if b.label.startswith("approval.pdf")]
    assert sized[0].endswith("MB）") or sized[0].endswith("kB）")  # every file with its size
    assert {
        "approval.pdf",
        "notices.zip",
        "plan.geojson",
        "plan.gpkg",
        "plan.dxf",
        "schedule.csv",
        "sheet-B1.png",
        "sheet-B1.svg",
    } <= labels
    assert not [name for name in labels if name.startswith(".")]  # no internal marker
    at.sidebar.checkbox(key="managed").check().run()
    left = sorted(b.label for b in _downloads(at))  # stale files are not offered
    assert len(left) == 2
    assert left[0] == "requests.csv"  # the inputs, always current
    assert left[1].startswith("项目文件 project.geojson")


def test_a_saved_project_reopens_with_its_options_and_moved_box() -> None:
    """Issue 14 item 4 in the desk: save the project, open it in a new session: the same
    options, rules and box, the same plan."""
    from planner.session import project_bytes

    at = _app()
    at.sidebar.checkbox(key="managed").check().run()
    at.sidebar.radio(key="trunk").set_value("none").run()
    at.sidebar.number_input(key="slack").set_value(8.0).run()
    _open(at, "move_open")
    _select(at, "move_comp").set_value("FQ3").run()
    at.radio(key="move_how").set_value("face").run()
    faces = _select(at, "move_face").options
    _select(at, "move_face").set_value(faces[1]).run()
    at.button(key="move_apply").click().run()
    assert not at.error
    plan = at.session_state["last_plan"]
    assert "FQ3" in plan.options.box_positions
    before = _metrics(at)
    data = project_bytes(plan)
    again = _app()
    _upload(again, "project.geojson", data)
    assert not again.error
    reopened = again.session_state["last_plan"]
    assert reopened.options == plan.options
    assert reopened.rules == plan.rules
    assert _metrics(again) == before
    assert again.sidebar.checkbox(key="managed").value is True
    assert again.sidebar.radio(key="trunk").value == "none"


def test_two_sessions_never_see_each_others_uploads() -> None:
    one, two = _app(), _app()
    _upload(one, "c.geojson", sample_path("c").read_bytes())
    _upload(two, "d.geojson", sample_path("d").read_bytes())
    one.run()
    assert "黄河家园" in one.subheader[0].value
    assert "滨河小区" in two.subheader[0].value


def test_a_dxf_drawing_can_be_uploaded(tmp_path: Path) -> None:
    import ezdxf

    doc = ezdxf.new("R2013")
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()
    msp.add_lwpolyline(
        [(0, 0), (30, 0), (30, 12), (0, 12)], close=True, dxfattribs={"layer": "车库轮廓"}
    )
    msp.add_lwpolyline(
        [(2, 0), (4.5, 0), (4.5, 5.3), (2, 5.3)], close=True, dxfattribs={"layer": "车位"}
    )
    path = tmp_path / "garage.dxf"
    doc.saveas(path)
    at = _app()
    at.sidebar.radio(key="source").set_value("upload").run()
    at.sidebar.file_uploader(key="site_file").upload(
        "garage.dxf", path.read_bytes(), "application/dxf"
    )
    at.run()
    assert not at.error
    assert "garage.dxf" in at.subheader[0].value
    assert list(_frame(at, "可建设")["防火分区"]) == ["B1-FQ1"]


def test_work_stops_once_the_session_is_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 11 item 2: every upload, plan and download of the desk runs under a budget
    that asks whether its session is still open, and stops once it is not."""
    import planner.desk

    asked: list[int] = []

    def gone() -> bool:
        asked.append(1)
        return True

    monkeypatch.setattr(planner.desk, "session_closed", lambda: gone)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert asked  # the session was asked about ...
    assert not at.metric  # ... and no plan was computed for it
    assert "session closed" in at.error[0].value


def test_session_closed_asks_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.desk

    assert planner.desk.session_closed()() is False  # no server: never closed

    class Server:
        open = True

        def is_active_session(self, session_id: str) -> bool:
            return self.open and session_id == "s1"

    server = Server()

    class Ctx:
        session_id = "s1"

    monkeypatch.setattr(planner.desk, "get_script_run_ctx", lambda **_: Ctx())
    monkeypatch.setattr(Runtime, "exists", classmethod(lambda cls: True))  # desk's Runtime
    monkeypatch.setattr(Runtime, "instance", classmethod(lambda cls: server))
    closed = planner.desk.session_closed()
    assert closed() is False
    server.open = False
    assert closed() is True


def test_a_drawing_is_completed_and_given_requests_in_the_desk(tmp_path: Path) -> None:
    """Issue 14 items 2 and 3 through the app: upload a DXF, see what it lacks, fill in the
    level, draw the compartments, add a request: the request is planned."""
    from tests.test_readers_dxf import _drawing

    path = tmp_path / "garage.dxf"
    _drawing().saveas(path)
    at = _app()
    at.sidebar.radio(key="source").set_value("upload").run()
    at.sidebar.file_uploader(key="site_file").upload("garage.dxf", path.read_bytes(), "x")
    at.run()
    assert any("五项消防设施" in w.value for w in at.warning)  # the to-complete list
    site = at.session_state["site"]
    lv = site.levels[0].id
    rows = [
        {"id": lv, "floor": -1, "garage_type": "underground", "fire_alarm": True,
         "smoke_exhaust": True, "sprinklers": True, "emergency_lighting": True,
         "evacuation_signs": True}
    ]  # fmt: skip
    from planner.session import site_tables, with_tables

    tables = site_tables(site)
    tables["level"][0].update(rows[0])
    at.session_state["site"] = with_tables(site, {"level": tables["level"]})
    at.run()
    assert not at.error, [e.value for e in at.error]
    _select(at, "new_level").set_value(lv)
    at.text_input(key="new_comp_id").set_value("FQ-W")
    at.number_input(key="new_comp_cap").set_value(100.0)
    at.text_input(key="new_comp_corners").set_value("0,0; 10000,0; 10000,10000; 0,10000")
    old = [c.id for c in site.compartments]
    at.multiselect(key="new_comp_replace").set_value(old)
    at.button(key="add_compartment").click().run()
    assert [c.id for c in at.session_state["site"].compartments] == ["FQ-W"]
    assert any(
        "in no fire compartment" in e.value or "不在任何防火分区" in e.value for e in at.error
    )
    at.text_input(key="new_comp_id").set_value("FQ-E")
    at.text_input(key="new_comp_corners").set_value("0,0; 10000,0; 10000,10000; 0,10000")
    at.multiselect(key="new_comp_replace").set_value([])
    at.button(key="add_compartment").click().run()
    assert any("重叠" in e.value for e in at.error)  # refused where it is typed
    space = at.session_state["site"].spaces[0].id
    from planner.session import with_requests

    at.session_state["site"] = with_requests(
        at.session_state["site"],
        [{"id": "Q1", "space": space, "charger_kw": 7, "registered": "2024-01-01",
          "documents": "id_document;parking_certificate;property_consent"}],
    )  # fmt: skip
    at.run()
    plan = at.session_state["last_plan"]
    (r,) = plan.requests
    assert r.status == "planned", r.reasons


def test_a_refused_capacity_keeps_the_plan_marked_as_not_matching() -> None:
    at = _app()
    before = _metrics(at)
    at.session_state["capacities"] = {"FQ1": -10.0}
    at.run()
    assert any("容量 -10.0 kW 不是 0 至 100,000 之间的数" in e.value for e in at.error)
    assert any("上一次的规划" in w.value for w in at.warning)
    assert _metrics(at) == before


def test_the_desk_speaks_one_language_at_a_time() -> None:
    """Issue 14 item 7 (the desk's own words): no English label in Chinese, and none in
    Chinese once English is chosen (sample names and ids aside)."""
    import re

    at = _app()

    def labels(a: AppTest) -> list[str]:
        found = [w.label for w in a.sidebar.radio] + [w.label for w in a.sidebar.checkbox]
        found += [w.label for w in a.sidebar.number_input] + [w.label for w in a.expander]
        return [x for x in found if x != "语言 / Language"]

    zh = labels(at)
    assert zh
    assert not [x for x in zh if re.search(r"[A-Za-z]{4,}", x) and "project.geojson" not in x]
    at.sidebar.radio(key="lang").set_value("English").run()
    en = labels(at)
    assert not [x for x in en if re.search(r"[\u4e00-\u9fff]", x)], en


def test_a_csv_without_a_site_says_so() -> None:
    at = _app()
    at.sidebar.radio(key="source").set_value("upload").run()
    at.sidebar.file_uploader(key="csv_file").upload("r.csv", b"id,space,charger_kw\n", "text/csv")
    at.run()
    assert any("需要对应的场地文件" in e.value for e in at.error)


def test_app_py_has_no_bare_string_streamlit_magic_would_print() -> None:
    """Streamlit's magic writes any bare expression of app.py on the page: only the module's
    docstring may be one (a constant's "docstring" there shows up above the title)."""
    import ast

    tree = ast.parse(Path(APP).read_text(encoding="utf-8"))
    bare = [
        node.lineno
        for node in tree.body
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    ]
    assert bare == [1], bare
