"""The bundled sample sites: how they are drawn and where they live.

``python sample_sites/generate.py`` rewrites the files in ``planner/data/samples/`` from the
functions here; a test checks that the committed files equal what these functions draw.
See ``sample_sites/README.md`` for what each site demonstrates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from planner.errors import UnknownIdError
from planner.projection import Frame
from planner.synthetic import (
    Block,
    Feature,
    LevelDrawing,
    collection,
    feature,
    rotation,
    rounded,
    transform_features,
)

SAMPLE_DIR = Path(__file__).resolve().parent / "data" / "samples"
"""Inside the package, so an installed wheel has its samples (the app opens on one)."""
SAMPLES: dict[str, str] = {
    "a": "a-single-basement.geojson",
    "b": "b-two-levels.geojson",
    "c": "c-rotated-nonconvex.geojson",
    "d": "d-lonlat.geojson",
}
SAMPLE_CSV: dict[str, str] = {"b": "b-two-levels.requests.csv"}
FIRE_ALL = dict.fromkeys(
    ("fire_alarm", "smoke_exhaust", "sprinklers", "emergency_lighting", "evacuation_signs"), True
)
DOCS_OWNED = ["id_document", "property_consent", "parking_certificate"]
DOCS_LEASED = ["id_document", "property_consent", "lease_contract", "owner_consent"]
DOCS_COMMON = ["id_document", "property_consent"]
PASSING_VOTE = {
    "participating_area": 0.70,
    "participating_owners": 0.69,
    "approving_area": 0.80,
    "approving_owners": 0.78,
}
FAILING_VOTE = {
    "participating_area": 0.70,
    "participating_owners": 0.60,
    "approving_area": 0.80,
    "approving_owners": 0.78,
}


def sample_path(key: str) -> Path:
    """Path of a bundled sample site (``"a"`` .. ``"d"``)."""
    try:
        return SAMPLE_DIR / SAMPLES[key]
    except KeyError:
        raise UnknownIdError("sample", key, SAMPLES) from None


def sample_requests_path(key: str) -> Path | None:
    """Path of the requests CSV that goes with a sample, if it has one."""
    name = SAMPLE_CSV.get(key)
    return None if name is None else SAMPLE_DIR / name


def _space_at(features: list[Feature], x: float, y: float, level: str = "B1") -> str:
    p = Point(x, y)
    for f in features:
        props = f["properties"]
        if (
            props["kind"] == "space"
            and props["level"] == level
            and shapely.geometry.shape(f["geometry"]).contains(p)
        ):
            return str(props["id"])
    raise KeyError(f"no space at ({x}, {y})")


def _request(
    rid: str,
    space: str,
    registered: str | None,
    *,
    kw: float = 7,
    docs: list[str] | None = None,
    point: Point | None = None,
    **props: Any,
) -> Feature:
    return feature(
        "request",
        point,
        id=rid,
        space=space,
        charger_kw=kw,
        registered=registered,
        documents=DOCS_OWNED if docs is None else docs,
        **props,
    )


def site_a() -> list[Feature]:
    """One basement level, three compartments, 20 requests covering every outcome."""
    feats, geo = _site_a_drawing()
    return feats + _site_a_requests(feats, geo)


@dataclass(frozen=True)
class _SiteA:
    """Where site a's requests stand: its two blocks, the walled-in group and the
    compartment line."""

    main: Block
    arm: Block
    locked: Polygon
    split: float


def _site_a_drawing() -> tuple[list[Feature], _SiteA]:
    """Site a's level: a 12-bay block with a core and a room, a 38-bay arm, a walled-in
    group of stalls, a ramp, a stall across the compartment line."""
    main = Block(bays=12, strips=2, cores=((9, 1, 1),), rooms=((11, 0, 0),))
    arm = Block(bays=38, strips=1, origin=(0.0, main.height_m))
    split = main.column_x(6)
    locked = next(g for i, k, row, g in main.stall_groups() if (i, k, row) == (3, 1, 1))
    walls = [
        feature(
            "obstacle",
            LineString(locked.exterior.coords),
            level="B1",
            type="wall",
            id="B1-W01",
            name="封闭车库围墙",
        ),
        feature(
            "obstacle",
            box(0.0, 0.0, 6.0, 12.0),
            level="B1",
            type="ramp",
            id="B1-RAMP",
            name="汽车坡道",
        ),
    ]
    straddle = feature(
        "space",
        box(split - 1.25, 5.9, split + 1.25, 11.2),
        id="B1-X01",
        level="B1",
        tenure="owned",
        name="跨分区临时车位",
    )
    level = LevelDrawing(
        id="B1",
        props={
            "name": "地下一层",
            "garage_type": "underground",
            "floor": -1,
            "ceiling_height_m": 3.6,
            **FIRE_ALL,
        },
        blocks=[main, arm],
        stall_prefix="B1-",
        extra=[*walls, straddle],
    )
    level.compartments = [
        ("FQ1", box(0, 0, split, main.height_m), {"name": "防火分区一", "capacity_kw": 30}),
        ("FQ2", box(split, 0, main.width_m, main.height_m), {"name": "防火分区二"}),
        ("FQ3", arm.outline, {"name": "防火分区三（北侧长条车库）", "capacity_kw": 200}),
    ]
    feats = [
        feature(
            "site",
            None,
            name="和平小区地下车库",
            community="兰州市城关区和平小区",
            supply="direct",
            urban=True,
            north_deg=0,
            surveyor="国网兰州供电公司 勘察组",
            revision="A",
        ),
        *level.features(),
    ]
    return feats, _SiteA(main, arm, locked, split)


def _set_tenure(feats: list[Feature], tenure: dict[str, str]) -> None:
    for f in feats:
        if f["properties"].get("id") in tenure:
            f["properties"]["tenure"] = tenure[f["properties"]["id"]]


def _site_a_requests(feats: list[Feature], geo: _SiteA) -> list[Feature]:
    """The 20 requests, each chosen for the outcome it shows (the tenure of the common
    and leased spaces set on the way)."""
    main, arm, locked, split = geo.main, geo.arm, geo.locked, geo.split
    sp = _space_at
    y_lo = 2.65  # lower row of strip 0 in the main block
    y_hi = 13.95  # upper row of strip 0
    y_arm = main.height_m + 2.65
    x_fq1 = [main.column_x(i) + 0.3 + 1.25 + 2.5 * j for i in range(1, 6) for j in range(3)]
    x_fq2 = [main.column_x(i) + 0.3 + 1.25 + 2.5 * j for i in range(7, 11) for j in range(3)]
    common1 = sp(feats, x_fq1[4], y_hi)
    common2 = sp(feats, x_fq2[5], y_hi)
    common3 = sp(feats, x_fq2[7], y_hi)
    leased = sp(feats, x_fq1[2], y_lo)
    _set_tenure(feats, {common1: "common", common2: "common", common3: "common", leased: "leased"})
    edge_space = sp(feats, main.column_x(5) + 0.3 + 6.25, y_lo)
    locked_space = sp(feats, locked.centroid.x, locked.centroid.y)
    near = sp(feats, x_fq1[6], y_lo)
    far_left = sp(feats, arm.column_x(0) + 1.55, y_arm)
    mid_left = sp(feats, arm.column_x(6) + 1.55, y_arm)
    by_box = sp(feats, arm.column_x(18) + 1.55, y_arm)
    return [
        # FQ1: capacity 30 kW, first come first served
        _request("R01", sp(feats, x_fq1[0], y_lo), "2024-03-01T09:00", applicant="张先生"),
        _request(
            "R02",
            leased,
            "2024-03-02",
            docs=DOCS_LEASED,
            lease_months=36,
            applicant="李女士",
            charger_type="wall",
            car_brand="比亚迪",
        ),
        _request(
            "R03",
            sp(feats, x_fq1[1], y_lo),
            "2024-03-03",
            docs=["id_document", "property_consent"],
            applicant="王先生",
        ),
        _request(
            "R04", common1, "2024-03-04", docs=DOCS_COMMON, vote=PASSING_VOTE, applicant="赵女士"
        ),
        _request(
            "R05", near, "2024-03-05", kw=3.5, applicant="刘先生 13912345678", car_brand="五菱"
        ),
        _request("R06", sp(feats, x_fq1[8], y_lo), "2024-03-06", applicant="陈先生"),
        _request("R07", sp(feats, x_fq1[9], y_lo), "2024-03-07", applicant="杨女士"),
        _request("R08", sp(feats, x_fq1[10], y_lo), "2024-03-08", kw=11, applicant="黄先生"),
        _request("R09", sp(feats, x_fq1[0], y_lo), "2024-03-09", applicant="张太太"),
        _request("R10", locked_space, "2024-03-10", applicant="周先生"),
        _request(
            "R11", edge_space, "2024-03-11", applicant="吴先生", point=Point(split + 0.3, y_lo)
        ),
        # FQ2: capacity not known
        _request("R12", common2, "2024-03-12", docs=DOCS_COMMON, applicant="徐女士"),
        _request(
            "R13", common3, "2024-03-13", docs=DOCS_COMMON, vote=FAILING_VOTE, applicant="孙先生"
        ),
        _request("R14", "B1-999", "2024-03-14", applicant="马先生"),
        _request("R15", "B1-X01", "2024-03-15", applicant="朱先生"),
        _request(
            "R16",
            sp(feats, x_fq2[0], y_lo),
            "2024-03-16",
            applicant="胡女士",
            point=Point(x_fq2[0], 0.15),
            charger_type="wall",
        ),
        _request("R17", sp(feats, x_fq2[1], y_lo), None, applicant="郭先生"),
        # FQ3: the long strip over the compartment area limit
        _request("R18", far_left, "2024-03-18", applicant="何先生", car_brand="特斯拉"),
        _request("R19", mid_left, "2024-03-19", applicant="高女士"),
        _request("R20", by_box, "2024-03-20", applicant="林先生", charger_type="floor"),
    ]


def _two_level(
    level_id: str, floor: int, props: dict[str, Any], caps: tuple[float | None, float | None]
) -> tuple[LevelDrawing, Block]:
    block = Block(bays=8, strips=2, cores=((0, 1, 1),))
    level = LevelDrawing(
        id=level_id, props={"floor": floor, **props}, blocks=[block], stall_prefix=f"{level_id}-"
    )
    split = block.column_x(4)
    level.compartments = [
        (
            f"{level_id}-FQ1",
            box(0, 0, split, block.height_m),
            {"name": "防火分区一", "capacity_kw": caps[0]},
        ),
        (
            f"{level_id}-FQ2",
            box(split, 0, block.width_m, block.height_m),
            {"name": "防火分区二", "capacity_kw": caps[1]},
        ),
    ]
    aisle_y = 5.3 + 3.0
    level.extra = [
        feature(
            "tray",
            LineString([(6.5, aisle_y), (block.width_m - 1.0, aisle_y)]),
            level=level_id,
            id=f"{level_id}-T1",
            name="既有电缆桥架",
        ),
    ]
    return level, block


def site_b() -> tuple[list[Feature], list[dict[str, Any]]]:
    """Two levels; B2 lacks smoke exhaust and has no garage type. Requests come by CSV."""
    b1, block = _two_level(
        "B1",
        -1,
        {"name": "地下一层", "garage_type": "underground", "ceiling_height_m": 3.6, **FIRE_ALL},
        (60.0, 40.0),
    )
    b2, _ = _two_level(
        "B2",
        -2,
        {"name": "地下二层", "ceiling_height_m": 3.3, **FIRE_ALL, "smoke_exhaust": False},
        (40.0, None),
    )
    feats = [
        feature(
            "site",
            None,
            name="雁园小区地下车库",
            community="兰州市城关区雁园小区",
            supply="direct",
            urban=True,
            surveyor="国网兰州供电公司 勘察组",
            revision="B",
        ),
        *b1.features(),
        *b2.features(),
    ]
    xs = [block.column_x(i) + 0.3 + 1.25 + 2.5 * j for i in range(8) for j in range(3)]
    rows: list[dict[str, Any]] = []
    plan = [
        ("B1", 1, "2024-05-06", DOCS_OWNED),
        ("B1", 4, "2024-05-07 08:30", DOCS_OWNED),
        ("B1", 8, "2024-05-09", DOCS_OWNED),
        ("B1", 13, "2024-05-10", DOCS_OWNED),
        ("B1", 14, "2024-05-12", ["id_document"]),
        ("B1", 20, "2024-05-15", DOCS_OWNED),
        ("B1", 22, "2024-05-16", DOCS_OWNED),
        ("B2", 2, "2024-05-08", DOCS_OWNED),
        ("B2", 15, "2024-05-11", DOCS_OWNED),
        ("B2", 21, "2024-05-13", DOCS_OWNED),
    ]
    for n, (lv, col, when, docs) in enumerate(plan, start=1):
        space = _space_at(feats, xs[col], 2.65, level=lv)
        rows.append(
            {
                "id": f"Q{n:02d}",
                "space": space,
                "charger_kw": 7,
                "registered": when,
                "applicant": f"业主{n:02d}",
                "charger_type": "wall",
                "car_brand": ["比亚迪", "特斯拉", "蔚来", "理想", "吉利"][n % 5],
                "documents": ";".join(docs),
            }
        )
    return feats, rows


def site_c() -> list[Feature]:
    """A building turned 30° off the axes: a U-shaped compartment whose centroid lies
    outside it, and a rectangular one whose centroid lies inside a lift shaft."""
    bottom = Block(bays=10, strips=1)
    left = Block(bays=2, strips=3, origin=(0.0, bottom.height_m))
    right = Block(bays=2, strips=3, origin=(bottom.width_m - left.width_m, bottom.height_m))
    east = Block(bays=6, strips=2, origin=(bottom.width_m, 0.0), cores=((2, 0, 1), (2, 1, 0)))
    level = LevelDrawing(
        id="B1",
        props={"name": "地下一层", "garage_type": "underground", "floor": -1, **FIRE_ALL},
        blocks=[bottom, left, right, east],
        stall_prefix="B1-",
    )
    u_shape = cast(Polygon, shapely.union_all([bottom.outline, left.outline, right.outline]))
    level.compartments = [
        ("FQ1", u_shape, {"name": "防火分区一（U形）", "capacity_kw": 80}),
        ("FQ2", east.outline, {"name": "防火分区二", "capacity_kw": 50}),
    ]
    feats = [
        feature(
            "site",
            None,
            name="黄河家园地下车库",
            community="兰州市七里河区黄河家园",
            supply="non_direct",
            urban=True,
            north_deg=30.0,
            revision="A",
        ),
        *level.features(),
    ]
    picks = [
        (left.column_x(0) + 1.55, left.strip_y(2) + 13.95),
        (right.column_x(1) + 6.55, right.strip_y(2) + 13.95),
        (bottom.column_x(5) + 1.55, 2.65),
        (left.column_x(1) + 1.55, left.strip_y(1) + 2.65),
        (east.column_x(0) + 1.55, 2.65),
        (east.column_x(5) + 6.55, 2.65 + 16.6 + 11.3),
        (east.column_x(3) + 4.05, 13.95),
    ]
    requests = [
        _request(f"C{n:02d}", _space_at(feats, x, y), f"2024-06-{n:02d}", applicant=f"业主C{n}")
        for n, (x, y) in enumerate(picks, start=1)
    ]
    return transform_features(feats + requests, rotation(30.0, shift=(350.0, 120.0)))


LANZHOU = (103.8343, 36.0611)


def site_d() -> list[Feature]:
    """A small site delivered in lon/lat (EPSG:4326) near Lanzhou's Yellow River."""
    block = Block(bays=6, strips=2)
    level = LevelDrawing(
        id="B1",
        props={"name": "地下一层", "garage_type": "underground", "floor": -1, **FIRE_ALL},
        blocks=[block],
        stall_prefix="B1-",
    )
    split = block.column_x(3)
    level.compartments = [
        ("FQ1", box(0, 0, split, block.height_m), {"name": "防火分区一", "capacity_kw": 40}),
        (
            "FQ2",
            box(split, 0, block.width_m, block.height_m),
            {"name": "防火分区二", "capacity_kw": 40},
        ),
    ]
    feats = [
        feature(
            "site",
            None,
            name="滨河小区地下车库",
            community="兰州市安宁区滨河小区",
            crs="EPSG:4326",
            revision="A",
        ),
        *level.features(),
    ]
    xs = [block.column_x(i) + 0.3 + 1.25 + 2.5 * j for i in range(6) for j in range(3)]
    requests = [
        _request(
            f"D{n:02d}", _space_at(feats, xs[k], 2.65), f"2024-07-{n:02d}", applicant=f"业主D{n}"
        )
        for n, k in enumerate((0, 4, 7, 10, 13, 16), start=1)
    ]
    local = transform_features(feats + requests, rotation(12.0, about=(30.0, 16.6)))
    # local metres -> lon/lat: the inverse of the site-centred projection the reader uses
    frame = Frame(crs="EPSG:4326", centre=LANZHOU)
    centre_local = frame.to_local_xy(np.asarray([LANZHOU[0]]), np.asarray([LANZHOU[1]]))
    assert abs(centre_local[0][0]) < 1e-6

    def to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return frame.to_source_xy(np.asarray(x) - 30.0, np.asarray(y) - 16.6)

    return transform_features(local, to_lonlat)


