"""What each owner pays after the box (表箱后线缆由用户自行敷设): the cable by designation
and length, the conduit, and a share of the shared tray.

Prices come from a table (``item, spec, unit, price_cny, source``): the bundled defaults in
``planner/data/prices.csv`` are estimates and say so in their ``source``; a utility gives its
own with ``--prices FILE.csv`` (the same columns; rows it leaves out keep the defaults).
Each tray run's cost is split equally among the cables on it, reserved ones included (the
reserved share is for whoever builds the reserve, not for today's owners).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from planner.errors import PlannerError
from planner.readers.base import read_bytes

DEFAULT_CONDUIT = "JDG32"
COLUMNS = ("item", "spec", "unit", "price_cny", "source")


@dataclass(frozen=True)
class Price:
    """One row of the price table."""

    item: str
    spec: str
    unit: str
    price_cny: float
    source: str


@dataclass(frozen=True)
class Prices:
    """The price table, by ``(item, spec)``."""

    rows: dict[tuple[str, str], Price]

    @classmethod
    def default(cls) -> Prices:
        """The bundled estimates."""
        data = resources.files("planner.data").joinpath("prices.csv").read_bytes()
        return cls(_parse(data, "the bundled price table"))

    @classmethod
    def load(cls, path: str | Path | None) -> Prices:
        """The defaults with the rows of ``path`` (a price CSV) replacing theirs."""
        base = cls.default()
        if path is None:
            return base
        data = read_bytes(path, what="price table", max_bytes=5_000_000)
        return cls({**base.rows, **_parse(data, f"price table '{Path(path).name}'")})

    def per_m(self, item: str, spec: str) -> float | None:
        """Price per metre of ``item`` ``spec`` (``None`` when the table has none)."""
        row = self.rows.get((item, spec))
        return None if row is None else row.price_cny

    def estimated(self) -> bool:
        """Whether any figure is an estimate (its source says so)."""
        return any("estimate" in r.source for r in self.rows.values())


def _parse(data: bytes, what: str) -> dict[tuple[str, str], Price]:
    try:
        text = data.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise PlannerError(
            f"{what} cannot be read ({exc}). Fix: save it as CSV UTF-8 with the columns "
            + ", ".join(COLUMNS)
            + "."
        ) from None
    out: dict[tuple[str, str], Price] = {}
    for n, row in enumerate(rows, start=2):
        missing = [c for c in COLUMNS[:4] if not (row.get(c) or "").strip()]
        if missing:
            raise PlannerError(
                f"{what} row {n}: no {', '.join(missing)}. Fix: give every row "
                + ", ".join(COLUMNS[:4])
                + " (and a source)."
            )
        raw = row["price_cny"].strip()
        try:
            price = float(raw)
        except ValueError:
            price = math.nan
        if not math.isfinite(price) or price < 0 or price > 1e6:
            raise PlannerError(
                f"{what} row {n}: price_cny {raw[:20]!r} is not a price. Fix: give yuan per "
                "unit as a plain number, e.g. 42."
            )
        key = (row["item"].strip(), row["spec"].strip())
        out[key] = Price(*key, row["unit"].strip(), price, (row.get("source") or "").strip())
    return out


@dataclass(frozen=True)
class OwnerCost:
    """One owner's estimate, yuan."""

    cable_cny: float | None
    conduit_cny: float | None
    tray_cny: float | None
    conduit_m: float

    @property
    def total_cny(self) -> float | None:
        """The sum, or ``None`` when a price is missing from the table."""
        parts = [p for p in (self.cable_cny, self.conduit_cny, self.tray_cny) if p is not None]
        return round(sum(parts), 2) if len(parts) == 3 else None


def owner_cost(
    *,
    designation: str,
    cable_m: float,
    conduit_m: float,
    tray_shares: list[tuple[str, float, int]],
    prices: Prices,
) -> OwnerCost:
    """The estimate of one cable: ``tray_shares`` are the (size, length, cables on it) of
    the planned tray runs it lies on."""
    cable = prices.per_m("cable", designation)
    conduit = prices.per_m("conduit", DEFAULT_CONDUIT)
    tray: float | None = 0.0
    for size, length, n in tray_shares:
        per = prices.per_m("tray", size.removeprefix("2×"))
        if per is None or tray is None:
            tray = None
            continue
        tray += per * length * (2 if size.startswith("2×") else 1) / max(n, 1)
    return OwnerCost(
        cable_cny=None if cable is None else round(cable * cable_m, 2),
        conduit_cny=None if conduit is None else round(conduit * conduit_m, 2),
        tray_cny=None if tray is None else round(tray, 2),
        conduit_m=conduit_m,
    )
