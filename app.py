"""The surveyor's desk: a thin Streamlit front end. Layout and session state only; all the
work happens in ``planner`` (``planner.session`` for what the app needs).

Run it with ``python3 dev.py app`` (or ``streamlit run app.py``).
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any, get_args

import pandas  # noqa: F401 - loaded whole before the first widget: a rerun that interrupts
import streamlit as st  # plotly's lazy import of pandas left it half-initialised

from planner.desk import session_closed
from planner.errors import PlannerError
from planner.i18n import FIELD_WORDS, Lang, complete_text, error_text, field_label, stage_text, t
from planner.interactive import plan_figure
from planner.limits import Deadline, Limits
from planner.placement import PlacementMode
from planner.plan import Plan, PlanOptions, TrunkMode, check_box_positions, make_plan
from planner.progress import reporting
from planner.readers import read_site
from planner.readers.conversion import FIRE
from planner.routing import RouteCache, RoutingMode
from planner.rules import Rules
from planner.samples import SAMPLES, sample_path, sample_requests_path
from planner.session import (
    bom_rows,
    box_candidates,
    box_rows,
    compartment_rows,
    export_files,
    load_upload,
    parse_corners,
    project_bytes,
    project_state,
    reason_rows,
    request_rows,
    request_table,
    requests_csv,
    selection_corners,
    site_tables,
    to_local,
    to_source,
    unassigned_spaces,
    unmatched_requests,
    with_answers,
    with_capacities,
    with_compartment,
    with_compartment_layer,
    with_requests,
    with_requests_file,
    with_tables,
)
from planner.site import GarageType, Site
from planner.workers import available_cpus

DEFAULT_RULES = Rules()  # the widgets' defaults, from the rules themselves

LIMITS = Limits()  # every run of the desk under the command line's limits
# (no bare string here: Streamlit's "magic" would print it on the page)
CPUS = available_cpus()  # threads planning compartments at once, as the command has

SAMPLE_NAMES = {
    "a": "和平小区 B1（三个防火分区）",
    "b": "雁园小区 B1+B2",
    "c": "黄河家园（旋转、U形）",
    "d": "滨河小区（经纬度）",
}


@st.cache_resource(show_spinner=False)
def sample_site(key: str) -> Site:
    """A bundled sample, read once per server (its files never change)."""
    return read_site(sample_path(key), requests=sample_requests_path(key))


def _state() -> Any:
    s = st.session_state
    s.setdefault("site", sample_site("a"))
    s.setdefault("site_key", "sample:a")
    s.setdefault("route_cache", RouteCache())
    s.setdefault("box_positions", {})
    s.setdefault("capacities", {})
    return s


def _use_site(s: Any, key: str, site: Site, lang: Lang) -> None:
    if s.site_key != key:
        try:  # a project file reopens with its options, rules and moved boxes
            saved = project_state(site)
        except PlannerError as exc:
            st.error(error_text(exc, lang))
            return
        s.site, s.site_key = site, key
        s.box_positions, s.capacities = saved["box_positions"], {}
        s.project_rules = saved["rules"]
        if site.info.project is not None:
            for widget, value in saved["widgets"].items():
                s[widget] = value
        s.pop("downloads", None)


def _select(where: Any, label: str, options: list[str], *, key: str) -> Any:
    """A select box over options that edits change (compartments, requests, faces): its
    key carries the options, so new options make a new widget; with the same key the
    browser kept showing a choice that no longer exists while the page used another."""
    digest = hashlib.sha256("\0".join(options).encode()).hexdigest()[:12]
    return where.selectbox(label, options, key=f"{key}:{digest}")


# Choices whose labels follow the language: set again when it changes, or the browser keeps
# showing the old labels' selection (or none). A comment, not a docstring: Streamlit's magic
# would print a bare string on the page.
TRANSLATED = ("source", "routing", "placement", "trunk", "reserve", "move_how")


def _sidebar(s: Any) -> tuple[Rules, PlanOptions, Lang]:
    """The sidebar: the language, the site (a sample or an upload) and the options."""
    lang = _language(s)
    _site_source(s, lang)
    rules, options = _options(s, lang)
    return rules, options, lang


def _language(s: Any) -> Lang:
    sb = st.sidebar
    sb = st.sidebar
    lang: Lang = (
        "en"
        if sb.radio("语言 / Language", ["中文", "English"], horizontal=True, key="lang")
        == "English"
        else "zh"
    )
    if s.get("shown_lang", lang) != lang:
        for key in TRANSLATED:
            if key in s:
                s[key] = s[key]
    s.shown_lang = lang
    return lang


def _site_source(s: Any, lang: Lang) -> None:
    sb = st.sidebar
    sb.header(t("app_site", lang))
    source = sb.radio(
        t("app_source", lang),
        ["sample", "upload"],
        key="source",
        horizontal=True,
        format_func=lambda k: t(f"app_{k}", lang),
    )
    if source == "sample":
        names: list[str] = list(SAMPLES)
        key = sb.selectbox(
            t("app_sample_site", lang),
            names,
            format_func=lambda k: SAMPLE_NAMES.get(k, k),
            key="sample",
        )
        key = key or names[0]  # a select box always holds one of its options here
        _use_site(s, f"sample:{key}", sample_site(key), lang)
    else:
        site_file = sb.file_uploader(
            t("app_site_file", lang),
            type=["geojson", "json", "dxf", "dwg", "zip"],
            key="site_file",
        )
        csv_file = sb.file_uploader(t("app_csv_file", lang), type=["csv"], key="csv_file")
        if site_file is None and csv_file is not None:
            st.error(t("csv_without_site", lang))
        if site_file is not None:
            data = site_file.getvalue()
            csv = None if csv_file is None else csv_file.getvalue()
            digest = hashlib.sha256(data).hexdigest()
            csv_key = None if csv is None else hashlib.sha256(csv).hexdigest()
            try:
                if s.site_key != f"upload:{digest}":
                    site = load_upload(site_file.name, data, requests_csv=csv)
                    _use_site(s, f"upload:{digest}", site, lang)
                elif s.get("csv_key") != csv_key:  # new registrations keep the edits made
                    s.site = with_requests_file(s.site, csv)
                s.csv_key = csv_key
            except PlannerError as exc:
                st.error(error_text(exc, lang))


def _options(s: Any, lang: Lang) -> tuple[Rules, PlanOptions]:
    sb = st.sidebar
    sb.header(t("app_options", lang))
    routing = sb.radio(
        t("app_routing", lang),
        list(get_args(RoutingMode)),
        key="routing",
        format_func=lambda k: t(f"app_{k}", lang),
    )
    placement = sb.selectbox(
        t("app_placement", lang),
        list(get_args(PlacementMode)),
        key="placement",
        format_func=lambda k: t(f"app_placement_{k}", lang),
    )
    clearance = sb.number_input(
        t("app_clearance", lang), 0.0, 1.0, DEFAULT_RULES.clearance_m, 0.05, key="clearance"
    )
    slack = sb.number_input(
        t("app_slack", lang), 0.0, 30.0, DEFAULT_RULES.slack * 100, 1.0, key="slack"
    )
    vdrop = sb.number_input(
        t("app_vdrop", lang), 1.0, 10.0, DEFAULT_RULES.voltage_drop_limit_pct, 0.5, key="vdrop"
    )
    managed = sb.checkbox(t("app_managed", lang), key="managed")
    trunk = sb.radio(
        t("app_trunk", lang),
        list(get_args(TrunkMode)),
        key="trunk",
        horizontal=True,
        format_func=lambda k: t(f"app_trunk_{k}", lang),
    )
    s.setdefault("reserve", 0.0)
    reserve = sb.select_slider(
        t("app_reserve", lang),
        options=sorted({0.0, 0.25, 0.45, 0.5, 0.75, 1.0, float(s.reserve)}),
        format_func=lambda v: (
            t("none", lang) if v == 0 else (t("app_all", lang) if v == 1 else f"{v:.0%}")
        ),
        key="reserve",
    )
    rules = Rules().with_overrides(
        [f"{k}={json.dumps(v)}" for k, v in s.get("project_rules", {}).items()]
        + [f"clearance_m={clearance}", f"slack={slack / 100}", f"voltage_drop_limit_pct={vdrop}"]
    )
    options = PlanOptions(
        routing=routing,
        placement=placement,
        managed=managed,
        trunk=trunk,
        reserve="none" if reserve == 0 else ("all" if reserve == 1 else reserve),
        box_positions=dict(s.box_positions),
    )
    return rules, options


def _plan_view(s: Any, plan: Plan, lang: Lang) -> None:
    site = plan.site
    st.subheader(f"{site.info.name}  ·  {site.info.community or ''}")
    counts = plan.counts()
    cols = st.columns(4)
    for col, status in zip(cols, ("planned", "pending", "deferred", "blocked"), strict=True):
        col.metric(t(status, lang), counts[status])
    level = _select(st, t("level", lang), [lv.id for lv in site.levels], key="level")
    ids = st.toggle(t("show_stall_ids", lang), key="stall_ids")
    event = st.plotly_chart(
        plan_figure(plan, level, lang=lang, stall_ids=ids),
        key="plan_chart",
        on_select="rerun",
        selection_mode=("box", "lasso"),  # a box or lasso drawn here outlines a compartment
    )
    corners = selection_corners(site, getattr(event, "selection", None))
    if corners and corners != s.get("selected_corners"):
        s.selected_corners = corners
        s.new_comp_corners = corners
        s.new_level = level
        st.info(t("selection_taken", lang))
    st.dataframe(compartment_rows(plan, lang), hide_index=True, key="summary")
    st.dataframe(box_rows(plan, lang), hide_index=True, key="boxes")
    rows = request_rows(plan, lang)
    f1, f2 = st.columns(2)
    statuses = f1.multiselect(
        t("status", lang),
        ["planned", "pending", "deferred", "blocked"],
        format_func=lambda x: t(x, lang),
        key="filter_status",
        placeholder=t("choose", lang),
    )
    comps = f2.multiselect(
        t("compartment", lang),
        [c.id for c in site.compartments],
        key="filter_comp",
        placeholder=t("choose", lang),
    )
    shown = [
        r
        for r in rows
        if (not statuses or r["status"] in statuses)
        and (not comps or r[t("compartment", lang)] in comps)
    ]
    st.dataframe(
        [{k: v for k, v in r.items() if k != "status"} for r in shown],
        hide_index=True,
        key="requests",
    )
    with st.expander(t("bom", lang)):
        st.dataframe(bom_rows(plan, lang), hide_index=True, key="bom")
    pick = _select(st, t("request", lang), [r.id for r in plan.requests], key="pick")
    if pick:
        st.table(reason_rows(plan, pick, lang))


def _changes(s: Any, plan: Plan, lang: Lang) -> None:
    site = s.site
    with st.expander(t("app_capacities", lang)):
        base = {c.id: c.capacity_kw for c in site.compartments}
        edited = st.data_editor(
            [
                {"compartment": cid, "capacity_kw": s.capacities.get(cid, cap)}
                for cid, cap in base.items()
            ],
            disabled=["compartment"],
            hide_index=True,
            key="capacity_editor",
            column_config={
                "compartment": t("compartment", lang),
                "capacity_kw": field_label("capacity_kw", lang),
            },
        )
        new = {r["compartment"]: r["capacity_kw"] for r in edited}
        if new != {cid: s.capacities.get(cid, cap) for cid, cap in base.items()}:
            s.capacities = {k: v for k, v in new.items() if v != base[k]}
            st.rerun()
    # its faces are searched only while it is open (0.25 s a run on a large compartment)
    mover = st.expander(t("app_move_box", lang), key="move_open", on_change="rerun")
    if not mover.open:
        return
    with mover:
        comp = _select(
            st, t("compartment", lang), [b.compartment for b in plan.boxes], key="move_comp"
        )
        if comp:
            options = box_candidates(site, comp, lang=lang)
            how = st.radio(
                t("app_position", lang),
                ["face", "xy"],
                horizontal=True,
                key="move_how",
                format_func=lambda k: t(f"app_{k}", lang),
            )
            # the face or the coordinates in one slot: the buttons below keep their place in
            # the page when the choice changes (else, mid-rerun, the old button and the new
            # one both show)
            spot = st.container()
            if how == "face" and options:
                label = _select(spot, t("app_face", lang), [o[0] for o in options], key="move_face")
                target = dict(options)[label]
            else:
                box = next(b for b in plan.boxes if b.compartment == comp)
                x0, y0 = to_source(site, box.point.x, box.point.y)
                x = spot.number_input("x", value=float(x0), format="%.6f", key="move_x")
                y = spot.number_input("y", value=float(y0), format="%.6f", key="move_y")
                target = to_local(site, x, y)
            a, b = st.columns(2)
            if a.button(t("app_move", lang), key="move_apply"):
                moved = {**s.box_positions, comp: target}
                try:  # refused where it is typed: outside the compartment, in an obstacle or stall
                    check_box_positions(site, PlanOptions(box_positions=moved))
                except PlannerError as exc:
                    st.error(error_text(exc, lang))
                else:
                    s.box_positions = moved
                    st.rerun()
            if b.button(t("app_reset", lang), key="move_reset"):
                s.box_positions = {k: v for k, v in s.box_positions.items() if k != comp}
                st.rerun()


def _complete(s: Any, lang: Lang) -> None:
    """What the site still lacks, and the editors that fill it in (issue 14 items 2, 3)."""
    site = s.site
    todo = [complete_text(w.message, lang) for w in site.warnings if w.code == "CONVERTED_COMPLETE"]
    unmatched = unmatched_requests(site)
    if unmatched:
        shown = "; ".join(unmatched[:20]) + (" …" if len(unmatched) > 20 else "")
        st.warning(t("unmatched", lang, n=len(unmatched), total=len(site.requests), rows=shown))
    missing = unassigned_spaces(site)
    if missing:
        st.error(t("unassigned", lang, n=len(missing), ids=", ".join(missing[:20])))
    if todo:  # what the upload still lacks, always in view
        st.warning(t("to_complete", lang) + "\n\n" + "\n".join(f"- {item}" for item in todo))
    with st.expander(t("complete_site", lang), expanded=bool(todo)):
        _site_editors(s, site, lang)
        _compartment_editor(s, site, lang)
    with st.expander(t("edit_requests", lang)):
        rows = st.data_editor(
            request_table(site),
            num_rows="dynamic",
            hide_index=True,
            key="edit_requests",
            column_config={k: field_label(k, lang) for k in FIELD_WORDS},
        )
        a, b = st.columns(2)
        if a.button(t("apply", lang), key="apply_requests"):
            _replace_site(s, lambda: with_requests(site, rows), lang)
        b.download_button(
            "requests.csv", requests_csv(rows), file_name="requests.csv", key="dl_requests"
        )


def _site_editors(s: Any, site: Site, lang: Lang) -> None:
    """The site's tables (levels, compartments ...) to edit, and an answers file."""
    tables = site_tables(site)
    cc = st.column_config
    label = functools.partial(field_label, lang=lang)
    columns: dict[str, Any] = {
        **{k: label(k) for k in FIELD_WORDS},
        **{k: cc.CheckboxColumn(label(k)) for k in FIRE},
        "garage_type": cc.SelectboxColumn(label("garage_type"), options=list(get_args(GarageType))),
        "supply": cc.SelectboxColumn(label("supply"), options=["direct", "non_direct"]),
        "floor": cc.NumberColumn(label("floor"), step=1),
        "ceiling_height_m": cc.NumberColumn(label("ceiling_height_m"), min_value=0.1),
        "capacity_kw": cc.NumberColumn(label("capacity_kw"), min_value=0.0),
    }
    edited = {
        kind: st.data_editor(
            rows, hide_index=True, key=f"edit_{kind}", disabled=["id"], column_config=columns
        )
        for kind, rows in tables.items()
    }
    if st.button(t("apply", lang), key="apply_tables"):
        _replace_site(s, lambda: with_tables(site, edited), lang)
    answers = st.file_uploader(t("answers_file", lang), type=["toml"], key="answers_file")
    if answers is not None and st.button(t("use_answers", lang), key="use_answers"):
        _replace_site(s, lambda: with_answers(site, answers.name, answers.getvalue()), lang)


