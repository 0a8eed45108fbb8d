"""The JSON the planner writes (``plan.geojson``, ``project.geojson``, ``report.json``), in
one place: orjson, which encodes a plan's thousands of coordinates about ten times faster
than the standard library; with the check for non-finite floats below, ``plan.geojson`` of
5,000 requests takes about 0.07 s instead of 0.25 s (issue 15).

orjson writes UTF-8 as it is (like ``json.dumps(ensure_ascii=False)``), compact separators,
each float as the shortest text that reads back to the same number (``1e-05`` becomes
``0.00001``: the same value), numpy scalars as their values and integer keys as text, as
``json.dumps`` did. It would write NaN and infinity as ``null``; a plan never holds one, and
:func:`dumps` refuses one as ``json.dumps(allow_nan=False)`` did, naming its key, rather
than write a silent ``null``. That check is a walk over every value; the geometries, which
hold most of them, are checked as the arrays they are read from instead
(:func:`planner.site.geojson_geometries`) and handed over as :class:`Finite`, which the
walk passes by.

Examples
--------
>>> dumps({"level": "B1", "cable_m": 12.5, "ring": ((0.0, 0.0), (1.0, 0.0))})
b'{"level":"B1","cable_m":12.5,"ring":[[0.0,0.0],[1.0,0.0]]}'
>>> dumps({"drop_pct": float("nan")})
Traceback (most recent call last):
...
ValueError: drop_pct: NaN or infinity cannot be written as JSON
"""

from __future__ import annotations

import contextlib
import gc
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


class Finite(dict[str, Any]):
    """A mapping whose floats are known to be finite (checked in one array call where it
    was made): :func:`dumps` does not look inside it again. orjson writes it as the plain
    object it is; it equals the same plain ``dict``."""

    __slots__ = ()


def dumps(doc: Any, *, indent: bool = False) -> bytes:
    """``doc`` as UTF-8 JSON (two-space indents when ``indent``); a NaN or infinite float
    anywhere in it is a ``ValueError`` naming its key."""
    _refuse_non_finite(doc)
    return orjson.dumps(doc, option=_OPTIONS | (orjson.OPT_INDENT_2 if indent else 0))


def write_json(path: Path, build: Callable[[], Any], *, indent: bool = False) -> Path:
    """``build()`` written to ``path`` as :func:`dumps` encodes it.

    Speed shaped this: the document (hundreds of thousands of dicts and lists, which
    make no reference cycles) is built and encoded with the cyclic garbage collector
    paused. Left running, its passes rescanned the growing document: ten full passes
    while the 20,000-stall plan was written, 0.7 s of its 19 s (``bench/RESULTS.md``)."""
    with _collector_paused():
        data = dumps(build(), indent=indent)
    path.write_bytes(data)
    return path


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _refuse_non_finite(doc: Any) -> None:
    if not _all_finite(doc):
        raise ValueError(
            f"{_key_of_non_finite(doc, '') or 'value'}: NaN or infinity cannot be written as JSON"
        )


def _all_finite(doc: Any) -> bool:
    """One pass over the document without recursion (a plan is deep in coordinates).

    Speed shaped this: a run of floats (a coordinate pair) is checked by its sum, which is
    finite only when every term is (NaN and infinity survive a sum); a sum that is not
    (or a run that is not all numbers) is pushed and looked at one value at a time."""
    stack: list[Any] = [doc]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is dict:
            stack.extend(value.values())
        elif kind is Finite:
            continue
        elif kind is list or kind is tuple:
            if not (value and type(value[0]) is float and _finite_sum(value)):
                stack.extend(value)
        elif isinstance(value, float) and not math.isfinite(value):
            return False
    return True


def _finite_sum(values: list[Any] | tuple[Any, ...]) -> bool:
    try:
        return math.isfinite(sum(values))
    except TypeError:  # not all numbers
        return False


def _key_of_non_finite(value: Any, key: str) -> str | None:
    """The key holding the first non-finite float (only on the way to an error)."""
    if isinstance(value, dict):
        items: Any = ((str(k), v) for k, v in value.items())
    elif isinstance(value, list | tuple):
        items = ((key, v) for v in value)
    else:
        return key if isinstance(value, float) and not math.isfinite(value) else None
    for k, v in items:
        found = _key_of_non_finite(v, k)
        if found is not None:
            return found
    return None
