"""AutoCAD DWG drawings, R13 to 2018 (AC1012-AC1032), through ``pycadkit``.

pycadkit (PyPI, MIT or Apache-2.0; Rust, no vendor SDK) reads the DWG, layer names and texts
in the drawing's code page (GBK and the like), and writes DXF bytes that the planner's DXF
reader then takes exactly as if the surveyor had exported DXF from CAD: the same layer map,
units and limits. What it cannot read gets one message that says why and how to fix it:

- R11 and older (AC1009 ...) are not read: save the drawing as DWG 2000-2018 or DXF;
- TArch (天正) walls and columns are TArch proxy objects (``TCH_WALL``, ``TCH_COLUMN`` ...),
  which no open reader decodes: export the drawing to plain AutoCAD entities first
  (天正 "文件布图 → 图形导出", 保存类型 T3) and upload that file;
- a damaged file, or one over the limits (``max_bytes``, ``max_dxf_entities``,
  ``max_block_depth``), is refused as any drawing is.
"""

from __future__ import annotations

import re
from typing import Any

from planner.errors import InputLimitError, PlannerError
from planner.limits import Limits, check_time

MAGIC = re.compile(rb"^AC(\d{4})")
"""A DWG file starts with its version: ``AC1032`` (2018) ... ``AC1009`` (R11/R12)."""
OLDEST = 1012
"""AC1012 = R13, the oldest version pycadkit reads."""
VERSIONS = {
    "AC1009": "R11/R12",
    "AC1012": "R13",
    "AC1014": "R14",
    "AC1015": "2000",
    "AC1018": "2004",
    "AC1021": "2007",
    "AC1024": "2010",
    "AC1027": "2013",
    "AC1032": "2018",
}
TARCH_STRUCTURE = ("TCH_WALL", "TCH_COLUMN", "TCH_SPACE", "TCH_OPENING")
"""TArch proxy objects that carry a garage's structure."""
_UNSUPPORTED = re.compile(r"(\d+) (TCH_\w+) entities")


def is_dwg(data: bytes) -> bool:
    """Whether ``data`` starts like a DWG file."""
    return bool(MAGIC.match(data[:6]))


def _version(data: bytes) -> str:
    head = data[:6].decode("ascii", "replace")
    return f"{head} ({VERSIONS.get(head, 'unknown version')})"


def dwg_to_dxf(data: bytes, *, name: str, limits: Limits) -> bytes:
    """The DWG ``data`` as DXF bytes (R2018, UTF-8), or a :class:`PlannerError` saying
    how to get a drawing the planner reads."""
    match = MAGIC.match(data[:6])
    if match is None:
        raise PlannerError(
            f"'{name}' is not a DWG drawing (it does not start with AC1xxx). Fix: upload the "
            "drawing as saved by CAD (.dwg or .dxf)."
        )
    if int(match.group(1)) < OLDEST:
        raise PlannerError(
            f"'{name}' is a DWG of {_version(data)}, older than R13, which the planner cannot "
            "read. Fix: open it in CAD and save it as DWG 2000-2018 or as DXF."
        )
    import cadkit  # noqa: PLC0415 - the DWG reader loads only for a DWG

    try:
        doc = cadkit.read(
            data,
            max_input_bytes=limits.max_bytes,
            max_objects=limits.max_dxf_entities,
            max_depth=limits.max_block_depth,
        )
        check_time()
        _refuse_tarch(doc, name)
        out: bytes = doc.to_dxf_bytes("r2018")
    except cadkit.LimitExceededError as exc:
        raise InputLimitError(
            f"'{name}': the DWG is over a limit ({exc}). Fix: export only the garage level's "
            "layers, or raise the limit (--limit max_dxf_entities=..., max_bytes=...)."
        ) from None
    except cadkit.UnsupportedError as exc:
        raise PlannerError(
            f"'{name}' ({_version(data)}) uses a DWG feature the reader does not support "
            f"({exc}). Fix: save it from CAD as DXF (R2000 or newer) and upload that."
        ) from None
    except cadkit.CadkitError as exc:
        raise PlannerError(
            f"'{name}' ({_version(data)}) is damaged or not a DWG the reader understands "
            f"({exc}). Fix: open it in CAD, run AUDIT/RECOVER, and save it again (or as DXF)."
        ) from None
    return out


def _refuse_tarch(doc: Any, name: str) -> None:
    found: dict[str, int] = {}
    for w in doc.warnings:
        for n, kind in _UNSUPPORTED.findall(str(w.get("message", ""))):
            found[kind] = found.get(kind, 0) + int(n)
    structure = {k: n for k, n in found.items() if k in TARCH_STRUCTURE}
    if structure:
        what = ", ".join(f"{k} x{n}" for k, n in sorted(structure.items()))
        raise PlannerError(
            f"'{name}' is a TArch (天正) drawing: its walls and columns are TArch objects "
            f"({what}) that no open reader can decode, so the garage would come out empty. "
            "Fix: in TArch use 文件布图 → 图形导出 (保存类型: T3) to export plain AutoCAD "
            "entities, then upload the exported .dwg or a .dxf."
        )