def _compartment_editor(s: Any, site: Site, lang: Lang) -> None:
    """A compartment drawn by typed corners, or a layer of them from a file."""
    st.markdown(t("draw_compartment", lang))
    c1, _ = st.columns([1, 2])
    level = _select(c1, t("level", lang), [lv.id for lv in site.levels], key="new_level")
    # a form: typing the corners re-plans nothing until the compartment is added (and a
    # click cannot land on a rerun started by the last keystroke); the level, shared with
    # the layer below, stays outside it
    with st.form("new_compartment", enter_to_submit=False, border=False):
        c2, c3 = st.columns(2)
        ident = c2.text_input(field_label("id", lang), key="new_comp_id")
        cap = c3.number_input(t("capacity", lang) + " kW", 0.0, 5000.0, 0.0, key="new_comp_cap")
        corners = st.text_input(t("corners", lang), key="new_comp_corners")
        replace = st.multiselect(
            t("replace", lang),
            [c.id for c in site.compartments],
            key="new_comp_replace",
            placeholder=t("choose", lang),
        )
        add = st.form_submit_button(t("add_compartment", lang), key="add_compartment")
    if add:
        _replace_site(
            s,
            lambda: with_compartment(
                site,
                level=level,
                ident=ident.strip(),
                corners=parse_corners(corners),
                capacity_kw=cap or None,
                replace=tuple(replace),
            ),
            lang,
        )
    layer = st.file_uploader(
        t("compartment_layer", lang), type=["geojson", "json", "dxf", "dwg"], key="fq_layer"
    )
    if layer is not None and st.button(t("use_layer", lang), key="use_layer"):
        _replace_site(
            s,
            lambda: with_compartment_layer(site, layer.name, layer.getvalue(), level=level),
            lang,
        )


