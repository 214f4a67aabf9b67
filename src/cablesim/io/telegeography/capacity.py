"""The user capacity table (``--capacity CSV``) of the TeleGeography importer."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

from cablesim._errors import ImportFormatError, Problem, did_you_mean
from cablesim.io.topology import read_csv_table
from cablesim.schema import Column
from cablesim.validation import TableSource

__all__ = ["CAPACITY_CSV_COLUMNS", "load_capacity_csv"]

# ============================================================================== capacity CSV
CAPACITY_CSV_COLUMNS: tuple[Column, ...] = (
    Column("system", "str", "", True, False,
           "TeleGeography cable id (slug, e.g. sea-me-we-5) or cable name."),
    Column("design_capacity_gbps", "float", "Gbps", True, False,
           "Announced design capacity of the cable, per direction.", min=0.0,
           min_exclusive=True),
    Column("citation", "str", "", True, False, "Source of the figure."),
)
"""Columns of the user capacity CSV read by :func:`load_capacity_csv`."""


def load_capacity_csv(path: str | os.PathLike[str], cables: Mapping[str, str] | None = None
                      ) -> dict[str, tuple[float, str]]:
    """Read a capacity table ``system, design_capacity_gbps, citation``.

    Parameters
    ----------
    path : path-like
        CSV file; the header is line 1; extra columns are ignored.
    cables : mapping of cable id to cable name, optional
        The imported cables: ``system`` must name one of them by id or (case-insensitively)
        by name.

    Returns
    -------
    dict of str to (float, str)
        Cable id (or the ``system`` text when ``cables`` is not given) to (Gbps, citation).

    Raises
    ------
    ImportFormatError
        Listing every problem with its file, line and field: unreadable file, missing
        columns, empty cells, numbers that are not positive, unknown systems (with a "did
        you mean" hint) and systems given twice.
    """
    name = str(path)
    problems: list[Problem] = []
    table = read_csv_table(path, CAPACITY_CSV_COLUMNS, problems)
    if table is None:
        raise ImportFormatError(f"capacity table {name!r} cannot be read", problems)
    source = TableSource(name)
    by_name: dict[str, str] = {}
    if cables is not None:
        for cid, label in cables.items():
            by_name.setdefault(label.strip().lower(), cid)
    out: dict[str, tuple[float, str]] = {}
    first: dict[str, int] = {}
    rows = zip(table["system"], table["design_capacity_gbps"], table["citation"], strict=True)
    for pos, (system, gbps, cite) in enumerate(rows):
        if system is None:
            continue
        key = system
        if cables is not None:
            if system in cables:
                key = system
            elif system.lower() in by_name:
                key = by_name[system.lower()]
            else:
                choices = list(cables) + list(cables.values())
                problems.append(source.problem(pos, "system", f"unknown cable {system!r}",
                                               did_you_mean(system, choices)))
                continue
        if key in first:
            problems.append(source.problem(pos, "system", f"cable {key!r} is given twice "
                                           f"(first at line {first[key] + source.first_row})"))
            continue
        first[key] = pos
        if gbps is None or not math.isfinite(gbps) or cite is None:
            continue
        out[key] = (float(gbps), str(cite))
    if problems:
        raise ImportFormatError(f"capacity table {name!r} is invalid", problems)
    return out


