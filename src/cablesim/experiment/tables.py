"""Cost, latency and utilisation tables from a routing result.

Conventions (documented in every output):

- lease cost: every Mbps carried over a link, in either direction, pays the link's
  ``price_usd_per_mbps_month``;
- transit cost: every Mbps exchanged at a hub pays the hub's
  ``transit_price_usd_per_mbps_month`` (direct traffic pays none: it is the
  settlement-free physical best case);
- capex: proposed links in service are charged their ``capex_usd`` annualised with the
  capital recovery factor over ``lifetime_years`` at ``discount_rate``, per month;
- RTT: twice the one-way latency of the path (origin -> hub -> destination);
- fibre floor RTT: twice the great-circle distance in fibre (group index 1.4682).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cablesim._errors import Problem, RoutingError
from cablesim.geo import fibre_latency_ms, great_circle_km_array
from cablesim.invariants import check_scenario_tables
from cablesim.markets import market_prices, transit_prices_for_year
from cablesim.policy import TransitRules
from cablesim.routing.engine import Commodities, RoutingResult
from cablesim.routing.graph import ArcGraph
from cablesim.routing.paths import distances_from

if TYPE_CHECKING:
    from cablesim.experiment.prepare import PreparedScenario
    from cablesim.experiment.spec import ScenarioSpec
    from cablesim.study import Study

__all__ = [
    "capital_recovery_factor",
    "weighted_quantile",
    "PathTable",
    "path_table",
    "delivered_transit_prices",
]

def capital_recovery_factor(discount_rate: float, lifetime_years: float) -> float:
    """Annual payment per unit of capex over ``lifetime_years`` at ``discount_rate``."""
    if discount_rate == 0:
        return 1.0 / lifetime_years
    growth = (1.0 + discount_rate) ** lifetime_years
    return discount_rate * growth / (growth - 1.0)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``values`` weighted by ``weights`` (lower interpolation)."""
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    keep = weights > 0
    if not keep.any():
        return float("nan")
    order = np.argsort(values[keep], kind="stable")
    v, w = values[keep][order], weights[keep][order]
    cum = np.cumsum(w)
    return float(v[np.searchsorted(cum, q * cum[-1], side="left").clip(0, len(v) - 1)])


@dataclass(frozen=True)
class PathTable:
    """Per-path figures of a routing result (P rows, aligned with the result's paths).

    Attributes
    ----------
    latency_ms : ndarray
        One-way latency of each path, ms.
    price_usd_per_mbps_month : ndarray
        Sum of the lease prices along each path.
    leaves_region : ndarray of bool
        Whether the path touches a node outside Southeast/East Asia.
    """

    latency_ms: np.ndarray
    price_usd_per_mbps_month: np.ndarray
    leaves_region: np.ndarray


def path_table(graph: ArcGraph, result: RoutingResult, latency_ms: np.ndarray,
               price: np.ndarray, in_region: np.ndarray) -> PathTable:
    """Latency, price and region exit of every path in ``result``."""
    arcs = result.paths.arcs
    mask = arcs >= 0
    safe = np.where(mask, arcs, 0)
    edge = graph.arc_edge(safe)
    lat = np.where(mask, latency_ms[edge], 0.0).sum(axis=1)
    cost = np.where(mask, price[edge], 0.0).sum(axis=1)
    heads = graph.arc_head[safe]
    outside = (mask & ~in_region[heads]).any(axis=1)
    return PathTable(lat, cost, outside)


def path_texts(graph: ArcGraph, arcs: np.ndarray, separator: str = " > ") -> list[str]:
    """Node id sequences of many paths as text, one string per row of ``arcs``.

    Parameters
    ----------
    arcs : ndarray of int, shape (P, H)
        Arc ids in travel order, padded with -1 (a row of padding gives ``""``).
    """
    arcs = np.asarray(arcs, dtype=np.int64)
    if arcs.size == 0:
        return [""] * len(arcs)
    mask = arcs >= 0
    hops = mask.sum(axis=1)
    safe = np.where(mask, arcs, 0)
    # node sequence: the tail of every arc, then the head of the last one
    seq = np.zeros((len(arcs), arcs.shape[1] + 1), dtype=np.int64)
    seq[:, :-1] = graph.arc_tail[safe]
    last = safe[np.arange(len(arcs)), np.maximum(hops - 1, 0)]
    seq[np.arange(len(arcs)), hops] = graph.arc_head[last]
    names = graph.node_ids[seq]
    return [separator.join(row[: h + 1]) if h else ""
            for row, h in zip(names.tolist(), hops, strict=True)]


