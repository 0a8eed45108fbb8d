"""``NAME=VALUE`` assignments applied to a frozen pydantic model: ``--set`` on the rules,
``--limit`` on the limits, and the options column of a batch manifest. One parser, so
every flag refuses a bad assignment alike: the name (with the nearest ones), the value and
what to give instead."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from planner.errors import PlannerError

M = TypeVar("M", bound=BaseModel)


def with_overrides(
    model: M, assignments: Iterable[str], *, flag: str, noun: str, example: str, fix: str
) -> M:
    """A copy of ``model`` with each ``NAME=VALUE`` applied (the value parsed as JSON when
    it can be, else taken as text), validated as a whole.

    ``flag`` and ``noun`` name the option and what it sets in the messages (``--set``,
    ``rule``), ``example`` is a good assignment, ``fix`` says what value to give.

    >>> from planner.limits import Limits
    >>> with_overrides(Limits(), ["time_budget_s=60"], flag="--limit", noun="limit",
    ...                example="time_budget_s=600", fix="give a positive number").time_budget_s
    60.0
    """
    fields = type(model).model_fields
    data = model.model_dump()
    for text in assignments:
        name, sep, raw = text.partition("=")
        name = name.strip()
        if not sep or not name:
            raise PlannerError(
                f"{flag} '{text}' is not {noun.upper()}=VALUE. Fix: write e.g. {flag} {example}."
            )
        if name not in fields:
            close = difflib.get_close_matches(name, fields, n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise PlannerError(
                f"{flag}: there is no {noun} '{name}'.{hint} Fix: use one of "
                + ", ".join(fields)
                + "."
            )
        try:
            data[name] = json.loads(raw)
        except json.JSONDecodeError:
            data[name] = raw
    try:
        return type(model).model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        # the field (and any key inside it), not pydantic's name of a union member
        where = ".".join(str(p) for p in err["loc"] if str(p).isidentifier() or isinstance(p, int))
        where = where or noun
        raise PlannerError(f"{flag} {where}: {err['msg']}. Fix: {fix}.") from None
