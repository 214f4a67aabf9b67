"""Country-level analytics of a topology.

The analyses work on the **country graph**: every node with a country is merged into one
node per country (its landing points, cities, hubs and domestic links vanish inside it);
nodes without a country (branching units at sea) stay as they are. A link joining two
different countries (or a country and a branching unit) is an edge of the country graph.
Only links in service count: by default those with status ``existing``.

A **cable** is a link's ``tg_cable_id`` when it has one, else its ``system``. A cable is
*international for country C* when, among its links in service, a node of C is connected to
a node of another country; its *capacity at C* is the largest ``capacity_gbps`` of its links
touching C. A country's **international capacity** is the sum of the capacities at C of
its international cables (design capacities; lit capacity is not public).

- :func:`country_table`: landing points, cables, international cables and capacity,
  neighbouring countries, per country;
- :func:`edge_disjoint_paths`, :func:`min_cut`: between two countries on the country graph
  (link-disjoint paths; the cut of least total capacity, with its links and cables);
- :func:`single_points_of_failure`: cables whose loss disconnects a country from the main
  component (the component holding most countries) or halves its international capacity;
- :func:`isolated_by_cut`: the countries a cut set (link selectors, as in experiment
  files) disconnects, and each country's loss of international capacity;
- :func:`analyze`: all of the above as one JSON-ready dict (``cablesim analyze``).

The global gravity demand between the countries of a topology lives with the regional
gravity model in :mod:`cablesim.demand.gravity`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from networkx.algorithms.flow import shortest_augmenting_path
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from cablesim._errors import Problem, ScenarioError, did_you_mean
from cablesim.network import Network
from cablesim.selectors import SELECTOR_KINDS, match_selectors

__all__ = [
    "SELECTOR_KINDS",
    "select_links",
    "in_service",
    "cable_keys",
    "CountryGraph",
    "country_graph",
    "international_capacity",
    "country_table",
    "edge_disjoint_paths",
    "min_cut",
    "single_points_of_failure",
    "isolated_by_cut",
    "analyze",
]

# ============================================================================== selection
def select_links(network: Network, selectors: Sequence[str], source: str = "--cut"
                 ) -> np.ndarray:
    """Boolean mask of the links matched by any of ``selectors``.

    Selectors are ``id:<pattern>``, ``system:<pattern>``, ``status:<pattern>``,
    ``kind:<pattern>``, ``tag:<pattern>`` (shell wildcards, matched against the link id or
    column) or ``area:<lon_min>,<lat_min>,<lon_max>,<lat_max>`` (links whose route crosses
    the box), as in experiment files (:func:`cablesim.selectors.match_selectors`).

    Raises
    ------
    ScenarioError
        For a malformed selector or one that matches no link (naming ``source``).
    """
    mask, problems = match_selectors(network.links, [str(s) for s in selectors],
                                     source=source, what="link selector")
    if problems:
        raise ScenarioError("cannot select links", problems)
    return mask


def in_service(network: Network, statuses: Sequence[str] = ("existing",)) -> np.ndarray:
    """Boolean mask of the links whose status is one of ``statuses``."""
    return network.links["status"].isin(list(statuses)).to_numpy()


def cable_keys(network: Network) -> np.ndarray:
    """The cable of each link: its ``tg_cable_id`` where given, else its ``system``."""
    links = network.links
    tg = links["tg_cable_id"] if "tg_cable_id" in links else pd.Series(None, index=links.index)
    pairs = zip(tg.tolist(), links["system"].tolist(), strict=True)
    return np.array([t if isinstance(t, str) and t else s for t, s in pairs], dtype=object)


# ============================================================================== country graph
@dataclass
class CountryGraph:
    """Links mapped onto the country graph.

    Attributes
    ----------
    groups : list of str
        Node names of the country graph: ISO3 codes and the ids of nodes without a country.
    node_group : dict of str to int
        Topology node id to group index.
    u, v : ndarray of int
        Group index of each link's two ends (all links of the topology, aligned with
        ``network.links``).
    countries : list of str
        The ISO3 codes present.
    """

    groups: list[str]
    node_group: dict[str, int]
    u: np.ndarray
    v: np.ndarray
    countries: list[str]
    index: dict[str, int]

    def group(self, name: str) -> int | None:
        """Group index of a country code or junction id (None when absent)."""
        return self.index.get(name)


def country_graph(network: Network) -> CountryGraph:
    """Map the network's nodes onto countries (see the module docstring)."""
    groups: list[str] = []
    index: dict[str, int] = {}
    node_group: dict[str, int] = {}
    for node_id, country in zip(network.nodes.index, network.nodes["country"], strict=True):
        key = country if isinstance(country, str) and country else str(node_id)
        if key not in index:
            index[key] = len(groups)
            groups.append(key)
        node_group[str(node_id)] = index[key]
    links = network.links
    u = np.array([node_group[a] for a in links["from_node"]], dtype=np.int64)
    v = np.array([node_group[b] for b in links["to_node"]], dtype=np.int64)
    countries = sorted({c for c in network.nodes["country"] if isinstance(c, str) and c})
    return CountryGraph(groups, node_group, u, v, countries, index)


