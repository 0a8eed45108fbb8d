"""Shared fixtures: a tiny hand-checkable site, the real-data folder, hypothesis profiles."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# dev: the default loop (python3 dev.py test); ci: what .ci/run (CI=true) runs in full;
# thorough: HYPOTHESIS_PROFILE=thorough, 10,000 examples per property, on demand
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or (
    "ci" if os.environ.get("CI") == "true" else "dev"
)
for _name, _examples in (("dev", 40), ("ci", 200), ("default", 200), ("thorough", 10_000)):
    settings.register_profile(
        _name,
        max_examples=_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
settings.load_profile(PROFILE)


def examples(n: int) -> int:
    """A test's own number of examples: all of them in CI, a fifth in the dev loop."""
    return max(5, n // 5) if PROFILE == "dev" else n


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="also run the tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` run in CI (CI=true) and with ``--slow``; skipped otherwise."""
    if config.getoption("--slow") or os.environ.get("CI") == "true":
        return
    skip = pytest.mark.skip(reason="slow: runs in CI (CI=true) or with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"


@pytest.fixture
def realdata() -> Path:
    """The shared real-data folder: skipped when absent, a failure when CI=true."""
    if not REALDATA.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {REALDATA} is missing: CI must lay shared/ beside the repo")
        pytest.skip(f"{REALDATA} is absent")
    return REALDATA


TINY: dict[str, Any] = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": None,
            "properties": {"kind": "site", "name": "测试小区车库", "community": "测试小区"},
        },
        {
            "type": "Feature",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[0, 0], [20, 0], [20, 10], [0, 10], [0, 0]]],
            },
            "properties": {
                "kind": "level",
                "id": "B1",
                "floor": -1,
                "garage_type": "underground",
                "fire_alarm": True,
                "smoke_exhaust": True,
                "sprinklers": True,
                "emergency_lighting": True,
                "evacuation_signs": True,
            },
        },
        {
            "type": "Feature",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]],
            },
            "properties": {"kind": "compartment", "id": "FQ1", "level": "B1", "capacity_kw": 30},
        },
        {
            "type": "Feature",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[10, 0], [20, 0], [20, 10], [10, 10], [10, 0]]],
            },
            "properties": {"kind": "compartment", "id": "FQ2", "level": "B1"},
        },
        {
            "type": "Feature",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[1, 0], [3.5, 0], [3.5, 5.3], [1, 5.3], [1, 0]]],
            },
            "properties": {"kind": "space", "id": "S1", "level": "B1"},
        },
        {
            "type": "Feature",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[12, 0], [14.5, 0], [14.5, 5.3], [12, 5.3], [12, 0]]],
            },
            "properties": {
                "kind": "space",
                "id": "S2",
                "level": "B1",
                "tenure": "leased",
                "charger": [13.25, 0.4],
            },
        },
        {
            "type": "Feature",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[5, 5], [5.6, 5], [5.6, 5.6], [5, 5.6], [5, 5]]],
            },
            "properties": {"kind": "obstacle", "id": "Z1", "level": "B1", "type": "column"},
        },
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[0.5, 8], [19.5, 8]]},
            "properties": {"kind": "tray", "id": "T1", "level": "B1"},
        },
        {
            "type": "Feature",
            "geometry": None,
            "properties": {
                "kind": "request",
                "id": "R1",
                "space": "S1",
                "charger_kw": 7,
                "registered": "2024-03-01",
                "applicant": "张先生",
                "documents": ["id_document", "property_consent", "parking_certificate"],
            },
        },
    ],
}
"""Two 10 x 10 m compartments side by side, a stall in each, a column, a tray, a request."""


@pytest.fixture
def tiny() -> dict[str, Any]:
    """A fresh deep copy of the tiny site, to corrupt at will."""
    return copy.deepcopy(TINY)


def to_bytes(doc: Any) -> bytes:
    """A site document as the bytes of a file."""
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def find(doc: dict[str, Any], kind: str, fid: str | None = None) -> dict[str, Any]:
    """The first feature of ``kind`` (and ``id``) in a site document."""
    for f in doc["features"]:
        p = f["properties"]
        if p.get("kind") == kind and (fid is None or p.get("id") == fid):
            found: dict[str, Any] = f
            return found
    raise KeyError((kind, fid))


def kill_children_since(before: set[int | None]) -> None:
    """SIGKILL every multiprocessing child not in ``before`` (the pids there were), as the
    out-of-memory killer ends a pool's workers; another fixture's (a Dask cluster's) stay."""
    import multiprocessing
    import signal

    for child in multiprocessing.active_children():
        if child.pid is not None and child.pid not in before:
            os.kill(child.pid, signal.SIGKILL)