def _replace_site(s: Any, edit: Any, lang: Lang) -> None:
    """Apply an edit; a refused one says why next to it and changes nothing."""
    try:
        site = edit()
    except PlannerError as exc:
        st.error(error_text(exc, lang))
        return
    s.site = site
    s.pop("downloads", None)
    st.rerun()


def _downloads(s: Any, plan: Plan, lang: Lang) -> None:
    # the open state is the session's (keyed, on_change="rerun"): a rerun that redraws the
    # page above cannot close it, and nothing is serialised while it is closed
    box = st.expander(t("app_downloads", lang), key="downloads_open", on_change="rerun")
    if not box.open:
        return
    with box:
        signature = (
            s.site_key,
            plan.options.model_dump_json(),
            plan.rules.model_dump_json(),
            lang,
            tuple(sorted(s.capacities.items())),
        )
        st.download_button(
            t("app_project_file", lang),
            project_bytes(plan),
            file_name="project.geojson",
            key="dl_project",
        )
        if st.button(t("app_prepare", lang), key="prepare"):
            with st.spinner("…"):
                s.downloads = (signature, export_files(plan, lang=lang))
        if "downloads" in s and s.downloads[0] == signature:
            for name, data in s.downloads[1].items():
                st.download_button(
                    f"{name}（{_size(len(data))}）"
                    if lang == "zh"
                    else f"{name} ({_size(len(data))})",
                    data,
                    file_name=name,
                    key=f"dl_{name}",
                )
        elif "downloads" in s:
            st.caption(t("app_stale_files", lang))


