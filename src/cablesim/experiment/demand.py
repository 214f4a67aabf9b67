"""A scenario's demand settings, read once into a typed spec, and the demand table they give.

The ``[demand]`` table of an experiment (merged with a scenario's) is either the gravity model
(``model = "gravity"``, the default; the other keys are :class:`cablesim.demand.GravityParams`
fields) or a user matrix (``model = "csv"``, :class:`CsvDemandSettings`). :func:`read_demand`
checks it at load time; :meth:`DemandSpec.table` builds the demand table that ``run``,
``path``, the simulation and the planner all use.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from cablesim._errors import DemandError, Problem
from cablesim._toml import input_path
from cablesim.demand import (
    DEFAULT_BASE_YEAR,
    DEFAULT_CAGR,
    GravityParams,
    gravity_demand,
    grow_demand,
    load_demand_csv,
    read_gravity,
)
from cablesim.demand.balancing import load_bandwidth
from cablesim.demand.fitted import fitted_demand
from cablesim.network import Network
from cablesim.settings import read_settings, setting
from cablesim.study import Study

__all__ = ["DemandModel", "CsvDemandSettings", "DemandSpec", "read_demand"]


@dataclass(frozen=True)
class DemandModel:
    """The ``model`` key of a ``[demand]`` table."""

    model: str = setting("gravity", choices=("gravity", "csv"), doc="`gravity`: the "
                         "calibrated gravity model (the other keys are its parameters); "
                         "`csv`: a demand matrix file.")


@dataclass(frozen=True)
class CsvDemandSettings:
    """A ``[demand]`` table with ``model = "csv"``: a user demand matrix grown to a year."""

    model: str = setting("csv", choices=("csv",), doc="A demand matrix file.")
    path: str | None = setting(None, doc="The matrix CSV (origin,destination,gbps), "
                               "relative to the experiment file (required).")
    base_year: int | None = setting(None, kind="year", doc="Year of the matrix (default: "
                                    "`year`, else 2015).")
    year: int | None = setting(None, kind="year", doc="Year the demand is for (default: "
                               "`base_year`).")
    cagr: float = setting(DEFAULT_CAGR, low=-1.0, low_open=True, unit="per year",
                          doc="Growth from `base_year` to `year` (TeleGeography, "
                          "facts-inputs A7).")


@dataclass(frozen=True)
class DemandSpec:
    """The demand of a scenario, checked.

    Attributes
    ----------
    model : str
        ``"gravity"`` or ``"csv"``.
    gravity : GravityParams or None
        The gravity model's parameters (``model == "gravity"``).
    path : Path or None
        The demand matrix (``model == "csv"``).
    base_year, year : int
        Year of the base figures and year the demand is for.
    cagr : float
        Growth per year from ``base_year`` to ``year``.
    """

    model: str
    gravity: GravityParams | None
    path: Path | None
    base_year: int
    year: int
    cagr: float

    @property
    def key(self) -> str:
        """A text key: equal specs give equal demand tables."""
        return repr(self)

    def at(self, year: int, *, cagr: float | None = None) -> DemandSpec:
        """The same demand for another year (and optionally another growth rate)."""
        growth = self.cagr if cagr is None else cagr
        gravity = (None if self.gravity is None
                   else dataclasses.replace(self.gravity, year=year, cagr=growth))
        return dataclasses.replace(self, gravity=gravity, year=int(year), cagr=growth)

    def table(self, network: Network, countries: pd.DataFrame | None, *,
              study: Study) -> pd.DataFrame:
        """The demand table (``cablesim.demand.DEMAND_OUTPUT_COLUMNS``) for ``year``; the
        study names the traffic classes."""
        if self.model == "csv":
            assert self.path is not None
            demand = load_demand_csv(self.path, network, study=study)
            if self.year != self.base_year:
                demand = grow_demand(demand, self.base_year, self.year, self.cagr)
            return demand
        assert self.gravity is not None and countries is not None
        if self.gravity.totals == "countries":
            return fitted_demand(network, countries, self.gravity,
                                 _bandwidth_table(network, study), study=study)
        return gravity_demand(network, countries, self.gravity, study=study)

    def total_gbps(self) -> float | None:
        """The gravity model's calibrated total for ``year``, Gbps (None for a matrix)."""
        return None if self.gravity is None else self.gravity.total_gbps


def _bandwidth_table(network: Network, study: Study) -> pd.DataFrame:
    """The study's cited bandwidth table, which ``totals = "countries"`` needs."""
    if study.bandwidth_path is None:
        raise DemandError("cannot build the demand", [Problem(
            "study", None, "bandwidth", f"demand totals = \"countries\" needs the study "
            f"{study.settings.name!r} to name a bandwidth table", "add `bandwidth = \"...csv\"` to "
            "its [study] table, or use totals = \"focus\"")])
    return load_bandwidth(study.bandwidth_path, known_countries=network.countries)


def read_demand(table: Mapping[str, Any], *, where: str, file: Path,
                problems: list[Problem]) -> DemandSpec:
    """Check a ``[demand]`` table (appending located problems) and type it."""
    source = str(file)
    model = read_settings(DemandModel, {k: v for k, v in table.items() if k == "model"},
                          where=where, source=source, problems=problems).model
    if table.get("model") not in (None, "gravity", "csv"):
        return DemandSpec("invalid", None, None, DEFAULT_BASE_YEAR,
                          DEFAULT_BASE_YEAR, DEFAULT_CAGR)
    if model == "csv":
        csv = read_settings(CsvDemandSettings, table, where=where, source=source,
                            problems=problems)
        path = None
        if csv.path is None:
            problems.append(Problem(source, None, f"{where}.path",
                                    "is missing: the demand CSV (origin,destination,gbps)"))
        else:
            path = input_path(file, csv.path, f"{where}.path", "file", problems)
        base_year = csv.base_year if csv.base_year is not None else (
            csv.year if csv.year is not None else DEFAULT_BASE_YEAR)
        year = csv.year if csv.year is not None else base_year
        return DemandSpec("csv", None, path, base_year, year, csv.cagr)
    gravity = read_gravity({k: v for k, v in table.items() if k != "model"}, where, source,
                            problems, ignore=("model",))
    if gravity is None:
        gravity = GravityParams()
    year = gravity.year if gravity.year is not None else gravity.base_year
    return DemandSpec("gravity", gravity, None, gravity.base_year, year, gravity.cagr)
