"""Ids as file and layer names: safe, bounded, and distinct (issue 11 family: names)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from planner.names import MAX_LEN, safe_names


@given(st.lists(st.text(min_size=0, max_size=300), min_size=1, max_size=20))
def test_names_are_safe_bounded_and_distinct(ids: list[str]) -> None:
    names = safe_names(ids)
    assert set(names) == set(ids)
    values = list(names.values())
    assert len({v.casefold() for v in values}) == len(values)
    for v in values:
        assert 0 < len(v) <= MAX_LEN
        assert all(ch.isalnum() or ch in "-_." for ch in v)
        assert v.isprintable()
        assert not v.startswith(".")
        v.encode("utf-8")  # no lone surrogate survives


def test_two_ids_that_clean_alike_get_two_files(tmp_path: Path) -> None:
    from planner.papers import write_notices
    from planner.plan import make_plan
    from planner.synthetic import feature, simple_garage
    from tests.test_plan import _site

    feats = simple_garage(bays=2, strips=1)
    docs = ["id_document", "property_consent", "parking_certificate"]
    for n, rid in enumerate(["A/1", "A:1", "a_1", "x" * 400]):
        feats.append(
            feature(
                "request",
                None,
                id=rid,
                space=f"B1-00{n + 1}",
                charger_kw=7,
                registered=f"2024-01-0{n + 1}",
                documents=docs,
            )
        )
    plan = make_plan(_site(feats))
    paths = write_notices(plan, tmp_path / "notices")
    assert len({p.name for p in paths}) == len(paths) == 8
    assert all(p.parent == tmp_path / "notices" for p in paths)
    assert all(len(p.name.encode()) < 255 for p in paths)
