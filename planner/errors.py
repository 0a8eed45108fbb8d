"""Errors and input problems.

Every problem found in a surveyor's input is a :class:`Problem`: it names the feature (its
kind, id and position in the file), says what is wrong and how to fix it. Readers collect all
problems first and raise one :class:`SiteError` listing them, so that a surveyor fixes a file
in one pass instead of one error at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict

Severity = Literal["error", "warning", "info"]


class Problem(BaseModel):
    """One thing wrong (or worth a word) in an input file."""

    model_config = ConfigDict(frozen=True)

    severity: Severity
    code: str
    message: str
    fix: str = ""
    source: str = "site file"
    kind: str | None = None
    feature_id: str | None = None
    index: int | None = None

    @property
    def where(self) -> str:
        """Human-readable location: file, position and feature."""
        parts = [self.source]
        if self.index is not None:
            parts.append(f"row {self.index}" if "CSV" in self.source else f"feature #{self.index}")
        what = self.kind or ""
        if self.feature_id is not None:
            fid = self.feature_id
            shown = (
                fid
                if fid.isprintable()
                else "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in fid)
            )
            what = f"{what} '{shown}'".strip()
        if what:
            parts.append(f"({what})")
        return " ".join(parts)

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        if self.fix:
            text += ("" if text.endswith((".", "。")) else ".") + f" Fix: {self.fix}"
        return printable(text)


def printable(text: str) -> str:
    r"""``text`` safe for a terminal and a log: control and format characters (escape
    sequences, bidi overrides, lone surrogates) shown as ``\x..`` escapes, nothing run.

    >>> print(printable("R1\x1b[31m"))
    R1\x1b[31m
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == "\n" else ascii(ch)[1:-1] for ch in text)


class PlannerError(ValueError):
    """Input the planner refuses. The CLI prints it and exits 2; the app shows it."""


class SiteError(PlannerError):
    """A site or requests file with one or more errors, all listed."""

    def __init__(self, problems: Iterable[Problem], *, source: str = "site file") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        errors = [p for p in self.problems if p.severity == "error"]
        head = f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in the {source}"
        lines = [head + ":"] + [f"  - {p}" for p in errors]
        super().__init__("\n".join(lines))


class UnknownIdError(KeyError):
    """An id asked for that the site (or the samples) does not have; the message lists the
    ids there are. A ``KeyError``, so ``except KeyError`` still catches it."""

    def __init__(self, what: str, wanted: str, known: Iterable[str]) -> None:
        ids = sorted(known)
        shown = ", ".join(ids[:20]) + (f" ... ({len(ids)} in all)" if len(ids) > 20 else "")
        self.wanted = wanted
        super().__init__(f"no {what} '{wanted}'; the {what}s are: {shown or '(none)'}")

    def __str__(self) -> str:  # KeyError would print the message quoted, as a repr
        return str(self.args[0])


class UnreadableInputError(PlannerError):
    """An input that is missing, not a regular file, or cannot be read."""


class InputLimitError(PlannerError):
    """An input over one of the configured limits (size, count, depth ...)."""
