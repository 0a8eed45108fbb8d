"""Every finding's clause says where its rule comes from: a clause of the scheme that holds
it, a standard, or that the rule is the planner's own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from planner.findings import CATALOGUE, PLANNER_RULE

POLICY = Path(__file__).resolve().parents[2] / "shared" / "policy"

# what each cited clause of the scheme must contain (read from the Chinese original)
CLAUSE_WORDS = {
    "二(三)1(1)": ("防火分区", "中心位置", "7千瓦"),
    "二(三)1(2)": ("1611", "三分之二", "身份证件"),
    "二(三)2(2)": ("申请资料",),
    "二(三)2(3)": ("电价执行",),
    "二(三)2(6)": ("火灾自动报警系统", "6.1.5"),
    "一(二)": ("智能有序",),
    "二(二)": ("绿色通道",),
    "附件1 第3条": ("身份证", "车位证明"),
}


def _policy_text() -> str:
    files = list(POLICY.glob("*.txt"))
    if not files:
        pytest.skip("../shared/policy is absent")
    return files[0].read_text(encoding="utf-8")


def test_the_scheme_holds_what_each_cited_clause_is_cited_for() -> None:
    text = _policy_text()
    compact = re.sub(r"\s+", "", text)
    for words in CLAUSE_WORDS.values():
        for w in words:
            assert w.replace(" ", "") in compact, w


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_clause_is_known(code: str) -> None:
    clause = CATALOGUE[code].clause
    cited = [c for c in CLAUSE_WORDS if c in clause]
    standards = ("GB", "IEC", "JGJ", "民法典", "site-format", "practice", "附件")
    assert cited or clause.startswith(PLANNER_RULE) or any(s in clause for s in standards), code


@pytest.mark.parametrize(
    "code", ["COMPARTMENT_OVER_CAPACITY", "REGISTRATION_MISSING", "DUPLICATE_SPACE_REQUEST"]
)
def test_first_come_first_served_is_the_planners_own_rule(code: str) -> None:
    assert CATALOGUE[code].clause.startswith(PLANNER_RULE)
