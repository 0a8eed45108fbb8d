"""Tables of the standards the electrical design reads (``shared/domain.md`` E1-E6).

Every figure here comes from a table of IEC 60364-5-52:2009 (adopted in China as
GB/T 16895.6) or a neighbouring standard, *as quoted by third parties*: the official texts
were not available. Each :class:`Sourced` table names the table it is taken from and the
independent quotations its figures were checked against (found with the project's search
tool; each repeats the same figures). A table that could not be checked in two independent
quotations says ``[unconfirmed]``; ``tests/test_tables.py`` asserts that every table has
two sources or the marker.

On table numbers: IEC 60364-5-52:2009 numbers the two-loaded-conductor tables for methods
A1-D2 B.52.2 (PVC) and B.52.3 (XLPE), and the three-loaded ones B.52.4 and B.52.5;
``domain.md`` cites B.52.4/B.52.5 for the two-loaded B2 figures. The figures are the same;
both numbers are given below so a reviewer finds them in either edition's numbering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Literal

Insulation = Literal["xlpe", "pvc"]
Method = Literal["B2", "E"]

UNCONFIRMED = "[unconfirmed"
"""The start of the marker: ``[unconfirmed]`` or ``[unconfirmed: why]``."""


@dataclass(frozen=True)
class Sourced:
    """A table of figures with the clause it comes from and its independent sources."""

    name: str
    table: str
    sources: tuple[str, ...]
    values: dict[str, tuple[float, ...]] = field(default_factory=dict)
    keys: tuple[float, ...] = ()
    """What the columns stand for: sizes in mm², temperatures in °C, cable counts ..."""
    note: str = ""

    @property
    def confirmed(self) -> bool:
        """Two independent quotations repeat the figures and no marker says otherwise."""
        return len(self.sources) >= 2 and UNCONFIRMED not in self.note

    def row(self, key: str) -> dict[float, float]:
        """One row as ``{column key: value}``."""
        return dict(zip(self.keys, self.values[key], strict=True))


SIZES_MM2: tuple[float, ...] = (6.0, 10.0, 16.0, 25.0, 35.0)

# Iz0 of a multi-core copper cable, two loaded conductors (single phase), 30 °C air.
AMPACITY = Sourced(
    name="ampacity_a",
    table=(
        "IEC 60364-5-52:2009 tables B.52.2 / B.52.4 (PVC, B2), B.52.3 / B.52.5 (XLPE, B2), "
        "B.52.10 (PVC, E), B.52.12 (XLPE, E); two loaded conductors, copper, 30 °C"
    ),
    sources=(
        # 1: Merlin Gerin (Schneider Electric) Electrical Installation Guide 2007, chapter G,
        #    fig. G21a (PVC2/PVC3/XLPE2/XLPE3 columns), as tabulated by public code citing
        #    it, and an IEC 60364-5-52 calculator (data.js) labelling B.52.2/3 and B.52.10/12.
        "Merlin Gerin Electrical Installation Guide 2007, ch. G, fig. G21a",
        # 2: CENELEC HD 60364-5-52 (DS/HD 60364) tables, as tabulated by a public DS/HD 60364
        #    calculator: PVC E 22/30/40/51/70/94/119/148, B2 16.5/23/30/38/52/69/90/111;
        #    XLPE E 26/36/49/63/86/115/149/185, B2 22/30/40/51/69/91/119/146.
        "HD 60364-5-52 (DS/HD 60364) tables B.52.2-B.52.13, public calculator",
        # 3: ABNT NBR 5410:2004 tabelas 36-39 (Brazil's adoption of the same IEC tables):
        #    EPR/XLPE B2 2 loaded ... 40, 51, 69, 91, 119, 146 ... in public code.
        "ABNT NBR 5410:2004 tabelas 36-39 (IEC 60364-5-52 adoption)",
    ),
    keys=SIZES_MM2,
    values={
        "pvc/E": (51.0, 70.0, 94.0, 119.0, 148.0),
        "pvc/B2": (38.0, 52.0, 69.0, 90.0, 111.0),
        "xlpe/E": (63.0, 86.0, 115.0, 149.0, 185.0),
        "xlpe/B2": (51.0, 69.0, 91.0, 119.0, 146.0),
    },
)

# Correction for ambient air temperature other than 30 °C.
TEMPERATURE = Sourced(
    name="k_temp",
    table="IEC 60364-5-52:2009 table B.52.14 (ambient air, PVC 70 °C / XLPE 90 °C)",
    sources=(
        # PVC 1.22/1.17/1.12/1.06/1.00/0.94/0.87/0.79/0.71/0.61/0.50 and XLPE
        # 1.15/1.12/1.08/1.04/1.00/0.96/0.91/0.87/0.82/0.76/0.71 for 10..60 °C in each:
        "IEC 60364-5-52 B.52.14 as tabulated by a public IEC calculator (data.js)",
        "BS 7671 table 4B1 (same factors), tabulated in public cable-sizing code",
        "NEK 400 (Norway) temperature correction table, public code",
    ),
    keys=(10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0, 60.0),
    values={
        "pvc": (1.22, 1.17, 1.12, 1.06, 1.00, 0.94, 0.87, 0.79, 0.71, 0.61, 0.50),
        "xlpe": (1.15, 1.12, 1.08, 1.04, 1.00, 0.96, 0.91, 0.87, 0.82, 0.76, 0.71),
    },
    note="between listed temperatures the factor of the next higher one (conservative)",
)

# Grouping of several circuits; the count is the number of cables (circuits).
GROUPING = Sourced(
    name="k_group",
    table=(
        "IEC 60364-5-52:2009 table B.52.17, row 1 (bunched in air, on a surface, embedded or "
        "enclosed) and row 4 (single layer on a perforated horizontal tray, methods E/F)"
    ),
    sources=(
        # row 1 1.00/0.80/0.70/0.65/0.60/0.57/0.54/0.52/0.50/0.45/0.41/0.38 and row 4
        # 1.00/0.88/0.82/0.77/0.75/0.73/0.73/0.72/0.72 in each:
        "ABNT NBR 5410:2004 tabela 42 (IEC adoption), tabulated in public code",
        "IEC 60364-5-52 B.52.17 as tabulated by a public Korean cable calculator",
        "NS 01-001 (Senegal, NF C 15-100 family) grouping table, public code",
    ),
    keys=(1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 20),
    values={
        "bunched": (1.00, 0.80, 0.70, 0.65, 0.60, 0.57, 0.54, 0.52, 0.50, 0.45, 0.41, 0.38),
        "tray_single_layer": (
            1.00,
            0.88,
            0.82,
            0.77,
            0.75,
            0.73,
            0.73,
            0.72,
            0.72,
            0.72,
            0.72,
            0.72,
        ),
    },
    note=(
        "between two listed counts the lower factor; beyond 20 the last; the tray row holds "
        "for one layer only (the table's note)"
    ),
)

# Incoming supply of a box: XLPE, three loaded conductors, on a tray (method E).
INCOMING_AMPACITY = Sourced(
    name="incoming_ampacity_a",
    table="IEC 60364-5-52:2009 table B.52.12 (XLPE, method E, three loaded conductors, 30 °C)",
    sources=(
        # 16/25/35/50/70/95/120/150 mm²: 100/127/158/192/246/298/346/399 A in both:
        "HD 60364-5-52 (DS/HD 60364) 'Cable Tray (E)' three loaded, public calculator",
        "IEC 60364-5-52 method E three loaded (23 ... 399 A), public Turkish calculator",
    ),
    keys=(16.0, 25.0, 35.0, 50.0, 70.0, 95.0, 120.0, 150.0),
    values={"xlpe/E/3": (100.0, 127.0, 158.0, 192.0, 246.0, 298.0, 346.0, 399.0)},
)

# Protective conductor of the incoming cable.
PE_SIZE = Sourced(
    name="pe_mm2",
    table="IEC 60364-5-54:2011 table 54.2 (PE of the same material as the line conductor)",
    sources=("IEC 60364-5-54 table 54.2 as quoted in domain.md",),
    keys=(),
    note="S <= 16: S; 16 < S <= 35: 16; S > 35: S/2 [unconfirmed: one quotation]",
)

INCOMING_BREAKERS_A: tuple[float, ...] = (63.0, 80.0, 100.0, 125.0, 160.0, 200.0, 250.0)
"""Standard moulded-case breaker ratings for a box's incoming supply (IEC 60947-2 series of
preferred ratings; domain.md)."""

BOX_SIZES: tuple[int, ...] = (1, 2, 4, 6, 9, 12)
"""Meter positions of standard single-phase meter boxes (domain.md R5) [unconfirmed: 9 and
12 quoted by vendors only]."""

# Outer diameter of a three-core 0.6/1 kV copper cable (L, N, PE), mm, by conductor size.
CABLE_DIAMETER = Sourced(
    name="cable_diameter_mm",
    table=(
        "manufacturer construction of YJV/VV 0.6/1kV 3-core cables (GB/T 12706.1-2020 "
        "insulation and sheath thicknesses): conductor + 2 × insulation, × 2.154 for three "
        "cores, + 0.4 mm wrapping, + 2 × sheath (0.035 × D + 1.0 mm)"
    ),
    sources=("armoured-cable.net: 'Overall diameter of cables - 0.6/1KV YJV multi-core'",),
    keys=SIZES_MM2,
    values={"3-core": (12.1, 14.4, 16.8, 20.4, 22.7)},
    note=(
        "[unconfirmed: computed by the one quoted method (which gives 16.8 mm for 3×16); "
        "a vendor's data sheet decides, PVC (VV) taken as XLPE]"
    ),
)

TRAY_SIZES = Sourced(
    name="tray_sizes_mm",
    table="standard cable tray width × height, mm (issue 12; common ladder/trough series)",
    sources=("issue 12 of this project",),
    keys=(1, 2, 3, 4, 5, 6),
    values={
        "width": (100, 150, 200, 300, 400, 600),
        "height": (50, 75, 100, 100, 150, 150),
    },
    note="[unconfirmed: the series of the issue; vendors' catalogues list more]",
)

TRAY_FILL = Sourced(
    name="tray_fill_max",
    table=(
        "GB 50054-2011 低压配电设计规范 7.6.14: power cables in a tray fill at most 40 % "
        "of its cross-section"
    ),
    sources=("issue 12 of this project (quoting GB 50054-2011 7.6.14)",),
    keys=(1,),
    values={"power": (0.40,)},
    note="[unconfirmed: the clause as the issue quotes it; the standard's text not seen]",
)

TABLES: tuple[Sourced, ...] = (
    AMPACITY,
    TEMPERATURE,
    GROUPING,
    INCOMING_AMPACITY,
    PE_SIZE,
    CABLE_DIAMETER,
    TRAY_SIZES,
    TRAY_FILL,
)


def cable_diameter_mm(conductor_mm2: float) -> float:
    """Outer diameter of the owner's 3-core cable (:data:`CABLE_DIAMETER`)."""
    return _step(CABLE_DIAMETER, "3-core", conductor_mm2)


