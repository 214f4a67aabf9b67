"""Demand tables: user matrices (CSV), traffic classes of node pairs and growth."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cablesim._atomic import atomic_write_text
from cablesim._errors import DemandError, Problem, did_you_mean
from cablesim.demand.params import GravityParams, _growth_factor, _is_number
from cablesim.io.topology import read_csv_table
from cablesim.network import Network
from cablesim.schema import MAX_GBPS, Column
from cablesim.study import Study
from cablesim.validation import TableSource

DEMAND_CSV_COLUMNS: tuple[Column, ...] = (
    Column("origin", "str", "", True, False, "Id of the node the traffic enters at."),
    Column("destination", "str", "", True, False, "Id of the node the traffic leaves at."),
    Column("gbps", "float", "Gbps", True, False,
           "Busy-hour demand from origin to destination (one direction).", min=0.0,
           max=MAX_GBPS),
)
"""Columns of a user demand matrix CSV file; extra columns are kept as text."""

DEMAND_OUTPUT_COLUMNS: tuple[str, ...] = (
    "origin", "destination", "gbps", "origin_country", "destination_country", "traffic_class",
)
"""Columns of a demand table, in order (a user matrix's extra columns follow them)."""



# ---------------------------------------------------------------------- classification
def classify_pairs(network: Network, origins: Sequence[str], destinations: Sequence[str],
                   params: GravityParams | None = None, *, study: Study) -> np.ndarray:
    """Traffic class of each (origin, destination) pair of node ids.

    The first matching rule wins: ``domestic`` (same country), ``intra_<focus>`` (both in
    the study's focus group), ``<partner>_<focus>`` (one in the partner group, one in the
    focus group), ``content`` (one end is a content hub node of ``params.content_hubs``
    outside the other end's country, and the other end is in the focus group), else
    ``other`` (also for ends without a country). In the China-ASEAN study the classes are
    ``intra_asean`` and ``china_asean``.

    Parameters
    ----------
    network : Network
    origins, destinations : sequence of str
        Node ids, of equal length.
    params : GravityParams, optional
        Supplies the content hubs (defaults: :class:`GravityParams`).
    study : Study
        Names the focus and partner groups.

    Returns
    -------
    numpy.ndarray of str
        One class of ``study.traffic_classes`` per pair.

    Raises
    ------
    DemandError
        When the sequences differ in length or name unknown nodes (with hints).
    """
    params = params or GravityParams()
    origins, destinations = list(origins), list(destinations)
    problems: list[Problem] = []
    if len(origins) != len(destinations):
        problems.append(Problem("pairs", None, None,
                                f"{len(origins)} origins but {len(destinations)} destinations"))
    nodes = network.nodes
    node_ids = [str(i) for i in nodes.index]
    for pos, (o, d) in enumerate(zip(origins, destinations, strict=False)):
        for name, value in (("origin", o), ("destination", d)):
            if value not in nodes.index:
                problems.append(Problem("pairs", pos + 1, name, f"unknown node id {value!r}",
                                        did_you_mean(str(value), node_ids), "row"))
    if problems:
        raise DemandError("cannot classify demand pairs", problems)
    countries = {str(i): (None if not isinstance(c, str) or not c else c)
                 for i, c in zip(nodes.index, nodes["country"], strict=True)}
    hubs = {h for ids in params.content_hubs.values() for h in ids}
    asean, partner = set(study.focus_members), set(study.partner_members)
    intra_class, partner_class = study.intra_class, study.partner_class
    out = np.empty(len(origins), dtype=object)
    for pos, (o, d) in enumerate(zip(origins, destinations, strict=True)):
        co, cd = countries[o], countries[d]
        if co is None or cd is None:
            out[pos] = "other"
        elif co == cd:
            out[pos] = "domestic"
        elif co in asean and cd in asean:
            out[pos] = intra_class
        elif (co in partner and cd in asean) or (cd in partner and co in asean):
            out[pos] = partner_class
        elif (o in hubs and cd in asean) or (d in hubs and co in asean):
            out[pos] = "content"
        else:
            out[pos] = "other"
    return out.astype(str)


# ---------------------------------------------------------------------- user matrices
def load_demand_csv(path: str | os.PathLike[str], network: Network,
                    params: GravityParams | None = None, *, study: Study) -> pd.DataFrame:
    """Read a user demand matrix (CSV ``origin,destination,gbps``) against a network.

    Parameters
    ----------
    path : path-like
        CSV file; the header is line 1. Extra columns are kept as text.
    network : Network
        The topology the node ids refer to.
    params : GravityParams, optional
        Supplies the content hubs for :func:`classify_pairs`.
    study : Study
        Names the groups for :func:`classify_pairs`.

    Returns
    -------
    DataFrame
        Columns :data:`DEMAND_OUTPUT_COLUMNS` then the extra columns, in file order, with
        ``gbps`` in Gbps (rows of 0 Gbps are kept) and ``traffic_class`` from
        :func:`classify_pairs`.

    Raises
    ------
    DemandError
        Listing every problem, each with file, line and field: a missing, empty,
        non-UTF-8 or malformed file; missing columns; empty cells; unknown node ids (with
        "did you mean" hints); origin equal to destination; ``gbps`` that is not a
        number, not finite or negative; a repeated (origin, destination) pair (naming the
        line of its first use).
    """
    name = str(path)
    problems: list[Problem] = []
    table = read_csv_table(path, DEMAND_CSV_COLUMNS, problems)
    if table is None:
        raise DemandError(f"demand matrix {name!r} cannot be read", problems)
    source = TableSource(name)
    node_ids = [str(i) for i in network.nodes.index]
    known = set(node_ids)
    first: dict[tuple[str, str], int] = {}
    ends = zip(table["origin"].tolist(), table["destination"].tolist(), strict=True)
    for pos, (o, d) in enumerate(ends):
        for col, value in (("origin", o), ("destination", d)):
            if value is not None and value not in known:
                problems.append(source.problem(pos, col, f"unknown node id {value!r}",
                                               did_you_mean(value, node_ids)))
        if o is None or d is None:
            continue
        if o == d:
            problems.append(source.problem(pos, "destination",
                                           f"origin and destination are the same node {o!r}"))
            continue
        if (o, d) in first:
            problems.append(source.problem(
                pos, "destination", f"duplicate pair {o!r} -> {d!r} (first at line "
                f"{first[(o, d)] + source.first_row})", "merge the two rows"))
        else:
            first[(o, d)] = pos
    if problems:
        raise DemandError(f"demand matrix {name!r} is invalid", problems)
    origins = table["origin"].tolist()
    destinations = table["destination"].tolist()
    countries = network.nodes["country"].to_dict()
    out = pd.DataFrame({
        "origin": pd.Series(origins, dtype=object),
        "destination": pd.Series(destinations, dtype=object),
        "gbps": table["gbps"].astype(float).to_numpy(),
        "origin_country": pd.Series([countries.get(o) for o in origins], dtype=object),
        "destination_country": pd.Series([countries.get(d) for d in destinations],
                                         dtype=object),
        "traffic_class": pd.Series(classify_pairs(network, origins, destinations, params,
                                                  study=study),
                                   dtype=object),
    })
    for col in table.columns:
        if col not in out.columns:
            out[col] = pd.Series(table[col].tolist(), dtype=object)
    return out


# ---------------------------------------------------------------------- growth
def grow_demand(demand: pd.DataFrame, from_year: int, to_year: int,
                cagr: float) -> pd.DataFrame:
    """Scale a demand table from one year to another at a constant annual growth rate.

    Parameters
    ----------
    demand : DataFrame
        A demand table with a ``gbps`` column (Gbps).
    from_year, to_year : int
        Year of ``demand`` and the year wanted (may be earlier).
    cagr : float
        Growth per year as a fraction (0.30 is +30% a year); must be > -1.

    Returns
    -------
    DataFrame
        A copy with ``gbps`` multiplied by ``(1 + cagr) ** (to_year - from_year)``.

    Raises
    ------
    DemandError
        When ``gbps`` is missing, the years are not whole numbers, ``cagr`` is not a
        finite number above -1, or the growth factor overflows.
    """
    problems: list[Problem] = []
    if "gbps" not in demand.columns:
        problems.append(Problem("demand", None, "gbps", "required column is missing"))
    for label, year in (("from_year", from_year), ("to_year", to_year)):
        if not _is_number(year) or not math.isfinite(float(year)) or float(year) != int(year):
            problems.append(Problem("grow_demand", None, label,
                                    f"must be a whole year, got {year!r}"))
    if not _is_number(cagr) or not math.isfinite(float(cagr)) or float(cagr) <= -1.0:
        problems.append(Problem("grow_demand", None, "cagr",
                                f"must be a finite number > -1, got {cagr!r}"))
    if not problems:
        factor = _growth_factor(float(cagr), int(to_year) - int(from_year))
        if not math.isfinite(factor):
            problems.append(Problem("grow_demand", None, "cagr",
                                    f"growth factor over {int(to_year) - int(from_year)} "
                                    f"years at {float(cagr):g} overflows"))
    if problems:
        raise DemandError("cannot grow the demand", problems)
    out = demand.copy()
    out["gbps"] = out["gbps"].astype(float) * factor
    largest = float(out["gbps"].max()) if len(out) else 0.0
    if largest > MAX_GBPS:
        raise DemandError("cannot grow the demand", [Problem(
            "grow_demand", None, "cagr", f"growth from {int(from_year)} to {int(to_year)} at "
            f"{float(cagr):g} a year takes a demand to {largest:g} Gbps, above the limit of "
            f"{MAX_GBPS:g}", "use a nearer year or a smaller growth rate")])
    return out


def write_demand_csv(demand: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a demand table as ``origin,destination,gbps,citation`` (atomically), the
    format :func:`cablesim.demand.load_demand_csv` and experiment files read."""
    table = demand[["origin", "destination", "gbps"]].copy()
    table["gbps"] = table["gbps"].map(lambda v: f"{v:.6g}")
    if "citation" in demand:
        table["citation"] = demand["citation"]
    atomic_write_text(path, table.to_csv(index=False, lineterminator="\n"))


__all__ = ["DEMAND_CSV_COLUMNS", "DEMAND_OUTPUT_COLUMNS", "classify_pairs", "load_demand_csv",
           "grow_demand", "write_demand_csv"]
