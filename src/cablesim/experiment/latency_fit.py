"""Fitting the latency model (:mod:`cablesim.latency`) on measured round-trip times.

For every measured pair the least-latency path of the experiment's first scenario (its
network, its transit rules, exchange ``direct``) is split into the parts the model scales:
one-way fibre propagation on submarine and on land links, other propagation (satellite),
equipment allowances, and the count of interconnection points. The four parameters
(``subsea_factor``, ``terrestrial_factor``, ``node_overhead_ms``, ``path_overhead_ms``) are
then fitted by least squares on the log ratio of modelled to measured RTT, within their
declared bounds; as the parameters change the latencies, the paths are routed again with
the fitted model and the fit repeated until the paths stop changing. The error reported is
leave-one-out: each pair is predicted by a fit on all the others.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from cablesim._errors import DemandError, Problem
from cablesim.experiment.prepare import prepare_scenario
from cablesim.experiment.spec import Experiment, with_policy
from cablesim.experiment.tables import fibre_floor_rtt_ms
from cablesim.geo import great_circle_km_array
from cablesim.io.topology import load_topology, read_csv_table
from cablesim.latency import (
    INTERCONNECTION_KINDS,
    LAND_KINDS,
    SUBSEA_KINDS,
    LatencyModel,
    stated_length_scale,
)
from cablesim.network import Network
from cablesim.routing.engine import route
from cablesim.routing.graph import ArcGraph
from cablesim.schema import Column
from cablesim.settings import settings_rows

__all__ = ["MEASUREMENT_COLUMNS", "LatencyCalibration", "load_measurements", "calibrate"]

MEASUREMENT_COLUMNS: tuple[Column, ...] = (
    Column("origin", "str", "", True, False, "Node id of one end (a city or hub)."),
    Column("destination", "str", "", True, False, "Node id of the other end."),
    Column("rtt_ms", "float", "ms", True, False, "Measured round-trip time.", min=0.0,
           min_exclusive=True, max=10_000.0),
    Column("role", "category", "", False, True, "fit: a backbone measurement the model is "
           "fitted on; check: reported against the fitted model, never fitted (e.g. pings "
           "between servers over public transit).", default="fit", allowed=("fit", "check")),
    Column("statistic", "str", "", False, True, "min, median, mean, ..."),
    Column("measurement", "str", "", False, True, "How it was measured."),
    Column("date", "str", "", False, True, "When."),
    Column("source", "str", "", True, False, "Where the number comes from."),
    Column("url", "str", "", False, True, "The public address of the source."),
    Column("note", "str", "", False, True, "Caveats."),
)
"""Columns of a measured-RTT file (one pair a row, each with its source)."""

_PARAMS = ("subsea_factor", "terrestrial_factor", "node_overhead_ms", "path_overhead_ms")


def load_measurements(path: str | os.PathLike[str], network: Network) -> pd.DataFrame:
    """Read measured RTTs; every problem located by file, line and field.

    Rows marked ``pathological`` in ``note`` (a known detour, e.g. without a premium
    route) are kept in the file for the record but not fitted.
    """
    problems: list[Problem] = []
    table = read_csv_table(path, MEASUREMENT_COLUMNS, problems)
    if table is None:
        raise DemandError(f"measurements {str(path)!r} cannot be read", problems)
    for i, row in enumerate(table.itertuples(index=False), start=2):
        for field in ("origin", "destination"):
            node = getattr(row, field)
            if isinstance(node, str) and node not in network.nodes.index:
                problems.append(Problem(str(path), i, field, f"unknown node id {node!r}"))
        if row.origin == row.destination:
            problems.append(Problem(str(path), i, "destination", "same node as origin"))
    if problems:
        raise DemandError(f"measurements {str(path)!r} are invalid", problems)
    note = table["note"].fillna("").astype(str).str.lower()
    return table[~note.str.contains("pathological")].reset_index(drop=True)


@dataclass
class LatencyCalibration:
    """The result of :func:`calibrate`.

    Attributes
    ----------
    model : LatencyModel
        The fitted parameters.
    pairs : DataFrame
        Per pair: measured, modelled (fitted on all) and leave-one-out RTT, the errors, the
        fibre floor and the parts of the path.
    fit_error, loo_error : float
        Median absolute relative error on the ``fit`` pairs: fitted on all of them, and
        leave-one-out (each predicted by a fit on the others).
    check_error : float
        Median absolute relative error on the ``check`` pairs (never fitted; NaN if none).
    below_floor : int
        Pairs whose modelled RTT is below the fibre floor (must be 0).
    iterations : int
        Rounds of re-routing until the paths stopped changing.
    """

    model: LatencyModel
    pairs: pd.DataFrame
    fit_error: float
    loo_error: float
    below_floor: int
    iterations: int
    check_error: float = float("nan")

    def summary(self) -> dict[str, Any]:
        """The numbers of the calibration, JSON-ready."""
        return {"parameters": {p: getattr(self.model, p) for p in _PARAMS},
                "pairs": len(self.pairs), "median_abs_error_fit": self.fit_error,
                "median_abs_error_leave_one_out": self.loo_error,
                "median_abs_error_check": self.check_error,
                "below_floor": self.below_floor, "iterations": self.iterations}


def _components(experiment: Experiment, network: Network, graph: ArcGraph,
                table: pd.DataFrame, model: LatencyModel) -> tuple[pd.DataFrame, list[str]]:
    """Route every pair (exchange direct) under ``model`` and split its path into parts."""
    spec = dataclasses.replace(with_policy(experiment.scenarios[0], "direct",
                                           study=experiment.study), latency=model)
    demand = pd.DataFrame({"origin": table["origin"], "destination": table["destination"],
                           "gbps": 1.0, "traffic_class": "other"})
    prep = prepare_scenario(spec, network, graph, demand, spec.demand.year,
                            str(experiment.path))
    result = route(graph, prep.commodities, prep.weight, prep.transit_rules.masks())
    links, nodes = prep.links, network.nodes
    base = links["latency_ms"].to_numpy(dtype=float)
    equipment = links["equipment_latency_ms"].to_numpy(dtype=float)
    if model.stated_lengths:  # data, not a parameter: the systems' stated lengths
        base = (base - equipment) * stated_length_scale(links) + equipment
    kind = links["kind"].to_numpy(dtype=object)
    interconnect = nodes["kind"].isin(INTERCONNECTION_KINDS)
    ends = (links["from_node"].map(interconnect).fillna(False).to_numpy(dtype=float)
            + links["to_node"].map(interconnect).fillna(False).to_numpy(dtype=float))
    rows, paths = [], []
    for i in range(len(table)):
        arcs = result.paths.arcs[i][result.paths.arcs[i] >= 0]
        edges = graph.arc_edge(arcs)
        prop = base[edges] - equipment[edges]
        sub = np.isin(kind[edges], SUBSEA_KINDS)
        land = np.isin(kind[edges], LAND_KINDS)
        rows.append({"reachable": bool(result.paths.reachable[i]),
                     "subsea_ms": float(prop[sub].sum()), "land_ms": float(prop[land].sum()),
                     "other_ms": float(prop[~sub & ~land].sum()),
                     "equipment_ms": float(equipment[edges].sum()),
                     "interconnections": float(0.5 * ends[edges].sum()),
                     "links": len(edges)})
        paths.append(",".join(str(graph.edge_ids[e]) for e in edges))
    return pd.DataFrame(rows), paths


def _model_rtt(x: np.ndarray, parts: pd.DataFrame) -> np.ndarray:
    s, t, h, c = x
    one_way = (s * parts["subsea_ms"] + t * parts["land_ms"] + parts["other_ms"]
               + parts["equipment_ms"] + h * parts["interconnections"])
    return 2.0 * one_way.to_numpy(dtype=float) + c


def _bounds() -> tuple[list[float], list[float]]:
    rules = {f.name: f.metadata["setting"] for f in dataclasses.fields(LatencyModel)}
    return ([float(rules[p].low or 0.0) for p in _PARAMS],
            [float(rules[p].high or np.inf) for p in _PARAMS])


def _fit(parts: pd.DataFrame, measured: np.ndarray, start: np.ndarray) -> np.ndarray:
    low, high = _bounds()
    x0 = np.clip(start, low, high)

    def residual(x: np.ndarray) -> np.ndarray:
        return np.log(np.maximum(_model_rtt(x, parts), 1e-9) / measured)

    return np.asarray(least_squares(residual, x0, bounds=(low, high)).x, dtype=float)


def _model(x: np.ndarray, stated_lengths: bool, source: str) -> LatencyModel:
    return LatencyModel(stated_lengths=stated_lengths, subsea_factor=float(x[0]),
                        terrestrial_factor=float(x[1]), node_overhead_ms=float(x[2]),
                        path_overhead_ms=float(x[3]), source=source)


def calibrate(experiment: Experiment, measurements: pd.DataFrame, *,
              network: Network | None = None, max_iterations: int = 5,
              stated_lengths: bool = True, source: str = "") -> LatencyCalibration:
    """Fit the latency model on measured RTTs (see the module docstring).

    Parameters
    ----------
    experiment : Experiment
        Its first scenario gives the network (and the network year) and transit rules.
    measurements : DataFrame
        From :func:`load_measurements`; at least five pairs.
    network : Network, optional
        The experiment's topology, if already loaded.
    max_iterations : int
        Rounds of re-routing with the fitted model at most.
    stated_lengths : bool
        Scale submarine systems to their stated lengths (where the topology has them)
        before fitting the slack.
    source : str
        Said in the fitted model's ``source``.
    """
    network = network if network is not None else load_topology(experiment.topology)
    graph = ArcGraph.from_network(network)
    measured = measurements["rtt_ms"].to_numpy(dtype=float)
    role = (measurements["role"].fillna("fit").to_numpy(dtype=object)
            if "role" in measurements.columns else np.full(len(measured), "fit", dtype=object))
    fitted = role == "fit"
    model = LatencyModel(stated_lengths=stated_lengths)
    x = np.array([1.0, 1.0, 0.0, 0.0])
    iterations = 0
    parts, paths = _components(experiment, network, graph, measurements, model)
    seen: list[tuple[float, np.ndarray, pd.DataFrame, list[str]]] = []
    while iterations < max_iterations:
        iterations += 1
        keep = parts["reachable"].to_numpy() & fitted
        x = _fit(parts[keep], measured[keep], x)
        parts, paths = _components(experiment, network, graph, measurements,
                                   _model(x, stated_lengths, source))
        keep = parts["reachable"].to_numpy() & fitted
        cost = float(np.sum(np.log(_model_rtt(x, parts[keep]) / measured[keep]) ** 2))
        repeated = any(paths == earlier for _, _, _, earlier in seen)
        seen.append((cost, x, parts, paths))
        if repeated:  # the paths settled, or alternate between near-equal routes
            break
    # the self-consistent state (parameters and the paths they route) that fits best
    _, x, parts, paths = min(seen, key=lambda state: state[0])
    model = _model(x, stated_lengths, source)
    reachable = parts["reachable"].to_numpy()
    keep = reachable & fitted
    modelled = _model_rtt(x, parts)
    loo = np.full(len(measured), np.nan)
    for i in np.flatnonzero(keep):
        others = keep.copy()
        others[i] = False
        xi = _fit(parts[others], measured[others], x)
        loo[i] = _model_rtt(xi, parts.iloc[[i]])[0]
    nodes = network.nodes
    o, d = measurements["origin"], measurements["destination"]
    km = great_circle_km_array(nodes.loc[o, "lon"].to_numpy(float),
                               nodes.loc[o, "lat"].to_numpy(float),
                               nodes.loc[d, "lon"].to_numpy(float),
                               nodes.loc[d, "lat"].to_numpy(float))
    floor = fibre_floor_rtt_ms(km)
    table = measurements[["origin", "destination", "rtt_ms", "statistic", "source"]].copy()
    table = table.rename(columns={"rtt_ms": "measured_rtt_ms"})
    table.insert(3, "role", role)
    table["modelled_rtt_ms"] = np.where(reachable, modelled, np.nan)
    table["error"] = table["modelled_rtt_ms"] / measured - 1.0
    table["loo_rtt_ms"] = loo
    table["loo_error"] = loo / measured - 1.0
    table["floor_rtt_ms"] = floor
    for column in ("subsea_ms", "land_ms", "other_ms", "equipment_ms", "interconnections"):
        table[f"path_{column}"] = parts[column].to_numpy()
    table["path_links"] = paths
    below = int(np.sum(reachable & (modelled < floor - 1e-9)))
    error = np.abs(table["error"].to_numpy(dtype=float))
    check = reachable & ~fitted
    return LatencyCalibration(
        model, table, float(np.nanmedian(error[keep])),
        float(np.nanmedian(np.abs(table["loo_error"]))), below, iterations,
        float(np.nanmedian(error[check])) if check.any() else float("nan"))


def calibration_markdown(cal: LatencyCalibration, *, measurements: str) -> str:
    """The calibration as Markdown: parameters, errors and every pair."""
    m = cal.model
    rows = {r["key"]: r for r in settings_rows(LatencyModel)}
    lines = ["# Latency calibration", "",
             f"Measurements: `{measurements}` ({len(cal.pairs)} pairs). Fitted by least "
             f"squares on log(modelled / measured), paths re-routed {cal.iterations} times.",
             "", "| parameter | value | bounds | meaning |", "|---|---:|---|---|"]
    for p in _PARAMS:
        lines.append(f"| `{p}` | {getattr(m, p):.4g} | {rows[p]['bounds']} | {rows[p]['doc']} |")
    n_fit = int((cal.pairs["role"] == "fit").sum())
    lines += ["", f"Median absolute error on the {n_fit} `fit` pairs: "
              f"{100 * cal.fit_error:.1f}% fitted on all of them, **{100 * cal.loo_error:.1f}% "
              f"leave-one-out**; on the {len(cal.pairs) - n_fit} `check` pairs (never fitted): "
              f"{100 * cal.check_error:.1f}%; pairs below the fibre floor: {cal.below_floor}.",
              "", "| origin | destination | role | measured ms | modelled ms | error | "
              "leave-one-out error | floor ms |", "|---|---|---|---:|---:|---:|---:|---:|"]
    for r in cal.pairs.itertuples(index=False):
        lines.append(f"| {r.origin} | {r.destination} | {r.role} | {r.measured_rtt_ms:.1f} | "
                     f"{r.modelled_rtt_ms:.1f} | {100 * r.error:+.0f}% | "
                     f"{100 * r.loo_error:+.0f}% | {r.floor_rtt_ms:.1f} |")
    return "\n".join(lines) + "\n"


def latency_toml(model: LatencyModel) -> str:
    """The ``[latency]`` table of a study for ``model``."""
    lines = ["[latency]", f"stated_lengths = {str(model.stated_lengths).lower()}"]
    for p in _PARAMS:
        value = float(getattr(model, p))
        lines.append(f"{p} = {0.0 if abs(value) < 1e-6 else value:.4g}")
    lines.append(f"source = {json.dumps(model.source)}")  # a TOML basic string
    return "\n".join(lines) + "\n"


__all__ += ["calibration_markdown", "latency_toml"]
