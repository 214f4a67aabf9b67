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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cablesim.geo import fibre_latency_ms
from cablesim.policy import TransitRules
from cablesim.routing.engine import RoutingResult
from cablesim.routing.graph import ArcGraph
from cablesim.routing.paths import distances_from

__all__ = [
    "ASEAN",
    "EAST_ASIA",
    "CAPITALS",
    "capital_recovery_factor",
    "weighted_quantile",
    "PathTable",
    "path_table",
    "delivered_transit_prices",
]

ASEAN = ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM")
"""The ten ASEAN members (ISO 3166-1 alpha-3)."""

EAST_ASIA = ASEAN + ("CHN", "HKG", "MAC", "TWN", "JPN", "KOR", "PRK", "MNG", "TLS")
"""Southeast and East Asia: a path that touches a node elsewhere "leaves the region"."""

CAPITALS = {
    "BRN": "BNBWN", "KHM": "KHPNH", "IDN": "IDJKT", "LAO": "LAVTE", "MYS": "MYKUL",
    "MMR": "MMNYT", "PHL": "PHMNL", "SGP": "SGSIN", "THA": "THBKK", "VNM": "VNHAN",
    "CHN": "CNBJS",
}
"""Capital city node (UN/LOCODE) of each ASEAN member and China."""

_REGION_BOX = (90.0, 150.0, -15.0, 50.0)
"""lon_min, lon_max, lat_min, lat_max used for nodes without a country (junctions at sea)."""


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


def node_in_region(countries: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Whether each node lies in Southeast/East Asia (by country, else by coordinates)."""
    region = set(EAST_ASIA)
    lo, hi, south, north = _REGION_BOX
    by_country = np.array([c in region for c in countries])
    no_country = np.array([c is None or c == "" for c in countries])
    in_box = (lon >= lo) & (lon <= hi) & (lat >= south) & (lat <= north)
    return by_country | (no_country & in_box)


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
    return [separator.join(row[: h + 1]) if h else "" for row, h in zip(names.tolist(), hops)]


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
) -> pd.DataFrame:
    """Cheapest delivered IP transit price for every city and hub node.

    The delivered price at city c is ``min_h (transit price at h + lease price of the
    cheapest path c -> h)`` over the hubs with a cited transit price.

    Returns
    -------
    DataFrame
        ``node, name, country, delivered_usd_per_mbps_month, via_hub,
        hub_price_usd_per_mbps_month, transport_usd_per_mbps_month``, one row per city/hub.
    """
    priced = nodes["transit_price_usd_per_mbps_month"].dropna()
    cities = nodes[nodes["kind"].isin(["city", "hub"])]
    if priced.empty:
        return pd.DataFrame(columns=["node", "name", "country", "delivered_usd_per_mbps_month",
                                     "via_hub", "hub_price_usd_per_mbps_month",
                                     "transport_usd_per_mbps_month"])
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
    return pd.DataFrame({
        "node": cities.index.to_numpy(dtype=object),
        "name": cities["name"].to_numpy(dtype=object),
        "country": cities["country"].to_numpy(dtype=object),
        "delivered_usd_per_mbps_month": total[best, cols],
        "via_hub": priced.index.to_numpy(dtype=object)[best],
        "hub_price_usd_per_mbps_month": priced.to_numpy()[best],
        "transport_usd_per_mbps_month": transport[best, cols],
    })


def fibre_floor_rtt_ms(distance_km: np.ndarray) -> np.ndarray:
    """Round-trip fibre floor for great-circle distances, ms."""
    return 2.0 * fibre_latency_ms(np.asarray(distance_km, dtype=float))


__all__ += ["node_in_region", "path_nodes", "path_texts", "fibre_floor_rtt_ms"]
