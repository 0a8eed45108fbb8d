"""planner.jsonio: the same values as the standard library's json, and no silent null."""

from __future__ import annotations

import gc
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.jsonio import dumps, write_json

finite = st.floats(allow_nan=False, allow_infinity=False)
scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | finite | st.text()
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(finite, finite)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(documents)
def test_reads_back_as_the_standard_library_writes(doc: object) -> None:
    assert json.loads(dumps(doc)) == json.loads(json.dumps(doc, allow_nan=False))


@given(documents, st.sampled_from([math.nan, math.inf, -math.inf]))
def test_a_non_finite_float_anywhere_is_refused_by_its_key(doc: object, bad: float) -> None:
    wrapped = {"features": [doc, {"properties": {"drop_pct": [1.0, bad]}}]}
    with pytest.raises(ValueError, match=r"^drop_pct: NaN or infinity"):
        dumps(wrapped)


def test_floats_whose_sum_overflows_are_still_written() -> None:
    # the fast check sums a run of floats: a sum past the largest float is looked at again
    assert json.loads(dumps([1e308, 1e308, -1e308])) == [1e308, 1e308, -1e308]


def test_chinese_text_numpy_scalars_and_integer_keys_as_json_wrote_them() -> None:
    doc = {"name": "和平小区", 3: np.float64(2.5), "n": np.int64(7)}
    assert dumps(doc).decode("utf-8") == '{"name":"和平小区","3":2.5,"n":7}'
    assert json.loads(dumps(doc, indent=True)) == {"name": "和平小区", "3": 2.5, "n": 7}


def test_a_document_is_built_with_the_collector_paused_and_it_runs_again_after(
    tmp_path: Path,
) -> None:
    """write_json builds and encodes with the cyclic collector paused (a document makes no
    cycles, and the collector's passes rescanned it as it grew); the collector runs again
    afterwards, also when building fails, and a failed build writes nothing."""
    seen: list[bool] = []

    def build() -> dict[str, float]:
        seen.append(gc.isenabled())
        return {"cable_m": 12.5}

    assert gc.isenabled()
    path = write_json(tmp_path / "plan.geojson", build)
    assert seen == [False]
    assert gc.isenabled()
    assert path.read_bytes() == b'{"cable_m":12.5}'

    def broken() -> dict[str, float]:
        return {"drop_pct": math.nan}

    with pytest.raises(ValueError, match="drop_pct"):
        write_json(tmp_path / "report.json", broken)
    assert gc.isenabled()
    assert not (tmp_path / "report.json").exists()
