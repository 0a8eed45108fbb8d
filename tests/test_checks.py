"""Eligibility and application rules, checked on small hand-made cases."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from shapely.geometry import box

from planner.checks import (
    cap_reason,
    compartment_reasons,
    documents_reason,
    duplicates,
    level_reasons,
    required_documents,
    supply_reason,
    vote_reason,
)
from planner.rules import Rules
from planner.site import Compartment, Level, Request, SiteInfo, Space, Vote

RULES = Rules()
ALL_FIVE = dict.fromkeys(
    ("fire_alarm", "smoke_exhaust", "sprinklers", "emergency_lighting", "evacuation_signs"), True
)


def _level(**kw: object) -> Level:
    return Level(id="B1", outline=box(0, 0, 10, 10), **kw)


def _codes(rs: list) -> list[str]:  # type: ignore[type-arg]
    return [r.code for r in rs]


def test_example_6_vote_passes_and_fails() -> None:
    ok = Vote(
        participating_area=0.70,
        participating_owners=0.69,
        approving_area=0.80,
        approving_owners=0.78,
    )
    req = Request(id="R", space="S", charger_kw=7, vote=ok)
    assert vote_reason(req, RULES) is None
    failed = req.model_copy(update={"vote": ok.model_copy(update={"participating_owners": 0.6})})
    r = vote_reason(failed, RULES)
    assert r is not None
    assert (r.code, r.effect, r.rule) == ("VOTE_FAILED", "blocked", "R13")
    assert "participating owners 0.60 < 0.667" in r.message


def test_vote_threshold_is_inclusive_with_tolerance() -> None:
    exact = Vote(
        participating_area=2 / 3,
        participating_owners=0.6666666666,
        approving_area=0.75,
        approving_owners=0.75,
    )
    assert vote_reason(Request(id="R", space="S", charger_kw=7, vote=exact), RULES) is None
    missing = vote_reason(Request(id="R", space="S", charger_kw=7), RULES)
    assert missing is not None
    assert (missing.code, missing.effect) == ("VOTE_MISSING", "pending")


@pytest.mark.parametrize("system", sorted(ALL_FIVE))
def test_each_of_the_five_fire_systems_is_checked(system: str) -> None:
    rs = level_reasons(
        _level(garage_type="underground", floor=-1, **{**ALL_FIVE, system: False}), RULES
    )
    (r,) = rs
    assert (r.code, r.effect, r.rule) == ("FIRE_FACILITIES_MISSING", "blocked", "R1")
    assert system in r.message


def test_garage_types_outside_the_check_are_not_blocked() -> None:
    """A small single-storey garage may lawfully lack some systems."""
    assert level_reasons(_level(garage_type="single_storey", floor=1), RULES) == []
    assert _codes(level_reasons(_level(garage_type="semi_underground", floor=-1), RULES)) == [
        "FIRE_FACILITIES_MISSING"
    ]


def test_missing_garage_type_is_underground_with_a_warning() -> None:
    assert _codes(level_reasons(_level(floor=-1), RULES)) == [
        "GARAGE_TYPE_ASSUMED",
        "FIRE_FACILITIES_MISSING",
    ]
    assert _codes(level_reasons(_level(floor=-1, **ALL_FIVE), RULES)) == ["GARAGE_TYPE_ASSUMED"]


@pytest.mark.parametrize(
    ("floor", "codes"),
    [
        (-1, []),
        (-2, ["LEVEL_BELOW_B1"]),
        (-3, ["LEVEL_BELOW_B1"]),
        (-4, ["LEVEL_TOO_DEEP"]),
        (-5, ["LEVEL_TOO_DEEP"]),
        (1, []),
    ],
)
def test_depth_is_advisory(floor: int, codes: list[str]) -> None:
    rs = level_reasons(_level(garage_type="underground", floor=floor, **ALL_FIVE), RULES)
    assert _codes(rs) == codes
    assert all(r.severity == "warning" and r.effect == "planned" for r in rs)


def test_too_deep_can_be_made_blocking() -> None:
    rules = RULES.with_overrides(["block_too_deep=true"])
    (r,) = level_reasons(_level(garage_type="underground", floor=-4, **ALL_FIVE), rules)
    assert (r.severity, r.effect) == ("error", "blocked")


@pytest.mark.parametrize(
    ("gtype", "sprinklers", "side", "codes"),
    [
        ("underground", True, 50, ["FIRE_UNIT_OVER_LIMIT"]),  # 2500 m² < 4000
        ("underground", False, 50, ["COMPARTMENT_AREA_OVER_LIMIT", "FIRE_UNIT_OVER_LIMIT"]),
        ("underground", True, 30, []),  # 900 m²
        ("single_storey", False, 35, []),  # 1225 < 1500
        ("multi_storey", False, 40, ["FIRE_UNIT_OVER_LIMIT"]),  # 1600 > 1250
        ("open", False, 100, []),
    ],
)
def test_compartment_area_and_fire_unit(
    gtype: str, sprinklers: bool, side: float, codes: list[str]
) -> None:
    lv = _level(garage_type=gtype, sprinklers=sprinklers)
    comp = Compartment(id="FQ", level="B1", polygon=box(0, 0, side, side))
    rs = compartment_reasons(comp, lv, RULES)
    assert _codes(rs) == codes
    assert all(r.effect == "planned" for r in rs)


@pytest.mark.parametrize(
    ("tenure", "urban", "docs"),
    [
        ("owned", True, ("id_document", "property_consent", "parking_certificate")),
        ("leased", True, ("id_document", "property_consent", "lease_contract", "owner_consent")),
        ("common", True, ("id_document", "property_consent")),
        ("owned", False, ("id_document",)),
    ],
)
def test_required_documents(tenure: str, urban: bool, docs: tuple[str, ...]) -> None:
    space = Space(id="S", level="B1", polygon=box(0, 0, 2.5, 5.3), tenure=tenure)
    assert required_documents(space, SiteInfo(name="x", urban=urban)) == docs


@pytest.mark.parametrize(
    ("tenure", "docs"),
    [
        ("owned", ("id_document", "parking_certificate")),
        ("leased", ("id_document", "lease_contract")),
        ("common", ("id_document",)),
    ],
)
def test_required_documents_non_direct(tenure: str, docs: tuple[str, ...]) -> None:
    """附件1 第3条: 身份证、充电设施报装申请、车位证明; no property consent."""
    space = Space(id="S", level="B1", polygon=box(0, 0, 2.5, 5.3), tenure=tenure)
    assert required_documents(space, SiteInfo(name="x", supply="non_direct")) == docs


def test_documents_missing_and_non_direct_supply() -> None:
    space = Space(id="S", level="B1", polygon=box(0, 0, 2.5, 5.3))
    req = Request(id="R", space="S", charger_kw=7, documents=("id_document",))
    r = documents_reason(req, space, SiteInfo(name="x"), RULES)
    assert r is not None
    assert (r.code, r.effect) == ("DOCUMENTS_MISSING", "pending")
    assert r.message == "missing documents: property_consent, parking_certificate"
    # non-direct supply checks 附件1 第3条's shorter list (ID and parking certificate) and
    # adds SUPPLY_NON_DIRECT (formerly it skipped the documents altogether)
    non_direct = SiteInfo(name="x", supply="non_direct")
    nd = documents_reason(req, space, non_direct, RULES)
    assert nd is not None
    assert nd.message == "missing documents: parking_certificate"
    full = req.model_copy(update={"documents": ("id_document", "parking_certificate")})
    assert documents_reason(full, space, non_direct, RULES) is None
    info = supply_reason(non_direct)
    assert info is not None
    assert (info.code, info.severity, info.effect) == ("SUPPLY_NON_DIRECT", "info", "planned")
    assert supply_reason(SiteInfo(name="x")) is None


def test_a_lease_shorter_than_a_year_is_pending() -> None:
    """R14 after 1611号: a leased space needs a lease of at least 12 months."""
    space = Space(id="S", level="B1", polygon=box(0, 0, 2.5, 5.3), tenure="leased")
    docs = ("id_document", "property_consent", "lease_contract", "owner_consent")
    for months, ok in ((None, False), (6, False), (12, True), (36, True)):
        req = Request(id="R", space="S", charger_kw=7, documents=docs, lease_months=months)
        r = documents_reason(req, space, SiteInfo(name="x"), RULES)
        assert (r is None) == ok, months
        if r is not None:
            assert "lease term" in r.message
            assert "12 months" in r.message


def test_earliest_non_blocked_request_holds_the_space() -> None:
    """R16: a blocked 11 kW request followed by a corrected 7 kW one: the 7 kW one wins."""
    tz = timezone(timedelta(hours=8))
    first = Request(id="A", space="S1", charger_kw=11, registered=datetime(2024, 3, 1, tzinfo=tz))
    fixed = Request(id="B", space="S1", charger_kw=7, registered=datetime(2024, 3, 2, tzinfo=tz))
    assert duplicates([first, fixed], {"A"}) == {"A": "B"}
    assert duplicates([first, fixed], {"A", "B"}) == {}


def test_charger_over_cap_flag() -> None:
    req = Request(id="R", space="S", charger_kw=11)
    blocked = cap_reason(req, RULES)
    assert blocked is not None
    assert (blocked.effect, blocked.severity) == ("blocked", "error")
    assert "block_over_cap" in blocked.message
    assert "不宜" in blocked.message
    warned = cap_reason(req, RULES.with_overrides(["block_over_cap=false"]))
    assert warned is not None
    assert (warned.effect, warned.severity) == ("planned", "warning")


def test_duplicates_block_the_later_registered() -> None:
    tz = timezone(timedelta(hours=8))
    reqs = [
        Request(id="A", space="S1", charger_kw=7, registered=datetime(2024, 3, 5, tzinfo=tz)),
        Request(id="B", space="S1", charger_kw=7, registered=datetime(2024, 3, 1, tzinfo=tz)),
        Request(id="C", space="S1", charger_kw=7),
        Request(id="D", space="S2", charger_kw=7),
    ]
    assert duplicates(reqs) == {"A": "B", "C": "B"}