def _size(n: int) -> str:
    """A file size as people read it."""
    for unit, step in (("MB", 1e6), ("kB", 1e3)):
        if n >= step:
            return f"{n / step:.1f} {unit}"
    return f"{n} B"


def _progress_bar(lang: Lang) -> Any:
    """A progress bar that shows what the planner is doing while it works."""
    slot = st.empty()

    def listen(stage: str, done: int, total: int | None) -> None:
        what = stage_text(stage, lang)
        if total is None:
            slot.caption(f"{what} …")
        elif done >= total:
            slot.empty()
        else:
            slot.progress(done / total, text=f"{what} {done}/{total}")

    return listen


def main() -> None:
    st.set_page_config(page_title="充电桩表箱规划 EV charger planner", layout="wide")
    s = _state()
    # every upload, plan and download runs under the CLI's limits and time budget, and
    # stops at the next check once the session is closed
    with (
        Deadline.of(LIMITS, cancelled=session_closed()).active(),
        reporting(_progress_bar("en" if s.get("lang") == "English" else "zh")),
    ):
        rules, options, lang = _sidebar(s)
        st.title("电动汽车自用充电桩规划" if lang == "zh" else "EV charger planning")
        try:
            site = with_capacities(s.site, s.capacities)
            plan = make_plan(site, rules, options=options, route_cache=s.route_cache, threads=CPUS)
            s.last_plan = plan
        except PlannerError as exc:
            st.error(error_text(exc, lang))
            if "last_plan" not in s:
                return
            plan = s.last_plan  # the previous plan stays on screen, marked as such
            st.warning(t("stale_plan", lang))

        _plan_view(s, plan, lang)
        _complete(s, lang)
        _changes(s, plan, lang)
        _downloads(s, plan, lang)


main()
