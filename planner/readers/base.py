"""What every reader shares: reading bytes within limits, collecting problems, and turning
raw properties into validated models with messages a surveyor can act on."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from planner.errors import (
    InputLimitError,
    PlannerError,
    Problem,
    Severity,
    SiteError,
    UnreadableInputError,
)

DEFAULT_MAX_BYTES = 50_000_000
"""Largest input file read by default (50 MB); raise it with ``max_bytes``."""

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
"""China Standard Time: fixed UTC+8 since 1991, so a fixed offset is exact for registrations."""

Source = str | os.PathLike[str] | bytes

M = TypeVar("M", bound=BaseModel)


def read_bytes(source: Source, *, what: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Read a file (or take bytes already read), refusing anything over ``max_bytes``.

    The size of a file on disk is checked before a byte of it is read, and no more than
    ``max_bytes + 1`` bytes are ever read (a file that grows is caught too). Folders, pipes,
    devices such as ``/dev/zero`` and other special files are refused: they have no size to
    check and may never end.
    """
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        try:
            info = path.stat()
        except FileNotFoundError:
            raise UnreadableInputError(
                f"{what} '{path}' does not exist. Fix: check the path and the file name."
            ) from None
        except OSError as exc:
            raise UnreadableInputError(
                f"{what} '{path}' cannot be read ({exc.strerror}). Fix: check the path."
            ) from None
        if stat.S_ISDIR(info.st_mode):
            raise UnreadableInputError(f"{what} '{path}' is a folder. Fix: give the file itself.")
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableInputError(
                f"{what} '{path}' is not a regular file (a pipe, device or socket). Fix: "
                "save the input to a file and give its path."
            )
        _check_size(info.st_size, what, max_bytes)
        try:
            with path.open("rb") as f:
                data = f.read(max_bytes + 1)
        except OSError as exc:
            raise UnreadableInputError(
                f"The {what} cannot be read ({exc.strerror}). Fix: check the file's permissions."
            ) from None
    _check_size(len(data), what, max_bytes)
    return data