def tray_sizes() -> list[tuple[int, int]]:
    """Standard trays (width, height) in mm, narrowest first (:data:`TRAY_SIZES`)."""
    return [
        (int(w), int(h))
        for w, h in zip(TRAY_SIZES.values["width"], TRAY_SIZES.values["height"], strict=True)
    ]


def tray_fill_max() -> float:
    """Largest share of a tray's cross-section its cables may fill (:data:`TRAY_FILL`)."""
    return TRAY_FILL.values["power"][0]


def _step(sourced: Sourced, key: str, x: float) -> float:
    """The value at ``x``: exact, else that of the next listed column up (for falling
    factors the lower one, the conservative side); beyond the last, the last."""
    for col, val in zip(sourced.keys, sourced.values[key], strict=True):
        if x <= col + 1e-9:
            return val
    return sourced.values[key][-1]


@cache  # looked up per segment and size of every cable: keep it a dict hit
def ampacity_a(insulation: Insulation, method: Method, size_mm2: float) -> float:
    """Iz0 of one cable: two loaded conductors, 30 °C (:data:`AMPACITY`)."""
    row = AMPACITY.row(f"{insulation}/{method}")
    if size_mm2 not in row:
        raise KeyError(
            f"no tabulated ampacity for {size_mm2:g} mm²; sizes are "
            + ", ".join(f"{s:g}" for s in AMPACITY.keys)
        )
    return row[size_mm2]


@cache  # looked up per segment and size of every cable: keep it a dict hit
def temperature_factor(insulation: Insulation, ambient_c: float) -> float:
    """k_temp of table B.52.14 (the factor of the next listed temperature up)."""
    if ambient_c > TEMPERATURE.keys[-1]:
        raise ValueError(f"ambient {ambient_c:g} °C is beyond table B.52.14 (60 °C)")
    return _step(TEMPERATURE, insulation, ambient_c)


@cache  # looked up per segment and size of every cable: keep it a dict hit
def grouping_factor(cables: int, *, tray: bool) -> float:
    """k_group of table B.52.17 for ``cables`` sharing a run: row 4 on a single-layer tray,
    row 1 bunched (conduit); between listed counts the lower factor."""
    return _step(GROUPING, "tray_single_layer" if tray else "bunched", max(cables, 1))


def pe_size_mm2(line_mm2: float) -> float:
    """PE conductor for a line conductor of ``line_mm2`` (table 54.2)."""
    if line_mm2 <= 16:
        return line_mm2
    if line_mm2 <= 35:
        return 16.0
    return line_mm2 / 2
