"""Lit capacity by year: what a cable system had lit in a year, not its design capacity.

A submarine system opens with a small share of its design capacity lit and lights more as
demand grows (MCT opened in 2017 with 1.5 of its 30 Tbps; AAG in 2009 with 500 Gbps of
1.92 Tbps). A study's ``[lit]`` table declares the rule (:class:`LitModel`):

    lit(Y) = min(design, design x initial_share x (1 + growth) ** (Y - rfs_year))

for links of the listed kinds, and an optional table of cited lit figures (*anchors*,
``system, year, lit_gbps, ...``): a system with an anchor gets
``min(design, lit_anchor x (1 + growth) ** (Y - anchor_year))`` from its anchor nearest
``Y`` instead. ``design`` is the link's ``capacity_gbps`` in the topology. The rule's
defaults are the identity (everything lit), so a study without ``[lit]`` routes on design
capacity, as an experiment does with ``[links] capacity = "design"``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cablesim._errors import Problem, ScenarioError
from cablesim.io.topology import read_csv_table
from cablesim.schema import MAX_GBPS, Column
from cablesim.settings import setting, unknown_key_hint

__all__ = ["LitModel", "LitRule", "LIT_ANCHOR_COLUMNS", "load_lit_anchors"]

LIT_ANCHOR_COLUMNS: tuple[Column, ...] = (
    Column("system", "str", "", True, False, "The system, spelled as in links.csv."),
    Column("year", "int", "year", True, False, "The year of the figure.", min=1980,
           max=2100),
    Column("lit_gbps", "float", "Gbps", True, False, "Lit capacity of the system that year.",
           min=0.0, min_exclusive=True, max=MAX_GBPS),
    Column("design_gbps", "float", "Gbps", False, True, "Design capacity as the source "
           "states it.", min=0.0, min_exclusive=True, max=MAX_GBPS),
    Column("metric", "str", "", True, False, "What the source measures (lit, initial lit "
           "at RFS, operational)."),
    Column("source", "str", "", True, False, "Where the figure comes from."),
    Column("url", "str", "", False, True, "The public address of the source."),
    Column("note", "str", "", False, True, "Caveats."),
)
"""Columns of a lit capacity anchor table (one cited figure a row)."""


@dataclass(frozen=True)
class LitModel:
    """The ``[lit]`` table of a study: the rule for lit capacity by year."""

    initial_share: float = setting(
        1.0, low=0.0, low_open=True, high=1.0, doc="Share of design capacity lit when a "
        "system enters service (1: design capacity throughout).")
    growth: float = setting(
        0.0, low=0.0, high=2.0, unit="per year", doc="Growth of a system's lit capacity per "
        "year after service, until it reaches design capacity.")
    kinds: tuple[str, ...] = setting(
        ("submarine",), choices=("submarine", "terrestrial", "metro"), doc="Link kinds the "
        "rule applies to (the others keep their topology capacity).")
    anchors: str | None = setting(None, doc="Cited lit capacity by system and year (CSV, "
                                  "relative to the study file): a system with an anchor "
                                  "grows from its anchor instead of from its service year.")
    source: str = setting("", doc="How the values were obtained.")

    @property
    def is_identity(self) -> bool:
        """Design capacity throughout (no rule, no anchors)."""
        return self.initial_share == 1.0 and self.anchors is None


def load_lit_anchors(path: str | os.PathLike[str], *,
                     known_systems: Collection[str] | None = None) -> pd.DataFrame:
    """Read a lit capacity anchor table; every problem located by file, line and field.

    Raises
    ------
    ScenarioError
        Missing columns or values out of range, or a system the topology does not have
        (with a "did you mean" hint), each naming the line and field.
    """
    problems: list[Problem] = []
    table = read_csv_table(path, LIT_ANCHOR_COLUMNS, problems)
    if table is None:
        raise ScenarioError(f"lit capacity table {str(path)!r} cannot be read", problems)
    if known_systems is not None:
        for line, system in enumerate(table["system"], start=2):
            if isinstance(system, str) and system not in known_systems:
                problems.append(Problem(str(path), line, "system", f"unknown system "
                                        f"{system!r}: no link of the topology has it",
                                        unknown_key_hint(system, known_systems)))
    if problems:
        raise ScenarioError(f"lit capacity table {str(path)!r} is invalid", problems)
    return table


@dataclass(frozen=True)
class LitRule:
    """A study's lit model with its anchor table loaded; :meth:`apply` gives capacities."""

    model: LitModel = field(default_factory=LitModel)
    anchors: pd.DataFrame | None = field(default=None, compare=False, repr=False)

    def apply(self, links: pd.DataFrame, year: int) -> tuple[np.ndarray, np.ndarray,
                                                              np.ndarray]:
        """Lit capacity of each link in ``year``, Gbps, with its basis and confidence.

        Parameters
        ----------
        links : DataFrame
            Topology links (``kind``, ``system``, ``capacity_gbps``, ``rfs_year`` and
            optionally ``capacity_confidence``).
        year : int
            The network year.

        Returns
        -------
        (ndarray of float, ndarray of str, ndarray of str)
            Capacity (Gbps), basis (``design``, ``lit: rule from RFS YYYY``, ``lit: cited
            YYYY``, ``lit: cited YYYY grown``) and confidence class per link.
        """
        design = links["capacity_gbps"].to_numpy(dtype=float)
        capacity = design.copy()
        basis = np.full(len(links), "design", dtype=object)
        confidence = (links["capacity_confidence"].astype(object).to_numpy()
                      if "capacity_confidence" in links.columns
                      else np.full(len(links), "estimate", dtype=object))
        confidence = np.array([c if isinstance(c, str) and c else "estimate"
                               for c in confidence], dtype=object)
        if self.model.is_identity:
            return capacity, basis, confidence
        g = self.model.growth
        anchors: dict[str, list[tuple[int, float]]] = {}
        if self.anchors is not None:
            for system, y, gbps in zip(self.anchors["system"], self.anchors["year"],
                                       self.anchors["lit_gbps"], strict=True):
                anchors.setdefault(str(system), []).append((int(y), float(gbps)))
        kinds = set(self.model.kinds)
        rfs = links["rfs_year"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        for i, (kind, system) in enumerate(zip(links["kind"], links["system"], strict=True)):
            if kind not in kinds:
                continue
            own = anchors.get(str(system))
            if own:
                ya, lit = min(own, key=lambda a: (abs(a[0] - year), -a[0]))
                value = lit * (1.0 + g) ** (year - ya)
                label = f"lit: cited {ya}" + ("" if ya == year else " grown")
                level = "cited" if ya == year else "derived"
            elif math.isfinite(rfs[i]):
                age = max(0.0, year - rfs[i])
                value = design[i] * self.model.initial_share * (1.0 + g) ** age
                label, level = f"lit: rule from RFS {int(rfs[i])}", "estimate"
            else:
                continue
            if value < design[i]:
                capacity[i] = value
                basis[i], confidence[i] = label, level
            else:
                basis[i] = "design (fully lit by then)"
        return capacity, basis, confidence