def _check_size(size: int, what: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise InputLimitError(
            f"The {what} is {size:,} bytes, over the limit of {max_bytes:,} bytes "
            f"({max_bytes / 1e6:g} MB). "
            "Fix: split the site into one file per level, or raise the limit "
            "(--max-mb on the command line)."
        )


@dataclass
class Collector:
    """Gathers problems while a file is read; raises them all at once."""

    source: str = "site file"
    problems: list[Problem] = field(default_factory=list)

    def add(
        self,
        severity: Severity,
        code: str,
        message: str,
        fix: str = "",
        *,
        kind: str | None = None,
        feature_id: str | None = None,
        index: int | None = None,
        source: str | None = None,
    ) -> None:
        """Record one problem."""
        self.problems.append(
            Problem(
                severity=severity,
                code=code,
                message=message,
                fix=fix,
                source=source or self.source,
                kind=kind,
                feature_id=feature_id,
                index=index,
            )
        )

    @property
    def errors(self) -> list[Problem]:
        """The problems that refuse the input."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that only warn."""
        return [p for p in self.problems if p.severity != "error"]

    def raise_if_errors(self, what: str = "site file") -> None:
        """Raise one :class:`SiteError` listing every error so far."""
        if self.errors:
            raise SiteError(self.problems, source=what)


FIELD_FIXES: dict[str, str] = {
    "id": "give every feature of this kind a unique text id",
    "level": "name the id of a level feature of this file",
    "name": "give a name, e.g. the community's name",
    "charger_kw": "give the charger's power in kW as a positive number up to 1000, e.g. 7",
    "capacity_kw": "give the power (kW, 0 to 100000) the utility can give this compartment, "
    "or leave it out",
    "ceiling_height_m": "give the clear height in metres as a positive number up to 50, e.g. 3.6",
    "floor": "give the floor as a whole number: 1 = ground, -1 = B1, -2 = B2",
    "garage_type": "use one of underground, semi_underground, high_rise, multi_storey, "
    "single_storey, open",
    "tenure": "use owned, leased or common",
    "type": "use one of column, wall, shaft, ramp, room, other",
    "supply": "use direct (供电企业直供电) or non_direct (非电网直供电)",
    "units": "use m or mm (or declare crs instead)",
    "documents": "list any of id_document, parking_certificate, property_consent, "
    "lease_contract, owner_consent",
    "charger_type": "use wall (壁挂式) or floor (落地式)",
    "vote": "give the four shares participating_area, participating_owners, approving_area, "
    "approving_owners, each between 0 and 1",
    "registered": "write an ISO date or date-time, e.g. 2024-03-18 or 2024-03-18T09:30",
    "axis_deg": "give the routing axis in degrees (-360 to 360), or leave it out",
    "north_deg": "give the direction of north in degrees counter-clockwise from +y (-360 to 360)",
    "space": "name the id of the space the charger is for",
}


def short_repr(value: Any) -> str:
    """``repr(value)`` cut to 60 characters for a message (a hostile file's values can be
    megabytes long)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def build_model(
    model: type[M],
    data: dict[str, Any],
    out: Collector,
    *,
    kind: str,
    feature_id: str | None,
    index: int | None,
) -> M | None:
    """Validate ``data`` into ``model``; translate every validation error into a problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = [str(p) for p in err["loc"]]
            name = loc[0] if loc else "?"
            path = ".".join(loc)
            if err["type"] == "missing":
                message = f"required property '{path}' is missing"
            else:
                message = (
                    f"property '{path}' = {short_repr(err.get('input'))} is not valid: "
                    f"{err['msg'][0].lower()}{err['msg'][1:]}"
                )
            out.add(
                "error",
                "PROPERTY_INVALID" if err["type"] != "missing" else "PROPERTY_MISSING",
                message,
                FIELD_FIXES.get(name, "correct the value") + ".",
                kind=kind,
                feature_id=feature_id,
                index=index,
            )
        return None


def parse_registered(value: Any) -> datetime:
    """Parse a registration time: ISO date or date-time; no zone means Asia/Shanghai.

    >>> parse_registered("2024-03-18").isoformat()
    '2024-03-18T00:00:00+08:00'
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"'{text}' is not an ISO date or date-time") from None
    else:
        raise ValueError(f"{short_repr(value)} is not an ISO date or date-time")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    if moment.year < EARLIEST_REGISTRATION_YEAR:
        raise ValueError(
            f"{moment.date().isoformat()} is before {EARLIEST_REGISTRATION_YEAR}; "
            "no registration for a private charger is that old"
        )
    if moment > datetime.now(SHANGHAI) + timedelta(days=1):
        raise ValueError(f"{moment.date().isoformat()} is in the future")
    return moment


EARLIEST_REGISTRATION_YEAR = 2000
"""Registrations older than this are typing errors, not first in the queue."""


def read_toml(path: str | Path, *, what: str, example: str) -> dict[str, Any]:
    """A small TOML file (a layer map, a set of answers) as a dict, or one message naming
    the file and how to write it (``example``)."""
    raw = read_bytes(Path(path), what=what, max_bytes=1_000_000)
    return parse_toml(raw, name=str(path), what=what, example=example)


def parse_toml(raw: bytes, *, name: str, what: str, example: str) -> dict[str, Any]:
    """TOML bytes (a file read or uploaded as ``name``) as a dict, or the message of
    :func:`read_toml`."""
    import tomllib  # noqa: PLC0415 - only for the options that take a TOML file

    try:
        return tomllib.loads(raw.decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        kind = what.split(" (", maxsplit=1)[0]
        raise PlannerError(
            f"{kind} '{name}' is not TOML ({exc}). Fix: write it as {example}."
        ) from None
