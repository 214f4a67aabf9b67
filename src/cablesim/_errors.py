"""The project's exception types.

Every error cablesim raises on bad input is a :class:`CablesimError` (a ``ValueError``
subclass) carrying a list of :class:`Problem` records, each locating one problem by file,
row (or feature) and field, with an optional "did you mean" hint. Loaders collect every
problem they find before raising, so a user can fix a file in one pass.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "Problem",
    "CablesimError",
    "TopologyError",
    "ScenarioError",
    "DemandError",
    "ImportFormatError",
    "RoutingError",
    "InvariantError",
    "did_you_mean",
]


@dataclass(frozen=True)
class Problem:
    """One located problem in an input.

    Attributes
    ----------
    file : str
        File name (or a table name such as ``"nodes"`` for in-memory tables).
    row : int or None
        Line number in a CSV file (the header is line 1), the 1-based row of an in-memory
        table, or the 1-based feature number in a GeoJSON file; ``None`` for whole-file issues.
    field : str or None
        Column or property name the problem is about.
    message : str
        What is wrong, in words a user can act on.
    hint : str or None
        A suggestion, e.g. the closest valid value.
    row_label : str
        How ``row`` is named in messages: ``"line"``, ``"row"`` or ``"feature"``.
    """

    file: str
    row: int | None
    field: str | None
    message: str
    hint: str | None = None
    row_label: str = "line"

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"{self.row_label} {self.row}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        text = ", ".join(where) + f": {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def as_dict(self) -> dict[str, object]:
        """Return the problem as a JSON-ready dictionary."""
        return {
            "file": self.file,
            "row": self.row,
            "row_label": self.row_label,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


class CablesimError(ValueError):
    """Base class of cablesim's input errors; carries the located problems.

    Parameters
    ----------
    summary : str
        One line saying what failed (e.g. "topology 'x' is invalid").
    problems : sequence of Problem, optional
        Every problem found; all are listed in ``str(error)``.
    """

    def __init__(self, summary: str, problems: Sequence[Problem] | None = None) -> None:
        self.summary = summary
        self.problems: list[Problem] = list(problems or [])
        super().__init__(self._render())

    def _render(self) -> str:
        if not self.problems:
            return self.summary
        n = len(self.problems)
        lines = [f"{self.summary}: {n} problem{'s' if n != 1 else ''}"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class TopologyError(CablesimError):
    """A topology folder or table is malformed or inconsistent."""


class ScenarioError(CablesimError):
    """A scenario or experiment file is malformed or refers to unknown things."""


class DemandError(CablesimError):
    """A traffic demand table is malformed or refers to unknown nodes."""


class ImportFormatError(CablesimError):
    """An external data set (e.g. TeleGeography JSON) cannot be read."""


class OutputError(CablesimError):
    """An output location cannot be written (missing permission, read-only, not a folder)."""


class RoutingError(CablesimError):
    """Routing cannot proceed (e.g. a policy's exchange hub is not in the topology)."""


def did_you_mean(value: str, choices: Iterable[str], n: int = 1) -> str | None:
    """Return a "did you mean ...?" hint for a near-miss ``value`` among ``choices``.

    Parameters
    ----------
    value : str
        The unknown value as written by the user.
    choices : iterable of str
        The valid values.
    n : int
        How many suggestions to offer at most.

    Returns
    -------
    str or None
        ``"did you mean 'X'?"`` or ``None`` when nothing is close.
    """
    pool = [str(c) for c in choices]
    matches = difflib.get_close_matches(str(value), pool, n=n, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in pool}
        if str(value).lower() in lowered:
            matches = [lowered[str(value).lower()]]
    if not matches:
        return None
    return "did you mean " + " or ".join(f"'{m}'" for m in matches) + "?"


class InvariantError(CablesimError):
    """A result broke one of the model's invariants (a bug, not bad input): served +
    unserved = offered, non-negative flows and costs, capacity respected, RTT not below
    the fibre floor."""
