"""How drawings look, in one matplotlib-free place: the sheets, their legend, the system
diagrams and the app's plot read these.

Text heights follow GB/T 50001-2017 5.0.2-5.0.3 (Chinese at least 3.5 mm, digits and Latin
letters at least 2.5 mm), line weights the three grades of GB/T 50786-2012 4.0.1 (b, 0.5b,
0.25b with b = 1.0 mm on A3/A1).
"""

from __future__ import annotations

from planner.fonts import has_cjk

MM_PER_INCH = 25.4
PT_PER_MM = 72 / MM_PER_INCH

CJK_PT = 10.0
"""3.53 mm: the smallest Chinese text (GB/T 50001: 3.5 mm)."""
LATIN_PT = 7.5
"""2.65 mm: the smallest digits and Latin text (GB/T 50001: 2.5 mm)."""
TITLE_PT = 14.0
"""Sheet titles."""

HEAVY, MEDIUM, THIN = 2.83, 1.42, 0.71
"""Line weights in points: 1.0, 0.5 and 0.25 mm (GB/T 50786: b, 0.5b, 0.25b)."""


def text_pt(text: str) -> float:
    """The smallest font size ``text`` may have: Chinese, or digits and Latin."""
    return CJK_PT if has_cjk(text) else LATIN_PT


STATUS_COLOURS = {
    "planned": "#2e7d32",
    "pending": "#f9a825",
    "deferred": "#1565c0",
    "blocked": "#c62828",
}
CABLE_DASHES: dict[str, object] = {
    "planned": "solid",
    "pending": (0, (6, 3)),
    "deferred": (0, (1.5, 2)),
}
"""Approved cables solid; provisional ones (pending documents, deferred for capacity)
dashed and dotted: drawn distinctly, never mistaken for approved ones."""
COMPARTMENT_TINTS = (
    "#e3f2fd",
    "#fff3e0",
    "#e8f5e9",
    "#f3e5f5",
    "#fffde7",
    "#e0f7fa",
    "#fce4ec",
    "#f1f8e9",
)
COMPARTMENT_EDGE = "#d84315"
DASH_DOT = (0, (10, 3, 2, 3))
"""点划线 (GB/T 50001 table 4.0.4): compartment boundaries, grid lines, match lines."""
OBSTACLE_STYLE = {
    "column": ("#9e9e9e", None),
    "shaft": ("#e0e0e0", "xx"),
    "ramp": ("#f5f5f5", "//"),
    "room": ("#eeeeee", ".."),
    "other": ("#eeeeee", None),
    "wall": ("#616161", None),
}
"""Face colour and hatch of each obstacle type. Walls and columns are mid grey, not black:
a garage drawn in black walls prints as a black shape."""
OBSTACLE_EDGE = "#424242"
"""Edges of the structures, grid lines and the legend's swatches on the sheets."""
STALL_EDGE = "#757575"
"""Edges of the parking stalls on the sheets."""
DIMENSION_COLOUR = "#e65100"
"""The box's dimensions to the grid or a column."""
INFO_COLOUR = "#37474f"
"""Grey-blue for what informs rather than instructs: the area plans' outlines and numbers
on a key plan, the owner papers' facts."""
STATUS_NOTE_COLOUR = "#555555"
"""A circuit's status beside it on the system diagram."""
SCREEN_OBSTACLE_FILL = {"column": "#424242", "other": "#bdbdbd"}
"""The app's plot (plotly, no hatches): columns dark so they stand out on screen, the other
structures a light grey; their edges ``SCREEN_OBSTACLE_EDGE``."""
SCREEN_OBSTACLE_EDGE = "#212121"
SCREEN_STALL_EDGE = {"unrequested": "#9e9e9e", "requested": "#616161"}
"""Stall outlines in the app's plot: unrequested ones lighter than those with a request."""
PLANNED_TRAY = "#ffb74d"
"""Colour of the planned shared tray on sheets and in the app."""
EXISTING_TRAY = "#81d4fa"
CONDUIT = "#cfd8dc"
"""Steel conduit (SC) under a cable where it runs off the trays: a pale casing."""
HEAD_COLOUR = "#bf360c"
"""The font has one weight: table heads are coloured instead of bold."""

PAGE_NUMBER_PT = 9.0
PAGE_NUMBER_MM = (6.0, 2.5)
"""Where "x / y" goes on every page of a package: its right end this far from the paper's
right edge, its middle this far above the foot, in the margin."""