def path_nodes(graph: ArcGraph, arcs: np.ndarray) -> list[str]:
    """Node id sequence of a path given as arc ids (padding ignored)."""
    arcs = arcs[arcs >= 0]
    if not len(arcs):
        return []
    seq = list(graph.arc_tail[arcs]) + [graph.arc_head[arcs[-1]]]
    return [graph.node_ids[i] for i in seq]


def delivered_transit_prices(
    graph: ArcGraph,
    nodes: pd.DataFrame,
    price: np.ndarray,
    transit: TransitRules,
    market: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Cheapest delivered IP transit price for every city and hub node.

    The delivered price at city c is the lower of its local market price (``market``,
    :func:`cablesim.markets.market_prices`, where it has one) and ``min_h (transit price at
    h + lease price of the cheapest path c -> h)`` over the hubs with a price: their market
    price of the year where they have one, else the topology's
    ``transit_price_usd_per_mbps_month``. ``binding`` says which term sets it.

    Returns
    -------
    DataFrame
        ``node, name, country, delivered_usd_per_mbps_month, binding, via_hub,
        hub_price_usd_per_mbps_month, transport_usd_per_mbps_month,
        via_hub_usd_per_mbps_month, market_usd_per_mbps_month, market_basis,
        market_over_cost`` (the local market price over the cost of bringing a hub's
        transit there), one row per city/hub.
    """
    columns = ["node", "name", "country", "delivered_usd_per_mbps_month", "binding",
               "via_hub", "hub_price_usd_per_mbps_month", "transport_usd_per_mbps_month",
               "via_hub_usd_per_mbps_month", "market_usd_per_mbps_month", "market_basis",
               "market_over_cost"]
    priced = nodes["transit_price_usd_per_mbps_month"].dropna().astype(float)
    local = pd.Series(dtype=float)
    basis = pd.Series(dtype=object)
    if market is not None and len(market):
        m = market.set_index("node")
        m = m[m.index.isin(nodes.index)]
        local = m["market_usd_per_mbps_month"].astype(float)
        basis = m["market_basis"]
        priced = pd.concat([priced[~priced.index.isin(local.index)], local]).sort_index()
    cities = nodes[nodes["kind"].isin(["city", "hub"])]
    if priced.empty:
        return pd.DataFrame(columns=columns)
    hub_idx = graph.nodes_of(list(priced.index))
    city_idx = graph.nodes_of(list(cities.index))
    transport = np.full((len(hub_idx), len(city_idx)), np.inf)
    for i, h in enumerate(hub_idx):
        codes = transit.key_codes(city_idx, np.full(len(city_idx), h))
        for code in np.unique(codes):
            cols = codes == code
            dist = distances_from(graph.csr(price, transit.mask(transit.key_of(code))),
                                  np.array([h]))[0]
            transport[i, cols] = dist[city_idx[cols]]
    total = transport + priced.to_numpy()[:, None]
    best = np.argmin(total, axis=0)
    cols = np.arange(len(city_idx))
    via_total = total[best, cols]
    own = local.reindex(cities.index).to_numpy(dtype=float)
    local_binds = np.isfinite(own) & (own <= via_total)
    with np.errstate(invalid="ignore", divide="ignore"):
        over = np.where(np.isfinite(own) & (via_total > 0), own / via_total, np.nan)
    return pd.DataFrame({
        "node": cities.index.to_numpy(dtype=object),
        "name": cities["name"].to_numpy(dtype=object),
        "country": cities["country"].to_numpy(dtype=object),
        "delivered_usd_per_mbps_month": np.where(local_binds, own, via_total),
        "binding": np.where(local_binds, "local market", "via hub"),
        "via_hub": priced.index.to_numpy(dtype=object)[best],
        "hub_price_usd_per_mbps_month": priced.to_numpy()[best],
        "transport_usd_per_mbps_month": transport[best, cols],
        "via_hub_usd_per_mbps_month": via_total,
        "market_usd_per_mbps_month": own,
        "market_basis": basis.reindex(cities.index).fillna("").to_numpy(dtype=object),
        "market_over_cost": over,
    }, columns=columns)


def fibre_floor_rtt_ms(distance_km: np.ndarray) -> np.ndarray:
    """Round-trip fibre floor for great-circle distances, ms."""
    return 2.0 * fibre_latency_ms(np.asarray(distance_km, dtype=float))


__all__ += ["path_nodes", "path_texts", "fibre_floor_rtt_ms", "ratio_column",
            "scenario_tables"]


def ratio_column(nodes: pd.DataFrame, node: str, name: str | None = None) -> str:
    """Name of the delivered-price column relative to ``node``: ``ratio_to_<name>``, by
    default the node's name (``ratio_to_singapore`` for SGSIN)."""
    if name is None:
        name = str(nodes.at[node, "name"]) if node in nodes.index else node
    return "ratio_to_" + "_".join(name.lower().split())


def _confidence(links: pd.DataFrame, column: str) -> np.ndarray:
    """A link column of confidence classes; blank or absent counts as ``estimate``."""
    if column not in links.columns:
        return np.full(len(links), "estimate", dtype=object)
    values = links[column].astype(object).to_numpy()
    return np.array([v if isinstance(v, str) and v else "estimate" for v in values],
                    dtype=object)


def counterfactual_reasons(spec: ScenarioSpec, links: pd.DataFrame, enabled: np.ndarray,
                           year: int, study: Study) -> list[str]:
    """Why a scenario could not have existed in its year (empty: it could): proposed links
    in service, or exchange at a hub before it could exchange international traffic
    (the study's ``hub_since``)."""
    why = []
    proposed = enabled & (links["status"].to_numpy(dtype=object) == "proposed")
    if proposed.any():
        systems = sorted(set(links.loc[proposed, "system"].astype(str)))
        why.append(f"proposed links in service ({len(systems)} systems: "
                   + ", ".join(systems[:3]) + (", ..." if len(systems) > 3 else "") + ")")
    for hub in spec.policy.hubs():
        since = study.settings.hub_since.get(hub)
        if since is not None and year < since:
            why.append(f"exchange at {hub} before it could exchange international traffic "
                       f"({int(since)})")
    return why


def _transit_share(graph: ArcGraph, result: RoutingResult, commodities: Commodities,
                   nodes: pd.DataFrame, load: np.ndarray) -> np.ndarray:
    """Per link, the share of its load (both directions) that neither comes from nor goes
    to a country at one of its ends: third-country traffic. NaN for a link without load or
    without a country at either end (a segment between two points at sea)."""
    country = nodes["country"].reindex(graph.node_ids).to_numpy(dtype=object)
    cu, cv = country[graph.edge_u], country[graph.edge_v]
    arcs = result.paths.arcs
    rows, cols = np.nonzero(arcs >= 0)
    edges = graph.arc_edge(arcs[rows, cols])
    com = result.path_commodity[rows]
    oc = country[commodities.origin[com]]
    dc = country[commodities.destination[com]]
    third = ((oc != cu[edges]) & (oc != cv[edges]) & (dc != cu[edges]) & (dc != cv[edges]))
    flow = result.path_flow[rows] * third
    third_load = np.bincount(edges, weights=flow, minlength=graph.n_edges)
    has_country = np.array([a is not None and a == a for a in cu]) | np.array(
        [b is not None and b == b for b in cv])
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where((load > 0) & has_country, third_load / load, np.nan)
    return share


def _transit_shares(commodities: pd.DataFrame, nodes: pd.DataFrame) -> dict[str, float]:
    """Shares of the transit cost paid at hubs whose price is cited and an estimate
    (nodes.csv ``transit_price_confidence``; a hub without one counts as an estimate)."""
    cost = commodities["transit_usd_month"].to_numpy(dtype=float)
    total = float(cost.sum())
    if "transit_price_confidence" in nodes.columns:
        level = commodities["via"].map(nodes["transit_price_confidence"]).astype(object)
    else:
        level = pd.Series("estimate", index=commodities.index, dtype=object)
    level = level.where(level.isin(["cited", "derived"]), "estimate").to_numpy()
    def share(name: str) -> float:
        return float(cost[level == name].sum()) / total if total > 0 else math.nan

    return {"transit_on_cited_price_share": share("cited"),
            "transit_on_estimated_price_share": share("estimate")}


def _confidence_shares(load_gbps: np.ndarray, length_km: np.ndarray, lease: np.ndarray,
                       capacity_class: np.ndarray, price_class: np.ndarray
                       ) -> dict[str, float]:
    """How much of a scenario rests on estimates: the share of its Gbps-km carried on links
    whose capacity is an estimate, and the shares of its lease cost priced by cited and by
    estimated prices (fractions; NaN when there is nothing to share)."""
    gbps_km = load_gbps * np.nan_to_num(length_km)
    total_km, total_lease = float(gbps_km.sum()), float(lease.sum())

    def share(part: float, whole: float) -> float:
        return part / whole if whole > 0 else math.nan

    return {
        "gbps_km_on_estimated_capacity_share": share(
            float(gbps_km[capacity_class == "estimate"].sum()), total_km),
        "lease_on_cited_price_share": share(float(lease[price_class == "cited"].sum()),
                                            total_lease),
        "lease_on_estimated_price_share": share(float(lease[price_class == "estimate"].sum()),
                                                total_lease),
    }


def scenario_tables(spec: ScenarioSpec, prep: PreparedScenario, result: RoutingResult,
                    graph: ArcGraph, nodes: pd.DataFrame, demand: pd.DataFrame, year: int,
                    in_region: np.ndarray, notes: list[str], *,
                    study: Study) -> dict[str, pd.DataFrame]:
    """The result tables of one routed scenario (see :func:`cablesim.run_experiment`).

    Returns
    -------
    dict of str to DataFrame
        ``scenarios`` (one row), ``pairs``, ``countries``, ``links``, ``transit_prices``.
    """
    links, enabled = prep.links, prep.enabled
    latency, price, capacity = prep.latency_ms, prep.price_usd_per_mbps_month, prep.capacity_gbps
    transit_rules = prep.transit_rules
    commodities, com = prep.commodities_table, prep.commodities
    capacitated = spec.routing.mode == "capacitated"
    offered = com.volume
    if not np.allclose(result.served + result.unserved, offered, rtol=0, atol=1e-9):
        raise RoutingError("internal accounting error", [Problem(
            spec.name, None, None, "served + unserved differs from offered")])
    paths = path_table(graph, result, latency, price, in_region)
    flow = result.path_flow
    pc = result.path_commodity
    n_com = len(commodities)
    lat_flow = np.bincount(pc, weights=flow * paths.latency_ms, minlength=n_com)
    price_flow = np.bincount(pc, weights=flow * paths.price_usd_per_mbps_month,
                             minlength=n_com)
    out_flow = np.bincount(pc, weights=flow * paths.leaves_region, minlength=n_com)
    # dominant path per commodity
    best = np.full(n_com, -1, dtype=np.int64)
    if len(flow):
        order = np.lexsort((-flow, pc))
        first = np.ones(len(order), dtype=bool)
        first[1:] = pc[order][1:] != pc[order][:-1]
        best[pc[order][first]] = order[first]
    hub_price = prep.hub_price_usd_per_mbps_month
    served = result.served
    com_table = commodities.assign(
        served_gbps=served, unserved_gbps=result.unserved,
        lease_usd_month=price_flow * 1000.0,
        transit_usd_month=served * hub_price * 1000.0,
        lat_flow=lat_flow, out_flow=out_flow, best=best)
    lon, lat = nodes["lon"].to_numpy(dtype=float), nodes["lat"].to_numpy(dtype=float)
    # ---- pairs (per demand)
    grouped = com_table.groupby("demand", sort=True)
    pair = pd.DataFrame({
        "offered_gbps": grouped["gbps"].sum(),
        "served_gbps": grouped["served_gbps"].sum(),
        "unserved_gbps": grouped["unserved_gbps"].sum(),
        "lease_usd_month": grouped["lease_usd_month"].sum(),
        "transit_usd_month": grouped["transit_usd_month"].sum(),
        "lat_flow": grouped["lat_flow"].sum(),
        "out_flow": grouped["out_flow"].sum(),
    })
    top = com_table.sort_values(["demand", "served_gbps"], ascending=[True, False],
                                kind="stable").groupby("demand").head(1).set_index("demand")
    dem = demand.iloc[pair.index]
    o_idx = graph.nodes_of(list(dem["origin"]))
    d_idx = graph.nodes_of(list(dem["destination"]))
    dist = great_circle_km_array(lon[o_idx], lat[o_idx], lon[d_idx], lat[d_idx])
    floor = fibre_floor_rtt_ms(dist)
    with np.errstate(invalid="ignore", divide="ignore"):
        rtt = np.where(pair["served_gbps"] > 0, 2.0 * pair["lat_flow"] / pair["served_gbps"]
                       + spec.latency.path_overhead_ms, np.nan)
        stretch = rtt / floor
        cost = pair["lease_usd_month"] + pair["transit_usd_month"]
        per_mbps = np.where(pair["served_gbps"] > 0, cost / (pair["served_gbps"] * 1000.0),
                            np.nan)
    best_path = top["best"].to_numpy()
    path_text = path_texts(graph, np.where(best_path[:, None] >= 0,
                                           result.paths.arcs[np.maximum(best_path, 0)], -1))
    pairs = pd.DataFrame({
        "scenario": spec.name,
        "origin": dem["origin"].to_numpy(dtype=object),
        "destination": dem["destination"].to_numpy(dtype=object),
        "origin_country": dem["origin_country"].to_numpy(dtype=object),
        "destination_country": dem["destination_country"].to_numpy(dtype=object),
        "traffic_class": dem["traffic_class"].to_numpy(dtype=object),
        "offered_gbps": pair["offered_gbps"].to_numpy(),
        "served_gbps": pair["served_gbps"].to_numpy(),
        "unserved_gbps": pair["unserved_gbps"].to_numpy(),
        "via": top["via"].to_numpy(dtype=object),
        "rtt_ms": rtt,
        "floor_rtt_ms": floor,
        "stretch": stretch,
        "cost_usd_month": cost.to_numpy(),
        "cost_usd_per_mbps_month": per_mbps,
        "leaves_region_share": np.where(pair["served_gbps"] > 0,
                                        pair["out_flow"] / pair["served_gbps"].replace(0, 1),
                                        np.nan),
        "path": path_text,
    })
    unreachable = pairs[(pairs["unserved_gbps"] > 0) & (pairs["served_gbps"] == 0)]
    if len(unreachable):
        ends = pd.concat([unreachable["origin"], unreachable["destination"]])
        counts = ends.value_counts()
        stuck = sorted(counts.index[counts >= counts.max() * 0.5])
        notes.append(
            f"{spec.name}: {len(unreachable)} demands ({unreachable['unserved_gbps'].sum():,.1f} "
            "Gbps) are not served at all ("
            + ("no path, or no capacity left" if capacitated else "no path")
            + " in this scenario's network); most involve "
            + ", ".join(stuck[:12]))
    # ---- links
    m = graph.n_edges
    fwd, rev = result.arc_load[:m], result.arc_load[m:]
    util = np.maximum(fwd, rev) / capacity
    lease_link = (fwd + rev) * price * 1000.0
    capacity_class = _confidence(links, "capacity_confidence")
    price_class = _confidence(links, "price_confidence")
    transit_share = _transit_share(graph, result, com, nodes, fwd + rev)
    link_table = pd.DataFrame({
        "scenario": spec.name,
        "link": links.index.to_numpy(dtype=object),
        "system": links["system"].to_numpy(dtype=object),
        "kind": links["kind"].to_numpy(dtype=object),
        "status": links["status"].to_numpy(dtype=object),
        "from_node": links["from_node"].to_numpy(dtype=object),
        "to_node": links["to_node"].to_numpy(dtype=object),
        "in_service": enabled,
        "capacity_gbps": capacity,
        "load_forward_gbps": fwd,
        "load_reverse_gbps": rev,
        "utilization": util,
        "transit_share": transit_share,
        "lease_usd_month": lease_link,
        "capacity_confidence": capacity_class,
        "capacity_basis": (links["capacity_basis"].to_numpy(dtype=object)
                           if "capacity_basis" in links.columns else "design"),
        "price_confidence": price_class,
    })
    # ---- capex of proposed links in service
    crf = capital_recovery_factor(spec.costs.discount_rate, spec.costs.lifetime_years)
    proposed = enabled & (links["status"] == "proposed").to_numpy()
    capex = links.loc[proposed, "capex_usd"]
    if capex.isna().any():
        notes.append(f"{spec.name}: proposed links without capex_usd are counted at 0: "
                     + ", ".join(capex.index[capex.isna()]))
    capex_month = float(capex.fillna(0).sum()) * crf / 12.0
    # ---- scenario row: the study's traffic; background traffic (between countries outside
    # the study, sharing the cables) is reported in its own columns
    background = pairs[pairs["traffic_class"] == "background"]
    whole = pairs
    pairs = pairs[pairs["traffic_class"] != "background"]
    com_study = (demand["traffic_class"].to_numpy(dtype=object)[
        com_table["demand"].to_numpy()] != "background")
    served_total = float(pairs["served_gbps"].sum())
    weights_ok = pairs["served_gbps"].to_numpy()
    rtts = pairs["rtt_ms"].to_numpy()
    intra = (pairs["traffic_class"] == study.intra_class).to_numpy()
    intra_served = float(pairs.loc[intra, "served_gbps"].sum())
    transit_total = float(com_table.loc[com_study, "transit_usd_month"].sum())
    market = (market_prices(study.markets.table, year, study.markets.model)
              if study.markets.table is not None else None)
    level = transit_prices_for_year(nodes, study.markets, year, market=market)[1]
    estimated = com_study & com_table["via"].map(level).isin(["estimate"]).to_numpy()
    estimated_transit = float(com_table.loc[estimated, "transit_usd_month"].sum())
    estimated_gbps = float(com_table.loc[estimated, "served_gbps"].sum())
    lease = float(pairs["cost_usd_month"].sum()) - transit_total
    total = lease + transit_total + capex_month
    path_rtt = 2.0 * paths.latency_ms + spec.latency.path_overhead_ms
    path_study = com_study[pc] if len(pc) else np.zeros(0, dtype=bool)
    why = counterfactual_reasons(spec, links, enabled, year, study)
    scenario_row = pd.DataFrame([{
        "scenario": spec.name,
        "counterfactual": bool(why),
        "counterfactual_why": "; ".join(why),
        "policy": spec.policy.name,
        "mode": spec.routing.mode,
        "objective": spec.routing.objective,
        "year": year,
        "offered_gbps": float(pairs["offered_gbps"].sum()),
        "served_gbps": served_total,
        "unserved_gbps": float(pairs["unserved_gbps"].sum()),
        "lease_cost_usd_month": lease,
        "transit_cost_usd_month": transit_total,
        "capex_usd_month": capex_month,
        "total_cost_usd_month": total,
        "cost_usd_per_mbps": total / (served_total * 1000.0) if served_total else math.nan,
        "mean_rtt_ms": float(np.nansum(rtts * weights_ok) / served_total) if served_total
        else math.nan,
        "p95_rtt_ms": weighted_quantile(path_rtt[path_study], flow[path_study], 0.95),
        "mean_stretch": float(np.nansum(pairs["stretch"].to_numpy() * weights_ok)
                              / served_total) if served_total else math.nan,
        study.intra_rtt_column: float(np.nansum(rtts[intra] * weights_ok[intra])
                                      / intra_served) if intra_served else math.nan,
        "out_of_region_share": float(
            (pairs.loc[intra, "leaves_region_share"].fillna(0) * pairs.loc[intra, "served_gbps"]
             ).sum() / intra_served) if intra_served else math.nan,
        "max_utilization": float(np.nanmax(util[enabled])) if enabled.any() else 0.0,
        "links_in_service": int(enabled.sum()),
        "lp_solves": int(result.lp_solves),
        "lp_gap_bound": float(result.gap_bound),
        **_confidence_shares(fwd + rev, links["length_km"].to_numpy(dtype=float), lease_link,
                             capacity_class, price_class),
        **_transit_shares(com_table[com_study], nodes),
        "estimated_hub_gbps": estimated_gbps,
        "estimated_hub_transit_usd_month": estimated_transit,
        "background_offered_gbps": float(background["offered_gbps"].sum()),
        "background_lease_cost_usd_month": float(background["cost_usd_month"].sum())
        - float(com_table.loc[~com_study, "transit_usd_month"].sum()),
        "background_served_gbps": float(background["served_gbps"].sum()),
        "background_unserved_gbps": float(background["unserved_gbps"].sum()),
        "background_mean_rtt_ms": float(np.nansum(background["rtt_ms"].to_numpy()
                                                  * background["served_gbps"].to_numpy())
                                        / background["served_gbps"].sum())
        if background["served_gbps"].sum() > 0 else math.nan,
    }])
    # ---- countries
    attributed = np.where(pairs["traffic_class"] == "content", pairs["destination_country"],
                          pairs["origin_country"])
    by_country = pairs.assign(country=attributed, rtt_flow=np.nan_to_num(rtts) * weights_ok)
    g = by_country.groupby("country", sort=True)
    countries_table = pd.DataFrame({
        "offered_gbps": g["offered_gbps"].sum(),
        "served_gbps": g["served_gbps"].sum(),
        "unserved_gbps": g["unserved_gbps"].sum(),
        "cost_usd_month": g["cost_usd_month"].sum(),
        "rtt_flow": g["rtt_flow"].sum(),
    }).reset_index()
    served_c = countries_table["served_gbps"].replace(0, np.nan)
    countries_table = pd.DataFrame({
        "scenario": spec.name,
        "country": countries_table["country"],
        "offered_gbps": countries_table["offered_gbps"],
        "served_gbps": countries_table["served_gbps"],
        "unserved_gbps": countries_table["unserved_gbps"],
        "cost_usd_month": countries_table["cost_usd_month"],
        "cost_usd_per_mbps_month": countries_table["cost_usd_month"] / (served_c * 1000.0),
        "mean_rtt_ms": countries_table["rtt_flow"] / served_c,
    })
    # ---- delivered transit prices
    delivered = delivered_transit_prices(graph, nodes, price, transit_rules, market)
    delivered.insert(0, "scenario", spec.name)
    by_node = delivered.set_index("node")["delivered_usd_per_mbps_month"]
    names = list(study.settings.price_names) + [None, None]
    for node, name in zip((study.settings.price_reference, study.settings.price_benchmark),
                          names[:2], strict=True):
        if node is None:
            continue
        column = ratio_column(nodes, node, name)
        delivered[column] = (delivered["delivered_usd_per_mbps_month"] / float(by_node[node])
                             if node in by_node.index else np.nan)
    delivered["capital"] = delivered["node"].isin(list(study.capitals.values()))
    check_scenario_tables(spec.name, whole, link_table, capacitated)
    return {"scenarios": scenario_row, "pairs": whole, "countries": countries_table,
            "links": link_table, "transit_prices": delivered}