def _components(cg: CountryGraph, mask: np.ndarray) -> np.ndarray:
    n = len(cg.groups)
    keep = mask & (cg.u != cg.v)
    adj = coo_matrix((np.ones(int(keep.sum())), (cg.u[keep], cg.v[keep])), shape=(n, n))
    return connected_components(adj, directed=False)[1]


def _main_component(cg: CountryGraph, labels: np.ndarray) -> int:
    """The component holding the most countries (ties: the lowest label)."""
    counts: dict[int, int] = defaultdict(int)
    for c in cg.countries:
        counts[int(labels[cg.index[c]])] += 1
    if not counts:
        return -1
    return min(counts, key=lambda k: (-counts[k], k))


def _flow_graph(cg: CountryGraph, network: Network, mask: np.ndarray) -> nx.DiGraph:
    """Directed graph of the country graph with summed link counts and Gbps per pair."""
    cap = network.links["capacity_gbps"].to_numpy(dtype=float)
    d = nx.DiGraph()
    d.add_nodes_from(range(len(cg.groups)))
    for i in np.nonzero(mask & (cg.u != cg.v))[0]:
        a, b = int(cg.u[i]), int(cg.v[i])
        for x, y in ((a, b), (b, a)):
            if d.has_edge(x, y):
                d[x][y]["count"] += 1
                d[x][y]["gbps"] += cap[i]
            else:
                d.add_edge(x, y, count=1, gbps=cap[i])
    return d


# ============================================================================== capacity
def _cable_reach(network: Network, cg: CountryGraph, mask: np.ndarray,
                 keys: np.ndarray) -> dict[str, dict[str, float]]:
    """For each cable, the countries it connects to another country and its capacity there.

    Uses the cable's links in ``mask`` only (so a cut cable that still joins C to another
    country keeps counting for C).
    """
    links = network.links
    cap = links["capacity_gbps"].to_numpy(dtype=float)
    node_country = {str(k): (c if isinstance(c, str) and c else None)
                    for k, c in zip(network.nodes.index, network.nodes["country"], strict=True)}
    frm = links["from_node"].to_numpy(dtype=object)
    to = links["to_node"].to_numpy(dtype=object)
    by_cable: dict[str, list[int]] = defaultdict(list)
    for index in np.flatnonzero(mask).tolist():
        by_cable[str(keys[index])].append(index)
    reach: dict[str, dict[str, float]] = {}
    for cable, rows in by_cable.items():
        g = nx.Graph()
        for i in rows:
            g.add_edge(frm[i], to[i])
        result: dict[str, float] = {}
        for comp in nx.connected_components(g):
            present = {c for c in (node_country[n] for n in comp) if c is not None}
            if len(present) < 2:
                continue
            for c in present:
                best = max(cap[i] for i in rows
                           if node_country[frm[i]] == c or node_country[to[i]] == c)
                result[c] = max(result.get(c, 0.0), best)
        if result:
            reach[cable] = result
    return reach


