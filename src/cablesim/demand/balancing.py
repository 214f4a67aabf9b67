"""Doubly-constrained gravity: a demand matrix whose row and column totals match given
totals (iterative proportional fitting, the Furness method), and the country bandwidth
tables that give the totals.

A gravity law gives the *shape* of a demand matrix (who talks to whom, :func:`cablesim.
demand.gravity_weights`); each country's international bandwidth, times a utilisation,
gives how much it *sends and receives*. :func:`furness` rescales the rows and columns of the
shape in turn until both sets of totals hold, which keeps the shape's cross ratios (the
maximum-entropy matrix closest to it). :func:`load_bandwidth` reads the cited bandwidth
table (``country, year, gbps, metric, statistic, source, url, note``) with located errors,
and :func:`bandwidth_in` picks a country's figure for a year.
"""

from __future__ import annotations

import math
import os
from collections.abc import Collection, Mapping, Sequence

import numpy as np
import pandas as pd

from cablesim._errors import DemandError, Problem
from cablesim.io.topology import read_csv_table
from cablesim.schema import MAX_GBPS, Column
from cablesim.settings import unknown_key_hint

__all__ = ["BANDWIDTH_COLUMNS", "BalanceResult", "furness", "load_bandwidth", "bandwidth_in",
           "figure_at",
           "nearest_figures"]

BANDWIDTH_COLUMNS: tuple[Column, ...] = (
    Column("country", "str", "ISO 3166-1 alpha-3", True, False, "The country."),
    Column("year", "int", "year", True, False, "The year the figure is for.", min=1990,
           max=2100),
    Column("gbps", "float", "Gbps", True, False, "International Internet bandwidth.",
           min=0.0, min_exclusive=True, max=MAX_GBPS),
    Column("metric", "str", "", True, False, "What is measured (e.g. international "
           "Internet bandwidth capacity, used international bandwidth)."),
    Column("scope", "category", "", False, True, "national: a figure for the whole country; "
           "partial: one operator, one route, owned cable capacity or a doubtful figure "
           "(kept for the record, not compared).", default="national",
           allowed=("national", "partial")),
    Column("statistic", "str", "", False, True, "e.g. end of year, mid-year."),
    Column("source", "str", "", True, False, "Where the figure comes from."),
    Column("url", "str", "", False, True, "The public address of the source."),
    Column("note", "str", "", False, True, "Caveats and unit conversions."),
)
"""Columns of a country bandwidth table (one figure a row, each with its source)."""


class BalanceResult:
    """A balanced matrix and how well it met the totals.

    Attributes
    ----------
    matrix : ndarray, shape (n, n)
        Non-negative; zero wherever the seed is zero.
    iterations : int
        Row-and-column rounds done.
    max_relative_error : float
        Largest relative miss of a row or column total.
    """

    def __init__(self, matrix: np.ndarray, iterations: int, max_relative_error: float) -> None:
        self.matrix = matrix
        self.iterations = iterations
        self.max_relative_error = max_relative_error


def furness(seed: np.ndarray, row_totals: Sequence[float] | np.ndarray,
            column_totals: Sequence[float] | np.ndarray, *, tolerance: float = 1e-9,
            max_iterations: int = 10_000) -> BalanceResult:
    """Scale the rows and columns of ``seed`` until they sum to the given totals.

    Parameters
    ----------
    seed : ndarray, shape (n, m)
        Non-negative weights (e.g. gravity weights, zero on the diagonal for international
        traffic).
    row_totals, column_totals : array-like
        What each origin sends and each destination receives (Gbps); their sums must agree
        within ``tolerance`` (relative).
    tolerance : float
        Stop when every row and column total is met within this relative error.
    max_iterations : int
        Rounds at most.

    Raises
    ------
    DemandError
        Negative or non-finite inputs, totals that disagree, a positive total whose row or
        column of the seed is all zero (nothing can carry it), or no convergence.
    """
    a = np.asarray(seed, dtype=float)
    r = np.asarray(row_totals, dtype=float)
    c = np.asarray(column_totals, dtype=float)
    problems: list[Problem] = []
    if a.ndim != 2 or a.shape != (len(r), len(c)):
        problems.append(Problem("furness", None, "seed", f"shape {a.shape} does not match "
                                f"{len(r)} row and {len(c)} column totals"))
    for name, values in (("seed", a), ("row_totals", r), ("column_totals", c)):
        if values.size and (not np.isfinite(values).all() or (values < 0).any()):
            problems.append(Problem("furness", None, name,
                                    "must be finite and non-negative"))
    if problems:
        raise DemandError("cannot balance the demand", problems)
    total_r, total_c = float(r.sum()), float(c.sum())
    if not math.isclose(total_r, total_c, rel_tol=tolerance, abs_tol=1e-12):
        raise DemandError("cannot balance the demand", [Problem(
            "furness", None, "column_totals", f"sum {total_c:g} differs from the rows' "
            f"{total_r:g}", "scale one set of totals to the other first")])
    empty_rows = np.flatnonzero((a.sum(axis=1) == 0) & (r > 0))
    empty_cols = np.flatnonzero((a.sum(axis=0) == 0) & (c > 0))
    if len(empty_rows) or len(empty_cols):
        raise DemandError("cannot balance the demand", [Problem(
            "furness", None, "seed", f"rows {empty_rows.tolist()} and columns "
            f"{empty_cols.tolist()} have a positive total but no weight to carry it")])
    x = a.copy()
    error = math.inf
    for iteration in range(1, max_iterations + 1):
        rows = x.sum(axis=1)
        x *= np.divide(r, rows, out=np.zeros_like(r), where=rows > 0)[:, None]
        cols = x.sum(axis=0)
        x *= np.divide(c, cols, out=np.zeros_like(c), where=cols > 0)[None, :]
        error = max(_miss(x.sum(axis=1), r), _miss(x.sum(axis=0), c))
        if error <= tolerance:
            return BalanceResult(x, iteration, error)
    raise DemandError("cannot balance the demand", [Problem(
        "furness", None, None, f"no convergence in {max_iterations} rounds (a total is "
        f"missed by {100 * error:.3g}%)", "the seed's zero pattern may make the totals "
        "infeasible; check which pairs can carry traffic")])


