"""The path of one origin-destination pair under a scenario, described for people.

Errors name the arguments (``origin``, ``destination``, ``policy``, ``scenario``); the CLI
maps them to its flags.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cablesim._errors import Problem, RoutingError, ScenarioError, did_you_mean
from cablesim.demand import classify_pairs
from cablesim.experiment.prepare import PreparedScenario, prepare_scenario
from cablesim.experiment.spec import Experiment, load_experiment, with_policy
from cablesim.experiment.tables import fibre_floor_rtt_ms, path_nodes
from cablesim.geo import great_circle_km
from cablesim.interconnect import (
    access_links,
    effective_systems,
    interconnection_points,
    land_side,
    system_changes,
)
from cablesim.io.topology import load_topology
from cablesim.latency import rtt_parts
from cablesim.network import Network
from cablesim.routing.engine import route
from cablesim.routing.graph import ArcGraph

__all__ = ["path_between", "paths_under"]


def path_between(experiment: Experiment | str | Path, origin: str, destination: str, *,
                 policy: str | None = None, topology: str | Path | None = None,
                 scenario_name: str | None = None,
                 network: Network | None = None) -> dict[str, Any]:
    """Route one origin-destination pair under a scenario and describe the path.

    Parameters
    ----------
    experiment : Experiment or path-like
        The experiment (or its TOML file) supplying the topology and scenario settings.
    origin, destination : str
        Node ids.
    policy : str, optional
        A policy preset replacing the scenario's.
    topology : path-like, optional
        A topology folder replacing the experiment's.
    scenario_name : str, optional
        Scenario to use; default the one named like ``policy``, else the first.
    network : Network, optional
        The experiment's topology, if already loaded.

    Returns
    -------
    dict
        ``scenario, origin, destination, traffic_class, via, nodes, links, rtt_ms,
        rtt_parts_ms`` (propagation, equipment, interconnection, path overhead), ``floor_rtt_ms,
        stretch, cost_usd_per_mbps_month`` (lease along the path plus the
        exchange hub's transit price).

    Raises
    ------
    ScenarioError
        Unknown node ids or scenario name.
    RoutingError
        When no path exists in the scenario's network.
    """
    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment)
    source = str(experiment.path)
    names = [s.name for s in experiment.scenarios]
    wanted = scenario_name or (policy if policy in names else None)
    if wanted is not None and wanted not in names:
        raise ScenarioError("unknown scenario", [Problem(
            source, None, "scenario", f"no scenario named {wanted!r}",
            did_you_mean(wanted, names))])
    spec = experiment.scenarios[names.index(wanted)] if wanted else experiment.scenarios[0]
    if policy is not None:
        spec = with_policy(spec, policy, study=experiment.study,
                           rename=spec.name if wanted else policy, source="policy")
    if network is None or topology is not None:
        network = load_topology(topology or experiment.topology)
    problems = [Problem(name, None, None, f"unknown node id {node!r}",
                        did_you_mean(node, network.nodes.index))
                for name, node in (("origin", origin), ("destination", destination))
                if node not in network.nodes.index]
    if origin == destination and not problems:
        problems.append(Problem("destination", None, None,
                                "origin and destination are the same node"))
    if problems:
        raise ScenarioError("cannot route that pair", problems)
    graph = ArcGraph.from_network(network)
    year = spec.demand.year
    nodes = network.nodes
    traffic_class = classify_pairs(network, [origin], [destination], spec.demand.gravity,
                                   study=experiment.study)[0]
    demand = pd.DataFrame({"origin": [origin], "destination": [destination], "gbps": [1.0],
                           "traffic_class": [traffic_class]})
    prep = prepare_scenario(spec, network, graph, demand, year, source)
    via = prep.commodities_table["via"].iloc[0]
    result = route(graph, prep.commodities, prep.weight, prep.transit_rules.masks())
    if not result.paths.reachable[0]:
        raise RoutingError("no path", [Problem(
            source, None, None, f"{destination!r} cannot be reached from {origin!r}"
            + (f" through {via!r}" if via else "") + f" in scenario {spec.name!r}")])
    arcs = result.paths.arcs[0][result.paths.arcs[0] >= 0]
    edges = graph.arc_edge(arcs)
    one_way = float(prep.latency_ms[edges].sum())
    floor = float(fibre_floor_rtt_ms(np.array([great_circle_km(
        nodes.at[origin, "lon"], nodes.at[origin, "lat"], nodes.at[destination, "lon"],
        nodes.at[destination, "lat"])]))[0])
    hub_price = float(prep.hub_price_usd_per_mbps_month[0])
    price = prep.price_usd_per_mbps_month
    parts = rtt_parts(spec.latency, prep.links, nodes, edges=edges)
    rtt = 2.0 * one_way + spec.latency.path_overhead_ms
    node_seq = path_nodes(graph, arcs)
    return {
        "scenario": spec.name,
        "origin": origin,
        "destination": destination,
        "traffic_class": str(traffic_class),
        "via": via or None,
        **route_business(network, prep, node_seq, edges, origin, destination, via or None),
        "nodes": node_seq,
        "links": [str(graph.edge_ids[e]) for e in edges],
        "rtt_ms": rtt,
        "rtt_parts_ms": {k: v for k, v in parts.items() if k != "rtt_ms"},
        "floor_rtt_ms": floor,
        "stretch": rtt / floor,
        "cost_usd_per_mbps_month": float(price[edges].sum()) + hub_price,
    }



def paths_under(experiment: Experiment, origin: str, destination: str,
                policies: Sequence[str], *, network: Network | None = None
                ) -> dict[str, dict[str, Any] | str]:
    """The path of one pair under each of several scenarios or policy presets.

    Parameters
    ----------
    experiment : Experiment
        Supplies the topology and the scenarios.
    origin, destination : str
        Node ids.
    policies : sequence of str
        Scenario names of the experiment (their policy and link edits apply) or policy
        presets (applied to the experiment's first scenario).
    network : Network, optional
        The experiment's topology, if already loaded.

    Returns
    -------
    dict
        Policy name to the :func:`path_between` description, or to the reason there is no
        path (text), in the order given.

    Raises
    ------
    ScenarioError
        Unknown node ids, scenario or policy names (with did-you-mean hints).
    """
    network = network if network is not None else load_topology(experiment.topology)
    scenarios = [s.name for s in experiment.scenarios]
    presets = sorted(experiment.study.policy_presets())
    source = str(experiment.path)
    bad = [Problem(source, None, "policy", f"{p!r} is neither a scenario of "
                   f"{experiment.name!r} nor a policy preset",
                   did_you_mean(p, scenarios + presets))
           for p in policies if p not in scenarios and p not in presets]
    if not policies:
        bad.append(Problem(source, None, "policy", "give at least one policy"))
    bad += [Problem(name, None, None, f"unknown node id {node!r}",
                    did_you_mean(node, network.nodes.index))
            for name, node in (("origin", origin), ("destination", destination))
            if node not in network.nodes.index]
    if bad:
        raise ScenarioError("cannot route that pair", bad)
    out: dict[str, dict[str, Any] | str] = {}
    for name in policies:
        try:
            if name in scenarios:
                out[name] = path_between(experiment, origin, destination, scenario_name=name,
                                         network=network)
            else:
                out[name] = path_between(experiment, origin, destination, policy=name,
                                         network=network)
        except RoutingError as exc:
            out[name] = exc.problems[0].message if exc.problems else "no path"
    return out


def route_business(network: Network, prep: PreparedScenario, node_seq: list[str], edges: np.ndarray,
                   origin: str, destination: str, via: str | None) -> dict[str, Any]:
    """How a path is bought: the countries it crosses (each with the role that lets the
    traffic through), the systems it uses in order, and where it changes system or network
    (each at an interconnection point or not)."""
    nodes = network.nodes
    country = nodes["country"].where(nodes["country"].notna(), None).to_dict()
    systems = [str(s) for s in prep.links["system"].to_numpy(dtype=object)[edges]]
    side = land_side(prep.links, nodes)[edges]
    access = list(access_links(prep.links, nodes)[edges])
    ends = {c for c in (country.get(origin), country.get(destination),
                        country.get(via) if via else None) if c}
    rules = prep.transit_rules
    crossed: list[dict[str, str]] = []
    seen: set[str] = set()
    for k in range(len(edges)):
        if not side[k]:
            continue  # a cable passing a landing does not enter the country's network
        for node in (node_seq[k], node_seq[k + 1]):
            c = country.get(node)
            if c is None or c in seen:
                continue
            seen.add(c)
            if c == country.get(origin):
                role = "origin"
            elif c == country.get(destination):
                role = "destination"
            elif via and c == country.get(via):
                role = "exchange hub"
            elif c in rules.customers:
                buyers = sorted(rules.customers[c] & ends)
                role = ("sells transit to " + ", ".join(buyers)) if buyers else "not allowed"
            else:
                role = "open (sells transit to all)"
            crossed.append({"country": c, "role": role})
    points = interconnection_points(nodes)
    changes = [{"node": ch.node, "country": country.get(ch.node), "from": ch.from_system,
                "to": ch.to_system, "interconnection_point": ch.interconnection_point}
               for ch in system_changes(node_seq, systems, points, access=access)]
    used: list[str] = []
    for name in effective_systems(node_seq, systems, points, access=access):
        if not used or used[-1] != name:
            used.append(name)
    return {"countries": [c["country"] for c in crossed], "crossings": crossed,
            "systems": used, "handovers": changes}
