"""Masking of personal numbers.

Owners' ID numbers and mobile numbers must never reach a plan, a drawing or a log. Any
property value that contains a Chinese resident ID number lookalike (17 digits and a digit or
X) or a mainland mobile number lookalike (1, then 3-9, then nine digits) is masked where it is
read, before anything else sees it. The match is deliberately loose (no word boundaries): a
number glued to other digits, such as ``+8613912345678``, is masked as well.
"""

from __future__ import annotations

import re
from typing import Any

_ID_NUMBER = re.compile(r"\d{17}[\dXx]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
MASK_CHAR = "*"


def mask_text(text: str) -> tuple[str, bool]:
    """Return ``text`` with ID and mobile lookalikes replaced by ``*`` and whether any was.

    >>> mask_text("张三 13912345678")
    ('张三 ***********', True)
    """
    masked = _ID_NUMBER.sub(lambda m: MASK_CHAR * len(m.group()), text)
    masked = _MOBILE.sub(lambda m: MASK_CHAR * len(m.group()), masked)
    return masked, masked != text


def mask_value(value: Any) -> tuple[Any, bool]:
    """Mask every string (and integer written as digits) inside a JSON-like value."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, bool):
        return value, False
    if isinstance(value, int):
        text, hit = mask_text(str(value))
        return (text if hit else value), hit
    if isinstance(value, list):
        items = [mask_value(v) for v in value]
        return [v for v, _ in items], any(h for _, h in items)
    if isinstance(value, dict):
        pairs = {k: mask_value(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(h for _, h in pairs.values())
    return value, False


def mask_properties(props: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Mask all property values; return the masked copy and the names of masked properties."""
    out: dict[str, Any] = {}
    hits: list[str] = []
    for key, value in props.items():
        masked, hit = mask_value(value)
        out[key] = masked
        if hit:
            hits.append(str(key))
    return out, hits
