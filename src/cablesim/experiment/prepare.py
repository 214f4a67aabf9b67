"""Preparing a scenario: its network, weights, transit rules and commodities.

:func:`prepare_scenario` is the one step from a scenario and its demand table to what the
routing engine needs; ``run``, ``path``, the simulation, the planner and the maps call it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cablesim._errors import Problem, ScenarioError
from cablesim.experiment.spec import ScenarioSpec
from cablesim.interconnect import land_side
from cablesim.network import Network
from cablesim.policy import TransitRules, assign_exchange
from cablesim.routing.engine import Commodities
from cablesim.routing.graph import ArcGraph
from cablesim.selectors import match_links

__all__ = ["network_for_scenario", "PreparedScenario", "prepare_scenario"]


def network_for_scenario(network: Network, spec: ScenarioSpec, demand_year: int,
                         source: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Links of ``network`` as edited by ``spec``, and which are in service.

    Capacities are the study's lit capacity of the network year (:mod:`cablesim.lit`;
    column ``capacity_basis`` says how each was obtained) unless the scenario asks for
    design capacity. In service by default: existing and planned links whose ``rfs_year`` is
    unknown or not after the scenario's network year (``[links] year``, else the demand
    year). Proposed links are out of service unless enabled. The experiment's ``[links]``
    enable and disable apply first, then the scenario's, so a scenario can re-enable what the
    experiment disabled; within one level, disable wins.

    Returns
    -------
    (DataFrame, ndarray of bool)
        The edited link table and the in-service mask (aligned with it).
    """
    links = network.links.copy()
    year = spec.network_year if spec.network_year is not None else demand_year
    if not spec.lit.model.is_identity:
        capacity, basis, confidence = spec.lit.apply(links, year)
        links["capacity_gbps"] = capacity
        links["capacity_basis"] = basis
        links["capacity_confidence"] = confidence
    rfs = links["rfs_year"].astype("Float64").fillna(-np.inf).to_numpy(dtype=float)
    enabled = links["status"].isin(["existing", "planned"]).to_numpy() & (rfs <= year)
    problems: list[Problem] = []

    def select(selectors: tuple[str, ...], where: str) -> np.ndarray:
        mask = np.zeros(len(links), dtype=bool)
        for sel in selectors:
            hit = match_links(links, sel)
            if not hit.any():
                problems.append(Problem(source, None, f"scenario {spec.name!r}.{where}",
                                        f"selector {sel!r} matches no link"))
            mask |= hit
        return mask

    for action, selectors in spec.link_steps:
        hit = select(selectors, f"links.{action}")
        enabled = (enabled | hit) if action == "enable" else (enabled & ~hit)
    for i, edit in enumerate(spec.edits):
        hit = select(edit.selectors, f"links.edit[{i}]")
        if edit.price_usd_per_mbps_month is not None:
            links.loc[hit, "price_usd_per_mbps_month"] = edit.price_usd_per_mbps_month
        if edit.price_scale is not None:
            links.loc[hit, "price_usd_per_mbps_month"] *= edit.price_scale
        if edit.capacity_gbps is not None:
            links.loc[hit, "capacity_gbps"] = edit.capacity_gbps
        if edit.capacity_scale is not None:
            links.loc[hit, "capacity_gbps"] *= edit.capacity_scale
    if problems:
        raise ScenarioError(f"scenario {spec.name!r} does not fit the topology", problems)
    return links, enabled


@dataclass(frozen=True)
class PreparedScenario:
    """A scenario ready to route: its links, weights, transit rules and commodities.

    Attributes
    ----------
    links : GeoDataFrame
        The links as edited by the scenario (prices, capacities).
    enabled : ndarray of bool
        Links in service.
    latency_ms, price_usd_per_mbps_month, capacity_gbps, weight : ndarray
        Per link; ``capacity_gbps`` includes the scenario's capacity_scale; ``weight`` is
        what routing minimises (latency or price, the other as a tie-breaker).
    country : dict
        Node id to ISO3 country (or None).
    transit_rules : TransitRules
        The scenario's transit restrictions (edge masks per commodity group).
    commodities_table : DataFrame
        From :func:`cablesim.policy.assign_exchange`: demand, origin, via, destination,
        gbps, traffic_class, option.
    commodities : Commodities
        The same as index arrays for the routing engine (with groups).
    hub_price_usd_per_mbps_month : ndarray
        Transit price at each commodity's exchange hub (0 for direct or unpriced hubs).
    hub_surcharge : dict of str to float
        Weight added per candidate hub when choosing where to exchange (the hub's transit
        price when routing by cost; empty when routing by latency).
    notes : list of str
        Warnings found while preparing (e.g. hubs without a transit price).
    """

    links: pd.DataFrame
    enabled: np.ndarray
    latency_ms: np.ndarray
    price_usd_per_mbps_month: np.ndarray
    capacity_gbps: np.ndarray
    weight: np.ndarray
    country: dict[str, str | None]
    transit_rules: TransitRules
    commodities_table: pd.DataFrame
    commodities: Commodities
    hub_price_usd_per_mbps_month: np.ndarray
    hub_surcharge: dict[str, float]
    notes: list[str]