def build_all() -> dict[str, str]:
    """Every sample file's name and text, as ``sample_sites/generate.py`` writes them."""
    files: dict[str, str] = {}
    b_feats, b_rows = site_b()
    for key, feats in (("a", site_a()), ("b", b_feats), ("c", site_c())):
        files[SAMPLES[key]] = dumps(rounded(feats, 3))
    files[SAMPLES["d"]] = dumps(rounded(site_d(), 8))
    header = [
        "id",
        "space",
        "charger_kw",
        "registered",
        "applicant",
        "charger_type",
        "car_brand",
        "documents",
    ]
    lines = [",".join(header)] + [",".join(str(r[h]) for h in header) for r in b_rows]
    files[SAMPLE_CSV["b"]] = "\n".join(lines) + "\n"
    return files


def dumps(features: list[Feature]) -> str:
    """A FeatureCollection as text, one feature per line (diffs stay readable)."""
    body = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    return '{"type":"FeatureCollection","features":[\n' + body + "\n]}\n"


def write_all(directory: Path = SAMPLE_DIR) -> list[Path]:
    """Write every sample file into ``directory``."""
    written = []
    for name, text in build_all().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


__all__ = ["SAMPLES", "build_all", "collection", "sample_path", "sample_requests_path", "write_all"]
