"""Eligibility and application rules, checked on small hand-made cases."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from shapely.geometry import box

from planner.checks import (
    compartment_reasons,
    documents_reason,
    duplicates,
    level_reasons,
    required_documents,
    vote_reason,
)
from planner.rules import Rules
from planner.site import Compartment, Level, Request, SiteInfo, Space, Vote

RULES = Rules()
ALL_FIVE = dict.fromkeys(
    ("fire_alarm", "smoke_exhaust", "sprinklers", "emergency_lighting", "evacuation_signs"), True
)


def _level(**kw: object) -> Level:
    return Level(id="B1", outline=box(0, 0, 10, 10), **kw)  # type: ignore[arg-type]


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
    space = Space(id="S", level="B1", polygon=box(0, 0, 2.5, 5.3), tenure=tenure)  # type: ignore[arg-type]
    assert required_documents(space, SiteInfo(name="x", urban=urban)) == docs


def test_documents_missing_and_non_direct_supply() -> None:
    space = Space(id="S", level="B1", polygon=box(0, 0, 2.5, 5.3))
    req = Request(id="R", space="S", charger_kw=7, documents=("id_document",))
    r = documents_reason(req, space, SiteInfo(name="x"), RULES)
    assert r is not None
    assert (r.code, r.effect) == ("DOCUMENTS_MISSING", "pending")
    assert r.message == "missing documents: property_consent, parking_certificate"
    nd = documents_reason(req, space, SiteInfo(name="x", supply="non_direct"), RULES)
    assert nd is not None
    assert (nd.code, nd.severity, nd.effect) == ("SUPPLY_NON_DIRECT", "info", "planned")


def test_duplicates_block_the_later_registered() -> None:
    tz = timezone(timedelta(hours=8))
    reqs = [
        Request(id="A", space="S1", charger_kw=7, registered=datetime(2024, 3, 5, tzinfo=tz)),
        Request(id="B", space="S1", charger_kw=7, registered=datetime(2024, 3, 1, tzinfo=tz)),
        Request(id="C", space="S1", charger_kw=7),
        Request(id="D", space="S2", charger_kw=7),
    ]
    assert duplicates(reqs) == {"A": "B", "C": "B"}
