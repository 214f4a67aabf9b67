"""Running an experiment: every scenario prepared, routed and tabulated.

:func:`run_experiment` loads the topology and country table once, builds each scenario's
demand (cached across scenarios with the same demand settings), prepares and routes it, and
concatenates the per-scenario tables of :mod:`cablesim.experiment.tables`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cablesim._errors import Problem, RoutingError
from cablesim.demand import load_country_indicators
from cablesim.demand.balancing import nearest_figures
from cablesim.demand.countries import _country_users
from cablesim.demand.fitted import country_bandwidth
from cablesim.experiment.calibration import price_calibration
from cablesim.experiment.claims import CLAIM_COLUMNS, claims_table
from cablesim.experiment.prepare import prepare_scenario
from cablesim.experiment.spec import Experiment, ScenarioSpec
from cablesim.experiment.tables import scenario_tables
from cablesim.io.topology import load_topology
from cablesim.markets import transit_prices_for_year
from cablesim.network import Network
from cablesim.routing.engine import route
from cablesim.routing.graph import ArcGraph
from cablesim.study import Study
from cablesim.study_data import check_study_data

__all__ = ["ExperimentResult", "run_experiment", "route_scenario", "Progress"]

Progress = Callable[[str, float], None]


@dataclass
class ExperimentResult:
    """Tidy result tables of an experiment, concatenated over scenarios.

    Attributes
    ----------
    scenarios, pairs, countries, links, transit_prices : DataFrame
        See :func:`run_experiment`.
    calibration : dict
        The verdict on the seed report's transit-price ratios.
    timings : dict of str to float
        Seconds per stage.
    notes : list of str
        Assumptions and warnings worth reading with the numbers.
    """

    experiment: Experiment
    scenarios: pd.DataFrame
    pairs: pd.DataFrame
    countries: pd.DataFrame
    links: pd.DataFrame
    transit_prices: pd.DataFrame
    calibration: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    claims: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(
        CLAIM_COLUMNS)))


def route_scenario(spec: ScenarioSpec, network: Network, graph: ArcGraph,
                   demand: pd.DataFrame, year: int, in_region: np.ndarray, source: str,
                   notes: list[str], *, study: Study) -> dict[str, pd.DataFrame]:
    """Prepare, route and tabulate one scenario (``notes`` receives its warnings)."""
    prices = None
    if study.markets.table is not None:  # hub transit at the market price of the year
        prices = transit_prices_for_year(network.nodes, study.markets, year)[0]
    prep = prepare_scenario(spec, network, graph, demand, year, source, transit_prices=prices)
    notes.extend(prep.notes)
    capacitated = spec.routing.mode == "capacitated"
    result = route(graph, prep.commodities, prep.weight, prep.transit_rules.masks(),
                   prep.capacity_gbps if capacitated else None, k_paths=spec.routing.k_paths,
                   penalty_factor=spec.routing.penalty_factor,
                   max_iterations=spec.routing.max_iterations,
                   optimality_gap=spec.routing.optimality_gap)
    if capacitated and not result.converged:
        raise RoutingError(f"scenario {spec.name!r}: capacitated routing not proven", [Problem(
            source, None, f"scenario {spec.name!r}.routing",
            f"column generation stopped after {result.lp_solves} LP solves with the cost "
            f"proven only within {100 * result.gap_bound:.2f}% of the optimum, above "
            f"optimality_gap = {100 * spec.routing.optimality_gap:g}%",
            "raise routing.max_iterations, or routing.optimality_gap if that precision is "
            "enough")])
    return scenario_tables(spec, prep, result, graph, network.nodes, demand, year, in_region,
                           notes, study=study)


def run_experiment(experiment: Experiment, progress: Progress | None = None) -> ExperimentResult:
    """Run every scenario of an experiment and build the result tables.

    Tables (tidy, one row per scenario x entity, concatenated over scenarios):

    - ``scenarios``: offered/served/unserved Gbps, lease, transit and capex cost per month,
      cost per served Mbps, traffic-weighted mean and p95 RTT, mean stretch over the fibre
      floor, share of intra-ASEAN traffic leaving Southeast/East Asia, max utilisation;
    - ``pairs``: per demand (origin, destination, class): Gbps, RTT, floor, stretch, cost,
      exchange hub and the path carrying most of it;
    - ``countries``: per country (the origin's, or the receiving city's for content);
    - ``links``: per link in service: loads per direction and utilisation;
    - ``transit_prices``: delivered IP transit price per city and the seed-ratio check.

    Parameters
    ----------
    experiment : Experiment
        From :func:`load_experiment`.
    progress : callable, optional
        Called with (stage name, seconds) after each stage.
    """
    timings: dict[str, float] = {}
    notes: list[str] = []

    def stage(label: str, start: float) -> None:
        timings[label] = time.perf_counter() - start
        if progress:
            progress(label, timings[label])

    t = time.perf_counter()
    network = load_topology(experiment.topology)
    graph = ArcGraph.from_network(network)
    stage("load topology", t)
    countries = None
    if experiment.countries is not None:
        t = time.perf_counter()
        countries = load_country_indicators(experiment.countries)
        stage("load country table", t)
    source = str(experiment.path)
    nodes = network.nodes
    study = experiment.study
    # a study used on another topology (the China-ASEAN study on the global map) is
    # checked leniently there (cablesim.study_data)
    own = (study.path is not None
           and study.path.parent.resolve() == Path(experiment.topology).resolve())
    t = time.perf_counter()
    bandwidth = check_study_data(study, network, own=own).bandwidth
    stage("check the study's tables", t)
    in_region = study.node_in_region(nodes["country"].to_numpy(dtype=object),
                               nodes["lon"].to_numpy(), nodes["lat"].to_numpy())
    demand_cache: dict[str, tuple[pd.DataFrame, int]] = {}
    tables: dict[str, list[pd.DataFrame]] = {k: [] for k in
                                             ("scenarios", "pairs", "countries", "links",
                                              "transit_prices")}
    for spec in experiment.scenarios:
        t = time.perf_counter()
        key = spec.demand.key
        if key not in demand_cache:
            demand_cache[key] = (spec.demand.table(network, countries, study=study),
                                 spec.demand.year)
        demand, year = demand_cache[key]
        stage(f"{spec.name}: demand", t)
        t = time.perf_counter()
        result = route_scenario(spec, network, graph, demand, year, in_region, source, notes,
                                study=study)
        stage(f"{spec.name}: routing and costs", t)
        for name, table in result.items():
            tables[name].append(table)
    t = time.perf_counter()
    frames = {k: pd.concat(v, ignore_index=True) if v else pd.DataFrame()
              for k, v in tables.items()}
    calibration = price_calibration(frames["transit_prices"], experiment.scenarios[0].name,
                                    study=study, nodes=nodes)
    claims = claims_table(frames["scenarios"], frames["transit_prices"], study=study,
                          nodes=nodes)
    if bandwidth is not None and len(frames["countries"]):
        frames["countries"] = _beside_cited(frames["countries"], frames["scenarios"],
                                            frames["pairs"], frames["links"], nodes,
                                            bandwidth, countries, experiment)
        frames["scenarios"] = _demand_confidence(frames["scenarios"], frames["countries"])
        notes.append("countries.csv: each country's offered international inbound traffic "
                     "(inbound_gbps) beside its bandwidth of the demand year (bandwidth_gbps, "
                     "with bandwidth_basis and bandwidth_confidence) times peak_utilisation "
                     "less hub_transit_share (target_inbound_gbps, inbound_over_target), and "
                     "the inbound traffic the routed network carries across its borders, "
                     "transit included (carried_inbound_gbps, carried_over_busy_hour); "
                     "docs/demand.md")
    if len(frames["scenarios"]):  # every table says which scenarios are counterfactual
        flag = dict(zip(frames["scenarios"]["scenario"], frames["scenarios"]["counterfactual"],
                        strict=True))
        for name in ("pairs", "countries", "links", "transit_prices"):
            frame = frames[name]
            if len(frame) and "scenario" in frame.columns:
                frame.insert(1, "counterfactual", frame["scenario"].map(flag).astype(bool))
    for column in ("offered_on_cited_bandwidth_share", "offered_on_estimated_bandwidth_share"):
        if len(frames["scenarios"]) and column not in frames["scenarios"].columns:
            frames["scenarios"][column] = np.nan  # no bandwidth table: nothing to say
    stage("tables", t)
    return ExperimentResult(experiment, frames["scenarios"], frames["pairs"],
                            frames["countries"], frames["links"], frames["transit_prices"],
                            calibration, timings, sorted(set(notes)), claims)


def _beside_cited(countries: pd.DataFrame, scenarios: pd.DataFrame, pairs: pd.DataFrame,
                  links: pd.DataFrame, nodes: pd.DataFrame, bandwidth: pd.DataFrame,
                  users: pd.DataFrame | None, experiment: Experiment) -> pd.DataFrame:
    """Each country's international traffic beside its cited bandwidth (docs/demand.md).

    Adds, per scenario and country: the national figure cited nearest the demand year
    (``cited_gbps``, ``cited_year``, ``cited_metric``); the bandwidth of the demand year
    with its basis and confidence (:func:`cablesim.demand.fitted.country_bandwidth`); the
    busy-hour inbound target ``bandwidth x peak_utilisation x (1 - hub_transit_share)``; the
    offered international inbound traffic (``inbound_gbps``, all classes, by destination
    country) and ``inbound_over_target``; and the inbound traffic the routed network
    carries across the country's border links, its own and transit (``carried_inbound_gbps``)
    over ``bandwidth x peak_utilisation`` (``carried_over_busy_hour``), which the fit does
    not constrain. Demand read from a CSV file states no conversion: the targets are NaN.
    """
    years = dict(zip(scenarios["scenario"], scenarios["year"], strict=True))
    gravity = {spec.name: spec.demand.gravity for spec in experiment.scenarios}
    user_counts = _country_users(users)[0] if users is not None else None
    node_country = nodes["country"].where(nodes["country"].notna(), None).to_dict()
    parts = []
    for name, rows in countries.groupby("scenario", sort=False):
        year = int(years[name])
        present = sorted(rows["country"].dropna().unique())
        cited = nearest_figures(bandwidth, present, year)
        part = rows.merge(cited, on="country", how="left")
        params = gravity.get(str(name))
        mine = pairs[(pairs["scenario"] == name)
                     & (pairs["origin_country"] != pairs["destination_country"])]
        inbound = mine.groupby("destination_country")["offered_gbps"].sum()
        part["inbound_gbps"] = part["country"].map(inbound).fillna(0.0)
        carried = _carried_inbound(links[links["scenario"] == name], node_country)
        part["carried_inbound_gbps"] = part["country"].map(carried).fillna(0.0)
        if params is None or part.empty:
            for column in ("bandwidth_gbps", "hub_transit_share", "target_inbound_gbps"):
                part[column] = np.nan
            part["bandwidth_basis"] = ""
            part["bandwidth_confidence"] = ""
            busy = np.nan
        else:
            fit = country_bandwidth(bandwidth, present, year, cagr=params.cagr,
                                    users=user_counts)
            part = part.merge(fit, on="country", how="left")
            part["hub_transit_share"] = part["country"].map(
                lambda c, p=params: float(p.hub_transit_share.get(c, 0.0)))
            busy = part["bandwidth_gbps"] * params.peak_utilisation
            part["target_inbound_gbps"] = busy * (1.0 - part["hub_transit_share"])
        part["inbound_over_target"] = part["inbound_gbps"] / part["target_inbound_gbps"]
        part["carried_over_busy_hour"] = part["carried_inbound_gbps"] / busy
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _demand_confidence(scenarios: pd.DataFrame, countries: pd.DataFrame) -> pd.DataFrame:
    """Per scenario, the shares of its offered inbound traffic whose country's bandwidth is
    cited and is an estimate (the rest is derived: interpolated or grown); NaN for a demand
    that states no bandwidth (a CSV matrix)."""
    out = scenarios.copy()
    for column, level in (("offered_on_cited_bandwidth_share", "cited"),
                          ("offered_on_estimated_bandwidth_share", "estimate")):
        shares = {}
        for name, rows in countries.groupby("scenario", sort=False):
            total = float(rows["inbound_gbps"].sum())
            known = rows["bandwidth_confidence"].astype(str)
            shares[name] = (float(rows.loc[known == level, "inbound_gbps"].sum()) / total
                            if total > 0 and (known != "").any() else np.nan)
        out[column] = out["scenario"].map(shares)
    return out


def _carried_inbound(links: pd.DataFrame, node_country: dict[str, str | None]
                     ) -> pd.Series:
    """Gbps flowing into each country over links with one end in it and the other not
    (border crossings and cable segments from a landing to the sea)."""
    into: dict[str, float] = {}
    for a, b, fwd, rev in zip(links["from_node"], links["to_node"],
                              links["load_forward_gbps"], links["load_reverse_gbps"],
                              strict=True):
        ca, cb = node_country.get(a), node_country.get(b)
        if ca == cb:
            continue
        if cb is not None:
            into[cb] = into.get(cb, 0.0) + float(fwd)
        if ca is not None:
            into[ca] = into.get(ca, 0.0) + float(rev)
    return pd.Series(into, dtype=float)
