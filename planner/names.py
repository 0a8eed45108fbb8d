"""Ids made safe for file names and CAD layer names, in one place for every writer.

An id from a site file may hold anything: slashes, control characters, lone surrogates,
terminal escapes, characters a DXF layer cannot hold, or be longer than a file name allows.
:func:`safe_names` maps every id of one kind to a name made of letters (any script), digits,
``-``, ``_`` and ``.`` (not leading), at most ``max_len`` characters, and gives two ids that
would come out alike (``a/b`` and ``a:b``, or ``R1`` and ``r1`` on a case-insensitive disk)
distinct names by a short hash of the id.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from collections.abc import Iterable

MAX_LEN = 80
"""Well under the 255 bytes of a file name, with room for ``-commitment.pdf`` and a hash:
an id of CJK characters takes three bytes each."""


def _clean(text: str, max_len: int) -> str:
    out = []
    for ch in unicodedata.normalize("NFC", text):
        ok = ch.isalnum() and unicodedata.category(ch) != "Cs" and ch.isprintable()
        out.append(ch if ok or ch in "-_." else "_")
    name = "".join(out).strip("._") or "item"
    return name[:max_len]


def _tag(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def safe_names(ids: Iterable[str], *, max_len: int = MAX_LEN) -> dict[str, str]:
    """Each id's safe name; names are unique, also when compared without case.

    >>> names = safe_names(["R01", "a/b", "a:b", "../x"])
    >>> names["R01"], names["../x"], names["a/b"] != names["a:b"], names["a/b"][:4]
    ('R01', 'x', True, 'a_b-')
    """
    unique = list(dict.fromkeys(ids))
    cleaned = {i: _clean(i, max_len) for i in unique}
    clashes = Counter(name.casefold() for name in cleaned.values())
    return {
        i: f"{name[: max_len - 9]}-{_tag(i)}"
        if clashes[name.casefold()] > 1 or len(i) > max_len
        else name
        for i, name in cleaned.items()
    }


def safe_name(text: str, *, max_len: int = MAX_LEN) -> str:
    """One id alone (no others to clash with)."""
    return safe_names([text], max_len=max_len)[text]
