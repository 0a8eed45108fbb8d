"""Masking of personal numbers.

Owners' ID numbers and mobile numbers must never reach a plan, a drawing or a log. Any
property value or name that contains a Chinese resident ID number lookalike (17 digits and
a digit or X) or a mainland mobile number lookalike (1, then 3-9, then nine digits) is masked
where it is read, before anything else sees it, however it is written: in groups separated by
spaces, dashes or dots, with ``+86``, with zero-width characters, in full-width digits, in
Chinese numerals digit by digit, or as a JSON number. The match is deliberately loose (no
word boundaries): a number glued to other digits, such as ``+8613912345678``, is masked as
well; a colon or letter ends a number, so dates and times are left alone.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

_ID_NUMBER = re.compile(r"\d{17}[\dX]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_SEPARATOR = "\\s\\-.\u00a0\u3000\u200b\u200c\u200d\u2060\ufeff()（）－．"
_CHINESE_DIGITS = {
    **dict.fromkeys("〇零", 0),
    **dict.fromkeys("一幺壹", 1),  # 幺: one, as a phone number is read out
    **dict.fromkeys("二贰", 2),
    **dict.fromkeys("三叁", 3),
    **dict.fromkeys("四肆", 4),
    **dict.fromkeys("五伍", 5),
    **dict.fromkeys("六陆", 6),
    **dict.fromkeys("七柒", 7),
    **dict.fromkeys("八捌", 8),
    **dict.fromkeys("九玖", 9),
}
"""Numerals a number can be written in, digit by digit (一三九一二三四五六七八): a form
copied by hand. 十, 百 and 万 name amounts, not digits, and end a number."""
_RUN = re.compile(rf"[+＋]?\d(?:[{_SEPARATOR}]{{0,3}}[\dXxＸｘ])*")
"""A run of digits as people write numbers: spaced, dashed or dotted in groups, with a
``+86`` in front, zero-width characters inside, in full-width digits; an ID's final X."""
_NUMERALS = "".join(_CHINESE_DIGITS)
_CHINESE_RUN = re.compile(rf"[{_NUMERALS}](?:[{_SEPARATOR}]{{0,3}}[{_NUMERALS}XxＸｘ])*")
"""The same in Chinese numerals; a run of its own, so that the 三 of a name (张三) before a
number in digits stays a name."""
_ANY_NUMERAL = re.compile(f"[{_NUMERALS}]")
MASK_CHAR = "*"
_SHORTEST = 11
"""Digits of the shortest number masked (a mobile); an ID number has 18."""
_NUMBER_SPAN = (1e10, 1e18)
"""JSON numbers that can be a mobile (11 digits) or an ID number (18 digits, no X)."""


def _digits(run: str) -> str:
    """The digits (and X) of a run, full-width ones folded to ASCII."""
    out = []
    for ch in run:
        if ch.isdecimal():
            out.append(str(unicodedata.digit(ch)))
        elif ch in _CHINESE_DIGITS:
            out.append(str(_CHINESE_DIGITS[ch]))
        elif ch in "XxＸｘ":
            out.append("X")
    return "".join(out)


def _personal(run: str) -> bool:
    digits = _digits(run)
    return bool(_ID_NUMBER.search(digits) or _MOBILE.search(digits.replace("X", "")))


def mask_text(text: str) -> tuple[str, bool]:
    """Return ``text`` with ID and mobile lookalikes replaced by ``*`` and whether any was.
    Separators between a number's groups are masked with it, so nothing of it is left.

    >>> mask_text("张三 13912345678")
    ('张三 ***********', True)
    >>> mask_text("电话 +86 139-1234-5678")[0]
    '电话 *****************'
    >>> mask_text("１３９１２３４５６７８")[1], mask_text("139\u200b1234\u200b5678")[1]
    (True, True)
    >>> mask_text("2024-03-18 09:30")
    ('2024-03-18 09:30', False)
    >>> mask_text("电话一三九 幺二三四 五六七八")[0]
    '电话*************'
    """
    if len(text) < _SHORTEST:
        return text, False
    masked = text
    # fewer digits than the shortest number masked: nothing to do
    if sum(map(str.isdecimal, text)) >= _SHORTEST:
        masked = _RUN.sub(_masked_run, masked)
    if len(_ANY_NUMERAL.findall(text)) >= _SHORTEST:
        masked = _CHINESE_RUN.sub(_masked_run, masked)
    return masked, masked != text


def _masked_run(match: re.Match[str]) -> str:
    run = match.group()
    # a run shorter than the shortest number holds fewer digits than it (a date, a time)
    if len(run) >= _SHORTEST and _personal(run):
        return MASK_CHAR * len(run)
    return run


def mask_value(value: Any) -> tuple[Any, bool]:
    """Mask every string (and integer written as digits) inside a JSON-like value."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, bool):
        return value, False
    if isinstance(value, int | float) and _NUMBER_SPAN[0] <= abs(value) < _NUMBER_SPAN[1]:
        # 13900000001 or 13900000001.0 as a JSON number; a coordinate with a fraction,
        # such as -13765432.1, is a measurement, not a number someone was given
        if isinstance(value, int) or value.is_integer():
            text, hit = mask_text(str(int(value)))
            return (text if hit else value), hit
        return value, False
    if isinstance(value, list):
        items = [mask_value(v) for v in value]
        return [v for v, _ in items], any(h for _, h in items)
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        hit = False
        for k, v in value.items():
            key, key_hit = mask_text(k) if isinstance(k, str) else (k, False)
            masked, value_hit = mask_value(v)
            out[key] = masked
            hit = hit or key_hit or value_hit
        return out, hit
    return value, False


def mask_properties(props: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Mask all property values; return the masked copy and the names of masked properties."""
    out: dict[str, Any] = {}
    hits: list[str] = []
    for key, value in props.items():
        name, key_hit = mask_text(str(key))  # a number typed as a property's name
        masked, hit = mask_value(value)
        out[name] = masked
        if hit or key_hit:
            hits.append(name)
    return out, hits


class MaskingFilter(logging.Filter):
    """Masks ID and mobile lookalikes in every record of the logger it is on (at the
    source, whatever handler receives it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        text, masked = mask_text(record.getMessage())
        if masked:
            record.msg, record.args = text, None
        return True


def get_logger(name: str) -> logging.Logger:
    """The module's logger, masking personal numbers in what it logs. The planner logs at
    stage boundaries and is silent unless its caller configures logging (``planner -v``)."""
    log = logging.getLogger(name)
    if not any(isinstance(f, MaskingFilter) for f in log.filters):
        log.addFilter(MaskingFilter())
    return log
