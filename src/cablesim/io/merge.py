"""Merging two topologies: an imported cable map with the land routes and hubs of another.

:func:`merge_topologies` adds to a *base* topology (typically a TeleGeography import) what
another topology (typically a hand-built regional one such as ``topology/china_asean``)
knows and the base does not:

- **landing points** of the other topology are matched to the base's by id (or
  ``tg_id``), else to the nearest base landing point within ``match_km`` (same country
  preferred); matched ones become the base's node, links are re-pointed to it;
- **submarine links** of the other topology are dropped when the base already has their
  cable (same ``tg_cable_id``); those of other cables (e.g. newer cables, schematic or
  proposed builds) are kept with their junctions;
- **every other link** (terrestrial, metro, transit, satellite) and every city, hub, IXP
  and junction they need is added;
- **country nodes**: where the other topology brings city or hub nodes for a country, the
  base's synthetic country node ``city:<ISO3>`` of that country (see
  :mod:`cablesim.io.telegeography`) and its backhaul links are replaced: each base landing
  point of that country is backhauled to the other topology's node its matched landing
  already uses, else to the nearest city or hub of that country (great circle x route
  factor, flagged as an estimate).

Ids that clash (a node or link id used by both for different things) get the suffix
``@<other name>``. Every decision is counted in the returned merge report.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Any

import numpy as np
import pandas as pd

from cablesim.geo import great_circle_km_array
from cablesim.network import Network
from cablesim.schema import LINK_COLUMNS, NODE_COLUMNS

__all__ = ["merge_topologies", "BACKHAUL_ROUTE_FACTOR", "BACKHAUL_PRICE_PER_KM"]

BACKHAUL_ROUTE_FACTOR = 1.3
"""Route factor of re-pointed backhaul links (facts-inputs A6, as in the importer)."""

BACKHAUL_PRICE_PER_KM = 3.043e-04
"""USD per Mbps per month per km of re-pointed backhaul links: the ``terrestrial`` rate of
:data:`cablesim.io.telegeography.PRICE_RATES` (facts-inputs B3, Frankfurt-London)."""

_DERIVED = [c.name for c in (*NODE_COLUMNS, *LINK_COLUMNS) if c.derived]


def _km(lon1: float, lat1: float, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    return great_circle_km_array(np.full(len(lon2), lon1), np.full(len(lat2), lat1), lon2, lat2)


def _file_tables(network: Network) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any],
                                             dict[str, str]]:
    """Node and link tables as they would be written to files, plus file routes."""
    nodes, links = network.tables()
    links = links.copy()
    derived_len = links["length_source"] != "given"
    links.loc[derived_len, "length_km"] = np.nan
    routed = network.links["geometry_source"] == "file"
    routes = dict(zip(network.links.index[routed], network.links.geometry[routed], strict=True))
    cites = {k: (v if isinstance(v, str) else "")
             for k, v in network.links.loc[routed, "route_citation"].items()}
    nodes = nodes.drop(columns=[c for c in _DERIVED if c in nodes.columns])
    links = links.drop(columns=[c for c in _DERIVED if c in links.columns])
    return nodes, links, routes, cites


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def merge_topologies(base: Network, other: Network, match_km: float = 5.0,
                     name: str | None = None) -> tuple[Network, dict[str, Any]]:
    """Merge ``other``'s land routes, hubs and extra cables into ``base``.

    Parameters
    ----------
    base : Network
        The topology kept whole (e.g. a TeleGeography import).
    other : Network
        The topology whose non-duplicate parts are added (e.g. ``topology/china_asean``).
    match_km : float
        A landing point of ``other`` without an id match is the nearest base landing
        point within this distance, km.
    name : str, optional
        Name of the merged network (default ``"<base>+<other>"``).

    Returns
    -------
    (Network, dict)
        The validated merged network and the merge report.

    Raises
    ------
    TopologyError
        If the merged tables do not validate (a bug in the inputs' consistency).
    """
    tag = other.name or "other"
    b_nodes, b_links, b_routes, b_cites = _file_tables(base)
    o_nodes, o_links, o_routes, o_cites = _file_tables(other)
    report: dict[str, Any] = {"other": tag, "match_km": match_km}
    b_ids = set(b_nodes["id"])
    b_land = b_nodes[b_nodes["kind"] == "landing"]
    b_tg = {t: i for i, t in zip(b_land["id"], b_land["tg_id"], strict=True) if _text(t)}
    land_lon = b_land["lon"].to_numpy(dtype=float)
    land_lat = b_land["lat"].to_numpy(dtype=float)
    land_ids = b_land["id"].to_numpy(dtype=object)
    land_cc = b_land["country"].to_numpy(dtype=object)
    mapping: dict[str, str] = {}
    by_id, by_distance, renamed_nodes = [], [], []
    for row in o_nodes.itertuples(index=False):
        oid = str(row.id)
        if row.kind == "landing":
            tg = _text(getattr(row, "tg_id", None))
            if oid in b_ids and oid in set(land_ids):
                mapping[oid] = oid
                by_id.append(oid)
                continue
            if tg and tg in b_tg:
                mapping[oid] = b_tg[tg]
                by_id.append(oid)
                continue
            if len(land_ids):
                dist = _km(float(row.lon), float(row.lat), land_lon, land_lat)
                same = np.array([c == row.country for c in land_cc])
                rank = np.where(same, dist, dist + 1e6)
                k = int(np.argmin(rank))
                if dist[k] <= match_km:
                    mapping[oid] = str(land_ids[k])
                    by_distance.append({"other": oid, "base": str(land_ids[k]),
                                        "km": round(float(dist[k]), 3)})
                    continue
        if oid in b_ids:
            mapping[oid] = f"{oid}@{tag}"
            renamed_nodes.append(oid)
        else:
            mapping[oid] = oid
    # links of the other topology (submarine duplicates of base cables dropped)
    b_cables = {t for t in b_links["tg_cable_id"] if _text(t)}
    keep_rows: list[dict[str, Any]] = []
    dropped_dup: Counter[str] = Counter()
    for row in o_links.to_dict("records"):
        tg = _text(row.get("tg_cable_id"))
        if row["kind"] == "submarine" and tg and tg in b_cables:
            dropped_dup[tg] += 1
            continue
        keep_rows.append(row)
    kept = pd.DataFrame(keep_rows, columns=o_links.columns)
    kept["from_node"] = [mapping[str(a)] for a in kept["from_node"]]
    kept["to_node"] = [mapping[str(b)] for b in kept["to_node"]]
    kept = kept[kept["from_node"] != kept["to_node"]].copy()
    referenced = set(kept["from_node"]) | set(kept["to_node"])
    add_nodes = o_nodes.copy()
    add_nodes["id"] = [mapping[str(i)] for i in add_nodes["id"]]
    add_nodes = add_nodes[~add_nodes["id"].isin(b_ids)]
    keep_node = add_nodes["kind"].isin(["city", "hub", "ixp"]) | add_nodes["id"].isin(referenced)
    add_nodes = add_nodes[keep_node].copy()
    if "metro" in add_nodes:
        add_nodes["metro"] = [mapping.get(str(m), m) if _text(m) else None
                              for m in add_nodes["metro"]]
    # country nodes: replace the base's synthetic city where the other brings cities
    other_cities = add_nodes[add_nodes["kind"].isin(["city", "hub"])]
    cities_by_country: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    for row in other_cities.itertuples(index=False):
        if _text(row.country):
            cities_by_country[str(row.country)].append((str(row.id), float(row.lon),
                                                        float(row.lat)))
    replaced = sorted(c for c in cities_by_country if f"city:{c}" in b_ids)
    gone = {f"city:{c}" for c in replaced}
    o_metro = {}
    if "metro" in o_nodes:
        o_metro = {mapping[str(i)]: mapping.get(str(m), str(m))
                   for i, m in zip(o_nodes["id"], o_nodes["metro"], strict=True) if _text(m)}
    city_ids = set(other_cities["id"])
    other_backhaul: dict[str, set[str]] = defaultdict(set)
    for a, b in zip(kept["from_node"], kept["to_node"], strict=True):
        if b in city_ids:
            other_backhaul[a].add(b)
        if a in city_ids:
            other_backhaul[b].add(a)
    b_nodes = b_nodes[~b_nodes["id"].isin(gone)].copy()
    lon = dict(zip(b_nodes["id"], b_nodes["lon"], strict=True))
    lat = dict(zip(b_nodes["id"], b_nodes["lat"], strict=True))
    relinked, removed_links, new_metro = 0, 0, {}
    out_links = []
    for row in b_links.to_dict("records"):
        ends = {row["from_node"], row["to_node"]}
        hit = ends & gone
        if not hit:
            out_links.append(row)
            continue
        landing = (ends - hit).pop()
        removed_links += 1
        if landing in other_backhaul or landing in o_metro:
            new_metro[landing] = o_metro.get(landing) or sorted(other_backhaul[landing])[0]
            continue
        country = hit.pop().split(":", 1)[1]
        choices = cities_by_country[country]
        dist = _km(lon[landing], lat[landing], np.array([c[1] for c in choices]),
                   np.array([c[2] for c in choices]))
        k = int(np.argmin(dist))
        city = choices[k][0]
        length = max(float(dist[k]) * BACKHAUL_ROUTE_FACTOR, 10.0)
        new_metro[landing] = city
        relinked += 1
        out_links.append({**row, "from_node": landing, "to_node": city,
                          "kind": "metro" if length <= 100.0 else "terrestrial",
                          "length_km": round(length, 3),
                          "route_factor": BACKHAUL_ROUTE_FACTOR,
                          "price_usd_per_mbps_month": BACKHAUL_PRICE_PER_KM * length,
                          "citation": (
                              f"estimate: backhaul from {landing} to {city}, the nearest city or "
                              f"hub of {country} in {tag} (merged): great circle "
                              f"{float(dist[k]):,.1f} km x {BACKHAUL_ROUTE_FACTOR} (facts-inputs "
                              f"A6), at least 10 km; capacity as the imported backhaul; "
                              f"price estimate: terrestrial rate US${BACKHAUL_PRICE_PER_KM:.3e}/"
                              f"Mbps/month/km x length (facts-inputs B3)")})
    # link ids of the other topology that clash with the base's
    b_link_ids = {row["id"] for row in out_links}
    renamed_links = []
    new_routes, new_cites = {}, {}
    link_ids = []
    for lid in kept["id"]:
        new = f"{lid}@{tag}" if lid in b_link_ids else lid
        if new != lid:
            renamed_links.append(lid)
        link_ids.append(new)
        if lid in o_routes:
            new_routes[new] = o_routes[lid]
            new_cites[new] = o_cites.get(lid, "")
    kept["id"] = link_ids
    b_nodes["metro"] = [new_metro.get(i, m)
                        for i, m in zip(b_nodes["id"], b_nodes["metro"], strict=True)]
    nodes = pd.concat([b_nodes, add_nodes], ignore_index=True)
    links = pd.concat([pd.DataFrame(out_links, columns=b_links.columns), kept],
                      ignore_index=True)
    routes = {**b_routes, **new_routes}
    cites = {**b_cites, **new_cites}
    merged = Network.from_tables(nodes, links, routes, name=name or f"{base.name}+{tag}",
                                 route_citations=cites)
    report.update({
        "landings_matched_by_id": len(by_id),
        "landings_matched_by_distance": by_distance,
        "nodes_added": int(len(add_nodes)),
        "nodes_added_by_kind": dict(sorted(Counter(add_nodes["kind"]).items())),
        "links_added": int(len(kept)),
        "links_added_by_kind": dict(sorted(Counter(kept["kind"]).items())),
        "submarine_links_dropped_as_duplicates": int(sum(dropped_dup.values())),
        "cables_dropped_as_duplicates": sorted(dropped_dup),
        "cables_added": sorted({str(t) if _text(t) else str(s) for t, s, k in
                                zip(kept["tg_cable_id"], kept["system"], kept["kind"], strict=True)
                                if k == "submarine"}),
        "country_nodes_replaced": [f"city:{c}" for c in replaced],
        "backhaul_links_removed": removed_links,
        "backhaul_links_repointed": relinked,
        "ids_renamed": {"nodes": renamed_nodes, "links": renamed_links},
    })
    return merged, report