def international_capacity(network: Network, mask: np.ndarray | None = None
                           ) -> dict[str, dict[str, float]]:
    """International cables of each country and their capacity there (Gbps).

    Returns
    -------
    dict of str to dict of str to float
        Country -> cable -> capacity at that country.
    """
    mask = in_service(network) if mask is None else mask
    reach = _cable_reach(network, country_graph(network), mask, cable_keys(network))
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for cable, countries in reach.items():
        for c, gbps in countries.items():
            out[c][cable] = gbps
    return dict(out)


# ============================================================================== tables
def country_table(network: Network, statuses: Sequence[str] = ("existing",)) -> pd.DataFrame:
    """Per country: landing points, cables, international cables and capacity, neighbours.

    Columns: ``country, landing_points, cables`` (submarine cables in service touching
    it), ``international_cables, international_gbps`` (cables of any kind joining it to
    another country), ``neighbours`` (sorted ISO3 codes of the countries a cable in service
    joins it to directly); sorted by international capacity, largest first.
    """
    mask = in_service(network, statuses)
    cg = country_graph(network)
    keys = cable_keys(network)
    links = network.links
    nodes = network.nodes
    node_country = {str(k): (c if isinstance(c, str) and c else None)
                    for k, c in zip(nodes.index, nodes["country"], strict=True)}
    touching: dict[str, set[str]] = defaultdict(set)
    submarine = (links["kind"] == "submarine").to_numpy()
    for i in np.nonzero(mask & submarine)[0]:
        for end in (links["from_node"].iat[i], links["to_node"].iat[i]):
            c = node_country[str(end)]
            if c:
                touching[c].add(str(keys[i]))
    reach = _cable_reach(network, cg, mask, keys)
    neighbours: dict[str, set[str]] = defaultdict(set)
    intl: dict[str, dict[str, float]] = defaultdict(dict)
    for cable, countries in reach.items():
        for c, gbps in countries.items():
            intl[c][cable] = gbps
            neighbours[c] |= set(countries) - {c}
    landings = nodes[nodes["kind"] == "landing"].groupby("country").size()
    rows = []
    for c in cg.countries:
        rows.append({
            "country": c,
            "landing_points": int(landings.get(c, 0)),
            "cables": len(touching.get(c, set())),
            "international_cables": len(intl.get(c, {})),
            "international_gbps": float(sum(intl.get(c, {}).values())),
            "neighbours": sorted(neighbours.get(c, set())),
        })
    table = pd.DataFrame(rows, columns=["country", "landing_points", "cables",
                                        "international_cables", "international_gbps",
                                        "neighbours"])
    return table.sort_values(["international_gbps", "country"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


def _check_countries(cg: CountryGraph, countries: Sequence[str], source: str) -> None:
    problems = [Problem(source, None, None, f"no node of country {c!r} in the topology",
                        did_you_mean(c, cg.countries)) for c in countries
                if c not in cg.countries]
    if problems:
        raise ScenarioError("unknown country", problems)


def edge_disjoint_paths(network: Network, a: str, b: str,
                        statuses: Sequence[str] = ("existing",)) -> int:
    """Number of link-disjoint paths between countries ``a`` and ``b`` (ISO3).

    Computed as the maximum flow with unit capacity per link on the country graph
    (Menger's theorem), i.e. the number of links that must fail to separate them.

    Raises
    ------
    ScenarioError
        When a country has no node in the topology (with a hint).
    """
    cg = country_graph(network)
    _check_countries(cg, [a, b], "country")
    flow = _flow_graph(cg, network, in_service(network, statuses))
    if a == b:
        return 0
    return int(nx.maximum_flow_value(flow, cg.group(a), cg.group(b), capacity="count",
                                     flow_func=shortest_augmenting_path))


def _min_cut(cg: CountryGraph, network: Network, flow: nx.DiGraph, mask: np.ndarray,
             keys: np.ndarray, a: str, b: str) -> dict[str, Any]:
    ga, gb = cg.group(a), cg.group(b)
    value, (side_a, _) = nx.minimum_cut(flow, ga, gb, capacity="gbps",
                                        flow_func=shortest_augmenting_path)
    in_a = np.zeros(len(cg.groups), dtype=bool)
    in_a[list(side_a)] = True
    crossing = mask & (cg.u != cg.v) & (in_a[cg.u] != in_a[cg.v])
    ids = [str(i) for i in network.links.index[crossing]]
    return {"min_cut_gbps": float(value), "min_cut_links": ids,
            "min_cut_cables": sorted({str(k) for k in keys[crossing]})}


def min_cut(network: Network, a: str, b: str, statuses: Sequence[str] = ("existing",)
            ) -> dict[str, Any]:
    """The cut of least total capacity separating countries ``a`` and ``b``.

    Returns
    -------
    dict
        ``min_cut_gbps`` (the cut's summed link capacity, equal to the maximum flow),
        ``min_cut_links`` (link ids) and ``min_cut_cables``.
    """
    cg = country_graph(network)
    _check_countries(cg, [a, b], "country")
    mask = in_service(network, statuses)
    flow = _flow_graph(cg, network, mask)
    return _min_cut(cg, network, flow, mask, cable_keys(network), a, b)


def single_points_of_failure(network: Network, statuses: Sequence[str] = ("existing",),
                             share: float = 0.5) -> list[dict[str, Any]]:
    """Cables whose loss disconnects a country or cuts its international capacity by half.

    For every cable: all its links in service are removed; a country *disconnected* was in
    the main component of the country graph (the one holding most countries) and is not
    any more; a country is *halved* when the cable carried at least ``share`` of its
    international capacity (see the module docstring).

    Returns
    -------
    list of dict
        ``country, cable, effect`` (``"disconnects"`` or ``"halves"``), ``gbps_before``,
        ``gbps_after``, sorted by country and cable.
    """
    mask = in_service(network, statuses)
    cg = country_graph(network)
    keys = cable_keys(network)
    labels = _components(cg, mask)
    main = _main_component(cg, labels)
    in_main = {c for c in cg.countries if labels[cg.index[c]] == main}
    reach = _cable_reach(network, cg, mask, keys)
    capacity: dict[str, float] = defaultdict(float)
    for countries in reach.values():
        for c, gbps in countries.items():
            capacity[c] += gbps
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for cable in sorted({str(k) for k in keys[mask]}):
        removed = mask & (keys == cable)
        lab = _components(cg, mask & ~removed)
        new_main = _main_component(cg, lab)
        for c in in_main:
            if lab[cg.index[c]] != new_main:
                lost = reach.get(cable, {}).get(c, 0.0)
                out[(c, cable)] = {"country": c, "cable": cable, "effect": "disconnects",
                                   "gbps_before": capacity[c],
                                   "gbps_after": capacity[c] - lost}
        for c, gbps in reach.get(cable, {}).items():
            if (c, cable) in out or capacity[c] <= 0:
                continue
            if gbps >= share * capacity[c]:
                out[(c, cable)] = {"country": c, "cable": cable, "effect": "halves",
                                   "gbps_before": capacity[c], "gbps_after": capacity[c] - gbps}
    return [out[k] for k in sorted(out)]


def isolated_by_cut(network: Network, selectors: Sequence[str],
                    statuses: Sequence[str] = ("existing",),
                    countries: Sequence[str] = ()) -> dict[str, Any]:
    """What a cut set does to the countries: who is isolated, who loses capacity.

    Parameters
    ----------
    network : Network
    selectors : sequence of str
        Link selectors (see :func:`select_links`) of the links cut.
    statuses : sequence of str
        Link statuses in service.
    countries : sequence of str
        Countries whose pairwise connectivity is checked (``disconnected_pairs``).

    Returns
    -------
    dict
        ``selectors``, ``links_removed``, ``cables`` (cut), ``isolated`` (countries in the
        main component before the cut and not after), ``capacity_loss`` (per country that
        loses international capacity: ``gbps_before``, ``gbps_after``, ``share_lost``,
        largest share first) and ``disconnected_pairs``.
    """
    mask = in_service(network, statuses)
    cut = select_links(network, selectors) & mask
    cg = country_graph(network)
    keys = cable_keys(network)
    before = _components(cg, mask)
    after = _components(cg, mask & ~cut)
    main_b, main_a = _main_component(cg, before), _main_component(cg, after)
    isolated = sorted(c for c in cg.countries if before[cg.index[c]] == main_b
                      and after[cg.index[c]] != main_a)
    cap_b: dict[str, float] = defaultdict(float)
    cap_a: dict[str, float] = defaultdict(float)
    for countries_ in _cable_reach(network, cg, mask, keys).values():
        for c, g in countries_.items():
            cap_b[c] += g
    for countries_ in _cable_reach(network, cg, mask & ~cut, keys).values():
        for c, g in countries_.items():
            cap_a[c] += g
    loss: list[dict[str, Any]] = [
        {"country": c, "gbps_before": cap_b[c], "gbps_after": cap_a.get(c, 0.0),
         "share_lost": 1.0 - cap_a.get(c, 0.0) / cap_b[c]}
        for c in cap_b if cap_b[c] > 0 and cap_a.get(c, 0.0) < cap_b[c] - 1e-9]
    loss.sort(key=lambda r: (-r["share_lost"], r["country"]))
    pairs = []
    for a, b in combinations(sorted(set(countries)), 2):
        ia, ib = cg.index[a], cg.index[b]
        if before[ia] == before[ib] and after[ia] != after[ib]:
            pairs.append((a, b))
    return {"selectors": list(selectors), "links_removed": int(cut.sum()),
            "cables": sorted({str(k) for k in keys[cut]}), "isolated": isolated,
            "capacity_loss": loss, "disconnected_pairs": pairs}


def analyze(network: Network, countries: Sequence[str] = (), cut: Sequence[str] = (),
            statuses: Sequence[str] = ("existing",)) -> dict[str, Any]:
    """All country analytics of ``cablesim analyze`` as one JSON-ready dict.

    Keys: ``topology``, ``statuses``, ``in_service_links``, ``selected`` (the countries
    asked for), ``countries`` (rows of :func:`country_table`, each with its
    ``single_points_of_failure``; only the selected countries when some are given),
    ``single_points_of_failure``, ``pairs`` (for every pair of selected countries:
    ``edge_disjoint_paths`` and the minimum cut), ``cut`` (:func:`isolated_by_cut`, or
    None).

    Raises
    ------
    ScenarioError
        Unknown countries or link selectors.
    """
    cg = country_graph(network)
    wanted = [c.upper() for c in countries]
    _check_countries(cg, wanted, "--country")
    mask = in_service(network, statuses)
    table = country_table(network, statuses)
    spof = single_points_of_failure(network, statuses)
    by_country: dict[str, list[str]] = defaultdict(list)
    for s in spof:
        by_country[s["country"]].append(s["cable"])
    rows = []
    for row in table.to_dict("records"):
        if wanted and row["country"] not in wanted:
            continue
        row["single_points_of_failure"] = by_country.get(row["country"], [])
        rows.append(row)
    pairs = []
    if len(wanted) >= 2:
        flow = _flow_graph(cg, network, mask)
        keys = cable_keys(network)
        for a, b in combinations(sorted(set(wanted)), 2):
            count = int(nx.maximum_flow_value(flow, cg.group(a), cg.group(b), capacity="count",
                                              flow_func=shortest_augmenting_path))
            pairs.append({"a": a, "b": b, "edge_disjoint_paths": count,
                          **_min_cut(cg, network, flow, mask, keys, a, b)})
    return {
        "topology": network.name,
        "statuses": list(statuses),
        "in_service_links": int(mask.sum()),
        "selected": wanted,
        "countries": rows,
        "single_points_of_failure": spof,
        "pairs": pairs,
        "cut": isolated_by_cut(network, cut, statuses, wanted) if cut else None,
    }