def _miss(got: np.ndarray, want: np.ndarray) -> float:
    scale = np.maximum(np.abs(want), 1e-12)
    return float(np.max(np.abs(got - want) / scale, initial=0.0))


def load_bandwidth(path: str | os.PathLike[str], *,
                   known_countries: Collection[str] | None = None) -> pd.DataFrame:
    """Read a country bandwidth table; every problem located by file, line and field.

    Parameters
    ----------
    path : path-like
        The CSV file (:data:`BANDWIDTH_COLUMNS`).
    known_countries : collection of str, optional
        The countries the figures may be for (e.g. those of the topology's nodes); a row for
        any other country is an error, so that a typo does not silently drop a figure.

    Raises
    ------
    DemandError
        Missing columns, a country that is not an ISO3 code or not known, a year or figure
        out of range or missing, each naming the line and field.
    """
    problems: list[Problem] = []
    table = read_csv_table(path, BANDWIDTH_COLUMNS, problems)
    if table is None:
        raise DemandError(f"bandwidth table {str(path)!r} cannot be read", problems)
    for line, country in enumerate(table.get("country", pd.Series(dtype=object)), start=2):
        if isinstance(country, str) and not (len(country) == 3 and country.isalpha()
                                             and country.isupper()):
            problems.append(Problem(str(path), line, "country",
                                    f"must be an ISO 3166-1 alpha-3 code, got {country!r}"))
        elif (known_countries is not None and isinstance(country, str)
              and country not in known_countries):
            problems.append(Problem(str(path), line, "country", f"unknown country "
                                    f"{country!r}: no node of the topology is in it",
                                    unknown_key_hint(country, known_countries)))
    if problems:
        raise DemandError(f"bandwidth table {str(path)!r} is invalid", problems)
    return table


def bandwidth_in(table: pd.DataFrame, countries: Sequence[str], year: int, *,
                 metric: str | None = None) -> Mapping[str, float]:
    """Each country's bandwidth in ``year``, Gbps: the figure of that year, else a log-linear
    interpolation between the nearest years around it (growth is geometric); no
    extrapolation (a country without figures on both sides of ``year`` is left out unless it
    has one for the year itself). Several figures of one year: their median."""
    rows = table if metric is None else table[table["metric"] == metric]
    out: dict[str, float] = {}
    for country in countries:
        found = figure_at(rows[rows["country"] == country].groupby("year")["gbps"].median(),
                          year)
        if found is not None:
            out[country] = found[0]
    return out


def figure_at(by_year: pd.Series, year: int) -> tuple[float, int, int] | None:
    """``(value, y0, y1)`` at ``year`` from figures indexed by year: the year's own
    (``y0 == y1 == year``), else the log-linear interpolation between the nearest years
    around it (growth is geometric); None without figures on both sides."""
    if year in by_year.index:
        return float(by_year[year]), year, year
    before, after = by_year[by_year.index < year], by_year[by_year.index > year]
    if not (len(before) and len(after)):
        return None
    y0, g0 = int(before.index[-1]), float(before.iloc[-1])
    y1, g1 = int(after.index[0]), float(after.iloc[0])
    w = (year - y0) / (y1 - y0)
    return float(math.exp((1 - w) * math.log(g0) + w * math.log(g1))), y0, y1


def nearest_figures(table: pd.DataFrame, countries: Sequence[str], year: int
                    ) -> pd.DataFrame:
    """Per country, the national cited figure nearest to ``year`` (the earlier one on a tie;
    the median of that year's figures, all metrics): ``country, cited_gbps, cited_year,
    cited_metric``; countries without any figure are left out. For showing demand beside
    what was cited, not for fitting: the metrics differ (capacity, traffic)."""
    rows = []
    national = table[table["scope"] == "national"] if "scope" in table.columns else table
    for country in countries:
        own = national[national["country"] == country]
        if own.empty:
            continue
        distance = (own["year"] - year).abs() * 2 + (own["year"] > year)
        best = own[distance == distance.min()]
        rows.append({"country": country, "cited_gbps": float(best["gbps"].median()),
                     "cited_year": int(best["year"].iloc[0]),
                     "cited_metric": "; ".join(sorted(set(best["metric"].astype(str))))})
    return pd.DataFrame(rows, columns=["country", "cited_gbps", "cited_year", "cited_metric"])
