"""Requests from a CSV file (the owners' registrations as a spreadsheet export).

UTF-8, BOM allowed, one header row; columns ``id, space, charger_kw, registered, applicant,
charger_type, car_brand, lease_months, documents`` (documents separated by ``;``) and, for
votes on common spaces, all four of ``vote_participating_area, vote_participating_owners,
vote_approving_area, vote_approving_owners`` or none.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass
from typing import Any

from planner.limits import Limits, over
from planner.privacy import mask_text
from planner.readers.base import Collector

SOURCE = "requests CSV"
REQUIRED = ("id", "space", "charger_kw")
OPTIONAL = (
    "registered",
    "applicant",
    "charger_type",
    "car_brand",
    "lease_months",
    "documents",
)
VOTE_COLUMNS = (
    "vote_participating_area",
    "vote_participating_owners",
    "vote_approving_area",
    "vote_approving_owners",
)


@dataclass(frozen=True)
class RawRequest:
    """A request's properties as read, before validation (values already masked)."""

    props: dict[str, Any]
    index: int
    source: str
    geometry: Any = None


def parse_requests_csv(
    data: bytes, out: Collector, *, limits: Limits | None = None
) -> list[RawRequest]:
    """Parse the CSV into raw requests, adding every problem found to ``out``; more rows
    than ``limits.max_csv_rows`` are refused before any is read into a request."""
    rows = _rows(data, out, max_rows=(limits or Limits()).max_csv_rows)
    header = _header(rows, out) if rows else None
    if header is None:
        return []
    requests: list[RawRequest] = []
    for number, row in enumerate(rows[1:], start=2):
        if any(cell.strip() for cell in row):
            request = _request(header, row, number, out)
            if request is not None:
                requests.append(request)
    return requests


def _rows(data: bytes, out: Collector, *, max_rows: int) -> list[list[str]]:
    """The file's rows (header first), or none after saying why; over ``max_rows`` is
    refused at once."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        out.add(
            "error",
            "CSV_NOT_UTF8",
            f"the file is not UTF-8 text (byte {exc.start} cannot be decoded)",
            "save it from Excel as 'CSV UTF-8 (comma delimited)'.",
            source=SOURCE,
        )
        return []
    try:
        rows = list(itertools.islice(csv.reader(io.StringIO(text, newline="")), max_rows + 2))
    except csv.Error as exc:  # a cell over the csv module's limit, a NUL, a broken quote
        out.add(
            "error",
            "CSV_UNREADABLE",
            f"the file cannot be read as CSV ({exc})",
            "save it from Excel as 'CSV UTF-8'; keep each cell under 100,000 characters.",
            source=SOURCE,
        )
        return []
    if not rows or not any(cell.strip() for cell in rows[0]):
        out.add(
            "error",
            "CSV_EMPTY",
            "the file has no header row",
            "put the column names id, space, charger_kw ... in the first row.",
            source=SOURCE,
        )
        return []
    if len(rows) > max_rows + 1:
        over(
            "max_csv_rows",
            len(rows) - 1,
            max_rows,
            "rows in the requests CSV (at least)",
            "split the registrations into several files",
        )
    return rows


_KNOWN = set(REQUIRED + OPTIONAL + VOTE_COLUMNS)


def _header(rows: list[list[str]], out: Collector) -> list[str] | None:
    """The column names (masked: headers reach messages), or ``None`` when the required
    ones are missing or one is given twice; unknown columns are ignored with a warning."""
    header = [mask_text(h.strip().lower())[0] for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        out.add(
            "error",
            "CSV_COLUMN_MISSING",
            f"the header lacks the column(s) {', '.join(missing)}",
            "add them to the first row (id, space, charger_kw are required).",
            source=SOURCE,
        )
        return None
    unknown = [h for h in header if h and h not in _KNOWN]
    if unknown:
        out.add(
            "warning",
            "CSV_COLUMN_IGNORED",
            f"column(s) {', '.join(unknown)} are not request fields and were ignored",
            "rename them if they were meant as one of " + ", ".join(sorted(_KNOWN)) + ".",
            source=SOURCE,
        )
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    if dupes:
        out.add(
            "error",
            "CSV_COLUMN_DUPLICATE",
            f"column(s) {', '.join(dupes)} appear twice",
            "keep one column of each name.",
            source=SOURCE,
        )
        return None
    return header


def _request(header: list[str], row: list[str], number: int, out: Collector) -> RawRequest | None:
    """One row as a raw request (its cells masked), or ``None`` when it cannot be one."""
    if len(row) > len(header):
        out.add(
            "error",
            "CSV_ROW_LENGTH",
            f"the row has {len(row)} cells but the header only {len(header)}",
            "quote cells that contain commas, or remove the extra cells.",
            source=SOURCE,
            index=number,
        )
        return None
    cells: dict[str, str] = {}
    masked_cols: list[str] = []
    for name, raw in zip(header, row, strict=False):
        if name not in _KNOWN:
            continue
        value, hit = mask_text(raw.strip())
        if hit:
            masked_cols.append(name)
        cells[name] = value
    rid = cells.get("id") or None
    if masked_cols:
        out.add(
            "warning",
            "PII_MASKED",
            f"column(s) {', '.join(masked_cols)} held what looks like an ID or phone "
            "number; it was masked and will not appear in any output",
            "keep ID and phone numbers out of the planner's files; use an alias.",
            source=SOURCE,
            kind="request",
            feature_id=rid,
            index=number,
        )
    props = _typed({k: v for k, v in cells.items() if k in REQUIRED + OPTIONAL and v})
    votes = {c: cells.get(c, "") for c in VOTE_COLUMNS}
    given = [c for c, v in votes.items() if v]
    if given and len(given) < len(VOTE_COLUMNS):
        out.add(
            "error",
            "VOTE_INCOMPLETE",
            "the vote columns are partly filled (" + ", ".join(given) + ")",
            "fill all four vote_* columns for a common space, or none.",
            source=SOURCE,
            kind="request",
            feature_id=rid,
            index=number,
        )
    elif given:
        props["vote"] = {c.removeprefix("vote_"): _number(v) for c, v in votes.items()}
    return RawRequest(props=props, index=number, source=SOURCE)


def _typed(props: dict[str, Any]) -> dict[str, Any]:
    """Numbers and lists where the contract has them (the text kept where it is not one,
    for validation to refuse with its message)."""
    if "charger_kw" in props:
        props["charger_kw"] = _number(props["charger_kw"])
    if "lease_months" in props:
        months = _number(props["lease_months"])
        whole = isinstance(months, float) and months.is_integer()
        props["lease_months"] = int(months) if whole else months
    if "documents" in props:
        props["documents"] = [d.strip() for d in props["documents"].split(";") if d.strip()]
    return props


_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _number(text: str) -> float | str:
    """A cell's number, or the text itself for validation to refuse with its message.
    Only a plain decimal counts: Python's float() would also take ``7_0`` (70), ``nan``
    and ``inf``.

    >>> _number("7"), _number("3.5"), _number("7_0"), _number("nan")
    (7.0, 3.5, '7_0', 'nan')
    """
    return float(text) if _DECIMAL.fullmatch(text.strip()) else text