def prepare_scenario(spec: ScenarioSpec, network: Network, graph: ArcGraph,
                     demand: pd.DataFrame, year: int, source: str, *,
                     objective: str | None = None, lease_factor: float = 1.0,
                     transit_prices: pd.Series | None = None,
                     links: tuple[pd.DataFrame, np.ndarray] | None = None) -> PreparedScenario:
    """Apply a scenario's link edits and exchange policy to a demand table.

    The one preparation step of every consumer: ``run``, ``path``, the simulation, the
    planner and the maps route what it returns.

    Parameters
    ----------
    spec : ScenarioSpec
        The scenario.
    network : Network
        Its topology, and ``graph`` the array view of it.
    demand : DataFrame
        ``origin, destination, gbps, traffic_class`` per demand.
    year : int
        The demand year (the network year unless the scenario sets one).
    source : str
        Experiment file name, for messages.
    objective : str, optional
        ``"latency"`` or ``"cost"``, replacing the scenario's routing objective.
    lease_factor : float
        Multiplier on every lease price (e.g. a price trend to another year).
    transit_prices : Series, optional
        Transit price per node id, USD per Mbps per month, replacing the topology's.
    links : (DataFrame, ndarray of bool), optional
        The result of :func:`network_for_scenario` for this spec and year, if already made.
    """
    table_links, enabled = links or network_for_scenario(network, spec, year, source)
    nodes = network.nodes
    latency = spec.latency.link_latency_ms(table_links, nodes)
    price = table_links["price_usd_per_mbps_month"].to_numpy(dtype=float)
    if lease_factor != 1.0:
        price = price * lease_factor
    capacity = table_links["capacity_gbps"].to_numpy(dtype=float) * spec.routing.capacity_scale
    objective = objective or spec.routing.objective
    if objective == "latency":
        weight = latency + 1e-6 * price
    elif objective == "generalized":  # USD per Mbps-month, latency at the value of time
        weight = price + spec.routing.value_of_time * latency
    else:
        weight = price + 1e-6 * latency
    transit = (nodes["transit_price_usd_per_mbps_month"] if transit_prices is None
               else transit_prices)
    surcharge = {} if objective == "latency" else {
        h: float(transit.get(h)) for h in spec.policy.hubs()
        if h in transit.index and pd.notna(transit.get(h))}
    notes = [f"{spec.name}: hub {hub} has no cited transit price; exchange there is counted "
             "at 0 USD per Mbps per month" for hub in spec.policy.hubs()
             if hub in transit.index and pd.isna(transit.get(hub))]
    country = {k: (v if isinstance(v, str) else None) for k, v in nodes["country"].items()}
    transit_rules = TransitRules(graph, country, enabled, spec.routing.no_transit,
                                 roles=spec.transit_roles,
                                 open_countries=spec.routing.open_transit,
                                 land_side=land_side(table_links, nodes))
    table = assign_exchange(demand, spec.policy, graph, weight, enabled, country,
                            hub_surcharge=surcharge, source=source, transit=transit_rules)
    origin_idx = graph.nodes_of(list(table["origin"]))
    via_idx = np.array([graph.node_index[v] if v else -1 for v in table["via"]],
                       dtype=np.int64)
    dest_idx = graph.nodes_of(list(table["destination"]))
    com = Commodities(origin_idx, via_idx, dest_idx, table["gbps"].to_numpy(dtype=float),
                      transit_rules.groups(origin_idx, via_idx, dest_idx))
    hub_price = (table["via"].map(transit.dropna()).astype(float).fillna(0.0)
                 .to_numpy(dtype=float))
    return PreparedScenario(table_links, enabled, latency, price, capacity, weight, country,
                            transit_rules, table, com, hub_price, surcharge, notes)


